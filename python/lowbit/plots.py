"""`lowbit plots`: qbench results beside the paper's figures (Trusov et al. 2020).

Two figures per results file and benchmark family, each as PNG and SVG:

* speedup_vs_float32: per shape (HxWxD), the speedup of each kernel over
  float32 (t_float32 / t_kernel), measured bars beside the paper's hatched bars;
  one panel per kernel;
* gops_vs_depth: throughput (2 H W D operations / time, in GOPS) against depth,
  one line per kernel, one panel per (height, width); the paper's figures dashed.
  With instruction counts it plots instructions per multiply-accumulate instead.

    lowbit plots results.json --out-dir out/plots
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen before pyplot loads)

from lowbit import results as qr
from lowbit import speedups
from lowbit.reference import REFERENCE_MACHINE, add_reference_option, load_reference

# Deterministic SVG output: fixed id salt, no creation date in the metadata.
matplotlib.rcParams["svg.hashsalt"] = "qbench"
matplotlib.rcParams["font.size"] = 9

KERNEL_COLOURS = {
    "float32": "#4c4c4c", "float32_rowmajor": "#8c8c8c", "int32": "#9467bd",
    "uint8": "#1f77b4", "uint8_gemmlowp": "#17becf", "uint4": "#d62728",
    "uint4_6": "#ff7f0e", "onednn_s8": "#2ca02c", "onednn_f32": "#8c564b", "xnnpack_u8": "#e377c2",
}
FALLBACK_COLOURS = ("#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a")
SAVE_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def kernel_colour(kernel: str) -> str:
    if kernel in KERNEL_COLOURS:
        return KERNEL_COLOURS[kernel]
    return FALLBACK_COLOURS[sum(map(ord, kernel)) % len(FALLBACK_COLOURS)]


def machine_title(results: qr.Results, family: str) -> str:
    """Second title line: where the numbers come from."""
    compiler = results.qbench.get("compiler") or "unknown compiler"
    how = (f"modelled from instruction counts ({results.qbench.get('arch', '?')})"
           if results.is_instructions else "median wall-clock time")
    return (f"{results.machine()}, {compiler}; {qr.FAMILY_LABEL.get(family, family)}; {how}\n"
            f"paper: Trusov et al. 2020, {REFERENCE_MACHINE}")


def speedup_kernels(results: qr.Results, family: str) -> List[str]:
    """Kernels that get a speedup panel: every measured one except the float32 variants."""
    return [k for k in results.kernels(family) if k not in speedups.FLOAT_KERNELS]


def paper_pair(kernel: str) -> Optional[speedups.Speedup]:
    for pair in speedups.SPEEDUPS_VS_FLOAT:
        if pair.fast == kernel:
            return pair
    return None


def plot_speedups(results: qr.Results, family: str, reference) -> Optional[plt.Figure]:
    """Grouped bars per shape: measured speedup over float32 beside the paper's, a panel per kernel."""
    measured = speedups.Measured(results, family)
    shapes = results.shapes(family)
    kernels = speedup_kernels(results, family)
    if not kernels or not shapes:
        return None
    ncols = 2 if len(kernels) > 3 else 1
    nrows = (len(kernels) + ncols - 1) // ncols
    width_in = max(8.0, 0.42 * len(shapes) + 2) * (1.0 if ncols == 1 else 1.6)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width_in, 2.7 * nrows + 1.2), squeeze=False)
    for index, kernel in enumerate(kernels):
        ax = axes[index // ncols][index % ncols]
        pair = paper_pair(kernel) or speedups.Speedup(kernel, "float32", None)
        draw_speedup_panel(ax, kernel, shapes, [measured.speedup(pair, s) for s in shapes],
                           [speedups.paper_speedup(reference, pair, s) for s in shapes])
        if index // ncols == nrows - 1 or index + ncols >= len(kernels):
            ax.set_xlabel("shape (height x width x depth)")
    for index in range(len(kernels), nrows * ncols):
        axes[index // ncols][index % ncols].set_visible(False)
    metric = "instruction-count ratio" if results.is_instructions else "t_float32 / t_kernel"
    fig.suptitle(f"Speedup over float32 ({metric}; float32 = faster Eigen layout per shape)\n"
                 + machine_title(results, family), fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.25 / fig.get_figheight()))  # room under the 4-line title
    return fig


def draw_speedup_panel(ax, kernel: str, shapes: Sequence[qr.Shape], mine, paper) -> None:
    """One kernel's bars: measured speedups over float32 per shape, the paper's hatched beside."""
    positions = list(range(len(shapes)))
    bar = 0.38
    colour = kernel_colour(kernel)
    has_paper = any(v is not None for v in paper)
    offset = bar / 2 if has_paper else 0.0
    ax.bar([p - offset for p in positions], [v or 0 for v in mine], bar if has_paper else 0.6,
           color=colour, label="measured")
    if has_paper:
        label = "paper (its uint8 column)" if kernel == "uint8_gemmlowp" else "paper"
        ax.bar([p + offset for p in positions], [v or 0 for v in paper], bar, color="white",
               edgecolor=colour, hatch="///", label=label)
    for p, v in zip(positions, mine):
        if v is None:
            ax.text(p - offset, 0.02, "n/a", rotation=90, ha="center", va="bottom", fontsize=7)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    ax.set_title(f"{qr.KERNEL_LABEL.get(kernel, kernel)} vs float32", fontsize=10)
    ax.set_ylabel("speedup (×)")
    ax.set_xticks(positions)
    ax.set_xticklabels([s.label for s in shapes], rotation=60, ha="right", fontsize=7)
    ax.set_xlim(-0.6, len(shapes) - 0.4)
    ax.grid(axis="y", alpha=0.3)
    tallest = max([v for v in mine + paper if v is not None] + [1.0])
    ax.set_ylim(0, tallest * 1.3)  # headroom for the legend
    ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=2)


