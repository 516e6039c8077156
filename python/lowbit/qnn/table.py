"""`lowbit qnn-table`: the paper's QNN table from a `qbench qnn` results file, with the paper's
figures beside ours.

    lowbit qnn-table RESULTS.json [--out FILE.md] [--reference results/reference/trusov2020-qnn.csv]
                     [--icount results/baselines/icount-armv7-qnn.json] [--fxp models/mrz-v1-fxp.json]

Columns as in Trusov et al. 2020: accuracy on the synthetic set and on the camera-like set (the
paper's MIDV-500 column), convolution time and total time per image, and the total relative to the
float network measured in the same run (the only comparison that survives machine noise), also by CPU
time (the process's, without the time other processes held the core: the steadier ratio on a shared
machine). QNN-4.6 (the
4.6-bit variant of Trusov et al. 2024) has no row in the paper's table: its paper columns show "-",
and a second table gives its times relative to QNN-4 and QNN-8 of the same run. A third table splits
the forward pass by stage and layer. With --icount (a `lowbit icount --qnn` file), a last table gives
the instructions of one forward pass per variant relative to float, beside the paper's time ratios.
QNN-FXP (the fixed-point search of Goyal et al. 2021, `lowbit qnn-fxp`; `qbench qnn` variant fxp) has
its row from the results file like the others, a table of its times relative to the other variants
(the issue's goal: no slower than QNN-8), and after the tables, from its report (--fxp, default the
committed one), its formats, GEMM schemes, cost-model savings and the Python integer model's
accuracy beside the C++ one. A results file of a `qbench qnn` without QNN-FXP gets the row from the
report: the Python accuracy and "not measured yet" for the times. Exit status 2 on an unreadable or
malformed file.
"""
import csv
import statistics
import sys
from pathlib import Path

from lowbit.paths import REFERENCE_DIR, REPO_ROOT
from lowbit.results import TIME_UNIT_TO_US, ResultsError, read_json

REFERENCE = REFERENCE_DIR / "trusov2020-qnn.csv"
PAPER_NAMES = {"float": "CNN (float32)", "q8": "QNN-8", "q4": "QNN-4", "q4_6": "QNN-4.6", "q32": "QNN-32",
               "fxp": "QNN-FXP"}
ORDER = ["float", "q8", "q4", "q4_6", "q32", "fxp"]
NO_PAPER_ROW = ("q4_6", "fxp")  # variants the 2020 paper's table does not have
FXP_REPORT = REPO_ROOT / "models" / "mrz-v1-fxp.json"
NOT_MEASURED = "not measured yet"
# The stages of a forward pass as `qbench qnn` splits it (qnn::Stage), in the order they run.
STAGES = ["input", "im2col", "gemm", "requantize", "fc"]
LAYERS = [f"layer{i}" for i in range(1, 8)]


def load_qnn(path):
    """(qbench context, {variant: {set: accuracy %}}, {variant: {part: [us...]}}). Parts: "total" (the
    cell's real_time), and from its counters "conv", the stages (STAGES) and "layer1".."layer7"; a file
    of a qbench before the split has a separate "conv" cell instead, read the same way.
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
        parts_of = times.setdefault(parts[1], {})
        parts_of.setdefault(parts[2], []).append(entry["real_time"] * TIME_UNIT_TO_US[unit])
        if parts[2] == "total" and "cpu_time" in entry:
            parts_of.setdefault("total_cpu", []).append(entry["cpu_time"] * TIME_UNIT_TO_US[unit])
        for key, value in entry.items():
            if key.endswith("_us") and isinstance(value, (int, float)):
                parts_of.setdefault(key[:-3], []).append(float(value))
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
    header += ["conv ms", "paper conv ms", "total ms", "paper total ms", "total / float", "paper total / float",
               "CPU time / float"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    paper_float_total = float(paper["CNN (float32)"]["total_ms"])
    float_times = median.get("float", {})
    for variant in ORDER:
        if variant not in accuracy and variant not in median:
            continue
        name = PAPER_NAMES[variant]
        p = paper.get(name, {}) if variant not in NO_PAPER_ROW else {}
        row = [name]
        for s in sets:
            row += [fmt(accuracy.get(variant, {}).get(s)),
                    fmt(p.get("accuracy_synthetic_pct" if s == "synthetic" else "accuracy_midv500_pct"), 1)]
        conv = median.get(variant, {}).get("conv")
        total = median.get(variant, {}).get("total")
        ratio = total / float_times["total"] if total and float_times.get("total") else None
        paper_ratio = float(p["total_ms"]) / paper_float_total if p.get("total_ms") else None
        cpu, float_cpu = median.get(variant, {}).get("total_cpu"), float_times.get("total_cpu")
        unmeasured = NOT_MEASURED if variant not in median else None
        row += [unmeasured or fmt(conv / 1000 if conv else None, 4), fmt(p.get("convolution_ms")),
                unmeasured or fmt(total / 1000 if total else None, 4), fmt(p.get("total_ms")), fmt(ratio),
                fmt(paper_ratio), fmt(cpu / float_cpu if cpu and float_cpu else None)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def relative_table(median, variant, others):
    """A variant's times relative to other variants of the same run (those without paper figures)."""
    own = median.get(variant, {})
    if not own:
        return []
    name = PAPER_NAMES[variant]
    lines = ["", f"{name} time relative to the other variants of this run (median per image):", "",
             f"| {name} vs | conv | total |", "|---|---|---|"]
    for other in others:
        o = median.get(other, {})
        cells = [fmt(own[part] / o[part]) if own.get(part) and o.get(part) else "-" for part in ("conv", "total")]
        lines.append(f"| {PAPER_NAMES[other]} | {cells[0]} | {cells[1]} |")
    return lines


