"""Accuracy of a trained network under a fixed-point configuration, with the unchanged prefix cached.

A configuration maps kind -> {layer: (BW, F)}; a layer absent from it stays float. Weights and biases
are quantized from the float copies kept here, activations by the layers' `act_format`. The search
changes one layer at a time, so the network's output up to the segment holding that layer is kept
(keyed by the configuration of everything before it) and only the rest is run again.
"""
import math
import os

import numpy as np
import torch

from lowbit.fxp.quantizer import no_clip_offset, quantize_tensor

# Images per forward pass. Small batches keep each layer's maps small: with 250 the branched
# network's 20x48x48 maps are 46 MB a batch and a pass over 10,000 images took 7-13x as long
# (sequential: 4.7x) on a Zen 5 core; 25 gives the same logits.
BATCH = 25


def cache_bytes():
    """The largest prefix kept: a quarter of the free memory, at least 1.6 GB (a 32x26x26 map of
    10,000 images is 0.87 GB, the branched network's 20x48x48 stem output 1.84 GB)."""
    free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return max(1_600_000_000, free // 4)


def state_bytes(state):
    """Bytes of the tensors in a segment's output: a map, or a tuple / dict state holding maps."""
    if torch.is_tensor(state):
        return state.numel() * state.element_size()
    if isinstance(state, dict):
        state = state.values()
    return sum(state_bytes(part) for part in state) if isinstance(state, (tuple, list)) else 0


class Evaluator:
    def __init__(self, model, images, labels, batch=BATCH):
        self.model = model.eval()
        self.layers = dict(model.quant_layers())
        self.segments = model.segments()
        self.segment_of = {name: i for i, (names, _) in enumerate(self.segments) for name in names}
        self.images = torch.from_numpy(np.ascontiguousarray(images))
        self.labels = torch.from_numpy(labels)
        self.batch = batch
        self.float_params = {name: (layer.weight.detach().clone(), layer.bias.detach().clone())
                             for name, layer in self.layers.items()}
        self.cache_key, self.cache = None, None
        self.cache_limit = cache_bytes()
        self.evaluations = 0
        self.float_acc = self.accuracy({})

    def apply(self, config):
        for name, layer in self.layers.items():
            weight, bias = self.float_params[name]
            w_format = config.get("weights", {}).get(name)
            b_format = config.get("biases", {}).get(name)
            with torch.no_grad():
                layer.weight.copy_(weight if w_format is None else quantize_tensor(weight, *w_format))
                layer.bias.copy_(bias if b_format is None else quantize_tensor(bias, *b_format))
            layer.act_format = config.get("activations", {}).get(name)

    def prefix_key(self, config, start):
        names = [n for names, _ in self.segments[:start] for n in names]
        return start, tuple((kind, n, config.get(kind, {}).get(n)) for kind in sorted(config)
                            for n in names)

    @torch.no_grad()
    def run(self, start, inputs):
        x = inputs
        for _, step in self.segments[start:]:
            x = step(x)
        return x

    @torch.no_grad()
    def prefix(self, config, start):
        """Per-batch inputs of segment `start` under `config` (cached when small enough)."""
        if start == 0:
            return None
        key = self.prefix_key(config, start)
        if key == self.cache_key:
            return self.cache
        self.cache_key, self.cache = None, None  # free the old prefix first
        outputs = []
        for i in range(0, len(self.labels), self.batch):
            x = self.images[i:i + self.batch]
            for _, step in self.segments[:start]:
                x = step(x)
            outputs.append(x)
        self.cache_key, self.cache = key, outputs
        return outputs

    def start_segment(self, config, layer):
        """Cache from the segment holding `layer`, if that prefix fits in `cache_limit`."""
        if layer is None:
            return 0
        start = self.segment_of[layer]
        with torch.no_grad():
            probe = self.images[:1]
            for _, step in self.segments[:start]:
                probe = step(probe)
        return start if state_bytes(probe) * len(self.labels) <= self.cache_limit else 0

    @torch.no_grad()
    def correct(self, config, layer=None, max_errors=None):
        """Images classified right under `config` (`layer` is the one that changed), or None as
        soon as more than `max_errors` are wrong."""
        self.apply(config)
        start = self.start_segment(config, layer)
        cached = self.prefix(config, start)
        right, seen = 0, 0
        self.evaluations += 1
        for index, i in enumerate(range(0, len(self.labels), self.batch)):
            inputs = self.images[i:i + self.batch] if cached is None else cached[index]
            logits = self.run(start, inputs)
            right += int((logits.argmax(1) == self.labels[i:i + self.batch]).sum())
            seen += len(inputs)
            if max_errors is not None and seen - right > max_errors:
                return None
        return right

    def accuracy(self, config, layer=None):
        """Top-1 accuracy (fraction) under `config`."""
        return self.correct(config, layer) / len(self.labels)

    def drop(self, config, layer=None, limit=None):
        """(relative accuracy drop against the float network, exact).

        With `limit`, the evaluation stops once the drop is sure to exceed it and returns a lower
        bound above `limit` with exact = False; the search only needs to know that such a point
        is out (over budget, or worse than a point already in hand), so its choices are those
        of full evaluations."""
        count = len(self.labels)
        max_errors = None
        if limit is not None:  # drop <= limit  <=>  errors <= count (1 - float_acc (1 - limit))
            max_errors = math.floor(count * (1 - self.float_acc * (1 - limit)) + 1e-9)
        right = self.correct(config, layer, max_errors)
        if right is None:
            return (self.float_acc - (count - max_errors - 1) / count) / self.float_acc, False
        return (self.float_acc - right / count) / self.float_acc, True

    @torch.no_grad()
    def activation_max(self, count=250):
        """max |activation| per layer over the first `count` images (float network)."""
        self.apply({})
        peaks = {}

        def record(layer, y):
            name = next(n for n, l in self.layers.items() if l is layer)
            peaks[name] = max(peaks.get(name, 0.0), float(y.abs().max()))

        for layer in self.layers.values():
            layer.recorder = record
        try:
            self.run(0, self.images[:count])
        finally:
            for layer in self.layers.values():
                layer.recorder = None
        return peaks

    def start_offsets(self, kind, bw, activation_peaks):
        """The no-clipping F of every layer at bitwidth `bw` (the authors' fixed-bitwidth start)."""
        offsets = {}
        for name, (weight, bias) in self.float_params.items():
            peak = {"weights": lambda: float(weight.abs().max()),
                    "biases": lambda: float(bias.abs().max()),
                    "activations": lambda: activation_peaks[name]}[kind]()
            offsets[name] = (bw, no_clip_offset(bw, peak))
        return offsets
