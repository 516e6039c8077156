"""The measured counterpart of a claim: one number computed from the run's files, with its evidence.

A measure is a small JSON object in the catalogue (results/reference/claims.json), its ``kind``
naming one of the functions below:

* ``gemm_ratio``: the geometric mean over shapes of median(slow kernel) / median(fast kernel) in a
  GEMM results file (times, or instruction counts for the ARM model); ``shapes_from`` names the
  paper's table beside the catalogue, whose shapes are used (those the run has), else every shape of
  the run. "float32" is the faster of Eigen's two layouts per shape, as the paper's column is.
* ``qnn_time_ratio``: median time of one QNN variant over another's (``part`` conv or total).
* ``qnn_accuracy_diff``: accuracy of one variant minus another's on one test set, in points.
* ``row_field``: one field of the row of fxp.json / distortion.json that ``row`` selects; a field
  that is {"mean", "std"} gives its mean; ``at`` picks one element of a per-grid-point list.
* ``row_field_difference``: the same field of two rows, minuend minus subtrahend.

Every function returns a :class:`Measurement` or raises NotMeasurable with the reason.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from lowbit.claims.run_files import NotMeasurable, RunDirectory, Shape

FLOAT_LAYOUTS = ("float32", "float32_rowmajor")


@dataclasses.dataclass
class Measurement:
    value: float
    evidence: dict              # the source file, the cells and the numbers the value comes from
    arch: Optional[str] = None  # where the numbers were timed or modelled; None when not a timing


def measure(spec: dict, run: RunDirectory, reference_dir: Path) -> Measurement:
    function = KINDS.get(spec.get("kind"))
    if function is None:
        raise NotMeasurable(f"unknown measure kind {spec.get('kind')!r}")
    return function(spec, run, reference_dir)


# --- GEMM tables --------------------------------------------------------------------------------

def reference_shapes(path: Path) -> List[Shape]:
    """The shapes of a paper's table (CSV with height, width, depth columns; '#' lines are comments)."""
    try:
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
        header = [h.strip() for h in lines[0].split(",")]
        columns = [header.index(name) for name in ("height", "width", "depth")]
        return sorted({tuple(int(line.split(",")[c]) for c in columns) for line in lines[1:]})
    except (OSError, IndexError, ValueError) as err:
        raise NotMeasurable(f"the paper's table {path.name} cannot be read: {err}") from None


def kernel_median(cells, family: str, kernel: str, shape: Shape) -> Tuple[Optional[float], str]:
    """(median, benchmark name); float32 is the faster of the two Eigen layouts."""
    layouts = FLOAT_LAYOUTS if kernel == "float32" else (kernel,)
    found = [(cells.median(family, k, shape), k) for k in layouts]
    found = [(value, k) for value, k in found if value is not None]
    if not found:
        return None, ""
    value, which = min(found)
    return value, f"{family}/{which}/{shape[0]}/{shape[1]}/{shape[2]}"


def gemm_ratio(spec: dict, run: RunDirectory, reference_dir: Path) -> Measurement:
    cells = run.gemm(spec["file"])
    family, slow, fast = spec.get("family", "gemm"), spec["slow"], spec["fast"]
    if spec.get("shapes_from"):
        shapes, scope = reference_shapes(reference_dir / spec["shapes_from"]), f"shapes of {spec['shapes_from']}"
    else:
        shapes, scope = cells.shapes(family), "shapes of the run"
    per_shape, ratios = [], []
    for shape in shapes:
        t_slow, slow_cell = kernel_median(cells, family, slow, shape)
        t_fast, fast_cell = kernel_median(cells, family, fast, shape)
        if t_slow is not None and t_fast is not None:
            ratios.append(t_slow / t_fast)
            per_shape.append({"shape": "x".join(map(str, shape)), "ratio": round(t_slow / t_fast, 4),
                              "slow": {"cell": slow_cell, "median": round(t_slow, 4)},
                              "fast": {"cell": fast_cell, "median": round(t_fast, 4)}})
    if not per_shape:
        raise NotMeasurable(f"{cells.name} has no {family}/{slow} and {family}/{fast} cells on the {scope}")
    value = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    unit = "instructions per product" if cells.measure == "instructions" else "microseconds"
    evidence = {"source": cells.name, "metric": f"median {unit}", "arch": cells.arch,
                "statistic": f"geometric mean of {slow} / {fast} over {len(per_shape)} of {len(shapes)} {scope}",
                "per_shape": per_shape}
    return Measurement(value, evidence, cells.arch)


# --- the QNN test -------------------------------------------------------------------------------

def qnn_time_ratio(spec: dict, run: RunDirectory, _reference_dir: Path) -> Measurement:
    results = run.qnn(spec["file"])
    part = spec.get("part", "total")
    medians, cells = [], []
    for variant in (spec["numerator"], spec["denominator"]):
        median = results.medians.get((variant, part))
        if median is None:
            raise NotMeasurable(f"{results.name} has no timings of qnn/{variant}/{part}")
        medians.append(median)
        cells.append({"cell": f"qnn/{variant}/{part}", "median_us": round(median, 4)})
    value = medians[0] / medians[1]
    evidence = {"source": results.name, "arch": results.arch, "statistic": "ratio of the medians per image",
                "cells": cells}
    return Measurement(value, evidence, results.arch)


