#!/usr/bin/python3
"""Tests of the deterministic instruction counts (tools/icount/, lowbit.icount).

The driver is cross-built for ARMv7 and run under qemu-arm with the counting plugin; x86 under
callgrind. Everything skips (with the reason) where qemu-user, the cross compiler, valgrind or CMake
is missing. Builds go to $ICOUNT_BUILD_ROOT/icount-<arch> (default build/icount-<arch>), shared with
`lowbit icount` and scripts/icount-gate.sh: the first run builds (about a minute per
architecture), later ones reuse it.

    /usr/bin/python3 -m pytest -q tests/python/test_icount.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from helpers import LOWBIT_ENV, REPO as ROOT, lowbit_command
from lowbit import icount
from lowbit import results as qbench_results

BUILD_ROOT = Path(os.environ.get("ICOUNT_BUILD_ROOT") or ROOT / "build")


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (scripts/install-deps.sh --test)")


def built(arch: str) -> Path:
    build_dir = (BUILD_ROOT / f"icount-{arch}").resolve()
    try:
        icount.build(arch, build_dir, os.cpu_count() or 1)
    except icount.Missing as err:
        pytest.skip(str(err))
    return build_dir


@pytest.fixture(scope="module")
def armv7():
    need("qemu-arm", "arm-linux-gnueabihf-g++", "cmake", "cc")
    build_dir = built("armv7")
    return icount.Runner("armv7", build_dir, "qemu", "cortex-a15", "")


@pytest.fixture(scope="module")
def x86():
    need("valgrind", "g++", "cmake")
    if not Path("/proc/cpuinfo").exists() or " avx2" not in Path("/proc/cpuinfo").read_text():
        pytest.skip("this CPU has no AVX2")
    build_dir = built("x86")
    return icount.Runner("x86", build_dir, "callgrind", "", "avx2")


def count(runner, kernel="uint4", shape="8x100x10", reps=2, extra=()):
    """(exit status, stderr, regions) of one driver run under the runner's counter."""
    status, _, stderr, regions = runner.run(["--kernel", kernel, "--shape", shape, "--reps", str(reps),
                                             *extra])
    return status, stderr, regions


def per_product(regions, reps):
    _, a, b, c = regions
    assert c - b == b - a, f"not steady: {regions}"
    assert (b - a) % reps == 0
    return (b - a) // reps


# --- the plugin and the driver (ARMv7 under qemu) ---------------------------------------------

def test_plugin_counts_the_same_on_two_runs(armv7):
    first = count(armv7)
    second = count(armv7)
    assert first[0] == 0, first[1]
    assert first[2] == second[2]
    assert len(first[2]) == 4 and all(r > 0 for r in first[2])


def test_plugin_total_is_deterministic(armv7):
    """Not only the regions: the whole run (start-up, operand generation, reference) repeats."""
    totals = []
    for _ in range(2):
        with tempfile.TemporaryDirectory(dir=armv7.build_dir) as tmp:
            command = armv7.command(["--kernel", "uint8", "--shape", "8x100x10"], Path(tmp))
            subprocess.run(command, cwd=armv7.build_dir, env=armv7.env, check=True, capture_output=True)
            text = (Path(tmp) / "counts.txt").read_text()
            totals.append([line for line in text.splitlines() if line.startswith("icount total")])
    assert totals[0] == totals[1] and totals[0]


def test_count_follows_the_number_of_products(armv7):
    _, _, two = count(armv7, reps=2)
    _, _, four = count(armv7, reps=4)
    assert four[2] - four[1] == 2 * (two[2] - two[1])  # twice the products, twice the count
    assert per_product(two, 2) == per_product(four, 4)
    assert four[1] == two[1]                            # the one-product call is the same


def test_count_changes_with_the_shape(armv7):
    small = per_product(count(armv7, shape="8x100x10")[2], 2)
    deeper = per_product(count(armv7, shape="8x100x40")[2], 2)
    wider = per_product(count(armv7, shape="8x400x10")[2], 2)
    assert small < deeper and small < wider


