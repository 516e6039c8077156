"""Helpers for the tests of scripts/: paths, running the CLIs, editing fixture documents.

A module of its own (not conftest) so that test files can import it by a name
no other test directory uses.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCRIPTS = REPO / "scripts"
FIXTURES = REPO / "tests" / "fixtures"
PYTHON = "/usr/bin/python3"

for path in (str(HERE), str(SCRIPTS)):
    if path not in sys.path:
        sys.path.insert(0, path)


def run_script(script: str, *args, cwd=REPO) -> subprocess.CompletedProcess:
    """Run scripts/<script> with the Debian interpreter; return the finished process."""
    return subprocess.run([PYTHON, str(SCRIPTS / script), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def run_main(module, *args) -> subprocess.CompletedProcess:
    """Call module.main(args) in this process, capturing output like run_script (faster)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = module.main([str(a) for a in args])
        except SystemExit as stop:  # argparse and load_or_exit
            status = stop.code if isinstance(stop.code, int) else 1
    return subprocess.CompletedProcess([module.__name__, *args], status, out.getvalue(), err.getvalue())


def set_samples(doc: dict, name: str, values) -> None:
    """Replace the per-repetition real_time of one benchmark (by name) with `values` in us."""
    entries = [e for e in doc["benchmarks"] if e["name"] == name and e["run_type"] == "iteration"]
    assert len(entries) == len(values), (name, len(entries))
    for entry, value in zip(entries, values):
        entry["real_time"] = value
        entry["time_unit"] = "us"


def load_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())
