"""The roofline part of the run report: this core's peak rates (context.qbench.peak, read by
lowbit.roofline) and each kernel's share of the matching peak per shape (the tables' roofline table,
so the report and `lowbit tables` show the same figures)."""

from __future__ import annotations

from typing import List, Sequence

from lowbit import roofline
from lowbit.tables import Section, Table


def peak_table(section: Section) -> Table:
    results = section.results
    rows = [[key, roofline.peak_label(results, key)] for key in roofline.peak_rates(results)]
    peak = results.qbench["peak"]
    clock = (peak.get("clock") or {}).get("hz")
    notes = [f"Median of {peak.get('repetitions', '?')} repetitions, measured by qbench before timing."]
    if clock:
        notes.append(f"This thread got {clock * 1e-9:.2f} G cycles per second of wall time while it ran.")
    return Table(title="Peak rates of this core (context.qbench.peak)", header=["loop", "rate"], rows=rows,
                 notes=notes)


def roofline_tables(sections: Sequence[Section]) -> List[Table]:
    """Per results section with recorded peak rates: the rates, then each kernel's share of its peak."""
    tables: List[Table] = []
    for section in sections:
        if section.roofline is not None:
            tables += [peak_table(section), section.roofline]
    return tables
