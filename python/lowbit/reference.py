"""The paper's matrix-multiplication table (Trusov et al. 2020, ODROID-XU4), as shipped in
results/reference/trusov2020-table.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from lowbit.paths import REFERENCE_DIR
from lowbit.results import PAPER_KERNELS, ResultsError, Shape

DEFAULT_REFERENCE = REFERENCE_DIR / "trusov2020-table.csv"
REFERENCE_MACHINE = "ODROID-XU4 (Exynos 5422, Cortex-A15, ARMv7 NEON)"


def add_reference_option(parser) -> None:
    """--reference: the paper's table, for the commands that set results beside it."""
    parser.add_argument("--reference", default=str(DEFAULT_REFERENCE), help="the paper's table (default: %(default)s)")


def load_reference(path=DEFAULT_REFERENCE) -> Dict[Shape, Dict[str, float]]:
    """The paper's table: {Shape: {kernel: microseconds}} for float32, int32, uint8, uint4.

    Lines starting with '#' are comments.  Raises ResultsError on a malformed file.
    """
    path = Path(path)
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.lstrip().startswith("#")]
    except OSError as err:
        raise ResultsError(path, f"cannot read the reference table: {err}") from None
    if not lines:
        raise ResultsError(path, "reference table is empty")
    header = [h.strip() for h in lines[0].split(",")]
    needed = ["height", "width", "depth"] + [f"{k}_us" for k in PAPER_KERNELS]
    missing = [h for h in needed if h not in header]
    if missing:
        raise ResultsError(path, f"reference table lacks column(s) {', '.join(missing)}")
    table: Dict[Shape, Dict[str, float]] = {}
    for number, line in enumerate(lines[1:], start=2):
        fields = dict(zip(header, (f.strip() for f in line.split(","))))
        try:
            shape = Shape(int(fields["height"]), int(fields["width"]), int(fields["depth"]))
            table[shape] = {k: float(fields[f"{k}_us"]) for k in PAPER_KERNELS if fields.get(f"{k}_us")}
        except (KeyError, ValueError) as err:
            raise ResultsError(path, f"reference table row {number} is malformed: {err}") from None
    return table