def test_count_differs_between_kernels(armv7):
    counts = {k: per_product(count(armv7, kernel=k)[2], 2) for k in ("uint4", "uint8", "float32")}
    assert len(set(counts.values())) == 3, counts


def test_driver_rejects_a_wrong_result_and_counts_nothing(armv7):
    status, stderr, regions = count(armv7, extra=["--corrupt"])
    assert status == 1
    assert "WRONG RESULT" in stderr and "differ from the reference" in stderr
    assert regions == []  # the plugin ran, no region was counted


@pytest.mark.parametrize("args", [["--kernel", "nope", "--shape", "8x100x10"],
                                  ["--kernel", "uint4", "--shape", "8x100"],
                                  ["--kernel", "uint4", "--shape", "8x100x10", "--reps", "0"],
                                  ["--kernel", "uint4"]])
def test_driver_usage_errors_exit_2(armv7, args):
    status, _, stderr, _ = armv7.run(args)
    assert status == 2, stderr
    assert "icount-driver:" in stderr


def test_qnn_passes_are_checked_counted_and_ordered(armv7):
    """One forward pass per variant (icount-driver --qnn, checked against the fixtures first): steady,
    repeatable, and the integer passes execute fewer instructions than the float one."""
    from lowbit.icount.qnn import count_pass

    runner = icount.Runner("armv7", armv7.build_dir, "qemu", "cortex-a15", "")
    runner.region_function = "counted_qnn_region"
    passes = {v: count_pass(runner, v, 2) for v in ("float", "q8", "q4")}
    assert all(p["steady"] and p["info"]["check"] == "ok" for p in passes.values())
    assert count_pass(runner, "q4", 2)["instructions"] == passes["q4"]["instructions"]
    assert passes["q4"]["instructions"] < passes["q8"]["instructions"] < passes["float"]["instructions"]
    assert passes["q4"]["info"]["gemm"].startswith("u4_gemm_")


def test_lenet_passes_are_checked_and_counted(armv7):
    """One LeNet-5 pass per variant (icount-driver --lenet, every fixture image checked first): steady,
    repeatable, on the 4-bit path for q4."""
    from lowbit.icount.qnn import LENET, count_pass

    runner = icount.Runner("armv7", armv7.build_dir, "qemu", "cortex-a15", "")
    runner.region_function = LENET.region
    passes = {v: count_pass(runner, v, 2, LENET) for v in ("float", "q8", "q4")}
    assert all(p["steady"] and p["info"]["check"] == "ok" for p in passes.values())
    assert count_pass(runner, "q8", 2, LENET)["instructions"] == passes["q8"]["instructions"]
    assert passes["q4"]["info"]["gemm"].startswith("u4_gemm_")
    assert passes["q4"]["info"]["macs"] == 416520


@pytest.mark.parametrize("args", [["--qnn", "q5", "--models", str(ROOT / "models")],
                                  ["--qnn", "q4"],
                                  ["--qnn", "q4", "--models", "/nonexistent"],
                                  ["--lenet", "q4_6", "--models", str(ROOT / "models")],
                                  ["--lenet", "q4"],
                                  ["--lenet", "q4", "--models", "/nonexistent"]])
def test_driver_qnn_errors_exit_2(armv7, args):
    status, _, stderr, _ = armv7.run(args)
    assert status == 2, stderr
    assert "icount-driver:" in stderr


def test_plugin_without_markers_counts_the_total_only(armv7):
    with tempfile.TemporaryDirectory(dir=armv7.build_dir) as tmp:
        command = armv7.command(["--list"], Path(tmp))
        subprocess.run(command, cwd=armv7.build_dir, env=armv7.env, check=True, capture_output=True)
        lines = (Path(tmp) / "counts.txt").read_text().splitlines()
    assert lines[0].startswith("icount total ") and int(lines[0].split()[2]) > 0
    assert "icount markers 0" in lines
    assert not [line for line in lines if line.startswith("icount region")]


def test_prepacked_weights_count_less_than_per_call(armv7):
    per_call = per_product(count(armv7, extra=["--weights", "per_call"])[2], 2)
    prepacked = per_product(count(armv7, extra=["--weights", "prepacked"])[2], 2)
    assert prepacked < per_call


