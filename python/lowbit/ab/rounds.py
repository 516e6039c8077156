"""Both qbench binaries timed in alternating rounds on one pinned core, merged into one file.

A round is one `qbench run --repetitions 1` of each binary with the same config, operands and seed;
the order flips every round (base, head, head, base, ...) so neither side always runs first or
second. A slow drift of the machine then reaches both sides alike, which two runs recorded one after
the other cannot promise.

The merged file is Google Benchmark's JSON: every entry of a side is named `<side>/<name>` (so no
tool mistakes the two sides for one cell) and tagged `ab_side` and `ab_round`; its repetition index
is the round. context.qbench.ab holds each side's revision, commit, CMake options, Google Benchmark
context and qbench provenance (verdict.py splits the file back into two results).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from lowbit.ab.build import Build
from lowbit.ab.errors import AbError
from lowbit.results import ResultsError, read_json

SIDES = ("base", "head")


def default_cpu() -> Optional[int]:
    """The last CPU this process may use (as `make reproduce` pins), None with a single CPU."""
    allowed = sorted(os.sched_getaffinity(0))
    return allowed[-1] if len(allowed) > 1 else None


def pin_prefix(cpu: Optional[int]) -> List[str]:
    if cpu is None:
        return []
    if not shutil.which("taskset"):
        raise AbError("taskset is not installed (Debian package util-linux): cannot pin to one core")
    return ["taskset", "-c", str(cpu)]


def round_order(index: int) -> Sequence[str]:
    return SIDES if index % 2 == 0 else SIDES[::-1]


def run_once(build: Build, side: str, index: int, config: Path, qbench_args: Sequence[str],
             cpu: Optional[int], work: Path, env: Dict[str, str]) -> dict:
    """One `qbench run --repetitions 1` of one side; its parsed results document."""
    out = work / f"round{index:03d}-{side}.json"
    command = [*pin_prefix(cpu), str(build.qbench), "run", "--config", str(config),
               "--repetitions", "1", "--out", str(out), "--overwrite", *qbench_args]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-10:])
        raise AbError(f"round {index} of {side} ({build.commit[:12]}) failed, exit "
                      f"{done.returncode}: {' '.join(command)}\n{tail}")
    try:
        document = read_json(out)
    except ResultsError as err:
        raise AbError(str(err)) from None
    if not isinstance(document, dict) or "qbench" not in document.get("context", {}):
        raise AbError(f"round {index} of {side}: {out} is not a qbench results file")
    return document


def run_rounds(builds: Dict[str, Build], config: Path, rounds: int, cpu: Optional[int],
               qbench_args: Sequence[str] = (), envs: Optional[Dict[str, Dict[str, str]]] = None
               ) -> Dict[str, List[dict]]:
    """Every round's results document per side, in round order; envs: extra environment per side."""
    envs = envs or {}
    documents: Dict[str, List[dict]] = {side: [] for side in SIDES}
    with tempfile.TemporaryDirectory(prefix="lowbit-ab-") as work:
        for index in range(rounds):
            for side in round_order(index):
                documents[side].append(run_once(builds[side], side, index, config, qbench_args,
                                                cpu, Path(work), envs.get(side, {})))
            print(f"ab: round {index + 1} of {rounds} done", file=sys.stderr, flush=True)
    return documents


def side_qbench(documents: List[dict]) -> dict:
    """The first round's provenance, with every round's verification failures and partial flag."""
    qbench = copy.deepcopy(documents[0]["context"]["qbench"])
    verification = list(qbench.get("verification") or [])
    for document in documents[1:]:
        later = document["context"]["qbench"]
        verification += [v for v in later.get("verification") or []
                         if isinstance(v, dict) and not v.get("ok", True)]
        qbench["partial"] = bool(qbench.get("partial")) or bool(later.get("partial"))
    qbench["verification"] = verification
    return qbench


def side_entries(side: str, documents: List[dict]) -> List[dict]:
    """The per-repetition entries of every round, renamed `<side>/...`, repetition index = round."""
    entries = []
    for index, document in enumerate(documents):
        for entry in document.get("benchmarks", []):
            if not isinstance(entry, dict) or entry.get("run_type") == "aggregate":
                continue
            entry = dict(entry, ab_side=side, ab_round=index, repetition_index=index,
                         repetitions=len(documents))
            entry["name"] = f"{side}/{entry['name']}"
            if "run_name" in entry:
                entry["run_name"] = f"{side}/{entry['run_name']}"
            entries.append(entry)
    return entries


def merge(builds: Dict[str, Build], documents: Dict[str, List[dict]], config: Path,
          cpu: Optional[int], envs: Optional[Dict[str, Dict[str, str]]] = None) -> dict:
    """One results document holding both sides (the module docstring describes it)."""
    envs = envs or {}
    context = {k: v for k, v in documents["base"][0]["context"].items() if k != "qbench"}
    context["qbench"] = side_qbench(documents["base"])
    context["qbench"]["ab"] = {
        "rounds": len(documents["base"]),
        "order": "alternating: base first in even rounds, head first in odd rounds",
        "pinned_cpu": cpu,
        "config_path": str(config),
        "sides": {side: {
            "revision": builds[side].revision,
            "commit": builds[side].commit,
            "cmake_args": list(builds[side].cmake_args),
            "environment": dict(envs.get(side, {})),
            "context": {k: v for k, v in documents[side][0]["context"].items() if k != "qbench"},
            "qbench": side_qbench(documents[side]),
        } for side in SIDES},
    }
    benchmarks = side_entries("base", documents["base"]) + side_entries("head", documents["head"])
    return {"context": context, "benchmarks": benchmarks}
