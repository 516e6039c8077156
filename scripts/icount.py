#!/usr/bin/python3
"""Deterministic instruction counts of the GEMM kernels, per product, in qbench's results format.

    scripts/icount.py --arch armv7 --config configs/quick.json --out counts.json
    scripts/icount.py --arch x86 --config configs/quick.json --compare results/baselines/icount-x86-quick.json

For every kernel x shape of the config it runs tools/icount/driver.cc (built here for the target with
CMake: natively for x86, cross-compiled for ARMv7 / AArch64) under a counter:

* ARMv7, AArch64: qemu-user with tools/icount/qemu_icount.c (a TCG plugin) and a fixed CPU model
  (ARMv7: cortex-a15, the paper's ODROID-XU4 core; AArch64: cortex-a76), so the counts are the same on
  every host;
* x86: valgrind's callgrind (LOWBIT_ISA=avx2: valgrind 3.19 cannot decode AVX-512), collecting inside
  the driver's counted_region only; or qemu-x86_64 -cpu Haswell with --tool qemu.

The driver verifies each product against lowbit::reference_gemm first, then runs a warm-up call and
1, 1 + reps and 1 + 2 reps products in three counted calls A, B, C; instructions per product =
(B - A) / reps, the fixed cost of a call cancelling, and C - B must equal B - A ("steady"; see
docs/instruction-counts.md). The guest runs with an empty environment (but
LOWBIT_ISA), a fixed argv[0] and a fixed random seed, so that its memory layout, and with it every
count, repeats exactly.

The output is qbench's results JSON (scripts/qbench_results.py reads it; scripts/regress.py compares
two): context.qbench.measure = "instructions", one "iteration" entry per cell with the counter
"instructions" (per product), real_time 0. --compare BASELINE runs scripts/regress.py BASELINE NEW
afterwards (threshold 2 %) and exits with its status.

Exit status: 0 done (and, with --compare, no regression); 1 a kernel's result was wrong, or a
regression; 2 bad usage, unusable config, or an inconclusive comparison (different compiler, flags,
CPU model, architecture); 3 a tool is missing (cross compiler, qemu-user, valgrind, CMake).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_MISSING = 0, 1, 2, 3
DRIVER = "icount-driver"
CELL_TIMEOUT_S = 900

ARCHES = {
    "x86": {
        "toolchain": None, "compiler": "g++", "package": "g++", "qemu": "qemu-x86_64", "sysroot": None,
        "qemu_cpu": "Haswell", "isa": "avx2", "tool": "callgrind",
        "fallback_toolchain": None,
    },
    "armv7": {
        "toolchain": "cmake/toolchains/armv7-linux-gnueabihf.cmake", "compiler": "arm-linux-gnueabihf-g++",
        "package": "g++-arm-linux-gnueabihf",
        "qemu": "qemu-arm", "sysroot": "/usr/arm-linux-gnueabihf", "qemu_cpu": "cortex-a15", "isa": "",
        "tool": "qemu",
        "fallback_toolchain": ("armv7l", "arm-linux-gnueabihf",
                               "-march=armv7-a -mfpu=neon -mfloat-abi=hard -mtune=cortex-a15"),
    },
    "aarch64": {
        "toolchain": "cmake/toolchains/aarch64-linux-gnu.cmake", "compiler": "aarch64-linux-gnu-g++",
        "package": "g++-aarch64-linux-gnu",
        "qemu": "qemu-aarch64", "sysroot": "/usr/aarch64-linux-gnu", "qemu_cpu": "cortex-a76", "isa": "",
        "tool": "qemu",
        "fallback_toolchain": ("aarch64", "aarch64-linux-gnu", ""),
    },
}

WHAT_IS_COUNTED = (
    "guest instructions of one complete product R = W X from the operands in their stored form, as "
    "qbench times it: packing of both operands (weights too, unless weights_mode is prepacked), the "
    "multiplication and the zero-point corrections, one thread, warmed up (scratch allocated by a "
    "verified call before), plus one virtual call and one loop step; = (count of 1 + reps products - "
    "count of 1 product) / reps, in one process")

# Every file whose content can change a count: recorded as one digest, to tell "the code changed"
# from "the tools changed" when a count moves.
SOURCE_GLOBS = ("kernels/**/*", "harness/gemm_problem.*", "harness/gemm_kernel.h",
                "harness/kernel_registry.cc", "harness/lowbit_kernel.*", "baselines/baselines.h",
                "baselines/eigen.cc", "baselines/gemmlowp.cc", "tools/icount/*")


class Missing(Exception):
    """A tool the count needs is not installed."""


class Failure(Exception):
    """The build or the driver failed in a way that is not a wrong result."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def first_line(command: List[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else ""


