"""The .qnnw weights file (docs/qnn.md, "Weights file"): to_bytes / save write a Model, from_bytes /
load read one back and reject damaged files with the path in the message."""
import struct
import zlib

import numpy as np

from lowbit.qnn.arch import ARCH, CLASSES, INPUT_H, INPUT_W, NUM_CONV
from lowbit.qnn.quantization import why_invalid
from lowbit.qnn.variant import LEVEL_VARIANT, Model, QuantLayer, Variant

MAGIC = b"QNNW\r\n\x1a\n"
# per quantized layer: act_lo, act_hi, in_scale, in_zero_point, w_scale, w_offset, w_zero_point,
# out_scale, requant_scale
LAYER_RECORD = "<3fi2fi2f"
# Version 1: variants with bits 8 or 4 only. Version 2 adds level variants (bits = 0, then u32 N_x,
# u32 N_w). A file without level variants is written as version 1, byte for byte as before.
VERSION = 2
VERSIONS = (1, 2)


def f32_bytes(a):
    return np.asarray(a, "<f4").tobytes()


def to_bytes(model):
    p = bytearray()
    p += struct.pack("<4I", INPUT_H, INPUT_W, 1, len(CLASSES))
    p += struct.pack("<I", len(CLASSES)) + CLASSES.encode()
    p += struct.pack("<I", len(ARCH))
    for kind, cin, cout, k, s, pad in ARCH:
        p += struct.pack("<7I", kind, cin, cout, k, k, s, pad)
    for w, b in zip(model.weights, model.biases):
        p += f32_bytes(w) + f32_bytes(b)
    p += struct.pack("<I", len(model.variants))
    for v in model.variants:
        p += struct.pack("<2I", v.bits, NUM_CONV)
        if v.bits == LEVEL_VARIANT:
            p += struct.pack("<2I", v.act_levels, v.weight_levels)
        for q in v.layers:
            p += struct.pack(LAYER_RECORD, q.act_lo, q.act_hi, q.in_scale, q.in_zero_point, q.w_scale,
                             q.w_offset, q.w_zero_point, q.out_scale, q.requant_scale)
            p += f32_bytes(q.weights) + np.asarray(q.codes, np.uint8).tobytes()
            p += np.asarray(q.bias, "<i4").tobytes()
        p += f32_bytes(v.fc_w) + f32_bytes(v.fc_b)
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
