"""The search steps of the authors' OptimizedSearch, on synthetic drop surfaces and a fake network."""
import random

import pytest

from lowbit.fxp import search
from lowbit.fxp.search import LayerSearch, budgets, search_kind


def exact(score):
    """A LayerSearch score function from a plain drop(bw, f): always a full evaluation."""
    return lambda bw, f, limit: (score(bw, f), True)


def surface(limit_bw, limit_f, bump=None):
    """Drop 0 when BW >= limit_bw and F <= limit_f (no clipping / enough bits), else 0.5."""
    def score(bw, f):
        if bump and (bw, f) in bump:
            return bump[(bw, f)]
        return 0.0 if bw >= limit_bw and bw - f >= limit_bw - limit_f else 0.5
    return score


def test_budgets():
    layers = ["a", "b", "c", "d"]
    assert budgets("weights", layers) == pytest.approx({"a": 0.00125, "b": 0.0025,
                                                        "c": 0.00375, "d": 0.005})
    assert set(budgets("biases", layers).values()) == {0.005}
    assert budgets("activations", layers)["d"] == pytest.approx(0.01)


def test_diagonal_takes_one_extra_step_and_keeps_the_lowest_within():
    calls = []

    def score(bw, f):
        calls.append((bw, f))
        return {(6, 3): 0.0, (5, 2): 0.0, (4, 1): 0.2, (3, 0): 0.0}.get((bw, f), 0.9)

    layer = LayerSearch(exact(score), 0.001)
    # (4, 1) fails, the extra step finds (3, 0) within budget: it wins over (5, 2)
    assert layer.diagonal(6, 3) == (3, 0)
    assert calls == [(6, 3), (5, 2), (4, 1), (3, 0)]


def test_diagonal_none_when_nothing_within():
    assert LayerSearch(exact(lambda bw, f: 0.5), 0.001).diagonal(8, 4) is None


def test_lower_bw_only_from_above_two_and_stops_at_first_failure():
    layer = LayerSearch(exact(surface(3, 100)), 0.001)
    assert layer.lower_bw(2, 0) == 2 and layer.scores == {}
    assert layer.lower_bw(6, 0) == 3
    assert sorted(layer.scores) == [(2, 0), (3, 0), (4, 0), (5, 0), (6, 0)]


def test_neighbourhood_first_minimum_in_bw_then_f_order():
    drops = {(3, 1): 0.01, (3, 2): 0.004, (3, 3): 0.004, (4, 1): 0.002, (4, 2): 0.003,
             (4, 3): 0.004, (5, 1): 0.002, (5, 2): 0.0, (5, 3): 0.0}
    layer = LayerSearch(exact(lambda bw, f: drops[(bw, f)]), 0.01)
    assert layer.neighbourhood(4, 2) == (5, 2)
    assert LayerSearch(exact(lambda bw, f: 0.0), 0.01).neighbourhood(1, 0) == (1, -1)  # no BW 0


def test_rule_keeps_lower_bw_unless_the_neighbour_is_much_better():
    # diagonal and BW-alone reach (4, 1) at drop 0.004; (5, 1) is better by 0.001 < 0.0015
    small = {(4, 1): 0.004, (5, 1): 0.003}
    layer = LayerSearch(exact(lambda bw, f: small.get((bw, f), 0.02)), 0.005)
    assert layer.run(5, 2) == (4, 1)
    # ... by 0.002 >= 0.0015: the neighbour wins although it uses one more bit
    large = {(4, 1): 0.004, (5, 1): 0.002}
    layer = LayerSearch(exact(lambda bw, f: large.get((bw, f), 0.02)), 0.005)
    assert layer.run(5, 2) == (5, 1)
    # a neighbour at the same BW wins whatever the difference
    same = {(4, 1): 0.004, (4, 0): 0.0039}
    layer = LayerSearch(exact(lambda bw, f: same.get((bw, f), 0.02)), 0.005)
    assert layer.run(5, 2) == (4, 0)


class FakeNetwork:
    """Drop = sum over quantized layers of a per-layer penalty: 0 at BW >= need, else 0.003 per
    missing bit; records every configuration evaluated."""

    def __init__(self, need):
        self.need, self.seen = need, []

    def __call__(self, config, layer, limit):
        self.seen.append((layer, {k: dict(v) for k, v in config.items()}))
        return sum(0.003 * max(0, self.need[name] - bw)
                   for layers in config.values() for name, (bw, f) in layers.items()), True


