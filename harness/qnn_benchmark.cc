#include "qnn_benchmark.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "baseline_simd_guard.h"
#include "config.h"
#include "qnn/fxp.h"
#include "qnn/network.h"
#include "results_writer.h"
#include "sha256.h"
#include "timed_rounds.h"

namespace qbench {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string string_field(const json& doc, const std::string& key, const std::string& origin) {
  if (!doc.contains(key) || !doc[key].is_string())
    throw ConfigError(origin + ": " + key + ": missing or not a string");
  return doc[key];
}

const char* kTimed =
    "per image, one thread: qnn/<variant>/total = the whole forward pass up to the logits (real_time); "
    "its counters split the same passes, timed by steady_clock at each stage boundary: conv_us = "
    "layers 1..6 (input stretch and quantization, im2col, GEMM, bias, ReLU, requantization), "
    "<stage>_us summed over layers, layer<i>_us per layer (7 = fully connected; QNN-FXP's integer fully "
    "connected layer, GEMM and shift included, is its fc stage); images cycle through the first images of the "
    "'hard' test set";

// One timed cell per variant: forward() with a Timing, whose split becomes the repetition's counters
// (microseconds per image). Google Benchmark calls `counters` after each of its loops; the Timing is
// cleared there, so it holds exactly the loop's images.
TimedCell forward_cell(qnn::Network& net, const qnn::Dataset& set, qnn::Variant v, int cycle) {
  struct State {
    int next = 0;
    qnn::Timing timing;
    float logits[qnn::kNumClasses];
  };
  auto st = std::make_shared<State>();
  auto run = [&net, &set, v, cycle, st] {
    net.forward(set.image(st->next), v, st->logits, &st->timing);
    st->next = (st->next + 1) % cycle;
  };
  auto counters = [st](benchmark::State& state) {
    const qnn::Timing& t = st->timing;
    const double per_image_us = t.images > 0 ? 1e6 / static_cast<double>(t.images) : 0.0;
    state.counters["conv_us"] = t.conv_seconds() * per_image_us;
    for (int s = 0; s < qnn::kStages; ++s) {
      const auto stage = static_cast<qnn::Stage>(s);
      state.counters[std::string(qnn::stage_name(stage)) + "_us"] = t.stage_seconds(stage) * per_image_us;
    }
    for (int l = 0; l < qnn::kTimedLayers; ++l)
      state.counters["layer" + std::to_string(l + 1) + "_us"] = t.layer_seconds(l) * per_image_us;
    st->timing.clear();
  };
  return {"qnn/" + std::string(qnn::variant_name(v)) + "/total", run, counters};
}

// QNN-FXP's layers as context.qbench.qnn.fxp.layers: formats, scheme and the lowbit path run here.
json fxp_layer_records(const qnn::FxpNetwork& fxp) {
  json layers = json::array();
  for (const qnn::FxpLayerInfo& l : fxp.layers())
    layers.push_back({{"kind", l.kind},
                      {"weights", {l.weights.bw, l.weights.f}},
                      {"biases", {l.biases.bw, l.biases.f}},
                      {"output", {l.output.bw, l.output.f}},
                      {"scheme", l.scheme},
                      {"gemm", l.gemm},
                      {"levels", {{"activations", l.x_levels}, {"weights", l.w_levels}}},
                      {"macs", l.macs}});
  return layers;
}

}  // namespace

