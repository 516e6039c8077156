"""An A/B results file split back into its two sides and judged by the regression gate.

The gate is lowbit.regress, unchanged: per cell, a median change beyond the threshold AND a
one-sided Mann-Whitney U test at alpha; absolute or ratio (kernel / float32) mode; another CPU
model, compiler, flags or architecture on one side makes the verdict inconclusive.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Optional, Tuple

from lowbit import regress
from lowbit.ab.rounds import SIDES
from lowbit.results import Results, ResultsError, read_json, results_from_document

# From the A/A calibration in docs/reports.md: the false positives of a loaded machine are
# preemption outliers (+50 % to +500 %) that no threshold between 2 % and 50 % filters, so the
# threshold stays at the gate's 10 % and alpha is lowered from 0.01 (5 of 12 A/A runs failed) to
# 0.001 (none failed; an injected 30 % slowdown still failed 3 runs of 4).
DEFAULT_THRESHOLD = 0.10
DEFAULT_ALPHA = 0.001


def fewest_rounds(alpha: float) -> int:
    """Fewest samples per side with which a one-sided U test can reject at alpha at all: the
    smallest p it gives for n against n is 1 / C(2n, n) (5 for 0.01, 7 for 0.001)."""
    n = 1
    while 1 / math.comb(2 * n, n) >= alpha:
        n += 1
    return n


@dataclasses.dataclass
class Verdict:
    base: Results
    head: Results
    report: regress.Report
    section: dict   # context.qbench.ab: rounds, pinned CPU, config, each side's revision
    mode: str
    threshold: float
    alpha: float

    @property
    def exit_status(self) -> int:
        return self.report.exit_status


def ab_section(path: Path, document: object) -> dict:
    """context.qbench.ab of an A/B results file; ResultsError when the file is not one."""
    try:
        section = document["context"]["qbench"]["ab"]
        sides = section["sides"]
    except (TypeError, KeyError):
        raise ResultsError(path, "not an A/B results file (no context.qbench.ab.sides): "
                                 "judge a plain results file with `lowbit regress`") from None
    for side in SIDES:
        if not isinstance(sides.get(side), dict) or not isinstance(sides[side].get("qbench"), dict):
            raise ResultsError(path, f"context.qbench.ab.sides.{side}.qbench is missing")
    return section


def split_sides(path) -> Tuple[Results, Results, dict]:
    """The base and head results of one A/B file, each as if qbench had written it alone, and
    its context.qbench.ab."""
    path = Path(path)
    document = read_json(path)
    section = ab_section(path, document)
    halves = []
    for side in SIDES:
        prefix = f"{side}/"
        entries = []
        for entry in document.get("benchmarks") or []:
            if isinstance(entry, dict) and entry.get("ab_side") == side:
                entry = dict(entry, name=str(entry.get("name", "")).removeprefix(prefix))
                if "run_name" in entry:
                    entry["run_name"] = str(entry["run_name"]).removeprefix(prefix)
                entries.append(entry)
        info = section["sides"][side]
        context = dict(info.get("context") or {}, qbench=info["qbench"])
        halves.append(results_from_document(path.with_name(f"{path.name}#{side}"),
                                             {"context": context, "benchmarks": entries}))
    return halves[0], halves[1], section


def judge(path, mode: str = "absolute", threshold: float = DEFAULT_THRESHOLD,
          alpha: float = DEFAULT_ALPHA, min_repetitions: Optional[int] = None) -> Verdict:
    if min_repetitions is None:
        min_repetitions = max(regress.MIN_REPETITIONS, fewest_rounds(alpha))
    base, head, section = split_sides(path)
    report = regress.compare(base, head, mode, threshold, alpha, min_repetitions)
    return Verdict(base, head, report, section, mode, threshold, alpha)
