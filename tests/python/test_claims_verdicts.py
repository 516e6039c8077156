"""The verdict rules of lowbit.claims.verdicts on hand-made check outcomes."""

from lowbit.claims.verdicts import (NOT_MEASURABLE, NOT_REPRODUCED, PARTLY, REPRODUCED, Outcome,
                                    arch_family, holds, verdict)

AT_LEAST_2 = {"name": "speedup", "at_least": 2.0}
AT_MOST_1 = {"name": "drop", "at_most": 1.0}
TIMING_CLAIM = {"id": "t", "platform_arch": "armv7"}
PLAIN_CLAIM = {"id": "p", "platform_arch": None}


def measured(check, value, arch=None):
    return Outcome(check, value, evidence={}, arch=arch)


def absent(check, reason="x.json is not in the run directory"):
    return Outcome(check, None, reason=reason)


def test_bounds_are_inclusive_and_one_sided():
    assert holds(AT_LEAST_2, 2.0) and holds(AT_LEAST_2, 9.0) and not holds(AT_LEAST_2, 1.99)
    assert holds(AT_MOST_1, 1.0) and holds(AT_MOST_1, -3.0) and not holds(AT_MOST_1, 1.01)
    both = {"name": "b", "at_least": 1.0, "at_most": 2.0}
    assert holds(both, 1.5) and not holds(both, 0.5) and not holds(both, 2.5)


def test_checks_alone():
    assert verdict(PLAIN_CLAIM, [measured(AT_LEAST_2, 3.0)])[0] == REPRODUCED
    assert verdict(PLAIN_CLAIM, [measured(AT_LEAST_2, 1.0)])[0] == NOT_REPRODUCED
    assert verdict(PLAIN_CLAIM, [measured(AT_LEAST_2, 3.0), measured(AT_MOST_1, 2.0)])[0] == PARTLY
    assert verdict(PLAIN_CLAIM, [measured(AT_LEAST_2, 3.0), absent(AT_MOST_1)])[0] == PARTLY
    assert verdict(PLAIN_CLAIM, [measured(AT_LEAST_2, 1.0), absent(AT_MOST_1)])[0] == NOT_REPRODUCED
    result, reason = verdict(PLAIN_CLAIM, [absent(AT_LEAST_2), absent(AT_MOST_1)])
    assert result == NOT_MEASURABLE and reason == "x.json is not in the run directory"


def test_a_miss_names_the_value_and_the_bound():
    _result, reason = verdict(PLAIN_CLAIM, [measured(AT_LEAST_2, 1.5)])
    assert "speedup: 1.5, needs >= 2" in reason


def test_unavailable_data_is_the_reason_when_nothing_was_measured():
    claim = dict(PLAIN_CLAIM, unavailable="CIFAR-10 is not available here")
    assert verdict(claim, [absent(AT_MOST_1)]) == (NOT_MEASURABLE, "CIFAR-10 is not available here")


def test_a_timing_on_another_architecture_is_at_best_partly():
    result, reason = verdict(TIMING_CLAIM, [measured(AT_LEAST_2, 3.0, "x86_64")])
    assert result == PARTLY and "x86-64" in reason and "ARMv7" in reason
    result, reason = verdict(TIMING_CLAIM, [measured(AT_LEAST_2, 1.0, "x86_64")])
    assert result == NOT_REPRODUCED and "x86-64" in reason
    assert verdict(TIMING_CLAIM, [measured(AT_LEAST_2, 3.0, "aarch64")])[0] == REPRODUCED
    assert verdict(TIMING_CLAIM, [measured(AT_LEAST_2, 3.0, None)])[0] == PARTLY


def test_stand_in_data_is_at_best_partly():
    claim = dict(PLAIN_CLAIM, substitute="a synthetic set stands in for MIDV-500")
    result, reason = verdict(claim, [measured(AT_MOST_1, 0.5)])
    assert result == PARTLY and "MIDV-500" in reason
    assert verdict(claim, [measured(AT_MOST_1, 5.0)])[0] == NOT_REPRODUCED


def test_a_precondition_that_misses_caps_the_verdict_at_partly():
    trained = {"name": "float accuracy", "at_least": 90.97}
    assert verdict(PLAIN_CLAIM, [measured(AT_MOST_1, 0.5)], conditions=[measured(trained, 92.0)])[0] == REPRODUCED
    result, reason = verdict(PLAIN_CLAIM, [measured(AT_MOST_1, 0.5)], conditions=[measured(trained, 71.4)])
    assert result == PARTLY and "float accuracy: 71.4, needs >= 90.97" in reason
    assert verdict(PLAIN_CLAIM, [measured(AT_MOST_1, 0.5)], conditions=[absent(trained)])[0] == PARTLY
    assert verdict(PLAIN_CLAIM, [measured(AT_MOST_1, 5.0)], conditions=[measured(trained, 71.4)])[0] == NOT_REPRODUCED


def test_the_model_can_only_lift_a_timing_to_partly():
    timing_miss = [measured(AT_LEAST_2, 1.0, "x86_64")]
    assert verdict(TIMING_CLAIM, timing_miss, [measured(AT_LEAST_2, 2.5, "armv7")])[0] == PARTLY
    assert verdict(TIMING_CLAIM, timing_miss, [measured(AT_LEAST_2, 1.5, "armv7")])[0] == NOT_REPRODUCED
    assert verdict(TIMING_CLAIM, timing_miss, [absent(AT_LEAST_2)])[0] == NOT_REPRODUCED
    nothing_timed = [absent(AT_LEAST_2)]
    result, reason = verdict(TIMING_CLAIM, nothing_timed, [measured(AT_LEAST_2, 2.5, "armv7")])
    assert result == PARTLY and "model only" in reason
    assert verdict(TIMING_CLAIM, nothing_timed, [measured(AT_LEAST_2, 1.5, "armv7")])[0] == NOT_REPRODUCED
    assert verdict(TIMING_CLAIM, nothing_timed, [absent(AT_LEAST_2)])[0] == NOT_MEASURABLE
    result, reason = verdict(TIMING_CLAIM, [measured(AT_LEAST_2, 3.0, "x86_64")], [measured(AT_LEAST_2, 2.5, "armv7")])
    assert result == PARTLY and reason.startswith("held, but timed on x86-64") and "model only" not in reason
    on_arm = [measured(AT_LEAST_2, 3.0, "armv7")]
    assert verdict(TIMING_CLAIM, on_arm, [measured(AT_LEAST_2, 1.0, "armv7")])[0] == REPRODUCED


def test_arch_families():
    assert arch_family("armv7") == arch_family("aarch64") == arch_family("armv7l") == "arm"
    assert arch_family("x86_64") == "x86" and arch_family(None) is None
