"""Helpers for the explore tests: load DSL fixtures of tests/fixtures/explore."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "explore"


def load_fixture(name: str):
    from movspec.load import load
    res = load([str(FIXTURES / name)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


@pytest.fixture
def fixture_models():
    return load_fixture
