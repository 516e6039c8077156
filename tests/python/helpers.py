"""Helpers for the Python tests: paths, running `lowbit` commands, editing fixture documents.

A module of its own (not conftest) so that test files can import its names.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path

from lowbit import cli

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURES = REPO / "tests" / "fixtures"
PYTHON = "/usr/bin/python3"
# The environment of a `python3 -m lowbit` child process: the package found as `make` finds it.
LOWBIT_ENV = {**os.environ, "PYTHONPATH": str(REPO / "python")}


def lowbit_command(*args) -> list:
    """The argv of `python3 -m lowbit ARGS` (run it with env=LOWBIT_ENV)."""
    return [PYTHON, "-m", "lowbit", *map(str, args)]


def run_cli(command: str, *args, cwd=REPO) -> subprocess.CompletedProcess:
    """Run `python3 -m lowbit COMMAND ARGS` with the Debian interpreter; return the finished process."""
    return subprocess.run(lowbit_command(command, *args), cwd=cwd, env=LOWBIT_ENV,
                          capture_output=True, text=True, timeout=300)


def run_main(command: str, *args) -> subprocess.CompletedProcess:
    """The same command through lowbit.cli.main in this process, output captured (faster)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main([command, *map(str, args)])
        except SystemExit as stop:  # argparse
            status = stop.code if isinstance(stop.code, int) else 1
    return subprocess.CompletedProcess([command, *args], status, out.getvalue(), err.getvalue())


def set_samples(doc: dict, name: str, values) -> None:
    """Replace the per-repetition real_time of one benchmark (by name) with `values` in us."""
    entries = [e for e in doc["benchmarks"] if e["name"] == name and e["run_type"] == "iteration"]
    assert len(entries) == len(values), (name, len(entries))
    for entry, value in zip(entries, values):
        entry["real_time"] = value
        entry["time_unit"] = "us"


def load_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())
