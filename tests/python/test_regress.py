"""lowbit regress: the gate's verdicts and exit statuses."""

import pytest

import fixture_builder
from helpers import FIXTURES, run_cli, run_main, set_samples

SLOW_SHAPES = ((8, 400, 40), (24, 100, 100), (24, 1600, 10))
LAPTOP = FIXTURES / "laptop-x86.json"


def gate(*args):
    """The gate called in-process (the CLI itself is exercised by the *_cli tests)."""
    return run_main("regress", *args)


def test_identical_files_pass_cli():
    done = run_cli("regress", LAPTOP, LAPTOP)
    assert done.returncode == 0, done.stdout
    assert "result: PASS" in done.stdout


def test_a_fresh_run_with_only_noise_passes(make_results):
    new = make_results("new.json", seed=11)
    done = gate(LAPTOP, new)
    assert done.returncode == 0, done.stdout


def test_thirty_percent_slowdown_of_one_kernel_fails_and_is_named(make_results):
    new = make_results("new.json", seed=12, slowdowns={("uint4", s): 1.3 for s in SLOW_SHAPES})
    done = gate(LAPTOP, new)
    assert done.returncode == 1, done.stdout
    regressions = done.stdout.split("REGRESSIONS (3):")[1].split("Improvements")[0]
    for h, w, d in SLOW_SHAPES:
        assert f"uint4   {h}x{w}x{d}" in regressions or f"uint4  {h}x{w}x{d}" in regressions
    assert "uint8 " not in regressions and "+3" in regressions  # +30% give or take the noise
    assert "result: REGRESSION" in done.stdout


def test_improvements_are_reported_but_pass(make_results):
    new = make_results("new.json", seed=13, slowdowns={("uint8", (8, 100, 10)): 0.7})
    done = gate(LAPTOP, new)
    assert done.returncode == 0
    assert "Improvements (1):" in done.stdout and "8x100x10" in done.stdout


def test_a_small_slowdown_under_the_threshold_passes(make_results):
    new = make_results("new.json", seed=14, slowdowns={("uint4", s): 1.05 for s in SLOW_SHAPES})
    assert gate(LAPTOP, new).returncode == 0
    assert gate(LAPTOP, new, "--threshold", "0.02").returncode == 1


def test_a_large_median_shift_that_is_not_significant_passes(make_results):
    """Bimodal timings: the median jumps 100% but Mann-Whitney sees no evidence."""
    name = "gemm/uint4/8/100/10"
    base = make_results("base.json", kernels=("float32", "uint4"),
                        edit=lambda d: set_samples(d, name, [10, 10, 10, 10, 10, 20, 20, 20, 20]))
    new = make_results("new.json", kernels=("float32", "uint4"),
                       edit=lambda d: set_samples(d, name, [10, 10, 10, 10, 20, 20, 20, 20, 20]))
    done = gate(base, new)
    assert done.returncode == 0, done.stdout
    done = gate(base, new, "--alpha", "0.5")
    assert done.returncode == 1


@pytest.mark.parametrize("field,value", [("cpu_model", "AMD EPYC 9654"), ("compiler", "Clang 16.0.6"),
                                         ("cxx_flags", "-O2"), ("arch", "aarch64")])
def test_a_different_machine_or_build_is_inconclusive(make_results, field, value):
    new = make_results("new.json", seed=1, **{field: value})
    done = gate(LAPTOP, new)
    assert done.returncode == 2
    assert f"{field} differs" in done.stdout and "INCONCLUSIVE" in done.stdout


def test_a_missing_context_field_is_inconclusive(make_results):
    new = make_results("new.json", edit=lambda d: d["context"]["qbench"].pop("cpu_model"))
    done = gate(LAPTOP, new)
    assert done.returncode == 2 and "cpu_model is missing in the new file" in done.stdout


def test_different_measures_are_inconclusive():
    done = gate(LAPTOP, FIXTURES / "instructions-x86.json")
    assert done.returncode == 2 and "measure differs" in done.stdout


def test_too_few_repetitions_is_inconclusive_and_named(make_results):
    new = make_results("new.json", seed=2, repetitions=4)
    done = gate(LAPTOP, new)
    assert done.returncode == 2
    assert "fewer than 5 repetitions" in done.stdout and "gemm/uint4/8/100/10 (baseline 9, new 4)" in done.stdout


def test_malformed_or_truncated_input_is_inconclusive_cli(write_text):
    done = run_cli("regress", LAPTOP, FIXTURES / "truncated.json")
    assert done.returncode == 2 and "truncated.json" in done.stderr and "not valid JSON" in done.stderr
    bad = write_text("bad.json", '{"context": {}}')
    done = gate(bad, LAPTOP)
    assert done.returncode == 2 and "missing field 'context.qbench'" in done.stderr


def test_partial_or_errored_new_run_is_inconclusive():
    done = gate(LAPTOP, FIXTURES / "missing-kernel.json")
    assert done.returncode == 2
    assert "partial" in done.stdout and "gemm/uint4/24/1600/100" in done.stdout
    assert "int32 (all 18 shapes)" in done.stdout  # cells no longer measured are listed


def test_ratio_mode_survives_a_uniform_machine_slowdown(make_results):
    slower_machine = make_results("slow.json", seed=21, speed=0.2 * 1.25)
    absolute = gate(LAPTOP, slower_machine)
    assert absolute.returncode == 1  # every kernel looks 25% slower in absolute time
    ratio = gate(LAPTOP, slower_machine, "--mode", "ratio")
    assert ratio.returncode == 0, ratio.stdout
    assert "x float32" not in ratio.stdout.split("REGRESSIONS")[1].split("Improvements")[0]


def test_ratio_mode_still_catches_a_kernel_slowdown(make_results):
    new = make_results("new.json", seed=22, speed=0.2 * 1.25,
                       slowdowns={("uint4", s): 1.3 for s in SLOW_SHAPES})
    done = gate(LAPTOP, new, "--mode", "ratio")
    assert done.returncode == 1
    assert "REGRESSIONS (3):" in done.stdout


def test_instruction_counts_use_the_threshold_alone(make_results):
    base = FIXTURES / "instructions-x86.json"
    assert gate(base, base).returncode == 0
    small = make_results("small.json", measure="instructions", repetitions=1,
                         slowdowns={("uint4", (8, 100, 10)): 1.01})
    assert gate(base, small).returncode == 0  # +1% < 2% default
    large = make_results("large.json", measure="instructions", repetitions=1,
                         slowdowns={("uint4", (8, 100, 10)): 1.05})
    done = gate(base, large)
    assert done.returncode == 1 and "no statistical test" in done.stdout
    assert "+5.0%" in done.stdout and "8x100x10" in done.stdout


def test_a_new_verification_failure_is_a_regression(make_results):
    def fail_uint4(doc):
        doc["context"]["qbench"]["verification"].append(
            {"kernel": "uint4", "shape": "24x1600x100", "ok": False, "message": "max abs error 3"})
    new = make_results("new.json", seed=1, edit=fail_uint4)
    done = gate(LAPTOP, new)
    assert done.returncode == 1 and "verification failed: uint4 24x1600x100" in done.stdout


def test_help_explains_exit_statuses_cli():
    done = run_cli("regress", "--help")
    assert done.returncode == 0 and "2 inconclusive" in done.stdout


def test_fixture_builder_cells_have_nine_repetitions():
    doc = fixture_builder.build_results()
    reps = {e["repetitions"] for e in doc["benchmarks"]}
    assert reps == {9}
