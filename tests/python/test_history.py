"""`lowbit history`: points ordered by commit time, pooled per commit, one machine only, figures."""

from __future__ import annotations

import csv
import os
import subprocess

import fixture_builder
from helpers import run_main

SHAPES = ((8, 100, 10), (24, 400, 40))
KERNELS = ("float32", "uint8", "uint4")


def make_repo(path):
    """A git repository of two commits whose commit times are known; their ids, oldest first."""
    path.mkdir()
    ids = []
    for day in ("2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00"):
        env = {**os.environ, "GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day,
               "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t"}
        subprocess.run(["git", "init", "-q", str(path)], check=True)
        subprocess.run(["git", "-C", str(path), "commit", "-q", "--allow-empty", "-m", day],
                       check=True, env=env)
        ids.append(subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], check=True,
                                  capture_output=True, text=True).stdout.strip())
    return ids


def write_run(folder, name, commit, date, uint4_us, **overrides):
    times = {(k, s): {"float32": 40.0, "uint8": 20.0, "uint4": uint4_us}[k] for k in KERNELS for s in SHAPES}
    doc = fixture_builder.build_results(kernels=KERNELS, shapes=SHAPES, repetitions=5, aggregates=False,
                                        fixed_times=times, git_commit=commit, **overrides)
    doc["context"]["date"] = date
    fixture_builder.write(doc, folder / name)


def test_history_orders_by_commit_time_and_pools_files_of_a_commit(tmp_path):
    old, new = make_repo(tmp_path / "repo")
    runs = tmp_path / "runs"
    # run dates in the opposite order of the commits: the commit time must win
    write_run(runs, "a.json", new, "2024-01-05T00:00:00+00:00", 8.0)
    write_run(runs, "b.json", new, "2024-01-06T00:00:00+00:00", 8.0)
    write_run(runs, "c.json", old, "2024-03-01T00:00:00+00:00", 10.0)
    write_run(runs, "d.json", "f" * 40, "2024-04-01T00:00:00+00:00", 12.0)  # unknown to git
    done = run_main("history", runs, "--out-dir", tmp_path / "out", "--repo", tmp_path / "repo")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "history.csv").open()))
    uint4 = [r for r in rows if r["kernel"] == "uint4" and r["height"] == "8"]
    assert [r["commit"] for r in uint4] == [old, new, "f" * 40]
    assert [r["time_from"] for r in uint4] == ["commit", "commit", "run date"]
    assert [float(r["ratio_to_float32"]) for r in uint4] == [0.25, 0.2, 0.3]
    assert uint4[1]["files"] == "a.json b.json"
    for stem in ("median_over_commits", "ratio_to_float32_over_commits"):
        for ext in ("png", "svg"):
            assert (tmp_path / "out" / f"{stem}.{ext}").stat().st_size > 1000


def test_the_paper_ratio_is_the_reference_line():
    from lowbit.history.figures import paper_ratio
    from lowbit.reference import load_reference
    from lowbit.results import Shape
    reference = load_reference()
    shape = Shape(8, 100, 10)
    row = reference[shape]
    assert paper_ratio(reference, "uint4", shape) == row["uint4"] / row["float32"]
    assert paper_ratio(reference, "uint4_6", shape) is None
    assert paper_ratio(reference, "float32", shape) is None


def test_files_of_two_machines_are_refused(tmp_path):
    runs = tmp_path / "runs"
    write_run(runs, "a.json", "a" * 40, "2024-01-05T00:00:00+00:00", 8.0)
    write_run(runs, "b.json", "b" * 40, "2024-01-06T00:00:00+00:00", 8.0, cpu_model="Other CPU")
    done = run_main("history", runs, "--out-dir", tmp_path / "out")
    assert done.returncode == 2
    assert "2 machines" in done.stderr
