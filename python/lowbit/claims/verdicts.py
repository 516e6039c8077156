"""The verdict rules: from the outcomes of a claim's checks to one verdict with its reason.

The rules (docs/claims.md explains them with examples):

1. Each check is measured (or not measurable, with the reason) and held against its tolerance.
2. The checks give the first verdict: every check held -> reproduced; none measurable -> not
   measurable; none held -> not reproduced; anything else (some held, some missed or missing) ->
   partly.
3. Conditions cap it. A claim measured under other conditions than the paper's can at best be
   "partly": a timing claim (``platform_arch``) timed on another architecture family (an x86 host
   for an ARM paper: ARMv7 and AArch64 count as one family, both run our NEON kernels), or data that
   only stands in for the paper's (``substitute``). A miss under other conditions stays "not
   reproduced", with the conditions in the reason: it did not hold here.
4. A timing claim may have a model (``model``: the ARM instruction-count model). When the timing
   did not reproduce the claim and every model check holds, the verdict is "partly" (model only).
   When nothing was timed, the model alone decides, capped at "partly": a model that misses gives
   "not reproduced" (model only).
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence, Tuple

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
NOT_MEASURABLE = "not measurable"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_MEASURABLE)

ARCH_NAMES = {"armv7": "ARMv7", "aarch64": "ARMv8 (AArch64)", "x86_64": "x86-64"}


@dataclasses.dataclass
class Outcome:
    """One check of a claim on one run."""

    check: dict                  # the check as the catalogue states it
    value: Optional[float]       # None: not measurable
    reason: str = ""             # why not measurable
    evidence: Optional[dict] = None
    arch: Optional[str] = None   # where it was timed (timing measures only)

    @property
    def measured(self) -> bool:
        return self.value is not None

    @property
    def passed(self) -> Optional[bool]:
        return None if self.value is None else holds(self.check, self.value)


def holds(check: dict, value: float) -> bool:
    """Within the check's tolerance: at_least and at_most are inclusive bounds."""
    if "at_least" in check and value < check["at_least"]:
        return False
    return not ("at_most" in check and value > check["at_most"])


def describe_tolerance(check: dict) -> str:
    parts = []
    if "at_least" in check:
        parts.append(f">= {check['at_least']:g}")
    if "at_most" in check:
        parts.append(f"<= {check['at_most']:g}")
    return " and ".join(parts)


def _missed(outcome: Outcome) -> str:
    return f"{outcome.check['name']}: {outcome.value:.3g}, needs {describe_tolerance(outcome.check)}"


def from_checks(outcomes: Sequence[Outcome]) -> Tuple[str, str]:
    """Rule 2: the verdict of the checks alone, with its reason."""
    measured = [o for o in outcomes if o.measured]
    held = [o for o in measured if o.passed]
    missed = [o for o in measured if not o.passed]
    absent = [o for o in outcomes if not o.measured]
    if not measured:
        return NOT_MEASURABLE, "; ".join(dict.fromkeys(o.reason for o in absent))
    if len(held) == len(outcomes):
        if len(held) == 1:
            return REPRODUCED, f"{held[0].value:.3g}, within tolerance ({describe_tolerance(held[0].check)})"
        return REPRODUCED, f"all {len(held)} checks within tolerance"
    if not held:
        return NOT_REPRODUCED, "; ".join(_missed(o) for o in missed)
    parts = [f"held: {', '.join(o.check['name'] for o in held)}"]
    parts += [f"missed: {_missed(o)}" for o in missed]
    parts += [f"not measurable: {o.check['name']} ({o.reason})" for o in absent]
    return PARTLY, "; ".join(parts)


def arch_family(arch: Optional[str]) -> Optional[str]:
    if not arch:
        return None
    arch = arch.lower()
    if arch.startswith("arm") or arch == "aarch64":
        return "arm"
    if arch in ("x86_64", "amd64", "i686", "x86"):
        return "x86"
    return arch


def other_conditions(claim: dict, outcomes: Sequence[Outcome],
                     conditions: Sequence[Outcome] = ()) -> List[str]:
    """Rule 3: how this run's conditions differ from the paper's (empty: the same). `conditions` are
    the claim's preconditions (e.g. the float network trained as far as the paper's): one that
    misses, or cannot be measured, is a difference."""
    differences = [_missed(c) if c.measured else f"{c.check['name']}: not measurable ({c.reason})"
                   for c in conditions if not c.passed]
    wanted = claim.get("platform_arch")
    timed_on = sorted({o.arch or "unrecorded" for o in outcomes if o.measured})
    if wanted and any(arch_family(a) != arch_family(wanted) for a in timed_on):
        here = ", ".join(ARCH_NAMES.get(a, a) for a in timed_on)
        differences.append(f"timed on {here}, not on the paper's {ARCH_NAMES.get(wanted, wanted)}")
    if claim.get("substitute"):
        differences.append(f"stand-in data: {claim['substitute']}")
    return differences


def verdict(claim: dict, outcomes: Sequence[Outcome], model: Sequence[Outcome] = (),
            conditions: Sequence[Outcome] = ()) -> Tuple[str, str]:
    """Rules 2-4: the claim's verdict and its reason."""
    result, reason = from_checks(outcomes)
    if claim.get("unavailable") and result == NOT_MEASURABLE:
        reason = claim["unavailable"]
    held = result == REPRODUCED
    differences = other_conditions(claim, outcomes, conditions) if result != NOT_MEASURABLE else []
    if differences and held:
        result, reason = PARTLY, f"held, but {'; '.join(differences)}"
    elif differences:
        reason = f"{reason} ({'; '.join(differences)})"
    if model and not held:
        return _with_model(result, reason, model)
    if model:
        model_result, model_reason = from_checks(model)
        reason = f"{reason}; model {model_result}: {model_reason}"
    return result, reason


def _with_model(result: str, reason: str, model: Sequence[Outcome]) -> Tuple[str, str]:
    """Rule 4: what the instruction-count model adds to a timing that did not reproduce the claim.

    The reason starts with what decided the verdict (the scoreboard shows only its beginning)."""
    model_result, model_reason = from_checks(model)
    values = "; ".join(f"{o.check['name']}: {o.value:.3g} ({describe_tolerance(o.check)})" for o in model if o.measured)
    if model_result == REPRODUCED or (model_result == PARTLY and result == NOT_MEASURABLE):
        return PARTLY, f"model only, not a timing: {values}; timing: {reason}"
    if result == NOT_MEASURABLE and model_result == NOT_REPRODUCED:
        return NOT_REPRODUCED, f"model only: {model_reason}; timing: {reason}"
    return result, f"{reason}; model {model_result}: {model_reason}"
