"""Shared helpers for the report tests: golden files and the hand-built model."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

GOLDEN = Path(__file__).parent.parent / "fixtures" / "report" / "golden"


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with the golden file ``name``; ``MOVSPEC_UPDATE_GOLDEN=1`` rewrites it
    (then review the diff by eye before keeping it)."""
    path = GOLDEN / name
    if os.environ.get("MOVSPEC_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden file {path} missing; run with MOVSPEC_UPDATE_GOLDEN=1 to create it")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


@pytest.fixture
def golden():
    return check_golden
