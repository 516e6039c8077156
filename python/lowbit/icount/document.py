"""The results file of an instruction count: qbench's Google Benchmark JSON with
context.qbench.measure = "instructions" and the provenance of the count (tools, sources, config)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

from lowbit.icount.runner import Runner
from lowbit.icount.tools import DRIVER, first_line
from lowbit.paths import REPO_ROOT as ROOT

WHAT_IS_COUNTED = (
    "guest instructions of one complete product R = W X from the operands in their stored form, as "
    "qbench times it: packing of both operands (weights too, unless weights_mode is prepacked), the "
    "multiplication and the zero-point corrections, one thread, warmed up (scratch allocated by a "
    "verified call before), plus one virtual call and one loop step; = (count of 1 + reps products - "
    "count of 1 product) / reps, in one process")

# Every file whose content can change a count: recorded as one digest, to tell "the code changed"
# from "the tools changed" when a count moves.
SOURCE_GLOBS = ("kernels/**/*", "harness/core/*", "harness/results/*", "harness/known_kernels.*",
                "baselines/*", "tools/icount/*")


def config_shapes(config: dict) -> List[Tuple[int, int, int]]:
    shapes = config["shapes"]
    if isinstance(shapes, dict):
        return [(h, w, d) for h in shapes["height"] for w in shapes["width"] for d in shapes["depth"]]
    return [tuple(s) for s in shapes]


def sources_digest(globs: Tuple[str, ...] = SOURCE_GLOBS) -> str:
    digest = hashlib.sha256()
    files = sorted({p for pattern in globs for p in ROOT.glob(pattern) if p.is_file()})
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def git(*args: str) -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=60)
    except OSError:
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def host_cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Hardware", "Model")) and ":" in line:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def isa_of(kernel: str, implementation: str) -> str:
    if "__" in implementation:                      # ours: the path's ISA suffix
        return implementation.rsplit("__", 1)[1]
    match = re.search(r"gemmlowp, (.+?) kernel", implementation)
    if match:
        return match.group(1)
    match = re.search(r"\(([^)]*)\)", implementation)   # Eigen: its SIMD sets in use
    return match.group(1) if match else implementation


@dataclasses.dataclass
class Counted:
    """What one `lowbit icount` run counted, and with which build and tools."""

    runner: Runner
    build_info: dict
    config: dict
    config_path: str
    kernels: Dict[str, dict]   # the counted kernels, as the driver lists them
    cells: List[dict]          # count_cell's results, in config order
    skipped: List[dict]
    reps: int
    elapsed: float
    command: str


def benchmark_entries(counted: Counted) -> List[dict]:
    """One Google Benchmark "iteration" entry per counted cell, in the config's order."""
    config = counted.config
    family = "gemm_prepacked" if config.get("weights", "per_call") == "prepacked" else "gemm"
    order = {k: i for i, k in enumerate(config["kernels"])}
    shapes = config_shapes(config)
    entries = []
    for cell in sorted((c for c in counted.cells if "instructions" in c),
                       key=lambda c: (order[c["kernel"]], shapes.index(c["shape"]))):
        h, w, d = cell["shape"]
        name = f"{family}/{cell['kernel']}/{h}/{w}/{d}"
        entries.append({
            "name": name, "family_index": order[cell["kernel"]], "per_family_instance_index":
            shapes.index(cell["shape"]), "run_name": name, "run_type": "iteration",
            "repetitions": 1, "repetition_index": 0, "threads": 1, "iterations": counted.reps,
            "real_time": 0.0, "cpu_time": 0.0, "time_unit": "us",
            "instructions": cell["instructions"],
            "instructions_per_mac": cell["instructions"] / (h * w * d),
            "counted_regions": cell["regions"], "steady": cell["steady"],
            "height": float(h), "width": float(w), "depth": float(d)})
    return entries


def counter_facts(runner: Runner) -> Tuple[str, str]:
    """(cpu_model, counting_tool): the CPU the counts stand for, and the counter that made them."""
    if runner.tool == "callgrind":
        cpu_model = f"{host_cpu_model()} (valgrind callgrind; glibc picks its string functions for it)"
        tool = (f"{runner.tool_version}, --toggle-collect={runner.region_function} "
                f"--dump-after={runner.region_function}")
    else:
        cpu_model = f"{runner.qemu_cpu} (modelled: {Path(runner.qemu).name} -cpu {runner.qemu_cpu})"
        tool = f"{runner.tool_version}, TCG plugin tools/icount/qemu_icount.c"
    return cpu_model, tool