int run_qnn(const QnnOptions& options) {
  const std::string& origin = options.config_path;
  const json config = read_json_file(origin);
  check_results_path(options.out_path, options.overwrite);
  const std::string weights_path = string_field(config, "weights", origin);
  if (!config.contains("data") || !config["data"].contains("test_sets") ||
      !config["data"]["test_sets"].is_object())
    throw ConfigError(origin + ": data.test_sets: missing or not an object {name: file}");
  std::vector<qnn::Variant> variants;
  if (config.contains("variants")) {
    if (!config["variants"].is_array()) throw ConfigError(origin + ": variants: not an array");
    for (const json& name : config["variants"]) {
      qnn::Variant v;
      if (!name.is_string() || !qnn::variant_from_name(name.get<std::string>(), &v))
        throw ConfigError(origin + ": variants: unknown variant " + name.dump() +
                          " (float, q8, q4, q32, q4_6, fxp)");
      variants.push_back(v);
    }
  }
  const int images_per_cycle = config.value("timing", json::object()).value("images_per_repetition", 500);

  qnn::Network net = [&] {
    try {
      return qnn::Network::load(weights_path);
    } catch (const std::exception& e) {
      throw ConfigError(e.what());
    }
  }();
  // QNN-FXP: its own file (docs/qnn.md, "QNN-FXP"), attached to the network as variant fxp.
  const std::string fxp_path = config.contains("fxp") ? string_field(config, "fxp", origin) : "";
  json fxp_layers = json::array();
  if (!fxp_path.empty()) {
    try {
      qnn::FxpNetwork fxp = qnn::FxpNetwork::load(fxp_path);
      fxp_layers = fxp_layer_records(fxp);
      net.attach_fxp(std::move(fxp));
    } catch (const std::exception& e) {
      throw ConfigError(e.what());
    }
  }
  if (!config.contains("variants")) {  // default: every variant the weights file holds
    for (qnn::Variant v : qnn::all_variants())
      if (net.has_variant(v)) variants.push_back(v);
  }
  for (qnn::Variant v : variants) {
    if (v == qnn::Variant::kFxp && !net.has_variant(v))
      throw ConfigError(origin + ": variants: fxp (QNN-FXP) needs the key \"fxp\": its .qnnf file");
    if (!net.has_variant(v))
      throw ConfigError(origin + ": variants: " + weights_path + " has no " + qnn::variant_name(v) + " (" +
                        qnn::variant_paper_name(v) + ") variant");
  }
  if (!options.allow_scalar_baselines) {
    std::vector<std::string> names;
    for (qnn::Variant v : variants) names.push_back(qnn::variant_name(v));
    const std::string refusal = scalar_baseline_refusals(names, true);
    if (!refusal.empty()) throw ConfigError(refusal);
  }
  std::vector<qnn::Dataset> sets;
  for (const auto& [name, path] : config["data"]["test_sets"].items()) {
    if (!fs::exists(path.get<std::string>()))
      throw ConfigError(path.get<std::string>() + ": test set '" + name +
                        "' missing; generate it with: " + config["data"].value("generate", std::string("?")));
    try {
      sets.push_back(qnn::load_dataset(path));
    } catch (const std::exception& e) {
      throw ConfigError(e.what());
    }
    sets.back().name = name;
  }
  if (options.before_measuring) options.before_measuring();

  InterruptGuard guard;
  json accuracy = json::object();
  json gemms = json::object();
  json levels = json::object();
  for (qnn::Variant v : variants) {
    gemms[qnn::variant_name(v)] = net.gemm_name(v);
    if (v != qnn::Variant::kFloat && v != qnn::Variant::kFxp)  // QNN-FXP's are per layer (fxp.layers)
      levels[qnn::variant_name(v)] = {{"activations", net.activation_levels(v)},
                                      {"weights", net.weight_levels(v)}};
    for (const qnn::Dataset& set : sets) {
      const double pct = qnn::accuracy(net, set, v);
      accuracy[qnn::variant_name(v)][set.name] = pct;
      std::fprintf(stderr, "qbench qnn: %-7s (%s) on %-9s %6.2f %% of %d images\n",
                   qnn::variant_paper_name(v), net.gemm_name(v).c_str(), set.name.c_str(), pct, set.count);
    }
    if (interrupted()) break;
  }

  // Timing images: the camera-like set when present, cycling through its first images.
  const qnn::Dataset& timing_set = sets.back();
  const int cycle = std::min(images_per_cycle, timing_set.count);
  std::vector<TimedCell> cells;
  for (std::size_t i = 0; i < variants.size() && !interrupted(); ++i) {
    net.forward(timing_set.image(0), variants[i], std::vector<float>(qnn::kNumClasses).data());  // warm up
    cells.push_back(forward_cell(net, timing_set, variants[i], cycle));
  }
  std::cerr << "qbench qnn: timing " << cells.size() << " cells x " << options.repetitions
            << " repetitions\n";
  const TimedRounds timed = interrupted()
                                ? TimedRounds{json::object(), json::array(), true}
                                : time_in_rounds(cells, options.repetitions, options.min_time, true, 1);

  json layers = json::array();
  for (const qnn::LayerInfo& l : net.layers())
    layers.push_back({{"kind", l.kind},
                      {"in_channels", l.in_channels},
                      {"out_channels", l.out_channels},
                      {"kernel", l.kernel},
                      {"stride", l.stride},
                      {"macs", l.macs}});
  json set_sizes = json::object();
  for (const qnn::Dataset& set : sets) set_sizes[set.name] = set.count;
  Measurement m;
  m.partial = timed.interrupted;
  m.command = options.command_line;
  m.config_path = options.config_path;
  m.config = config;
  m.timed = kTimed;
  m.fields = {{"qnn",
               {{"weights", weights_path},
                {"weights_sha256", file_sha256(weights_path)},
                {"accuracy_pct", accuracy},
                {"test_set_sizes", set_sizes},
                {"timing_set", timing_set.name},
                {"gemm", gemms},
                {"levels", levels},
                {"layers", layers}}}};
  if (!fxp_path.empty())
    m.fields["qnn"]["fxp"] = {{"model", fxp_path}, {"model_sha256", file_sha256(fxp_path)}, {"layers", fxp_layers}};
  m.context = timed.context;
  m.benchmarks = timed.benchmarks;
  return write_results_and_report(options.out_path, m);
}

}  // namespace qbench
