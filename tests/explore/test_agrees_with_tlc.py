"""The builtin checker against a real TLC: the same distinct-state count, depth and
verdicts on every variant of the models in spec/ and on the fixtures, with and without
symmetry reduction. Skipped without a TLC backend (see tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import assert_backends_agree

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.tlc


def _variants(paths):
    from movspec.load import load
    res = load([str(p) for p in paths])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def _cases():
    cases = []
    spec = ROOT / "spec"
    if spec.is_dir() and any(spec.glob("*.mspec")):
        try:
            for name in _variants([spec]):
                cases.append(("spec", name))
        except AssertionError:
            cases.append(("spec", "<does not load>"))
    for f in ("race.mspec", "mutex.mspec", "deadlock.mspec"):
        for name in _variants([FIXTURES / f]):
            cases.append((f, name))
    return cases


@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
@pytest.mark.parametrize("where,variant", _cases())
def test_builtin_equals_tlc(where, variant, symmetry):
    paths = [ROOT / "spec"] if where == "spec" else [FIXTURES / where]
    # both report a shortest counterexample: the same length
    ours, tlc = assert_backends_agree(_variants(paths)[variant], f"{where}/{variant}", symmetry=symmetry,
                                      leadsto=False)
    assert tlc.complete and ours.complete
    assert ours.symmetry == tlc.symmetry
