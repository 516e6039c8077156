"""The paper's cost model: memory and multiplication cost of a per-layer fixed-point configuration.

memory = sum over layers of BW_w N_w + BW_b N_b + BW_a N_a bits, N_a the layer's output values per
image (KB = bits / 8 / 1024); multiplication cost = sum over layers of (multiplications per image)
x BW_w x BW_a, BW_a the layer's own output activation bitwidth. Savings are against every tensor at
8 bits. `LayerSize` rows come from the network (`layer_sizes`) or from the published figures.
"""
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class LayerSize:
    name: str
    weights: int
    biases: int
    activations: int  # output values per image
    multiplications: int  # per image


def layer_sizes(model, input_size):
    """Sizes of the model's quantizable layers, in its search order (one float forward pass)."""
    with torch.no_grad():
        model.eval()(torch.zeros(1, 1, input_size, input_size))
    sizes = []
    for name, layer in model.quant_layers():
        count = 1
        for dim in layer.out_shape:
            count *= dim
        sizes.append(LayerSize(name, layer.weight.numel(), layer.bias.numel(), count,
                               layer.multiplications(layer.out_shape)))
    return sizes


def memory_bits(sizes, bw_w, bw_b, bw_a):
    """Memory in bits; the three bitwidth lists are paired with `sizes` by position."""
    return sum(s.weights * w + s.biases * b + s.activations * a
               for s, w, b, a in zip(sizes, bw_w, bw_b, bw_a, strict=True))


def multiplication_cost(sizes, bw_w, bw_a):
    return sum(s.multiplications * w * a for s, w, a in zip(sizes, bw_w, bw_a, strict=True))


def savings(sizes, bw_w, bw_b, bw_a):
    """{'memory_kb', 'memory_saving_pct', 'mult_cost', 'mult_saving_pct'} against all-8-bit."""
    eight = [8] * len(sizes)
    memory = memory_bits(sizes, bw_w, bw_b, bw_a)
    mult = multiplication_cost(sizes, bw_w, bw_a)
    return {"memory_kb": memory / 8 / 1024,
            "memory_saving_pct": 100 * (1 - memory / memory_bits(sizes, eight, eight, eight)),
            "mult_cost": mult,
            "mult_saving_pct": 100 * (1 - mult / multiplication_cost(sizes, eight, eight))}


def config_savings(sizes, config):
    """`savings` of a search result {kind: {layer: (BW, F)}} matched layer by layer by name."""
    lists = [[config[kind][s.name][0] for s in sizes]
             for kind in ("weights", "biases", "activations")]
    return savings(sizes, *lists)
