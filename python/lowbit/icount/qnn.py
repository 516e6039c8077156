"""`lowbit icount --qnn` / `--lenet`: the instructions of one forward pass of a network of the QNN
engine per variant: the QNN test's MRZ network (icount-driver --qnn, tools/icount/qnn_pass.cc) or the
distortion study's LeNet-5 (--lenet, lenet_pass.cc), as a results file whose entries are
`<network>/<variant>/forward` with the counter "instructions"; `lowbit qnn-table --icount FILE` shows
the MRZ network's ratios beside the paper's time ratios."""

from __future__ import annotations

import dataclasses
import datetime
import json
import platform
import time
from pathlib import Path
from typing import List, Tuple

from lowbit.icount.document import counter_facts, git, host_cpu_model, sources_digest, write_atomically
from lowbit.icount.runner import Runner
from lowbit.icount.tools import DRIVER, EXIT_FAIL, EXIT_OK, Failure, log
from lowbit.paths import REPO_ROOT

QNN_VARIANTS = ["float", "q8", "q4", "q4_6"]
LENET_VARIANTS = ["float", "q8", "q4"]


@dataclasses.dataclass(frozen=True)
class Network:
    """What differs between the networks the driver counts."""
    name: str          # the driver's flag without "--", the results' field and cell prefix
    region: str        # the counted function
    what: str          # context.qbench.timed
    sources: Tuple[str, ...]  # every file whose content can change a pass's count (the GEMM paths included)


QNN = Network("qnn", "counted_qnn_region", (
    "guest instructions of one complete forward pass of the MRZ network (qnn::Network::forward: "
    "contrast stretch and input quantization, the six convolutions with im2col, GEMM and "
    "requantization, the fully connected layer, argmax) on the first fixture image, warmed up, checked "
    "against the committed fixtures first; = (count of 1 + reps passes - count of 1 pass) / reps"),
    ("kernels/**/*", "qnn/**/*", "tools/icount/*", "models/mrz-v1.qnnw"))
LENET = Network("lenet", "counted_lenet_region", (
    "guest instructions of one complete forward pass of LeNet-5 (qnn::LeNet5::forward of "
    "models/distortion/logit_scale-seed0.lenet: input quantization, two convolutions with im2col, GEMM, "
    "requantization and 2x2 max pooling, three dense layers, argmax) on the first fixture image, warmed "
    "up, every fixture image checked first; = (count of 1 + reps passes - count of 1 pass) / reps"),
    ("kernels/**/*", "qnn/**/*", "tools/icount/*", "models/distortion/logit_scale-seed0.lenet"))


def count_pass(runner: Runner, variant: str, reps: int, network: Network = QNN) -> dict:
    """One variant's pass: {variant, instructions, steady, regions, info}; Failure when not counted."""
    args = [f"--{network.name}", variant, "--models", str(REPO_ROOT / "models"), "--reps", str(reps)]
    status, stdout, stderr, regions = runner.run(args)
    if status != 0:
        raise Failure(f"{network.name} {variant}: {DRIVER} exit {status}: {stderr.strip()[-2000:]}")
    if not regions or len(regions) != 4:
        raise Failure(f"{network.name} {variant}: expected 4 counted regions, got {regions}")
    _, a, b, c = regions
    return {"variant": variant, "instructions": (b - a) / reps, "steady": c - b == b - a, "regions": regions,
            "info": json.loads(stdout.strip().splitlines()[-1])}


def qnn_document(runner: Runner, build_info: dict, passes: List[dict], reps: int, command: str,
                 network: Network = QNN) -> dict:
    cpu_model, tool = counter_facts(runner)
    qbench = {"measure": "instructions", "partial": False, "counting_tool": tool, "reps_per_count": reps,
              "git_commit": git("rev-parse", "HEAD") or "unknown",
              "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
              "sources_sha256": sources_digest(network.sources),
              "compiler": f"{build_info['compiler']} ({Path(build_info['compiler_path']).name})",
              "cxx_flags": build_info["cxx_flags"], "baseline_flags": build_info["baseline_flags"],
              "arch": build_info["arch"], "cpu_model": cpu_model, "host_cpu_model": host_cpu_model(),
              "forced_isa": runner.isa, "command": command, "timed": network.what,
              network.name: {p["variant"]: {"gemm": p["info"]["gemm"], "macs": p["info"]["macs"]} for p in passes},
              "schema_version": passes[0]["info"]["schema_version"]}
    entries = [{"name": f"{network.name}/{p['variant']}/forward", "run_name": f"{network.name}/{p['variant']}/forward",
                "run_type": "iteration", "repetitions": 1, "repetition_index": 0, "threads": 1,
                "iterations": reps, "real_time": 0.0, "cpu_time": 0.0, "time_unit": "us",
                "instructions": p["instructions"], "instructions_per_mac": p["instructions"] / p["info"]["macs"],
                "counted_regions": p["regions"], "steady": p["steady"]} for p in passes]
    context = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "host_name": platform.node(), "executable": str(runner.build_dir / DRIVER), "qbench": qbench}
    return {"context": context, "benchmarks": entries}


def run_qnn(runner: Runner, build_info: dict, variants: List[str], reps: int, out: Path, command: str,
            network: Network = QNN) -> int:
    started = time.monotonic()
    runner.region_function = network.region
    passes = []
    for variant in variants:
        p = count_pass(runner, variant, reps, network)
        log(f"icount: {network.name} {variant:<5} {p['info']['gemm']:<28} {p['instructions']:>12.0f} instructions"
            f"{'' if p['steady'] else ', NOT STEADY'}")
        passes.append(p)
    float_count = next((p["instructions"] for p in passes if p["variant"] == "float"), None)
    if float_count:
        log("icount: instructions / float: " + ", ".join(
            f"{p['variant']} {p['instructions'] / float_count:.3f}" for p in passes))
    write_atomically(out, qnn_document(runner, build_info, passes, reps, command, network))
    log(f"icount: wrote {out} ({len(passes)} passes, {time.monotonic() - started:.0f} s)")
    return EXIT_OK if all(p["steady"] for p in passes) else EXIT_FAIL
