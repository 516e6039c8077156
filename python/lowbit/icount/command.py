"""`lowbit icount`: count the instructions of a config's kernels x shapes on one architecture, write
qbench's results JSON, and optionally gate it against a baseline (see the package docstring)."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from lowbit import regress
from lowbit.icount.build import build
from lowbit.icount.document import Counted, config_shapes, results_document, write_atomically
from lowbit.icount.qnn import LENET, LENET_VARIANTS, QNN, QNN_VARIANTS, run_qnn
from lowbit.icount.runner import Runner, count_cell
from lowbit.icount.tools import (ARCHES, DRIVER, EXIT_FAIL, EXIT_MISSING, EXIT_OK, EXIT_USAGE, Failure,
                                 Missing, default_arch, log)
from lowbit.paths import REPO_ROOT
from lowbit.results import EXIT_BAD_INPUT, ResultsError, load_results


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "icount", help="deterministic instruction counts of a config (qemu / callgrind)",
        description="Deterministic instruction counts of the GEMM kernels, per product, in qbench's "
                    "results format.", epilog="See docs/instruction-counts.md.")
    parser.add_argument("--arch", choices=sorted(ARCHES), default=default_arch())
    parser.add_argument("--config", help="a qbench config (configs/quick.json ...); required without --qnn / --lenet")
    parser.add_argument("--qnn", nargs="?", const=",".join(QNN_VARIANTS), metavar="VARIANTS",
                        help="instead of a config's products: one forward pass of the QNN test's network per "
                             f"variant (comma-separated; default {','.join(QNN_VARIANTS)}); needs --out")
    parser.add_argument("--lenet", nargs="?", const=",".join(LENET_VARIANTS), metavar="VARIANTS",
                        help="likewise for the distortion study's LeNet-5 (models/distortion/logit_scale-seed0; "
                             f"default {','.join(LENET_VARIANTS)}); needs --out")
    parser.add_argument("--out", help="results JSON to write (refused if it exists, unless --overwrite)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.add_argument("--compare", metavar="BASELINE",
                        help="afterwards, `lowbit regress BASELINE OUT --all`; exit with its status")
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
    parser.set_defaults(func=run, parser=parser)


@dataclasses.dataclass
class Plan:
    """The validated command line: what to count, where and with which counter."""

    arch: str
    config: dict
    config_path: str
    shapes: List[Tuple[int, int, int]]
    wanted: List[str]
    out: Optional[Path]
    build_dir: Path
    tool: str
    qemu_cpu: str
    isa: str


def plan(args) -> Plan:
    """The Plan of the arguments; SystemExit (usage) or ValueError (an unusable config or --out)."""
    if args.reps < 1 or args.jobs < 1:
        args.parser.error("--reps and --jobs must be >= 1")
    if args.out is None and args.compare is None:
        args.parser.error("give --out FILE, --compare BASELINE, or both")
    if args.config is None:
        args.parser.error("give --config CONFIG (or --qnn or --lenet)")
    spec = ARCHES[args.arch]
    config_path = args.config
    try:
        config = json.loads((Path(config_path) if Path(config_path).is_absolute()
                             else Path.cwd() / config_path).read_text())
        shapes = config_shapes(config)
        assert isinstance(config["kernels"], list) and shapes
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as err:
        raise ValueError(f"{config_path}: unusable config ({err!r})") from None
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not args.overwrite:
        raise ValueError(f"{out} exists; choose another --out or pass --overwrite")
    build_root = Path(os.environ.get("ICOUNT_BUILD_ROOT") or REPO_ROOT / "build")
    return Plan(arch=args.arch, config=config, config_path=config_path, shapes=shapes,
                wanted=config["kernels"] if not args.kernels else [k for k in args.kernels.split(",") if k],
                out=out, build_dir=Path(args.build_dir or build_root / f"icount-{args.arch}").resolve(),
                tool=args.tool or spec["tool"], qemu_cpu=args.qemu_cpu or spec["qemu_cpu"],
                isa=spec["isa"] if args.isa is None else args.isa)


def prepare(p: Plan, args) -> Tuple[Runner, dict, Dict[str, dict]]:
    """Build (unless --no-build), then the runner, the build's facts and the driver's kernel list."""
    if not args.no_build:
        build(p.arch, p.build_dir, args.jobs)
    build_info = json.loads((p.build_dir / "icount-build.json").read_text())
    runner = Runner(p.arch, p.build_dir, p.tool, p.qemu_cpu, p.isa)
    return runner, build_info, runner.list_kernels()


def select_kernels(wanted: List[str], known: Dict[str, dict]) -> Tuple[Dict[str, dict], List[dict]]:
    """(the kernels to count, the skipped ones with their reason)."""
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
    return kernels, skipped


def cell_progress(cell: dict) -> str:
    if "error" in cell:
        return f"WRONG RESULT: {cell['error']}"
    macs = cell['shape'][0] * cell['shape'][1] * cell['shape'][2]
    return (f"{cell['instructions']:.0f} instructions ({cell['instructions'] / macs:.2f}"
            f"/MAC){'' if cell['steady'] else ', NOT STEADY from call to call'}")


def count_all(p: Plan, runner: Runner, kernels: Dict[str, dict], reps: int, jobs: int) -> List[dict]:
    """Every (kernel, shape) cell counted, `jobs` at once, in config order."""
    todo = [(k, s) for k in kernels for s in p.shapes]
    where = f"{p.tool}" + (f" -cpu {p.qemu_cpu}" if p.tool == "qemu" else "") + (f", LOWBIT_ISA={p.isa}" if p.isa else "")
    log(f"icount: {p.arch}: {len(kernels)} kernels x {len(p.shapes)} shapes = {len(todo)} counts "
        f"({where}, {reps} reps, {jobs} at once)")
    for k, v in kernels.items():
        log(f"icount:   {k}: {v['implementation']}")
    weights = p.config.get("weights", "per_call")
    seed = int(p.config.get("seed", 1))
    cells: List[dict] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(count_cell, runner, k, s, reps, seed, weights): (k, s) for k, s in todo}
        for future in concurrent.futures.as_completed(futures):
            cell = future.result()
            cells.append(cell)
            log(f"[{len(cells):3d}/{len(todo)}] {p.arch} {cell['kernel']:<16} {cell['label']:<12} "
                f"{cell_progress(cell)}  ({cell['seconds']:.1f} s)")
    cells.sort(key=lambda c: (p.wanted.index(c["kernel"]), p.shapes.index(c["shape"])))
    return cells


def compare_with(baseline_path: str, out: Path, threshold: float) -> int:
    """The gate on the baseline and the fresh counts (every cell listed); its exit status."""
    try:
        baseline, new = load_results(baseline_path), load_results(out)
    except ResultsError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return regress.gate(baseline, new, threshold=threshold, show_all=True)


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


def run_qnn_passes(args) -> int:
    """`--qnn` / `--lenet`: the forward passes of the MRZ network or LeNet-5, one count per variant."""
    if args.qnn and args.lenet:
        args.parser.error("--qnn and --lenet: one network per run")
    network, variants = (QNN, args.qnn) if args.qnn else (LENET, args.lenet)
    if args.out is None or args.reps < 1:
        args.parser.error(f"--{network.name} needs --out FILE and --reps >= 1")
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        log(f"icount: {out} exists; choose another --out or pass --overwrite")
        return EXIT_USAGE
    spec = ARCHES[args.arch]
    build_root = Path(os.environ.get("ICOUNT_BUILD_ROOT") or REPO_ROOT / "build")
    build_dir = Path(args.build_dir or build_root / f"icount-{args.arch}").resolve()
    try:
        if not args.no_build:
            build(args.arch, build_dir, args.jobs)
        build_info = json.loads((build_dir / "icount-build.json").read_text())
        runner = Runner(args.arch, build_dir, args.tool or spec["tool"], args.qemu_cpu or spec["qemu_cpu"],
                        spec["isa"] if args.isa is None else args.isa)
        return run_qnn(runner, build_info, [v for v in variants.split(",") if v], args.reps, out,
                       " ".join(["lowbit", *sys.argv[1:]]), network)
    except (Missing, Failure, OSError, ValueError) as err:
        return stopped(err)


def stopped(err: Exception) -> int:
    """Logs why icount could not prepare its run; the exit status: EXIT_MISSING for a missing tool or
    peer, EXIT_USAGE for anything else (a failed build, a bad file or value)."""
    if isinstance(err, Missing):
        log(f"icount: missing: {err}")
        return EXIT_MISSING
    log(f"icount: {err}")
    return EXIT_USAGE


def run(args) -> int:
    if args.qnn or args.lenet:
        return run_qnn_passes(args)
    try:
        p = plan(args)
    except ValueError as err:
        log(f"icount: {err}")
        return EXIT_USAGE
    started = time.monotonic()
    try:
        runner, build_info, known = prepare(p, args)
    except (Missing, Failure, OSError, ValueError) as err:
        return stopped(err)
    kernels, skipped = select_kernels(p.wanted, known)
    if not kernels:
        log(f"icount: none of the kernels {p.wanted} can be counted here")
        return EXIT_USAGE
    try:
        cells = count_all(p, runner, kernels, args.reps, args.jobs)
    except Failure as err:
        log(f"icount: {err}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        log("icount: interrupted; nothing written")
        return 130
    elapsed = time.monotonic() - started
    print_table(cells)
    doc = results_document(Counted(runner, build_info, p.config, p.config_path, kernels, cells, skipped,
                                   args.reps, elapsed, " ".join(["lowbit", *sys.argv[1:]])))
    out = p.out or p.build_dir / f"icount-{p.arch}-{p.config.get('name', 'config')}.json"
    write_atomically(out, doc)
    log(f"icount: wrote {out} ({len(doc['benchmarks'])} counts, {elapsed:.0f} s)")
    wrong = [c for c in cells if "error" in c]
    if wrong:
        log(f"icount: {len(wrong)} (kernel, shape) pairs gave a WRONG RESULT and were not counted")
    status = EXIT_FAIL if wrong else EXIT_OK
    if args.compare:
        gate = compare_with(args.compare, out, args.threshold)
        status = max(status, gate) if gate != EXIT_FAIL else EXIT_FAIL
    return status
