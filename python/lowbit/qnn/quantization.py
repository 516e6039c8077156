"""lowbit's quantization maps (lowbit/quantize.h, lowbit/levels.h), replicated in numpy float32 /
float64 exactly as the C++ library computes them, and the Q->Q requantization of the integer pipeline."""
import numpy as np


def lround(x):
    """C's lround on doubles: round half away from zero."""
    x = np.asarray(x, dtype=np.float64)
    t = np.trunc(x)
    frac = x - t  # exact
    return (t + np.where(np.abs(frac) >= 0.5, np.sign(x), 0.0)).astype(np.int64)


def choose_quant_params(lo, hi, bits):
    """lowbit::choose_quant_params in float32: (scale, offset, zero_point)."""
    lo = np.float32(lo)
    hi = np.float32(hi)
    levels = np.float32((1 << bits) - 1)
    z = min(lo, np.float32(0.0))
    top = max(hi, np.float32(0.0))
    scale = np.float32(np.float32(top - z) / levels) if top > z else np.float32(1.0)
    zp = int(lround(np.float32(-z / scale)))
    zp = min(max(zp, 0), (1 << bits) - 1)
    return scale, np.float32(z), zp


def choose_level_params(lo, hi, levels):
    """lowbit::choose_level_params in float32 (the paper's map with `levels` codes)."""
    lo = np.float32(lo)
    hi = np.float32(hi)
    steps = np.float32(levels - 1)
    z = min(lo, np.float32(0.0))
    top = max(hi, np.float32(0.0))
    scale = np.float32(np.float32(top - z) / steps) if top > z else np.float32(1.0)
    zp = int(lround(np.float32(-z / scale)))
    zp = min(max(zp, 0), levels - 1)
    return scale, np.float32(z), zp


def choose_symmetric_params(max_abs, levels):
    """lowbit::choose_symmetric_params in float32: s = 2 max_abs / levels, z_q = (levels - 1) / 2,
    offset = -s z_q (odd levels in 3..255)."""
    if levels < 3 or levels > 255 or levels % 2 == 0:
        raise ValueError("symmetric quantization needs an odd number of levels in 3..255")
    max_abs = np.float32(max_abs)
    zp = (levels - 1) // 2
    scale = np.float32(np.float32(2.0) * max_abs / np.float32(levels)) if max_abs > 0 else np.float32(1.0)
    return scale, np.float32(-scale * np.float32(zp)), zp


def why_invalid(nx, nw):
    """lowbit::why_invalid of the level pair (N_x, N_w): "" when valid."""
    name = f"level pair (N_x, N_w) = ({nx}, {nw})"
    for n in (nx, nw):
        if n < 3 or n > 255 or n % 2 == 0:
            return name + ": both counts must be odd, in 3..255"
    if ((nx - 1) // 2) * ((nw - 1) // 2) > 127:
        return name + ": ((N_x - 1) / 2) * ((N_w - 1) / 2) exceeds 127"
    return ""


def maximal_level_pairs():
    """The pairs on the boundary of the constraint that no other valid pair dominates: for
    b = (N_w - 1) / 2 = 1..11, a = (N_x - 1) / 2 = 127 // b, down to (23, 23) (N_x >= N_w)."""
    pairs = []
    for b in range(1, 12):
        pairs.append((2 * (127 // b) + 1, 2 * b + 1))
    return pairs


def quantize(values, scale, offset, bits, levels=None):
    """lowbit::quantize: clamp(round((double(v) - offset) / scale)), half away from zero; codes
    0..2^bits - 1, or 0..levels - 1 when levels is given."""
    code = (np.asarray(values, np.float32).astype(np.float64) - np.float64(offset)) / np.float64(scale)
    mx = (1 << bits) - 1 if levels is None else levels - 1
    q = lround(np.clip(code, 0.0, mx))
    q = np.where(code > 0.0, q, 0)
    q = np.where(code >= mx, mx, q)
    return q.astype(np.uint8)


def requantize(acc, scale, bits, qmax=None):
    """Q->Q: int32 sums acc >= 0 (after bias and ReLU) to the next layer's codes, float32 exactly as
    the C++ library: int(min(float32(acc) * scale + 0.5, qmax)), qmax = 2^p - 1 (or N_x - 1)."""
    if qmax is None:
        qmax = (1 << bits) - 1
    y = np.asarray(acc, np.int32).astype(np.float32) * np.float32(scale)
    y = np.minimum(y + np.float32(0.5), np.float32(qmax))
    return y.astype(np.int32)
