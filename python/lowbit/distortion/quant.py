"""The integer reference of LeNet-5 in QNN-8 and QNN-4 (docs/distortion.md, "Quantized inference"),
with the QNN test's conventions (docs/qnn.md): the paper's per-tensor linear map of the weights
(lowbit::choose_quant_params / lowbit::quantize), activations with zero point 0 over calibrated
ranges [0, hi], int32 sums with int32 biases round(b / s*), ReLU, Q->Q requantization as one float32
multiply-add, and the last dense layer in float32 (Q->F) in a fixed order.

  F->Q   conv1 input: q = round(x (2^p - 1)) of x = pixel / 255, exactly: (2 pixel qmax + 255) // 510.
  weights per tensor: choose_quant_params(w_lo, w_hi) over stored MSE-optimal bounds, then
         lowbit::quantize (weights beyond the bounds saturate).
  layer  acc = sum (q_w - z_w) q_x + bias_q (int32), acc = max(acc, 0).
  Q->Q   conv1, conv2, dense1 -> next: q = int(min(float32(acc) M + 0.5f, qmax)), M = float32(s* / s_next);
         after conv1 and conv2 the 2x2 max pool runs on the codes (requantization is monotone, so
         pooling codes equals quantizing the pooled values).
  Q->F   dense2 -> dense3: x = float32(acc) * s*; logits_j = ((b_j + w_j0 x_0) + w_j1 x_1) + ...
"""
import numpy as np
import torch
from torch.nn import functional as F

from .lenet import ARCH, NUM_QUANTIZED, to_input

BITS = (8, 4)


def lround(x):
    """C's lround: round half away from zero."""
    x = np.asarray(x, np.float64)
    whole = np.trunc(x)
    return (whole + np.where(np.abs(x - whole) >= 0.5, np.sign(x), 0.0)).astype(np.int64)


def choose_quant_params(lo, hi, bits):
    """lowbit::choose_quant_params in float32: (scale, offset, zero_point)."""
    z = min(np.float32(lo), np.float32(0))
    top = max(np.float32(hi), np.float32(0))
    scale = np.float32(np.float32(top - z) / np.float32((1 << bits) - 1)) if top > z else np.float32(1)
    zero_point = int(np.clip(lround(np.float32(-z / scale)), 0, (1 << bits) - 1))
    return scale, z, zero_point


def quantize(values, scale, offset, bits):
    """lowbit::quantize: codes of float32 values, clamped to 0..2^bits - 1, half away from zero."""
    code = (np.asarray(values, np.float32).astype(np.float64) - np.float64(offset)) / np.float64(scale)
    top = (1 << bits) - 1
    return np.where(code > 0, np.minimum(lround(np.minimum(code, top)), top), 0).astype(np.uint8)


def requantize(acc, multiplier, qmax):
    """int(min(float32(acc) * M + 0.5f, qmax)) in IEEE float32 (acc >= 0)."""
    y = np.asarray(acc).astype(np.float32) * np.float32(multiplier)
    return np.minimum(y + np.float32(0.5), np.float32(qmax)).astype(np.int64)


def pooled_activations(net, images):
    """The float inputs of the quantized layers 2..4 (after pooling / ReLU), float64 numpy."""
    net.eval()
    with torch.no_grad():
        x = to_input(images)
        a1 = F.max_pool2d(F.relu(net.conv1(x)), 2)
        a2 = F.max_pool2d(F.relu(net.conv2(a1)), 2).flatten(1)
        a3 = F.relu(net.fc1(a2))
    return [a.numpy().astype(np.float64) for a in (a1, a2, a3)]


def activation_ranges(net, images, bits):
    """act_hi per quantized layer: 1 for the image, then for each layer input the range among
    0.2..1 times its maximum with the least p-bit quantization MSE (as the QNN test's calibration)."""
    steps = (1 << bits) - 1
    his = [1.0]
    for a in pooled_activations(net, images):
        a = a[a > 0]
        top = float(a.max(initial=0)) or 1.0
        errors = []
        for hi in top * np.linspace(0.2, 1.0, 81):
            s = hi / steps
            errors.append((((np.minimum(np.floor(a / s + 0.5), steps) * s) - a) ** 2).mean())
        his.append(float(np.float32(top * np.linspace(0.2, 1.0, 81)[int(np.argmin(errors))])))
    return his


def weight_bounds(weight, bits):
    """(lo, hi) = f (min w, max w), f in 0.2..1, with the least quantization MSE of the weights
    under choose_quant_params(lo, hi) (values beyond saturate): a few outliers must not stretch
    the 15 steps of a 4-bit tensor (the QNN test clamps its weights to MSE-optimal bounds too)."""
    w = np.asarray(weight, np.float32)
    best = None
    for f in np.linspace(0.2, 1.0, 41):
        lo, hi = np.float32(w.min() * f), np.float32(w.max() * f)
        scale, offset, zero_point = choose_quant_params(lo, hi, bits)
        approx = (quantize(w, scale, offset, bits).astype(np.float64) - zero_point) * np.float64(scale)
        err = float(((approx - w) ** 2).mean())
        if best is None or err < best[0]:
            best = (err, float(lo), float(hi))
    return best[1:]


