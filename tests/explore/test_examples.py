"""Every model in examples/ meets its `expect` lines on the builtin checker, and (tlc-marked)
on TLC, with the same distinct states, depths and verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.expect import judge
from movspec.explore import check
from movspec.load import load
from tests.conftest import assert_backends_agree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.mspec"))


def _models(path):
    res = load([str(path)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_meets_its_expectations(path):
    models = _models(path)
    assert any(m.expectations for m in models.values()), f"{path.name} states no expectation"
    for name, model in models.items():
        res = check(model)
        assert res.complete and res.error is None, (name, res.error)
        bad = [(j.prop.name, j.expected, j.outcome.value) for j in judge(res, model) if not j.ok]
        assert not bad, (name, bad)


@pytest.mark.tlc
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_agrees_with_tlc(path):
    for name, model in _models(path).items():
        assert_backends_agree(model, f"{path.stem}/{name}", symmetry=True, traces=False)
