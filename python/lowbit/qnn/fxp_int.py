"""The integer model of QNN-FXP: the MRZ network with the per-layer fixed-point formats of the search
(lowbit.qnn.fxp_search), every step an integer operation (docs/qnn.md, "QNN-FXP", is the spec the
C++ side follows).

Formats are (BW, F): value = code 2^-F, codes clipped to +-(2^(BW-1) - 1), rounding half to even.
  input  q0 = clip(round_half_even(d 2^F_in / r), 0, 2^(BW_in-1) - 1), exactly in integers
         (d = max - pixel, r = max - min; q0 = 0 when r = 0).
  layer  acc = sum_k c_w c_x (int32, the GEMM; c signed codes), at scale 2^-(F_w + F_x);
         S = max(F_w + F_x, F_b); t = acc 2^(S - F_w - F_x) + c_b 2^(S - F_b) (int64);
         conv: t = max(t, 0); code = clip(round_half_even(t 2^-(S - F_a)), lo, 2^(BW_a-1) - 1)
         with lo = 0 (conv) or -(2^(BW_a-1) - 1) (fc, the logits); a shift S - F_a <= 0 is exact.
  class  the first maximum of the logit codes.
This equals the fake-quantized float network (lowbit.qnn.fxp_net) evaluated exactly.
"""
import numpy as np

from lowbit.fxp.quantizer import code_limit
from lowbit.qnn import arch
from lowbit.qnn.fxp_net import INPUT, LAYER_NAMES
from lowbit.qnn.fxp_schemes import scheme_for
from lowbit.qnn.intmodel import im2col

INT32_LIMIT = 2 ** 31
INT64_BITS = 62  # headroom kept below 2^63 for every intermediate


class FxpLayer:
    """One layer: signed weight / bias codes, the formats, and the GEMM scheme it maps to."""

    def __init__(self, name, w_codes, w_format, b_codes, b_format, in_format, out_format, relu):
        self.name, self.relu = name, relu
        self.w_codes, self.b_codes = np.asarray(w_codes, np.int64), np.asarray(b_codes, np.int64)
        self.w_format, self.b_format = tuple(w_format), tuple(b_format)
        self.in_format, self.out_format = tuple(in_format), tuple(out_format)
        self.gemm = scheme_for(self.w_format[0], self.in_format[0])
        self.check_ranges()

    @property
    def acc_exponent(self):
        """S: the sums, the bias and ReLU live at scale 2^-S."""
        return max(self.w_format[1] + self.in_format[1], self.b_format[1])

    @property
    def out_shift(self):
        """S - F_a: the rounding right shift to the output codes (<= 0: an exact left shift)."""
        return self.acc_exponent - self.out_format[1]

    def check_ranges(self):
        """Every intermediate of `forward` fits: int32 sums, int64 shifted sums (docs/qnn.md)."""
        depth = self.w_codes[0].size
        worst = depth * code_limit(self.w_format[0]) * code_limit(self.in_format[0])
        if worst >= INT32_LIMIT:
            raise ValueError(f"{self.name}: the int32 sums may overflow ({worst})")
        s = self.acc_exponent
        bits = max(31 + s - self.w_format[1] - self.in_format[1], self.b_format[0] + s - self.b_format[1]) + 1
        if bits + max(-self.out_shift, 0) > INT64_BITS:
            raise ValueError(f"{self.name}: shifted sums need {bits} bits")


def quantize_codes(values, fmt):
    """Signed codes of the paper's quantizer (lowbit.fxp.quantizer) as integers."""
    bw, f = fmt
    limit = code_limit(bw)
    return np.clip(np.round(np.asarray(values, np.float64) * 2.0 ** f), -limit, limit).astype(np.int64)