def qnn_accuracy_diff(spec: dict, run: RunDirectory, _reference_dir: Path) -> Measurement:
    results = run.qnn(spec["file"])
    test_set = spec["set"]
    cells = []
    for variant in (spec["minuend"], spec["subtrahend"]):
        per_set = results.accuracy.get(variant)
        value = per_set.get(test_set) if isinstance(per_set, dict) else None
        if not _is_number(value):
            raise NotMeasurable(f"{results.name} has no accuracy of {variant} on the '{test_set}' set")
        cells.append({"cell": f"context.qbench.qnn.accuracy_pct.{variant}.{test_set}", "value": value})
    evidence = {"source": results.name, "statistic": "difference of accuracies in points", "cells": cells}
    return Measurement(cells[0]["value"] - cells[1]["value"], evidence)


# --- row tables (fxp.json, distortion.json) ---------------------------------------------------

def normalise(text) -> str:
    """'Fashion-MNIST', 'fashion_mnist' and 'fashionmnist' name the same thing."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def select_row(rows: List[dict], selector: Dict[str, object], name: str) -> dict:
    def wanted(key, value):
        options = selector[key] if isinstance(selector[key], list) else [selector[key]]
        return normalise(value) in {normalise(o) for o in options}

    matches = [r for r in rows if all(key in r and wanted(key, r[key]) for key in selector)]
    described = ", ".join(f"{k}={v}" for k, v in selector.items())
    if not matches:
        present = sorted({" ".join(f"{k}={r.get(k)}" for k in selector) for r in rows})
        raise NotMeasurable(f"{name} has no row {described} (rows: {'; '.join(present) or 'none'})")
    if len(matches) > 1:
        raise NotMeasurable(f"{name} has {len(matches)} rows {described}: ambiguous")
    return matches[0]


def field_value(row: dict, spec: dict, doc, name: str) -> Tuple[float, Optional[float]]:
    """(value, std or None) of spec['field'] in a row: a number, {"mean", "std"} or <field>_mean."""
    field = spec["field"]
    value, std = row.get(field), row.get(f"{field}_std")
    if value is None and f"{field}_mean" in row:
        value = row[f"{field}_mean"]
    if isinstance(value, dict):
        value, std = value.get("mean"), value.get("std")
    if spec.get("at") is not None:
        value, std = _at_grid_point(value, std, spec["at"], doc, f"{name}: {field}")
    if not _is_number(value):
        raise NotMeasurable(f"{name} has no number in field '{field}' of the row")
    value = abs(value) if spec.get("absolute") else value
    return float(value), float(std) if _is_number(std) else None


def _at_grid_point(value, std, at: dict, doc, where: str):
    grid = doc.get(at["grid"]) if isinstance(doc, dict) else None
    if not isinstance(grid, list) or not isinstance(value, list) or len(value) != len(grid):
        raise NotMeasurable(f"{where} is not a list over '{at['grid']}'")
    index = next((i for i, g in enumerate(grid) if _is_number(g) and abs(g - at["value"]) < 1e-9), None)
    if index is None:
        raise NotMeasurable(f"{where}: {at['grid']} has no point {at['value']}")
    return value[index], std[index] if isinstance(std, list) and len(std) == len(grid) else None


def _row_number(spec: dict, selector: dict, run: RunDirectory) -> dict:
    name = spec["file"]
    row = select_row(run.rows(name), selector, name)
    value, std = field_value(row, spec, run.document(name), name)
    cell = {"row": selector, "field": spec["field"], "value": round(value, 4)}
    if spec.get("at") is not None:
        cell["at"] = spec["at"]
    if std is not None:
        cell["std"] = round(std, 4)
    return cell


def row_field(spec: dict, run: RunDirectory, _reference_dir: Path) -> Measurement:
    cell = _row_number(spec, spec["row"], run)
    statistic = "absolute value of the field" if spec.get("absolute") else "the field"
    return Measurement(cell["value"], {"source": spec["file"], "statistic": statistic, "cells": [cell]})


def row_field_difference(spec: dict, run: RunDirectory, _reference_dir: Path) -> Measurement:
    cells = [_row_number(spec, spec[part], run) for part in ("minuend", "subtrahend")]
    statistic = "difference of the absolute values" if spec.get("absolute") else "difference"
    return Measurement(cells[0]["value"] - cells[1]["value"],
                       {"source": spec["file"], "statistic": f"{statistic}, first row minus second", "cells": cells})


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


KINDS: Dict[str, Callable[[dict, RunDirectory, Path], Measurement]] = {
    "gemm_ratio": gemm_ratio,
    "qnn_time_ratio": qnn_time_ratio,
    "qnn_accuracy_diff": qnn_accuracy_diff,
    "row_field": row_field,
    "row_field_difference": row_field_difference,
}
