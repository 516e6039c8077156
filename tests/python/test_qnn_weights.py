"""The .qnnw weights file (lowbit.qnn.weights), the quantization maps (lowbit.qnn.quantization) and the
integer model (lowbit.qnn.intmodel)."""
import hashlib
import os
import struct
import zlib

import numpy as np
import pytest

from lowbit.qnn import arch
from lowbit.qnn import fixtures
from lowbit.qnn import intmodel as im
from lowbit.qnn import quantization as qz
from lowbit.qnn import variant as qv
from lowbit.qnn import weights

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WEIGHTS = os.path.join(ROOT, "models", "mrz-v1.qnnw")
FIXTURES = os.path.join(ROOT, "models", "mrz-v1-fixtures.bin")
# SHA-256 of models/mrz-v1.qnnw as committed before QNN-4.6 (version 1: float, QNN-8, QNN-4). The
# committed file without its 4.6-bit variant must still be exactly these bytes.
PRE_46_SHA256 = "daf488b065b89360e66b5f07673b1f8f2399bf155030d7a47dd3f390f69277de"


def _data():
    with open(WEIGHTS, "rb") as f:
        return f.read()


def test_round_trip_committed_file():
    data = _data()
    model = weights.from_bytes(data, WEIGHTS)
    assert weights.to_bytes(model) == data
    assert [v.bits for v in model.variants] == [8, 4, qv.LEVEL_VARIANT]
    assert [v.name for v in model.variants] == ["q8", "q4", "q4_6"]
    assert struct.unpack_from("<I", data, 8)[0] == 2
    q46 = model.variants[2]
    assert qz.why_invalid(q46.act_levels, q46.weight_levels) == ""
    assert (q46.act_levels, q46.weight_levels) in qz.maximal_level_pairs()


def test_float_q8_q4_bytes_unchanged_by_q46():
    """Dropping QNN-4.6 gives back the version-1 file committed before it, byte for byte."""
    model = weights.from_bytes(_data(), WEIGHTS)
    model.variants = [v for v in model.variants if not v.is_levels]
    old = weights.to_bytes(model)
    assert struct.unpack_from("<I", old, 8)[0] == 1
    assert hashlib.sha256(old).hexdigest() == PRE_46_SHA256


def test_version1_reader_rules():
    model = weights.from_bytes(_data(), WEIGHTS)
    model.variants = model.variants[:2]
    v1 = weights.to_bytes(model)
    assert [v.name for v in weights.from_bytes(v1).variants] == ["q8", "q4"]
    # a level variant (bits 0) is not allowed in a version-1 file
    data = bytearray(_data())
    data[8:12] = struct.pack("<I", 1)
    with pytest.raises(ValueError, match="unsupported quantized variant \\(bits 0\\)"):
        weights.from_bytes(bytes(data), "x.qnnw")


def test_level_variant_quantization_is_lowbits():
    model = weights.load(WEIGHTS)
    v = model.variants[2]
    for i, q in enumerate(v.layers):
        s, off, z = qz.choose_symmetric_params(np.abs(q.weights).max(), v.weight_levels)
        assert (q.w_scale, q.w_offset, q.w_zero_point) == (s, off, z) and z == (v.weight_levels - 1) // 2
        assert np.array_equal(qz.quantize(q.weights, s, off, 0, levels=v.weight_levels), q.codes)
        assert q.codes.max() < v.weight_levels
        s_x, off_x, z_x = qz.choose_level_params(0.0, q.act_hi, v.act_levels)
        assert (q.in_scale, q.in_zero_point) == (s_x, 0)
        assert q.out_scale == np.float32(np.float64(q.in_scale) * np.float64(q.w_scale))


def test_round_trip_random_model():
    rng = np.random.Generator(np.random.PCG64(3))
    ws, bs = [], []
    for kind, cin, cout, k, s, pad in arch.ARCH:
        shape = (cout, cin, k, k) if kind == 0 else (cout, cin)
        ws.append(rng.normal(0, 0.3, shape).astype(np.float32))
        bs.append(rng.normal(0, 0.1, cout).astype(np.float32))
    hi = [1.0, 2.0, 3.0, 2.5, 4.0, 3.0]
    variants = [qv.make_variant(b, ws[:6], bs[:6], hi, ws[6], bs[6]) for b in (8, 4)]
    assert struct.unpack_from("<I", weights.to_bytes(qv.Model(ws, bs, variants)), 8)[0] == 1
    variants.append(qv.make_variant(qv.LEVEL_VARIANT, ws[:6], bs[:6], hi, ws[6], bs[6], levels=(31, 17)))
    m = qv.Model(ws, bs, variants)
    assert struct.unpack_from("<I", weights.to_bytes(m), 8)[0] == 2
    m2 = weights.from_bytes(weights.to_bytes(m))
    assert (m2.variants[2].act_levels, m2.variants[2].weight_levels) == (31, 17)
    for a, b in zip(m.weights + m.biases, m2.weights + m2.biases):
        assert np.array_equal(a, b)
    for v, v2 in zip(m.variants, m2.variants):
        for q, q2 in zip(v.layers, v2.layers):
            assert np.array_equal(q.codes, q2.codes) and np.array_equal(q.bias, q2.bias)
            assert (q.requant_scale, q.w_zero_point) == (q2.requant_scale, q2.w_zero_point)
            assert q.codes.max() < v.weight_levels
    assert weights.to_bytes(m2) == weights.to_bytes(m)
    with pytest.raises(ValueError, match="exceeds 127"):
        qv.make_variant(qv.LEVEL_VARIANT, ws[:6], bs[:6], hi, ws[6], bs[6], levels=(63, 11))