def make_layers(model, config):
    """FxpLayers of a lowbit.qnn.variant.Model's float network under a search configuration
    {kind: {name: (BW, F)}} (activations include INPUT)."""
    acts = config["activations"]
    layers, in_format = [], acts[INPUT]
    for i, name in enumerate(LAYER_NAMES):
        w_format, b_format = config["weights"][name], config["biases"][name]
        layers.append(FxpLayer(name, quantize_codes(model.weights[i], w_format), w_format,
                               quantize_codes(model.biases[i], b_format), b_format, in_format,
                               acts[name], relu=name != "fc"))
        in_format = acts[name]
    return layers


def round_half_even_div(num, den):
    """round(num / den), ties to even, for int64 arrays and den > 0 (floor division: any sign)."""
    q = num // den
    twice = 2 * (num - q * den)
    return q + ((twice > den) | ((twice == den) & (q % 2 == 1)))


def rescale(t, shift):
    """round_half_even(t 2^-shift); an arithmetic left shift when shift <= 0."""
    if shift <= 0:
        return t << -shift
    return round_half_even_div(t, np.int64(1) << shift)


def input_codes(images, fmt):
    """Layer 1's input codes: clip(round_half_even(d 2^F / r), 0, 2^(BW-1) - 1), exactly."""
    bw, f = fmt
    flat = images.reshape(len(images), -1).astype(np.int64)
    hi = flat.max(axis=1, keepdims=True)
    r = np.maximum(hi - flat.min(axis=1, keepdims=True), 1)
    q = round_half_even_div((hi - flat) << max(f, 0), r << max(-f, 0))
    return np.clip(q, 0, code_limit(bw)).reshape(len(images), 1, arch.INPUT_H, arch.INPUT_W)


def layer_sums(layer, x):
    """The GEMM: int32 sums (N, out, pixels) of a conv layer, (N, out) of fc; x are input codes."""
    wc = layer.w_codes.reshape(len(layer.w_codes), -1).astype(np.float64)
    if x.ndim == 2:  # Float64 products and sums of these small integers are exact (< 2^53).
        acc = x.astype(np.float64) @ wc.T
    else:
        k, s = layer.w_codes.shape[2], arch.ARCH[LAYER_NAMES.index(layer.name)][4]
        cols, _, _ = im2col(x, k, s)
        acc = np.einsum("ok,nkp->nop", wc, cols.astype(np.float64))
    acc = acc.astype(np.int64)
    if np.abs(acc).max(initial=0) >= INT32_LIMIT:
        raise OverflowError(f"int32 overflow in {layer.name}")
    return acc


def requantize(layer, acc):
    """Bias, ReLU (conv) and the rounding shift to the layer's output codes."""
    s = layer.acc_exponent
    bias = layer.b_codes << (s - layer.b_format[1])
    t = (acc << (s - layer.w_format[1] - layer.in_format[1])) + bias.reshape((-1,) + (1,) * (acc.ndim - 2))
    limit = code_limit(layer.out_format[0])
    if layer.relu:
        t = np.maximum(t, 0)
    return np.clip(rescale(t, layer.out_shift), 0 if layer.relu else -limit, limit)


def forward(layers, input_format, images, batch=512):
    """(logit codes (N, 36), layer-6 sums (N, 96), fc sums (N, 36)), all int64 holding int32."""
    logits, sums6, sums_fc = [], [], []
    for b0 in range(0, len(images), batch):
        x = input_codes(images[b0:b0 + batch], input_format)
        for layer in layers:
            if layer.name == "fc":
                x = x.reshape(len(x), -1)
            acc = layer_sums(layer, x)
            if layer.name == "conv6":
                sums6.append(acc.reshape(len(acc), -1))
            elif layer.name == "fc":
                sums_fc.append(acc)
            q = requantize(layer, acc)
            x = q.reshape(acc.shape[0], acc.shape[1], *_spatial(layer)) if layer.relu else q
        logits.append(x)
    return np.concatenate(logits), np.concatenate(sums6), np.concatenate(sums_fc)


def _spatial(layer):
    _, _, oh, ow = arch.conv_shapes()[LAYER_NAMES.index(layer.name)]
    return oh, ow


def predict(logit_codes):
    return np.argmax(logit_codes, axis=1)  # the first maximum, as the C++ side must
