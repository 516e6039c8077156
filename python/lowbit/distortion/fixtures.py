"""Fixtures for the C++ QNN engine's LeNet-5 (issue 14 item 6): blurred test digits with the float
logits of PyTorch and, per quantized variant, the integer reference's logits and the int32 sums of
the last quantized layer (dense 120 -> 84, after bias and ReLU), which the engine must reproduce
bit for bit.

File `.lenetfx` (little-endian): char[8] MAGIC, u32 version (1), count, height (32), width (32),
num_classes (10), num_variants, u32 bits[num_variants], u32 num_sums (84); then per image:
u8 pixels[32 * 32] (already blurred), u32 label, f32 sigma, f32 torch_logits[10], and per variant
f32 logits[10], i32 sums[84].
"""
import struct

import numpy as np

from . import blur, lenet, quant

MAGIC = b"LENETFX1"
VERSION = 1
PER_SIGMA = 4  # test digits per grid sigma


def fixture_bytes(model_path, test):
    """Fixtures of one saved model: the first PER_SIGMA test digits at every grid sigma."""
    net, ranges = lenet.load(model_path)
    images, labels, sigmas = blur.on_grid(test.images[:PER_SIGMA], test.labels[:PER_SIGMA])
    torch_logits = lenet.logits_of(net, images)
    variants = []
    for bits in quant.BITS:
        model = quant.IntegerLeNet(net, ranges[bits], bits)
        variants.append((bits, model.forward(images), model.last_sums(images).astype(np.int32)))
    out = bytearray(MAGIC)
    out += struct.pack("<6I", VERSION, len(images), 32, 32, 10, len(variants))
    out += struct.pack(f"<{len(variants)}I", *[bits for bits, _, _ in variants])
    out += struct.pack("<I", variants[0][2].shape[1])
    for i in range(len(images)):
        out += images[i].tobytes() + struct.pack("<If", int(labels[i]), float(sigmas[i]))
        out += torch_logits[i].astype("<f4").tobytes()
        for _, logits, sums in variants:
            out += logits[i].astype("<f4").tobytes() + sums[i].astype("<i4").tobytes()
    return bytes(out)


def read_fixtures(blob, path="<bytes>"):
    """{"images", "labels", "sigmas", "torch_logits", "variants": {bits: (logits, sums)}}."""
    if blob[:8] != MAGIC:
        raise ValueError(f"{path}: not a .lenetfx fixtures file")
    version, count, height, width, classes, nv = struct.unpack_from("<6I", blob, 8)
    if version != VERSION:
        raise ValueError(f"{path}: fixtures version {version}, this reader supports {VERSION}")
    bits = struct.unpack_from(f"<{nv}I", blob, 32)
    (nsums,) = struct.unpack_from("<I", blob, 32 + 4 * nv)
    record = np.dtype([("pixels", "u1", height * width), ("label", "<u4"), ("sigma", "<f4"),
                       ("torch", "<f4", classes)]
                      + [(f"v{b}", [("logits", "<f4", classes), ("sums", "<i4", nsums)]) for b in bits])
    rows = np.frombuffer(blob, record, count, 36 + 4 * nv)
    if 36 + 4 * nv + count * record.itemsize != len(blob):
        raise ValueError(f"{path}: truncated or overlong fixtures file")
    return {"images": rows["pixels"].reshape(count, height, width), "labels": rows["label"].astype(np.int64),
            "sigmas": rows["sigma"], "torch_logits": rows["torch"],
            "variants": {b: (rows[f"v{b}"]["logits"], rows[f"v{b}"]["sums"]) for b in bits}}