def test_search_kind_keeps_choices_fixed_and_layers_after_float():
    net = FakeNetwork({"a": 3, "b": 5, "c": 2})
    order = ["a", "b", "c"]
    chosen, records = search_kind("weights", net, order, {n: (8, 4) for n in order},
                                  {"biases": {"a": (4, 2)}}, log=lambda line: None)
    # a: the diagonal stops at (3, -1); its neighbour (3, -2) is as good at the same BW and wins.
    # b: the diagonal reaches (4, 0) at drop 0.003 (budget 0.0033); (5, -1) is better by 0.003.
    # c: (1, -3) costs 0.003 (budget 0.005); (2, -4) is better by 0.003 >= 0.0015.
    assert chosen == {"a": (3, -2), "b": (5, -1), "c": (2, -4)}
    assert all(r["within_budget"] for r in records.values())
    for layer, config in net.seen:
        assert config["biases"] == {"a": (4, 2)}  # the earlier kind stays in every evaluation
        assert set(config["weights"]) == set(order[:order.index(layer) + 1])
        if layer == "c":
            assert config["weights"]["a"] == (3, -2) and config["weights"]["b"] == (5, -1)


def test_search_kind_resumed_from_a_checkpoint_equals_one_run():
    order, start = ["a", "b", "c"], {n: (8, 4) for n in ["a", "b", "c"]}
    whole = search_kind("weights", FakeNetwork({"a": 3, "b": 5, "c": 2}), order, start, {},
                        log=lambda line: None)
    saved = []
    search_kind("weights", FakeNetwork({"a": 3, "b": 5, "c": 2}), order, start, {},
                log=lambda line: None, on_layer=lambda chosen, records: saved.append(dict(records)))
    assert [list(records) for records in saved] == [["a"], ["a", "b"], ["a", "b", "c"]]
    net = FakeNetwork({"a": 3, "b": 5, "c": 2})
    resumed = search_kind("weights", net, order, start, {}, log=lambda line: None, done=saved[1])
    assert resumed == whole
    assert {layer for layer, _ in net.seen} == {"c"}  # the checkpointed layers are not searched again


def test_search_kind_independent_quantizes_one_layer_at_a_time():
    net = FakeNetwork({"a": 3, "b": 5})
    search_kind("weights", net, ["a", "b"], {"a": (8, 4), "b": (8, 4)}, {"biases": {"a": (4, 2)}},
                independent=True, log=lambda line: None)
    assert all(list(config) == ["weights"] and list(config["weights"]) == [layer]
               for layer, config in net.seen)


def test_search_kind_keeps_start_when_nothing_fits():
    chosen, records = search_kind("weights", lambda config, layer, limit: (0.5, True), ["a"], {"a": (8, 4)}, {},
                                  log=lambda line: None)
    assert chosen == {"a": (8, 4)} and not records["a"]["within_budget"]


def test_start_bitwidths_are_the_authors():
    assert search.START_BW == {"weights": 12, "biases": 8, "activations": 12}


def test_early_stopped_evaluations_give_the_same_choices():
    """A point evaluated only until its drop is sure to exceed the limit (a lower bound just above
    it) never changes what the search picks, on random drop surfaces."""
    rng = random.Random(7)
    for trial in range(300):
        need = rng.randint(1, 6)
        noise = {}

        def drop(bw, f):
            if (bw, f) not in noise:
                clip = max(0, (bw - f) - (need + 3)) + max(0, need - bw)
                noise[(bw, f)] = 0.004 * clip + rng.choice([0.0, 0.0005, 0.001, 0.002])
            return noise[(bw, f)]

        def bounded(bw, f, limit):
            true = drop(bw, f)
            if limit is not None and true > limit:
                return limit + (true - limit) * rng.random() + 1e-12, False
            return true, True

        start = (rng.randint(6, 12), rng.randint(0, 8))
        budget = rng.choice([0.0005, 0.002, 0.005])
        full = LayerSearch(exact(drop), budget).run(*start)
        assert LayerSearch(bounded, budget).run(*start) == full, trial
