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
        rows.append({"network": network, "dataset": "fashion-mnist", "protocol": "test",
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


def with_peak(document: dict) -> dict:
    """The document with context.qbench.peak (the core's peak rates the report's roofline reads) and
    the ARMv7 paths our kernels ran (a share of peak needs the path's instruction)."""
    document["context"]["qbench"]["peak"] = {
        "repetitions": 9, "clock": {"hz": 2.0e9},
        "instructions": {"mla_f32_q": {"isa": "neon", "instruction": "vmla.f32 q, q, q",
                                       "multiply_adds_per_second": 2.0e9},
                         "mlal_u8": {"isa": "neon", "instruction": "vmlal.u8 q, d, d",
                                     "multiply_adds_per_second": 4.0e9}}}
    document["context"]["qbench"]["kernels"] = {
        "uint8": {"implementation": "u8_gemm_4x12c2__neon"}, "uint4": {"implementation": "u4_gemm_4x16c2__neon"},
        "uint4_6": {"implementation": "u4_6_gemm_4x16c2__neon"}}
    return document


QNN_VARIANTS = ("float", "q8", "q4", "q4_6")


def distortion_model(accuracy: float, by_sigma: tuple, error_free_zone: float, rho: float) -> dict:
    """One model's figures in distortion.json: accuracy, accuracy per sigma_grid step, zone, Spearman rho."""
    return {"accuracy_pct": accuracy, "accuracy_by_sigma_pct": list(by_sigma),
            "error_free_zone_pct": error_free_zone, "spearman_rho": rho}


def run_directory(arch: str, times: tuple, icounts: dict, qnn: tuple, fxp: tuple, distortion: tuple) -> dict:
    """The files of a complete run on `arch`. times: per multiply-add, in GEMM_KERNELS order; icounts:
    {arch: per-MAC counts in GEMM_KERNELS order}; qnn: ((synthetic, hard) accuracy per QNN_VARIANTS,
    total microseconds per QNN_VARIANTS); fxp: fxp_rows' arguments; distortion: distortion_model's
    arguments for the baseline and the distortion-trained model."""
    accuracy, total_us = qnn
    files = {"paper-table.json": gemm_document(arch, dict(zip(GEMM_KERNELS, times)))}
    for icount_arch, counts in icounts.items():
        counts_by_kernel = dict(zip(GEMM_KERNELS, counts))
        files[f"icount-{icount_arch}.json"] = gemm_document(icount_arch, counts_by_kernel, "instructions")
    accuracy_by_variant = {variant: {"synthetic": synthetic, "hard": hard}
                           for variant, (synthetic, hard) in zip(QNN_VARIANTS, accuracy)}
    files["qnn.json"] = qnn_document(arch, accuracy_by_variant, dict(zip(QNN_VARIANTS, total_us)))
    files["fxp.json"] = fxp_rows(*fxp)
    files["distortion.json"] = distortion_rows(*(distortion_model(*figures) for figures in distortion))
    return files


def scenario_reproduces() -> dict:
    files = run_directory(
        "armv7", (0.0032, 0.0030, 0.0015, 0.0010, 0.00095), {"armv7": (3.0, 3.5, 1.6, 1.0, 0.9)},
        (((99.8, 95.6), (99.7, 95.4), (99.2, 95.0), (99.5, 95.2)), (1220.0, 740.0, 630.0, 650.0)),
        fxp=((0.9, 52.6, 70.2), (0.95, 57.0, 85.2)),
        distortion=((98.0, (99.0, 98.5, 97.0, 95.0), 2.0, -0.30),
                    (98.1, (99.1, 98.6, 97.0, 95.1), 35.0, -0.85)))
    with_peak(files["paper-table.json"])
    return files


def scenario_misses() -> dict:
    icounts = {"armv7": (3.0, 3.5, 1.1, 1.0, 0.9), "aarch64": (3.0, 3.5, 1.9, 1.1, 1.0)}
    return run_directory(
        "x86_64", (0.0010, 0.0011, 0.00040, 0.00042, 0.00038), icounts,
        (((100.0, 98.7), (100.0, 98.6), (98.5, 96.7), (100.0, 95.0)), (1000.0, 900.0, 950.0, 800.0)),
        fxp=((1.5, 40.0, 60.0), (0.9, 51.2, 76.7)),
        distortion=((98.0, (99.0, 98.5, 97.0, 95.0), 3.0, -0.70),
                    (97.0, (98.0, 97.5, 96.0, 94.0), 10.0, -0.75)))


def scenario_missing() -> dict:
    """Every way a file can fail; icount and distortion.json are absent altogether."""
    truncated = json.dumps(gemm_document("x86_64", {"float32": 0.001, "uint4": 0.0004}), indent=1)
    return {
        "paper-table.json": truncated[: len(truncated) // 2],
        "qnn.json": {"context": {"qbench": {"schema_version": 1, "arch": "x86_64",
                                            "qnn": {"accuracy_pct": {"float": {"synthetic": 100.0}}}}},
                     "benchmarks": []},
        "fxp.json": {"rows": [{"network": "sequential", "dataset": "fashion-mnist", "protocol": "test",
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