def counting_method(counted: Counted) -> dict:
    runner, cells = counted.runner, counted.cells
    return {
        "tool": runner.tool, "emulator": getattr(runner, "qemu", None) and Path(runner.qemu).name,
        "qemu_cpu": runner.qemu_cpu if runner.tool == "qemu" else None,
        "reps": counted.reps,
        "method": "in-process difference of counted calls: (1 + reps products) - (1 product), / reps; "
                  "steady when (1 + 2 reps) - (1 + reps) equals it",
        "guest_environment": runner.env, "deterministic": True,
        "steady_cells": sum(1 for c in cells if c.get("steady")),
        "unsteady_cells": [f"{c['kernel']} {c['label']}" for c in cells if c.get("steady") is False],
    }


def kernel_facts(kernels: Dict[str, dict]) -> Dict[str, dict]:
    return {k: {"implementation": v["implementation"], "isa": isa_of(k, v["implementation"]),
                "description": v["description"], "operand_bits": v["operand_bits"],
                **({"levels": v["levels"]} if v.get("levels") else {})}
            for k, v in kernels.items()}


def driver_schema_version(kernels: Dict[str, dict]) -> int:
    """The results schema version, as the C++ results writer defines it (the driver states it)."""
    versions = {k.get("schema_version") for k in kernels.values()}
    if len(versions) != 1 or not isinstance(next(iter(versions)), int):
        raise ValueError(f"icount-driver --list states no single schema_version: {sorted(map(str, versions))}")
    return versions.pop()


def qbench_object(counted: Counted) -> dict:
    """context.qbench: the schema's fields, in the order `qbench run` writes its own."""
    runner, build_info, config = counted.runner, counted.build_info, counted.config
    cpu_model, tool = counter_facts(runner)
    gemmlowp_version = first_line(["dpkg-query", "-W", "-f=${Version}", "libgemmlowp-dev"]) or "unknown"
    eigen = re.search(r"Eigen ([0-9.]+)", json.dumps(counted.kernels))
    return {
        "schema_version": driver_schema_version(counted.kernels),
        "measure": "instructions",
        "partial": False,
        "counting_tool": tool,
        "counting": counting_method(counted),
        "git_commit": git("rev-parse", "HEAD") or "unknown",
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "sources_sha256": sources_digest(),
        "compiler": f"{build_info['compiler']} ({Path(build_info['compiler_path']).name})",
        "cxx_flags": build_info["cxx_flags"],
        "baseline_flags": build_info["baseline_flags"],
        "kernel_isa_flags": "per file, as kernels/CMakeLists.txt sets them",
        "build_type": build_info["build_type"],
        "arch": build_info["arch"],
        "cpu_model": cpu_model,
        "host": platform.node(),
        "host_cpu_model": host_cpu_model(),
        "forced_isa": runner.isa,
        "libraries": {"eigen": eigen.group(1) if eigen else "unknown", "gemmlowp": gemmlowp_version},
        "command": counted.command,
        "config_path": counted.config_path,
        "config": config,
        "config_sha256": hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":"))
                                        .encode()).hexdigest(),
        "effective": {"kernels": [k for k in config["kernels"] if k in counted.kernels],
                      "shapes": ["x".join(map(str, s)) for s in config_shapes(config)],
                      "repetitions": 1, "reps_per_count": counted.reps, "seed": config.get("seed", 1)},
        "weights_mode": config.get("weights", "per_call"),
        "timed": WHAT_IS_COUNTED,
        "kernels": kernel_facts(counted.kernels),
        "skipped": counted.skipped,
        "verification": [{"kernel": c["kernel"], "shape": c["label"], "ok": "error" not in c,
                          "message": c.get("error", "")} for c in counted.cells],
        "elapsed_s": round(counted.elapsed, 1),
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def results_document(counted: Counted) -> dict:
    qbench = qbench_object(counted)
    context = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "host_name": platform.node(), "executable": f"{counted.runner.build_dir / DRIVER}",
               "num_cpus": os.cpu_count(), "library_build_type": "release", "qbench": qbench}
    return {"context": context, "benchmarks": benchmark_entries(counted)}


def write_atomically(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp.{os.getpid()}")
    temporary.write_text(json.dumps(doc, indent=1) + "\n")
    temporary.replace(path)
