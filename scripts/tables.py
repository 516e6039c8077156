#!/usr/bin/python3
"""Render qbench results in the layout of the paper's matrix-multiplication table.

For each results file (and each benchmark family in it: weights packed per call
or prepacked) three tables are made:

* times: the median of the repetitions per kernel and shape, with the paper's
  figure (Trusov et al. 2020, ODROID-XU4) beside each of its four columns;
* speedup over float32: measured, the paper's, and their ratio (measured / paper);
* speedup of uint4 over uint8: the same, for ours and for gemmlowp;
* when uint4_6 was measured, the 4.6-bit scheme (Trusov et al. 2024) against
  uint4 and uint8, beside that paper's claims (it publishes no per-shape table).

Each table ends with a geometric-mean row and the section ends with a
provenance footnote.  With several files a last table compares their geometric
mean speedups.  The paper's "float32" column is the faster of Eigen
column-major and row-major per shape, and so is ours.

Output is deterministic: shapes sorted, kernels in a fixed order, fixed
precision, no clock or path in the text.  Missing kernels print '-'.

    tables.py results.json                      # Markdown to stdout
    tables.py arm.json laptop.json --out-dir out # out/table.md, table.csv, table.tex
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import math
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qbench_results as qr  # noqa: E402

FLOAT_KERNELS = ("float32", "float32_rowmajor")
# Kernels that always get a column (missing ones print '-'): the paper's four
# and gemmlowp, which the paper's "uint8" column resembles.
CORE_KERNELS = ("float32", "int32", "uint8", "uint4", "uint8_gemmlowp")
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


@dataclasses.dataclass
class Table:
    """A rendered-ready table: formatted cells, a title and notes printed under it."""

    title: str
    header: List[str]
    rows: List[List[str]]
    notes: List[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Section:
    """Everything shown for one results file and one benchmark family."""

    heading: str
    results: qr.Results
    family: str
    tables: List[Table]
    provenance: Dict[str, str]


@dataclasses.dataclass
class Column:
    header: str
    value: Callable[[qr.Shape], Optional[float]]
    kind: str  # "metric" (time or instructions) or "ratio"


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

    def __init__(self, results: qr.Results, family: str):
        self.results = results
        self.family = family

    def kernel(self, kernel: str, shape: qr.Shape) -> Optional[float]:
        if kernel == "float32":
            return self.best_float(shape)[0]
        return self.results.median(self.family, kernel, shape)

    def best_float(self, shape: qr.Shape) -> Tuple[Optional[float], Optional[str]]:
        """The faster of Eigen column-major and row-major (the paper's float32), and which."""
        candidates = [(self.results.median(self.family, k, shape), k) for k in FLOAT_KERNELS]
        candidates = [(v, k) for v, k in candidates if v is not None]
        return min(candidates) if candidates else (None, None)

    def speedup(self, pair: Speedup, shape: qr.Shape) -> Optional[float]:
        return ratio(self.kernel(pair.slow, shape), self.kernel(pair.fast, shape))


def paper_speedup(reference: Dict[qr.Shape, Dict[str, float]], pair: Speedup,
                  shape: qr.Shape) -> Optional[float]:
    if pair.paper is None or shape not in reference:
        return None
    fast, slow = pair.paper
    return ratio(reference[shape].get(slow), reference[shape].get(fast))


# --- which columns ---------------------------------------------------------------------------

def extra_kernels(all_results: Sequence[qr.Results]) -> List[str]:
    """Kernels beyond the paper's four, in fixed order: gemmlowp always, others when measured."""
    measured = {k for r in all_results for k in r.kernels()}
    extras = [k for k in qr.order_kernels(measured | {"uint8_gemmlowp"})
              if k not in qr.PAPER_KERNELS and k not in FLOAT_KERNELS]
    return extras


def speedups_vs_float(extras: Sequence[str]) -> List[Speedup]:
    listed = {s.fast for s in SPEEDUPS_VS_FLOAT}
    return list(SPEEDUPS_VS_FLOAT) + [Speedup(k, "float32", None) for k in extras if k not in listed]


# --- building tables ---------------------------------------------------------------------------

def build_table(title: str, shapes: Sequence[qr.Shape], columns: Sequence[Column],
                notes: Sequence[str] = ()) -> Table:
    """Rows per shape plus a geometric-mean row; a geomean over fewer shapes shows [n]."""
    header = ["H", "W", "D"] + [c.header for c in columns]
    rows = []
    for shape in shapes:
        cells = [str(shape.height), str(shape.width), str(shape.depth)]
        for column in columns:
            fmt = format_metric if column.kind == "metric" else format_ratio
            cells.append(fmt(column.value(shape)))
        rows.append(cells)
    geomean_row = ["geomean", "", ""]
    for column in columns:
        values = [v for v in (column.value(s) for s in shapes) if v is not None]
        fmt = format_metric if column.kind == "metric" else format_ratio
        cell = fmt(geometric_mean(values))
        if values and len(values) < len(shapes):
            cell += f" [{len(values)}]"
        geomean_row.append(cell)
    rows.append(geomean_row)
    notes = list(notes)
    if any(" [" in c for c in geomean_row):
        notes.append(f"[n]: geometric mean over the n of {len(shapes)} shapes that have a value.")
    return Table(title=title, header=header, rows=rows, notes=notes)


def times_table(measured: Measured, reference, shapes, extras) -> Table:
    results = measured.results
    unit = "instructions per product" if results.is_instructions else "µs"
    columns: List[Column] = []
    for kernel in qr.PAPER_KERNELS:
        columns.append(Column(kernel, lambda s, k=kernel: measured.kernel(k, s), "metric"))
        columns.append(Column(f"{kernel} paper",
                              lambda s, k=kernel: reference.get(s, {}).get(k), "metric"))
    for kernel in extras:
        columns.append(Column(kernel, lambda s, k=kernel: measured.kernel(k, s), "metric"))
    winners = [measured.best_float(s)[1] for s in shapes]
    notes = [
        f"Median of {repetition_note(results, measured.family)}; 'paper' = Trusov et al. 2020, "
        f"{qr.REFERENCE_MACHINE}, µs.",
        "float32 = the faster of Eigen column-major and row-major per shape, as in the paper "
        f"(row-major was faster in {winners.count('float32_rowmajor')} of {len(shapes)} shapes).",
        "The paper's uint8 is 'similar to gemmlowp': uint8 is ours, uint8_gemmlowp is gemmlowp itself.",
    ]
    if results.is_instructions:
        notes.insert(0, f"Modelled: instruction counts on {results.qbench.get('arch', 'unknown arch')}, "
                        "not times; compare ratios, not absolute values, with the paper.")
    title = f"{'Instructions per product' if results.is_instructions else 'Time per product'} ({unit})"
    return build_table(title, shapes, columns, notes)


def speedup_columns(measured: Measured, reference, pairs: Sequence[Speedup]) -> List[Column]:
    columns = []
    for pair in pairs:
        label = pair.fast if pair.slow == "float32" else pair.name
        columns.append(Column(label, lambda s, p=pair: measured.speedup(p, s), "ratio"))
        if pair.paper is not None:
            columns.append(Column(f"{label} paper",
                                  lambda s, p=pair: paper_speedup(reference, p, s), "ratio"))
            columns.append(Column(f"{label} m/p",
                                  lambda s, p=pair: ratio(measured.speedup(p, s),
                                                          paper_speedup(reference, p, s)), "ratio"))
    return columns


def speedup_tables(measured: Measured, reference, shapes, extras) -> List[Table]:
    kind = "instruction-count ratio, modelled" if measured.results.is_instructions else "×"
    vs_float = build_table(
        f"Speedup over float32 ({kind}: t_float32 / t_kernel, higher is faster)", shapes,
        speedup_columns(measured, reference, speedups_vs_float(extras)),
        ["'paper' = the same ratio from the paper's table; 'm/p' = measured / paper "
         "(1.00 = the paper's speedup reproduced, >1 = larger speedup here).",
         "uint8_gemmlowp paper = the paper's uint8 column (its gemmlowp-like kernel)."])
    vs_uint8 = build_table(
        f"Speedup of uint4 over 8-bit ({kind}: t_uint8 / t_uint4)", shapes,
        speedup_columns(measured, reference, SPEEDUPS_VS_UINT8),
        ["Both columns are compared with the paper's uint4 / uint8 ratio."])
    tables = [vs_float, vs_uint8]
    if FOUR_SIX in measured.results.kernels():
        tables.append(build_table(
            f"The 4.6-bit scheme ({kind}: t_slow / t_fast, higher = the first kernel faster)", shapes,
            speedup_columns(measured, reference, SPEEDUPS_4_6),
            ["Trusov et al. 2024 (ARMv8, its own matrices) report uint4_6 1.5-1.6x faster than 8-bit "
             "and 4% slower than 4-bit, i.e. 'uint4 vs uint4_6' = 1.04; it has no per-shape table.",
             f"{FOUR_SIX} operands: levels (N_x, N_w) = {levels_note(measured.results)}."]))
    return tables


def levels_note(results: qr.Results) -> str:
    levels = (results.qbench.get("kernels") or {}).get(FOUR_SIX, {}).get("levels")
    if not levels:
        return "not recorded"
    return f"({levels.get('activations')}, {levels.get('weights')})"


def repetition_note(results: qr.Results, family: str) -> str:
    counts = sorted({len(c) for k, c in results.cells.items() if k.family == family})
    if not counts:
        return "no repetitions"
    span = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"{span} repetitions"


def section_heading(results: qr.Results, family: str) -> str:
    measure = "modelled instruction counts" if results.is_instructions else "time"
    return f"{results.label}: {results.machine()} - {qr.FAMILY_LABEL.get(family, family)}, {measure}"


def build_sections(all_results: Sequence[qr.Results], reference) -> List[Section]:
    extras = extra_kernels(all_results)
    sections = []
    for results in all_results:
        for family in results.families():
            measured = Measured(results, family)
            shapes = results.shapes(family)
            tables = [times_table(measured, reference, shapes, extras)]
            tables += speedup_tables(measured, reference, shapes, extras)
            sections.append(Section(section_heading(results, family), results, family,
                                    tables, qr.provenance(results)))
    return sections


def comparison_table(sections: Sequence[Section], reference) -> Table:
    """Geometric-mean speedups of every section side by side, with the paper's."""
    pairs = speedups_vs_float(extra_kernels([s.results for s in sections])) + list(SPEEDUPS_VS_UINT8)
    if any(FOUR_SIX in s.results.kernels() for s in sections):
        pairs += list(SPEEDUPS_4_6)
    header = ["speedup (geomean)", "paper"]
    legend = [f"paper: Trusov et al. 2020, {qr.REFERENCE_MACHINE}, 18 shapes."]
    for index, section in enumerate(sections, start=1):
        tag = "modelled" if section.results.is_instructions else "time"
        family = "prepacked" if section.family == qr.FAMILY_PREPACKED else "per call"
        header.append(f"({index}) {section.results.label} [{family}, {tag}]")
        header.append(f"({index}) m/p")
        legend.append(f"({index}) {section.results.machine()}; compiler "
                      f"{section.results.qbench.get('compiler', 'unknown')}; "
                      f"{len(section.results.shapes(section.family))} shapes.")
    rows = []
    paper_shapes = sorted(reference)
    for pair in pairs:
        row = [pair.name]
        paper = geometric_mean([paper_speedup(reference, pair, s) for s in paper_shapes])
        row.append(pair.claim if paper is None and pair.claim else format_ratio(paper))
        for section in sections:
            measured = Measured(section.results, section.family)
            shapes = section.results.shapes(section.family)
            row.append(format_ratio(geometric_mean([measured.speedup(pair, s) for s in shapes])))
            row.append(format_ratio(geometric_mean(
                [ratio(measured.speedup(pair, s), paper_speedup(reference, pair, s)) for s in shapes])))
        rows.append(row)
    legend.insert(1, "Each file's geomean is over its own shapes; '(i) m/p' is the geomean of measured / paper "
                     "over the shapes both have, so it stays fair when a file has fewer shapes than the paper.")
    return Table("Comparison of files: geometric mean of the speedups over shapes", header, rows, legend)


# --- renderers -------------------------------------------------------------------------------

def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(table: Table, level: int = 3) -> str:
    out = [f"{'#' * level} {table.title}", ""]
    out.append("| " + " | ".join(_md_escape(h) for h in table.header) + " |")
    out.append("|" + "|".join("---:" if i else ":---" for i in range(len(table.header))) + "|")
    for row in table.rows:
        out.append("| " + " | ".join(_md_escape(c) for c in row) + " |")
    if table.notes:
        out.append("")
        out.extend(f"- {note}" for note in table.notes)
    return "\n".join(out)


def provenance_markdown(facts: Dict[str, str]) -> str:
    lines = ["Provenance:", ""]
    for key, value in facts.items():
        lines.append(f"- {key}: `{value}`" if key in ("compiler", "commit", "config") else f"- {key}: {value}")
    return "\n".join(lines)


def render_markdown(sections: Sequence[Section], comparison: Optional[Table]) -> str:
    parts = ["# Matrix multiplication: measured vs Trusov et al. 2020", ""]
    for section in sections:
        parts += [f"## {section.heading}", ""]
        if section.results.has_qnn:
            parts += ["(The file also holds QNN results; they are not rendered here.)", ""]
        for table in section.tables:
            parts += [markdown_table(table), ""]
        parts += [provenance_markdown(section.provenance), ""]
    if comparison is not None:
        parts += ["## Comparison", "", markdown_table(comparison), ""]
    return "\n".join(parts).rstrip("\n") + "\n"


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}", "µ": r"$\mu$", "×": r"$\times$"}


def tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def tex_table(table: Table) -> str:
    spec = "l" + "r" * (len(table.header) - 1)
    out = [r"\begin{table}[htbp]", r"\centering", r"\scriptsize",
           rf"\caption{{{tex_escape(table.title)}}}",
           rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
           " & ".join(tex_escape(h) for h in table.header) + r" \\", r"\midrule"]
    for index, row in enumerate(table.rows):
        if index == len(table.rows) - 1 and row and row[0] == "geomean":
            out.append(r"\midrule")
        out.append(" & ".join(tex_escape(c) for c in row) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}"]
    if table.notes:
        out.append(r"\par\smallskip\begin{minipage}{\linewidth}\footnotesize")
        out += [tex_escape(n) + r"\par" for n in table.notes]
        out.append(r"\end{minipage}")
    out.append(r"\end{table}")
    return "\n".join(out)


def render_tex(sections: Sequence[Section], comparison: Optional[Table]) -> str:
    parts = ["% Generated by scripts/tables.py; needs \\usepackage{booktabs}.", ""]
    for section in sections:
        parts += [rf"\subsection*{{{tex_escape(section.heading)}}}", ""]
        for table in section.tables:
            parts += [tex_table(table), ""]
        parts.append(r"\begin{itemize}\footnotesize")
        parts += [rf"\item {tex_escape(k)}: {tex_escape(v)}" for k, v in section.provenance.items()]
        parts += [r"\end{itemize}", ""]
    if comparison is not None:
        parts += [tex_table(comparison), ""]
    return "\n".join(parts)


