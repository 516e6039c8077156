"""The report of a whole `make reproduce` run directory, in the order a reader asks the questions:
did the papers' claims hold here (the scoreboard), what each experiment measured, and where the
numbers come from (the provenance).

Every section is built from the run directory's own files. A file that is absent or unusable gives
its section a one-line "Not in this run: <reason>" and the rest of the report is still written.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from lowbit import report_experiments
from lowbit.claims import evaluate, scoreboard
from lowbit.claims.catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue
from lowbit.qnn import table as qnn_table
from lowbit.report_html import (STYLE, Absent, esc, html_figures, html_provenance, html_table,
                                markdown_html, not_in_run)
from lowbit.report_roofline import roofline_tables
from lowbit.results import ResultsError
from lowbit.tables import Section, Table, build_all

MATRIX_FILE = "paper-table.json"
FOUR_SIX_TITLE = "The 4.6-bit scheme"
ROOFLINE_TITLE = "Share of peak (roofline)"  # lowbit.tables.roofline_table, shown in its own section
# What a malformed file can raise while its section is built; the section then says so.
RENDER_ERRORS = (ResultsError, CatalogueError, OSError, KeyError, TypeError, ValueError,
                 AttributeError, IndexError, ZeroDivisionError)


class Run:
    """The run directory and its GEMM results files, each loaded at most once."""

    def __init__(self, path: Path, reference_path):
        self.path = path
        self.reference_path = reference_path
        self.loaded: Dict[str, object] = {}

    def gemm(self, name: str) -> Tuple[List[Section], dict]:
        """The table sections of one `qbench run` / `lowbit icount` file and the paper's table."""
        if name not in self.loaded:
            try:
                if not (self.path / name).is_file():
                    raise Absent(f"{name} is not in the run directory")
                sections, _comparison, reference = build_all([str(self.path / name)], self.reference_path)
                self.loaded[name] = (sections, reference)
            except (Absent, ResultsError) as err:
                self.loaded[name] = Absent(str(err))
        found = self.loaded[name]
        if isinstance(found, Absent):
            raise found
        return found

    def icount_files(self) -> List[str]:
        return sorted(p.name for p in self.path.glob("icount-*.json"))


def is_four_six(table: Table) -> bool:
    return table.title.startswith(FOUR_SIX_TITLE)


def is_roofline(table: Table) -> bool:
    return table.title == ROOFLINE_TITLE


def gemm_parts(run: Run, name: str, keep: Callable[[Table], bool], with_plots: bool) -> List[str]:
    sections, reference = run.gemm(name)
    parts = []
    for section in sections:
        chosen = [html_table(t) for t in section.tables if keep(t)]
        if chosen:
            parts += [f"<h3>{esc(section.heading)}</h3>"] + chosen
            parts += html_figures(section.results, section.family, reference) if with_plots else []
    return parts


def scoreboard_section(run: Run) -> List[str]:
    document = evaluate.evaluate(load_catalogue(DEFAULT_CATALOGUE), run.path)
    return ["<p>Every claim of the papers (results/reference/claims.json) evaluated on this run's files; "
            "the same verdicts as <code>lowbit claims</code> writes to claims.json.</p>",
            scoreboard.render_html(document)]


def matrix_section(run: Run) -> List[str]:
    return gemm_parts(run, MATRIX_FILE, lambda t: not is_four_six(t) and not is_roofline(t), with_plots=True)


def roofline_section(run: Run) -> List[str]:
    sections, _reference = run.gemm(MATRIX_FILE)
    tables = roofline_tables(sections)
    if not tables:
        raise Absent(f"{MATRIX_FILE} carries no context.qbench.peak (the core's peak rates, measured by "
                     "`qbench peak`, were not recorded in this run)")
    return [html_table(t) for t in tables]


def icount_section(run: Run) -> List[str]:
    names = run.icount_files()
    if not names:
        raise Absent("no icount-<arch>.json in the run directory (the ARM instruction-count model is "
                     "written by `lowbit icount`, e.g. `make test-icount`)")
    parts = []
    for name in names:
        parts += section_or_absent(lambda n=name: gemm_parts(run, n, lambda t: not is_four_six(t), True))
    return parts


def qnn_four_six(run: Run) -> List[str]:
    """QNN-4.6's times against the other variants and its levels, from qnn.json."""
    path = report_experiments.run_file(run.path, "qnn.json")
    qbench, _accuracy, times = qnn_table.load_qnn(path)
    median = {v: {part: statistics.median(s) for part, s in parts.items()} for v, parts in times.items()}
    lines = qnn_table.relative_table(median, "q4_6", ["float", "q8", "q4"])
    if not lines:
        raise Absent("qnn.json has no q4_6 variant")
    levels = (qbench.get("qnn") or {}).get("levels", {}).get("q4_6")
    if levels:
        lines += ["", f"QNN-4.6 levels: N_x = {levels.get('activations')}, N_w = {levels.get('weights')}"]
    return ["<h3>QNN-4.6 (qnn.json)</h3>", markdown_html("\n".join(lines))]


