"""The Fashion-MNIST loader refuses files whose SHA-256 differs, and parses IDX."""
import gzip
import hashlib
import os

import numpy as np
import pytest

from lowbit.fxp import data


def idx_bytes(array):
    header = b"\x00\x00\x08" + bytes([array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_parse_idx_roundtrip():
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(data.parse_idx(idx_bytes(array)), array)
    with pytest.raises(data.DatasetError):
        data.parse_idx(idx_bytes(array)[:-1])


def test_checksum_mismatch_is_refused(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(10, dtype=np.uint8))))
    with pytest.raises(data.DatasetError, match="SHA-256"):
        data.checked_bytes(str(path), data.SHA256["t10k-labels-idx1-ubyte.gz"])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert data.checked_bytes(str(path), digest) == path.read_bytes()


def test_missing_file_names_the_package(tmp_path):
    with pytest.raises(data.DatasetError, match="dataset-fashion-mnist"):
        data.load_split("test", str(tmp_path))


@pytest.mark.skipif(not os.path.isdir(data.DATA_DIR), reason="dataset-fashion-mnist not installed")
def test_real_test_split():
    images, labels = data.load_split("test")
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,)
    assert np.bincount(labels).tolist() == [1000] * 10
