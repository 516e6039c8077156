"""`lowbit ab`: the merged A/B results file, its split into two sides and the verdict on it.

The round documents are made by fixture_builder (one repetition each, as `qbench run --repetitions
1` writes them) and merged by the same code `lowbit ab run` uses; the builds are not made here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fixture_builder
from helpers import run_main
from lowbit.ab import rounds, verdict
from lowbit.ab.build import Build

SHAPES = ((8, 100, 10), (24, 400, 40), (8, 1600, 100))
KERNELS = ("float32", "uint8", "uint4")
BASE_COMMIT, HEAD_COMMIT = "a" * 40, "b" * 40


def round_documents(commit: str, count: int, seed: int, slowdown: float = 1.0, **overrides):
    """`count` one-repetition results documents of one side; uint4 slowed by `slowdown`."""
    return [fixture_builder.build_results(
        kernels=KERNELS, shapes=SHAPES, repetitions=1, seed=seed * 1000 + index, aggregates=False,
        slowdowns={("uint4", s): slowdown for s in SHAPES}, git_commit=commit, **overrides)
        for index in range(count)]


def write_ab(tmp_path: Path, head_slowdown: float = 1.0, count: int = 8, **head_overrides) -> Path:
    builds = {"base": Build("main", BASE_COMMIT, (), Path("base/qbench")),
              "head": Build("HEAD", HEAD_COMMIT, ("-DX=1",), Path("head/qbench"))}
    documents = {"base": round_documents(BASE_COMMIT, count, 1),
                 "head": round_documents(HEAD_COMMIT, count, 2, head_slowdown, **head_overrides)}
    merged = rounds.merge(builds, documents, Path("configs/quick.json"), 1)
    path = tmp_path / "ab.json"
    path.write_text(json.dumps(merged), encoding="utf-8")
    return path


def test_merged_file_names_every_entry_by_side_and_round(tmp_path):
    document = json.loads(write_ab(tmp_path, count=6).read_text())
    entries = document["benchmarks"]
    assert len(entries) == 2 * 6 * len(KERNELS) * len(SHAPES)
    assert {e["ab_side"] for e in entries} == {"base", "head"}
    assert all(e["name"].startswith(e["ab_side"] + "/gemm/") for e in entries)
    assert sorted({e["repetition_index"] for e in entries}) == list(range(6))
    sides = document["context"]["qbench"]["ab"]["sides"]
    assert sides["base"]["commit"] == BASE_COMMIT and sides["head"]["cmake_args"] == ["-DX=1"]


def test_split_gives_back_both_sides_as_plain_results(tmp_path):
    base, head, section = verdict.split_sides(write_ab(tmp_path, count=6))
    assert section["rounds"] == 6
    for side, commit in ((base, BASE_COMMIT), (head, HEAD_COMMIT)):
        assert side.qbench["git_commit"] == commit
        assert len(side.cells) == len(KERNELS) * len(SHAPES)
        assert all(len(cell) == 6 for cell in side.cells.values())


def test_a_revision_against_itself_passes(tmp_path):
    done = run_main("ab", "judge", write_ab(tmp_path))
    assert done.returncode == 0, done.stdout
    assert "### lowbit A/B timing: PASS" in done.stdout


def test_a_30_percent_slowdown_fails_and_names_kernel_and_shapes(tmp_path):
    path = write_ab(tmp_path, head_slowdown=1.3)
    done = run_main("ab", "judge", path)
    assert done.returncode == 1, done.stdout
    summary = path.with_suffix(".md").read_text()
    assert "### lowbit A/B timing: REGRESSION" in summary
    assert "**Regressions: 3**" in summary
    for shape in ("8x100x10", "24x400x40", "8x1600x100"):
        assert f"| uint4 | {shape} |" in summary


@pytest.mark.parametrize("field, value", [("compiler", "Clang 16.0.6"),
                                          ("cpu_model", "AMD EPYC 7763 64-Core Processor")])
def test_another_compiler_or_machine_on_one_side_is_inconclusive(tmp_path, field, value):
    done = run_main("ab", "judge", write_ab(tmp_path, head_slowdown=1.3, **{field: value}))
    assert done.returncode == 2, done.stdout
    assert f"{field} differs" in done.stdout


def test_ratio_mode_is_available(tmp_path):
    done = run_main("ab", "judge", write_ab(tmp_path, head_slowdown=1.3), "--mode", "ratio")
    assert done.returncode == 1, done.stdout
    assert "(ratio)" in (tmp_path / "ab.md").read_text()


def test_too_few_rounds_is_inconclusive(tmp_path):
    assert run_main("ab", "judge", write_ab(tmp_path, count=3)).returncode == 2


def test_a_plain_results_file_is_refused(fixtures, tmp_path):
    plain = tmp_path / "plain.json"
    plain.write_text((fixtures / "laptop-x86.json").read_text())
    done = run_main("ab", "judge", plain)
    assert done.returncode == 2 and "not an A/B results file" in done.stderr


def test_rounds_alternate_which_side_runs_first():
    assert [tuple(rounds.round_order(i)) for i in range(3)] == [
        ("base", "head"), ("head", "base"), ("base", "head")]


def test_rates_count_false_positives_and_detections(tmp_path):
    same = write_ab(tmp_path)
    slowed_dir = tmp_path / "slowed"
    slowed_dir.mkdir()
    slowed = write_ab(slowed_dir, head_slowdown=1.3)
    done = run_main("ab", "rates", same, slowed, "--slowed", "uint4", "--thresholds", "0.1,0.5")
    assert done.returncode == 0, done.stderr
    rows = {line.split("|")[1].strip(): line for line in done.stdout.splitlines()[2:]}
    # 6 float32/uint8 cells per file, 3 uint4 cells per file
    assert rows["10%"].endswith("| 0 / 12 = 0.0% | 3 / 6 = 50.0% |")
    assert rows["50%"].endswith("| 0 / 12 = 0.0% | 0 / 6 = 0.0% |")
    assert "| 2 | 1 |" in rows["10%"]


def test_fewest_rounds_is_where_the_u_test_can_first_reject():
    assert verdict.fewest_rounds(0.01) == 5 and verdict.fewest_rounds(0.001) == 7


def test_six_rounds_are_too_few_at_the_default_alpha(tmp_path):
    done = run_main("ab", "judge", write_ab(tmp_path, head_slowdown=1.3, count=6))
    assert done.returncode == 2 and "fewer than 7 repetitions" in done.stdout
