"""Which of lowbit's exact GEMM schemes runs a QNN-FXP layer (docs/qnn.md, "QNN-FXP").

A fixed-point weight of BW bits has a signed code c in [-(2^(BW-1) - 1), 2^(BW-1) - 1] (the
quantizer of lowbit.fxp.quantizer is symmetric): the GEMM code is c + z_w with the centre
z_w = 2^(BW-1) - 1 as zero point, codes 0..2^BW - 2, N_w = 2^BW - 1 levels (odd, so the centre is
what uint4_6's symmetric weights need; uint4 and uint8 accept any zero point). An activation is a
ReLU output (or the image), so its code is in 0..2^(BW-1) - 1 with zero point 0: the format's sign
bit is never used, and a BW-bit activation needs BW - 1 bits of unsigned code.

The cheapest scheme that holds both operands: uint4 when both codes fit 0..15; uint4_6 when the
level pair (N_x, N_w), N_x the smallest odd count >= 3 covering the activation codes, is valid
(((N_x - 1) / 2) ((N_w - 1) / 2) <= 127, lowbit/levels.h); uint8 when both fit 0..255; else none.
"""
from lowbit.qnn.quantization import why_invalid

SCHEMES = ("uint4", "uint4_6", "uint8")  # cheapest first
SCHEME_CODES = {"uint8": 0, "uint4": 1, "uint4_6": 2}  # lowbit::Scheme's order (lowbit/gemm.h)
MAX_CODE = {"uint4": 15, "uint8": 255}


def weight_zero_point(bw):
    """The centre of the BW-bit weight codes (0 for BW = 1, which zeroes the tensor)."""
    return max(2 ** (bw - 1) - 1, 0)


def weight_levels(bw):
    return 2 * weight_zero_point(bw) + 1


def activation_max_code(bw):
    return max(2 ** (bw - 1) - 1, 0)


def activation_levels(bw):
    """The smallest odd level count >= 3 whose codes 0..N_x - 1 hold 0..activation_max_code(bw)."""
    count = activation_max_code(bw) + 1
    return max(count if count % 2 else count + 1, 3)


def scheme_for(weight_bw, activation_bw):
    """{'scheme', 'w_zero_point', 'w_levels', 'x_levels'} of the cheapest scheme holding a layer
    with these weight and (input) activation bitwidths; ValueError when none does."""
    w_levels, x_levels = weight_levels(weight_bw), activation_levels(activation_bw)
    w_max, x_max = w_levels - 1, activation_max_code(activation_bw)
    for scheme in SCHEMES:
        if scheme == "uint4_6":
            fits = why_invalid(x_levels, w_levels) == ""
        else:
            fits = w_max <= MAX_CODE[scheme] and x_max <= MAX_CODE[scheme]
        if fits:
            return {"scheme": scheme, "w_zero_point": weight_zero_point(weight_bw), "w_levels": w_levels,
                    "x_levels": x_levels}
    raise ValueError(f"no exact scheme holds {weight_bw}-bit weights with {activation_bw}-bit "
                     "activations (uint8 holds weights up to 8 bits, activations up to 9)")
