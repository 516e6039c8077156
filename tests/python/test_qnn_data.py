"""The MRZ data generator is deterministic: same seed -> same bytes (lowbit.qnn.data)."""
import hashlib
import json
import os

import numpy as np
import pytest

from lowbit.qnn import data as qnn_data

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def test_same_seed_same_bytes():
    a_img, a_lab = qnn_data.generate("hard", count=300)
    b_img, b_lab = qnn_data.generate("hard", count=300)
    assert a_img.dtype == np.uint8 and a_img.shape == (300, 32, 32)
    assert a_img.tobytes() == b_img.tobytes()
    assert a_lab.tobytes() == b_lab.tobytes()


def test_other_seed_other_bytes():
    a, _ = qnn_data.generate(profile="mixed", seed=11, count=64)
    b, _ = qnn_data.generate(profile="mixed", seed=12, count=64)
    assert a.tobytes() != b.tobytes()


def test_chunks_do_not_depend_on_set_size():
    a, la = qnn_data.generate("synthetic", count=260)
    b, lb = qnn_data.generate("synthetic", count=300)
    assert a[:256].tobytes() == b[:256].tobytes()
    assert la[:256].tobytes() == lb[:256].tobytes()


def test_test_sets_are_balanced_and_sized():
    profile, seed, count = qnn_data.SETS["synthetic"]
    assert count % len(qnn_data.CLASSES) == 0 and 2000 <= count <= 10000
    _, lab = qnn_data.generate("synthetic", count=72)
    assert np.bincount(lab, minlength=36).tolist() == [2] * 36


def test_dataset_file_round_trip(tmp_path):
    img, lab = qnn_data.generate("hard", count=40)
    path = str(tmp_path / "x.qnnd")
    qnn_data.write_dataset(path, "hard", img, lab)
    name, img2, lab2 = qnn_data.read_dataset(path)
    assert name == "hard" and img2.tobytes() == img.tobytes() and lab2.tobytes() == lab.tobytes()
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 1)
    with pytest.raises(ValueError, match="x.qnnd"):
        qnn_data.read_dataset(path)


def test_recorded_digests_when_library_versions_match():
    """configs/qnn-mrz.json records SHA-256 digests of the first chunk of each test set and the
    library versions they were taken with; on the same versions the bytes must be identical."""
    with open(os.path.join(ROOT, "configs", "qnn-mrz.json")) as f:
        cfg = json.load(f)
    rec = cfg["data"]["digests"]
    if rec["versions"] != qnn_data.versions():
        pytest.skip(f"library versions differ from the recorded ones: {qnn_data.versions()}")
    for name, digest in rec["first_chunk_sha256"].items():
        img, lab = qnn_data.generate(name, count=qnn_data.CHUNK)
        got = hashlib.sha256(qnn_data.dataset_bytes(name, img, lab)).hexdigest()
        assert got == digest, name
