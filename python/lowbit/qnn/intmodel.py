#!/usr/bin/python3
"""The MRZ network of the QNN test in numpy: the .qnnw weights file (write / read), the float forward
pass, and the integer pipeline that the C++ library qnn/ must match bit for bit (docs/qnn.md).
lowbit.qnn.train exports its networks through it; the C++ tests read the fixtures it writes.

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
import struct
import zlib

import numpy as np

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
INPUT_H = INPUT_W = 32
# (kind, in_channels, out_channels, kernel, stride, pad); kind 0 = conv + ReLU, 1 = fully connected
ARCH = [
    (0, 1, 8, 5, 1, 0),
    (0, 8, 8, 3, 1, 0),
    (0, 8, 8, 3, 2, 0),
    (0, 8, 16, 3, 1, 0),
    (0, 16, 16, 3, 2, 0),
    (0, 16, 24, 3, 1, 0),
    (1, 96, 36, 1, 1, 0),
]
NUM_CONV = 6

MAGIC = b"QNNW\r\n\x1a\n"
# per quantized layer: act_lo, act_hi, in_scale, in_zero_point, w_scale, w_offset, w_zero_point,
# out_scale, requant_scale
LAYER_RECORD = "<3fi2fi2f"
# Version 1: variants with bits 8 or 4 only. Version 2 adds level variants (bits = 0, then u32 N_x,
# u32 N_w). A file without level variants is written as version 1, byte for byte as before.
VERSION = 2
VERSIONS = (1, 2)
LEVEL_VARIANT = 0  # the `bits` field of a level (4.6-bit) variant
FIXTURE_MAGIC = b"QNNFIXT1"
FIXTURE_VERSION = 1


def conv_shapes():
    """[(in_h, in_w, out_h, out_w)] of the conv layers for a 32x32 input."""
    h, w = INPUT_H, INPUT_W
    out = []
    for kind, cin, cout, k, s, pad in ARCH[:NUM_CONV]:
        oh = (h + 2 * pad - k) // s + 1
        ow = (w + 2 * pad - k) // s + 1
        out.append((h, w, oh, ow))
        h, w = oh, ow
    return out


def macs():
    res = []
    for (kind, cin, cout, k, s, pad), (_, _, oh, ow) in zip(ARCH, conv_shapes() + [(0, 0, 1, 1)]):
        res.append(cout * cin * k * k * oh * ow)
    return res


# ---------------------------------------------------------------- lowbit's quantization, replicated

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


# ---------------------------------------------------------------- model containers

class QuantLayer:
    """One quantized conv layer of a variant (see the module docstring)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Variant:
    """bits 8 or 4: the paper's p-bit variants; bits 0 (LEVEL_VARIANT): the 4.6-bit variant with
    act_levels = N_x and weight_levels = N_w."""

    def __init__(self, bits, layers, fc_w, fc_b, act_levels=None, weight_levels=None):
        self.bits = bits
        if bits == LEVEL_VARIANT:
            why = why_invalid(act_levels, weight_levels)
            if why:
                raise ValueError(why)
            self.act_levels, self.weight_levels = int(act_levels), int(weight_levels)
        else:
            self.act_levels = self.weight_levels = 1 << bits
        self.layers = layers  # NUM_CONV QuantLayer
        self.fc_w = np.asarray(fc_w, np.float32)
        self.fc_b = np.asarray(fc_b, np.float32)

    @property
    def is_levels(self):
        return self.bits == LEVEL_VARIANT

    @property
    def name(self):
        """"q8", "q4" or "q4_6" (qnn::variant_name)."""
        return "q4_6" if self.is_levels else f"q{self.bits}"


class Model:
    def __init__(self, weights, biases, variants):
        self.weights = [np.asarray(w, np.float32) for w in weights]  # OIHW / (out, in)
        self.biases = [np.asarray(b, np.float32) for b in biases]
        self.variants = variants  # list of Variant


