"""The paper's two networks in PyTorch, built as the authors' Keras models are.

Every convolution is Conv -> ReLU -> [activation quantizer] -> BatchNorm, the dense layer is
Dense -> [quantizer] -> (softmax in the loss). Each weighted layer is a `QuantLayer`: its `act_format`
is None (float) or (BW, F), which the search sets; weights and biases are quantized by rewriting the
parameters (fxp.quantizer). Keras details kept because they change the result: 'same' padding pads
the extra row/column at the bottom/right (so a stride-2 3x3 on an even input is asymmetric),
BatchNorm momentum 0.99 (torch 0.01) and epsilon 1e-3, Glorot-uniform kernels with zero biases.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

from lowbit.fxp.quantizer import quantize_tensor

SEQUENTIAL_WEIGHTS = 323_488  # kernels only, as the paper counts them


def keras_same_pad(size, kernel, stride):
    """(before, after) padding of Keras 'same': the odd pixel goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad_same(x, kernel, stride, value=0.0):
    top, bottom = keras_same_pad(x.shape[2], kernel, stride)
    left, right = keras_same_pad(x.shape[3], kernel, stride)
    if top == bottom == left == right == 0:
        return x
    return F.pad(x, (left, right, top, bottom), value=value)


def max_pool_same(x, size=2, stride=2):
    return F.max_pool2d(pad_same(x, size, stride, value=-math.inf), size, stride)


class QuantLayer(nn.Module):
    """A weighted layer whose output (after ReLU for convolutions) may be quantized to (BW, F)."""

    def __init__(self):
        super().__init__()
        self.act_format = None
        self.recorder = None  # set by calibration: receives the tensor the quantizer sees

    def quantize_output(self, y):
        if self.recorder is not None:
            self.recorder(self, y)
        if self.act_format is None:
            return y
        return quantize_tensor(y, *self.act_format)

    def multiplications(self, out_shape):
        """Multiplications per image, given this layer's output shape (C, H, W) or (N,)."""
        raise NotImplementedError

    def affine(self):
        """The torch layer holding this layer's weight and bias (kept under its own attribute, so
        the parameter names of a saved model stay conv.* / fc.*)."""
        raise NotImplementedError

    def init_glorot(self):
        """Keras's initialisation: Glorot-uniform kernel, zero bias; no output shape seen yet."""
        nn.init.xavier_uniform_(self.affine().weight)
        nn.init.zeros_(self.affine().bias)
        self.out_shape = None

    @property
    def weight(self):
        return self.affine().weight

    @property
    def bias(self):
        return self.affine().bias


class ConvUnit(QuantLayer):
    """Conv (Keras padding) -> ReLU -> quantizer -> BatchNorm."""

    def __init__(self, cin, cout, kernel, stride=1, padding="same"):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=0)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.kernel, self.stride, self.padding = kernel, stride, padding
        self.init_glorot()

    def affine(self):
        return self.conv

    def forward(self, x):
        if self.padding == "same":
            x = pad_same(x, self.kernel, self.stride)
        y = F.relu(self.conv(x))
        self.out_shape = tuple(y.shape[1:])
        return self.bn(self.quantize_output(y))

    def multiplications(self, out_shape):
        cout, h, w = out_shape
        return h * w * cout * self.conv.in_channels * self.kernel * self.kernel


class DenseUnit(QuantLayer):
    """Dense -> quantizer; the logits go to softmax / cross-entropy in float."""

    def __init__(self, cin, cout):
        super().__init__()
        self.fc = nn.Linear(cin, cout)
        self.init_glorot()

    def affine(self):
        return self.fc

    def forward(self, x):
        y = self.fc(x)
        self.out_shape = tuple(y.shape[1:])
        return self.quantize_output(y)

    def multiplications(self, out_shape):
        return self.fc.in_features * self.fc.out_features


class FxpNet(nn.Module):
    """Common interface: `quant_layers()` in the authors' search order, named as in Keras."""

    def quant_layers(self):
        return [(name, getattr(self, name)) for name in self.search_order]

    def weight_count(self):
        return sum(layer.weight.numel() for _, layer in self.quant_layers())


