"""The catalogue of the papers' claims: results/reference/claims.json, loaded and checked.

The claims stay plain JSON objects (the catalogue is data a reader edits); this module only refuses
a catalogue the evaluator could not apply, so that a typo fails loudly here and not as a silent
"not measurable" later.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Dict, List

from lowbit.claims.measures import KINDS

# results/reference/claims.json of the checkout this package lives in (python/lowbit/claims/).
DEFAULT_CATALOGUE = Path(__file__).resolve().parents[3] / "results" / "reference" / "claims.json"

CLAIM_KEYS = ("id", "paper", "claim", "paper_figure", "paper_value", "unit", "platform", "tolerance", "checks")
TOLERANCE_KEYS = ("at_least", "at_most")
MEASURE_KEYS = {
    "gemm_ratio": ("file", "slow", "fast"),
    "qnn_time_ratio": ("file", "numerator", "denominator"),
    "qnn_accuracy_diff": ("file", "set", "minuend", "subtrahend"),
    "row_field": ("file", "row", "field"),
    "row_field_difference": ("file", "field", "minuend", "subtrahend"),
}


class CatalogueError(Exception):
    """The catalogue cannot be read or is malformed; the message names the file and the place."""


@dataclasses.dataclass
class Catalogue:
    path: Path
    sha256: str
    papers: Dict[str, str]
    claims: List[dict]

    @property
    def reference_dir(self) -> Path:
        """Where the papers' tables named by measures (shapes_from) live: beside the catalogue."""
        return self.path.parent


def load_catalogue(path=DEFAULT_CATALOGUE) -> Catalogue:
    path = Path(path)
    try:
        raw = path.read_bytes()
        doc = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CatalogueError(f"{path}: cannot be read as JSON: {err}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("claims"), list) or not isinstance(doc.get("papers"), dict):
        raise CatalogueError(f"{path}: expected an object with 'papers' and a list 'claims'")
    seen = set()
    for index, claim in enumerate(doc["claims"]):
        where = f"{path}: claims[{index}]"
        check_claim(claim, doc["papers"], where)
        if claim["id"] in seen:
            raise CatalogueError(f"{where}: duplicate id {claim['id']!r}")
        seen.add(claim["id"])
    return Catalogue(path, hashlib.sha256(raw).hexdigest(), doc["papers"], doc["claims"])


def check_claim(claim, papers: dict, where: str) -> None:
    if not isinstance(claim, dict):
        raise CatalogueError(f"{where}: not an object")
    missing = [key for key in CLAIM_KEYS if key not in claim]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    where = f"{where} ({claim['id']})"
    if claim["paper"] not in papers:
        raise CatalogueError(f"{where}: paper {claim['paper']!r} is not in 'papers'")
    if not isinstance(claim["checks"], list) or not claim["checks"]:
        raise CatalogueError(f"{where}: 'checks' must be a non-empty list")
    for part in ("checks", "model", "conditions"):
        for number, check in enumerate(claim.get(part) or []):
            check_check(check, f"{where}: {part}[{number}]")


def check_check(check, where: str) -> None:
    if not isinstance(check, dict) or not isinstance(check.get("name"), str):
        raise CatalogueError(f"{where}: a check needs a 'name'")
    bounds = [key for key in TOLERANCE_KEYS if key in check]
    if not bounds or not all(isinstance(check[k], (int, float)) for k in bounds):
        raise CatalogueError(f"{where}: a check needs a numeric at_least and/or at_most")
    spec = check.get("measure")
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if kind not in KINDS:
        raise CatalogueError(f"{where}: measure kind {kind!r} is not one of {', '.join(KINDS)}")
    missing = [key for key in MEASURE_KEYS[kind] if key not in spec]
    if missing:
        raise CatalogueError(f"{where}: measure {kind} lacks {', '.join(missing)}")