def test_invalid_level_pair_in_file():
    data = bytearray(_data())
    model = weights.from_bytes(bytes(data))
    # the 4.6-bit variant is the last record: find its header (bits 0, 6 layers, N_x, N_w)
    v = model.variants[2]
    head = struct.pack("<4I", 0, 6, v.act_levels, v.weight_levels)
    at = bytes(data).rindex(head)
    for nx, nw in ((255, 5), (64, 9), (23, 25)):
        bad = bytearray(data)
        bad[at + 8:at + 16] = struct.pack("<2I", nx, nw)
        payload = bytes(bad[24:])
        bad[16:24] = struct.pack("<2I", len(payload), zlib.crc32(payload) & 0xFFFFFFFF)
        with pytest.raises(ValueError, match="x.qnnw: unsupported level variant"):
            weights.from_bytes(bytes(bad), "x.qnnw")


def test_damaged_files_name_the_file():
    data = bytearray(_data())
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 1
    with pytest.raises(ValueError, match="x.qnnw: corrupt"):
        weights.from_bytes(bytes(bad), "x.qnnw")
    with pytest.raises(ValueError, match="x.qnnw: truncated"):
        weights.from_bytes(bytes(data[:-10]), "x.qnnw")
    bad = bytearray(data)
    bad[0:1] = b"X"
    with pytest.raises(ValueError, match="x.qnnw: not a .qnnw"):
        weights.from_bytes(bytes(bad), "x.qnnw")
    bad = bytearray(data)
    bad[8:12] = struct.pack("<I", 3)
    with pytest.raises(ValueError, match="x.qnnw: weights file version 3"):
        weights.from_bytes(bytes(bad), "x.qnnw")


def test_quantization_rules():
    s, off, z = qz.choose_quant_params(-1.0, 3.0, 4)
    assert s == np.float32(4.0 / 15) and off == np.float32(-1.0) and z == 4
    # half away from zero, clamped
    q = qz.quantize(np.array([-5, -1.0, 0.0, 3.0, 9.0], np.float32), s, off, 4)
    assert q.tolist() == [0, 0, 4, 15, 15]
    assert qz.lround([0.5, 1.5, 2.5, -0.5]).tolist() == [1, 2, 3, -1]
    # requantization: round half up in float32, saturated
    assert qz.requantize([0, 1, 2, 3, 100, 10 ** 6], 0.5, 4).tolist() == [0, 1, 1, 2, 15, 15]
    assert qz.requantize([0, 3, 100, 10 ** 6], 0.5, 0, qmax=62).tolist() == [0, 2, 50, 62]
    # the 4.6-bit maps: lowbit::choose_level_params / choose_symmetric_params
    s, off, z = qz.choose_level_params(0.0, 3.1, 63)
    assert s == np.float32(np.float32(3.1) / np.float32(62)) and z == 0
    s, off, z = qz.choose_symmetric_params(0.9, 9)
    assert s == np.float32(np.float32(1.8) / np.float32(9)) and z == 4 and off == np.float32(-s * np.float32(4))
    q = qz.quantize(np.array([-1.0, -0.9, -0.12, 0.0, 0.09, 0.11, 0.9, 2.0], np.float32), s, off, 0, levels=9)
    assert q.tolist() == [0, 0, 3, 4, 4, 5, 8, 8]
    assert im.input_codes(np.array([[[0, 255]]], np.uint8), 0, qmax=62).tolist() == [[[62, 0]]]
    # level pairs
    assert qz.maximal_level_pairs() == [(255, 3), (127, 5), (85, 7), (63, 9), (51, 11), (43, 13), (37, 15),
                                        (31, 17), (29, 19), (25, 21), (23, 23)]
    assert qz.why_invalid(63, 9) == "" and "exceeds" in qz.why_invalid(65, 9) and "odd" in qz.why_invalid(64, 9)


def test_integer_model_reproduces_fixtures():
    model = weights.load(WEIGHTS)
    with open(FIXTURES, "rb") as f:
        d = f.read()
    assert d[:8] == fixtures.FIXTURE_MAGIC
    version, n, h, w, c, nv = struct.unpack_from("<6I", d, 8)
    bits = struct.unpack_from("<%dI" % nv, d, 32)
    (ns,) = struct.unpack_from("<I", d, 32 + 4 * nv)
    o = 36 + 4 * nv
    for _ in range(n):
        img = np.frombuffer(d, np.uint8, h * w, o).reshape(1, h, w)
        o += h * w + 4
        torch_logits = np.frombuffer(d, "<f4", c, o)
        o += 4 * c
        fl = im.float_forward(model, img)[0]
        assert np.abs(fl - torch_logits).max() < 1e-4
        for b in bits:
            lg = np.frombuffer(d, "<f4", c, o)
            sums = np.frombuffer(d, "<i4", ns, o + 4 * c)
            o += 4 * c + 4 * ns
            v = [v for v in model.variants if v.bits == b][0]
            lg2, s2 = im.int_forward(v, img, return_sums=True)
            assert lg2[0].tobytes() == lg.tobytes() and s2[0].tobytes() == sums.tobytes()
    assert o == len(d)
