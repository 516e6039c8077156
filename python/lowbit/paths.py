"""Where the repository's files are, seen from the installed-in-place package (python/lowbit/)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = REPO_ROOT / "results" / "reference"
