"""QNN-FXP: the integer model (lowbit.qnn.fxp_int) against a plain loop rewrite and against the
fake-quantized float network evaluated exactly, the scheme mapping, and the export round trip."""
import json
import os
from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lowbit.fxp import cost  # noqa: E402 (after the skip: needs torch)
from lowbit.fxp.quantizer import code_limit, quantize_tensor  # noqa: E402
from lowbit.qnn import arch, fxp_export, fxp_int, fxp_net, fxp_schemes, fxp_search, weights  # noqa: E402
from lowbit.qnn import table as qnn_table  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODELS = os.path.join(ROOT, "models")
REPORT = os.path.join(MODELS, "mrz-v1-fxp.json")
NETWORK = os.path.join(MODELS, "mrz-v1-fxp.qnnf")
FIXTURES = os.path.join(MODELS, "mrz-v1-fxp-fixtures.bin")


def _committed():
    with open(REPORT) as handle:
        result = json.load(handle)
    return weights.load(os.path.join(MODELS, "mrz-v1.qnnw")), fxp_search.config_of(result), result


def _fixtures():
    with open(FIXTURES, "rb") as handle:
        return fxp_export.read_fixtures(handle.read())


def _round(value):
    """round half to even of an exact Fraction (Python's round does exactly that)."""
    return round(value)


def loop_input(image, fmt):
    """Input codes: round(d 2^F / r) clipped, as exact Fractions."""
    bw, f = fmt
    hi, lo = int(image.max()), int(image.min())
    if hi == lo:
        return [[[0] * arch.INPUT_W for _ in range(arch.INPUT_H)]]
    return [[[min(_round(Fraction(hi - int(image[i, j])) * Fraction(2) ** f / (hi - lo)), code_limit(bw))
              for j in range(arch.INPUT_W)] for i in range(arch.INPUT_H)]]


def loop_output(layer, o, acc):
    """One output code from its sum: the exact value of sum and bias, ReLU, rounded and clipped."""
    value = (Fraction(acc) / Fraction(2) ** (layer.w_format[1] + layer.in_format[1])
             + Fraction(int(layer.b_codes[o])) / Fraction(2) ** layer.b_format[1])
    if layer.relu:
        value = max(value, Fraction(0))
    limit = code_limit(layer.out_format[0])
    return max(-limit, min(limit, _round(value * Fraction(2) ** layer.out_format[1])))


def loop_conv(layer, stride, x):
    """(output codes [c][i][j], sums in (c, i, j) order) of one convolution."""
    w = layer.w_codes
    cout, cin, k, _ = w.shape
    oh, ow = (len(x[0]) - k) // stride + 1, (len(x[0][0]) - k) // stride + 1
    y, sums = [], []
    for o in range(cout):
        plane = []
        for i in range(oh):
            row = []
            for j in range(ow):
                acc = sum(int(w[o, c, dy, dx]) * x[c][i * stride + dy][j * stride + dx]
                          for c in range(cin) for dy in range(k) for dx in range(k))
                sums.append(acc)
                row.append(loop_output(layer, o, acc))
            plane.append(row)
        y.append(plane)
    return y, sums


def loop_forward(layers, input_format, image):
    """(logit codes, layer-6 sums) of one image, written out with Python integers and Fractions."""
    x = loop_input(image, input_format)
    for layer, shape in zip(layers[:-1], arch.ARCH):
        x, sums = loop_conv(layer, shape[4], x)
    flat = [v for plane in x for row in plane for v in row]
    fc = layers[-1]
    logits = [loop_output(fc, o, sum(int(fc.w_codes[o, i]) * flat[i] for i in range(len(flat))))
              for o in range(len(fc.w_codes))]
    return logits, sums


def test_integer_model_equals_the_loop_rewrite():
    model, config, _ = _committed()
    layers = fxp_int.make_layers(model, config)
    images, _, _, _, _ = _fixtures()
    pick = images[[0, len(images) - 1]]
    logits, sums6, _ = fxp_int.forward(layers, config["activations"][fxp_net.INPUT], pick)
    for n in range(len(pick)):
        want_logits, want_sums = loop_forward(layers, config["activations"][fxp_net.INPUT], pick[n])
        assert logits[n].tolist() == want_logits
        assert sums6[n].tolist() == want_sums


def test_integer_model_equals_the_fake_quantized_float64_network():
    model, config, _ = _committed()
    images, labels, _, _, logit_codes = _fixtures()
    evaluator = fxp_net.MrzEvaluator(fxp_net.from_model(model, torch.float64),
                                     fxp_net.input_tensor(images, np.float64), labels)
    evaluator.apply(config)
    with torch.no_grad():
        logits = evaluator.model(evaluator.images).numpy()
    f_logits = config["activations"]["fc"][1]
    assert np.array_equal(logits * 2.0 ** f_logits, logit_codes.astype(np.float64))
    # and the float32 input the search used quantizes to the same codes (F <= 14)
    x32 = torch.from_numpy(fxp_net.input_tensor(images))
    for fmt in [(4, 3), (8, 7), (12, 11), (13, 14), (6, -1)]:
        codes = (quantize_tensor(x32, *fmt) * 2.0 ** fmt[1]).numpy().astype(np.int64)
        assert np.array_equal(codes, fxp_int.input_codes(images, fmt)), fmt


