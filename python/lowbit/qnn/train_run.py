"""The whole run of `lowbit qnn-train` (lowbit.qnn.train holds its command line; docs/qnn.md
describes the method).

Steps: generate the training / validation / calibration sets (lowbit.qnn.data, cached in
models/data/); train the float network and its quantized variants (lowbit.qnn.training), or restore
them from the checkpoint (--export-only, --add-q46); export all variants, the fixtures for the C++
tests and a JSON report. Seeded and single-process (2 threads, deterministic algorithms).
"""
import json
import os
import time

import numpy as np
import torch

from lowbit.qnn import data as qnn_data
from lowbit.qnn import fixtures
from lowbit.qnn import intmodel as im
from lowbit.qnn import variant as qv
from lowbit.qnn import weights
from lowbit.qnn.calibration import variant_from
from lowbit.qnn.torchnet import Net, predict
from lowbit.qnn.training import log, train_all, train_q46


def load_set(name, cache_dir):
    path = os.path.join(cache_dir, f"mrz-{name}.qnnd")
    if os.path.exists(path):
        try:
            _, images, labels = qnn_data.read_dataset(path)
            if len(labels) == qnn_data.SETS[name][2]:
                return images, labels
        except ValueError:
            pass
    t0 = time.time()
    images, labels = qnn_data.generate(name)
    os.makedirs(cache_dir, exist_ok=True)
    qnn_data.write_dataset(path, name, images, labels)
    log(f"generated {name}: {len(labels)} images in {time.time() - t0:.1f} s -> {path}")
    return images, labels

def setup_torch(seed, threads):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)  # denormal gradients slow the CPU down by 10x and more
    torch.use_deterministic_algorithms(True)


def restore(args):
    """(float net, {bits: (net, act_hi)}, q46 (net, act_hi, pair) or None, report, checkpoint) from
    --checkpoint; its QNN-4.6 is left out with --add-q46 (it is searched again)."""
    ckpt = torch.load(args.checkpoint)
    fnet = Net(bn=False)
    fnet.load_state_dict(ckpt["float"])
    chosen = {}
    for bits, (state, act_hi) in ckpt["variants"].items():
        q = Net(bn=False)
        q.load_state_dict(state)
        chosen[bits] = (q, act_hi)
    q46 = None
    if "q4_6" in ckpt and not args.add_q46:
        q = Net(bn=False)
        q.load_state_dict(ckpt["q4_6"]["state"])
        q46 = (q, ckpt["q4_6"]["act_hi"], tuple(ckpt["q4_6"]["pair"]))
    log(f"read {args.checkpoint}")
    return fnet, chosen, q46, ckpt["report"], ckpt


def save_checkpoint(ckpt, path):
    tmp = path + ".tmp"
    torch.save(ckpt, tmp)
    os.replace(tmp, path)
    log(f"wrote {path}")


def export_model(fnet, chosen, q46, path):
    """Writes the .qnnw file and returns the Model read back from its bytes (what was written)."""
    ws = [c.weight.detach().numpy().copy() for c in fnet.convs] + [fnet.fc.weight.detach().numpy().copy()]
    bs = [c.bias.detach().numpy().copy() for c in fnet.convs] + [fnet.fc.bias.detach().numpy().copy()]
    variants = [variant_from(q, bits, hi) for bits, (q, hi) in sorted(chosen.items(), reverse=True)]
    if q46 is not None:
        variants.append(variant_from(q46[0], qv.LEVEL_VARIANT, q46[1], levels=q46[2]))
    data = weights.to_bytes(qv.Model(ws, bs, variants))
    with open(path, "wb") as f:
        f.write(data)
    model = weights.from_bytes(data, path)  # evaluate exactly what was written
    log(f"wrote {path} ({len(data)} bytes)")
    return model


def write_fixtures(fnet, model, tests, path):
    """The first 8 images of each test set plus up to 8 that QNN-4 gets wrong on hard, with the
    float logits and every variant's logits and layer-6 sums."""
    s_img, s_lab = tests["synthetic"]
    h_img, h_lab = tests["hard"]
    q4 = [v for v in model.variants if v.bits == 4][0]
    wrong = np.nonzero(np.argmax(im.int_forward(q4, h_img[:600]), 1) != h_lab[:600])[0]
    pick_h = np.concatenate([np.arange(8), wrong[wrong >= 8][:8]])
    fx_img = np.concatenate([s_img[:8], h_img[pick_h]])
    fx_lab = np.concatenate([s_lab[:8], h_lab[pick_h]])
    torch_logits = predict(fnet, fx_img)
    outs = []
    for v in model.variants:
        lg, sm = im.int_forward(v, fx_img, return_sums=True)
        outs.append((v.bits, lg, sm))
    with open(path, "wb") as f:
        f.write(fixtures.fixtures_bytes(fx_img, fx_lab, torch_logits, outs))
    log(f"wrote {path} ({len(fx_lab)} images)")


def write_report(report, args, from_checkpoint, t_start):
    if from_checkpoint and os.path.exists(args.report):
        # the float / QNN-8 / QNN-4 training time of the run that wrote the checkpoint
        with open(args.report) as f:
            old = json.load(f)
        if "seconds" in old:
            report["seconds"] = old["seconds"]
    if not from_checkpoint:
        report["seconds"] = round(time.time() - t_start, 1)
    report["versions"] = dict(qnn_data.versions(), torch=torch.__version__)
    with open(args.report, "w") as f:
        json.dump(report, f, indent=1)
    log(json.dumps(report, indent=1))


def main(args):
    """The whole run of `lowbit qnn-train` (see the module docstring)."""
    setup_torch(args.seed, args.threads)
    t_start = time.time()
    from_checkpoint = args.export_only or args.add_q46
    tr = load_set("train", args.data) if not args.export_only else None
    va = load_set("val", args.data)
    ca = load_set("calib", args.data)
    tests = {n: load_set(n, args.data) for n in qnn_data.TEST_SETS}

    q46 = None  # (net, act_hi, (N_x, N_w))
    if from_checkpoint:
        fnet, chosen, q46, report, ckpt = restore(args)
    else:
        fnet, chosen, report = train_all(args, tr, va, ca)
        ckpt = {"float": fnet.state_dict(), "report": report,
                "variants": {b: (q.state_dict(), hi) for b, (q, hi) in chosen.items()}}
    if args.add_q46 or (not from_checkpoint and not args.no_q46):
        t46 = time.time()
        net46, hi46, pair46, rep46 = train_q46(args, fnet, tr, va, ca)
        rep46["seconds"] = round(time.time() - t46, 1)
        report["variants"]["q4_6"] = rep46
        q46 = (net46, hi46, pair46)
        ckpt["q4_6"] = {"state": net46.state_dict(), "act_hi": hi46, "pair": list(pair46)}
    if args.no_q46:
        q46 = None
        report["variants"].pop("q4_6", None)
    if not args.export_only:
        save_checkpoint(ckpt, args.checkpoint)
    model = export_model(fnet, chosen, q46, args.out)
    for name, (images, labels) in tests.items():
        report["float"][name] = im.accuracy(predict(fnet, images), labels)
        for v in model.variants:
            report["variants"][v.name][name] = im.accuracy(im.int_forward(v, images), labels)
    write_fixtures(fnet, model, tests, args.fixtures)
    write_report(report, args, from_checkpoint, t_start)
    return 0
