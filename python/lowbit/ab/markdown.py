"""The short Markdown summary of an A/B verdict, sized for a pull-request comment."""

from __future__ import annotations

from typing import List, Sequence

from lowbit import regress
from lowbit.ab.verdict import Verdict
from lowbit.results import FAMILY_PER_CALL, Results

VERDICT_WORD = {regress.EXIT_PASS: "PASS", regress.EXIT_REGRESSION: "REGRESSION",
                regress.EXIT_INCONCLUSIVE: "INCONCLUSIVE"}
MAX_ROWS = 20  # a comment lists at most this many cells per table; the results file has them all


def side_line(name: str, results: Results) -> str:
    q = results.qbench
    commit = str(q.get("git_commit") or "?")[:12]
    dirty = " (uncommitted changes)" if q.get("git_dirty") else ""
    return f"- {name}: `{commit}`{dirty}, {q.get('compiler', '?')}, {q.get('cxx_flags', '?')}"


def cell_table(comparisons: Sequence[regress.Comparison], verdict: Verdict) -> List[str]:
    unit = "x float32" if verdict.mode == "ratio" else verdict.base.unit
    lines = [f"| kernel | shape (HxWxD) | base ({unit}) | head ({unit}) | change | p |",
             "|---|---|---:|---:|---:|---:|"]
    ordered = sorted(comparisons, key=lambda c: -abs(c.change))
    for c in ordered[:MAX_ROWS]:
        kernel = c.key.kernel if c.key.family == FAMILY_PER_CALL else f"{c.key.kernel} (prepacked)"
        lines.append(f"| {kernel} | {c.key.shape.label} "
                     f"| {regress.format_value(c.baseline_median, verdict.mode, verdict.base.measure)} "
                     f"| {regress.format_value(c.new_median, verdict.mode, verdict.base.measure)} "
                     f"| {100 * c.change:+.1f}% | {'-' if c.p_value is None else f'{c.p_value:.2g}'} |")
    if len(ordered) > MAX_ROWS:
        lines.append(f"\n{len(ordered) - MAX_ROWS} more in the results file.")
    return lines


def summary(verdict: Verdict, results_name: str) -> str:
    report, base = verdict.report, verdict.base
    ab = verdict.section
    lines = [f"### lowbit A/B timing: {VERDICT_WORD[report.exit_status]}", "",
             side_line("base", base), side_line("head", verdict.head),
             f"- machine: {verdict.head.machine()}; {ab.get('rounds', '?')} interleaved rounds on "
             f"CPU {ab.get('pinned_cpu', 'unpinned')}; config `{ab.get('config_path', '?')}`",
             f"- rule: median change > {100 * verdict.threshold:.0f}% and one-sided Mann-Whitney U "
             f"p < {verdict.alpha:g} ({verdict.mode}); {len(report.comparisons)} cells compared",
             f"- results: `{results_name}`", ""]
    for title, kind in (("Regressions", "regression"), ("Improvements", "improvement")):
        found = report.by_verdict(kind)
        lines.append(f"**{title}: {len(found)}**")
        lines += ([""] + cell_table(found, verdict) + [""]) if found else [""]
    for title, items in (("Correctness", report.correctness), ("Inconclusive", report.inconclusive),
                         ("Notes", report.notes)):
        if items:
            lines += [f"**{title}**", ""] + [f"- {item}" for item in items] + [""]
    return "\n".join(lines).rstrip() + "\n"