class SequentialCNN(FxpNet):
    """KerasCNNLarge(28x28x1, 10, num_kernels=32, num_stages=7, pool_layer_interval=2)."""

    def __init__(self, num_kernels=32, num_stages=7, pool_interval=2, num_classes=10):
        super().__init__()
        cin, kernels, names = 1, num_kernels, []
        self.pool_after = set()
        for stage in range(num_stages):
            for half in range(2):
                name = f"conv2d_{len(names) + 1}"
                padding = "valid" if stage == 0 and half == 0 else "same"
                self.add_module(name, ConvUnit(cin, kernels, 3, padding=padding))
                names.append(name)
                cin = kernels
            if (stage + 1) % pool_interval == 0:
                self.pool_after.add(names[-1])
            if (stage + 1) * 2 == (num_stages // 2) * 2:  # the authors' doubling rule
                kernels *= 2
        self.dense = DenseUnit(cin, num_classes)
        self.conv_names = names
        self.search_order = names + ["dense"]
        self.drop = nn.Dropout(0.25)

    def conv_step(self, name):
        def step(x):
            x = getattr(self, name)(x)
            return self.drop(max_pool_same(x)) if name in self.pool_after else x
        return step

    def head(self, x):
        return self.dense(self.drop(torch.amax(x, dim=(2, 3))))

    def segments(self):
        """(layer names, function) pieces whose chain is `forward`: one per convolution."""
        pieces = [((name,), self.conv_step(name)) for name in self.conv_names]
        return pieces + [(("dense",), self.head)]

    def forward(self, x):
        for _, step in self.segments():
            x = step(x)
        return x


# Position of each Inception branch convolution inside its block (Keras creation order: 1x1 s2;
# 1x1, 3x3 s2; 1x1, 3x3, 3x3 s2; pool -> 1x1) in the order Keras lists the model's layers,
# which is the order the authors search ([1, 5, 3, 8, 2, 6, 4, 7, 12, 10, ...]).
INCEPTION_SEARCH_OFFSETS = (3, 1, 6, 0, 4, 2, 5)


class InceptionBlock(nn.Module):
    """Four branches, each ending in stride 2 (or a stride-2 pool), concatenated to 4f channels."""

    def __init__(self, cin, f, first_index, dropout):
        super().__init__()
        specs = [(cin, 1, 2), (cin, 1, 1), (f, 3, 2), (cin, 1, 1), (f, 3, 1), (f, 3, 2), (cin, 1, 1)]
        self.names = [f"conv2d_{first_index + i}" for i in range(7)]
        for name, (c, k, s) in zip(self.names, specs):
            self.add_module(name, ConvUnit(c, f, k, stride=s))
        self.drop = nn.Dropout(0.5) if dropout else nn.Identity()

    # The branches as unit indices, concatenated in this order, and the order `steps` runs them:
    # the double branch (most of the block's work) first, so searching another branch's layer
    # re-runs only that branch and what follows it.
    BRANCHES = ((0,), (1, 2), (3, 4, 5), (6,))
    RUN_ORDER = (2, 1, 3, 0)

    def steps(self):
        """The block as a chain of one-unit steps, for the search's prefix cache.

        A step maps the state (block input, {branch: output}, open branch's last map) to the next;
        the first takes the block input alone, the last returns the concatenation."""
        pieces = []
        for b in self.RUN_ORDER:
            for position, i in enumerate(self.BRANCHES[b]):
                def step(state, b=b, i=i, first=position == 0):
                    x, outputs, h = (state, {}, None) if torch.is_tensor(state) else state
                    if first:
                        h = self.drop(max_pool_same(x)) if i == 6 else x
                    h = getattr(self, self.names[i])(h)
                    if i != self.BRANCHES[b][-1]:
                        return x, outputs, h
                    outputs = {**outputs, b: h}
                    if len(outputs) < len(self.BRANCHES):
                        return x, outputs, None
                    return torch.cat([outputs[k] for k in range(len(self.BRANCHES))], dim=1)
                pieces.append(((self.names[i],), step))
        return pieces

    def forward(self, x):
        for _, step in self.steps():
            x = step(x)
        return x


class BranchedCNN(FxpNet):
    """InceptionCNN((96, 96, 1), 10, dropout=True, pool_layer_type='max') of the authors' code."""

    def __init__(self, num_classes=10, dropout=True, blocks=3, stem=20, first_filters=16):
        super().__init__()
        self.stem = ConvUnit(1, stem, 3, stride=2)
        self.blocks = nn.ModuleList()
        cin, f, self.search_order = stem, first_filters, ["conv2d_1"]
        for b in range(blocks):
            block = InceptionBlock(cin, f, 2 + 7 * b, dropout)
            self.blocks.append(block)
            self.search_order += [block.names[i] for i in INCEPTION_SEARCH_OFFSETS]
            cin, f = 4 * f, 2 * f
        self.binary = DenseUnit(cin, num_classes)
        self.search_order.append("binary")
        self.drop = nn.Dropout(0.5) if dropout else nn.Identity()
        self.units = {"conv2d_1": self.stem, "binary": self.binary}
        for block in self.blocks:
            self.units.update({name: getattr(block, name) for name in block.names})

    def quant_layers(self):
        return [(name, self.units[name]) for name in self.search_order]

    def head(self, x):
        return self.binary(self.drop(torch.amax(x, dim=(2, 3))))

    def segments(self):
        """(layer names, function) pieces whose chain is `forward`: the upscaling (kept by the
        prefix cache while the stem is searched), the stem, each block's units, the head."""
        pieces = [((), lambda x: upscale(x, "branched")), (("conv2d_1",), self.stem)]
        for block in self.blocks:
            pieces += block.steps()
        return pieces + [(("binary",), self.head)]

    def forward(self, x):
        for _, step in self.segments():
            x = step(x)
        return x


NETWORKS = {"sequential": SequentialCNN, "branched": BranchedCNN}
INPUT_SIZE = {"sequential": 28, "branched": 96}


def build(network):
    return NETWORKS[network]()


def upscale(x, network):
    """The branched network sees the 28x28 image resized to 96x96 (skimage `resize`, bilinear).

    Idempotent, so the stem may call it on an input that is already 96x96."""
    size = INPUT_SIZE[network]
    if x.shape[-1] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
