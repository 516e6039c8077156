"""Training of the QNN test's network (PyTorch): the float network, PTQ / QAT per bit width, and the
QNN-4.6 level-pair search (docs/qnn.md, "Training"; the whole run of `lowbit qnn-train` is
lowbit.qnn.train_run, its command line lowbit.qnn.train).

For 8 and 4 bits: calibrate the activation ranges, quantize after training (PTQ), and when PTQ loses
more than --qat-threshold points on the validation set fine-tune with quantization in the loop (QAT,
straight-through estimator); for the 4.6-bit variant (QNN-4.6, Trusov et al. 2024) search the level
pair (N_x, N_w) on the VALIDATION set (PTQ and QAT per candidate, best validation accuracy wins).
"""
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F

from lowbit.qnn import intmodel as im
from lowbit.qnn import quantization as qz
from lowbit.qnn import variant as qv
from lowbit.qnn.calibration import calibrate, symmetric_bound, variant_from, weight_bounds
from lowbit.qnn.torchnet import Net, fold_bn, predict, to_tensor


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def nll(logits, labels):
    """Mean cross-entropy of float logits (numpy, float64): the tie-break of the pair search."""
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def parse_pairs(text):
    """"255x3,63x9" -> [(255, 3), (63, 9)]; "boundary" -> qz.maximal_level_pairs()."""
    if text == "boundary":
        return qz.maximal_level_pairs()
    pairs = []
    for item in text.split(","):
        nx, nw = (int(t) for t in item.lower().split("x"))
        why = qz.why_invalid(nx, nw)
        if why:
            raise SystemExit(f"--q46-pairs: {why}")
        pairs.append((nx, nw))
    return pairs


def train_q46(args, fnet, tr, va, ca):
    """The 4.6-bit variant: for each candidate (N_x, N_w), PTQ from the float network and QAT from
    it (same seed and schedule for every pair), both evaluated with the integer model on the
    VALIDATION set only; the pair with the best validation accuracy wins (ties: the lower validation
    cross-entropy). Returns (net, act_hi, (N_x, N_w), report)."""
    pairs = parse_pairs(args.q46_pairs)
    rows, best = [], None
    for nx, nw in pairs:
        t0 = time.time()
        act_hi = calibrate(fnet, ca[0], 0, levels=nx)
        v = variant_from(fnet, qv.LEVEL_VARIANT, act_hi, levels=(nx, nw))
        lg = im.int_forward(v, va[0])
        ptq, ptq_nll = im.accuracy(lg, va[1]), nll(lg, va[1])
        row = {"pair": [nx, nw], "ptq_val": ptq, "ptq_val_nll": ptq_nll}
        cands = [(ptq, -ptq_nll, "PTQ", fnet, act_hi)]
        log(f"QNN-4.6 ({nx}, {nw}) PTQ val {ptq:.2f}% nll {ptq_nll:.4f}")
        if args.qat_epochs > 0:
            q = copy.deepcopy(fnet)
            q.levels, q.act_hi = (nx, nw), act_hi
            bounds = [symmetric_bound(c.weight.detach().numpy(), nw) for c in q.convs]

            def clamp():
                with torch.no_grad():
                    for c, b in zip(q.convs, bounds):
                        c.weight.clamp_(-b, b)
            clamp()
            train(q, *tr, epochs=args.qat_epochs, lr=args.lr / 4, batch=args.batch, seed=args.seed + 46,
                  log_prefix=f"QAT-4.6 ({nx}, {nw})", wd=0.0, clamp=clamp)
            q.levels = None
            for label, hi in (("QAT ranges", act_hi), ("recalibrated", calibrate(q, ca[0], 0, levels=nx))):
                lg = im.int_forward(variant_from(q, qv.LEVEL_VARIANT, hi, levels=(nx, nw)), va[0])
                acc, n = im.accuracy(lg, va[1]), nll(lg, va[1])
                log(f"QNN-4.6 ({nx}, {nw}) QAT val {acc:.2f}% nll {n:.4f} ({label})")
                row[f"qat_val_{'trained' if label == 'QAT ranges' else 'recalibrated'}"] = acc
                row[f"qat_val_nll_{'trained' if label == 'QAT ranges' else 'recalibrated'}"] = n
                cands.append((acc, -n, "QAT, " + label, q, hi))
        top = max(cands, key=lambda c: (c[0], c[1]))
        row.update(best_val=top[0], best_val_nll=-top[1], best=top[2], act_hi=[float(h) for h in top[4]],
                   seconds=round(time.time() - t0, 1))
        rows.append(row)
        if best is None or (top[0], top[1]) > (best[0][0], best[0][1]):
            best = (top, (nx, nw))
    (acc, neg_nll, how, net, act_hi), pair = best
    log(f"QNN-4.6: chose (N_x, N_w) = {pair}: val {acc:.2f}% ({how})")
    report = {"pair": list(pair), "chosen_by": "best validation accuracy of the integer model, ties: "
              "lower validation cross-entropy", "val": acc, "how": how, "act_hi": [float(h) for h in act_hi],
              "qat_epochs": args.qat_epochs, "threads": args.threads, "search": rows}
    return net, act_hi, pair, report


