"""The fixed-point quantizer of the paper: q(x) = clip(round(x 2^F), -(2^(BW-1)-1), 2^(BW-1)-1) / 2^F.

Symmetric, per tensor; F may be negative or exceed BW. Rounding is half to even, as numpy's
`np.round` and TensorFlow's `K.round` in the authors' code (torch.round does the same). BW = 1 leaves
only the sign bit, so the range is {0}: the tensor is zeroed, as in the authors' ConvertFloatFixed.
"""
import math

import numpy as np


def code_limit(bw):
    """Largest code magnitude: 2^(BW-1) - 1 (0 for BW = 1)."""
    return 2 ** (bw - 1) - 1


def quantize_array(x, bw, f):
    """numpy reference: the authors' ConvertFloatFixed.quantize."""
    scale = 2.0 ** f
    limit = code_limit(bw)
    return np.clip(np.round(x * scale), -limit, limit) / scale


def quantize_tensor(x, bw, f):
    """The same on a torch tensor (weights, biases and activations), through tensor methods so
    that this module needs no torch import."""
    scale = 2.0 ** f
    limit = float(code_limit(bw))
    return (x * scale).round().clamp(-limit, limit) / scale


def no_clip_offset(bw, max_abs):
    """F = BW - 1 - ceil(log2 max|x|): the largest offset that does not clip max|x|."""
    if max_abs <= 0:
        return bw - 1
    return bw - 1 - math.ceil(math.log2(max_abs))
