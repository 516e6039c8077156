#include "config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "known_kernels.h"

namespace qbench {
namespace {

using nlohmann::json;

// An id the registry resolves (see kernel_registry.h); its lookup, for the caller to judge.
KernelLookup check_kernel(const std::string& id, const std::string& where) {
  try {
    return known_kernels().lookup(id);
  } catch (const UnknownKernel& e) {
    throw ConfigError(where + ": " + e.what());
  }
}

int dimension(const json& value, const std::string& where) {
  if (!value.is_number_integer() && !value.is_number_unsigned())
    throw ConfigError(where + ": must be a whole number, got " + value.dump());
  const int64_t v = value.get<int64_t>();
  if (v <= 0) throw ConfigError(where + ": must be positive, got " + std::to_string(v));
  if (v > kMaxDimension)
    throw ConfigError(where + ": " + std::to_string(v) + " is too large (at most " +
                      std::to_string(kMaxDimension) + ")");
  return static_cast<int>(v);
}

void check_shape_size(const GemmShape& s, const std::string& where) {
  constexpr double kMaxElements = 1 << 28;  // 256 MiB of 8-bit operand
  const double hd = double(s.height) * s.depth, dw = double(s.depth) * s.width,
               hw = double(s.height) * s.width;
  if (hd > kMaxElements || dw > kMaxElements || hw > kMaxElements)
    throw ConfigError(where + ": shape " + s.str() + " has a matrix of more than 2^28 elements");
}

std::vector<GemmShape> parse_shapes(const json& value, const std::string& where) {
  std::vector<GemmShape> shapes;
  if (value.is_object()) {  // {"height": [...], "width": [...], "depth": [...]}: every combination
    for (const auto& [key, _] : value.items())
      if (key != "height" && key != "width" && key != "depth")
        throw ConfigError(where + "." + key + ": unknown key (expected height, width, depth)");
    std::vector<int> dims[3];
    const char* names[3] = {"height", "width", "depth"};
    for (int d = 0; d < 3; ++d) {
      const std::string at = where + "." + names[d];
      if (!value.contains(names[d])) throw ConfigError(at + ": missing");
      const json& list = value.at(names[d]);
      if (!list.is_array() || list.empty()) throw ConfigError(at + ": must be a non-empty array of sizes");
      for (std::size_t i = 0; i < list.size(); ++i)
        dims[d].push_back(dimension(list[i], at + "[" + std::to_string(i) + "]"));
    }
    for (int h : dims[0])
      for (int w : dims[1])
        for (int d : dims[2]) shapes.push_back({h, w, d});
  } else if (value.is_array()) {  // [[height, width, depth], ...]
    if (value.empty()) throw ConfigError(where + ": must not be empty");
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string at = where + "[" + std::to_string(i) + "]";
      const json& s = value[i];
      if (!s.is_array() || s.size() != 3) throw ConfigError(at + ": must be [height, width, depth]");
      shapes.push_back({dimension(s[0], at + "[0] (height)"), dimension(s[1], at + "[1] (width)"),
                        dimension(s[2], at + "[2] (depth)")});
    }
  } else {
    throw ConfigError(where + ": must be an object {height, width, depth} or an array of [h, w, d]");
  }
  for (const GemmShape& s : shapes) check_shape_size(s, where);
  return shapes;
}

}  // namespace

const char* weights_mode_name(WeightsMode mode) {
  return mode == WeightsMode::kPrepacked ? "prepacked" : "per_call";
}

