"""Fashion-MNIST from Debian's `dataset-fashion-mnist` package, checked by SHA-256.

The IDX files are read as they are shipped (gzip); a file whose digest differs is refused, so every
accuracy in fxp.json is on the same bytes.
"""
import gzip
import hashlib
import os

import numpy as np

DATA_DIR = os.environ.get("LOWBIT_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")

# SHA-256 of the four files of dataset-fashion-mnist 0.0~git20200523.55506a9-1 (Debian 12).
SHA256 = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}
PREFIX = {"train": "train", "test": "t10k"}


class DatasetError(RuntimeError):
    """The data set is missing or its bytes are not the ones this project was run on."""


def checked_bytes(path, expected_sha256):
    """The file's bytes, after checking its SHA-256."""
    if not os.path.exists(path):
        raise DatasetError(f"{path} is missing: install Debian's dataset-fashion-mnist "
                           "(scripts/install-deps.sh)")
    with open(path, "rb") as handle:
        raw = handle.read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected_sha256:
        raise DatasetError(f"{path}: SHA-256 {digest}, expected {expected_sha256}")
    return raw


def parse_idx(raw):
    """An IDX array (magic 0x0000 08 <ndim>, big-endian uint32 dims, unsigned bytes)."""
    if raw[:3] != b"\x00\x00\x08":
        raise DatasetError("not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise DatasetError(f"IDX size {data.size} does not match dims {dims}")
    return data.reshape(dims)


def load_split(split, data_dir=DATA_DIR):
    """(images uint8 [N, 28, 28], labels int64 [N]) of 'train' or 'test'."""
    arrays = []
    for kind in ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"):
        name = f"{PREFIX[split]}-{kind}"
        raw = checked_bytes(os.path.join(data_dir, name), SHA256[name])
        arrays.append(parse_idx(gzip.decompress(raw)))
    images, labels = arrays
    if images.shape[0] != labels.shape[0]:
        raise DatasetError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images, labels.astype(np.int64)


def to_float(images):
    """NCHW float32 in [0, 1], as the authors' `x / 255.`"""
    return (images.astype(np.float32) / 255.0)[:, None, :, :]
