"""`lowbit history DIR --out-dir D`: from a folder of results files of one machine, per benchmark
family two figures (PNG and SVG): each kernel's median time over commits, and its ratio to float32
beside the paper's ratio; and history.csv with every plotted point."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

from lowbit import results as qr
from lowbit.history import figures, series
from lowbit.plots import save
from lowbit.reference import DEFAULT_REFERENCE, load_reference


def write_csv(points: Sequence[series.Commit], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["commit", "time", "time_from", "files", "family", "kernel", "height", "width",
                         "depth", "median_us", "ratio_to_float32"])
        for point in points:
            for key in sorted(point.samples):
                family, kernel, shape = key
                ratio = point.ratio_to_float32(key)
                writer.writerow([point.commit, point.when, point.when_source, " ".join(point.files),
                                 family, kernel, shape.height, shape.width, shape.depth,
                                 f"{point.median(key):.6g}", "" if ratio is None else f"{ratio:.6g}"])


def run(args) -> int:
    points, skipped, machine = series.commits(args.folder, args.repo)
    for reason in skipped:
        print(f"history: skipped {reason}")
    reference = load_reference(args.reference)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    families = sorted({family for p in points for family, _, _ in p.samples})
    for family in families:
        suffix = "" if family == qr.FAMILY_PER_CALL else f"_{family.replace('gemm_', '')}"
        for stem, ratio in (("median_over_commits", False), ("ratio_to_float32_over_commits", True)):
            fig = figures.history_figure(points, family, machine, ratio, reference)
            if fig is not None:
                for path in save(fig, args.out_dir / f"{stem}{suffix}"):
                    print(f"wrote {path}")
    write_csv(points, args.out_dir / "history.csv")
    print(f"wrote {args.out_dir / 'history.csv'} ({len(points)} commits)")
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "history", help="each kernel's median and ratio to float32 over commits (one machine)",
        description=__doc__, epilog="Commits are ordered by commit time (git), or by the run date for "
                                    "a commit git does not know. Exit status 2 on unusable input.")
    parser.add_argument("folder", type=Path, metavar="DIR", help="results files of one machine")
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--repo", type=Path, default=Path("."),
                        help="git repository that knows the commits (default: here)")
    parser.add_argument("--reference", default=str(DEFAULT_REFERENCE),
                        help="the paper's table (default: %(default)s)")
    parser.set_defaults(func=run)
