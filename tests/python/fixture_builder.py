#!/usr/bin/python3
"""Build realistic qbench results files for the script tests.

The files follow what `qbench run` writes: Google Benchmark's JSON (context,
per-repetition entries, then _mean/_median/_stddev/_cv aggregates) with the
added `context.qbench` object.  Times start from the paper's table, scaled by
a machine speed factor, with deterministic log-normal noise (seeded).

    /usr/bin/python3 tests/python/fixture_builder.py   # rewrite tests/fixtures/*.json

The committed fixtures must equal what this writes (a test checks it).
"""

from __future__ import annotations

import json
import math
import random
import statistics
from pathlib import Path
from typing import Dict, Iterable, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
REFERENCE = REPO / "results" / "reference" / "trusov2020-table.csv"

ALL_KERNELS = ("float32", "float32_rowmajor", "int32", "uint8_gemmlowp", "uint8", "uint4",
               "uint4_6", "onednn_s8", "onednn_f32", "xnnpack_u8")
ARM_KERNELS = ("float32", "float32_rowmajor", "int32", "uint8_gemmlowp", "uint8", "uint4")

Shape = Tuple[int, int, int]


def paper_table() -> Dict[Shape, Dict[str, float]]:
    table = {}
    lines = [l for l in REFERENCE.read_text().splitlines() if l and not l.startswith("#")]
    header = lines[0].split(",")
    for line in lines[1:]:
        f = dict(zip(header, line.split(",")))
        shape = (int(f["height"]), int(f["width"]), int(f["depth"]))
        table[shape] = {k: float(f[f"{k}_us"]) for k in ("float32", "int32", "uint8", "uint4")}
    return table


PAPER = paper_table()
PAPER_SHAPES = tuple(sorted(PAPER))


def base_time_us(kernel: str, shape: Shape) -> float:
    """A plausible time for any kernel, derived from the paper's four columns."""
    p = PAPER[shape]
    h, w, d = shape
    derived = {
        "float32": p["float32"],
        # row-major wins on the wide shapes, loses on the narrow ones
        "float32_rowmajor": p["float32"] * (0.93 if w >= 400 else 1.08),
        "int32": p["int32"],
        "uint8": p["uint8"],
        "uint8_gemmlowp": p["uint8"] * 1.12,
        "uint4": p["uint4"],
        "uint4_6": p["uint4"] * 1.04,
        "onednn_s8": p["uint8"] * 0.85,
        "onednn_f32": p["float32"] * 0.95,
        "xnnpack_u8": p["uint8"] * 0.9,
    }
    return derived[kernel]


def base_instructions(kernel: str, shape: Shape) -> float:
    """Deterministic instruction counts per product: per-MAC cost plus fixed overhead."""
    per_mac = {"float32": 0.14, "float32_rowmajor": 0.15, "int32": 0.15, "uint8": 0.08,
               "uint8_gemmlowp": 0.09, "uint4": 0.05, "uint4_6": 0.052, "onednn_s8": 0.07,
               "onednn_f32": 0.13, "xnnpack_u8": 0.075}[kernel]
    h, w, d = shape
    return round(per_mac * h * w * d + 40 * (h + w) + 300)


# The two made-up machines: arch, CPU model, MHz, L1 data cache (bytes, cores sharing it), load
# average, compiler flags, baseline flags and the libraries besides Eigen and Google Benchmark.
MACHINES = {
    "laptop": ("x86_64", "Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", 3000, (49152, 2), [0.2, 0.3, 0.3],
               "-O3 -DNDEBUG -march=x86-64-v2", "-march=native",
               {"onednn": "2.6.3", "gemmlowp": "0.0~git20211220"}),
    "odroid": ("armv7l", "ARMv7 Processor rev 3 (v7l) Cortex-A15", 2000, (32768, 1), [0.1, 0.1, 0.1],
               "-O3 -DNDEBUG -mfpu=neon-vfpv4 -mfloat-abi=hard", "-mcpu=cortex-a15",
               {"gemmlowp": "0.0~git20211220"}),
}


def _machine_fields(host: str) -> Tuple[dict, dict]:
    """Google Benchmark's fields about the machine, and context.qbench's."""
    arch, cpu_model, mhz, (l1_bytes, l1_sharing), load, cxx_flags, baseline_flags, libraries = MACHINES[host]
    gb = {"host_name": host, "executable": "build/harness/qbench", "num_cpus": 8,
          "mhz_per_cpu": mhz, "cpu_scaling_enabled": False,
          "caches": [{"type": "Data", "level": 1, "size": l1_bytes, "num_sharing": l1_sharing}],
          "load_avg": load}
    q = {"arch": arch, "cpu_model": cpu_model, "host": host, "compiler": "GNU 12.2.0", "cxx_flags": cxx_flags,
         "baseline_flags": baseline_flags, "libraries": {"eigen": "3.4.0", "benchmark": "1.7.1", **libraries}}
    return gb, q


