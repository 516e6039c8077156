"""The fixed-point quantizer: numpy's round half to even, symmetric clipping, BW = 1, start offset."""
import numpy as np
import pytest

from lowbit.fxp.quantizer import code_limit, no_clip_offset, quantize_array


def test_rounds_half_to_even_like_numpy():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.25])
    assert quantize_array(x, 8, 0).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 0.0]
    # F = 1: steps of 0.5, so 0.25 and 0.75 are the ties
    assert quantize_array(np.array([0.25, 0.75]), 8, 1).tolist() == [0.0, 1.0]


def test_clips_symmetrically_to_bw():
    assert code_limit(3) == 3 and code_limit(8) == 127
    assert quantize_array(np.array([10.0, -10.0]), 3, 0).tolist() == [3.0, -3.0]
    assert quantize_array(np.array([1.0, -1.0]), 4, 4).tolist() == [7 / 16, -7 / 16]


def test_bw_one_zeroes_and_negative_f_scales_up():
    assert not quantize_array(np.array([3.0, -7.0]), 1, 0).any()
    assert quantize_array(np.array([5.0, 6.0]), 8, -1).tolist() == [4.0, 6.0]  # 2.5 -> 2, 3 -> 3


def test_no_clip_offset():
    assert no_clip_offset(8, 0.9) == 7
    assert no_clip_offset(8, 1.0) == 7
    assert no_clip_offset(8, 1.5) == 6
    assert no_clip_offset(12, 0.01) == 11 + 6  # ceil(log2 0.01) = -6
    assert quantize_array(np.array([1.5]), 8, no_clip_offset(8, 1.5)).tolist() == [1.5]


def test_torch_matches_numpy():
    torch = pytest.importorskip("torch")
    from lowbit.fxp.quantizer import quantize_tensor
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 2, 1000), np.arange(-8, 8) + 0.5]).astype(np.float32)
    for bw, f in [(1, 0), (2, 0), (4, 2), (8, 5), (5, -2), (12, 14)]:
        expected = quantize_array(x, bw, f).astype(np.float32)
        assert np.array_equal(quantize_tensor(torch.from_numpy(x), bw, f).numpy(), expected)