def _csv_number(value: Optional[float], digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def render_csv(sections: Sequence[Section], reference) -> str:
    """One wide, machine-readable table: a row per file, family and shape, plus geomean rows.

    Missing values are empty cells.  Metric columns hold medians in the file's
    unit (column 'unit'); `<kernel>_n` is the number of repetitions.
    """
    kernels = qr.order_kernels(set(qr.KERNEL_ORDER) | {k for s in sections for k in s.results.kernels()})
    extras = extra_kernels([s.results for s in sections])
    pairs = speedups_vs_float(extras) + list(SPEEDUPS_VS_UINT8)
    header = ["file", "machine", "measure", "unit", "family", "height", "width", "depth"]
    header += [h for k in kernels for h in (k, f"{k}_n")]
    header += ["float32_best", "float32_best_kernel"] + [f"paper_{k}_us" for k in qr.PAPER_KERNELS]
    for pair in pairs:
        slug = f"{pair.fast}_vs_{pair.slow}"
        header += [f"speedup_{slug}", f"paper_speedup_{slug}", f"ratio_{slug}"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for section in sections:
        results, family = section.results, section.family
        measured = Measured(results, family)
        shapes = results.shapes(family)
        lead = [results.label, results.machine(), results.measure, results.unit, family]
        for shape in shapes:
            row = lead + [shape.height, shape.width, shape.depth]
            for kernel in kernels:
                cell = results.cell(family, kernel, shape)
                row += [_csv_number(cell.median if cell else None, 4), len(cell) if cell else ""]
            best, which = measured.best_float(shape)
            row += [_csv_number(best, 4), which or ""]
            row += [_csv_number(reference.get(shape, {}).get(k), 4) for k in qr.PAPER_KERNELS]
            for pair in pairs:
                m, p = measured.speedup(pair, shape), paper_speedup(reference, pair, shape)
                row += [_csv_number(m, 4), _csv_number(p, 4), _csv_number(ratio(m, p), 4)]
            writer.writerow(row)
        row = lead + ["geomean", "", ""]
        for kernel in kernels:
            row += [_csv_number(geometric_mean([results.median(family, kernel, s) for s in shapes]), 4), ""]
        row += [_csv_number(geometric_mean([measured.best_float(s)[0] for s in shapes]), 4), ""]
        row += [_csv_number(geometric_mean([reference.get(s, {}).get(k) for s in shapes]), 4)
                for k in qr.PAPER_KERNELS]
        for pair in pairs:
            m = [measured.speedup(pair, s) for s in shapes]
            p = [paper_speedup(reference, pair, s) for s in shapes]
            r = [ratio(a, b) for a, b in zip(m, p)]
            row += [_csv_number(geometric_mean(x), 4) for x in (m, p, r)]
        writer.writerow(row)
    return buffer.getvalue()


# --- command line ---------------------------------------------------------------------------

def build_all(paths: Sequence[str], reference_path) -> Tuple[List[Section], Optional[Table], dict]:
    """Load files and reference (exiting with status 2 on bad input) and build every table."""
    all_results = [qr.load_or_exit(p) for p in paths]
    try:
        reference = qr.load_reference(reference_path)
    except qr.ResultsError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(qr.EXIT_BAD_INPUT)
    sections = build_sections(all_results, reference)
    comparison = comparison_table(sections, reference) if len(sections) > 1 else None
    return sections, comparison, reference


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Tables of qbench results in the layout of Trusov et al. 2020 (Table: matrix "
                    "multiplication times), with the paper's figures and speedup ratios beside ours.",
        epilog="Without --out-dir, Markdown goes to stdout. With --out-dir, table.md, table.csv and "
               "table.tex are written (or only the --format chosen). Exit status 2 on unusable input.")
    parser.add_argument("results", nargs="+", metavar="RESULTS.json",
                        help="results files from 'qbench run'; several files get a section each "
                             "and a comparison table")
    parser.add_argument("--format", choices=("md", "csv", "tex", "all"), default=None,
                        help="output format (default: md to stdout, all with --out-dir)")
    parser.add_argument("--out-dir", type=Path, help="write table.<format> files here")
    parser.add_argument("--reference", default=str(qr.DEFAULT_REFERENCE),
                        help="the paper's table (default: %(default)s)")
    args = parser.parse_args(argv)

    fmt = args.format or ("all" if args.out_dir else "md")
    if fmt == "all" and not args.out_dir:
        parser.error("--format all needs --out-dir")
    sections, comparison, reference = build_all(args.results, args.reference)
    rendered = {}
    if fmt in ("md", "all"):
        rendered["md"] = render_markdown(sections, comparison)
    if fmt in ("csv", "all"):
        rendered["csv"] = render_csv(sections, reference)
    if fmt in ("tex", "all"):
        rendered["tex"] = render_tex(sections, comparison)

    if args.out_dir is None:
        sys.stdout.write(rendered[fmt])
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for ext, text in rendered.items():
        target = args.out_dir / f"table.{ext}"
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
