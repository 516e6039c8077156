"""The history figures: per shape, each kernel's median time over commits, and its ratio to float32
with the paper's ratio (Trusov et al. 2020, lowbit.reference) as a dashed reference line."""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen before pyplot loads)

from lowbit import results as qr  # noqa: E402
from lowbit.history.series import Commit, SeriesKey  # noqa: E402
from lowbit.plots import kernel_colour  # noqa: E402
from lowbit.reference import REFERENCE_MACHINE  # noqa: E402

COLUMNS = 3


def series_keys(points: Sequence[Commit], family: str) -> Dict[qr.Shape, List[str]]:
    """Per shape of the family, the kernels measured at some commit, in table order."""
    kernels: Dict[qr.Shape, set] = {}
    for point in points:
        for fam, kernel, shape in point.samples:
            if fam == family:
                kernels.setdefault(shape, set()).add(kernel)
    return {shape: qr.order_kernels(kernels[shape]) for shape in sorted(kernels)}


def paper_ratio(reference, kernel: str, shape: qr.Shape) -> Optional[float]:
    row = reference.get(shape) or {}
    if kernel == "float32" or kernel not in row or not row.get("float32"):
        return None
    return row[kernel] / row["float32"]


def panel_grid(count: int, title: str):
    rows = math.ceil(count / COLUMNS)
    columns = min(count, COLUMNS)
    fig, axes = plt.subplots(rows, columns, figsize=(max(4.2 * columns, 8.0), 3.2 * rows + 0.6),
                             squeeze=False)
    fig.suptitle(title, fontsize=8)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def draw_panel(ax, points: Sequence[Commit], family: str, shape: qr.Shape, kernels: Sequence[str],
               ratio: bool, reference) -> None:
    x = list(range(len(points)))
    for kernel in kernels:
        if ratio and kernel == "float32":
            continue
        key: SeriesKey = (family, kernel, shape)
        values = [p.ratio_to_float32(key) if ratio else p.median(key) for p in points]
        ys = [v if v is not None else float("nan") for v in values]
        ax.plot(x, ys, marker="o", markersize=3, color=kernel_colour(kernel), label=kernel)
        paper = paper_ratio(reference, kernel, shape) if ratio else None
        if paper is not None:
            ax.axhline(paper, color=kernel_colour(kernel), linestyle="--", linewidth=0.9)
    ax.set_title(f"{shape.label} (HxWxD)")
    ax.set_xticks(x)
    ax.set_xticklabels([p.commit[:7] for p in points], rotation=60, fontsize=7)
    ax.set_ylabel("time / float32 time" if ratio else "median time (us)")
    if not ratio:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)


def history_figure(points: Sequence[Commit], family: str, machine: str, ratio: bool, reference):
    """One figure, one panel per shape; None when the family has no cell."""
    shapes = series_keys(points, family)
    if not shapes:
        return None
    what = "ratio to float32 (dashed: the paper's ratio)" if ratio else "median time"
    fig, axes = panel_grid(len(shapes), f"{what} over commits, oldest first\n"
                                        f"{machine}; {qr.FAMILY_LABEL.get(family, family)}\n"
                                        f"paper: {REFERENCE_MACHINE}")
    for ax, (shape, kernels) in zip(axes, shapes.items()):
        draw_panel(ax, points, family, shape, kernels, ratio, reference)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6), fontsize=8)
    fig.tight_layout(rect=(0, 0.06, 1, 0.9))
    return fig
