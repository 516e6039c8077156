"""How often the gate flags cells, over many A/B files, at several thresholds.

A/A files (a revision against itself): every flagged cell is a false positive, so the rate is
flagged cells / compared cells. Files with a known slowdown of one kernel (--slowed KERNEL): the
detection rate is the slowed kernel's cells judged a regression / its compared cells, and the other
kernels' flagged cells are false positives. docs/reports.md reports both, from this command.
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence

from lowbit import regress
from lowbit.ab.verdict import DEFAULT_ALPHA, fewest_rounds, split_sides

THRESHOLDS = (0.02, 0.05, 0.10, 0.15, 0.20)


@dataclasses.dataclass
class Tally:
    threshold: float
    runs: int = 0
    failed_runs: int = 0          # runs with exit status 1
    cells: int = 0                # compared cells not of the slowed kernel
    flagged: int = 0              # ... of them judged a regression or an improvement
    slowed_cells: int = 0
    detected: int = 0             # slowed kernel's cells judged a regression


def tally(paths: Sequence, thresholds: Sequence[float], mode: str, alpha: float,
          slowed: Optional[str]) -> List[Tally]:
    tallies = [Tally(t) for t in thresholds]
    for path in paths:
        base, head, _ = split_sides(path)
        for t in tallies:
            report = regress.compare(base, head, mode, t.threshold, alpha,
                                     max(regress.MIN_REPETITIONS, fewest_rounds(alpha)))
            t.runs += 1
            t.failed_runs += report.exit_status == regress.EXIT_REGRESSION
            for c in report.comparisons:
                if c.key.kernel.split("@")[0] == slowed:
                    t.slowed_cells += 1
                    t.detected += c.verdict == "regression"
                else:
                    t.cells += 1
                    t.flagged += c.verdict != "unchanged"
    return tallies


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def table(tallies: Sequence[Tally], slowed: Optional[str]) -> str:
    header = "| threshold | runs | runs failing (exit 1) | cells flagged / cells (false positives) |"
    rule = "|---:|---:|---:|---:|"
    if slowed:
        header += f" {slowed} cells detected |"
        rule += "---:|"
    lines = [header, rule]
    for t in tallies:
        row = (f"| {100 * t.threshold:.0f}% | {t.runs} | {t.failed_runs} | "
               f"{t.flagged} / {t.cells} = {percent(t.flagged, t.cells)} |")
        if slowed:
            row += f" {t.detected} / {t.slowed_cells} = {percent(t.detected, t.slowed_cells)} |"
        lines.append(row)
    return "\n".join(lines) + "\n"


def add_rates_parser(actions) -> None:
    parser = actions.add_parser("rates", help="false-positive and detection rates over A/B files")
    parser.add_argument("results", nargs="+", metavar="AB.json")
    parser.add_argument("--slowed", default=None, metavar="KERNEL",
                        help="the kernel slowed on purpose (its per-path ids count too)")
    parser.add_argument("--mode", choices=("absolute", "ratio"), default="absolute")
    parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA)
    parser.add_argument("--thresholds", default=",".join(f"{t:g}" for t in THRESHOLDS),
                        help="comma-separated (default %(default)s)")
    parser.set_defaults(func=run_rates)


def run_rates(args) -> int:
    thresholds = [float(t) for t in args.thresholds.split(",")]
    print(table(tally(args.results, thresholds, args.mode, args.alpha, args.slowed), args.slowed), end="")
    return 0
