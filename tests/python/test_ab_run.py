"""`lowbit ab run`: the rounds interleave the two binaries; bad revisions and outputs stop it early.

qbench is replaced by a shell script that logs which side ran and copies a prepared results file.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import fixture_builder
from helpers import run_cli
from lowbit.ab import build, rounds
from lowbit.ab.build import Build

FAKE_QBENCH = """#!/bin/sh
# logs "<side> <round file> $AB_TEST_MARK" and copies the side's prepared results to --out
while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
echo "{side} $(basename "$out") $AB_TEST_MARK" >> {log}
cp {template} "$out"
"""


def fake_build(tmp_path: Path, side: str) -> Build:
    template = tmp_path / f"{side}-template.json"
    fixture_builder.write(fixture_builder.build_results(
        kernels=("float32", "uint4"), shapes=((8, 100, 10),), repetitions=1, aggregates=False),
        template)
    script = tmp_path / f"{side}-qbench"
    script.write_text(FAKE_QBENCH.format(side=side, log=tmp_path / "calls.log", template=template))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return Build(side, side[0] * 40, (), script)


def test_rounds_interleave_both_binaries_with_their_environment(tmp_path):
    builds = {side: fake_build(tmp_path, side) for side in rounds.SIDES}
    documents = rounds.run_rounds(builds, Path("configs/quick.json"), 4, None,
                                  envs={"head": {"AB_TEST_MARK": "slowed"}})
    calls = (tmp_path / "calls.log").read_text().split("\n")[:-1]
    assert calls == ["base round000-base.json ", "head round000-head.json slowed",
                     "head round001-head.json slowed", "base round001-base.json ",
                     "base round002-base.json ", "head round002-head.json slowed",
                     "head round003-head.json slowed", "base round003-base.json "]
    merged = rounds.merge(builds, documents, Path("configs/quick.json"), None,
                          {"head": {"AB_TEST_MARK": "slowed"}})
    assert merged["context"]["qbench"]["ab"]["sides"]["head"]["environment"] == {"AB_TEST_MARK": "slowed"}
    assert len(merged["benchmarks"]) == 2 * 4 * 2


def test_an_unwritable_results_path_fails_before_any_build(tmp_path):
    done = run_cli("ab", "run", "--base", "HEAD", "--out", "/proc/lowbit-ab/x.json",
                   "--build-root", tmp_path / "builds")
    assert done.returncode == 2
    assert "cannot write the results file" in done.stderr
    assert not (tmp_path / "builds").exists()


def test_an_unknown_revision_is_an_error(tmp_path):
    done = run_cli("ab", "run", "--base", "no-such-revision-xyz", "--out", tmp_path / "ab.json",
                   "--build-root", tmp_path / "builds")
    assert done.returncode == 2
    assert "'no-such-revision-xyz' is not a commit" in done.stderr


def test_each_set_of_cmake_options_gets_its_own_build_folder():
    commit = "c" * 40
    plain = build.build_folder_name(commit, ())
    slowed = build.build_folder_name(commit, ("-DLOWBIT_TEST_SLOWDOWN=ON",))
    assert plain == "c" * 12 and slowed.startswith(plain + "-") and slowed != plain
    assert build.build_folder_name(commit, ("-DA=1",)) != build.build_folder_name(commit, ("-DA=2",))
