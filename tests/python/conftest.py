"""Fixtures of the Python tests (helpers live in helpers.py, fixture documents in fixture_builder.py).

The package is found through pytest.ini (`pythonpath = python`); pytest puts this folder on the
import path for helpers and fixture_builder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import fixture_builder
from helpers import FIXTURES


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