def require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise Missing(f"{tool} not found (Debian package {package}; scripts/install-deps.sh --test)")
    return path


# --- build ------------------------------------------------------------------------------------

def toolchain_args(arch: str, build_dir: Path) -> List[str]:
    spec = ARCHES[arch]
    if spec["toolchain"] is None:
        return []
    toolchain = ROOT / spec["toolchain"]
    if not toolchain.exists():  # not yet in this checkout: equivalent settings of our own
        processor, triple, flags = spec["fallback_toolchain"]
        toolchain = build_dir / "icount-toolchain.cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        toolchain.write_text(
            "set(CMAKE_SYSTEM_NAME Linux)\n"
            f"set(CMAKE_SYSTEM_PROCESSOR {processor})\n"
            f"set(CMAKE_C_COMPILER {triple}-gcc)\nset(CMAKE_CXX_COMPILER {triple}-g++)\n"
            f"set(CMAKE_C_FLAGS_INIT \"{flags}\")\nset(CMAKE_CXX_FLAGS_INIT \"{flags}\")\n"
            f"set(CMAKE_FIND_ROOT_PATH /usr/{triple})\n"
            "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\nset(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)\n"
            "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)\nset(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)\n")
    return [f"-DCMAKE_TOOLCHAIN_FILE={toolchain}"]


