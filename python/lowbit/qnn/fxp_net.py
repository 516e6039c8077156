"""The MRZ network of the QNN test as a fixed-point search target (QNN-FXP, docs/qnn.md "QNN-FXP"):
the float network of models/mrz-v1.qnnw in PyTorch float64, with the quantizers of Goyal et al. 2021
(lowbit.fxp) on its input, weights, biases and outputs, and the evaluator the search runs on.

Each layer is Conv (valid) -> ReLU -> [quantizer] (no BatchNorm: the exported network has it folded
or never had it); the fully connected layer's logits are quantized too, as the paper does. Unlike
the paper, whose input stays float, the input image is quantized as well ("input" in the
activations), because the integer pipeline starts from integer codes.

The search runs in float32 (as the authors' TensorFlow code; float64 is 5x slower on this CPU). In
float64 the values of a quantized configuration are dyadic rationals whose sums it holds exactly, so
`from_model(model, torch.float64)` gives the integer pipeline's logits (lowbit.qnn.fxp_int) exactly:
that is how the chosen configuration is checked, and its accuracy is the integer model's.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from lowbit.fxp.evaluate import Evaluator
from lowbit.fxp.models import DenseUnit, FxpNet, QuantLayer
from lowbit.fxp.quantizer import no_clip_offset, quantize_tensor
from lowbit.qnn import arch

CONV_NAMES = tuple(f"conv{i + 1}" for i in range(arch.NUM_CONV))
LAYER_NAMES = CONV_NAMES + ("fc",)
INPUT = "input"  # the name of the input image's format among the activations


class ConvReluUnit(QuantLayer):
    """Conv (no padding) -> ReLU -> quantizer."""

    def __init__(self, cin, cout, kernel, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride)
        self.kernel = kernel

    def affine(self):
        return self.conv

    def forward(self, x):
        y = F.relu(self.conv(x))
        self.out_shape = tuple(y.shape[1:])
        return self.quantize_output(y)

    def multiplications(self, out_shape):
        cout, h, w = out_shape
        return h * w * cout * self.conv.in_channels * self.kernel * self.kernel


class MrzFxpNet(FxpNet):
    """conv1..conv6 and fc of lowbit.qnn.arch.ARCH; `input_format` (BW, F) or None quantizes the
    image, x = d / r of lowbit.qnn.intmodel.normalize."""

    def __init__(self):
        super().__init__()
        for name, (kind, cin, cout, k, s, pad) in zip(CONV_NAMES, arch.ARCH):
            self.add_module(name, ConvReluUnit(cin, cout, k, s))
        kind, cin, cout, k, s, pad = arch.ARCH[-1]
        self.fc = DenseUnit(cin, cout)
        self.search_order = list(LAYER_NAMES)
        self.input_format = None

    def quantize_input(self, x):
        return x if self.input_format is None else quantize_tensor(x, *self.input_format)

    def segments(self):
        """(names, function) pieces whose chain is `forward`; the input's format belongs to the
        first, so that the evaluator's cache of later prefixes depends on it."""
        pieces = [((INPUT, CONV_NAMES[0]), lambda x: self.conv1(self.quantize_input(x)))]
        pieces += [((name,), getattr(self, name)) for name in CONV_NAMES[1:]]
        return pieces + [(("fc",), lambda x: self.fc(torch.flatten(x, 1)))]

    def forward(self, x):
        for _, step in self.segments():
            x = step(x)
        return x


def from_model(model, dtype=torch.float32):
    """MrzFxpNet (eval mode, `dtype`) holding the float weights of a lowbit.qnn.variant.Model."""
    net = MrzFxpNet()
    with torch.no_grad():
        for name, w, b in zip(LAYER_NAMES, model.weights, model.biases):
            layer = getattr(net, name)
            layer.weight.copy_(torch.from_numpy(np.asarray(w, np.float64)))
            layer.bias.copy_(torch.from_numpy(np.asarray(b, np.float64)))
    return net.to(dtype).eval()


def input_tensor(images, dtype=np.float32):
    """The network input (N, 1, 32, 32): x = d / r rounded to `dtype` (d = max - pixel, r = max - min,
    x = 0 for a flat image). Quantizing it with round-half-to-even gives the exact integer rounding
    of d 2^F / r (lowbit.qnn.fxp_int.input_codes) for F <= 14 in float32: a tie is a dyadic rational
    with at most F + 1 bits, which float32 holds exactly, and any other value of x 2^F lies at least
    1 / (2 r) >= 2^-9 from a tie, above float32's error 2^(F - 24)."""
    flat = images.reshape(len(images), -1).astype(np.int64)
    hi = flat.max(axis=1, keepdims=True)
    r = hi - flat.min(axis=1, keepdims=True)
    x = ((hi - flat) / np.maximum(r, 1).astype(np.float64)).astype(dtype)
    return x.reshape(len(images), 1, arch.INPUT_H, arch.INPUT_W)


class MrzEvaluator(Evaluator):
    """lowbit.fxp.evaluate.Evaluator with the input image's format (INPUT among the activations)."""

    def apply(self, config):
        super().apply(config)
        self.model.input_format = config.get("activations", {}).get(INPUT)

    def activation_max(self, count=250):
        peaks = super().activation_max(count)
        peaks[INPUT] = float(self.images[:count].abs().max())
        return peaks

    def start_offsets(self, kind, bw, activation_peaks):
        offsets = super().start_offsets(kind, bw, activation_peaks)
        if kind == "activations":
            offsets = {INPUT: (bw, no_clip_offset(bw, activation_peaks[INPUT])), **offsets}
        return offsets
