"""Ranges for quantizing a trained network: the activation ranges (MSE-optimal on the calibration
set), the clamps of the latent weights during QAT, and the quantized variant of a network."""
import numpy as np

from lowbit.qnn import quantization as qz
from lowbit.qnn import variant as qv
from lowbit.qnn.torchnet import activations


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
    """bits 8 / 4, or bits = qv.LEVEL_VARIANT with levels = (N_x, N_w)."""
    ws = [c.weight.detach().numpy().copy() for c in net.convs]
    bs = [c.bias.detach().numpy().copy() for c in net.convs]
    return qv.make_variant(bits, ws, bs, act_hi, net.fc.weight.detach().numpy(),
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
        s, off, z = qz.choose_symmetric_params(np.abs(cw).max(), levels)
        err = float(((s * (qz.quantize(cw, s, off, 0, levels=levels).astype(np.float64) - z) - w) ** 2).mean())
        if best is None or err < best[0]:
            best = (err, float(c))
    return best[1]



def weight_bounds(w, bits):
    """The clamp [f min w, f max w] (f in 0.3..1) whose p-bit quantization (lowbit's map of the
    clamped tensor) is closest to w in mean squared error."""
    w = np.asarray(w, np.float32)
    best = None
    for f in np.linspace(0.3, 1.0, 71):
        lo, hi = np.float32(w.min() * f), np.float32(w.max() * f)
        c = np.clip(w, lo, hi)
        s, off, z = qz.choose_quant_params(c.min(), c.max(), bits)
        err = float(((s * (qz.quantize(c, s, off, bits).astype(np.float64) - z) - w) ** 2).mean())
        if best is None or err < best[0]:
            best = (err, float(lo), float(hi))
    return best[1], best[2]