def context(machine: str = "laptop", measure: str = "time", **qbench_overrides) -> dict:
    """Google Benchmark's context plus context.qbench for one of two made-up machines."""
    gb, q = _machine_fields("laptop" if machine == "laptop" else "odroid")
    qbench = {"schema_version": 1, "partial": False, "measure": measure,
              "git_commit": "0123456789abcdef0123456789abcdef01234567", "git_dirty": False,
              **q, "config_path": "configs/paper-table.json",
              "config_sha256": "ab" * 32, "config": {"repetitions": 9},
              "weights_mode": "per_call", "build_type": "Release",
              "cpu_isas": ["scalar", "avx2"] if machine == "laptop" else ["scalar", "neon"], "forced_isa": "",
              "effective": {"interleaved": True, "repetitions": 9},
              "timed": "one call packs X (and W) and multiplies R = W X with zero-point corrections",
              "kernels": {}, "skipped": [], "verification": []}
    qbench.update(qbench_overrides)
    return {"date": "2025-01-01T12:00:00+00:00", **gb, "library_build_type": "release", "qbench": qbench}


def _gbench_entry(name: str, shape: Shape, repetitions: int, index: int, real_time: float,
                  time_unit: str, extra: dict) -> dict:
    h, w, d = shape
    entry = {"name": name, "family_index": 0, "per_family_instance_index": 0, "run_name": name,
             "run_type": "iteration", "repetitions": repetitions, "repetition_index": index,
             "threads": 1, "iterations": max(1, int(1e6 / max(real_time, 1e-3))),
             "real_time": real_time, "cpu_time": real_time * 0.995, "time_unit": time_unit}
    entry.update(extra)
    entry.update({"height": float(h), "width": float(w), "depth": float(d)})  # counters are doubles
    return entry


def _aggregates(name: str, repetitions: int, times: Sequence[float], time_unit: str) -> Iterable[dict]:
    mean = statistics.fmean(times)
    stddev = statistics.stdev(times) if len(times) > 1 else 0.0
    for agg, value, unit in (("mean", mean, "time"), ("median", statistics.median(times), "time"),
                             ("stddev", stddev, "time"), ("cv", stddev / mean, "percentage")):
        yield {"name": f"{name}_{agg}", "family_index": 0, "per_family_instance_index": 0,
               "run_name": name, "run_type": "aggregate", "repetitions": repetitions,
               "threads": 1, "aggregate_name": agg, "aggregate_unit": unit, "iterations": repetitions,
               "real_time": value, "cpu_time": value * 0.995, "time_unit": time_unit}


TIME_UNIT_SCALE = {"ns": 1e3, "us": 1.0, "ms": 1e-3, "s": 1e-6}