def four_six_section(run: Run) -> List[str]:
    parts, reasons = [], []
    for name in [MATRIX_FILE] + run.icount_files():
        known = len(reasons)
        found = attempt(lambda n=name: gemm_parts(run, n, is_four_six, with_plots=False), reasons)
        if not found and len(reasons) == known:
            reasons.append(f"{name} has no uint4_6 kernel")
        parts += found
    parts += attempt(lambda: qnn_four_six(run), reasons)
    if not parts:
        raise Absent("; ".join(reasons))
    notes = [f"<p>Not in this run: {esc(r)}</p>" for r in reasons]
    return parts + notes


def attempt(build: Callable[[], List[str]], reasons: List[str]) -> List[str]:
    """The parts `build` makes, or none, with the reason added to `reasons`."""
    try:
        return build()
    except Absent as why:
        reasons.append(str(why))
    except RENDER_ERRORS as err:
        reasons.append(f"could not be rendered: {type(err).__name__}: {err}")
    return []


def section_or_absent(build: Callable[[], List[str]]) -> List[str]:
    reasons: List[str] = []
    parts = attempt(build, reasons)
    return parts + [not_in_run(r) for r in reasons]


def qnn_facts(run: Run) -> Dict[str, str]:
    path = report_experiments.run_file(run.path, "qnn.json")
    qbench, _accuracy, _times = qnn_table.load_qnn(path)
    context = json.loads(path.read_text(encoding="utf-8")).get("context", {})
    commit = str(qbench.get("git_commit") or "unknown") + (" (uncommitted changes)" if qbench.get("git_dirty") else "")
    qnn = qbench.get("qnn") or {}
    return {"machine": f"{qbench.get('cpu_model', 'unknown')} ({qbench.get('arch', 'unknown')})",
            "compiler": str(qbench.get("compiler") or "unknown"), "commit": commit,
            "date": str(context.get("date", "unknown")),
            "config": str(qbench.get("config_path") or "unknown"),
            "test sets": json.dumps(qnn.get("test_set_sizes", "not stated")),
            "GEMM per variant": json.dumps(qnn.get("gemm", "not stated"))}


def document_facts(run: Run, name: str) -> Dict[str, str]:
    """The top-level facts of fxp.json / distortion.json: everything but the rows, kept short."""
    document = report_experiments.rows_of(run.path, name)
    facts = {}
    for key, value in document.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if key not in ("rows", "paper_rows") and len(text) <= 300:
            facts[key] = text
    return facts or {"facts": "none recorded besides the rows"}


def file_table(run: Run) -> Table:
    """Every file of the run directory with its SHA-256: each figure above comes from one of them."""
    rows = []
    for path in sorted(p for p in run.path.iterdir() if p.is_file() and p.suffix != ".html"):
        data = path.read_bytes()
        rows.append([path.name, str(len(data)), hashlib.sha256(data).hexdigest()])
    return Table(title="Files of the run directory", header=["file", "bytes", "sha256"], rows=rows)


def provenance_section(run: Run) -> List[str]:
    parts = []
    for name in [MATRIX_FILE] + run.icount_files():
        parts += section_or_absent(lambda n=name: [html_provenance(run.gemm(n)[0][0].provenance, n)])
    parts += section_or_absent(lambda: [html_provenance(qnn_facts(run), "qnn.json")])
    for name in ("fxp.json", "distortion.json"):
        parts += section_or_absent(lambda n=name: [html_provenance(document_facts(run, n), n)])
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    parts.append(html_provenance({"catalogue": str(catalogue.path.name), "sha256": catalogue.sha256,
                                  "verdict rules": "docs/claims.md"}, "Claims catalogue"))
    return parts + [html_table(file_table(run))]


# The report's sections in order: (anchor id, heading, builder).
SECTIONS: Tuple[Tuple[str, str, Callable[[Run], List[str]]], ...] = (
    ("scoreboard", "Claims scoreboard", scoreboard_section),
    ("matrix", "Matrix multiplication table (Trusov et al. 2020)", matrix_section),
    ("roofline", "Roofline: measured rates against the core's peak", roofline_section),
    ("qnn", "QNN test (Trusov et al. 2020)", lambda run: report_experiments.qnn_section(run.path)),
    ("four-six", "The 4.6-bit scheme (Trusov et al. 2024)", four_six_section),
    ("fxp", "Fixed-point search (Goyal et al. 2021)", lambda run: report_experiments.fxp_section(run.path)),
    ("distortion", "Distortion training (Janiszewski et al.)",
     lambda run: report_experiments.distortion_section(run.path)),
    ("icount", "ARM instruction-count model", icount_section),
    ("provenance", "Provenance", provenance_section),
)


def build_html(run_dir: Path, reference_path) -> str:
    run = Run(run_dir, reference_path)
    toc = " · ".join(f'<a href="#{key}">{esc(title)}</a>' for key, title, _build in SECTIONS)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>lowbit: the papers' claims on this machine, run {esc(run_dir.name)}</title>",
             f"<style>{STYLE}{scoreboard.STYLE}</style></head><body>",
             f"<h1>lowbit: the papers' claims on this machine (run {esc(run_dir.name)})</h1>",
             "<p>The claims scoreboard, every experiment of <code>make reproduce</code>, and where the numbers "
             "come from. How to read: docs/reports.md and docs/claims.md.</p>",
             f'<nav class="toc">{toc}</nav>']
    for key, title, build in SECTIONS:
        parts += [f'<section id="{key}">', f"<h2>{esc(title)}</h2>"]
        parts += section_or_absent(lambda b=build: b(run))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