def train(net, images, labels, epochs, lr, batch, seed, log_prefix, val=None, wd=1e-4, clamp=None):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=wd)
    steps = epochs * ((len(labels) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    x_all = to_tensor(images)
    y_all = torch.from_numpy(labels.astype(np.int64))
    for ep in range(epochs):
        net.train()
        perm = torch.randperm(len(labels), generator=g)
        t0, tot = time.time(), 0.0
        for i in range(0, len(labels), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(net(x_all[idx]), y_all[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if clamp is not None:
                clamp()
            tot += float(loss) * len(idx)
        msg = f"{log_prefix} epoch {ep + 1}/{epochs} loss {tot / len(labels):.4f} ({time.time() - t0:.0f} s)"
        if val is not None:
            msg += f" val {im.accuracy(predict(net, val[0]), val[1]):.2f}%"
        log(msg)
    return net


def train_all(args, tr, va, ca):
    """Float training, then PTQ / QAT per bit width: (float net, {bits: (net, act_hi)}, report)."""
    net = train(Net(bn=args.bn), *tr, epochs=args.epochs, lr=args.lr, batch=args.batch, seed=args.seed,
                log_prefix="float", val=va)
    fnet = fold_bn(net) if args.bn else net
    float_val = im.accuracy(predict(fnet, va[0]), va[1])
    log(f"float val {float_val:.2f}%")

    report = {"float": {"val": float_val}, "variants": {}}
    chosen = {}
    for bits in (8, 4):
        act_hi = calibrate(fnet, ca[0], bits)
        v = variant_from(fnet, bits, act_hi)
        ptq = im.accuracy(im.int_forward(v, va[0]), va[1])
        log(f"QNN-{bits} PTQ val {ptq:.2f}% (float {float_val:.2f}%), ranges {np.round(act_hi, 3).tolist()}")
        rep = {"ptq_val": ptq, "qat": False}
        chosen[bits] = (fnet, act_hi)
        if float_val - ptq > args.qat_threshold:
            q = copy.deepcopy(fnet)
            q.bits, q.act_hi = bits, act_hi
            # Outliers stretch a tensor's min/max range and waste levels: the latent weights are kept
            # inside MSE-optimal bounds, so the exported weights' min/max are the quantization range.
            bounds = [weight_bounds(c.weight.detach().numpy(), bits) for c in q.convs]

            def clamp():
                with torch.no_grad():
                    for c, (lo, hi) in zip(q.convs, bounds):
                        c.weight.clamp_(lo, hi)
            clamp()
            train(q, *tr, epochs=args.qat_epochs, lr=args.lr / 4, batch=args.batch, seed=args.seed + bits,
                  log_prefix=f"QAT-{bits}", wd=0.0, clamp=clamp)
            q.bits = None
            # The ranges QAT trained with, or ranges recalibrated on the fine-tuned weights.
            best = None
            for label, hi in (("QAT ranges", act_hi), ("recalibrated", calibrate(q, ca[0], bits))):
                acc = im.accuracy(im.int_forward(variant_from(q, bits, hi), va[0]), va[1])
                log(f"QNN-{bits} QAT val {acc:.2f}% ({label})")
                if best is None or acc > best[0]:
                    best = (acc, hi, label)
            qat, hi2, label = best
            rep.update(qat=True, qat_val=qat, qat_ranges=label)
            if qat > ptq:
                chosen[bits] = (q, hi2)
            else:
                rep["qat"] = "tried, PTQ kept"
        rep["act_hi"] = [float(h) for h in chosen[bits][1]]
        report["variants"][f"q{bits}"] = rep
    return fnet, chosen, report
