"""The scoreboard of a claims.json document: a compact text table (the end of `make reproduce`) and an HTML table (the report)."""

from __future__ import annotations

import html
import json
from typing import List

REASON_WIDTH = 100


def format_value(value, unit: str) -> str:
    """2.66 'x' -> '2.66x'; 0.6 'pt' -> '0.60 pt'; 52.6 '%' -> '52.6%'; strings as they are."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "pt":
        return f"{value:+.2f} pt" if value < 0 else f"{value:.2f} pt"
    if unit == "%":
        return f"{value:.2f}%" if abs(value) < 10 else f"{value:.1f}%"
    return f"{value:.2f}"


def shorten(text: str, width: int = REASON_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def render(document: dict, details_path: str = "claims.json") -> str:
    """The table, then one line of counts (the last line `make reproduce` prints)."""
    header = ["claim", "paper", "measured", "verdict", "reason"]
    rows: List[List[str]] = [header]
    for row in document.get("claims", []):
        unit = row.get("unit") or ""
        rows.append([row["id"], format_value(row.get("paper_value"), unit),
                     format_value(row.get("measured_value"), unit), row["verdict"], shorten(row.get("reason", ""))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = [f"Claims scoreboard: run {document.get('run_directory', '?')} "
             f"(paper = the paper's figure, measured = this run's counterpart)"]
    for index, cells in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)) + "  " + cells[-1])
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len("reason"))
    counts = document.get("counts", {})
    summary = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    lines.append(f"{len(rows) - 1} claims: {summary}. Reasons and evidence in full: {details_path}")
    return "\n".join(lines) + "\n"


VERDICT_CLASS = {"reproduced": "v-reproduced", "partly": "v-partly", "not reproduced": "v-missed",
                 "not measurable": "v-absent"}

# Verdict colours of the HTML scoreboard (the report's style sheet includes them).
STYLE = """
td.v-reproduced { background: #d9f2d9; } td.v-partly { background: #fff1c2; }
td.v-missed { background: #f8d0d0; } td.v-absent { background: #e8e8e8; }
table.claims td { white-space: normal; vertical-align: top; text-align: left; }
table.claims td.num { text-align: right; white-space: nowrap; }
details.evidence pre { font-size: 0.85em; max-height: 30em; overflow: auto; background: #fafafa; }
"""


def render_html(document: dict) -> str:
    """The scoreboard as an HTML table: one row per claim, its evidence folded under it (no scripts)."""
    esc = html.escape
    counts = ", ".join(f"{n} {verdict}" for verdict, n in document.get("counts", {}).items())
    out = [f"<p>{len(document.get('claims', []))} claims: {esc(counts)}. Verdict rules: docs/claims.md.</p>",
           '<div class="scroll"><table class="claims"><thead><tr>',
           "".join(f"<th>{h}</th>" for h in ("claim", "paper", "statement", "paper's figure", "measured",
                                             "verdict", "reason and evidence")),
           "</tr></thead><tbody>"]
    for row in document.get("claims", []):
        unit = row.get("unit") or ""
        evidence = json.dumps(row.get("evidence", {}), indent=1, ensure_ascii=False)
        out.append(
            f'<tr id="claim-{esc(row["id"])}"><td>{esc(row["id"])}</td><td>{esc(str(row.get("paper")))}</td>'
            f"<td>{esc(str(row.get('claim')))}<br><small>{esc(str(row.get('platform')))}</small></td>"
            f'<td class="num">{esc(format_value(row.get("paper_value"), unit))}</td>'
            f'<td class="num">{esc(format_value(row.get("measured_value"), unit))}</td>'
            f'<td class="{VERDICT_CLASS.get(row["verdict"], "")}">{esc(row["verdict"])}</td>'
            f"<td>{esc(row.get('reason', ''))}<br><small>tolerance: {esc(str(row.get('tolerance')))}</small>"
            f'<details class="evidence"><summary>evidence</summary><pre>{esc(evidence)}</pre></details></td></tr>')
    out.append("</tbody></table></div>")
    return "\n".join(out)
