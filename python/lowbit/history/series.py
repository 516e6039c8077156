"""The points of a history: per commit (in commit-time order), kernel and shape, the median time.

Every results file names its commit (context.qbench.git_commit); the commit's time comes from git
(the repository given), or, for a commit git does not know, the run's date (context.date). Files of
one commit are pooled: the median is over all their repetitions. All files must come from one
machine (CPU model and architecture), else the points would not be comparable.
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from lowbit import results as qr

SeriesKey = Tuple[str, str, qr.Shape]  # family, kernel, shape


@dataclasses.dataclass
class Commit:
    commit: str
    when: str            # ISO 8601 time the order is by
    when_source: str     # "commit" (git) or "run date" (the commit is unknown to git)
    files: List[str]
    samples: Dict[SeriesKey, List[float]]

    def median(self, key: SeriesKey) -> Optional[float]:
        values = self.samples.get(key)
        return statistics.median(values) if values else None

    def ratio_to_float32(self, key: SeriesKey) -> Optional[float]:
        family, kernel, shape = key
        own, reference = self.median(key), self.median((family, "float32", shape))
        return own / reference if own is not None and reference else None


def commit_time(repo: Path, commit: str) -> Optional[str]:
    done = subprocess.run(["git", "-C", str(repo), "show", "-s", "--format=%cI", commit],
                          capture_output=True, text=True)
    return done.stdout.strip() or None if done.returncode == 0 else None


def load_folder(folder: Path) -> Tuple[List[qr.Results], List[str]]:
    """The timed results files of a folder and why the others were skipped."""
    loaded, skipped = [], []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            results = qr.load_results(path)
        except qr.ResultsError as err:
            skipped.append(str(err))
            continue
        if results.is_instructions:
            skipped.append(f"{path}: instruction counts, not times")
        else:
            loaded.append(results)
    if not loaded:
        raise qr.ResultsError(folder, "no timed results file in this folder"
                                      + ("".join(f"\n  skipped {s}" for s in skipped)))
    return loaded, skipped


def check_one_machine(folder: Path, files: Sequence[qr.Results]) -> None:
    machines = {(r.qbench.get("cpu_model"), r.qbench.get("arch")) for r in files}
    if len(machines) > 1:
        listed = "; ".join(f"{cpu} ({arch})" for cpu, arch in sorted(machines, key=str))
        raise qr.ResultsError(folder, f"results of {len(machines)} machines ({listed}): a history "
                                      "is of one machine; put each machine's files in its own folder")


def commits(folder: Path, repo: Path) -> Tuple[List[Commit], List[str], str]:
    """The commits of the folder's files, oldest first; the files skipped; the machine."""
    files, skipped = load_folder(folder)
    check_one_machine(folder, files)
    by_commit: Dict[str, Commit] = {}
    for results in files:
        sha = str(results.qbench.get("git_commit") or "unknown")
        if sha not in by_commit:
            when = commit_time(repo, sha)
            by_commit[sha] = Commit(sha, when or str(results.context.get("date", "")),
                                    "commit" if when else "run date", [], {})
        point = by_commit[sha]
        point.files.append(results.path.name)
        for key, cell in results.cells.items():
            point.samples.setdefault((key.family, key.kernel, key.shape), []).extend(cell.values)
    ordered = sorted(by_commit.values(), key=lambda c: (moment(c.when), c.commit))
    return ordered, skipped, files[0].machine()


def moment(iso: str) -> datetime.datetime:
    """An ISO 8601 time as an aware datetime (UTC when it has no zone); unreadable ones first."""
    try:
        when = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)
