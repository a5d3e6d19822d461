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


def load_one(text: str):
    """The one variant of the model ``text`` (its errors, if any, fail the test)."""
    from movspec.load import load_text
    res = load_text(text, "m.mspec")
    errors = [d.render(res.sources) for d in res.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    return next(iter(res.models.values()))


def complete_verdicts(model, symmetry: bool = False) -> dict:
    """The builtin checker's property results on ``model``, by name (the search must end)."""
    from movspec.explore import check
    res = check(model, symmetry=symmetry)
    assert res.complete and res.error is None
    return {p.name: p for p in res.properties}


@pytest.fixture
def fixture_models():
    return load_fixture
