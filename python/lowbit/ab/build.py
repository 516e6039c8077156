"""qbench built at one git revision, once per commit and CMake options.

Each commit gets a detached git worktree (ROOT/src/<commit>) and each (commit, extra CMake options)
a Release build folder (ROOT/<commit>[-<options digest>]) holding only the qbench target, so a
second A/B of the same commits rebuilds nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence, Tuple

from lowbit.ab.errors import AbError

SHORT = 12  # characters of a commit in folder names


@dataclasses.dataclass(frozen=True)
class Build:
    revision: str                 # as the user named it ("HEAD", "main", a sha)
    commit: str                   # the full commit id
    cmake_args: Tuple[str, ...]   # extra CMake options of this side
    qbench: Path


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AbError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def repository_root(start: Path) -> Path:
    return Path(git(start, "rev-parse", "--show-toplevel"))


def resolve_commit(repo: Path, revision: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", "--quiet",
                           f"{revision}^{{commit}}"], capture_output=True, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        raise AbError(f"'{revision}' is not a commit of {repo}")
    return done.stdout.strip()


def build_folder_name(commit: str, cmake_args: Sequence[str]) -> str:
    """'<commit>' or '<commit>-<digest of the options>': one folder per distinct build."""
    if not cmake_args:
        return commit[:SHORT]
    digest = hashlib.sha256("\0".join(cmake_args).encode()).hexdigest()[:8]
    return f"{commit[:SHORT]}-{digest}"


def ensure_worktree(repo: Path, root: Path, commit: str) -> Path:
    """A detached worktree of `commit` under root/src (made once)."""
    source = root / "src" / commit[:SHORT]
    if (source / ".git").exists():
        if git(source, "rev-parse", "HEAD") != commit:
            raise AbError(f"{source} is not at {commit}; remove it and run again")
        return source
    source.parent.mkdir(parents=True, exist_ok=True)
    # -f: the path may still be registered from a worktree whose folder was deleted.
    git(repo, "worktree", "add", "-f", "--detach", str(source), commit)
    return source


def run_logged(command: Sequence[str], log: Path) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        done = subprocess.run(list(command), stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise AbError(f"{' '.join(command)} failed (exit {done.returncode}); log {log}:\n{tail}")


def build_qbench(repo: Path, root: Path, revision: str, cmake_args: Sequence[str] = (),
                 jobs: int = 2) -> Build:
    """qbench of `revision` with `cmake_args`, built (incrementally) in its cached folder."""
    commit = resolve_commit(repo, revision)
    source = ensure_worktree(repo, root, commit)
    folder = root / build_folder_name(commit, cmake_args)
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "ab-build.log"
    if not (folder / "CMakeCache.txt").exists():
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        run_logged(["cmake", "-S", str(source), "-B", str(folder), *generator,
                    "-DCMAKE_BUILD_TYPE=Release", "-DLOWBIT_BUILD_TESTS=OFF", *cmake_args], log)
    print(f"ab: building qbench of {revision} ({commit[:SHORT]}) in {folder} (log {log.name})",
          file=sys.stderr, flush=True)
    run_logged(["cmake", "--build", str(folder), "--target", "qbench", "-j", str(jobs)], log)
    return Build(revision, commit, tuple(cmake_args), folder / "harness" / "qbench")
