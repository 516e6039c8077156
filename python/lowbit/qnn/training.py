"""Training and export of the QNN test's network (PyTorch): the steps behind `lowbit qnn-train`
(lowbit.qnn.train holds its command line; docs/qnn.md describes the method).

Steps: generate the training / validation / calibration sets (lowbit.qnn.data, cached in
models/data/); train the float network with batch normalisation; fold BN into the convolutions (the
exported float model, "CNN"); for 8 and 4 bits: calibrate the activation ranges, quantize after
training (PTQ), and when PTQ loses more than --qat-threshold points on the validation set fine-tune
with quantization in the loop (QAT, straight-through estimator); for the 4.6-bit variant (QNN-4.6,
Trusov et al. 2024) search the level pair (N_x, N_w) on the VALIDATION set (PTQ and QAT per candidate,
best validation accuracy wins; --add-q46 does only this, on the networks of --checkpoint); export all
variants, the fixtures for the C++ tests and a JSON report. Seeded and single-process (2 threads,
deterministic algorithms).
"""
import copy
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from lowbit.qnn import data as qnn_data
from lowbit.qnn import intmodel as im


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


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


# ------------------------------------------------------------------------------------------ models

class Net(nn.Module):
    """Float network; bn=True for training (BN is folded before export)."""

    def __init__(self, bn=True):
        super().__init__()
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList() if bn else None
        for kind, cin, cout, k, s, pad in im.ARCH[:im.NUM_CONV]:
            self.convs.append(nn.Conv2d(cin, cout, k, s, pad, bias=not bn))
            if bn:
                self.bns.append(nn.BatchNorm2d(cout))
        kind, cin, cout, k, s, pad = im.ARCH[-1]
        self.fc = nn.Linear(cin, cout)
        for conv in self.convs:  # He initialisation: without BN the default init starves 7 layers
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            if conv.bias is not None:
                nn.init.zeros_(conv.bias)
        # quantization-aware settings (None: float): bits (8, 4), or levels = (N_x, N_w) (4.6-bit)
        self.bits = None
        self.levels = None
        self.act_hi = None

    def _fq_act(self, x, hi):
        if self.bits:
            return fake_quant_act(x, hi, self.bits)
        return fake_quant_act_levels(x, hi, self.levels[0])

    def forward(self, x):
        # x: (N, 1, 32, 32), the contrast-stretched image (qnn_intmodel.normalize)
        quant = bool(self.bits) or self.levels is not None
        if quant:
            x = self._fq_act(x, 1.0)
        for i, conv in enumerate(self.convs):
            w = conv.weight
            if self.bits:
                w = fake_quant_weight(w, self.bits)
            elif self.levels is not None:
                w = fake_quant_weight_symmetric(w, self.levels[1])
            x = F.conv2d(x, w, conv.bias, conv.stride, conv.padding)
            if self.bns is not None:
                x = self.bns[i](x)
            x = F.relu(x)
            if quant and i + 1 < im.NUM_CONV:
                x = self._fq_act(x, self.act_hi[i + 1])
        return self.fc(torch.flatten(x, 1))


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # half away from zero, as lowbit::quantize
        return torch.sign(x) * torch.floor(torch.abs(x) + 0.5)

    @staticmethod
    def backward(ctx, g):
        return g


def fake_quant_weight(w, bits):
    """lowbit's per-tensor map: s (round((w - z) / s) - z_q), z = min(min w, 0)."""
    levels = (1 << bits) - 1
    lo = torch.clamp(w.detach().min(), max=0.0)
    hi = torch.clamp(w.detach().max(), min=0.0)
    s = (hi - lo) / levels
    zq = torch.round(-lo / s)
    q = torch.clamp(RoundSTE.apply((w - lo) / s), 0, levels)
    return s * (q - zq)


def fake_quant_act(x, hi, bits):
    levels = (1 << bits) - 1
    s = float(np.float32(hi) / np.float32(levels))
    q = RoundSTE.apply(torch.clamp(x, 0.0, s * levels) / s)
    return q * s


def fake_quant_weight_symmetric(w, levels):
    """lowbit::choose_symmetric_params + quantize: s = 2 max|w| / N_w, codes z_q + round(w / s)
    clamped to [0, N_w - 1] with z_q = (N_w - 1) / 2 (the 4.6-bit scheme's weights)."""
    zq = (levels - 1) // 2
    s = 2.0 * torch.clamp(w.detach().abs().max(), min=1e-12) / levels
    q = torch.clamp(RoundSTE.apply(w / s + zq), 0, levels - 1)
    return s * (q - zq)


def fake_quant_act_levels(x, hi, levels):
    """Activations with N_x levels over [0, hi] (lowbit::choose_level_params(0, hi, N_x))."""
    steps = levels - 1
    s = float(np.float32(hi) / np.float32(steps))
    q = RoundSTE.apply(torch.clamp(x, 0.0, s * steps) / s)
    return q * s


