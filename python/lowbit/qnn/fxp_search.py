"""QNN-FXP: the fixed-point search of Goyal et al. 2021 (lowbit.fxp.search, the authors' steps, T = 0.5%)
applied to the MRZ float network of models/mrz-v1.qnnw, and the report of the result (docs/qnn.md,
"QNN-FXP").

Protocols (lowbit.qnn.fxp.PROTOCOLS): 'val', the exported one, searches on the MRZ validation set (3600
mixed-severity images, seed 1002) and reports on the two test sets, synthetic and hard, which play no
part in the search; 'hard-split' searches on a seeded half of the hard test set (the permutation of
lowbit.fxp.pipeline.protocol_indices) and reports on its other half and on synthetic; 'val-hard'
searches on a held-out set drawn like the hard test set (camera-like profile, its own seed 1004, 3600
images) and reports on both test sets, which play no part in it. The activation
peaks of the start points come from the first 250 search images, as the authors take the first 250
of their search set. Weights, then biases, then activations (the input image first), each choice
fixed for the later ones.
"""
import hashlib
import time

import numpy as np

from lowbit.fxp import cost, pipeline, search
from lowbit.qnn import arch, fxp_int, fxp_net
from lowbit.qnn import intmodel as im
from lowbit.qnn.fxp_net import INPUT, LAYER_NAMES

DATA_SETS = ("val", "synthetic", "hard")


def data_sets(protocol):
    """The sets a protocol reads (DATA_SETS, and its own search set)."""
    return DATA_SETS + (("val-hard",) if protocol == "val-hard" else ())


def layer_sizes():
    """The cost model's rows (lowbit.fxp.cost) for the MRZ network: output values and
    multiplications per image of each layer."""
    outputs = [cout * oh * ow for (_, _, cout, _, _, _), (_, _, oh, ow) in zip(arch.ARCH, arch.conv_shapes())]
    outputs.append(arch.ARCH[-1][2])
    sizes = []
    for name, (kind, cin, cout, k, s, pad), out, macs in zip(LAYER_NAMES, arch.ARCH, outputs, arch.macs()):
        sizes.append(cost.LayerSize(name, cout * cin * k * k, cout, out, macs))
    return sizes


def protocol_sets(protocol, sets):
    """(search (images, labels), {report name: (images, labels)}) of a protocol, from DATA_SETS."""
    if protocol == "val":
        return sets["val"], dict(sets)
    if protocol == "val-hard":
        return sets["val-hard"], {name: sets[name] for name in DATA_SETS}
    images, labels = sets["hard"]
    search_idx, report_idx = pipeline.protocol_indices("split", len(labels))
    search_half = (images[search_idx], labels[search_idx])
    return search_half, {"hard_report_half": (images[report_idx], labels[report_idx]),
                         "hard_search_half": search_half, "synthetic": sets["synthetic"], "val": sets["val"]}


def run_search(model, images, labels, log=print):
    """({kind: {name: (BW, F)}}, {kind: records}, search accuracy (float32 evaluation), evaluations)."""
    evaluator = fxp_net.MrzEvaluator(fxp_net.from_model(model), fxp_net.input_tensor(images),
                                     labels.astype(np.int64))
    log(f"float accuracy on the {len(labels)} search images: {100 * evaluator.float_acc:.2f}%")
    peaks = evaluator.activation_max(pipeline.CALIBRATION_IMAGES)
    fixed, records = {}, {}
    for kind in search.KINDS:
        order = ([INPUT] if kind == "activations" else []) + list(LAYER_NAMES)
        start = pipeline.start_points(evaluator, kind, peaks, log)
        fixed[kind], records[kind] = search.search_kind(kind, evaluator.drop, order, start, fixed, log=log)
    search_acc = 100 * evaluator.accuracy(fixed)
    return fixed, records, search_acc, evaluator.evaluations


def layer_table(layers, config):
    """Per layer: the formats, the GEMM scheme and its operands' zero points / level counts."""
    rows = [{"layer": INPUT, "activations": list(config["activations"][INPUT])}]
    for layer in layers:
        rows.append({"layer": layer.name, "weights": list(layer.w_format), "biases": list(layer.b_format),
                     "activations": list(layer.out_format), "input_activations": list(layer.in_format),
                     "acc_exponent": layer.acc_exponent, "out_shift": layer.out_shift, **layer.gemm})
    return rows


def accuracies(model, layers, input_format, sets):
    """{set: {'float': %, 'fxp': %}}: the float network (lowbit.qnn.intmodel.float_forward) and the
    QNN-FXP integer model."""
    out = {}
    for name, (images, labels) in sets.items():
        logits, _, _ = fxp_int.forward(layers, input_format, images)
        out[name] = {"float": im.accuracy(im.float_forward(model, images), labels),
                     "fxp": float((fxp_int.predict(logits) == labels).mean() * 100.0)}
    return out


def accuracy_by_kind(model, config, sets):
    """{set: {kinds: %}}: the fake-quantized network (float32, as the search saw it) with only the
    weights, then weights and biases, then everything quantized: where the accuracy goes."""
    steps = {"weights": ("weights",), "weights+biases": ("weights", "biases"),
             "all": ("weights", "biases", "activations")}
    net = fxp_net.from_model(model)
    out = {}
    for name, (images, labels) in sets.items():
        evaluator = fxp_net.MrzEvaluator(net, fxp_net.input_tensor(images), labels.astype(np.int64))
        out[name] = {step: 100 * evaluator.accuracy({kind: config[kind] for kind in kinds})
                     for step, kinds in steps.items()}
    return out


def report(model, weights_path, protocol, config, search_info, sets):
    """The JSON report of a searched configuration (what models/mrz-v1-fxp.json holds); `search_info`:
    {'records', 'search_accuracy_pct', 'evaluations', 'search_seconds'}."""
    layers = fxp_int.make_layers(model, config)
    sizes = layer_sizes()
    bitwidths = [[config[kind][s.name][0] for s in sizes] for kind in ("weights", "biases", "activations")]
    with open(weights_path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    return {"variant": "fxp", "method": "Goyal et al. 2021 per-layer fixed-point search, T = 0.5%",
            "protocol": {"name": protocol, "search_images": len(protocol_sets(protocol, sets)[0][1]),
                         "start_peaks_images": pipeline.CALIBRATION_IMAGES,
                         "accuracy_by": "the Python integer model (lowbit.qnn.fxp_int)"},
            "weights": weights_path.split("/")[-1], "weights_sha256": digest,
            "accuracy_pct": accuracies(model, layers, tuple(config["activations"][INPUT]),
                                       protocol_sets(protocol, sets)[1]),
            "accuracy_by_kind_pct": accuracy_by_kind(model, config, protocol_sets(protocol, sets)[1]),
            "config": {kind: {n: list(v) for n, v in config[kind].items()} for kind in config},
            "layers": layer_table(layers, config),
            "cost": {"against": "every tensor at 8 bits (the paper's cost model, lowbit.fxp.cost)",
                     **cost.savings(sizes, *bitwidths)},
            **search_info}


def config_of(result):
    return {kind: {n: tuple(v) for n, v in layers.items()} for kind, layers in result["config"].items()}


def searched(model, weights_path, protocol, sets, log=print):
    t0 = time.time()
    config, records, search_acc, evaluations = run_search(model, *protocol_sets(protocol, sets)[0], log=log)
    return report(model, weights_path, protocol, config,
                  {"search_accuracy_pct": search_acc, "evaluations": evaluations,
                   "search_seconds": round(time.time() - t0), "records": records}, sets)
