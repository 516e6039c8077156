"""The HTML pieces of `lowbit report`: style sheet, tables, figures, provenance lists, Markdown tables.

Everything a report holds stays inside the one file: the style sheet inline, images as base64 data
URIs; no scripts, fonts or links to anything outside it.
"""

from __future__ import annotations

import base64
import html
from typing import Dict, List, Sequence

from lowbit import plots
from lowbit.tables import Table

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
p.absent { color: #555; font-style: italic; } nav.toc { font-size: 0.9em; }
"""

esc = html.escape


def html_table(table: Table) -> str:
    paper_columns = {i for i, h in enumerate(table.header) if h.endswith(" paper")}
    out = [f"<h3>{esc(table.title)}</h3>"] if table.title else []
    out += ['<div class="scroll"><table>', "<thead><tr>"]
    out += [f"<th>{esc(h)}</th>" for h in table.header]
    out.append("</tr></thead><tbody>")
    for row in table.rows:
        css = ' class="geomean"' if row and row[0] == "geomean" else ""
        cells = [f'<td class="paper">{esc(c)}</td>' if i in paper_columns
                 else f"<td>{esc(c)}</td>" for i, c in enumerate(row)]
        out.append(f"<tr{css}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    if table.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in table.notes) + "</ul>")
    return "\n".join(out)


def html_provenance(facts: Dict[str, str], title: str = "Provenance") -> str:
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(str(v))}</dd>" for k, v in facts.items())
    return f'<h3>{esc(title)}</h3>\n<dl class="prov">{items}</dl>'


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html_png(png: bytes, title: str, caption: str) -> str:
    return (f'<figure><img alt="{esc(title)}" src="{png_data_uri(png)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def html_figure(fig, title: str, caption: str) -> str:
    """A matplotlib figure, rendered to PNG and embedded."""
    return html_png(plots.png_bytes(fig), title, caption)


class Absent(Exception):
    """A part of the report that this run has no results for; str() is the reason."""


def html_figures(results, family: str, reference) -> List[str]:
    """The plots of one results file and benchmark family (lowbit.plots)."""
    return [html_figure(fig, title, f"{title}: {results.machine()}")
            for _stem, title, fig in plots.family_figures(results, family, reference)]


def not_in_run(reason: str) -> str:
    """The body of a section whose results this run does not have."""
    return f'<p class="absent">Not in this run: {esc(reason)}</p>'


def markdown_table(lines: Sequence[str]) -> Table:
    """A pipe table (header, separator, rows) as a Table without title."""
    def cells(line: str) -> List[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    rows = [cells(line) for index, line in enumerate(lines)
            if not (index == 1 and set(line.strip()) <= set("|-: "))]
    return Table(title="", header=rows[0] if rows else [], rows=rows[1:])


def markdown_html(text: str) -> str:
    """The Markdown our table commands write (headings, pipe tables, bullet lists, paragraphs) as HTML."""
    out: List[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("|"):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            out.append(html_table(markdown_table(lines[i:j])))
            i = j
            continue
        if line.startswith("#"):
            out.append(f"<h3>{esc(line.lstrip('#').strip())}</h3>")
        elif line.startswith("- "):
            out.append(f'<ul class="notes"><li>{esc(line[2:])}</li></ul>')
        elif line:
            out.append(f"<p>{esc(line)}</p>")
        i += 1
    return "\n".join(out)
