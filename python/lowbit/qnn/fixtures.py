"""The fixture file of the C++ tests (models/mrz-v1-fixtures.bin): images, labels, PyTorch's float
logits and every variant's logits and layer-6 int32 sums (docs/qnn.md, "Tests")."""
import struct

import numpy as np

from lowbit.qnn.arch import CLASSES, INPUT_H, INPUT_W
from lowbit.qnn.weights import f32_bytes

FIXTURE_MAGIC = b"QNNFIXT1"
FIXTURE_VERSION = 1


def fixtures_bytes(images, labels, torch_logits, variants_out):
    """variants_out: list of (bits, logits (N, C) float32, sums (N, S) int32)."""
    n = len(images)
    d = bytearray(FIXTURE_MAGIC)
    d += struct.pack("<6I", FIXTURE_VERSION, n, INPUT_H, INPUT_W, len(CLASSES), len(variants_out))
    d += struct.pack("<%dI" % len(variants_out), *[b for b, _, _ in variants_out])
    d += struct.pack("<I", variants_out[0][2].shape[1])
    for i in range(n):
        d += images[i].astype(np.uint8).tobytes() + struct.pack("<I", int(labels[i]))
        d += f32_bytes(torch_logits[i])
        for _, lg, sm in variants_out:
            d += f32_bytes(lg[i]) + np.asarray(sm[i], "<i4").tobytes()
    return bytes(d)
