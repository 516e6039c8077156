"""The scoreboard: a compact text table of a claims.json document, for the end of `make reproduce`."""

from __future__ import annotations

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
