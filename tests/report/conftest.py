"""Shared helpers for the report tests: golden files and the hand-built model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import check_golden as shared_check_golden

GOLDEN = Path(__file__).parent.parent / "fixtures" / "report" / "golden"


def check_golden(name: str, text: str) -> None:
    """The golden file ``name`` of tests/fixtures/report/golden (``tests.conftest``)."""
    shared_check_golden(GOLDEN / name, text)


@pytest.fixture
def golden():
    return check_golden
