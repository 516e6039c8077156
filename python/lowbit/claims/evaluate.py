"""Every claim of the catalogue evaluated on one run directory: the rows of the run's claims.json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from lowbit.claims.catalogue import Catalogue
from lowbit.claims.measures import measure
from lowbit.claims.run_files import NotMeasurable, RunDirectory
from lowbit.claims.verdicts import VERDICTS, Outcome, describe_tolerance, verdict

SCHEMA_VERSION = 1


def run_check(check: dict, run: RunDirectory, reference_dir: Path) -> Outcome:
    try:
        found = measure(check["measure"], run, reference_dir)
    except NotMeasurable as why:
        return Outcome(check, None, reason=str(why))
    return Outcome(check, found.value, evidence=found.evidence, arch=found.arch)


def check_evidence(outcome: Outcome) -> dict:
    """What a reader needs to redo one check by hand: the numbers, their cells, the bound."""
    out = {"check": outcome.check["name"], "paper_value": outcome.check.get("paper_value"),
           "tolerance": describe_tolerance(outcome.check),
           "measured_value": None if outcome.value is None else round(outcome.value, 4),
           "passed": outcome.passed}
    if outcome.measured:
        out.update(outcome.evidence or {})
    else:
        out["not_measurable"] = outcome.reason
    return out


def evaluate_claim(claim: dict, run: RunDirectory, reference_dir: Path) -> dict:
    outcomes = [run_check(check, run, reference_dir) for check in claim["checks"]]
    model = [run_check(check, run, reference_dir) for check in claim.get("model") or []]
    conditions = [run_check(check, run, reference_dir) for check in claim.get("conditions") or []]
    result, reason = verdict(claim, outcomes, model, conditions)
    headline = outcomes[0].value
    row = {key: claim.get(key) for key in ("id", "paper", "claim", "paper_figure", "platform", "paper_value", "unit")}
    row.update({"measured_value": None if headline is None else round(headline, 4),
                "verdict": result, "reason": reason, "tolerance": claim["tolerance"],
                "evidence": {"checks": [check_evidence(o) for o in outcomes]}})
    if model:
        row["evidence"]["model"] = [check_evidence(o) for o in model]
    if conditions:
        row["evidence"]["conditions"] = [check_evidence(o) for o in conditions]
    return row


def evaluate(catalogue: Catalogue, run_dir) -> dict:
    """The document written as RUN_DIR/claims.json."""
    run = RunDirectory(run_dir)
    rows = [evaluate_claim(claim, run, catalogue.reference_dir) for claim in catalogue.claims]
    counts = Counter(row["verdict"] for row in rows)
    return {"schema_version": SCHEMA_VERSION,
            "run_directory": Path(run_dir).name,
            "catalogue": {"path": catalogue.path.name, "sha256": catalogue.sha256},
            "papers": catalogue.papers,
            "verdict_rules": "docs/claims.md",
            "counts": {v: counts.get(v, 0) for v in VERDICTS},
            "claims": rows}


def write(document: dict, path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

