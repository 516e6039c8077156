"""The MRZ network of the QNN test in numpy: the float forward pass and the integer pipeline that the
C++ library qnn/ must match bit for bit (docs/qnn.md). The quantization maps are in
lowbit.qnn.quantization, the containers in lowbit.qnn.variant, the .qnnw file in lowbit.qnn.weights,
the C++ tests' fixtures in lowbit.qnn.fixtures.

Input (every variant): the image's contrast is stretched to [0, 1] and inverted (ink 1, paper 0):
with lo / hi the smallest and largest pixel and d = hi - pixel, r = hi - lo, the float network reads
x = float32(d) / float32(r) (x = 0 when r = 0).

Integer pipeline of a quantized variant with p bits (p = 4 or 8), layers 1..6 convolutions, 7 FC
(the 4.6-bit variant "q4_6" is the same with N_x activation levels in place of 2^p, so qmax = N_x - 1
below, and symmetric N_w-level weights: s_w = 2 max|w| / N_w, z_w = (N_w - 1) / 2, Trusov et al. 2024):
  F->Q  layer 1: x quantized to p bits over [0, 1] (scale 1 / (2^p - 1), zero point 0):
        q = round(x (2^p - 1)) evaluated exactly in integers, q = (2 d (2^p - 1) + r) // (2 r)
        (half up; lowbit::quantize's map, which can differ from it only at exact ties).
  GEMM  acc = sum_k (q_w - z_w) (q_x - z_x) in int32 (z_x = 0: inputs are >= 0), im2col order
        k = (c, dy, dx), columns = output pixels row-major.
        acc += bias_q (int32, round(b / s*) with s* = s_x s_w); acc = max(acc, 0) (ReLU).
  Q->Q  layers 1..5 -> next: q = int(min(float32(acc) * M + 0.5f, float32(2^p - 1))) in IEEE
        float32, each operation rounded to nearest, no fused multiply-add, int() truncating (acc >= 0,
        so this is round half up of acc * M, saturated), with M = float32(s* / s_x(next)) stored.
  Q->F  layer 6 -> FC: x_fc = float32(acc) * float32(s*) (one IEEE float32 product).
  FC    logits[j] = (((b_j + w_j0 x_0) + w_j1 x_1) + ...) in float32, k ascending, no fused
        multiply-add; class = argmax (first maximum). Softmax is monotone and not needed for the class.
"""
import numpy as np

from lowbit.qnn.arch import ARCH, NUM_CONV
from lowbit.qnn.quantization import requantize


def im2col(x, k, s):
    """x (N, C, H, W) -> (N, C*k*k, OH*OW), rows ordered (c, dy, dx)."""
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    v = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    # v: (N, C, OH, OW, k, k) -> (N, C, k, k, OH, OW)
    return v.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k * k, oh * ow), oh, ow


def fc_float32(x, w, b):
    """Sequential float32 FC: x (N, K), w (J, K), b (J,) -> (N, J)."""
    acc = np.broadcast_to(b.astype(np.float32), (x.shape[0], w.shape[0])).copy()
    for k in range(w.shape[1]):
        acc = acc + (w[None, :, k] * x[:, k:k + 1]).astype(np.float32)
    return acc


def _stretch(images):
    im = images.reshape(len(images), -1).astype(np.int64)
    hi = im.max(axis=1, keepdims=True)
    r = hi - im.min(axis=1, keepdims=True)
    return (hi - im).reshape(images.shape), r.reshape(-1, *([1] * (images.ndim - 1)))


def normalize(images):
    """The network input: float32 (N, H, W) in [0, 1], x = float32(d) / float32(r)."""
    d, r = _stretch(images)
    x = d.astype(np.float32) / np.maximum(r, 1).astype(np.float32)
    return x.astype(np.float32)


def float_forward(model, images):
    """Float model in numpy (float64 inside): logits (N, 36)."""
    x = normalize(images).astype(np.float64)[:, None]
    for i in range(NUM_CONV):
        kind, cin, cout, k, s, pad = ARCH[i]
        cols, oh, ow = im2col(x, k, s)
        y = np.einsum("ok,nkp->nop", model.weights[i].reshape(cout, -1).astype(np.float64), cols)
        y = np.maximum(y + model.biases[i].astype(np.float64)[None, :, None], 0.0)
        x = y.reshape(-1, cout, oh, ow)
    x = x.reshape(x.shape[0], -1)
    return x @ model.weights[-1].astype(np.float64).T + model.biases[-1].astype(np.float64)


def input_codes(images, bits, qmax=None):
    """Layer 1's F->Q step: round(x (2^p - 1)) (or round(x qmax)) of the stretched input, exactly,
    half up."""
    d, r = _stretch(images)
    if qmax is None:
        qmax = (1 << bits) - 1
    r = np.maximum(r, 1)
    return ((2 * d * qmax + r) // (2 * r)).astype(np.uint8)


def int_forward(variant, images, return_sums=False, batch=512):
    """The integer pipeline: logits (N, 36) float32 (bit-exact), optionally layer 6's int32 sums."""
    outs, sums = [], []
    for b0 in range(0, len(images), batch):
        q = input_codes(images[b0:b0 + batch], variant.bits, qmax=variant.act_levels - 1).astype(np.int64)[:, None]
        for i, L in enumerate(variant.layers):
            kind, cin, cout, k, s, pad = ARCH[i]
            cols, oh, ow = im2col(q, k, s)
            wc = L.codes.reshape(cout, -1).astype(np.float64) - L.w_zero_point
            # Float64 products of small integers are exact (|sum| < 2^53).
            acc = np.einsum("ok,nkp->nop", wc, (cols - L.in_zero_point).astype(np.float64))
            acc = acc.astype(np.int64) + L.bias.astype(np.int64)[None, :, None]
            acc = np.maximum(acc, 0)
            if np.abs(acc).max(initial=0) >= 2 ** 31:
                raise OverflowError("int32 overflow in layer %d" % (i + 1))
            if i + 1 < NUM_CONV:
                q = requantize(acc, L.requant_scale, variant.bits, qmax=variant.act_levels - 1).astype(np.int64)
                q = q.reshape(-1, cout, oh, ow)
            else:
                acc = acc.reshape(acc.shape[0], -1)
                sums.append(acc.astype(np.int32))
                x = acc.astype(np.float32) * np.float32(L.out_scale)
        outs.append(fc_float32(x, variant.fc_w, variant.fc_b))
    logits = np.concatenate(outs)
    return (logits, np.concatenate(sums)) if return_sums else logits


def accuracy(logits, labels):
    return float((np.argmax(logits, axis=1) == labels).mean() * 100.0)