Config parse_config(const json& doc, const std::string& origin) {
  if (!doc.is_object()) throw ConfigError(origin + ": the top level must be a JSON object");
  static const std::set<std::string> known = {"name",        "description", "kernels", "shapes",
                                              "repetitions", "min_time",    "weights", "seed"};
  for (const auto& [key, _] : doc.items())
    if (known.count(key) == 0) throw ConfigError(origin + ": " + key + ": unknown key");
  for (const char* required : {"name", "kernels", "shapes"})
    if (!doc.contains(required)) throw ConfigError(origin + ": " + required + ": missing");

  Config c;
  c.source = doc;
  auto where = [&](const std::string& field) { return origin + ": " + field; };
  if (!doc["name"].is_string() || doc["name"].get<std::string>().empty())
    throw ConfigError(where("name") + ": must be a non-empty string");
  c.name = doc["name"];
  if (doc.contains("description")) {
    if (!doc["description"].is_string()) throw ConfigError(where("description") + ": must be a string");
    c.description = doc["description"];
  }
  const json& kernels = doc["kernels"];
  if (!kernels.is_array() || kernels.empty())
    throw ConfigError(where("kernels") + ": must be a non-empty array of kernel ids");
  for (std::size_t i = 0; i < kernels.size(); ++i) {
    const std::string at = where("kernels[" + std::to_string(i) + "]");
    if (!kernels[i].is_string()) throw ConfigError(at + ": must be a string");
    check_kernel(kernels[i], at);
    c.kernels.push_back(kernels[i]);
  }
  c.shapes = parse_shapes(doc["shapes"], where("shapes"));
  if (doc.contains("repetitions")) {
    const json& r = doc["repetitions"];
    if (!r.is_number_integer() || r.get<int64_t>() < 1 || r.get<int64_t>() > 1000)
      throw ConfigError(where("repetitions") + ": must be a whole number in 1..1000, got " + r.dump());
    c.repetitions = r.get<int>();
  }
  if (doc.contains("min_time")) {
    const json& t = doc["min_time"];
    if (!t.is_number() || !(t.get<double>() > 0) || t.get<double>() > 60)
      throw ConfigError(where("min_time") + ": must be seconds in (0, 60], got " + t.dump());
    c.min_time = t.get<double>();
  }
  if (doc.contains("weights")) {
    const json& w = doc["weights"];
    if (w == "per_call")
      c.weights = WeightsMode::kPackedPerCall;
    else if (w == "prepacked")
      c.weights = WeightsMode::kPrepacked;
    else
      throw ConfigError(where("weights") + ": must be \"per_call\" or \"prepacked\", got " + w.dump());
  }
  if (doc.contains("seed")) {
    if (!doc["seed"].is_number_unsigned())
      throw ConfigError(where("seed") + ": must be a non-negative whole number");
    c.seed = doc["seed"].get<uint64_t>();
  }
  return c;
}

json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the config file");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw ConfigError(path + ": not valid JSON: " + e.what());
  }
}

Config load_config(const std::string& path) { return parse_config(read_json_file(path), path); }

std::vector<GemmShape> parse_shape_list(const std::string& text, const std::string& origin) {
  std::vector<GemmShape> shapes;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    int h, w, d;
    char x1, x2;
    std::istringstream in(item);
    if (!(in >> h >> x1 >> w >> x2 >> d) || x1 != 'x' || x2 != 'x' || !(in >> std::ws).eof())
      throw ConfigError(origin + ": '" + item + "' is not HEIGHTxWIDTHxDEPTH (e.g. 8x100x10)");
    const std::string at = origin + " '" + item + "'";
    GemmShape s{dimension(h, at + " height"), dimension(w, at + " width"), dimension(d, at + " depth")};
    check_shape_size(s, at);
    shapes.push_back(s);
  }
  if (shapes.empty()) throw ConfigError(origin + ": no shapes given");
  return shapes;
}

std::vector<std::string> parse_kernel_list(const std::string& text, const std::string& origin) {
  std::vector<std::string> ids;
  std::stringstream items(text);
  std::string id;
  while (std::getline(items, id, ',')) {
    // One path asked for by name must run: a config's list is portable, a command line is not.
    const KernelLookup kernel = check_kernel(id, origin);
    if (id.find('@') != std::string::npos && !kernel.unavailable.empty())
      throw ConfigError(origin + ": kernel '" + id + "' cannot run here: " + kernel.unavailable);
    ids.push_back(id);
  }
  if (ids.empty()) throw ConfigError(origin + ": no kernels given");
  return ids;
}

}  // namespace qbench