def run_logged(command: List[str], what: str, cwd: Optional[Path] = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
        raise Failure(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n{tail}")


def build(arch: str, build_dir: Path, jobs: int) -> None:
    require("cmake", "cmake")
    require(ARCHES[arch]["compiler"], ARCHES[arch]["package"])
    started = time.monotonic()
    if not (build_dir / "CMakeCache.txt").exists():
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        log(f"icount: configuring {arch} build in {build_dir}")
        run_logged(["cmake", "-S", str(ROOT / "tools" / "icount"), "-B", str(build_dir), *generator,
                    "-DCMAKE_BUILD_TYPE=Release", *toolchain_args(arch, build_dir)], "cmake configure")
    log(f"icount: building {build_dir} ({jobs} jobs)")
    run_logged(["cmake", "--build", str(build_dir), "-j", str(jobs)], "cmake --build")
    log(f"icount: build done in {time.monotonic() - started:.0f} s")


def build_plugin(build_dir: Path) -> Path:
    """The qemu plugin is loaded by the host's qemu: always compiled for the host."""
    source = ROOT / "tools" / "icount" / "qemu_icount.c"
    plugin = build_dir / "qemu_icount.so"
    if plugin.exists() and plugin.stat().st_mtime >= source.stat().st_mtime:
        return plugin
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise Missing("no host C compiler (cc) to build the qemu plugin (Debian package gcc)")
    build_dir.mkdir(parents=True, exist_ok=True)
    run_logged([cc, "-O2", "-std=gnu11", "-Wall", "-Wextra", "-shared", "-fPIC", "-fvisibility=hidden",
                "-o", str(plugin), str(source)], "building the qemu plugin")
    return plugin


# --- running the driver -----------------------------------------------------------------------

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

    def command(self, driver_args: List[str], out: Path) -> List[str]:
        if self.tool == "callgrind":
            return [self.valgrind, "--tool=callgrind", "--collect-atstart=no",
                    "--toggle-collect=counted_region", "--dump-after=counted_region", "--dump-instr=no",
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


# --- results file -----------------------------------------------------------------------------

def config_shapes(config: dict) -> List[Tuple[int, int, int]]:
    shapes = config["shapes"]
    if isinstance(shapes, dict):
        return [(h, w, d) for h in shapes["height"] for w in shapes["width"] for d in shapes["depth"]]
    return [tuple(s) for s in shapes]


def sources_digest() -> str:
    digest = hashlib.sha256()
    files = sorted({p for pattern in SOURCE_GLOBS for p in ROOT.glob(pattern) if p.is_file()})
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


def results_document(args, runner: Runner, build_info: dict, config: dict, config_path: str,
                     kernels: Dict[str, dict], cells: List[dict], skipped: List[dict],
                     elapsed: float) -> dict:
    weights = config.get("weights", "per_call")
    family = "gemm_prepacked" if weights == "prepacked" else "gemm"
    benchmarks = []
    order = {k: i for i, k in enumerate(config["kernels"])}
    for cell in sorted((c for c in cells if "instructions" in c),
                       key=lambda c: (order[c["kernel"]], config_shapes(config).index(c["shape"]))):
        h, w, d = cell["shape"]
        name = f"{family}/{cell['kernel']}/{h}/{w}/{d}"
        benchmarks.append({
            "name": name, "family_index": order[cell["kernel"]], "per_family_instance_index":
            config_shapes(config).index(cell["shape"]), "run_name": name, "run_type": "iteration",
            "repetitions": 1, "repetition_index": 0, "threads": 1, "iterations": args.reps,
            "real_time": 0.0, "cpu_time": 0.0, "time_unit": "us",
            "instructions": cell["instructions"],
            "instructions_per_mac": cell["instructions"] / (h * w * d),
            "counted_regions": cell["regions"], "steady": cell["steady"],
            "height": float(h), "width": float(w), "depth": float(d)})
    if runner.tool == "callgrind":
        cpu_model = f"{host_cpu_model()} (valgrind callgrind; glibc picks its string functions for it)"
        tool = f"{runner.tool_version}, --toggle-collect=counted_region --dump-after=counted_region"
    else:
        cpu_model = f"{runner.qemu_cpu} (modelled: {Path(runner.qemu).name} -cpu {runner.qemu_cpu})"
        tool = f"{runner.tool_version}, TCG plugin tools/icount/qemu_icount.c"
    compiler = f"{build_info['compiler']} ({Path(build_info['compiler_path']).name})"
    gemmlowp_version = first_line(["dpkg-query", "-W", "-f=${Version}", "libgemmlowp-dev"]) or "unknown"
    eigen = re.search(r"Eigen ([0-9.]+)", json.dumps(kernels))
    verification = [{"kernel": c["kernel"], "shape": c["label"], "ok": "error" not in c,
                     "message": c.get("error", "")} for c in cells]
    qbench = {
        "schema_version": 1,
        "measure": "instructions",
        "partial": False,
        "counting_tool": tool,
        "counting": {
            "tool": runner.tool, "emulator": getattr(runner, "qemu", None) and Path(runner.qemu).name,
            "qemu_cpu": runner.qemu_cpu if runner.tool == "qemu" else None,
            "reps": args.reps,
            "method": "in-process difference of counted calls: (1 + reps products) - (1 product), / reps; "
                      "steady when (1 + 2 reps) - (1 + reps) equals it",
            "guest_environment": runner.env, "deterministic": True,
            "steady_cells": sum(1 for c in cells if c.get("steady")),
            "unsteady_cells": [f"{c['kernel']} {c['label']}" for c in cells if c.get("steady") is False],
        },
        "git_commit": git("rev-parse", "HEAD") or "unknown",
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "sources_sha256": sources_digest(),
        "compiler": compiler,
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
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "config_path": config_path,
        "config": config,
        "config_sha256": hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":"))
                                        .encode()).hexdigest(),
        "effective": {"kernels": [k for k in config["kernels"] if k in kernels],
                      "shapes": ["x".join(map(str, s)) for s in config_shapes(config)],
                      "repetitions": 1, "reps_per_count": args.reps, "seed": config.get("seed", 1)},
        "weights_mode": weights,
        "timed": WHAT_IS_COUNTED,
        "kernels": {k: {"implementation": v["implementation"], "isa": isa_of(k, v["implementation"]),
                        "description": v["description"], "operand_bits": v["operand_bits"],
                        **({"levels": v["levels"]} if v.get("levels") else {})}
                    for k, v in kernels.items()},
        "skipped": skipped,
        "verification": verification,
        "elapsed_s": round(elapsed, 1),
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    context = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "host_name": platform.node(), "executable": f"{runner.build_dir / DRIVER}",
               "num_cpus": os.cpu_count(), "library_build_type": "release", "qbench": qbench}
    return {"context": context, "benchmarks": benchmarks}


