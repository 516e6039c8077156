"""Response, error-free zone, coverage at <= 0.1% error and Spearman's rho."""
import numpy as np

from lowbit.distortion import metrics


def test_log_odds_orders_as_the_response_without_saturating():
    logits = np.array([[5.0, 1.0, 0.0], [60.0, 0.0, -1.0], [80.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    r = metrics.response(logits)
    odds = metrics.response_log_odds(logits)
    assert np.allclose(odds[[0, 3]], np.log(r[[0, 3]] / (1 - r[[0, 3]])))
    assert r[1] == r[2] == 1.0 and odds[2] > odds[1]  # r saturates, the log-odds do not


def test_error_free_zone_counts_samples_above_the_best_error():
    score = np.array([9.0, 8.0, 7.0, 6.0, 5.0, 4.0])
    correct = np.array([True, True, False, True, False, True])
    assert metrics.error_free_zone(score, correct) == 2 / 6
    assert metrics.error_free_zone(score, np.ones(6, bool)) == 1.0
    assert metrics.error_free_zone(score, ~np.eye(6, dtype=bool)[0]) == 0.0


def test_coverage_at_error_allows_one_error_per_thousand():
    n = 3000
    score = -np.arange(n, dtype=np.float64)
    correct = np.ones(n, bool)
    correct[[500, 1200, 2998, 2999]] = False
    # 2 errors among the first 2998 (<= 0.1%); 3 among 2999 is 0.1003%
    assert metrics.coverage_at_error(score, correct) == 2998 / n
    correct[[1201, 1202]] = False
    # errors at 500, 1200-1202: the first 1000 may hold one, the first 1200 only one
    assert metrics.coverage_at_error(score, correct) == 1200 / n


def test_coverage_keeps_ties_together():
    score = np.array([2.0, 1.0, 1.0, 1.0])
    correct = np.array([True, True, False, True])
    assert metrics.coverage_at_error(score, correct, max_error=0.0) == 0.25


def test_risk_coverage_curve():
    cov, risk = metrics.risk_coverage(np.array([3.0, 2.0, 1.0]), np.array([True, False, True]))
    assert list(cov) == [1 / 3, 2 / 3, 1.0] and list(risk) == [0.0, 0.5, 1 / 3]


def test_measure_on_a_planted_dependence():
    rng = np.random.Generator(np.random.PCG64(0))
    sigmas = np.repeat([0.0, 1.0, 2.0], 200)
    labels = rng.integers(0, 10, 600)
    logits = rng.normal(0, 0.1, (600, 10))
    logits[np.arange(600), labels] += 8.0 - 3.0 * sigmas  # confidence falls with sigma
    m = metrics.measure(logits, labels, sigmas, (0.0, 1.0, 2.0))
    assert m["accuracy_pct"] == 100.0 and m["error_free_zone_pct"] == 100.0
    assert m["spearman_rho"] < -0.8 and m["spearman_p"] < 1e-10
    assert m["mean_response_by_sigma"][0] > m["mean_response_by_sigma"][2]
