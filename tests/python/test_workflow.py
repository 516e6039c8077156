"""The CI workflow (.github/workflows/ci.yml) cannot run here: check that what it runs exists.

Every `make TARGET` is a target of the Makefile, every scripts/ or configs/ path is a file, every
`-m lowbit COMMAND` is a command of the CLI; and the jobs the issue asks for are there.
"""

from __future__ import annotations

import argparse
import re

import yaml

from helpers import REPO
from lowbit import cli

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def run_scripts(document: dict) -> list:
    return [step["run"] for job in document["jobs"].values() for step in job["steps"] if "run" in step]


def makefile_targets() -> set:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^([A-Za-z0-9_.-]+):(?!=)", text, re.MULTILINE)}


def lowbit_commands() -> set:
    subparsers = argparse.ArgumentParser().add_subparsers()
    for command in cli.COMMANDS:
        command.add_parser(subparsers)
    return set(subparsers.choices)


def test_every_make_target_exists():
    targets = makefile_targets()
    used = {m.group(1) for script in run_scripts(workflow())
            for m in re.finditer(r"\bmake\s+([A-Za-z0-9_-]+)", script)}
    assert used >= {"test", "test-icount"}
    assert used <= targets, f"not in the Makefile: {used - targets}"


def test_every_file_and_lowbit_command_it_names_exists():
    scripts = "\n".join(run_scripts(workflow()))
    paths = set(re.findall(r"\b(?:scripts|configs)/[\w./-]+", scripts))
    assert [p for p in paths if not (REPO / p).is_file()] == []
    commands = set(re.findall(r"-m lowbit (\w[\w-]*)", scripts))
    assert commands and commands <= lowbit_commands(), commands - lowbit_commands()


def test_jobs_cover_both_architectures_and_pull_request_gates():
    jobs = workflow()["jobs"]
    assert set(jobs["test"]["strategy"]["matrix"]["runner"]) == {"ubuntu-24.04", "ubuntu-24.04-arm"}
    assert any("make test" == s.get("run") for s in jobs["test"]["steps"])
    for name in ("icount", "ab-timing"):
        assert jobs[name]["if"] == "github.event_name == 'pull_request'"
    ab_run = next(s["run"] for s in jobs["ab-timing"]["steps"] if "lowbit ab run" in s.get("run", ""))
    assert "git merge-base" in ab_run
    for name, job in jobs.items():
        assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in job["steps"]), name
