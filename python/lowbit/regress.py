"""`lowbit regress`: the performance-regression gate: compare two qbench results files from the same machine.

A kernel x shape cell is a regression only when BOTH hold:

* its median is worse than the baseline's by more than --threshold (default
  10 % for time, 2 % for instruction counts), and
* (time only) a one-sided Mann-Whitney U test of the repetitions rejects
  "new is not slower" at --alpha (default 0.01).

Improvements are found the same way in the other direction and reported.

--mode ratio compares, per repetition index, t_kernel / t_float32 of the same
run, so a machine that is uniformly slower or faster today cancels out.
Instruction counts are deterministic: one sample per cell is enough, the
threshold alone decides and no test is made.

Exit status: 0 pass, 1 regression, 2 inconclusive (different machine, compiler,
flags or architecture; too few repetitions; errored or missing data; unusable
input).  2 wins over 1; regressions found are still listed.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import sys
from typing import Dict, List, Optional, Sequence

from scipy.stats import mannwhitneyu

from lowbit import results as qr
from lowbit.provenance import busy

EXIT_PASS, EXIT_REGRESSION, EXIT_INCONCLUSIVE = 0, 1, 2
SAME_MACHINE_FIELDS = ("cpu_model", "compiler", "cxx_flags", "arch")
MIN_REPETITIONS = 5        # below 5 x 5 samples a one-sided U test cannot reach alpha = 0.01
DEFAULT_THRESHOLD = {"time": 0.10, "instructions": 0.02}
RATIO_REFERENCE = "float32"


@dataclasses.dataclass
class Comparison:
    """The verdict on one kernel x shape cell."""

    key: qr.CellKey
    baseline: List[float]
    new: List[float]
    p_slower: Optional[float]
    p_faster: Optional[float]
    verdict: str  # "regression", "improvement", "unchanged"

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def new_median(self) -> float:
        return statistics.median(self.new)

    @property
    def change(self) -> float:
        return self.new_median / self.baseline_median - 1.0

    @property
    def p_value(self) -> Optional[float]:
        """The p-value of the direction the median moved in."""
        return self.p_slower if self.change >= 0 else self.p_faster


@dataclasses.dataclass
class Report:
    comparisons: List[Comparison] = dataclasses.field(default_factory=list)
    inconclusive: List[str] = dataclasses.field(default_factory=list)   # reasons for exit 2
    correctness: List[str] = dataclasses.field(default_factory=list)    # regressions beyond speed
    notes: List[str] = dataclasses.field(default_factory=list)

    def by_verdict(self, verdict: str) -> List[Comparison]:
        return [c for c in self.comparisons if c.verdict == verdict]

    @property
    def exit_status(self) -> int:
        if self.inconclusive:
            return EXIT_INCONCLUSIVE
        if self.by_verdict("regression") or self.correctness:
            return EXIT_REGRESSION
        return EXIT_PASS


def summarise_cells(keys: Sequence[qr.CellKey], all_shapes: Sequence[qr.Shape]) -> str:
    """'int32 (all 18 shapes); uint4 24x1600x100' - cells grouped by family and kernel."""
    groups: Dict[tuple, List[qr.Shape]] = {}
    for key in keys:
        groups.setdefault((key.family, key.kernel), []).append(key.shape)
    parts = []
    for (family, kernel), shapes in sorted(groups.items()):
        name = kernel if family == qr.FAMILY_PER_CALL else f"{family}/{kernel}"
        if len(shapes) > 1 and set(shapes) >= set(all_shapes):
            parts.append(f"{name} (all {len(shapes)} shapes)")
        else:
            parts.append(f"{name} {' '.join(s.label for s in sorted(shapes))}")
    return "; ".join(parts)


# --- rules ------------------------------------------------------------------------------------

def machine_mismatches(baseline: qr.Results, new: qr.Results) -> List[str]:
    """Reasons the two files are not from the same machine and build (empty: comparable)."""
    reasons = []
    if baseline.measure != new.measure:
        reasons.append(f"measure differs: baseline '{baseline.measure}', new '{new.measure}'")
    for field in SAME_MACHINE_FIELDS:
        a, b = baseline.qbench.get(field), new.qbench.get(field)
        if a in (None, "") or b in (None, ""):
            which = "baseline" if a in (None, "") else "new"
            reasons.append(f"context.qbench.{field} is missing in the {which} file")
        elif a != b:
            reasons.append(f"{field} differs: baseline '{a}', new '{b}'")
    return reasons


def cell_samples(results: qr.Results, key: qr.CellKey, mode: str) -> Optional[List[float]]:
    """The samples compared for one cell: raw values, or kernel / float32 per repetition index."""
    cell = results.cells.get(key)
    if cell is None:
        return None
    if mode == "absolute":
        return cell.values
    reference = results.cells.get(qr.CellKey(key.family, RATIO_REFERENCE, key.shape))
    if reference is None:
        return None
    common = sorted(set(cell.samples) & set(reference.samples))
    return [cell.samples[i] / reference.samples[i] for i in common]


def one_sided_p(worse: Sequence[float], better: Sequence[float]) -> float:
    """p-value of 'worse' being stochastically greater than 'better' (Mann-Whitney U)."""
    p = mannwhitneyu(worse, better, alternative="greater").pvalue
    return 1.0 if math.isnan(p) else float(p)


def judge(key: qr.CellKey, baseline: List[float], new: List[float], measure: str,
          threshold: float, alpha: float) -> Comparison:
    comparison = Comparison(key, baseline, new, None, None, "unchanged")
    if measure == "time":
        comparison.p_slower = one_sided_p(new, baseline)
        comparison.p_faster = one_sided_p(baseline, new)
        slower = comparison.p_slower < alpha
        faster = comparison.p_faster < alpha
    else:
        slower = faster = True  # deterministic counts: the threshold alone decides
    if comparison.change > threshold and slower:
        comparison.verdict = "regression"
    elif comparison.change < -threshold and faster:
        comparison.verdict = "improvement"
    return comparison


def compare(baseline: qr.Results, new: qr.Results, mode: str, threshold: float, alpha: float,
            min_repetitions: int) -> Report:
    """Apply every rule of the gate and collect the verdicts and the reasons."""
    report = Report()
    mismatches = machine_mismatches(baseline, new)
    if mismatches:
        report.inconclusive += ["not the same machine and build: " + m for m in mismatches]
        return report
    compare_cells(report, baseline, new, mode, threshold, alpha, min_repetitions)
    note_coverage(report, baseline, new)
    note_run_health(report, baseline, new)
    report.notes += build_differences(baseline, new)
    if not report.comparisons and not report.inconclusive:
        report.inconclusive.append("no cell could be compared (no kernel x shape in both files)")
    return report


def compare_cells(report: Report, baseline: qr.Results, new: qr.Results, mode: str, threshold: float,
                  alpha: float, min_repetitions: int) -> None:
    """A verdict for every cell in both files that has enough samples; the others explained."""
    needed = 1 if baseline.measure == "instructions" else min_repetitions
    too_few = []
    missing_reference = []
    for key in sorted(set(baseline.cells) & set(new.cells)):
        if mode == "ratio" and key.kernel == RATIO_REFERENCE:
            continue
        base, fresh = cell_samples(baseline, key, mode), cell_samples(new, key, mode)
        if base is None or fresh is None:
            missing_reference.append(key)
            continue
        if len(base) < needed or len(fresh) < needed:
            too_few.append(f"{key.label} (baseline {len(base)}, new {len(fresh)})")
            continue
        report.comparisons.append(judge(key, base, fresh, baseline.measure, threshold, alpha))
    if too_few:
        report.inconclusive.append(f"fewer than {needed} repetitions"
                                   f"{' paired with float32' if mode == 'ratio' else ''} in "
                                   f"{len(too_few)} cell(s): " + ", ".join(too_few))
    if missing_reference:
        report.notes.append(f"not compared, no {RATIO_REFERENCE} of the same shape to divide by: "
                            + summarise_cells(missing_reference, all_shapes(baseline, new)))


def all_shapes(baseline: qr.Results, new: qr.Results) -> List[qr.Shape]:
    return sorted({k.shape for k in list(baseline.cells) + list(new.cells)})


def note_coverage(report: Report, baseline: qr.Results, new: qr.Results) -> None:
    """Cells measured in one file only."""
    only_baseline = sorted(set(baseline.cells) - set(new.cells))
    only_new = sorted(set(new.cells) - set(baseline.cells))
    if only_baseline:
        report.notes.append("in the baseline only (not measured now): "
                            + summarise_cells(only_baseline, all_shapes(baseline, new)))
    if only_new:
        report.notes.append("new cells without a baseline: "
                            + summarise_cells(only_new, all_shapes(baseline, new)))


def note_run_health(report: Report, baseline: qr.Results, new: qr.Results) -> None:
    """Interrupted runs, errored entries and verification failures new since the baseline."""
    if new.partial:
        report.inconclusive.append("the new run is partial (interrupted): context.qbench.partial is true")
    if new.errors:
        report.inconclusive.append("the new run has errored entries: "
                                   + "; ".join(f"{n} ({m})" for n, m in new.errors))
    if baseline.errors:
        report.notes.append("errored entries in the baseline: " + ", ".join(n for n, _ in baseline.errors))
    failed_before = {(v.get("kernel"), v.get("shape")) for v in baseline.failed_verifications()}
    for v in new.failed_verifications():
        if (v.get("kernel"), v.get("shape")) not in failed_before:
            report.correctness.append(f"verification failed: {v.get('kernel')} {v.get('shape', '')} "
                                      f"{v.get('message', '')}".rstrip())


def build_differences(baseline: qr.Results, new: qr.Results) -> List[str]:
    """Differences that do not make the files incomparable but explain a change."""
    notes = []
    for field in ("forced_isa", "baseline_flags", "build_type", "weights_mode"):
        a, b = baseline.qbench.get(field), new.qbench.get(field)
        if a != b:
            notes.append(f"{field} differs: baseline '{a}', new '{b}'")
    old_kernels, new_kernels = baseline.qbench.get("kernels") or {}, new.qbench.get("kernels") or {}
    for kernel in qr.order_kernels(set(old_kernels) & set(new_kernels)):
        a = (old_kernels[kernel] or {}).get("implementation") if isinstance(old_kernels[kernel], dict) else None
        b = (new_kernels[kernel] or {}).get("implementation") if isinstance(new_kernels[kernel], dict) else None
        if a != b:
            notes.append(f"{kernel} implementation differs: baseline '{a}', new '{b}'")
    for which, results in (("baseline", baseline), ("new", new)):
        if busy(results):
            load = float(results.context["load_avg"][0])
            notes.append(f"the {which} run started on a busy machine (load average {load:.2f} on "
                         f"{results.context.get('num_cpus')} CPUs): timings may be noisy")
    return notes


# --- output -----------------------------------------------------------------------------------

def format_value(value: float, mode: str, measure: str) -> str:
    if mode == "ratio":
        return f"{value:.4f}"
    if measure == "instructions":
        return f"{value:.0f}"
    return f"{value:.3f}" if value < 100 else f"{value:.1f}"


def comparison_rows(comparisons: Sequence[Comparison], mode: str, measure: str) -> List[str]:
    unit = {"ratio": "x float32", "absolute": "instr" if measure == "instructions" else "us"}[mode]
    header = ["kernel", "shape", f"baseline ({unit})", f"new ({unit})", "change", "p-value", "n"]
    rows = [header]
    for c in sorted(comparisons, key=lambda c: (c.key.family, qr.KERNEL_ORDER.index(c.key.kernel)
                                                 if c.key.kernel in qr.KERNEL_ORDER else 99,
                                                 c.key.kernel, c.key.shape)):
        kernel = c.key.kernel if c.key.family == qr.FAMILY_PER_CALL else f"{c.key.kernel} (prepacked)"
        rows.append([kernel, c.key.shape.label, format_value(c.baseline_median, mode, measure),
                     format_value(c.new_median, mode, measure), f"{100 * c.change:+.1f}%",
                     "-" if c.p_value is None else f"{c.p_value:.2g}", f"{len(c.baseline)}/{len(c.new)}"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                                      for i, (cell, w) in enumerate(zip(row, widths))))
        if index == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


def render(report: Report, baseline: qr.Results, new: qr.Results, mode: str, threshold: float,
           alpha: float, show_all: bool) -> str:
    measure = baseline.measure
    lines = [f"baseline: {baseline.path} ({baseline.qbench.get('git_commit', '?')})",
             f"new:      {new.path} ({new.qbench.get('git_commit', '?')})",
             f"machine:  {new.machine()}, {new.qbench.get('compiler', '?')}, "
             f"flags {new.qbench.get('cxx_flags', '?')}"]
    if measure == "instructions":
        rule = f"instruction counts, change > {100 * threshold:.0f}% (deterministic: no statistical test)"
    else:
        rule = (f"median change > {100 * threshold:.0f}% and one-sided Mann-Whitney U p < {alpha:g}")
    lines.append(f"mode:     {mode}{' (kernel / float32 of the same repetition)' if mode == 'ratio' else ''}; "
                 f"rule: {rule}")
    lines.append(f"compared: {len(report.comparisons)} cells")
    lines.append("")
    for title, verdict in (("REGRESSIONS", "regression"), ("Improvements", "improvement")):
        found = report.by_verdict(verdict)
        lines.append(f"{title} ({len(found)}):")
        lines += comparison_rows(found, mode, measure) if found else ["  none"]
        lines.append("")
    if show_all:
        lines.append("All compared cells:")
        lines += comparison_rows(report.comparisons, mode, measure)
        lines.append("")
    if report.correctness:
        lines.append("CORRECTNESS REGRESSIONS:")
        lines += [f"  {c}" for c in report.correctness]
        lines.append("")
    if report.notes:
        lines.append("Notes:")
        lines += [f"  {n}" for n in report.notes]
        lines.append("")
    if report.inconclusive:
        lines.append("INCONCLUSIVE:")
        lines += [f"  {reason}" for reason in report.inconclusive]
        lines.append("")
    verdict = {EXIT_PASS: "PASS", EXIT_REGRESSION: "REGRESSION",
               EXIT_INCONCLUSIVE: "INCONCLUSIVE"}[report.exit_status]
    lines.append(f"result: {verdict} (exit {report.exit_status})")
    return "\n".join(lines) + "\n"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "regress", help="regression gate: compare two results files of the same machine and build",
        description="Regression gate for qbench results of the same machine and build.",
        epilog="Exit status: 0 pass, 1 regression (slower beyond threshold and significant, or a "
               "new verification failure), 2 inconclusive (different cpu_model/compiler/cxx_flags/"
               "arch or measure, fewer than 5 repetitions in a cell, errored or partial new run, "
               "unusable input). See docs/reports.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("baseline", metavar="BASELINE.json")
    parser.add_argument("new", metavar="NEW.json")
    parser.add_argument("--threshold", type=float, default=None,
                        help="relative median change that matters (default 0.10 for time, "
                             "0.02 for instruction counts)")
    parser.add_argument("--alpha", type=float, default=0.01,
                        help="significance level of the one-sided Mann-Whitney U test (default 0.01)")
    parser.add_argument("--mode", choices=("absolute", "ratio"), default="absolute",
                        help="absolute: compare the metric itself; ratio: compare kernel / float32 "
                             "of the same repetition index in the same run (cancels machine drift)")
    parser.add_argument("--min-repetitions", type=int, default=MIN_REPETITIONS,
                        help="fewest repetitions per cell for a timed comparison (default %(default)s)")
    parser.add_argument("--all", action="store_true", help="also list every compared cell")
    parser.set_defaults(func=run, parser=parser)


def run(args) -> int:
    baseline = qr.load_results(args.baseline)
    new = qr.load_results(args.new)
    threshold = args.threshold if args.threshold is not None else DEFAULT_THRESHOLD[baseline.measure]
    if threshold < 0 or not 0 < args.alpha < 1:
        args.parser.error("--threshold must be >= 0 and --alpha in (0, 1)")
    return gate(baseline, new, args.mode, threshold, args.alpha, args.min_repetitions, args.all)


def gate(baseline: qr.Results, new: qr.Results, mode: str = "absolute", threshold: Optional[float] = None,
         alpha: float = 0.01, min_repetitions: int = MIN_REPETITIONS, show_all: bool = False) -> int:
    """Compare, print the verdicts to stdout and return the exit status (0 pass, 1 regression,
    2 inconclusive)."""
    if threshold is None:
        threshold = DEFAULT_THRESHOLD[baseline.measure]
    report = compare(baseline, new, mode, threshold, alpha, min_repetitions)
    sys.stdout.write(render(report, baseline, new, mode, threshold, alpha, show_all))
    sys.stdout.flush()
    return report.exit_status
