"""Load and validate a results file written by ``qbench run`` (or ``lowbit icount``).

The file is Google Benchmark's JSON with one extra object, ``context.qbench``
(schema, provenance, kernels, verification).  This module is the only place
that reads that format: every command works on the :class:`Results` object it
returns, and every unusable input raises :class:`ResultsError`.

Rules applied here, once, for every consumer:

* only per-repetition entries (``run_type == "iteration"``) are used; the
  aggregates Google Benchmark appends (``_mean``, ``_median`` ...) are ignored
  and medians are recomputed from the samples, so interrupted runs
  (``context.qbench.partial``) without aggregates work the same;
* entries with ``"error_occurred": true`` are dropped and listed in
  :attr:`Results.errors`;
* times are normalised to microseconds (``time_unit`` ns/us/ms/s, ``real_time``);
  with ``measure == "instructions"`` the ``instructions`` counter (instructions
  per product) is the metric instead.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import statistics
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

SUPPORTED_SCHEMA_VERSIONS = (1,)

# Exit status of every command when an input file cannot be used.
EXIT_BAD_INPUT = 2

TIME_UNIT_TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

# Benchmark families: weights packed inside the timed call, or once before it.
FAMILY_PER_CALL = "gemm"
FAMILY_PREPACKED = "gemm_prepacked"
FAMILIES = (FAMILY_PER_CALL, FAMILY_PREPACKED)
FAMILY_LABEL = {FAMILY_PER_CALL: "weights packed per call",
                FAMILY_PREPACKED: "weights prepacked"}

# The paper's four columns, then every other kernel the runner knows, in the
# fixed order the tables and plots use.  Unknown kernel ids sort after these.
PAPER_KERNELS = ("float32", "int32", "uint8", "uint4")
KERNEL_ORDER = ("float32", "float32_rowmajor", "int32", "uint8", "uint8_gemmlowp",
                "uint4", "uint4_6", "onednn_s8", "onednn_f32", "xnnpack_u8")
KERNEL_LABEL = {
    "float32": "float32 (Eigen, column-major)",
    "float32_rowmajor": "float32 (Eigen, row-major)",
    "int32": "int32 (Eigen)",
    "uint8": "uint8 (ours)",
    "uint8_gemmlowp": "uint8 (gemmlowp)",
    "uint4": "uint4 (ours, the paper's)",
    "uint4_6": "4.6-bit (ours)",
    "onednn_s8": "oneDNN s8",
    "onednn_f32": "oneDNN f32",
    "xnnpack_u8": "XNNPACK u8",
}

_NAME_RE = re.compile(r"^(?P<family>[A-Za-z0-9_]+)/(?P<kernel>[A-Za-z0-9_]+(@[a-z0-9]+)?)/"
                      r"(?P<height>\d+)/(?P<width>\d+)/(?P<depth>\d+)(?P<rest>(/.*)?)$")
# Suffixes Google Benchmark itself may append to a name ("/repeats:9", "/real_time").
_GBENCH_SUFFIX_RE = re.compile(r"^([a-z_]+:[^/]+|real_time|manual_time|process_time)$")


class ResultsError(Exception):
    """A results file is unreadable, malformed or lacks a required field.

    The message always starts with the file name.
    """

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclasses.dataclass(frozen=True, order=True)
class Shape:
    """R = W X with W of height x depth and X of depth x width (the paper's terms)."""

    height: int
    width: int
    depth: int

    @property
    def label(self) -> str:
        return f"{self.height}x{self.width}x{self.depth}"

    @property
    def multiply_adds(self) -> int:
        return self.height * self.width * self.depth


@dataclasses.dataclass(frozen=True, order=True)
class CellKey:
    """One benchmark cell: a family, a kernel and a shape."""

    family: str
    kernel: str
    shape: Shape

    @property
    def label(self) -> str:
        return f"{self.family}/{self.kernel}/{self.shape.height}/{self.shape.width}/{self.shape.depth}"


@dataclasses.dataclass
class Cell:
    """The samples of one cell, keyed by repetition index."""

    key: CellKey
    samples: Dict[int, float]

    @property
    def values(self) -> List[float]:
        return [self.samples[i] for i in sorted(self.samples)]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def __len__(self) -> int:
        return len(self.samples)


@dataclasses.dataclass
class Results:
    """A validated results file."""

    path: Path
    context: dict
    qbench: dict
    measure: str                      # "time" or "instructions"
    cells: Dict[CellKey, Cell]
    errors: List[Tuple[str, str]]     # (benchmark name, error message)
    ignored: List[str]                # names that are not gemm cells (e.g. future families)

    # --- what the consumers ask -------------------------------------------------
    @property
    def label(self) -> str:
        """Short name for headings and table columns: the file name without .json."""
        name = self.path.name
        return name[:-5] if name.endswith(".json") else name

    @property
    def is_instructions(self) -> bool:
        return self.measure == "instructions"

    @property
    def unit(self) -> str:
        """Unit of the metric: 'us' for time, 'instr' for instruction counts."""
        return "instr" if self.is_instructions else "us"

    @property
    def partial(self) -> bool:
        return bool(self.qbench.get("partial", False))

    @property
    def has_qnn(self) -> bool:
        return "qnn" in self.qbench

    def families(self) -> List[str]:
        present = {k.family for k in self.cells}
        return [f for f in FAMILIES if f in present] + sorted(present - set(FAMILIES))

    def kernels(self, family: Optional[str] = None) -> List[str]:
        present = {k.kernel for k in self.cells if family is None or k.family == family}
        return order_kernels(present)

    def shapes(self, family: Optional[str] = None) -> List[Shape]:
        return sorted({k.shape for k in self.cells if family is None or k.family == family})

    def cell(self, family: str, kernel: str, shape: Shape) -> Optional[Cell]:
        return self.cells.get(CellKey(family, kernel, shape))

    def median(self, family: str, kernel: str, shape: Shape) -> Optional[float]:
        cell = self.cell(family, kernel, shape)
        return cell.median if cell is not None and len(cell) else None

    def machine(self) -> str:
        """One line naming the machine: CPU model and architecture."""
        cpu = self.qbench.get("cpu_model") or "unknown CPU"
        arch = self.qbench.get("arch") or "unknown arch"
        return f"{cpu} ({arch})"

    def failed_verifications(self) -> List[dict]:
        return [v for v in self.qbench.get("verification", []) or []
                if isinstance(v, dict) and not v.get("ok", True)]


def order_kernels(kernels: Iterable[str]) -> List[str]:
    """Kernel ids in the fixed table order; unknown ids last, alphabetically."""
    known = [k for k in KERNEL_ORDER if k in set(kernels)]
    return known + sorted(set(kernels) - set(KERNEL_ORDER))


def parse_benchmark_name(name: str) -> Optional[Tuple[str, str, Shape]]:
    """Split 'gemm/uint4/8/100/10' into (family, kernel, Shape); None if not a gemm cell."""
    m = _NAME_RE.match(name)
    if not m:
        return None
    rest = [p for p in m.group("rest").split("/") if p]
    if any(not _GBENCH_SUFFIX_RE.match(p) for p in rest):
        return None
    shape = Shape(int(m.group("height")), int(m.group("width")), int(m.group("depth")))
    return m.group("family"), m.group("kernel"), shape


# --- loading -----------------------------------------------------------------------

def read_json(path) -> object:
    """The parsed JSON of a file; ResultsError (naming the file) when it cannot be read or parsed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ResultsError(path, f"cannot read: {err}") from None
    if not text.strip():
        raise ResultsError(path, "file is empty (was the run interrupted before it wrote anything?)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        ends_abruptly = not text.rstrip().endswith(("}", "]"))
        hint = " (the file ends abruptly: truncated? was the run interrupted?)" if ends_abruptly else ""
        raise ResultsError(path, f"not valid JSON: {err.msg} at line {err.lineno} "
                                 f"column {err.colno}{hint}") from None


def _require(path: Path, obj: dict, key: str, kind, where: str):
    if key not in obj:
        raise ResultsError(path, f"missing field '{where}{key}'")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ResultsError(path, f"field '{where}{key}' should be {expected}, "
                                 f"got {type(value).__name__}")
    return value


def _sample_value(path: Path, entry: dict, measure: str, index: int) -> float:
    """The metric of one per-repetition entry: microseconds, or instructions per product."""
    where = f"benchmarks[{index}] ({entry.get('name')})."
    if measure == "instructions":
        value = _require(path, entry, "instructions", (int, float), where)
    else:
        raw = _require(path, entry, "real_time", (int, float), where)
        unit = _require(path, entry, "time_unit", str, where)
        if unit not in TIME_UNIT_TO_US:
            raise ResultsError(path, f"field '{where}time_unit' is '{unit}', "
                                     f"expected one of {', '.join(TIME_UNIT_TO_US)}")
        value = raw * TIME_UNIT_TO_US[unit]
    if not math.isfinite(value) or value <= 0:
        raise ResultsError(path, f"{where[:-1]}: non-positive or non-finite {measure} value {value!r}")
    return float(value)


def load_results(path) -> Results:
    """Read, validate and index one results file.  Raises ResultsError."""
    return results_from_document(Path(path), read_json(path))


def results_from_document(path: Path, data: object) -> Results:
    """Validate and index a parsed results document; `path` names it in errors and headings."""
    path = Path(path)
    if not isinstance(data, dict):
        raise ResultsError(path, f"top level should be a JSON object, got {type(data).__name__}")
    context = _require(path, data, "context", dict, "")
    qbench = _require(path, context, "qbench", dict, "context.")
    version = _require(path, qbench, "schema_version", int, "context.qbench.")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        raise ResultsError(path, f"unsupported context.qbench.schema_version {version} "
                                 f"(lowbit reads {SUPPORTED_SCHEMA_VERSIONS})")
    measure = _require(path, qbench, "measure", str, "context.qbench.")
    if measure not in ("time", "instructions"):
        raise ResultsError(path, f"context.qbench.measure is '{measure}', expected 'time' or 'instructions'")
    benchmarks = _require(path, data, "benchmarks", list, "")

    cells: Dict[CellKey, Cell] = {}
    errors: List[Tuple[str, str]] = []
    ignored: List[str] = []
    for index, entry in enumerate(benchmarks):
        if not isinstance(entry, dict):
            raise ResultsError(path, f"benchmarks[{index}] should be an object")
        name = _require(path, entry, "name", str, f"benchmarks[{index}].")
        if entry.get("run_type", "iteration") == "aggregate":
            continue  # medians are always recomputed from the repetitions
        if entry.get("error_occurred"):
            errors.append((name, str(entry.get("error_message", ""))))
            continue
        parsed = parse_benchmark_name(entry.get("run_name") or name)
        if parsed is None:
            ignored.append(name)
            continue
        key = CellKey(*parsed)
        value = _sample_value(path, entry, measure, index)
        cell = cells.setdefault(key, Cell(key, {}))
        repetition = entry.get("repetition_index", len(cell.samples))
        if not isinstance(repetition, int) or repetition in cell.samples:
            repetition = max(cell.samples, default=-1) + 1
        cell.samples[repetition] = value

    if not cells and not errors:
        raise ResultsError(path, "no gemm benchmark entries (empty 'benchmarks' list?)")
    return Results(path=path, context=context, qbench=qbench, measure=measure,
                   cells=cells, errors=errors, ignored=sorted(set(ignored)))
