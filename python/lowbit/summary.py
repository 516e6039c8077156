"""`lowbit summary`: validate results files and print a one-screen summary of each."""

from __future__ import annotations

import sys
from typing import List

from lowbit.provenance import provenance
from lowbit.results import EXIT_BAD_INPUT, Results, ResultsError, load_results


def summary_lines(results: Results) -> List[str]:
    lines = [f"{key}: {value}" for key, value in provenance(results).items()]
    for family in results.families():
        lines.append(f"{family}: {len(results.shapes(family))} shapes, kernels "
                     + ", ".join(f"{k} ({repetition_range(results, family, k)} reps)"
                                 for k in results.kernels(family)))
    if results.ignored:
        lines.append("ignored entries: " + ", ".join(results.ignored))
    return lines


def repetition_range(results: Results, family: str, kernel: str) -> str:
    counts = [len(c) for k, c in results.cells.items() if k.family == family and k.kernel == kernel]
    lo, hi = min(counts), max(counts)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("summary", help="validate results files and print a summary",
                                   description="Validate qbench results files and print a summary.")
    parser.add_argument("results", nargs="+", help="results JSON written by 'qbench run'")
    parser.set_defaults(func=run)


def run(args) -> int:
    status = 0
    for path in args.results:
        try:
            results = load_results(path)
        except ResultsError as err:
            print(f"error: {err}", file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        print("\n".join(summary_lines(results)))
        print()
    return status