def fold_bn(net):
    f = Net(bn=False)
    with torch.no_grad():
        for conv, bn, out in zip(net.convs, net.bns, f.convs):
            g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            out.weight.copy_(conv.weight * g[:, None, None, None])
            out.bias.copy_(bn.bias - bn.running_mean * g)
        f.fc.load_state_dict(net.fc.state_dict())
    return f


def to_tensor(images):
    return torch.from_numpy(im.normalize(images)[:, None])


@torch.no_grad()
def predict(net, images, batch=1000):
    net.eval()
    out = [net(to_tensor(images[i:i + batch])) for i in range(0, len(images), batch)]
    return torch.cat(out).numpy()


@torch.no_grad()
def activations(net, images):
    """Post-ReLU outputs of conv layers 1..5 (the inputs of layers 2..6), float model."""
    net.eval()
    x = to_tensor(images)
    acts = []
    for i, conv in enumerate(net.convs):
        x = F.relu(conv(x))
        acts.append(x.numpy().ravel())
    return acts[:-1]


def calibrate(net, images, bits, levels=None):
    """act_hi[0] = 1 (the image); act_hi[i] minimises the quantization MSE of layer i's input, with
    2^bits codes (or `levels` codes when given)."""
    his = [1.0]
    levels = (1 << bits) - 1 if levels is None else levels - 1  # steps
    for a in activations(net, images):
        a = a[a > 0]
        top = float(a.max())
        best, best_err = top, None
        for frac in np.linspace(0.2, 1.0, 81):
            hi = top * frac
            s = hi / levels
            q = np.minimum(np.floor(a / s + 0.5), levels) * s
            err = float(((q - a) ** 2).mean())
            if best_err is None or err < best_err:
                best, best_err = hi, err
        his.append(float(np.float32(best)))
    return his


def variant_from(net, bits, act_hi, levels=None):
    """bits 8 / 4, or bits = im.LEVEL_VARIANT with levels = (N_x, N_w)."""
    ws = [c.weight.detach().numpy().copy() for c in net.convs]
    bs = [c.bias.detach().numpy().copy() for c in net.convs]
    return im.make_variant(bits, ws, bs, act_hi, net.fc.weight.detach().numpy(),
                           net.fc.bias.detach().numpy(), levels=levels)


def symmetric_bound(w, levels):
    """The clamp [-c, c] (c = f max|w|, f in 0.3..1) whose N_w-level symmetric quantization
    (lowbit::choose_symmetric_params(c, N_w)) is closest to w in mean squared error."""
    w = np.asarray(w, np.float32)
    top = float(np.abs(w).max())
    best = None
    for f in np.linspace(0.3, 1.0, 71):
        c = np.float32(top * f)
        cw = np.clip(w, -c, c)
        s, off, z = im.choose_symmetric_params(np.abs(cw).max(), levels)
        err = float(((s * (im.quantize(cw, s, off, 0, levels=levels).astype(np.float64) - z) - w) ** 2).mean())
        if best is None or err < best[0]:
            best = (err, float(c))
    return best[1]


def nll(logits, labels):
    """Mean cross-entropy of float logits (numpy, float64): the tie-break of the pair search."""
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def parse_pairs(text):
    """"255x3,63x9" -> [(255, 3), (63, 9)]; "boundary" -> im.maximal_level_pairs()."""
    if text == "boundary":
        return im.maximal_level_pairs()
    pairs = []
    for item in text.split(","):
        nx, nw = (int(t) for t in item.lower().split("x"))
        why = im.why_invalid(nx, nw)
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
        v = variant_from(fnet, im.LEVEL_VARIANT, act_hi, levels=(nx, nw))
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
                lg = im.int_forward(variant_from(q, im.LEVEL_VARIANT, hi, levels=(nx, nw)), va[0])
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


def weight_bounds(w, bits):
    """The clamp [f min w, f max w] (f in 0.3..1) whose p-bit quantization (lowbit's map of the
    clamped tensor) is closest to w in mean squared error."""
    w = np.asarray(w, np.float32)
    best = None
    for f in np.linspace(0.3, 1.0, 71):
        lo, hi = np.float32(w.min() * f), np.float32(w.max() * f)
        c = np.clip(w, lo, hi)
        s, off, z = im.choose_quant_params(c.min(), c.max(), bits)
        err = float(((s * (im.quantize(c, s, off, bits).astype(np.float64) - z) - w) ** 2).mean())
        if best is None or err < best[0]:
            best = (err, float(lo), float(hi))
    return best[1], best[2]


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


# ------------------------------------------------------------------------------------------ the run

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
        variants.append(variant_from(q46[0], im.LEVEL_VARIANT, q46[1], levels=q46[2]))
    data = im.to_bytes(im.Model(ws, bs, variants))
    with open(path, "wb") as f:
        f.write(data)
    model = im.from_bytes(data, path)  # evaluate exactly what was written
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
        f.write(im.fixtures_bytes(fx_img, fx_lab, torch_logits, outs))
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
