"""Measures of a network's responses on the blurred test grid.

The response r is the largest softmax probability. In float64 it rounds to exactly 1 once the
logit margin passes ~37, which would tie many samples; rankings therefore use its log-odds
log(r / (1 - r)) = z_max - logsumexp(z_j, j != max), which orders samples as r does, without
saturating.
"""
import numpy as np
from scipy import stats

MAX_ERROR = 0.001  # coverage is measured at <= 0.1% error


def log_softmax(logits):
    z = np.asarray(logits, np.float64)
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def response(logits):
    """r = max softmax (float64)."""
    return np.exp(log_softmax(logits).max(axis=1))


def response_log_odds(logits):
    """log(r / (1 - r)), computed without forming 1 - r."""
    z = np.asarray(logits, np.float64)
    top = np.argmax(z, axis=1)
    rest = z.copy()
    rest[np.arange(len(z)), top] = -np.inf
    high = rest.max(axis=1, keepdims=True)
    rest_lse = high[:, 0] + np.log(np.exp(rest - high).sum(axis=1))
    return z[np.arange(len(z)), top] - rest_lse


def error_free_zone(score, correct):
    """Share of samples whose score exceeds the highest score of any misclassified sample
    (1 when nothing is misclassified)."""
    if correct.all():
        return 1.0
    return float((score > score[~correct].max()).mean())


def coverage_at_error(score, correct, max_error=MAX_ERROR):
    """The largest share of samples, taken by decreasing score, whose error rate is <= max_error.
    Samples with equal scores are taken or left together."""
    order = np.argsort(-score, kind="stable")
    s, wrong = score[order], ~correct[order]
    errors = np.cumsum(wrong)
    # a cut after position i is allowed only where the next score is lower (no split ties)
    cut_ok = np.append(s[1:] < s[:-1], True)
    counts = np.arange(1, len(s) + 1)
    ok = cut_ok & (errors <= max_error * counts)
    return float(counts[ok].max() / len(s)) if ok.any() else 0.0


def risk_coverage(score, correct):
    """(coverage, risk) arrays of the curve: keep the k highest scores, k = 1..N."""
    order = np.argsort(-score, kind="stable")
    counts = np.arange(1, len(score) + 1)
    return counts / len(score), np.cumsum(~correct[order]) / counts


def spearman(values, sigmas):
    """(rho, p-value) of Spearman's correlation (scipy; ties get average ranks)."""
    result = stats.spearmanr(values, sigmas)
    return float(result.correlation), float(result.pvalue)


def measure(logits, labels, sigmas, grid):
    """The figures of one network on the grid (percentages in 0..100)."""
    correct = np.argmax(logits, axis=1) == labels
    score = response_log_odds(logits)
    r = response(logits)
    top_logit = np.asarray(logits, np.float64).max(axis=1)
    rho, p = spearman(r, sigmas)
    rho_logit, p_logit = spearman(top_logit, sigmas)
    return {
        "accuracy_pct": 100.0 * correct.mean(),
        "accuracy_by_sigma_pct": [100.0 * correct[sigmas == s].mean() for s in grid],
        "mean_response_by_sigma": [float(r[sigmas == s].mean()) for s in grid],
        "error_free_zone_pct": 100.0 * error_free_zone(score, correct),
        "error_free_zone_max_logit_pct": 100.0 * error_free_zone(top_logit, correct),
        "coverage_at_0_1pct_error_pct": 100.0 * coverage_at_error(score, correct),
        "spearman_rho": rho, "spearman_p": p,
        "spearman_rho_max_logit": rho_logit, "spearman_p_max_logit": p_logit,
    }
