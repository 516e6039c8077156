"""The QNN test's network in PyTorch for training (docs/qnn.md, "Training"): the float network with
optional batch normalisation, the fake quantization of each variant's maps (straight-through
rounding), BN folding, and the float predictions and activations of a trained network."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from lowbit.qnn import arch
from lowbit.qnn import intmodel as im


class Net(nn.Module):
    """Float network; bn=True for training (BN is folded before export)."""

    def __init__(self, bn=True):
        super().__init__()
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList() if bn else None
        for kind, cin, cout, k, s, pad in arch.ARCH[:arch.NUM_CONV]:
            self.convs.append(nn.Conv2d(cin, cout, k, s, pad, bias=not bn))
            if bn:
                self.bns.append(nn.BatchNorm2d(cout))
        kind, cin, cout, k, s, pad = arch.ARCH[-1]
        self.fc = nn.Linear(cin, cout)
        for conv in self.convs:  # He initialisation: without BN the default init starves 7 layers
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            if conv.bias is not None:
                nn.init.zeros_(conv.bias)
        # quantization-aware settings (None: float): bits (8, 4), or levels = (N_x, N_w) (4.6-bit)
        self.bits = None
        self.levels = None
        self.act_hi = None

    def _fq_act(self, x, hi):
        if self.bits:
            return fake_quant_act(x, hi, self.bits)
        return fake_quant_act_levels(x, hi, self.levels[0])

    def forward(self, x):
        # x: (N, 1, 32, 32), the contrast-stretched image (qnn_intmodel.normalize)
        quant = bool(self.bits) or self.levels is not None
        if quant:
            x = self._fq_act(x, 1.0)
        for i, conv in enumerate(self.convs):
            w = conv.weight
            if self.bits:
                w = fake_quant_weight(w, self.bits)
            elif self.levels is not None:
                w = fake_quant_weight_symmetric(w, self.levels[1])
            x = F.conv2d(x, w, conv.bias, conv.stride, conv.padding)
            if self.bns is not None:
                x = self.bns[i](x)
            x = F.relu(x)
            if quant and i + 1 < arch.NUM_CONV:
                x = self._fq_act(x, self.act_hi[i + 1])
        return self.fc(torch.flatten(x, 1))


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # half away from zero, as lowbit::quantize
        return torch.sign(x) * torch.floor(torch.abs(x) + 0.5)

    @staticmethod
    def backward(ctx, g):
        return g


def fake_quant_weight(w, bits):
    """lowbit's per-tensor map: s (round((w - z) / s) - z_q), z = min(min w, 0)."""
    levels = (1 << bits) - 1
    lo = torch.clamp(w.detach().min(), max=0.0)
    hi = torch.clamp(w.detach().max(), min=0.0)
    s = (hi - lo) / levels
    zq = torch.round(-lo / s)
    q = torch.clamp(RoundSTE.apply((w - lo) / s), 0, levels)
    return s * (q - zq)


def fake_quant_act(x, hi, bits):
    levels = (1 << bits) - 1
    s = float(np.float32(hi) / np.float32(levels))
    q = RoundSTE.apply(torch.clamp(x, 0.0, s * levels) / s)
    return q * s


def fake_quant_weight_symmetric(w, levels):
    """lowbit::choose_symmetric_params + quantize: s = 2 max|w| / N_w, codes z_q + round(w / s)
    clamped to [0, N_w - 1] with z_q = (N_w - 1) / 2 (the 4.6-bit scheme's weights)."""
    zq = (levels - 1) // 2
    s = 2.0 * torch.clamp(w.detach().abs().max(), min=1e-12) / levels
    q = torch.clamp(RoundSTE.apply(w / s + zq), 0, levels - 1)
    return s * (q - zq)


def fake_quant_act_levels(x, hi, levels):
    """Activations with N_x levels over [0, hi] (lowbit::choose_level_params(0, hi, N_x))."""
    steps = levels - 1
    s = float(np.float32(hi) / np.float32(steps))
    q = RoundSTE.apply(torch.clamp(x, 0.0, s * steps) / s)
    return q * s


def fold_bn(net):
    f = Net(bn=False)
    with torch.no_grad():
        for conv, bn, out in zip(net.convs, net.bns, f.convs):
            g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            out.weight.copy_(conv.weight * g[:, None, None, None])
            out.bias.copy_(bn.bias - bn.running_mean * g)
        f.fc.load_state_dict(net.fc.state_dict())
    return f


def to_tensor(images):
    return torch.from_numpy(im.normalize(images)[:, None])


@torch.no_grad()
def predict(net, images, batch=1000):
    net.eval()
    out = [net(to_tensor(images[i:i + batch])) for i in range(0, len(images), batch)]
    return torch.cat(out).numpy()


@torch.no_grad()
def activations(net, images):
    """Post-ReLU outputs of conv layers 1..5 (the inputs of layers 2..6), float model."""
    net.eval()
    x = to_tensor(images)
    acts = []
    for i, conv in enumerate(net.convs):
        x = F.relu(conv(x))
        acts.append(x.numpy().ravel())
    return acts[:-1]