# --- lowbit icount end to end -------------------------------------------------------------

@pytest.fixture(scope="module")
def armv7_results(armv7, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("icount")
    config = tmp / "tiny.json"
    config.write_text(json.dumps({"name": "tiny", "kernels": ["uint4", "uint8", "xnnpack_u8"],
                                  "shapes": [[8, 100, 10], [8, 100, 40]], "seed": 1}))
    out = tmp / "tiny-armv7.json"
    command = lowbit_command("icount", "--arch", "armv7", "--config", config, "--out", out,
                             "--build-dir", armv7.build_dir, "--no-build")
    result = subprocess.run(command, env=LOWBIT_ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def test_script_writes_qbench_results(armv7, armv7_results):
    out, progress = armv7_results
    results = qbench_results.load_results(out)
    assert results.is_instructions
    doc = json.loads(out.read_text())
    q = doc["context"]["qbench"]
    assert q["measure"] == "instructions" and q["arch"] == "armv7"
    assert "cortex-a15" in q["cpu_model"] and "qemu" in q["counting_tool"]
    assert q["kernels"]["uint4"]["isa"] == "neon" and q["kernels"]["uint8"]["isa"] == "neon"
    assert [s["kernel"] for s in q["skipped"]] == ["xnnpack_u8"]
    assert all(v["ok"] for v in q["verification"]) and len(q["verification"]) == 4
    names = sorted(b["name"] for b in doc["benchmarks"])
    assert names == ["gemm/uint4/8/100/10", "gemm/uint4/8/100/40", "gemm/uint8/8/100/10",
                     "gemm/uint8/8/100/40"]
    entry = next(b for b in doc["benchmarks"] if b["name"] == "gemm/uint4/8/100/10")
    assert entry["run_type"] == "iteration" and entry["repetitions"] == 1 and entry["real_time"] == 0
    assert entry["time_unit"] == "us"
    assert entry["instructions"] == per_product(count(armv7)[2], 2)  # what the driver counts
    assert "[  4/4]" in progress


def test_regress_accepts_the_same_counts_and_catches_a_change(armv7_results, tmp_path):
    out, _ = armv7_results
    regress = lowbit_command("regress")
    assert subprocess.run([*regress, str(out), str(out)], env=LOWBIT_ENV, capture_output=True).returncode == 0

    doc = json.loads(out.read_text())
    doc["benchmarks"][0]["instructions"] *= 1.05
    worse = tmp_path / "worse.json"
    worse.write_text(json.dumps(doc))
    assert subprocess.run([*regress, str(out), str(worse)], env=LOWBIT_ENV, capture_output=True).returncode == 1

    doc = json.loads(out.read_text())
    doc["context"]["qbench"]["compiler"] = "GNU 13.1.0 (arm-linux-gnueabihf-g++)"
    other = tmp_path / "other-compiler.json"
    other.write_text(json.dumps(doc))
    assert subprocess.run([*regress, str(out), str(other)], env=LOWBIT_ENV, capture_output=True).returncode == 2


def test_script_refuses_to_overwrite(armv7, armv7_results):
    out, _ = armv7_results
    result = subprocess.run(lowbit_command("icount", "--arch", "armv7", "--config", ROOT / "configs" / "quick.json",
                                           "--out", out, "--build-dir", armv7.build_dir, "--no-build"),
                            env=LOWBIT_ENV, capture_output=True, text=True)
    assert result.returncode == 2 and "--overwrite" in result.stderr


# --- x86 under callgrind ----------------------------------------------------------------------

def test_callgrind_counts_the_same_on_two_runs(x86):
    first, second = count(x86, kernel="uint8"), count(x86, kernel="uint8")
    assert first[0] == 0, first[1]
    assert first[2] == second[2]
    assert per_product(first[2], 2) > 0


def test_callgrind_driver_rejects_a_wrong_result(x86):
    status, stderr, regions = count(x86, extra=["--corrupt"])
    assert status == 1 and "WRONG RESULT" in stderr
    assert not regions or all(r == 0 for r in regions)
