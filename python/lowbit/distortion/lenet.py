"""LeNet-5, the deployed network, and its weights file.

32x32 input x = pixel / 255 (ink 1, paper 0); conv 6@5x5 + ReLU, 2x2 max pool; conv 16@5x5 + ReLU,
2x2 max pool; dense 400 -> 120 + ReLU, 120 -> 84 + ReLU, 84 -> 10 (logits). ReLU and max pooling
(not LeCun's tanh and trainable average subsampling) because the QNN integer pipeline has
non-negative activations with zero point 0 and a max pool of codes is exact (docs/distortion.md).

Weights file `.lenet` (little-endian): char[8] MAGIC, u32 version (1), u32 payload_size,
u32 payload_crc32 (zlib CRC-32 of the payload); payload: u32 num_layers (5), per layer
u32 kind, in, out, kernel (kind: 0 conv + ReLU + max pool 2x2, 1 dense + ReLU, 2 dense), then per
layer f32 weight (PyTorch order: OIHW / (out, in)) and f32 bias[out]; then u32 num_variants and per
quantized variant u32 bits (8 or 4), f32 act_hi[4]: the calibrated input range of each
quantized layer (conv1, conv2, dense1, dense2; act_hi[0] = 1 is the image), f32 w_lo[4] and
f32 w_hi[4]: the weight range each layer is quantized over (lowbit::choose_quant_params(w_lo, w_hi)).
"""
import struct
import zlib

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

MAGIC = b"LENET5\r\n"
VERSION = 1
CONV, DENSE_RELU, DENSE = 0, 1, 2
# (kind, in, out, kernel)
ARCH = ((CONV, 1, 6, 5), (CONV, 6, 16, 5), (DENSE_RELU, 400, 120, 1), (DENSE_RELU, 120, 84, 1),
        (DENSE, 84, 10, 1))
NUM_QUANTIZED = 4  # every layer but the last runs in integers (as the QNN test's convolutions)


def to_input(images):
    """uint8 (N, 32, 32) -> float32 tensor (N, 1, 32, 32) in [0, 1]."""
    return torch.from_numpy(np.asarray(images, np.float32)[:, None] / np.float32(255))


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def layers(self):
        return (self.conv1, self.conv2, self.fc1, self.fc2, self.fc3)

    def features(self, x):
        """The 84 activations the last layer reads (training-only heads may read them too)."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return F.relu(self.fc2(x))

    def forward(self, x):
        return self.fc3(self.features(x))


def logits_of(net, images, batch=1000):
    """float32 numpy logits (N, 10) of uint8 images, without gradients."""
    net.eval()
    with torch.no_grad():
        return np.concatenate([net(to_input(images[i:i + batch])).numpy()
                               for i in range(0, len(images), batch)])


RANGE_KEYS = ("act_hi", "w_lo", "w_hi")
VARIANT_BYTES = 4 + 4 * NUM_QUANTIZED * len(RANGE_KEYS)


def to_bytes(net, variants):
    """variants: {bits: {"act_hi", "w_lo", "w_hi": NUM_QUANTIZED floats}} (quant.calibrate)."""
    p = bytearray(struct.pack("<I", len(ARCH)))
    for layer in ARCH:
        p += struct.pack("<4I", *layer)
    for layer in net.layers():
        p += layer.weight.detach().numpy().astype("<f4").tobytes()
        p += layer.bias.detach().numpy().astype("<f4").tobytes()
    p += struct.pack("<I", len(variants))
    for bits, ranges in sorted(variants.items(), reverse=True):
        p += struct.pack("<I", bits)
        for key in RANGE_KEYS:
            p += np.asarray(ranges[key], "<f4").tobytes()
    return MAGIC + struct.pack("<3I", VERSION, len(p), zlib.crc32(bytes(p))) + bytes(p)


def save(net, variants, path):
    with open(path, "wb") as f:
        f.write(to_bytes(net, variants))


def check_header(data, path):
    """The payload of a .lenet file, or ValueError naming the path."""
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a .lenet weights file (bad magic)")
    version, size, crc = struct.unpack_from("<3I", data, 8)
    if version != VERSION:
        raise ValueError(f"{path}: .lenet version {version}, this reader supports {VERSION}")
    payload = data[20:20 + size]
    if len(payload) != size or len(data) != 20 + size:
        raise ValueError(f"{path}: truncated or overlong weights file")
    if zlib.crc32(payload) != crc:
        raise ValueError(f"{path}: corrupt weights file (CRC-32 mismatch)")
    return payload


def from_bytes(data, path="<bytes>"):
    """(LeNet5, {bits: {"act_hi", "w_lo", "w_hi"}})."""
    payload = check_header(data, path)
    (n,) = struct.unpack_from("<I", payload, 0)
    arch = tuple(struct.unpack_from("<4I", payload, 4 + 16 * i) for i in range(n))
    if arch != ARCH:
        raise ValueError(f"{path}: not the LeNet-5 architecture")
    net, offset = LeNet5(), 4 + 16 * n
    for layer in net.layers():
        for tensor in (layer.weight, layer.bias):
            values = np.frombuffer(payload, "<f4", tensor.numel(), offset)
            tensor.data = torch.from_numpy(values.astype(np.float32).reshape(tensor.shape))
            offset += 4 * tensor.numel()
    (nv,) = struct.unpack_from("<I", payload, offset)
    if offset + 4 + nv * VARIANT_BYTES != len(payload):
        raise ValueError(f"{path}: truncated weights file or trailing bytes")
    variants = {}
    for i in range(nv):
        start = offset + 4 + i * VARIANT_BYTES
        (bits,) = struct.unpack_from("<I", payload, start)
        values = np.frombuffer(payload, "<f4", NUM_QUANTIZED * len(RANGE_KEYS), start + 4)
        variants[bits] = {key: [float(v) for v in values[j * NUM_QUANTIZED:(j + 1) * NUM_QUANTIZED]]
                          for j, key in enumerate(RANGE_KEYS)}
    return net, variants


def load(path):
    with open(path, "rb") as f:
        return from_bytes(f.read(), path)
