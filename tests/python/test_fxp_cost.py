"""The cost model reproduces the published Fashion-MNIST savings from the published bitwidths."""
import pytest

pytest.importorskip("torch")

from lowbit.fxp import cost, models, published, report  # noqa: E402


def sizes(network):
    return cost.layer_sizes(models.build(network), models.INPUT_SIZE[network])


def test_sequential_published_figures():
    result = cost.config_savings(sizes("sequential"), published.config("sequential"))
    assert result["memory_kb"] == pytest.approx(211.71, abs=0.005)
    assert result["memory_saving_pct"] == pytest.approx(52.64, abs=0.005)
    assert result["mult_saving_pct"] == pytest.approx(70.18, abs=0.005)


def test_branched_both_pairings():
    check = report.cost_check()
    assert check["branched_published_pairing"]["memory_saving_pct"] == pytest.approx(57.0, abs=0.05)
    assert check["branched_published_pairing"]["mult_saving_pct"] == pytest.approx(85.2, abs=0.05)
    assert check["branched_layer_matched"]["memory_saving_pct"] == pytest.approx(51.2, abs=0.1)
    assert check["branched_layer_matched"]["mult_saving_pct"] == pytest.approx(76.7, abs=0.1)


def test_all_eight_bits_saves_nothing_and_one_layer_counts_its_own_activation():
    layer = [cost.LayerSize("x", weights=10, biases=2, activations=5, multiplications=100)]
    eight = cost.savings(layer, [8], [8], [8])
    assert eight["memory_saving_pct"] == 0 and eight["mult_saving_pct"] == 0
    four = cost.savings(layer, [4], [8], [2])
    assert four["memory_kb"] == (40 + 16 + 10) / 8 / 1024
    assert four["mult_cost"] == 100 * 4 * 2
