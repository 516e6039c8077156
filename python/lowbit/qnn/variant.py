"""The containers of a quantized network (a Model holds the float weights and its Variants, a Variant
its QuantLayers) and make_variant, which quantizes a float network into one (docs/qnn.md, "Variants")."""
import numpy as np

from lowbit.qnn.arch import NUM_CONV
from lowbit.qnn.quantization import (choose_level_params, choose_quant_params, choose_symmetric_params,
                                     lround, quantize, why_invalid)

LEVEL_VARIANT = 0  # the `bits` field of a level (4.6-bit) variant


class QuantLayer:
    """One quantized conv layer of a variant (see the module docstring)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Variant:
    """bits 8 or 4: the paper's p-bit variants; bits 0 (LEVEL_VARIANT): the 4.6-bit variant with
    act_levels = N_x and weight_levels = N_w."""

    def __init__(self, bits, layers, fc_w, fc_b, act_levels=None, weight_levels=None):
        self.bits = bits
        if bits == LEVEL_VARIANT:
            why = why_invalid(act_levels, weight_levels)
            if why:
                raise ValueError(why)
            self.act_levels, self.weight_levels = int(act_levels), int(weight_levels)
        else:
            self.act_levels = self.weight_levels = 1 << bits
        self.layers = layers  # NUM_CONV QuantLayer
        self.fc_w = np.asarray(fc_w, np.float32)
        self.fc_b = np.asarray(fc_b, np.float32)

    @property
    def is_levels(self):
        return self.bits == LEVEL_VARIANT

    @property
    def name(self):
        """"q8", "q4" or "q4_6" (qnn::variant_name)."""
        return "q4_6" if self.is_levels else f"q{self.bits}"


class Model:
    def __init__(self, weights, biases, variants):
        self.weights = [np.asarray(w, np.float32) for w in weights]  # OIHW / (out, in)
        self.biases = [np.asarray(b, np.float32) for b in biases]
        self.variants = variants  # list of Variant


def make_variant(bits, conv_weights, conv_biases, act_hi, fc_w, fc_b, levels=None):
    """Quantizes float conv weights (lists of NUM_CONV arrays) with calibrated input ranges act_hi
    (act_hi[0] is the image range, 1.0). bits = 8 or 4; or bits = LEVEL_VARIANT with
    levels = (N_x, N_w): activations choose_level_params(0, hi, N_x), weights
    choose_symmetric_params(max |w|, N_w)."""
    layers = []
    if bits == LEVEL_VARIANT:
        nx, nw = levels
        why = why_invalid(nx, nw)
        if why:
            raise ValueError(why)
        in_params = [choose_level_params(0.0, hi, nx) for hi in act_hi]
    else:
        in_params = [choose_quant_params(0.0, hi, bits) for hi in act_hi]
    for i in range(NUM_CONV):
        w = np.asarray(conv_weights[i], np.float32)
        b = np.asarray(conv_biases[i], np.float32)
        s_x, off_x, z_x = in_params[i]
        assert off_x == 0 and z_x == 0
        if bits == LEVEL_VARIANT:
            s_w, off_w, z_w = choose_symmetric_params(np.abs(w).max(), nw)
            codes = quantize(w, s_w, off_w, 0, levels=nw)
        else:
            s_w, off_w, z_w = choose_quant_params(w.min(), w.max(), bits)
            codes = quantize(w, s_w, off_w, bits)
        s_star = np.float32(np.float64(s_x) * np.float64(s_w))
        bias_q = lround(b.astype(np.float64) / (np.float64(s_x) * np.float64(s_w)))
        if np.abs(bias_q).max(initial=0) >= 2 ** 30:
            raise ValueError("bias out of range")
        if i + 1 < NUM_CONV:
            m = np.float32(np.float64(s_x) * np.float64(s_w) / np.float64(in_params[i + 1][0]))
        else:
            m = np.float32(0.0)
        layers.append(QuantLayer(act_lo=np.float32(0.0), act_hi=np.float32(act_hi[i]), in_scale=s_x,
                                 in_zero_point=z_x, w_scale=s_w, w_offset=off_w, w_zero_point=z_w,
                                 out_scale=s_star, requant_scale=m, weights=w,
                                 codes=codes, bias=bias_q.astype(np.int32)))
    if bits == LEVEL_VARIANT:
        return Variant(bits, layers, fc_w, fc_b, act_levels=nx, weight_levels=nw)
    return Variant(bits, layers, fc_w, fc_b)