def split_table(median):
    """Where the time of a forward pass goes: per stage (summed over layers) and per layer, in us per
    image, with each stage's share of the total; every part is timed inside the same passes."""
    variants = [v for v in ORDER if "gemm" in median.get(v, {})]
    if not variants:
        return []
    header = ["model", "total us"] + [f"{s} us (%)" for s in STAGES] + [f"L{i} us" for i in range(1, 8)]
    lines = ["", "Split of the forward pass (medians per image; stages summed over the layers; L7 = fully "
             "connected; % of the summed stages):", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for variant in variants:
        m = median[variant]
        summed = sum(m.get(s, 0.0) for s in STAGES)
        row = [PAPER_NAMES[variant], fmt(m.get("total"), 1)]
        row += [f"{m[s]:.1f} ({100 * m[s] / summed:.0f})" if s in m and summed else "-" for s in STAGES]
        row += [fmt(m.get(layer), 1) for layer in LAYERS]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def load_icount(path):
    """({variant: instructions of one forward pass}, context.qbench) of a `lowbit icount --qnn` file."""
    data = read_json(path)
    try:
        qbench = data["context"]["qbench"]
        counts = {e["name"].split("/")[1]: float(e["instructions"]) for e in data["benchmarks"]
                  if str(e.get("name", "")).startswith("qnn/") and str(e["name"]).endswith("/forward")}
    except (KeyError, TypeError, ValueError, IndexError):
        raise ResultsError(Path(path), "not a `lowbit icount --qnn` results file") from None
    if "float" not in counts:
        raise ResultsError(Path(path), "no count of the float pass (qnn/float/forward)")
    return counts, qbench


def icount_table(path, paper):
    """Instructions per forward pass relative to float: the instruction-count model of the paper's
    time ratios (total / float on the Cortex-A15)."""
    counts, qbench = load_icount(path)
    paper_float = float(paper["CNN (float32)"]["total_ms"])
    lines = ["", f"Instruction-count model ({qbench.get('arch', '?')}, {qbench.get('cpu_model', '?')}; "
                 f"`{Path(path).name}`): instructions of one forward pass", "",
             "| model | GEMM | instructions | / float | paper total / float |", "|---|---|---|---|---|"]
    gemms = qbench.get("qnn", {})
    for variant in [v for v in ORDER if v in counts]:
        p = paper.get(PAPER_NAMES[variant], {}) if variant not in NO_PAPER_ROW else {}
        paper_ratio = float(p["total_ms"]) / paper_float if p.get("total_ms") else None
        lines.append(f"| {PAPER_NAMES[variant]} | {gemms.get(variant, {}).get('gemm', '?')} | {counts[variant]:,.0f} | "
                     f"{counts[variant] / counts['float']:.3f} | {fmt(paper_ratio)} |")
    return lines


def load_fxp(path):
    """The QNN-FXP report (lowbit qnn-fxp); ResultsError when unreadable."""
    data = read_json(Path(path))
    if data.get("variant") != "fxp" or "accuracy_pct" not in data or "layers" not in data:
        raise ResultsError(Path(path), "not a QNN-FXP report (lowbit qnn-fxp)")
    return data


def default_fxp():
    """The committed QNN-FXP report when there is one, else "" (no QNN-FXP row)."""
    return str(FXP_REPORT) if FXP_REPORT.exists() else ""


def fxp_source(report, accuracy, measured):
    """Where the QNN-FXP row's figures come from; with C++ figures, whether they equal the Python
    integer model's (they must: the engine is bit-exact)."""
    if not measured:
        return ("accuracy of the Python integer model (lowbit.qnn.fxp_int); time " + NOT_MEASURED
                + " (this results file has no QNN-FXP: a `qbench qnn` without it)")
    python = {s: a["fxp"] for s, a in report["accuracy_pct"].items() if s in accuracy.get("fxp", {})}
    same = all(abs(accuracy["fxp"][s] - a) < 1e-9 for s, a in python.items())
    return ("accuracy and time from `qbench qnn` (the C++ engine); the Python integer model gives "
            + ", ".join(f"{s} {a:.2f}%" for s, a in sorted(python.items()))
            + (" (equal)" if same else " (DIFFERENT from the C++ engine's)"))


def fxp_notes(path, report, accuracy, measured):
    """What the QNN-FXP row stands on, its per-layer formats and schemes, and the cost model."""
    cost = report["cost"]
    lines = ["", "QNN-FXP (the fixed-point search of Goyal et al. 2021 on this network, "
                 f"`{Path(path).name}`): " + fxp_source(report, accuracy, measured)
             + f". Cost model against all-8-bit: memory {cost['memory_kb']:.2f} KB, saving "
               f"{cost['memory_saving_pct']:.1f}%; multiplication saving {cost['mult_saving_pct']:.1f}%.", "",
             "| layer | weights BW/F | biases BW/F | output BW/F | GEMM scheme |", "|---|---|---|---|---|"]
    for row in report["layers"]:
        cells = [f"{row[k][0]}/{row[k][1]}" if k in row else "-" for k in ("weights", "biases", "activations")]
        lines.append(f"| {row['layer']} | {' | '.join(cells)} | {row.get('scheme', '-')} |")
    return lines


def render(path, reference, icount=None, fxp=None):
    """The tables; `fxp` (a QNN-FXP report) adds its row when the results file has no fxp variant."""
    qbench, accuracy, times = load_qnn(path)
    fxp_report = load_fxp(fxp) if fxp else None
    if fxp_report and "fxp" not in accuracy:
        accuracy = dict(accuracy, fxp={s: a["fxp"] for s, a in fxp_report["accuracy_pct"].items() if s in
                                       {s for v in accuracy.values() for s in v}})
    paper = load_paper(reference)
    sets = sorted({s for v in accuracy.values() for s in v}, key=lambda s: (s != "synthetic", s))
    median = {v: {part: statistics.median(samples) for part, samples in parts.items()} for v, parts in times.items()}
    lines = (heading(qbench) + main_table(sets, accuracy, median, paper)
             + relative_table(median, "q4_6", ["float", "q8", "q4"])
             + relative_table(median, "fxp", ["float", "q8", "q4", "q4_6"]) + split_table(median))
    levels = qbench["qnn"].get("levels", {}).get("q4_6")
    if levels:
        lines += ["", f"QNN-4.6 levels: N_x = {levels.get('activations')} (activations), "
                      f"N_w = {levels.get('weights')} (weights)"]
    gemm = qbench["qnn"].get("gemm", {})
    lines += ["", "GEMM per variant: " + ", ".join(f"{PAPER_NAMES.get(k, k)} = {v}" for k, v in sorted(gemm.items()))]
    if icount:
        lines += icount_table(icount, paper)
    if fxp_report:
        lines += fxp_notes(fxp, fxp_report, accuracy, "fxp" in times)
    return "\n".join(lines) + "\n"


def add_parser(subparsers):
    parser = subparsers.add_parser("qnn-table", help="the paper's QNN table from a `qbench qnn` results file",
                                   description="The paper's QNN table from a `qbench qnn` results file, with "
                                               "the paper's figures beside ours.")
    parser.add_argument("results", help="a results file written by `qbench qnn`")
    parser.add_argument("--out", help="also write the Markdown table here")
    parser.add_argument("--reference", default=str(REFERENCE), help="the paper's QNN table (CSV)")
    parser.add_argument("--icount", help="a `lowbit icount --qnn` file: add its instruction-count ratios")
    parser.add_argument("--fxp", default=default_fxp(),
                        help="a QNN-FXP report (lowbit qnn-fxp; default the committed one, '' to leave "
                             "its row out)")
    parser.set_defaults(func=run)


def run(args):
    text = render(args.results, args.reference, args.icount, args.fxp)
    sys.stdout.write(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0