def make_variant(bits, conv_weights, conv_biases, act_hi, fc_w, fc_b, levels=None):
    """Quantizes float conv weights (lists of NUM_CONV arrays) with calibrated input ranges act_hi
    (act_hi[0] is the image range, 1.0). bits = 8 or 4; or bits = LEVEL_VARIANT with
    levels = (N_x, N_w): activations choose_level_params(0, hi, N_x), weights
    choose_symmetric_params(max |w|, N_w)."""
    layers = []
    if bits == LEVEL_VARIANT:
        nx, nw = levels
        why = why_invalid(nx, nw)
        if why:
            raise ValueError(why)
        in_params = [choose_level_params(0.0, hi, nx) for hi in act_hi]
    else:
        in_params = [choose_quant_params(0.0, hi, bits) for hi in act_hi]
    for i in range(NUM_CONV):
        w = np.asarray(conv_weights[i], np.float32)
        b = np.asarray(conv_biases[i], np.float32)
        s_x, off_x, z_x = in_params[i]
        assert off_x == 0 and z_x == 0
        if bits == LEVEL_VARIANT:
            s_w, off_w, z_w = choose_symmetric_params(np.abs(w).max(), nw)
            codes = quantize(w, s_w, off_w, 0, levels=nw)
        else:
            s_w, off_w, z_w = choose_quant_params(w.min(), w.max(), bits)
            codes = quantize(w, s_w, off_w, bits)
        s_star = np.float32(np.float64(s_x) * np.float64(s_w))
        bias_q = lround(b.astype(np.float64) / (np.float64(s_x) * np.float64(s_w)))
        if np.abs(bias_q).max(initial=0) >= 2 ** 30:
            raise ValueError("bias out of range")
        if i + 1 < NUM_CONV:
            m = np.float32(np.float64(s_x) * np.float64(s_w) / np.float64(in_params[i + 1][0]))
        else:
            m = np.float32(0.0)
        layers.append(QuantLayer(act_lo=np.float32(0.0), act_hi=np.float32(act_hi[i]), in_scale=s_x,
                                 in_zero_point=z_x, w_scale=s_w, w_offset=off_w, w_zero_point=z_w,
                                 out_scale=s_star, requant_scale=m, weights=w,
                                 codes=codes, bias=bias_q.astype(np.int32)))
    if bits == LEVEL_VARIANT:
        return Variant(bits, layers, fc_w, fc_b, act_levels=nx, weight_levels=nw)
    return Variant(bits, layers, fc_w, fc_b)


# ---------------------------------------------------------------- .qnnw file

def _f32(a):
    return np.asarray(a, "<f4").tobytes()


def to_bytes(model):
    p = bytearray()
    p += struct.pack("<4I", INPUT_H, INPUT_W, 1, len(CLASSES))
    p += struct.pack("<I", len(CLASSES)) + CLASSES.encode()
    p += struct.pack("<I", len(ARCH))
    for kind, cin, cout, k, s, pad in ARCH:
        p += struct.pack("<7I", kind, cin, cout, k, k, s, pad)
    for w, b in zip(model.weights, model.biases):
        p += _f32(w) + _f32(b)
    p += struct.pack("<I", len(model.variants))
    for v in model.variants:
        p += struct.pack("<2I", v.bits, NUM_CONV)
        if v.bits == LEVEL_VARIANT:
            p += struct.pack("<2I", v.act_levels, v.weight_levels)
        for q in v.layers:
            p += struct.pack(LAYER_RECORD, q.act_lo, q.act_hi, q.in_scale, q.in_zero_point, q.w_scale,
                             q.w_offset, q.w_zero_point, q.out_scale, q.requant_scale)
            p += _f32(q.weights) + np.asarray(q.codes, np.uint8).tobytes()
            p += np.asarray(q.bias, "<i4").tobytes()
        p += _f32(v.fc_w) + _f32(v.fc_b)
    version = 2 if any(v.bits == LEVEL_VARIANT for v in model.variants) else 1
    head = MAGIC + struct.pack("<4I", version, 0, len(p), zlib.crc32(bytes(p)) & 0xFFFFFFFF)
    return head + bytes(p)


def save(model, path):
    with open(path, "wb") as f:
        f.write(to_bytes(model))


class _Reader:
    def __init__(self, data, path):
        self.d, self.o, self.path = data, 0, path

    def take(self, n):
        if self.o + n > len(self.d):
            raise ValueError(f"{self.path}: truncated weights file")
        r = self.d[self.o:self.o + n]
        self.o += n
        return r

    def u(self, fmt):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def arr(self, dtype, n):
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * n), dtype).copy()


def _payload(data, path):
    """The checked payload after the 24-byte header, and the file's version."""
    if len(data) < 24:
        raise ValueError(f"{path}: truncated weights file (no header)")
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a .qnnw weights file (bad magic)")
    version, flags, size, crc = struct.unpack_from("<4I", data, 8)
    if version not in VERSIONS:
        raise ValueError(f"{path}: weights file version {version}, this reader supports versions "
                         f"{', '.join(map(str, VERSIONS))}")
    if len(data) < 24 + size:
        raise ValueError(f"{path}: truncated weights file")
    payload = data[24:24 + size]
    if zlib.crc32(payload) & 0xFFFFFFFF != crc:
        raise ValueError(f"{path}: corrupt weights file (CRC-32 mismatch)")
    return payload, version


