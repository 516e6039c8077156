"""QNN-FXP's files for the C++ engine (docs/qnn.md, "QNN-FXP", gives the byte layouts):
models/mrz-v1-fxp.qnnf, the integer network (a separate file, so that the .qnnw readers stay as they
are), and models/mrz-v1-fxp-fixtures.bin, images with the integer model's layer-6 sums, fc sums and
logit codes for a bit-exact test.
"""
import struct
import zlib

import numpy as np

from lowbit.qnn import arch, fxp_int
from lowbit.qnn.fxp_net import INPUT, LAYER_NAMES
from lowbit.qnn.fxp_schemes import SCHEME_CODES

MAGIC = b"QNNF\r\n\x1a\n"
VERSION = 1
LAYER_FORMATS = "<6i"  # w_bw, w_f, b_bw, b_f, a_bw, a_f
LAYER_GEMM = "<4I2i"  # scheme, w_zero_point, w_levels, x_levels, acc_exponent, out_shift
FIXTURE_MAGIC = b"QNNFXFX1"
FIXTURE_VERSION = 1
FIXTURES_PER_SET = 8


def to_bytes(layers, input_format):
    p = bytearray(struct.pack("<4I", arch.INPUT_H, arch.INPUT_W, len(arch.CLASSES), len(layers)))
    p += struct.pack("<2i", *input_format)
    for layer, shape in zip(layers, arch.ARCH):
        kind, cin, cout, k, s, pad = shape
        p += struct.pack("<6I", kind, cin, cout, k, s, pad)
        p += struct.pack(LAYER_FORMATS, *layer.w_format, *layer.b_format, *layer.out_format)
        g = layer.gemm
        p += struct.pack(LAYER_GEMM, SCHEME_CODES[g["scheme"]], g["w_zero_point"], g["w_levels"],
                         g["x_levels"], layer.acc_exponent, layer.out_shift)
        p += (layer.w_codes.ravel() + g["w_zero_point"]).astype(np.uint8).tobytes()
        p += layer.b_codes.astype("<i4").tobytes()
    return MAGIC + struct.pack("<4I", VERSION, 0, len(p), zlib.crc32(bytes(p)) & 0xFFFFFFFF) + bytes(p)


def from_bytes(data, path="<bytes>"):
    """(layers, input_format) of a .qnnf file; ValueError naming `path` when the bytes are not one
    this model would write (the derived fields are recomputed and compared)."""
    if len(data) < 24 or data[:8] != MAGIC:
        raise ValueError(f"{path}: not a .qnnf file")
    version, _, size, crc = struct.unpack_from("<4I", data, 8)
    payload = data[24:24 + size]
    if version != VERSION or len(data) != 24 + size or zlib.crc32(payload) & 0xFFFFFFFF != crc:
        raise ValueError(f"{path}: unsupported version, wrong size or corrupt (CRC-32)")
    head = struct.unpack_from("<4I2i", payload)
    if head[:4] != (arch.INPUT_H, arch.INPUT_W, len(arch.CLASSES), len(arch.ARCH)):
        raise ValueError(f"{path}: unexpected architecture")
    offset, in_format, layers = struct.calcsize("<4I2i"), head[4:], []
    for name, shape in zip(LAYER_NAMES, arch.ARCH):
        kind, cin, cout, k, s, pad = shape
        if struct.unpack_from("<6I", payload, offset) != shape:
            raise ValueError(f"{path}: unexpected architecture")
        offset += struct.calcsize("<6I")
        formats = struct.unpack_from(LAYER_FORMATS, payload, offset)
        offset += struct.calcsize(LAYER_FORMATS)
        gemm = struct.unpack_from(LAYER_GEMM, payload, offset)
        offset += struct.calcsize(LAYER_GEMM)
        count = cout * cin * k * k
        codes = np.frombuffer(payload, np.uint8, count, offset).astype(np.int64) - gemm[1]
        bias = np.frombuffer(payload, "<i4", cout, offset + count).astype(np.int64)
        offset += count + 4 * cout
        layer = fxp_int.FxpLayer(name, codes.reshape((cout, cin, k, k) if kind == 0 else (cout, cin)),
                                 formats[0:2], bias, formats[2:4], in_format, formats[4:6], relu=kind == 0)
        g = layer.gemm
        if gemm != (SCHEME_CODES[g["scheme"]], g["w_zero_point"], g["w_levels"], g["x_levels"],
                    layer.acc_exponent, layer.out_shift):
            raise ValueError(f"{path}: {name}: stored scheme or shifts differ from the formats'")
        layers.append(layer)
        in_format = formats[4:6]
    if offset != len(payload):
        raise ValueError(f"{path}: trailing bytes")
    return layers, tuple(head[4:])


def fixture_images(layers, input_format, sets):
    """The first FIXTURES_PER_SET images of each test set, and up to as many hard images the integer
    model gets wrong (the interesting ones for a bit-exact check)."""
    h_img, h_lab = sets["hard"]
    logits, _, _ = fxp_int.forward(layers, input_format, h_img[:600])
    wrong = np.nonzero(fxp_int.predict(logits) != h_lab[:600])[0]
    wrong = wrong[wrong >= FIXTURES_PER_SET][:FIXTURES_PER_SET]
    images = [sets["synthetic"][0][:FIXTURES_PER_SET], h_img[:FIXTURES_PER_SET], h_img[wrong]]
    labels = [sets["synthetic"][1][:FIXTURES_PER_SET], h_lab[:FIXTURES_PER_SET], h_lab[wrong]]
    return np.concatenate(images), np.concatenate(labels)


def fixtures_bytes(layers, input_format, images, labels):
    logits, sums6, sums_fc = fxp_int.forward(layers, input_format, images)
    d = bytearray(FIXTURE_MAGIC)
    d += struct.pack("<6I", FIXTURE_VERSION, len(images), arch.INPUT_H, arch.INPUT_W, len(arch.CLASSES),
                     sums6.shape[1])
    for i in range(len(images)):
        d += images[i].astype(np.uint8).tobytes() + struct.pack("<I", int(labels[i]))
        d += np.concatenate([sums6[i], sums_fc[i], logits[i]]).astype("<i4").tobytes()
    return bytes(d)


def read_fixtures(data):
    """(images, labels, layer-6 sums, fc sums, logit codes) of a fixture file's bytes."""
    if data[:8] != FIXTURE_MAGIC:
        raise ValueError("not a QNN-FXP fixture file")
    version, n, h, w, classes, s6 = struct.unpack_from("<6I", data, 8)
    record = np.dtype([("image", np.uint8, h * w), ("label", "<u4"), ("ints", "<i4", s6 + 2 * classes)])
    rows = np.frombuffer(data, record, n, 32)
    ints = rows["ints"].astype(np.int64)
    return (rows["image"].reshape(n, h, w), rows["label"].astype(np.int64), ints[:, :s6],
            ints[:, s6:s6 + classes], ints[:, s6 + classes:])


def export(model, config, sets, out, fixtures, log=print):
    layers = fxp_int.make_layers(model, config)
    input_format = tuple(config["activations"][INPUT])
    with open(out, "wb") as handle:
        handle.write(to_bytes(layers, input_format))
    images, labels = fixture_images(layers, input_format, sets)
    with open(fixtures, "wb") as handle:
        handle.write(fixtures_bytes(layers, input_format, images, labels))
    log(f"wrote {out} and {fixtures} ({len(labels)} images)")
