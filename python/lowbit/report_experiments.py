"""The report's sections of the experiments that are not matrix tables: the QNN test, the
fixed-point search (fxp.json) and the distortion training (distortion.json).

Each function takes the run directory and returns the section's HTML parts, or raises Absent (the
run has no such results) with the reason. Fields a row lacks show as '-': a file written by an
older or newer version of an experiment still renders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

from lowbit.qnn import table as qnn_table
from lowbit.report_html import Absent, esc, html_png, html_table, markdown_html
from lowbit.tables import Table

FXP_COLUMNS = ("network", "dataset", "protocol", "source", "float_acc_pct", "fxp_acc_pct",
               "relative_drop_pct", "memory_saving_pct", "mult_saving_pct")
FXP_KINDS = (("weights", "w"), ("biases", "b"), ("activations", "a"))
DISTORTION_COLUMNS = (("accuracy_pct", "accuracy %", 2), ("error_free_zone_pct", "error-free zone %", 2),
                      ("coverage_at_0_1pct_error_pct", "coverage at <=0.1% error %", 2),
                      ("spearman_rho", "Spearman rho(r, sigma)", 3))


MADE_BY = {"qnn.json": "`qbench qnn`", "fxp.json": "`lowbit fxp`", "distortion.json": "`lowbit distortion`"}


def run_file(run_dir: Path, name: str) -> Path:
    path = run_dir / name
    if not path.is_file():
        raise Absent(f"{name} is not in the run directory (it is written by {MADE_BY.get(name, 'its experiment')})")
    return path


def rows_of(run_dir: Path, name: str) -> dict:
    """The document of fxp.json or distortion.json: {"rows": [...], ...} (a bare list is its rows)."""
    path = run_file(run_dir, name)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Absent(f"{name} cannot be read: {err}") from None
    if isinstance(document, list):
        document = {"rows": document}
    if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
        raise Absent(f"{name} holds no list of rows")
    return document


def cell(value) -> str:
    return "-" if value is None or value == "" else str(value)


def run_pngs(run_dir: Path, prefix: str) -> List[str]:
    """Every <prefix>-*.png the experiment wrote into the run directory, embedded."""
    return [html_png(path.read_bytes(), path.stem, f"{path.name} (written by the experiment)")
            for path in sorted(run_dir.glob(f"{prefix}-*.png"))]


def optional_markdown(run_dir: Path, name: str) -> List[str]:
    path = run_dir / name
    if not path.is_file():
        return []
    return [f"<details><summary>{esc(name)}, as the experiment wrote it</summary>",
            markdown_html(path.read_text(encoding="utf-8", errors="replace")), "</details>"]


def qnn_section(run_dir: Path) -> List[str]:
    """The QNN table as `lowbit qnn-table` renders it."""
    path = run_file(run_dir, "qnn.json")
    return [markdown_html(qnn_table.render(path, qnn_table.REFERENCE, fxp=qnn_table.default_fxp()))]


def layer_bits(layers) -> str:
    """Per-layer bitwidth / fractional bits: 'conv1 w 6/5 b 8/6 a 7/3; ...'."""
    if not isinstance(layers, list):
        return "-"
    described = []
    for layer in layers:
        kinds = " ".join(f"{short} {layer[kind].get('bw')}/{layer[kind].get('f')}"
                         for kind, short in FXP_KINDS if isinstance(layer.get(kind), dict))
        described.append(f"{layer.get('name', '?')} {kinds}".strip())
    return "; ".join(described)


def fxp_section(run_dir: Path) -> List[str]:
    document = rows_of(run_dir, "fxp.json")
    rows = [r for r in document["rows"] + list(document.get("paper_rows") or []) if isinstance(r, dict)]
    table = Table(title="Fixed-point per-layer quantization (Goyal et al. 2021)",
                  header=list(FXP_COLUMNS) + ["per-layer BW/F", "note"],
                  rows=[[cell(r.get(c)) for c in FXP_COLUMNS] + [layer_bits(r.get("layers")), cell(r.get("note"))]
                        for r in rows],
                  notes=["Accuracies in %; relative drop = (float - fxp) / float; savings against every "
                         "tensor at 8 bits; BW/F = bitwidth / fractional bits of weights (w), biases (b), "
                         "activations (a)."])
    return [html_table(table)] + optional_markdown(run_dir, "fxp-table.md") + run_pngs(run_dir, "fxp")


def mean_std(stat, digits: int) -> str:
    if isinstance(stat, dict) and isinstance(stat.get("mean"), (int, float)):
        std = stat.get("std")
        return f"{stat['mean']:.{digits}f}" + (f" ± {std:.{digits}f}" if isinstance(std, (int, float)) else "")
    return "-"


def distortion_section(run_dir: Path) -> List[str]:
    document = rows_of(run_dir, "distortion.json")
    rows = [r for r in document["rows"] if isinstance(r, dict)]
    table = Table(title="Training with the distortion level (Janiszewski, Slugin, Arlazarov)",
                  header=["training", "inference"] + [label for _key, label, _d in DISTORTION_COLUMNS],
                  rows=[[cell(r.get("training")), cell(r.get("inference"))]
                        + [mean_std(r.get(key), digits) for key, _label, digits in DISTORTION_COLUMNS]
                        for r in rows],
                  notes=["mean ± std over the seeds; training: baseline or distortion; inference: "
                         "float, q8 or q4 (the integer reference)."])
    return [html_table(table)] + optional_markdown(run_dir, "distortion-table.md") + run_pngs(run_dir, "distortion")
