"""`lowbit report`: one self-contained HTML report of qbench results: tables, plots and provenance.

Everything is inside the file: the style sheet inline, plots as base64 PNG
data URIs; no scripts, fonts or links to anything outside it.

    lowbit report results.json [more.json ...] --out out/report.html
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import List, Sequence

from lowbit import plots, tables
from lowbit.reference import DEFAULT_REFERENCE, REFERENCE_MACHINE
from lowbit.results import Results
from lowbit.tables import Section, Table

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; margin-top: 2em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.3em 0; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
tr.geomean td { font-weight: bold; border-top: 2px solid #888; }
.paper { color: #666; } .scroll { overflow-x: auto; }
ul.notes { font-size: 0.8em; color: #444; margin-top: 0.2em; }
dl.prov { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 0.85em; }
dl.prov dt { font-weight: bold; } dl.prov dd { margin: 0; font-family: monospace; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #444; }
"""


def html_table(table: Table) -> str:
    paper_columns = {i for i, h in enumerate(table.header) if h.endswith(" paper")}
    out = [f"<h3>{html.escape(table.title)}</h3>", '<div class="scroll"><table>', "<thead><tr>"]
    out += [f"<th>{html.escape(h)}</th>" for h in table.header]
    out.append("</tr></thead><tbody>")
    for row in table.rows:
        css = ' class="geomean"' if row and row[0] == "geomean" else ""
        cells = [f'<td class="paper">{html.escape(c)}</td>' if i in paper_columns
                 else f"<td>{html.escape(c)}</td>" for i, c in enumerate(row)]
        out.append(f"<tr{css}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    if table.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{html.escape(n)}</li>" for n in table.notes) + "</ul>")
    return "\n".join(out)


def html_provenance(facts) -> str:
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts.items())
    return f'<h3>Provenance</h3>\n<dl class="prov">{items}</dl>'


def png_data_uri(fig) -> str:
    return "data:image/png;base64," + base64.b64encode(plots.png_bytes(fig)).decode("ascii")


def html_figures(results: Results, family: str, reference) -> List[str]:
    out = []
    for _stem, title, fig in plots.family_figures(results, family, reference):
        out.append(f'<figure><img alt="{html.escape(title)}" src="{png_data_uri(fig)}">'
                   f"<figcaption>{html.escape(title)}: {html.escape(results.machine())}</figcaption></figure>")
    return out


def build_html(sections: Sequence[Section], comparison, reference) -> str:
    files = sorted({s.results.path.name for s in sections})
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>qbench: 4-bit matrix multiplication vs Trusov et al. 2020</title>",
             f"<style>{STYLE}</style></head><body>",
             "<h1>4-bit matrix multiplication: measured vs Trusov et al. 2020</h1>",
             "<p>Reference: Trusov, Limonova, Slugin, Nikolaev, Arlazarov, <i>Fast Implementation of "
             f"4-bit Convolutional Neural Networks for Mobile Devices</i>, ICPR 2020; "
             f"{html.escape(REFERENCE_MACHINE)}, single thread. Results files: "
             f"{html.escape(', '.join(files))}. How to read: docs/reports.md.</p>"]
    if comparison is not None:
        parts += ["<h2>Comparison of files</h2>", html_table(comparison)]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
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
        "report", help="one self-contained HTML report (tables, plots, provenance)",
        description="Write one self-contained HTML report (tables, plots, provenance) of qbench results.",
        epilog="Exit status 2 on unusable input.")
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="results from 'qbench run'")
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    parser.add_argument("--reference", default=str(DEFAULT_REFERENCE),
                        help="the paper's table (default: %(default)s)")
    parser.set_defaults(func=run)


def run(args) -> int:
    sections, comparison, reference = tables.build_all(args.results, args.reference)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(build_html(sections, comparison, reference), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0
