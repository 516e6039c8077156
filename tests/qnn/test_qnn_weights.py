"""The .qnnw weights file and the integer model (scripts/qnn_intmodel.py)."""
import os
import struct

import numpy as np
import pytest

import qnn_intmodel as im

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WEIGHTS = os.path.join(ROOT, "models", "mrz-v1.qnnw")
FIXTURES = os.path.join(ROOT, "models", "mrz-v1-fixtures.bin")


def _data():
    with open(WEIGHTS, "rb") as f:
        return f.read()


def test_round_trip_committed_file():
    data = _data()
    model = im.from_bytes(data, WEIGHTS)
    assert im.to_bytes(model) == data
    assert [v.bits for v in model.variants] == [8, 4]


def test_round_trip_random_model():
    rng = np.random.Generator(np.random.PCG64(3))
    ws, bs = [], []
    for kind, cin, cout, k, s, pad in im.ARCH:
        shape = (cout, cin, k, k) if kind == 0 else (cout, cin)
        ws.append(rng.normal(0, 0.3, shape).astype(np.float32))
        bs.append(rng.normal(0, 0.1, cout).astype(np.float32))
    hi = [1.0, 2.0, 3.0, 2.5, 4.0, 3.0]
    variants = [im.make_variant(b, ws[:6], bs[:6], hi, ws[6], bs[6]) for b in (8, 4)]
    m = im.Model(ws, bs, variants)
    m2 = im.from_bytes(im.to_bytes(m))
    for a, b in zip(m.weights + m.biases, m2.weights + m2.biases):
        assert np.array_equal(a, b)
    for v, v2 in zip(m.variants, m2.variants):
        for q, q2 in zip(v.layers, v2.layers):
            assert np.array_equal(q.codes, q2.codes) and np.array_equal(q.bias, q2.bias)
            assert (q.requant_scale, q.w_zero_point) == (q2.requant_scale, q2.w_zero_point)
            assert q.codes.max() < (1 << v.bits)
    assert im.to_bytes(m2) == im.to_bytes(m)


def test_damaged_files_name_the_file():
    data = bytearray(_data())
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 1
    with pytest.raises(ValueError, match="x.qnnw: corrupt"):
        im.from_bytes(bytes(bad), "x.qnnw")
    with pytest.raises(ValueError, match="x.qnnw: truncated"):
        im.from_bytes(bytes(data[:-10]), "x.qnnw")
    bad = bytearray(data)
    bad[0:1] = b"X"
    with pytest.raises(ValueError, match="x.qnnw: not a .qnnw"):
        im.from_bytes(bytes(bad), "x.qnnw")
    bad = bytearray(data)
    bad[8:12] = struct.pack("<I", 2)
    with pytest.raises(ValueError, match="x.qnnw: weights file version 2"):
        im.from_bytes(bytes(bad), "x.qnnw")


def test_quantization_rules():
    s, off, z = im.choose_quant_params(-1.0, 3.0, 4)
    assert s == np.float32(4.0 / 15) and off == np.float32(-1.0) and z == 4
    # half away from zero, clamped
    q = im.quantize(np.array([-5, -1.0, 0.0, 3.0, 9.0], np.float32), s, off, 4)
    assert q.tolist() == [0, 0, 4, 15, 15]
    assert im._lround([0.5, 1.5, 2.5, -0.5]).tolist() == [1, 2, 3, -1]
    # requantization: round half up in float32, saturated
    assert im.requantize([0, 1, 2, 3, 100, 10 ** 6], 0.5, 4).tolist() == [0, 1, 1, 2, 15, 15]


def test_integer_model_reproduces_fixtures():
    model = im.load(WEIGHTS)
    with open(FIXTURES, "rb") as f:
        d = f.read()
    assert d[:8] == im.FIXTURE_MAGIC
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