def throughput(results: qr.Results, value: Optional[float], shape: qr.Shape) -> Optional[float]:
    """GOPS (2 operations per multiply-add) from microseconds, or instructions per MAC."""
    if value is None:
        return None
    if results.is_instructions:
        return value / shape.multiply_adds
    return 2 * shape.multiply_adds / (value * 1e3)


def kernel_label(kernel: str) -> str:
    return "float32 (best Eigen layout)" if kernel == "float32" else qr.KERNEL_LABEL.get(kernel, kernel)


def plot_gops(results: qr.Results, family: str, reference) -> Optional[plt.Figure]:
    """Lines per kernel against depth, a panel per (height, width); the paper's dashed."""
    shapes = results.shapes(family)
    if not shapes:
        return None
    heights = sorted({s.height for s in shapes})
    widths = sorted({s.width for s in shapes})
    kernels = ["float32"] + [k for k in results.kernels(family) if k not in speedups.FLOAT_KERNELS]
    if all(len({s.depth for s in shapes if (s.height, s.width) == (h, w)}) <= 1
           for h in heights for w in widths):
        return plot_gops_bars(results, family, reference, shapes, kernels)
    fig, axes = plt.subplots(len(heights), len(widths), figsize=(3.6 * len(widths) + 1.8, 3.0 * len(heights) + 1.3),
                             squeeze=False)
    ylabel = "instructions per multiply-add" if results.is_instructions else "GOPS (2·H·W·D / time)"
    handles: Dict[Tuple[bool, int], Tuple[str, object]] = {}  # (is paper, kernel rank) -> legend entry
    lines = GopsLines(results, speedups.Measured(results, family), reference, kernels, handles)
    for row, height in enumerate(heights):
        for col, width in enumerate(widths):
            ax = axes[row][col]
            panel = sorted((s for s in shapes if s.height == height and s.width == width),
                           key=lambda s: s.depth)
            if not panel:
                ax.set_visible(False)
                continue
            lines.draw(ax, panel)
            style_depth_panel(ax, [s.depth for s in panel], f"height {height}, width {width}", ylabel)
    finish_gops_figure(fig, results, family, [handles[key] for key in sorted(handles)])
    return fig


@dataclasses.dataclass
class GopsLines:
    """Draws the measured (and the paper's) throughput lines of one panel; collects the legend."""

    results: qr.Results
    measured: speedups.Measured
    reference: dict
    kernels: Sequence[str]
    handles: Dict[Tuple[bool, int], Tuple[str, object]]

    def draw(self, ax, panel: Sequence[qr.Shape]) -> None:
        depths = [s.depth for s in panel]
        for kernel in self.kernels:
            ys = [throughput(self.results, self.measured.kernel(kernel, s), s) for s in panel]
            if all(y is None for y in ys):
                continue
            label = kernel_label(kernel)
            (line,) = ax.plot(depths, [float("nan") if y is None else y for y in ys], marker="o",
                              markersize=3.5, color=kernel_colour(kernel), label=label)
            self.handles.setdefault((False, self.kernels.index(kernel)), (label, line))
            if not self.results.is_instructions and kernel in qr.PAPER_KERNELS:
                self.draw_paper(ax, panel, kernel)

    def draw_paper(self, ax, panel: Sequence[qr.Shape], kernel: str) -> None:
        paper = [throughput(self.results, self.reference.get(s, {}).get(kernel), s) for s in panel]
        if any(p is not None for p in paper):
            (pl,) = ax.plot([s.depth for s in panel], [float("nan") if p is None else p for p in paper],
                            linestyle="--", marker="x", markersize=3.5,
                            color=kernel_colour(kernel), alpha=0.7,
                            label=f"{kernel}, paper (ODROID-XU4)")
            self.handles.setdefault((True, self.kernels.index(kernel)), (pl.get_label(), pl))


def style_depth_panel(ax, depths: Sequence[int], title: str, ylabel: str) -> None:
    ax.set_xscale("log")
    ax.set_xticks(depths)
    ax.set_xticklabels([str(d) for d in depths])
    ax.minorticks_off()
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("depth")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)


