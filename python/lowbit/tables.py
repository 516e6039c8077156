"""`lowbit tables`: qbench results in the layout of the paper's matrix-multiplication table.

For each results file (and each benchmark family in it: weights packed per call
or prepacked) three tables are made:

* times: the median of the repetitions per kernel and shape, with the paper's
  figure (Trusov et al. 2020, ODROID-XU4) beside each of its four columns;
* speedup over float32: measured, the paper's, and their ratio (measured / paper);
* speedup of uint4 over uint8: the same, for ours and for gemmlowp;
* when uint4_6 was measured, the 4.6-bit scheme (Trusov et al. 2024) against
  uint4 and uint8, beside that paper's claims (it publishes no per-shape table);
* when the file records the core's peak rates (context.qbench.peak), the
  roofline: each kernel's share of the peak of its instruction (lowbit.roofline),
  also written alone to roofline.md and roofline.csv with --out-dir.

Each table ends with a geometric-mean row and the section ends with a
provenance footnote.  With several files a last table compares their geometric
mean speedups.  The paper's "float32" column is the faster of Eigen
column-major and row-major per shape, and so is ours.

Output is deterministic: shapes sorted, kernels in a fixed order, fixed
precision, no clock or path in the text.  Missing kernels print '-'.
Rendering (Markdown, CSV, LaTeX) is in lowbit.table_formats.

    lowbit tables results.json                      # Markdown to stdout
    lowbit tables arm.json laptop.json --out-dir out # out/table.md, table.csv, table.tex
                                                     # (+ roofline.md, roofline.csv)
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from lowbit import roofline, table_formats
from lowbit.provenance import provenance
from lowbit.reference import DEFAULT_REFERENCE, REFERENCE_MACHINE, load_reference
from lowbit.results import FAMILY_LABEL, FAMILY_PREPACKED, PAPER_KERNELS, Results, Shape, load_results
from lowbit.speedups import (FOUR_SIX, MISSING, SPEEDUPS_4_6, SPEEDUPS_VS_UINT8, Measured, Speedup,
                             extra_kernels, format_metric, format_ratio, geometric_mean, paper_speedup,
                             ratio, speedups_vs_float)

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
    results: Results
    family: str
    tables: List[Table]
    provenance: Dict[str, str]
    roofline: Optional[Table] = None  # also in `tables`; None without recorded peak rates


@dataclasses.dataclass
class Column:
    header: str
    value: Callable[[Shape], Optional[float]]
    kind: str  # "metric" (time or instructions), "ratio" or "percent"


def format_percent(value: Optional[float]) -> str:
    return MISSING if value is None else f"{100 * value:.0f}%"


FORMATTERS = {"metric": format_metric, "ratio": format_ratio, "percent": format_percent}


# --- building tables ---------------------------------------------------------------------------

def build_table(title: str, shapes: Sequence[Shape], columns: Sequence[Column],
                notes: Sequence[str] = ()) -> Table:
    """Rows per shape plus a geometric-mean row; a geomean over fewer shapes shows [n]."""
    header = ["H", "W", "D"] + [c.header for c in columns]
    rows = []
    for shape in shapes:
        cells = [str(shape.height), str(shape.width), str(shape.depth)]
        for column in columns:
            cells.append(FORMATTERS[column.kind](column.value(shape)))
        rows.append(cells)
    geomean_row = ["geomean", "", ""]
    for column in columns:
        values = [v for v in (column.value(s) for s in shapes) if v is not None]
        cell = FORMATTERS[column.kind](geometric_mean(values))
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
    for kernel in PAPER_KERNELS:
        columns.append(Column(kernel, lambda s, k=kernel: measured.kernel(k, s), "metric"))
        columns.append(Column(f"{kernel} paper",
                              lambda s, k=kernel: reference.get(s, {}).get(k), "metric"))
    for kernel in extras:
        columns.append(Column(kernel, lambda s, k=kernel: measured.kernel(k, s), "metric"))
    winners = [measured.best_float(s)[1] for s in shapes]
    notes = [
        f"Median of {repetition_note(results, measured.family)}; 'paper' = Trusov et al. 2020, "
        f"{REFERENCE_MACHINE}, µs.",
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


def roofline_table(measured: Measured, shapes) -> Optional[Table]:
    """Each kernel's share of the peak of its instruction per shape; None without peak rates."""
    results, family = measured.results, measured.family
    kernels = [k for k in results.kernels(family) if roofline.matching_peak(results, k)]
    if not kernels:
        return None
    columns = [Column(k, lambda s, k=k: roofline.share_of_peak(results, family, k, s), "percent")
               for k in kernels]
    notes = ["Share of peak = H*W*D multiply-adds / median time / the peak multiply-add rate of the "
             "instruction the kernel is built on, measured on this core by qbench before timing "
             "(context.qbench.peak). 100% is the instruction alone, no loads, no packing."]
    notes += [f"{k}: {roofline.peak_label(results, roofline.matching_peak(results, k))}" for k in kernels]
    if any(k.split("@")[0] in roofline.APPROXIMATE for k in kernels):
        notes.append(f"{', '.join(roofline.APPROXIMATE)}: an approximation (vpmaddwd: gemmlowp's AVX2 "
                     "kernel, ymm, and XNNPACK's qu8 kernels; the kernel each library picks depends on the host).")
    return build_table("Share of peak (roofline)", shapes, columns, notes)