def _read_architecture(r, path):
    """The input, class and layer records; they must be this module's ARCH."""
    h, w, c, ncls = r.u("4I")
    (n,) = r.u("I")
    classes = r.take(n).decode()
    (nl,) = r.u("I")
    arch = []
    for _ in range(nl):
        kind, cin, cout, kh, kw, s, pad = r.u("7I")
        if kh != kw:
            raise ValueError(f"{path}: unexpected architecture")
        arch.append((kind, cin, cout, kh, s, pad))
    if (h, w, c, ncls, classes, arch) != (INPUT_H, INPUT_W, 1, len(CLASSES), CLASSES, ARCH):
        raise ValueError(f"{path}: unexpected architecture")
    return arch


def _read_quant_layer(r, path, layer, qmax_w, levels):
    kind, cin, cout, k, s, pad = layer
    f = r.u(LAYER_RECORD[1:])
    q = QuantLayer(act_lo=np.float32(f[0]), act_hi=np.float32(f[1]), in_scale=np.float32(f[2]),
                   in_zero_point=f[3], w_scale=np.float32(f[4]), w_offset=np.float32(f[5]),
                   w_zero_point=f[6], out_scale=np.float32(f[7]), requant_scale=np.float32(f[8]))
    q.weights = r.arr("<f4", cout * cin * k * k).reshape(cout, cin, k, k)
    q.codes = r.arr(np.uint8, cout * cin * k * k).reshape(cout, cin, k, k)
    q.bias = r.arr("<i4", cout)
    if q.codes.max(initial=0) > qmax_w:
        raise ValueError(f"{path}: corrupt weights file (code out of range)")
    if levels[1] is not None and (q.w_zero_point != (levels[1] - 1) // 2 or q.in_zero_point != 0):
        raise ValueError(f"{path}: corrupt weights file (zero point of a level variant)")
    return q


def _read_variant(r, path, arch, version):
    bits, nq = r.u("2I")
    levels = (None, None)
    if bits == LEVEL_VARIANT and version >= 2:
        levels = r.u("2I")
        why = why_invalid(*levels)
        if why:
            raise ValueError(f"{path}: unsupported level variant: {why}")
    elif bits not in (4, 8):
        raise ValueError(f"{path}: unsupported quantized variant (bits {bits})")
    if nq != NUM_CONV:
        raise ValueError(f"{path}: unexpected architecture")
    qmax_w = (1 << bits) - 1 if bits != LEVEL_VARIANT else levels[1] - 1
    layers = [_read_quant_layer(r, path, arch[i], qmax_w, levels) for i in range(nq)]
    kind, cin, cout, k, s, pad = arch[nq]
    fc_w = r.arr("<f4", cout * cin).reshape(cout, cin)
    fc_b = r.arr("<f4", cout)
    return Variant(bits, layers, fc_w, fc_b, *levels)


def from_bytes(data, path="<bytes>"):
    """The Model of a .qnnw file's bytes; ValueError naming `path` when they are not one."""
    payload, version = _payload(data, path)
    r = _Reader(payload, path)
    arch = _read_architecture(r, path)
    weights, biases = [], []
    for kind, cin, cout, k, s, pad in arch:
        weights.append(r.arr("<f4", cout * cin * k * k).reshape((cout, cin, k, k) if kind == 0 else (cout, cin)))
        biases.append(r.arr("<f4", cout))
    (nv,) = r.u("I")
    variants = [_read_variant(r, path, arch, version) for _ in range(nv)]
    if r.o != len(payload):
        raise ValueError(f"{path}: trailing bytes in weights file")
    return Model(weights, biases, variants)


def load(path):
    with open(path, "rb") as f:
        return from_bytes(f.read(), path)


# ---------------------------------------------------------------- forward passes

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


# ---------------------------------------------------------------- fixtures for the C++ tests

def fixtures_bytes(images, labels, torch_logits, variants_out):
    """variants_out: list of (bits, logits (N, C) float32, sums (N, S) int32)."""
    n = len(images)
    d = bytearray(FIXTURE_MAGIC)
    d += struct.pack("<6I", FIXTURE_VERSION, n, INPUT_H, INPUT_W, len(CLASSES), len(variants_out))
    d += struct.pack("<%dI" % len(variants_out), *[b for b, _, _ in variants_out])
    d += struct.pack("<I", variants_out[0][2].shape[1])
    for i in range(n):
        d += images[i].astype(np.uint8).tobytes() + struct.pack("<I", int(labels[i]))
        d += _f32(torch_logits[i])
        for _, lg, sm in variants_out:
            d += _f32(lg[i]) + np.asarray(sm[i], "<i4").tobytes()
    return bytes(d)