def calibrate(net, images, bits):
    """{"act_hi", "w_lo", "w_hi"}: NUM_QUANTIZED values each, the variant's stored ranges."""
    bounds = [weight_bounds(layer.weight.detach().numpy(), bits) for layer in net.layers()[:NUM_QUANTIZED]]
    return {"act_hi": activation_ranges(net, images, bits), "w_lo": [b[0] for b in bounds],
            "w_hi": [b[1] for b in bounds]}


class QuantLayer:
    """One integer layer: weight codes and zero point, int32 bias, scales."""

    def __init__(self, weight, bias, in_scale, next_scale, bits, w_range):
        self.w_scale, self.w_offset, self.w_zero_point = choose_quant_params(*w_range, bits)
        self.codes = quantize(weight, self.w_scale, self.w_offset, bits)
        s_star = np.float64(in_scale) * np.float64(self.w_scale)
        self.out_scale = np.float32(s_star)
        self.bias = lround(np.asarray(bias, np.float32).astype(np.float64) / s_star)
        if np.abs(self.bias).max(initial=0) >= 2 ** 30:
            raise ValueError("bias out of the int32 range")
        self.multiplier = np.float32(s_star / np.float64(next_scale)) if next_scale else np.float32(0)

    def sums(self, columns, qmax):
        """columns: float32 tensor (..., K, M) of codes in 0..qmax -> int64 numpy (..., out, M) =
        W_centred columns + bias, after ReLU. The GEMM runs on the BLAS in floating point, which
        is exact for these integers: every partial sum is bounded by K max|w_c| qmax, below 2^24
        (float32 is used) or else 2^53 (float64), so no summation order can round."""
        w = self.codes.reshape(len(self.codes), -1).astype(np.int64) - self.w_zero_point
        bound = w.shape[1] * int(np.abs(w).max(initial=0)) * qmax
        dtype = torch.float32 if bound < 2 ** 24 else torch.float64
        product = torch.matmul(torch.from_numpy(w).to(dtype), columns.to(dtype))
        acc = np.maximum(product.numpy().astype(np.int64) + self.bias[:, None], 0)
        if acc.max(initial=0) >= 2 ** 31:
            raise OverflowError("int32 overflow")
        return acc


class IntegerLeNet:
    """The q8 / q4 variant of a float LeNet5 with its stored ranges (`calibrate`)."""

    def __init__(self, net, ranges, bits):
        self.bits, self.qmax = bits, (1 << bits) - 1
        scales = [choose_quant_params(0.0, hi, bits)[0] for hi in ranges["act_hi"]] + [None]
        layers = net.layers()
        self.layers = [QuantLayer(layers[i].weight.detach().numpy(), layers[i].bias.detach().numpy(),
                                  scales[i], scales[i + 1], bits, (ranges["w_lo"][i], ranges["w_hi"][i]))
                       for i in range(NUM_QUANTIZED)]
        self.fc_w = layers[-1].weight.detach().numpy().astype(np.float32)
        self.fc_b = layers[-1].bias.detach().numpy().astype(np.float32)

    def input_codes(self, images):
        return (2 * np.asarray(images, np.int64) * self.qmax + 255) // 510

    def conv_pool(self, layer, q, k):
        """Valid k x k convolution of codes q (float32 (N, C, H, W)), requantization, 2x2 max pool.
        unfold's rows are ordered (c, dy, dx), as PyTorch's OIHW weights."""
        n, c, h, w = q.shape
        oh, ow = h - k + 1, w - k + 1
        cols = F.unfold(torch.from_numpy(q), k).transpose(0, 1).reshape(c * k * k, n * oh * ow)
        acc = layer.sums(cols, self.qmax)  # one GEMM: (out, N oh ow)
        codes = requantize(acc, layer.multiplier, self.qmax).reshape(-1, n, oh // 2, 2, ow // 2, 2)
        return codes.max(axis=(3, 5)).transpose(1, 0, 2, 3).astype(np.float32)

    def last_sums(self, images):
        """int64 (N, 84): the sums of dense2 after bias and ReLU, which the Q->F step reads."""
        q = self.input_codes(images)[:, None].astype(np.float32)
        q = self.conv_pool(self.layers[0], q, ARCH[0][3])
        q = self.conv_pool(self.layers[1], q, ARCH[1][3]).reshape(len(q), -1)
        q = requantize(self.layers[2].sums(torch.from_numpy(q).T, self.qmax), self.layers[2].multiplier,
                       self.qmax)
        return self.layers[3].sums(torch.from_numpy(q.astype(np.float32)), self.qmax).T


    def forward(self, images, batch=250):
        """float32 logits (N, 10), bit-exact by construction."""
        out = []
        for start in range(0, len(images), batch):
            acc = self.last_sums(images[start:start + batch])
            out.append(dense_float32(acc.astype(np.float32) * self.layers[3].out_scale, self.fc_w, self.fc_b))
        return np.concatenate(out)


def dense_float32(x, w, b):
    """Float32 dense layer summed in a fixed order: ((b_j + w_j0 x_0) + w_j1 x_1) + ..."""
    acc = np.broadcast_to(b, (len(x), len(b))).astype(np.float32)
    for k in range(w.shape[1]):
        acc = acc + (w[None, :, k] * x[:, k:k + 1]).astype(np.float32)
    return acc