def levels_note(results: Results) -> str:
    levels = (results.qbench.get("kernels") or {}).get(FOUR_SIX, {}).get("levels")
    if not levels:
        return "not recorded"
    return f"({levels.get('activations')}, {levels.get('weights')})"


def repetition_note(results: Results, family: str) -> str:
    counts = sorted({len(c) for k, c in results.cells.items() if k.family == family})
    if not counts:
        return "no repetitions"
    span = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"{span} repetitions"


def section_heading(results: Results, family: str) -> str:
    measure = "modelled instruction counts" if results.is_instructions else "time"
    return f"{results.label}: {results.machine()} - {FAMILY_LABEL.get(family, family)}, {measure}"


def build_sections(all_results: Sequence[Results], reference) -> List[Section]:
    extras = extra_kernels(all_results)
    sections = []
    for results in all_results:
        for family in results.families():
            measured = Measured(results, family)
            shapes = results.shapes(family)
            tables = [times_table(measured, reference, shapes, extras)]
            tables += speedup_tables(measured, reference, shapes, extras)
            share = roofline_table(measured, shapes)
            tables += [share] if share else []
            sections.append(Section(section_heading(results, family), results, family,
                                    tables, provenance(results), share))
    return sections


def comparison_table(sections: Sequence[Section], reference) -> Table:
    """Geometric-mean speedups of every section side by side, with the paper's."""
    pairs = speedups_vs_float(extra_kernels([s.results for s in sections])) + list(SPEEDUPS_VS_UINT8)
    if any(FOUR_SIX in s.results.kernels() for s in sections):
        pairs += list(SPEEDUPS_4_6)
    header = ["speedup (geomean)", "paper"]
    legend = [f"paper: Trusov et al. 2020, {REFERENCE_MACHINE}, 18 shapes."]
    for index, section in enumerate(sections, start=1):
        tag = "modelled" if section.results.is_instructions else "time"
        family = "prepacked" if section.family == FAMILY_PREPACKED else "per call"
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


# --- command line ---------------------------------------------------------------------------

def build_all(paths: Sequence[str], reference_path) -> Tuple[List[Section], Optional[Table], dict]:
    """Load the files and the reference (ResultsError on bad input) and build every table."""
    all_results = [load_results(p) for p in paths]
    reference = load_reference(reference_path)
    sections = build_sections(all_results, reference)
    comparison = comparison_table(sections, reference) if len(sections) > 1 else None
    return sections, comparison, reference


def render(fmt: str, sections: Sequence[Section], comparison: Optional[Table], reference) -> Dict[str, str]:
    """{extension: text} of the chosen format ("md", "csv", "tex" or "all")."""
    rendered = {}
    if fmt in ("md", "all"):
        rendered["md"] = table_formats.render_markdown(sections, comparison)
    if fmt in ("csv", "all"):
        rendered["csv"] = table_formats.render_csv(sections, reference)
    if fmt in ("tex", "all"):
        rendered["tex"] = table_formats.render_tex(sections, comparison)
    return rendered


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "tables", help="the paper's matrix-multiplication table, measured beside the paper's",
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
    parser.add_argument("--reference", default=str(DEFAULT_REFERENCE),
                        help="the paper's table (default: %(default)s)")
    parser.set_defaults(func=run, parser=parser)


def run(args) -> int:
    fmt = args.format or ("all" if args.out_dir else "md")
    if fmt == "all" and not args.out_dir:
        args.parser.error("--format all needs --out-dir")
    sections, comparison, reference = build_all(args.results, args.reference)
    rendered = render(fmt, sections, comparison, reference)
    if args.out_dir is None:
        sys.stdout.write(rendered[fmt])
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    files = {f"table.{ext}": text for ext, text in rendered.items()}
    if any(section.roofline for section in sections):
        if fmt in ("md", "all"):
            files["roofline.md"] = table_formats.render_roofline_markdown(sections)
        if fmt in ("csv", "all"):
            files["roofline.csv"] = table_formats.render_roofline_csv(sections)
    for name, text in files.items():
        target = args.out_dir / name
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0
