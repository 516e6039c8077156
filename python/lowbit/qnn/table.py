"""`lowbit qnn-table`: the paper's QNN table from a `qbench qnn` results file, with the paper's
figures beside ours.

    lowbit qnn-table RESULTS.json [--out FILE.md] [--reference results/reference/trusov2020-qnn.csv]

Columns as in Trusov et al. 2020: accuracy on the synthetic set and on the camera-like set (the
paper's MIDV-500 column), convolution time and total time per image, and both times relative to the
float network measured in the same run (the only comparison that survives machine noise). QNN-4.6 (the
4.6-bit variant of Trusov et al. 2024) has no row in the paper's table: its paper columns show "-",
and a second table gives its times relative to QNN-4 and QNN-8 of the same run.
Exit status 2 on an unreadable or malformed file.
"""
import csv
import statistics
import sys
from pathlib import Path

from lowbit.paths import REFERENCE_DIR
from lowbit.results import TIME_UNIT_TO_US, ResultsError, read_json

REFERENCE = REFERENCE_DIR / "trusov2020-qnn.csv"
PAPER_NAMES = {"float": "CNN (float32)", "q8": "QNN-8", "q4": "QNN-4", "q4_6": "QNN-4.6", "q32": "QNN-32"}
ORDER = ["float", "q8", "q4", "q4_6", "q32"]


def load_qnn(path):
    """(qbench context, {variant: {set: accuracy %}}, {variant: {"conv": [us...], "total": [us...]}}).
    Raises ResultsError."""
    path = Path(path)
    data = read_json(path)
    try:
        qbench = data["context"]["qbench"]
        qnn = qbench["qnn"]
        accuracy = qnn["accuracy_pct"]
    except (KeyError, TypeError):
        raise ResultsError(path, "not a `qbench qnn` results file (no context.qbench.qnn.accuracy_pct)") from None
    times = {}
    for entry in data.get("benchmarks", []):
        parts = str(entry.get("run_name", entry.get("name", ""))).split("/")
        if entry.get("run_type") == "aggregate" or entry.get("error_occurred") or len(parts) != 3 or parts[0] != "qnn":
            continue
        unit = entry.get("time_unit", "us")
        if unit not in TIME_UNIT_TO_US:
            raise ResultsError(path, f"{entry.get('name')}: unknown time_unit '{unit}'")
        times.setdefault(parts[1], {}).setdefault(parts[2], []).append(entry["real_time"] * TIME_UNIT_TO_US[unit])
    return qbench, accuracy, times


def load_paper(path):
    rows = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            rows[row["model"]] = row
    return rows


def fmt(value, digits=2):
    return "-" if value is None or value == "" else f"{float(value):.{digits}f}"


def heading(qbench):
    return ["# QNN test (Trusov et al. 2020): measured vs paper",
            "",
            f"Machine: {qbench.get('cpu_model', '?')} ({qbench.get('arch', '?')}), {qbench.get('compiler', '?')}; "
            f"commit {str(qbench.get('git_commit', '?'))[:12]}{' (dirty)' if qbench.get('git_dirty') else ''}"
            f"{'; PARTIAL run' if qbench.get('partial') else ''}.",
            "Paper: ODROID-XU4 (Cortex-A15), MIDV-500; ours: the synthetic sets of `lowbit qnn-data` "
            "('hard' stands in for MIDV-500). Times are medians per image in ms, one thread.",
            ""]


def main_table(sets, accuracy, median, paper):
    """The paper's table: a row per variant, measured beside the paper's figures."""
    header = ["model"]
    for s in sets:
        paper_col = "synthetic" if s == "synthetic" else "MIDV-500"
        header += [f"acc {s} %", f"paper acc {paper_col} %"]
    header += ["conv ms", "paper conv ms", "total ms", "paper total ms", "total / float", "paper total / float"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    paper_float_total = float(paper["CNN (float32)"]["total_ms"])
    float_times = median.get("float", {})
    for variant in ORDER:
        if variant not in accuracy and variant not in median:
            continue
        name = PAPER_NAMES[variant]
        p = paper.get(name, {}) if variant != "q4_6" else {}  # the paper has no 4.6-bit row
        row = [name]
        for s in sets:
            row += [fmt(accuracy.get(variant, {}).get(s)),
                    fmt(p.get("accuracy_synthetic_pct" if s == "synthetic" else "accuracy_midv500_pct"), 1)]
        conv = median.get(variant, {}).get("conv")
        total = median.get(variant, {}).get("total")
        ratio = total / float_times["total"] if total and float_times.get("total") else None
        paper_ratio = float(p["total_ms"]) / paper_float_total if p.get("total_ms") else None
        row += [fmt(conv / 1000 if conv else None, 4), fmt(p.get("convolution_ms")),
                fmt(total / 1000 if total else None, 4), fmt(p.get("total_ms")), fmt(ratio), fmt(paper_ratio)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def q46_table(median):
    """QNN-4.6's times relative to the other variants of the run (no paper figures exist)."""
    q46 = median.get("q4_6", {})
    if not q46:
        return []
    lines = ["", "QNN-4.6 time relative to the other variants of this run (median per image):", "",
             "| QNN-4.6 vs | conv | total |", "|---|---|---|"]
    for other in ["float", "q8", "q4"]:
        o = median.get(other, {})
        cells = [fmt(q46[part] / o[part]) if q46.get(part) and o.get(part) else "-" for part in ("conv", "total")]
        lines.append(f"| {PAPER_NAMES[other]} | {cells[0]} | {cells[1]} |")
    return lines


def render(path, reference):
    qbench, accuracy, times = load_qnn(path)
    paper = load_paper(reference)
    sets = sorted({s for v in accuracy.values() for s in v}, key=lambda s: (s != "synthetic", s))
    median = {v: {part: statistics.median(samples) for part, samples in parts.items()} for v, parts in times.items()}
    lines = heading(qbench) + main_table(sets, accuracy, median, paper) + q46_table(median)
    levels = qbench["qnn"].get("levels", {}).get("q4_6")
    if levels:
        lines += ["", f"QNN-4.6 levels: N_x = {levels.get('activations')} (activations), "
                      f"N_w = {levels.get('weights')} (weights)"]
    gemm = qbench["qnn"].get("gemm", {})
    lines += ["", "GEMM per variant: " + ", ".join(f"{PAPER_NAMES.get(k, k)} = {v}" for k, v in sorted(gemm.items()))]
    return "\n".join(lines) + "\n"


def add_parser(subparsers):
    parser = subparsers.add_parser("qnn-table", help="the paper's QNN table from a `qbench qnn` results file",
                                   description="The paper's QNN table from a `qbench qnn` results file, with "
                                               "the paper's figures beside ours.")
    parser.add_argument("results", help="a results file written by `qbench qnn`")
    parser.add_argument("--out", help="also write the Markdown table here")
    parser.add_argument("--reference", default=str(REFERENCE), help="the paper's QNN table (CSV)")
    parser.set_defaults(func=run)


def run(args):
    text = render(args.results, args.reference)
    sys.stdout.write(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0