def finish_gops_figure(fig: plt.Figure, results: qr.Results, family: str, entries) -> None:
    """The shared legend under the panels and the two-line title."""
    ncol = min(4, len(entries))
    fig.legend([line for _, line in entries], [label for label, _ in entries], loc="lower center",
               ncol=ncol, fontsize=8, frameon=False)
    what = ("Instructions per multiply-add against depth (lower is better)" if results.is_instructions
            else "Throughput against depth (higher is better)")
    fig.suptitle(f"{what}\n" + machine_title(results, family), fontsize=10)
    legend_rows = (len(entries) + ncol - 1) // max(ncol, 1)
    fig.tight_layout(rect=(0, min(0.3, 0.22 * legend_rows / fig.get_figheight()) + 0.01, 1, 1))


def plot_gops_bars(results: qr.Results, family: str, reference, shapes: Sequence[qr.Shape],
                   kernels: Sequence[str]) -> plt.Figure:
    """Throughput per shape as grouped bars: for configs with one depth per (height, width)."""
    measured = speedups.Measured(results, family)
    series = []  # (label, values, kernel, is paper)
    for kernel in kernels:
        label = kernel_label(kernel)
        series.append((label, [throughput(results, measured.kernel(kernel, s), s) for s in shapes], kernel, False))
        if not results.is_instructions and kernel in qr.PAPER_KERNELS:
            paper = [throughput(results, reference.get(s, {}).get(kernel), s) for s in shapes]
            if any(v is not None for v in paper):
                series.append((f"{kernel}, paper (ODROID-XU4)", paper, kernel, True))
    fig, ax = plt.subplots(figsize=(max(8.0, 1.1 * len(shapes) * len(series) / 4 + 3), 5.2))
    width = 0.85 / len(series)
    for index, (label, values, kernel, is_paper) in enumerate(series):
        xs = [p - 0.425 + width * (index + 0.5) for p in range(len(shapes))]
        style = dict(color="white", edgecolor=kernel_colour(kernel), hatch="///") if is_paper \
            else dict(color=kernel_colour(kernel))
        ax.bar(xs, [v if v is not None else 0 for v in values], width, label=label, **style)
    ax.set_yscale("log")
    ax.set_xticks(range(len(shapes)))
    ax.set_xticklabels([s.label for s in shapes])
    ax.set_xlabel("shape (height x width x depth)")
    ax.set_ylabel("instructions per multiply-add (log)" if results.is_instructions
                  else "GOPS (2·H·W·D / time, log scale)")
    ax.grid(axis="y", alpha=0.3, which="both")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    what = ("Instructions per multiply-add per shape (lower is better)" if results.is_instructions
            else "Throughput per shape (higher is better; one depth per height x width, so bars not lines)")
    ax.set_title(f"{what}\n" + machine_title(results, family), fontsize=10)
    fig.tight_layout()
    return fig


def family_figures(results: qr.Results, family: str, reference) -> List[Tuple[str, str, plt.Figure]]:
    """(file stem, title, figure) for the plots of one benchmark family of one file."""
    suffix = "" if family == qr.FAMILY_PER_CALL else f"_{family.replace('gemm_', '')}"
    out = []
    fig = plot_speedups(results, family, reference)
    if fig is not None:
        out.append((f"speedup_vs_float32{suffix}", "Speedup over float32 per shape", fig))
    fig = plot_gops(results, family, reference)
    if fig is not None:
        title = ("Instructions per multiply-add against depth" if results.is_instructions
                 else "Throughput against depth")
        out.append((f"gops_vs_depth{suffix}", title, fig))
    return out


def figures(results: qr.Results, reference) -> List[Tuple[str, str, plt.Figure]]:
    """(file stem, title, figure) for every plot of one results file."""
    return [f for family in results.families() for f in family_figures(results, family, reference)]


def png_bytes(fig: plt.Figure) -> bytes:
    """The figure as PNG at the report's resolution; closes it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata=SAVE_METADATA["png"])
    plt.close(fig)
    return buffer.getvalue()


def save(fig: plt.Figure, stem: Path) -> List[Path]:
    written = []
    for ext in ("png", "svg"):
        path = stem.with_name(f"{stem.name}.{ext}")
        fig.savefig(path, dpi=110 if ext == "png" else None, metadata=SAVE_METADATA[ext])
        written.append(path)
    plt.close(fig)
    return written


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "plots", help="speedup and throughput plots beside the paper's (PNG and SVG)",
        description="Plot qbench results beside the paper's: speedup over float32 per shape, and "
                    "throughput against depth. Writes PNG and SVG.",
        epilog="With several files, each file's plots get its name as prefix. "
               "Exit status 2 on unusable input.")
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="results from 'qbench run'")
    parser.add_argument("--out-dir", type=Path, required=True, help="directory for the images")
    add_reference_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    all_results = [qr.load_results(p) for p in args.results]
    reference = load_reference(args.reference)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for results in all_results:
        prefix = f"{results.label}_" if len(all_results) > 1 else ""
        for stem, _title, fig in figures(results, reference):
            for path in save(fig, args.out_dir / f"{prefix}{stem}"):
                print(f"wrote {path}")
    return 0
