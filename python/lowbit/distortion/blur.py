"""Gaussian blur with a per-image sigma, the experiment's distortion.

Each image gets its own normalised, sampled Gaussian kernel, k(i) proportional to
exp(-i^2 / (2 sigma^2)) for |i| <= ceil(3 sigma) (sigma = 0: the identity), applied separably
(rows, then columns) in float64 with zero padding: the paper is 0 beyond the 32x32 canvas, so
this equals blurring the digit on an unbounded blank page and cropping. The result is rounded to
8-bit pixels, as a camera would deliver it; training, validation and test all see such images.

The level the training-only layers see is t = sigma / SIGMA_MAX in [0, 1].
"""
import numpy as np

SIGMA_MAX = 3.0
# The test (and validation) grid: sigma = 0, 0.5, ..., 3 pixels.
SIGMA_GRID = tuple(0.5 * i for i in range(7))


def kernels(sigmas, radius):
    """(N, 2 radius + 1) float64 kernels, each summing to 1."""
    sigmas = np.asarray(sigmas, np.float64)[:, None]
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)[None, :]
    safe = np.where(sigmas > 0, sigmas, 1.0)
    k = np.exp(-offsets ** 2 / (2 * safe ** 2))
    k = np.where(np.abs(offsets) <= np.ceil(3 * sigmas), k, 0.0)
    k = np.where(sigmas > 0, k, (offsets == 0).astype(np.float64))
    return k / k.sum(axis=1, keepdims=True)


def blur_along_last(x, k):
    """x (N, H, W), k (N, K): per-image 1-D convolution along W (the kernel is symmetric)."""
    radius = k.shape[1] // 2
    padded = np.pad(x, ((0, 0), (0, 0), (radius, radius)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, k.shape[1], axis=2)
    return np.einsum("nhwk,nk->nhw", windows, k)


def blur(images, sigmas):
    """uint8 (N, H, W) images blurred with sigma[n] each -> uint8 (N, H, W)."""
    images = np.asarray(images)
    sigmas = np.asarray(sigmas, np.float64)
    if sigmas.shape != (len(images),) or sigmas.min(initial=0) < 0:
        raise ValueError("one sigma >= 0 per image is required")
    radius = int(np.ceil(3 * sigmas.max(initial=0)))
    k = kernels(sigmas, radius)
    x = images.astype(np.float64)
    x = blur_along_last(x, k)
    x = blur_along_last(x.transpose(0, 2, 1), k).transpose(0, 2, 1)
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def draw_sigmas(rng, count):
    """Training sigmas: uniform on [0, SIGMA_MAX], drawn afresh for every epoch."""
    return rng.uniform(0.0, SIGMA_MAX, count)


def on_grid(images, labels, grid=SIGMA_GRID):
    """Every image at every grid sigma: (images (G N, H, W), labels (G N,), sigmas (G N,)),
    grid-major."""
    sig = np.repeat(np.asarray(grid, np.float64), len(images))
    tiled = np.tile(np.asarray(images), (len(grid), 1, 1))
    return blur(tiled, sig), np.tile(labels, len(grid)), sig
