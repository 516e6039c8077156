"""Speedups of one kernel over another, measured and in the paper: the numbers behind the tables,
plots and report.

The paper's "float32" is the faster of Eigen column-major and row-major per shape, and so is ours
(:meth:`Measured.best_float`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Dict, List, Optional, Sequence, Tuple

from lowbit.results import PAPER_KERNELS, Results, Shape, order_kernels

FLOAT_KERNELS = ("float32", "float32_rowmajor")
MISSING = "-"


@dataclasses.dataclass(frozen=True)
class Speedup:
    """Speedup of `fast` over `slow` (t_slow / t_fast), with the paper's pair if it has one."""

    fast: str
    slow: str
    paper: Optional[Tuple[str, str]]
    claim: str = ""  # a published figure that is not per shape (shown in the comparison table)

    @property
    def name(self) -> str:
        return f"{self.fast} vs {self.slow}"


# The speedups the paper reports or implies, in table order.  gemmlowp is
# compared with the paper's uint8 column, which the paper calls "similar to gemmlowp".
SPEEDUPS_VS_FLOAT = (
    Speedup("int32", "float32", ("int32", "float32")),
    Speedup("uint8", "float32", ("uint8", "float32")),
    Speedup("uint4", "float32", ("uint4", "float32")),
    Speedup("uint8_gemmlowp", "float32", ("uint8", "float32")),
)
SPEEDUPS_VS_UINT8 = (
    Speedup("uint4", "uint8", ("uint4", "uint8")),
    Speedup("uint4", "uint8_gemmlowp", ("uint4", "uint8")),
)
# The 4.6-bit paper (Trusov et al. 2024, ARMv8): 1.5-1.6x faster than 8-bit, 4% slower than 4-bit
# ("uint4 vs uint4_6" = t_uint4_6 / t_uint4 = 1.04).
FOUR_SIX = "uint4_6"
SPEEDUPS_4_6 = (
    Speedup(FOUR_SIX, "uint8", None, "1.5-1.6 (2024)"),
    Speedup(FOUR_SIX, "uint8_gemmlowp", None),
    Speedup("uint4", FOUR_SIX, None, "1.04 (2024)"),
)



# --- numbers ------------------------------------------------------------------------------

def geometric_mean(values: Sequence[float]) -> Optional[float]:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def format_metric(value: Optional[float]) -> str:
    """Times (us) or instruction counts: 3 significant digits below 100, integers above."""
    if value is None:
        return MISSING
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_ratio(value: Optional[float]) -> str:
    return MISSING if value is None else f"{value:.2f}"


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


class Measured:
    """Median metric per (kernel, shape) for one file and family, with the float32 rule."""

    def __init__(self, results: Results, family: str):
        self.results = results
        self.family = family

    def kernel(self, kernel: str, shape: Shape) -> Optional[float]:
        if kernel == "float32":
            return self.best_float(shape)[0]
        return self.results.median(self.family, kernel, shape)

    def best_float(self, shape: Shape) -> Tuple[Optional[float], Optional[str]]:
        """The faster of Eigen column-major and row-major (the paper's float32), and which."""
        candidates = [(self.results.median(self.family, k, shape), k) for k in FLOAT_KERNELS]
        candidates = [(v, k) for v, k in candidates if v is not None]
        return min(candidates) if candidates else (None, None)

    def speedup(self, pair: Speedup, shape: Shape) -> Optional[float]:
        return ratio(self.kernel(pair.slow, shape), self.kernel(pair.fast, shape))


def paper_speedup(reference: Dict[Shape, Dict[str, float]], pair: Speedup,
                  shape: Shape) -> Optional[float]:
    if pair.paper is None or shape not in reference:
        return None
    fast, slow = pair.paper
    return ratio(reference[shape].get(slow), reference[shape].get(fast))


# --- which columns ---------------------------------------------------------------------------

def extra_kernels(all_results: Sequence[Results]) -> List[str]:
    """Kernels beyond the paper's four, in fixed order: gemmlowp always, others when measured."""
    measured = {k for r in all_results for k in r.kernels()}
    extras = [k for k in order_kernels(measured | {"uint8_gemmlowp"})
              if k not in PAPER_KERNELS and k not in FLOAT_KERNELS]
    return extras


def speedups_vs_float(extras: Sequence[str]) -> List[Speedup]:
    listed = {s.fast for s in SPEEDUPS_VS_FLOAT}
    return list(SPEEDUPS_VS_FLOAT) + [Speedup(k, "float32", None) for k in extras if k not in listed]