def test_rounding_helpers_are_exact():
    rng = np.random.default_rng(3)
    num = rng.integers(-10 ** 6, 10 ** 6, 4000)
    den = rng.integers(1, 64, 4000)
    num[:50] = den[:50] * rng.integers(-9, 9, 50) + den[:50] // 2 * (den[:50] % 2 == 0)  # exact ties
    got = fxp_int.round_half_even_div(num.astype(np.int64), den.astype(np.int64))
    assert got.tolist() == [round(Fraction(int(a), int(b))) for a, b in zip(num, den)]
    t = np.array([-6, -5, -3, -2, 2, 3, 5, 6, 7], np.int64)
    assert fxp_int.rescale(t, 1).tolist() == [-3, -2, -2, -1, 1, 2, 2, 3, 4]
    assert fxp_int.rescale(t, -2).tolist() == (t * 4).tolist()


@pytest.mark.parametrize("weight_bw, act_bw, scheme", [
    (4, 5, "uint4"), (1, 5, "uint4"), (4, 6, "uint4_6"), (4, 7, "uint8"), (5, 4, "uint4_6"), (5, 5, "uint4_6"),
    (5, 6, "uint8"), (8, 2, "uint4_6"), (8, 3, "uint8"), (8, 9, "uint8"), (7, 4, "uint8"), (3, 6, "uint4_6")])
def test_scheme_mapping(weight_bw, act_bw, scheme):
    gemm = fxp_schemes.scheme_for(weight_bw, act_bw)
    assert gemm["scheme"] == scheme
    # the GEMM codes c + z_w of every signed code fit the scheme, and z_w is the centre
    limit = code_limit(weight_bw)
    assert gemm["w_zero_point"] - limit >= 0 and gemm["w_zero_point"] + limit == gemm["w_levels"] - 1
    top = {"uint4": 15, "uint8": 255, "uint4_6": gemm["w_levels"] - 1}[scheme]
    assert gemm["w_levels"] - 1 <= top
    if scheme == "uint4_6":
        assert ((gemm["x_levels"] - 1) // 2) * ((gemm["w_levels"] - 1) // 2) <= 127
        assert gemm["x_levels"] % 2 == 1 and gemm["x_levels"] - 1 >= code_limit(act_bw)


@pytest.mark.parametrize("weight_bw, act_bw", [(9, 4), (8, 10), (12, 12)])
def test_no_scheme_holds_wide_formats(weight_bw, act_bw):
    with pytest.raises(ValueError, match="no exact scheme"):
        fxp_schemes.scheme_for(weight_bw, act_bw)


def test_export_round_trip_and_committed_files():
    model, config, result = _committed()
    layers = fxp_int.make_layers(model, config)
    input_format = config["activations"][fxp_net.INPUT]
    data = fxp_export.to_bytes(layers, input_format)
    with open(NETWORK, "rb") as handle:
        assert handle.read() == data
    back, back_input = fxp_export.from_bytes(data)
    assert back_input == tuple(input_format)
    for a, b in zip(layers, back):
        assert np.array_equal(a.w_codes, b.w_codes) and np.array_equal(a.b_codes, b.b_codes)
        assert (a.w_format, a.b_format, a.in_format, a.out_format, a.gemm) == (b.w_format, b.b_format, b.in_format,
                                                                                 b.out_format, b.gemm)
    images, labels, sums6, sums_fc, logit_codes = _fixtures()
    logits, s6, sfc = fxp_int.forward(back, back_input, images)
    assert np.array_equal(logits, logit_codes) and np.array_equal(s6, sums6) and np.array_equal(sfc, sums_fc)
    damaged = bytearray(data)
    damaged[100] ^= 1
    with pytest.raises(ValueError, match="corrupt"):
        fxp_export.from_bytes(bytes(damaged), "x.qnnf")
    with pytest.raises(ValueError, match="trailing|wrong size"):
        fxp_export.from_bytes(data + b"\0", "x.qnnf")
    # the report's schemes and cost figures are what its configuration gives
    assert [row.get("scheme") for row in result["layers"][1:]] == [layer.gemm["scheme"] for layer in layers]
    bitwidths = [[config[kind][s.name][0] for s in fxp_search.layer_sizes()] for kind in ("weights", "biases", "activations")]
    assert cost.savings(fxp_search.layer_sizes(), *bitwidths)["mult_saving_pct"] == result["cost"]["mult_saving_pct"]


def test_layer_sizes_match_the_network():
    sizes = fxp_search.layer_sizes()
    assert sum(s.multiplications for s in sizes) == 798_464  # docs/qnn.md's table
    assert [s.activations for s in sizes] == [8 * 28 * 28, 8 * 26 * 26, 8 * 12 * 12, 16 * 10 * 10, 16 * 4 * 4,
                                              24 * 2 * 2, 36]


def test_qnn_table_row(tmp_path):
    doc = {"context": {"qbench": {"qnn": {"accuracy_pct": {"float": {"synthetic": 100.0, "hard": 98.7}}}}},
           "benchmarks": [{"name": "qnn/float/total", "run_name": "qnn/float/total", "run_type": "iteration",
                           "real_time": 30.0, "time_unit": "us"}]}
    path = tmp_path / "qnn.json"
    path.write_text(json.dumps(doc))
    text = qnn_table.render(path, qnn_table.REFERENCE, fxp=REPORT)
    row = [line for line in text.splitlines() if line.startswith("| QNN-FXP |")][0]
    cells = [c.strip() for c in row.strip("|").split("|")]
    _, _, result = _committed()
    assert cells[1] == f"{result['accuracy_pct']['synthetic']['fxp']:.2f}" and cells[2] == "-"
    assert cells[5] == cells[7] == "not measured yet"
    assert "Python integer model" in text and "| conv1 |" in text
    assert "QNN-FXP" not in qnn_table.render(path, qnn_table.REFERENCE)
