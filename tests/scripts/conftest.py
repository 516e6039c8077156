"""Fixtures for the tests of scripts/ (helpers live in script_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from script_helpers import FIXTURES  # noqa: E402  (also puts scripts/ on sys.path)

import fixture_builder  # noqa: E402


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def make_results(tmp_path):
    """Build a results document with fixture_builder.build_results and write it under tmp_path."""

    def make(name: str, edit=None, **kwargs) -> Path:
        doc = fixture_builder.build_results(**kwargs)
        if edit is not None:
            edit(doc)
        return fixture_builder.write(doc, tmp_path / name)

    return make


@pytest.fixture
def write_text(tmp_path):
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