def build_results(kernels: Sequence[str] = ALL_KERNELS, shapes: Sequence[Shape] = PAPER_SHAPES,
                  repetitions: int = 9, seed: int = 1, machine: str = "laptop", speed: float = 0.2,
                  noise: float = 0.02, measure: str = "time", family: str = "gemm",
                  slowdowns: Optional[Dict[Tuple[str, Shape], float]] = None,
                  errors: Sequence[Tuple[str, Shape]] = (), aggregates: bool = True,
                  time_unit: str = "us", fixed_times: Optional[Dict[Tuple[str, Shape], float]] = None,
                  **qbench_overrides) -> dict:
    """One results document.

    speed: time factor against the paper's ODROID-XU4 (0.2 = five times faster).
    slowdowns: extra factor per (kernel, shape).  fixed_times: exact microseconds
    (every repetition equal) instead of the model, for hand-computable fixtures.
    errors: cells written as errored entries ("error_occurred": true).
    """
    rng = random.Random(seed)
    slowdowns = slowdowns or {}
    doc_kernels = {k: {"implementation": f"{k}_impl", "description": f"{k} kernel",
                       "operand_bits": 4 if k.startswith("uint4") else 8 if "8" in k else 32}
                   for k in kernels}
    qbench_overrides.setdefault("kernels", doc_kernels)
    qbench_overrides.setdefault("verification", [
        {"kernel": k, "shape": "8x100x10", "ok": True, "message": ""} for k in kernels])
    doc = {"context": context(machine, measure, **qbench_overrides), "benchmarks": []}
    iterations, aggregate_entries = [], []
    for kernel in kernels:
        for shape in shapes:
            name = f"{family}/{kernel}/{shape[0]}/{shape[1]}/{shape[2]}"
            if (kernel, shape) in errors:
                iterations.append({"name": name, "family_index": 0, "per_family_instance_index": 0,
                                   "run_name": name, "run_type": "iteration",
                                   "repetitions": repetitions, "repetition_index": 0, "threads": 1,
                                   "iterations": 0, "real_time": 0.0, "cpu_time": 0.0,
                                   "time_unit": time_unit, "error_occurred": True,
                                   "error_message": "verification failed: max abs error 3"})
                continue
            factor = slowdowns.get((kernel, shape), 1.0)
            times = []
            for index in range(repetitions):
                if measure == "instructions":
                    count = base_instructions(kernel, shape) * factor
                    extra = {"instructions": count, "GOPS": 0.0}
                    t = 0.0
                else:
                    if fixed_times is not None:
                        t_us = fixed_times[(kernel, shape)] * factor
                    else:
                        jitter = math.exp(rng.gauss(0.0, noise)) * (1 + abs(rng.gauss(0.0, noise / 2)))
                        t_us = base_time_us(kernel, shape) * speed * factor * jitter
                    t = round(t_us * TIME_UNIT_SCALE[time_unit], 6)
                    extra = {"GOPS": round(2 * shape[0] * shape[1] * shape[2] / (t_us * 1e3), 6)}
                times.append(t)
                iterations.append(_gbench_entry(name, shape, repetitions, index, t, time_unit, extra))
            if aggregates and measure == "time":
                aggregate_entries.extend(_aggregates(name, repetitions, times, time_unit))
    doc["benchmarks"] = iterations + aggregate_entries
    return doc


def render(doc: dict) -> str:
    """JSON text: the context indented, one benchmark entry per line (small, diff-friendly)."""
    context_text = json.dumps(doc["context"], indent=2).replace("\n", "\n  ")
    entries = ",\n    ".join(json.dumps(e) for e in doc["benchmarks"])
    return f'{{\n  "context": {context_text},\n  "benchmarks": [\n    {entries}\n  ]\n}}\n'


def write(doc: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(doc), encoding="utf-8")
    return path


def hand_geomean_doc() -> dict:
    """Two shapes, constant samples in ns: speedups are 2 and 8 (geomean 4) for uint4 vs float32."""
    a, b = (8, 100, 10), (24, 400, 40)
    times = {("float32", a): 8.0, ("float32", b): 32.0,
             ("float32_rowmajor", a): 16.0, ("float32_rowmajor", b): 64.0,
             ("uint8", a): 8.0, ("uint8", b): 8.0,
             ("uint4", a): 4.0, ("uint4", b): 4.0}
    return build_results(kernels=("float32", "float32_rowmajor", "uint8", "uint4"), shapes=(a, b),
                         repetitions=5, time_unit="ns", fixed_times=times, aggregates=False)


def committed_fixtures() -> Dict[str, dict]:
    """Every committed fixture, by file name."""
    missing = build_results(kernels=("float32", "uint8", "uint4", "onednn_s8"), seed=4, aggregates=False,
                            errors=[("uint4", (24, 1600, 100))], partial=True,
                            qnn={"note": "future QNN results; ignored by the table scripts"},
                            skipped=[{"kernel": "xnnpack_u8", "reason": "XNNPACK was not found"}])
    return {
        "laptop-x86.json": build_results(seed=1, machine="laptop", speed=0.2,
                                         skipped=[{"kernel": "xnnpack_u8", "reason": "demo"}]),
        "odroid-armv7.json": build_results(kernels=ARM_KERNELS, seed=2, machine="odroid", speed=1.05),
        "instructions-x86.json": build_results(seed=3, measure="instructions", repetitions=1),
        "missing-kernel.json": missing,
        "geomean-hand.json": hand_geomean_doc(),
    }


def truncated_text() -> str:
    """The hand-computable fixture cut mid-way, as an interrupted writer would leave it."""
    text = render(hand_geomean_doc())
    return text[: len(text) // 2]


def main() -> None:
    for name, doc in committed_fixtures().items():
        (FIXTURES / name).write_text(render(doc), encoding="utf-8")
        print(f"wrote {FIXTURES / name}")
    (FIXTURES / "truncated.json").write_text(truncated_text(), encoding="utf-8")
    print(f"wrote {FIXTURES / 'truncated.json'}")


if __name__ == "__main__":
    main()
