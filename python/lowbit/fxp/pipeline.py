"""Search and evaluation of the trained networks under the two protocols; the committed artefacts.

Protocol 'test' (the paper's): search on the test set and report on the same test set. Protocol
'split': search on one half of the test set (a fixed seeded permutation) and report on the other
half. `search_images` optionally searches on a seeded subset of the search images (reported in the
results; the paper uses all of them). The searched configuration is committed in
models/fxp/search/<network>-<protocol>.json; `rebuild_table` re-evaluates it on the committed weights.
"""
import hashlib
import json
import os
import time

import numpy as np
import torch

from lowbit.fxp import data, models, report, search, train
from lowbit.fxp.evaluate import Evaluator

MAX_START_BW = 32
CALIBRATION_IMAGES = 250


def protocol_indices(protocol, count=10_000, search_images=None):
    """(search indices, report indices) into the test set."""
    if protocol == "test":
        search_idx, report_idx = np.arange(count), np.arange(count)
    else:
        order = np.random.default_rng(0).permutation(count)
        search_idx, report_idx = np.sort(order[:count // 2]), np.sort(order[count // 2:])
    if search_images and search_images < len(search_idx):
        pick = np.random.default_rng(1).permutation(len(search_idx))[:search_images]
        search_idx = search_idx[np.sort(pick)]
    return search_idx, report_idx


def load_model(network, model_dir):
    model = models.build(network)
    model.load_state_dict(torch.load(train.paths(model_dir, network)["weights"]))
    return model.to(memory_format=torch.channels_last).eval()


def test_set():
    images, labels = data.load_split("test")
    return data.to_float(images), labels


def start_points(evaluator, kind, peaks, log):
    """The authors' start: no-clipping F at BW 12 (biases 8), BW + 4 while that alone drops > 0.5%."""
    bw = search.START_BW[kind]
    while True:
        start = evaluator.start_offsets(kind, bw, peaks)
        drop, _ = evaluator.drop({kind: start}, limit=search.INITIAL_DROP)
        log(f"{kind}: start BW {bw}, drop with every layer at it {drop:.5f}")
        if drop <= search.INITIAL_DROP or bw >= MAX_START_BW:
            return start
        bw += 4


def search_paths(model_dir, network, protocol, independent):
    suffix = "-independent" if independent else ""
    return os.path.join(model_dir, "search", f"{network}-{protocol}{suffix}.json")


def checkpoint_path(model_dir, network, protocol, independent, search_images):
    name = os.path.basename(search_paths(model_dir, network, protocol, independent))
    return os.path.join(model_dir, "ckpt", f"search-{search_images}-{name}")


def load_search_checkpoint(path, identity, log):
    """The layers a stopped search with the same identity already chose, else an empty record."""
    empty = {"identity": identity, "records": {}, "evaluations": 0, "seconds": 0.0}
    if not os.path.exists(path):
        return empty
    with open(path) as handle:
        saved = json.load(handle)
    if saved.get("identity") != identity:
        log(f"{path}: from another search (weights or images differ), starting afresh")
        return empty
    layers = sum(len(records) for records in saved["records"].values())
    log(f"{path}: resuming after {layers} searched layers")
    return saved


def save_json_atomically(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as handle:
        json.dump(value, handle, indent=1)
    os.replace(path + ".tmp", path)


def run_search(network, protocol, model_dir, independent=False, search_images=None, log=print):
    """Search weights, then biases, then activations; write the configuration JSON.

    A checkpoint under models/fxp/ckpt/ is written after every layer; a stopped search (deadline,
    Ctrl-C) started again with the same arguments resumes from it."""
    images, labels = test_set()
    search_idx, report_idx = protocol_indices(protocol, len(labels), search_images)
    evaluator = Evaluator(load_model(network, model_dir), images[search_idx], labels[search_idx])
    log(f"{network}/{protocol}: float accuracy on {len(search_idx)} search images "
        f"{100 * evaluator.float_acc:.2f}%")
    ckpt_path = checkpoint_path(model_dir, network, protocol, independent, len(search_idx))
    identity = {"weights_sha256": weights_digest(model_dir, network), "independent": independent,
                "search_indices_sha256": hashlib.sha256(search_idx.tobytes()).hexdigest()}
    progress = load_search_checkpoint(ckpt_path, identity, log)
    peaks = evaluator.activation_max(CALIBRATION_IMAGES)
    order = [name for name, _ in evaluator.model.quant_layers()]
    fixed, records, t0 = {}, {}, time.time()

    def checkpoint(kind, kind_records):
        progress["records"][kind] = kind_records
        progress["evaluations"] += evaluator.evaluations - checkpoint.evaluations
        progress["seconds"] += time.time() - checkpoint.time
        checkpoint.evaluations, checkpoint.time = evaluator.evaluations, time.time()
        save_json_atomically(ckpt_path, progress)

    checkpoint.evaluations, checkpoint.time = evaluator.evaluations, t0
    for kind in search.KINDS:
        done = progress["records"].get(kind, {})
        if len(done) == len(order):
            records[kind] = done
            fixed[kind] = {n: (r["bw"], r["f"]) for n, r in done.items()}
            continue
        start = start_points(evaluator, kind, peaks, log)
        chosen, records[kind] = search.search_kind(
            kind, evaluator.drop, order, start, fixed, independent, log, done=done,
            on_layer=lambda _, kind_records, kind=kind: checkpoint(kind, dict(kind_records)))
        fixed[kind] = chosen
    checkpoint(search.KINDS[-1], records[search.KINDS[-1]])
    result = {"network": network, "protocol": protocol, "independent": independent,
              "search_images": len(search_idx), "report_images": len(report_idx),
              "search_float_acc_pct": 100 * evaluator.float_acc,
              "search_fxp_drop": evaluator.drop(fixed)[0], "evaluations": progress["evaluations"],
              "search_seconds": round(progress["seconds"]), "order": order,
              "config": {kind: {n: list(v) for n, v in fixed[kind].items()} for kind in fixed},
              "records": records, "torch": torch.__version__,
              "weights_sha256": identity["weights_sha256"]}
    result["report_float_acc_pct"], result["report_fxp_acc_pct"] = evaluate_row(
        result, model_dir, images, labels)
    log(f"{network}/{protocol}: on {len(report_idx)} report images float "
        f"{result['report_float_acc_pct']:.2f}%, fixed-point {result['report_fxp_acc_pct']:.2f}%")
    path = search_paths(model_dir, network, protocol, independent)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        json.dump(result, handle, indent=1)
    log(f"{network}/{protocol}: searched configuration in {path}")
    os.remove(ckpt_path)  # finished: a later search (perhaps with changed code) starts afresh
    return result


def search_all(networks, protocols, model_dir, out_dir, independent=False, search_images=None,
               log=print):
    for network in networks:
        for protocol in protocols:
            run_search(network, protocol, model_dir, independent, search_images, log)
    rebuild_table(model_dir, out_dir, stored=True, log=log)


def config_of(result):
    return {kind: {n: tuple(v) for n, v in layers.items()}
            for kind, layers in result["config"].items()}


def weights_digest(model_dir, network):
    with open(train.paths(model_dir, network)["weights"], "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def evaluate_row(result, model_dir, images, labels):
    """Float and fixed-point accuracy (%) of a searched configuration on its report images."""
    _, report_idx = protocol_indices(result["protocol"], len(labels))
    evaluator = Evaluator(load_model(result["network"], model_dir), images[report_idx],
                          labels[report_idx])
    return 100 * evaluator.float_acc, 100 * evaluator.accuracy(config_of(result))


def rebuild_table(model_dir, out_dir, stored=False, log=print):
    """Re-evaluate every committed search result (or take the accuracies it stored, `stored`);
    write fxp.json, fxp-table.md/.csv and the plot."""
    images, labels = test_set()
    folder = os.path.join(model_dir, "search")
    rows = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name)) as handle:
            result = json.load(handle)
        if result["weights_sha256"] != weights_digest(model_dir, result["network"]):
            raise RuntimeError(f"{name} was searched on other {result['network']} weights than "
                               "the committed ones: search again (lowbit fxp search)")
        if stored:
            float_acc, fxp_acc = result["report_float_acc_pct"], result["report_fxp_acc_pct"]
        else:
            float_acc, fxp_acc = evaluate_row(result, model_dir, images, labels)
        rows.append(report.result_row(result, float_acc, fxp_acc, config_of(result), model_dir))
        log(f"{name}: float {float_acc:.2f}% fixed-point {fxp_acc:.2f}%")
    for network in models.NETWORKS:
        weights = train.paths(model_dir, network)["weights"]
        if any(row["network"] == network for row in rows) or not os.path.exists(weights):
            continue
        with open(train.paths(model_dir, network)["log"]) as handle:
            training = json.load(handle)
        if stored and training["history"] and training["batches_into_next_epoch"] == 0:
            float_acc = training["history"][-1]["test_acc_pct"]  # the weights of the last epoch
        else:  # mid-epoch weights (a deadline stopped the run): evaluate them
            float_acc = 100 * Evaluator(load_model(network, model_dir), images, labels).float_acc
        rows.append(report.float_only_row(network, float_acc, model_dir))
        log(f"{network} (not searched): float {float_acc:.2f}%")
    report.write_all(rows, model_dir, out_dir)
    log(f"fxp.json, fxp-table.md, fxp-table.csv and fxp-bitwidths.png in {out_dir}")
