#include "lenet_benchmark.h"

#include <functional>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "baseline_simd_guard.h"
#include "config.h"
#include "qnn/fixtures.h"
#include "qnn/lenet.h"
#include "results_writer.h"
#include "sha256.h"
#include "timed_rounds.h"

namespace qbench {
namespace {

using nlohmann::json;

const qnn::Variant kVariants[] = {qnn::Variant::kFloat, qnn::Variant::kQ8, qnn::Variant::kQ4};

const char* kTimed =
    "per image, one thread: lenet/<variant>/forward = the whole forward pass of one 32x32 digit up to the "
    "10 logits (real_time); images cycle through the fixtures' blurred test digits";

TimedCell forward_cell(qnn::LeNet5& net, const qnn::Fixtures& f, qnn::Variant v) {
  struct State {
    size_t next = 0;
    float logits[qnn::LeNet5::kClasses];
  };
  auto st = std::make_shared<State>();
  auto run = [&net, &f, v, st] {
    net.forward(f.images[st->next].pixels.data(), v, st->logits);
    st->next = (st->next + 1) % f.images.size();
  };
  return {"lenet/" + std::string(qnn::variant_name(v)) + "/forward", run, [](benchmark::State&) {}};
}

template <typename T>
T loaded(const std::function<T()>& load) {
  try {
    return load();
  } catch (const std::exception& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace

int run_lenet(const LenetOptions& options) {
  check_results_path(options.out_path, options.overwrite);
  if (!options.allow_scalar_baselines) {
    const std::string refusal = scalar_baseline_refusals({"float"}, true);
    if (!refusal.empty()) throw ConfigError(refusal);
  }
  qnn::LeNet5 net = loaded<qnn::LeNet5>([&] { return qnn::LeNet5::load(options.model_path); });
  const qnn::Fixtures fixtures = loaded<qnn::Fixtures>([&] { return qnn::read_fixtures(options.fixtures_path); });
  std::vector<qnn::Variant> variants;
  for (qnn::Variant v : kVariants)
    if (net.has_variant(v)) variants.push_back(v);

  float float_error = 0;
  const std::string wrong = qnn::check_fixtures(net, fixtures, &float_error);
  if (!wrong.empty()) {
    std::cerr << "qbench lenet: WRONG RESULT, nothing timed: " << wrong << "\n";
    return 1;
  }
  std::cerr << "qbench lenet: " << options.model_path << " reproduces " << fixtures.images.size()
            << " fixture images (q8 and q4 bit for bit; float within " << float_error << " of PyTorch)\n";
  if (options.before_measuring) options.before_measuring();

  InterruptGuard guard;
  std::vector<TimedCell> cells;
  json gemms = json::object();
  for (qnn::Variant v : variants) {
    gemms[qnn::variant_name(v)] = net.gemm_name(v);
    cells.push_back(forward_cell(net, fixtures, v));
  }
  std::cerr << "qbench lenet: timing " << cells.size() << " cells x " << options.repetitions << " repetitions\n";
  const TimedRounds timed = interrupted() ? TimedRounds{json::object(), json::array(), true}
                                          : time_in_rounds(cells, options.repetitions, options.min_time, true, 1);

  Measurement m;
  m.partial = timed.interrupted;
  m.command = options.command_line;
  m.config = {{"model", options.model_path}, {"fixtures", options.fixtures_path}};
  m.timed = kTimed;
  m.fields = {{"lenet",
               {{"model", options.model_path},
                {"model_sha256", file_sha256(options.model_path)},
                {"fixtures", options.fixtures_path},
                {"fixtures_sha256", file_sha256(options.fixtures_path)},
                {"verified_images", fixtures.images.size()},
                {"float_max_abs_error", float_error},
                {"gemm", gemms},
                {"macs", net.macs()}}}};
  m.context = timed.context;
  m.benchmarks = timed.benchmarks;
  return write_results_and_report(options.out_path, m);
}

}  // namespace qbench
