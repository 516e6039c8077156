"""The result files of one `make reproduce` run directory, read leniently for the claims.

A claim must never crash the scoreboard: every problem with a file (absent, unreadable, not JSON,
a field missing) becomes :class:`NotMeasurable` with a reason a reader of the scoreboard
understands, and the claim that needed it gets the verdict "not measurable".

Files and what is read from them:

* ``paper-table.json``, ``icount-<arch>.json``: Google Benchmark JSON written by ``qbench run`` or
  ``scripts/icount.py``; per-repetition entries named ``<family>/<kernel>/<H>/<W>/<D>``; the
  metric is ``real_time`` in ``time_unit`` or, when ``context.qbench.measure`` is "instructions",
  the ``instructions`` counter; the median over repetitions is used, aggregates are ignored.
* ``qnn.json``: written by ``qbench qnn``; ``context.qbench.qnn.accuracy_pct[variant][set]`` and
  per-repetition entries ``qnn/<variant>/total`` with the counter ``conv_us`` (older files: separate
  ``qnn/<variant>/conv`` entries).
* ``fxp.json``, ``distortion.json``: a list of rows, or an object whose ``rows`` is that list.
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
from pathlib import Path
from typing import Dict, List, Optional, Tuple

TIME_UNIT_TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

Shape = Tuple[int, int, int]


class NotMeasurable(Exception):
    """A measured counterpart cannot be computed from this run; str() is the reason."""


@dataclasses.dataclass
class GemmCells:
    """Medians of one GEMM results file: {(family, kernel, shape): median}, in its metric."""

    name: str
    measure: str          # "time" (microseconds) or "instructions" (per product)
    arch: Optional[str]   # context.qbench.arch: x86_64, aarch64, armv7 (the modelled guest for counts)
    medians: Dict[Tuple[str, str, Shape], float]

    def shapes(self, family: str) -> List[Shape]:
        return sorted({shape for fam, _kernel, shape in self.medians if fam == family})

    def median(self, family: str, kernel: str, shape: Shape) -> Optional[float]:
        return self.medians.get((family, kernel, shape))


@dataclasses.dataclass
class QnnResults:
    """What the claims read from a `qbench qnn` file."""

    name: str
    arch: Optional[str]
    accuracy: Dict[str, Dict[str, float]]        # {variant: {test set: percent}}
    medians: Dict[Tuple[str, str], float]        # {(variant, "conv" | "total"): microseconds}


class RunDirectory:
    """The files of one run directory, each parsed at most once."""

    def __init__(self, path):
        self.path = Path(path)
        self._documents: Dict[str, object] = {}

    def document(self, name: str):
        """The parsed JSON of a file of the run; NotMeasurable when it cannot be had."""
        if name not in self._documents:
            self._documents[name] = _read(self.path / name)
        found = self._documents[name]
        if isinstance(found, NotMeasurable):
            raise found
        return found

    def gemm(self, name: str) -> GemmCells:
        doc = self.document(name)
        qbench = _object(_object(doc, "context", name), "qbench", name)
        measure = qbench.get("measure", "time")
        medians = _gemm_medians(_list(doc, "benchmarks", name), measure)
        if not medians:
            raise NotMeasurable(f"{name} has no usable gemm measurements")
        return GemmCells(name, measure, qbench.get("arch"), medians)

    def qnn(self, name: str) -> QnnResults:
        doc = self.document(name)
        qbench = _object(_object(doc, "context", name), "qbench", name)
        accuracy = _object(_object(qbench, "qnn", name), "accuracy_pct", name)
        medians = {}
        for (variant, part), values in _qnn_samples(_list(doc, "benchmarks", name)).items():
            medians[(variant, part)] = statistics.median(values)
        return QnnResults(name, qbench.get("arch"), accuracy, medians)

    def rows(self, name: str) -> List[dict]:
        doc = self.document(name)
        rows = doc.get("rows") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise NotMeasurable(f"{name} holds no list of rows")
        return [row for row in rows if isinstance(row, dict)]


def _read(path: Path):
    """Parsed JSON, or the NotMeasurable to raise (kept, so a bad file is reported the same way)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return NotMeasurable(f"{path.name} is not in the run directory")
    except (OSError, UnicodeDecodeError) as err:
        return NotMeasurable(f"{path.name} cannot be read: {err}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        return NotMeasurable(f"{path.name} is not valid JSON ({err.msg}, line {err.lineno}): truncated?")


def _object(doc, key: str, name: str) -> dict:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, dict):
        raise NotMeasurable(f"{name} has no object '{key}'")
    return value


def _list(doc, key: str, name: str) -> list:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, list):
        raise NotMeasurable(f"{name} has no list '{key}'")
    return value


def _repetitions(benchmarks: list):
    """(name parts, entry) of every usable per-repetition entry: no aggregates, no errors."""
    for entry in benchmarks:
        if not isinstance(entry, dict) or entry.get("run_type") == "aggregate" or entry.get("error_occurred"):
            continue
        yield str(entry.get("run_name") or entry.get("name", "")).split("/"), entry


def _metric(entry: dict, measure: str) -> Optional[float]:
    """Microseconds (or instructions per product); None when the entry lacks a usable value."""
    if measure == "instructions":
        value = entry.get("instructions")
    else:
        unit = entry.get("time_unit", "us")
        scale = TIME_UNIT_TO_US.get(unit) if isinstance(unit, str) else None
        raw = entry.get("real_time")
        value = raw * scale if scale is not None and isinstance(raw, (int, float)) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    return float(value) if math.isfinite(value) and value > 0 else None


def _gemm_medians(benchmarks: list, measure: str) -> Dict[Tuple[str, str, Shape], float]:
    samples: Dict[Tuple[str, str, Shape], List[float]] = {}
    for parts, entry in _repetitions(benchmarks):
        if len(parts) < 5 or not all(p.isdigit() for p in parts[2:5]):
            continue
        value = _metric(entry, measure)
        if value is not None:
            shape = (int(parts[2]), int(parts[3]), int(parts[4]))
            samples.setdefault((parts[0], parts[1], shape), []).append(value)
    return {key: statistics.median(values) for key, values in samples.items()}


def _qnn_samples(benchmarks: list) -> Dict[Tuple[str, str], List[float]]:
    samples: Dict[Tuple[str, str], List[float]] = {}
    for parts, entry in _repetitions(benchmarks):
        if len(parts) != 3 or parts[0] != "qnn":
            continue
        value = _metric(entry, "time")
        if value is not None:
            samples.setdefault((parts[1], parts[2]), []).append(value)
        # Since the split, conv is a counter (microseconds) of the total cell, timed in the same passes.
        conv = entry.get("conv_us")
        if parts[2] == "total" and isinstance(conv, (int, float)) and conv > 0:
            samples.setdefault((parts[1], "conv"), []).append(float(conv))
    return samples
