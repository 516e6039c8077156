"""The integer reference of LeNet-5 (QNN-8 / QNN-4) and the .lenet weights file."""
import numpy as np
import pytest
import torch

from lowbit.distortion import lenet, quant


def test_lround_is_half_away_from_zero():
    assert list(quant.lround([0.5, 1.5, -0.5, -2.5, 2.4999, 0.49999999999999994])) == [1, 2, -1, -3, 2, 0]


def test_quant_params_follow_lowbit():
    scale, offset, zp = quant.choose_quant_params(-0.3, 0.9, 4)
    assert scale == np.float32(np.float32(1.2) / np.float32(15)) and offset == np.float32(-0.3)
    assert zp == 4  # lround(0.3 / 0.08) = lround(3.75)
    codes = quant.quantize([-0.3, 0.0, 0.9, 5.0, -5.0], scale, offset, 4)
    assert list(codes) == [0, 4, 15, 15, 0]
    assert quant.choose_quant_params(0.0, 0.0, 8)[0] == 1.0


def test_requantize_rounds_half_up_and_saturates():
    assert list(quant.requantize([0, 1, 3, 1000], 0.5, 15)) == [0, 1, 2, 15]


def seeded_net(seed):
    torch.manual_seed(seed)
    net = lenet.LeNet5()
    for layer in net.layers():
        layer.bias.data.uniform_(-0.05, 0.1)  # positive biases keep units alive
    return net


def slow_reference(model, image):
    """The same integer pipeline written out as loops, for one image."""
    q = (2 * image.astype(np.int64) * model.qmax + 255) // 510
    q = q[None]
    for layer in model.layers[:2]:
        w = layer.codes.astype(np.int64) - layer.w_zero_point
        cout, cin, k, _ = w.shape
        size = q.shape[1] - k + 1
        acc = np.zeros((cout, size, size), np.int64)
        for o in range(cout):
            for y in range(size):
                for x in range(size):
                    acc[o, y, x] = (w[o] * q[:, y:y + k, x:x + k]).sum() + layer.bias[o]
        codes = quant.requantize(np.maximum(acc, 0), layer.multiplier, model.qmax)
        q = codes.reshape(cout, size // 2, 2, size // 2, 2).max(axis=(2, 4))
    x = q.reshape(-1)
    for i, layer in enumerate(model.layers[2:]):
        w = layer.codes.astype(np.int64) - layer.w_zero_point
        acc = np.maximum(w @ x + layer.bias, 0)
        x = quant.requantize(acc, layer.multiplier, model.qmax) if i == 0 else acc
    x = x.astype(np.float32) * model.layers[3].out_scale
    out = model.fc_b.copy()
    for k in range(len(x)):
        out = (out + (model.fc_w[:, k] * x[k]).astype(np.float32)).astype(np.float32)
    return out


@pytest.mark.parametrize("bits", [8, 4])
def test_vectorised_integer_forward_equals_the_loops_bit_for_bit(bits):
    net = seeded_net(1)
    rng = np.random.Generator(np.random.PCG64(5))
    images = rng.integers(0, 256, (3, 32, 32)).astype(np.uint8)
    model = quant.IntegerLeNet(net, quant.calibrate(net, images, bits), bits)
    fast = model.forward(images)
    for i in range(3):
        assert np.array_equal(fast[i], slow_reference(model, images[i]))


def test_weight_bounds_clip_outliers_of_a_4_bit_tensor():
    rng = np.random.Generator(np.random.PCG64(7))
    w = rng.normal(0, 0.05, 2000).astype(np.float32)
    w[0], w[1] = 1.0, -0.8
    lo, hi = quant.weight_bounds(w, 4)
    assert -0.8 < lo < 0 < hi < 1.0
    assert quant.weight_bounds(np.array([-1.0, 1.0], np.float32), 8) == (-1.0, 1.0)


def test_q8_is_close_to_float_and_q4_further():
    net = seeded_net(2)
    rng = np.random.Generator(np.random.PCG64(6))
    images = rng.integers(0, 256, (40, 32, 32)).astype(np.uint8)
    ref = lenet.logits_of(net, images)
    err = {bits: np.abs(quant.IntegerLeNet(net, quant.calibrate(net, images, bits), bits).forward(images)
                        - ref).mean() for bits in (8, 4)}
    assert err[8] < 0.05 * np.abs(ref).mean() + 1e-3
    assert err[8] < err[4]


def test_weights_file_round_trip_and_errors(tmp_path):
    net = seeded_net(3)
    ranges = {bits: {"act_hi": [1.0, 2.0, 3.0, 4.0], "w_lo": [-0.5, -0.25, -0.125, -1.0],
                     "w_hi": [0.5, 0.75, 1.5, 2.0]} for bits in (8, 4)}
    path = tmp_path / "m.lenet"
    lenet.save(net, ranges, str(path))
    back, back_ranges = lenet.load(str(path))
    assert back_ranges == ranges
    for a, b in zip(net.parameters(), back.parameters()):
        assert torch.equal(a, b)
    blob = bytearray(path.read_bytes())
    blob[100] ^= 1
    with pytest.raises(ValueError, match="CRC-32"):
        lenet.from_bytes(bytes(blob), "m.lenet")
    with pytest.raises(ValueError, match="truncated"):
        lenet.from_bytes(path.read_bytes()[:-4], "m.lenet")
    with pytest.raises(ValueError, match="bad magic"):
        lenet.from_bytes(b"x" * 40, "m.lenet")