def write_atomically(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp.{os.getpid()}")
    temporary.write_text(json.dumps(doc, indent=1) + "\n")
    temporary.replace(path)


def print_table(cells: List[dict]) -> None:
    if not cells:
        return
    kernels = list(dict.fromkeys(c["kernel"] for c in cells))
    shapes = list(dict.fromkeys(c["label"] for c in cells))
    by = {(c["kernel"], c["label"]): c for c in cells}
    width = max([len(s) for s in shapes] + [5])
    column = max(len(k) for k in kernels) + 2
    lines = ["shape".ljust(width) + "".join(k.rjust(column) for k in kernels)]
    for shape in shapes:
        row = shape.ljust(width)
        for k in kernels:
            c = by.get((k, shape))
            value = "-" if c is None else ("WRONG" if "error" in c else f"{c['instructions']:.0f}")
            row += value.rjust(column)
        lines.append(row)
    print("\n".join(lines), file=sys.stderr)


# --- main -------------------------------------------------------------------------------------

def default_arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "x86", "amd64": "x86", "aarch64": "aarch64", "arm64": "aarch64"}.get(
        machine, "armv7" if machine.startswith("arm") else "x86")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="See docs/instruction-counts.md.")
    parser.add_argument("--arch", choices=sorted(ARCHES), default=default_arch())
    parser.add_argument("--config", required=True, help="a qbench config (configs/quick.json ...)")
    parser.add_argument("--out", help="results JSON to write (refused if it exists, unless --overwrite)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.add_argument("--compare", metavar="BASELINE",
                        help="afterwards, scripts/regress.py BASELINE OUT; exit with its status")
    parser.add_argument("--threshold", type=float, default=0.02,
                        help="with --compare: relative change that is a regression (default 0.02)")
    parser.add_argument("--build-dir", help="build folder (default: $ICOUNT_BUILD_ROOT/icount-ARCH, "
                                             "ICOUNT_BUILD_ROOT defaulting to build/)")
    parser.add_argument("--no-build", action="store_true", help="use the build folder as it is")
    parser.add_argument("--tool", choices=("qemu", "callgrind"),
                        help="counter (default: callgrind on x86, qemu on ARM)")
    parser.add_argument("--qemu-cpu", help="qemu CPU model (default: armv7 cortex-a15, aarch64 "
                                           "cortex-a76, x86 Haswell)")
    parser.add_argument("--isa", help="LOWBIT_ISA for the guest (default: x86 avx2, ARM: none, the "
                                      "best path of the modelled CPU)")
    parser.add_argument("--kernels", help="comma-separated subset of the config's kernels")
    parser.add_argument("--reps", type=int, default=2, help="products per count (default 2)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cells counted at once")
    args = parser.parse_args(argv)
    if args.reps < 1 or args.jobs < 1:
        parser.error("--reps and --jobs must be >= 1")
    if args.out is None and args.compare is None:
        parser.error("give --out FILE, --compare BASELINE, or both")

    spec = ARCHES[args.arch]
    config_path = args.config
    try:
        config = json.loads((Path(config_path) if Path(config_path).is_absolute()
                             else Path.cwd() / config_path).read_text())
        shapes = config_shapes(config)
        assert isinstance(config["kernels"], list) and shapes
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as err:
        log(f"icount: {config_path}: unusable config ({err!r})")
        return EXIT_USAGE
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not args.overwrite:
        log(f"icount: {out} exists; choose another --out or pass --overwrite")
        return EXIT_USAGE
    build_root = Path(os.environ.get("ICOUNT_BUILD_ROOT") or ROOT / "build")
    build_dir = Path(args.build_dir or build_root / f"icount-{args.arch}").resolve()
    tool = args.tool or spec["tool"]
    qemu_cpu = args.qemu_cpu or spec["qemu_cpu"]
    isa = spec["isa"] if args.isa is None else args.isa
    wanted = config["kernels"] if not args.kernels else [k for k in args.kernels.split(",") if k]

    started = time.monotonic()
    try:
        if not args.no_build:
            build(args.arch, build_dir, args.jobs)
        build_info = json.loads((build_dir / "icount-build.json").read_text())
        runner = Runner(args.arch, build_dir, tool, qemu_cpu, isa)
        known = runner.list_kernels()
    except Missing as err:
        log(f"icount: missing: {err}")
        return EXIT_MISSING
    except (Failure, OSError, ValueError) as err:
        log(f"icount: {err}")
        return EXIT_USAGE

    kernels, skipped = {}, []
    for k in wanted:
        if k not in known:
            skipped.append({"kernel": k, "reason": f"not in {DRIVER} (no such kernel in this build)"})
        elif not known[k]["available"]:
            skipped.append({"kernel": k, "reason": known[k]["reason"]})
        else:
            kernels[k] = known[k]
    for s in skipped:
        log(f"icount: skipping {s['kernel']}: {s['reason']}")
    if not kernels:
        log(f"icount: none of the kernels {wanted} can be counted here")
        return EXIT_USAGE
    jobs = [(k, s) for k in kernels for s in shapes]
    where = f"{tool}" + (f" -cpu {qemu_cpu}" if tool == "qemu" else "") + (f", LOWBIT_ISA={isa}" if isa else "")
    log(f"icount: {args.arch}: {len(kernels)} kernels x {len(shapes)} shapes = {len(jobs)} counts "
        f"({where}, {args.reps} reps, {args.jobs} at once)")
    for k, v in kernels.items():
        log(f"icount:   {k}: {v['implementation']}")

    cells: List[dict] = []
    weights = config.get("weights", "per_call")
    seed = int(config.get("seed", 1))
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(count_cell, runner, k, s, args.reps, seed, weights): (k, s)
                       for k, s in jobs}
            for future in concurrent.futures.as_completed(futures):
                cell = future.result()
                cells.append(cell)
                if "error" in cell:
                    what = f"WRONG RESULT: {cell['error']}"
                else:
                    what = (f"{cell['instructions']:.0f} instructions "
                            f"({cell['instructions'] / (cell['shape'][0] * cell['shape'][1] * cell['shape'][2]):.2f}"
                            f"/MAC){'' if cell['steady'] else ', NOT STEADY from call to call'}")
                log(f"[{len(cells):3d}/{len(jobs)}] {args.arch} {cell['kernel']:<16} {cell['label']:<12} "
                    f"{what}  ({cell['seconds']:.1f} s)")
    except Failure as err:
        log(f"icount: {err}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        log("icount: interrupted; nothing written")
        return 130
    cells.sort(key=lambda c: (wanted.index(c["kernel"]), shapes.index(c["shape"])))
    elapsed = time.monotonic() - started
    print_table(cells)

    doc = results_document(args, runner, build_info, config, config_path, kernels, cells, skipped,
                           elapsed)
    if out is None:
        out = build_dir / f"icount-{args.arch}-{config.get('name', 'config')}.json"
    write_atomically(out, doc)
    log(f"icount: wrote {out} ({len(doc['benchmarks'])} counts, {elapsed:.0f} s)")
    wrong = [c for c in cells if "error" in c]
    if wrong:
        log(f"icount: {len(wrong)} (kernel, shape) pairs gave a WRONG RESULT and were not counted")
    status = EXIT_FAIL if wrong else EXIT_OK
    if args.compare:
        regress = subprocess.run([sys.executable, str(ROOT / "scripts" / "regress.py"), args.compare,
                                  str(out), "--threshold", str(args.threshold), "--all"])
        status = max(status, regress.returncode) if regress.returncode != EXIT_FAIL else EXIT_FAIL
    return status


if __name__ == "__main__":
    sys.exit(main())
