"""`lowbit report`: one self-contained HTML report: of a whole `make reproduce` run, or of qbench results files.

    lowbit report RUN_DIR --out RUN_DIR/report.html          # the whole run (lowbit.report_run)
    lowbit report results.json [more.json ...] --out out.html # matrix tables, plots, provenance

Everything is inside the file: the style sheet inline, plots as base64 PNG data URIs; no scripts,
fonts or links to anything outside it (lowbit.report_html).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from lowbit import report_run, tables
from lowbit.reference import DEFAULT_REFERENCE, REFERENCE_MACHINE
from lowbit.report_html import STYLE, esc, html_figures, html_provenance, html_table
from lowbit.tables import Section


def build_html(sections: Sequence[Section], comparison, reference) -> str:
    files = sorted({s.results.path.name for s in sections})
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>qbench: 4-bit matrix multiplication vs Trusov et al. 2020</title>",
             f"<style>{STYLE}</style></head><body>",
             "<h1>4-bit matrix multiplication: measured vs Trusov et al. 2020</h1>",
             "<p>Reference: Trusov, Limonova, Slugin, Nikolaev, Arlazarov, <i>Fast Implementation of "
             f"4-bit Convolutional Neural Networks for Mobile Devices</i>, ICPR 2020; "
             f"{esc(REFERENCE_MACHINE)}, single thread. Results files: "
             f"{esc(', '.join(files))}. How to read: docs/reports.md.</p>"]
    if comparison is not None:
        parts += ["<h2>Comparison of files</h2>", html_table(comparison)]
    for section in sections:
        parts.append(f"<h2>{esc(section.heading)}</h2>")
        if section.results.has_qnn:
            parts.append("<p>(The file also holds QNN results; they are not rendered here.)</p>")
        for table in section.tables:
            parts.append(html_table(table))
        parts += html_figures(section.results, section.family, reference)
        parts.append(html_provenance(section.provenance))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="one self-contained HTML report of a run directory or of results files",
        description="Write one self-contained HTML report: of a whole `make reproduce` run directory "
                    "(claims scoreboard, every experiment, provenance), or of qbench results files "
                    "(tables, plots, provenance).",
        epilog="Exit status 2 on unusable input (results files); in a run directory a missing or "
               "unusable file gives a 'not in this run' section instead.")
    parser.add_argument("results", nargs="+", metavar="RUN_DIR | RESULTS.json",
                        help="one `make reproduce` run directory, or results files from 'qbench run'")
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    parser.add_argument("--reference", default=str(DEFAULT_REFERENCE),
                        help="the paper's table (default: %(default)s)")
    parser.set_defaults(func=run)


def run(args) -> int:
    if len(args.results) == 1 and Path(args.results[0]).is_dir():
        text = report_run.build_html(Path(args.results[0]), args.reference)
    else:
        text = build_html(*tables.build_all(args.results, args.reference))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0
