"""The driver run under the counter of one architecture, and one counted (kernel, shape) cell."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from lowbit.icount.build import build_plugin
from lowbit.icount.tools import ARCHES, CELL_TIMEOUT_S, DRIVER, Failure, first_line, require


class Runner:
    """Runs the driver under the counting tool of one architecture."""

    def __init__(self, arch: str, build_dir: Path, tool: str, qemu_cpu: str, isa: str):
        self.arch, self.build_dir, self.tool, self.qemu_cpu, self.isa = arch, build_dir, tool, qemu_cpu, isa
        spec = ARCHES[arch]
        if not (build_dir / DRIVER).exists():
            raise Failure(f"{build_dir / DRIVER} does not exist: build first (drop --no-build)")
        if tool == "callgrind":
            if arch != "x86":
                raise Failure("--tool callgrind counts x86 only (valgrind runs the host's code)")
            self.valgrind = require("valgrind", "valgrind")
            self.tool_version = first_line([self.valgrind, "--version"]) + " callgrind"
        else:
            self.qemu = require(spec["qemu"], "qemu-user")
            self.plugin = build_plugin(build_dir)
            self.tool_version = first_line([self.qemu, "--version"])
        self.env = {"LOWBIT_ISA": isa} if isa else {}
        # The driver's function that brackets the counted calls (callgrind collects inside it only;
        # the qemu plugin finds the markers it calls): counted_qnn_region for --qnn.
        self.region_function = "counted_region"

    def command(self, driver_args: List[str], out: Path) -> List[str]:
        if self.tool == "callgrind":
            return [self.valgrind, "--tool=callgrind", "--collect-atstart=no",
                    f"--toggle-collect={self.region_function}", f"--dump-after={self.region_function}",
                    "--dump-instr=no",
                    f"--callgrind-out-file={out / 'callgrind.out'}", f"./{DRIVER}", *driver_args]
        sysroot = ARCHES[self.arch]["sysroot"]
        return [self.qemu, *(["-L", sysroot] if sysroot else []), "-cpu", self.qemu_cpu, "-seed", "1",
                "-0", DRIVER, "-plugin", f"{self.plugin},out={out / 'counts.txt'}", f"./{DRIVER}",
                *driver_args]

    def run(self, driver_args: List[str]) -> Tuple[int, str, str, Optional[List[int]]]:
        """Exit status, stdout, stderr and the counted regions (None when not counted)."""
        with tempfile.TemporaryDirectory(prefix="icount-", dir=self.build_dir) as tmp:
            out = Path(tmp)
            try:
                result = subprocess.run(self.command(driver_args, out), cwd=self.build_dir, env=self.env,
                                        capture_output=True, text=True, timeout=CELL_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise Failure(f"{' '.join(driver_args)}: no answer within {CELL_TIMEOUT_S} s")
            regions = self.parse_callgrind(out) if self.tool == "callgrind" else self.parse_plugin(out)
            return result.returncode, result.stdout, result.stderr, regions

    @staticmethod
    def parse_plugin(out: Path) -> Optional[List[int]]:
        path = out / "counts.txt"
        if not path.exists():
            return None
        regions: Dict[int, int] = {}
        for line in path.read_text().splitlines():
            fields = line.split()
            if fields[:2] == ["icount", "region"]:
                regions[int(fields[2])] = int(fields[3])
            elif fields[:2] in (["icount", "unbalanced"], ["icount", "overflowed"]):
                raise Failure(f"qemu plugin: {line}")
        return [regions[k] for k in sorted(regions)]

    @staticmethod
    def parse_callgrind(out: Path) -> Optional[List[int]]:
        parts = sorted(out.glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
        regions = []
        for part in parts:
            match = re.search(r"^totals:\s+(\d+)", part.read_text(), re.M)
            if match is None:
                match = re.search(r"^summary:\s+(\d+)", part.read_text(), re.M)
            regions.append(int(match.group(1)) if match else 0)
        return regions or None

    def list_kernels(self) -> Dict[str, dict]:
        status, stdout, stderr, _ = self.run(["--list"])
        if status != 0:
            raise Failure(f"{DRIVER} --list failed (exit {status}): {stderr.strip()}")
        return {k["kernel"]: k for k in map(json.loads, stdout.splitlines()) if k}


def count_cell(runner: Runner, kernel: str, shape: Tuple[int, int, int], reps: int, seed: int,
               weights: str) -> dict:
    label = "x".join(map(str, shape))
    args = ["--kernel", kernel, "--shape", label, "--reps", str(reps), "--seed", str(seed),
            "--weights", weights]
    started = time.monotonic()
    status, stdout, stderr, regions = runner.run(args)
    elapsed = time.monotonic() - started
    cell = {"kernel": kernel, "shape": shape, "label": label, "seconds": elapsed}
    if status == 1:
        cell["error"] = stderr.strip().splitlines()[-1] if stderr.strip() else "wrong result"
        return cell
    if status != 0:
        raise Failure(f"{kernel} {label}: {DRIVER} exit {status}: {stderr.strip()[-2000:]}")
    if not regions or len(regions) != 4:
        raise Failure(f"{kernel} {label}: expected 4 counted regions, got {regions} "
                      "(is the driver stripped of its symbols?)")
    info = json.loads(stdout.strip().splitlines()[-1])
    _, a, b, c = regions  # 1 (warm-up), 1, 1 + reps, 1 + 2 reps products
    total = b - a
    cell.update(info=info, regions=regions, steady=(c - b == total),
                instructions=total // reps if total % reps == 0 else total / reps)
    return cell
