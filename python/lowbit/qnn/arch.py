"""The MRZ network's architecture (docs/qnn.md, "Network"): the classes, the input size and the
layer list every variant shares, as the .qnnw file records them."""

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
INPUT_H = INPUT_W = 32
# (kind, in_channels, out_channels, kernel, stride, pad); kind 0 = conv + ReLU, 1 = fully connected
ARCH = [
    (0, 1, 8, 5, 1, 0),
    (0, 8, 8, 3, 1, 0),
    (0, 8, 8, 3, 2, 0),
    (0, 8, 16, 3, 1, 0),
    (0, 16, 16, 3, 2, 0),
    (0, 16, 24, 3, 1, 0),
    (1, 96, 36, 1, 1, 0),
]
NUM_CONV = 6


def conv_shapes():
    """[(in_h, in_w, out_h, out_w)] of the conv layers for a 32x32 input."""
    h, w = INPUT_H, INPUT_W
    out = []
    for kind, cin, cout, k, s, pad in ARCH[:NUM_CONV]:
        oh = (h + 2 * pad - k) // s + 1
        ow = (w + 2 * pad - k) // s + 1
        out.append((h, w, oh, ow))
        h, w = oh, ow
    return out


def macs():
    res = []
    for (kind, cin, cout, k, s, pad), (_, _, oh, ow) in zip(ARCH, conv_shapes() + [(0, 0, 1, 1)]):
        res.append(cout * cin * k * k * oh * ow)
    return res
