#!/usr/bin/python3
"""Build the three small run directories of the claims tests under tests/fixtures/claims/.

* ``reproduces``: an ARMv7 host whose numbers meet every tolerance;
* ``misses``: an x86-64 host whose numbers miss most tolerances (and an AArch64 model that holds);
* ``missing``: broken, incomplete or absent files: every claim must come out "not measurable".

The files have the shape of what `make reproduce` writes (qbench's Google Benchmark JSON, the rows
of fxp.json and distortion.json) but only the fields the claims read, and two of the paper's
shapes. The numbers are chosen by hand, so each scenario's verdicts can be worked out on paper.

    /usr/bin/python3 tests/python/claims_fixtures.py   # rewrite tests/fixtures/claims/

The committed files must equal what this writes (a test checks it).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "claims"
SHAPES = ((8, 100, 10), (24, 1600, 100))
REPETITIONS = 3
GEMM_KERNELS = ("float32", "float32_rowmajor", "uint8", "uint4", "uint4_6")


def gemm_document(arch: str, times: dict, measure: str = "time") -> dict:
    """Per-repetition entries of every kernel and shape: times[kernel] per multiply-add, times +-1 %."""
    benchmarks = []
    for kernel, per_mac in times.items():
        for shape in SHAPES:
            macs = shape[0] * shape[1] * shape[2]
            name = "gemm/{}/{}/{}/{}".format(kernel, *shape)
            for rep in range(REPETITIONS):
                value = per_mac * macs * (1.0 + 0.01 * (rep - 1))
                entry = {"name": name, "run_name": name, "run_type": "iteration", "repetition_index": rep,
                         "real_time": 0.0 if measure == "instructions" else value, "time_unit": "us"}
                if measure == "instructions":
                    entry["instructions"] = round(value)
                benchmarks.append(entry)
            benchmarks.append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                               "aggregate_name": "median", "real_time": 1e9, "time_unit": "us"})
    return {"context": {"qbench": {"schema_version": 1, "measure": measure, "arch": arch}},
            "benchmarks": benchmarks}


def qnn_document(arch: str, accuracy: dict, total_us: dict) -> dict:
    benchmarks = []
    for variant, total in total_us.items():
        for rep in range(REPETITIONS):
            for part, value in (("conv", 0.8 * total), ("total", total)):
                name = f"qnn/{variant}/{part}"
                benchmarks.append({"name": name, "run_name": name, "run_type": "iteration",
                                   "repetition_index": rep, "real_time": value * (1.0 + 0.01 * (rep - 1)),
                                   "time_unit": "us"})
    return {"context": {"qbench": {"schema_version": 1, "measure": "time", "arch": arch,
                                   "qnn": {"accuracy_pct": accuracy, "test_set_sizes": {"synthetic": 3600, "hard": 3600}}}},
            "benchmarks": benchmarks}


def fxp_rows(sequential: tuple, branched: tuple) -> dict:
    """(relative drop, memory saving, multiplication saving) of both networks, paper protocol; plus a split row."""
    rows = []
    for network, (drop, memory, mult) in (("sequential", sequential), ("branched", branched)):
        rows.append({"network": network, "dataset": "fashion-mnist", "protocol": "paper",
                     "float_acc_pct": 92.0, "fxp_acc_pct": round(92.0 * (1 - drop / 100), 2),
                     "relative_drop_pct": drop, "memory_saving_pct": memory, "mult_saving_pct": mult})
        rows.append(dict(rows[-1], protocol="split", relative_drop_pct=drop + 5.0))
    return {"rows": rows}


def distortion_rows(baseline: dict, distortion: dict) -> dict:
    """Rows {training, inference} with {"mean", "std"} fields, as the distortion evaluation writes them."""
    rows = []
    for training, values in (("baseline", baseline), ("distortion", distortion)):
        for inference in ("float", "q8", "q4"):
            row = {"training": training, "inference": inference}
            for field, value in values.items():
                if isinstance(value, list):
                    row[field] = {"mean": value, "std": [0.1] * len(value)}
                else:
                    row[field] = {"mean": value, "std": 0.1}
            rows.append(row)
    return {"sigma_grid": [0.0, 1.0, 2.0, 3.0], "rows": rows}


def with_peak(document: dict, peak: dict) -> dict:
    """The document with context.qbench.peak (the core's peak rates the report's roofline reads) and
    the ARMv7 paths our kernels ran (a share of peak needs the path's instruction)."""
    document["context"]["qbench"]["peak"] = peak
    document["context"]["qbench"]["kernels"] = {
        "uint8": {"implementation": "u8_gemm_4x12c2__neon"}, "uint4": {"implementation": "u4_gemm_4x16c2__neon"},
        "uint4_6": {"implementation": "u4_6_gemm_4x16c2__neon"}}
    return document


def scenario_reproduces() -> dict:
    return {
        "paper-table.json": with_peak(
            gemm_document("armv7", {"float32": 0.0032, "float32_rowmajor": 0.0030,
                                    "uint8": 0.0015, "uint4": 0.0010, "uint4_6": 0.00095}),
            {"repetitions": 9, "clock": {"hz": 2.0e9},
             "instructions": {"mla_f32_q": {"isa": "neon", "instruction": "vmla.f32 q, q, q",
                                            "multiply_adds_per_second": 2.0e9},
                              "mlal_u8": {"isa": "neon", "instruction": "vmlal.u8 q, d, d",
                                          "multiply_adds_per_second": 4.0e9}}}),
        "icount-armv7.json": gemm_document("armv7", {"float32": 3.0, "float32_rowmajor": 3.5, "uint8": 1.6,
                                                     "uint4": 1.0, "uint4_6": 0.9}, "instructions"),
        "qnn.json": qnn_document("armv7",
                                 {"float": {"synthetic": 99.8, "hard": 95.6}, "q8": {"synthetic": 99.7, "hard": 95.4},
                                  "q4": {"synthetic": 99.2, "hard": 95.0}, "q4_6": {"synthetic": 99.5, "hard": 95.2}},
                                 {"float": 1220.0, "q8": 740.0, "q4": 630.0, "q4_6": 650.0}),
        "fxp.json": fxp_rows((0.9, 52.6, 70.2), (0.95, 57.0, 85.2)),
        "distortion.json": distortion_rows(
            {"accuracy_pct": 98.0, "accuracy_by_sigma_pct": [99.0, 98.5, 97.0, 95.0],
             "error_free_zone_pct": 2.0, "spearman_rho": -0.30},
            {"accuracy_pct": 98.1, "accuracy_by_sigma_pct": [99.1, 98.6, 97.0, 95.1],
             "error_free_zone_pct": 35.0, "spearman_rho": -0.85}),
    }


def scenario_misses() -> dict:
    return {
        "paper-table.json": gemm_document("x86_64", {"float32": 0.0010, "float32_rowmajor": 0.0011,
                                                     "uint8": 0.00040, "uint4": 0.00042, "uint4_6": 0.00038}),
        "icount-armv7.json": gemm_document("armv7", {"float32": 3.0, "float32_rowmajor": 3.5, "uint8": 1.1,
                                                     "uint4": 1.0, "uint4_6": 0.9}, "instructions"),
        "icount-aarch64.json": gemm_document("aarch64", {"float32": 3.0, "float32_rowmajor": 3.5, "uint8": 1.9,
                                                         "uint4": 1.1, "uint4_6": 1.0}, "instructions"),
        "qnn.json": qnn_document("x86_64",
                                 {"float": {"synthetic": 100.0, "hard": 98.7}, "q8": {"synthetic": 100.0, "hard": 98.6},
                                  "q4": {"synthetic": 98.5, "hard": 96.7}, "q4_6": {"synthetic": 100.0, "hard": 95.0}},
                                 {"float": 1000.0, "q8": 900.0, "q4": 950.0, "q4_6": 800.0}),
        "fxp.json": fxp_rows((1.5, 40.0, 60.0), (0.9, 51.2, 76.7)),
        "distortion.json": distortion_rows(
            {"accuracy_pct": 98.0, "accuracy_by_sigma_pct": [99.0, 98.5, 97.0, 95.0],
             "error_free_zone_pct": 3.0, "spearman_rho": -0.70},
            {"accuracy_pct": 97.0, "accuracy_by_sigma_pct": [98.0, 97.5, 96.0, 94.0],
             "error_free_zone_pct": 10.0, "spearman_rho": -0.75}),
    }


def scenario_missing() -> dict:
    """Every way a file can fail; icount and distortion.json are absent altogether."""
    truncated = json.dumps(gemm_document("x86_64", {"float32": 0.001, "uint4": 0.0004}), indent=1)
    return {
        "paper-table.json": truncated[: len(truncated) // 2],
        "qnn.json": {"context": {"qbench": {"schema_version": 1, "arch": "x86_64",
                                            "qnn": {"accuracy_pct": {"float": {"synthetic": 100.0}}}}},
                     "benchmarks": []},
        "fxp.json": {"rows": [{"network": "sequential", "dataset": "fashion-mnist", "protocol": "paper",
                               "relative_drop_pct": "n/a"},
                              {"network": "branched", "dataset": "fashion-mnist", "protocol": "split",
                               "relative_drop_pct": 0.5}]},
    }


SCENARIOS = {"reproduces": scenario_reproduces, "misses": scenario_misses, "missing": scenario_missing}


def render(content) -> str:
    return content if isinstance(content, str) else json.dumps(content, indent=1) + "\n"


def main() -> None:
    for name, build in SCENARIOS.items():
        directory = ROOT / name
        directory.mkdir(parents=True, exist_ok=True)
        for file_name, content in build().items():
            (directory / file_name).write_text(render(content), encoding="utf-8")
            print(f"wrote {directory / file_name}")


if __name__ == "__main__":
    main()
