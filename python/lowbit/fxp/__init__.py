"""Fixed-point per-layer post-training quantization (Goyal et al. 2021) on Fashion-MNIST.

data -> models -> train -> quantizer/search -> cost -> report; `python3 -m lowbit fxp ...` (or
`python3 -m lowbit.fxp ...`) runs it. See docs/fixed-point.md.
"""
