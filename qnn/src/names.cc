// The names of the variants and stages: one table each, indexed by the enum's value.
#include <iterator>

#include "qnn/network.h"

namespace qnn {
namespace {

struct VariantNames {
  Variant variant;
  const char* name;
  const char* paper_name;
};
constexpr VariantNames kVariantNames[] = {
    {Variant::kFloat, "float", "CNN"}, {Variant::kQ8, "q8", "QNN-8"},     {Variant::kQ4, "q4", "QNN-4"},
    {Variant::kQ32, "q32", "QNN-32"},  {Variant::kQ46, "q4_6", "QNN-4.6"}, {Variant::kFxp, "fxp", "QNN-FXP"},
};
constexpr const char* kStageNames[kStages] = {"input", "im2col", "gemm", "requantize", "fc"};

const VariantNames& names_of(Variant v) {
  for (const VariantNames& n : kVariantNames)
    if (n.variant == v) return n;
  static const VariantNames unknown{v, "?", "?"};
  return unknown;
}

}  // namespace

const char* variant_name(Variant v) { return names_of(v).name; }
const char* variant_paper_name(Variant v) { return names_of(v).paper_name; }

bool variant_from_name(const std::string& name, Variant* v) {
  for (const VariantNames& n : kVariantNames) {
    if (name == n.name || name == n.paper_name) {
      *v = n.variant;
      return true;
    }
  }
  return false;
}

const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> all = [] {
    std::vector<Variant> v;
    for (const VariantNames& n : kVariantNames) v.push_back(n.variant);
    return v;
  }();
  return all;
}

const char* stage_name(Stage s) {
  const int i = static_cast<int>(s);
  return i >= 0 && i < static_cast<int>(std::size(kStageNames)) ? kStageNames[i] : "?";
}

}  // namespace qnn
