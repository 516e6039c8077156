"""The roofline part of the report: the core's peak rates (context.qbench.peak) and each kernel's
measured rate as a share of them.

`context.qbench.peak` is read leniently, because only its meaning is fixed: one entry per
instruction sequence (f32 FMA, vpmaddubsw + vpaddw, vpdpbusd, NEON ...), each either a number in
GOPS (2 operations per multiply-add, as the tables count) or an object whose "gops" is that number;
any other fields of an entry are listed as they are.
"""

from __future__ import annotations

import json
from typing import Dict, List, Optional

from lowbit.plots import throughput
from lowbit.results import Results
from lowbit.tables import Table


def peak_gops(entry) -> Optional[float]:
    value = entry.get("gops") if isinstance(entry, dict) else entry
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def peak_entries(peak) -> Dict[str, object]:
    """{name: entry} from an object of entries or a list of objects with a "name"."""
    if isinstance(peak, dict):
        return {str(k): v for k, v in peak.items()}
    if isinstance(peak, list):
        return {str(e.get("name", i)): e for i, e in enumerate(peak) if isinstance(e, dict)}
    return {}


def peak_table(peak) -> Table:
    rows = []
    for name, entry in peak_entries(peak).items():
        gops = peak_gops(entry)
        other = {k: v for k, v in entry.items() if k != "gops"} if isinstance(entry, dict) else {}
        rows.append([name, "-" if gops is None else f"{gops:.1f}",
                     json.dumps(other, ensure_ascii=False) if other else ""])
    return Table(title="Peak rates of this core (context.qbench.peak)", header=["peak", "GOPS", "details"],
                 rows=rows, notes=["GOPS = 2 operations per multiply-add, as in the tables above."])


def share_table(results: Results, peaks: Dict[str, float]) -> Table:
    """Each kernel's GOPS on the largest shape, and as a percentage of each peak."""
    rows = []
    for family in results.families():
        shape = max(results.shapes(family), key=lambda s: s.multiply_adds)
        for kernel in results.kernels(family):
            gops = throughput(results, results.median(family, kernel, shape), shape)
            if gops is None:
                continue
            rows.append([f"{kernel} ({family})", shape.label, f"{gops:.1f}"]
                        + [f"{100 * gops / p:.0f}%" for p in peaks.values()])
    return Table(title="Measured rate on the largest shape against each peak",
                 header=["kernel", "shape", "GOPS"] + [f"% of {name}" for name in peaks], rows=rows,
                 notes=["Compare each kernel with the peak of the instructions it is built on."])


def roofline_tables(results: Results, peak) -> List[Table]:
    tables = [peak_table(peak)]
    peaks = {name: g for name, g in ((n, peak_gops(e)) for n, e in peak_entries(peak).items()) if g}
    if peaks and not results.is_instructions:
        tables.append(share_table(results, peaks))
    return tables
