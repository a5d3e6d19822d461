"""Replays of the shrunk cases the differential tests found (tests/fixtures/explore/differential/,
each file says what it shows and how it was found): on every variant, with and without
symmetry, the builtin checker must agree with the reference interpreter. A case whose bug
is not fixed yet is a strict xfail naming it, so fixing the bug makes its test fail until
the mark (and the matching ``pending`` entry of test_oracle.py) is removed."""

from __future__ import annotations

import pytest

from movspec.load import load

from .differential import FIXTURES, ref_disagreements

# fixture name -> the bug it shows, while that bug is open (its test is then a strict xfail)
PENDING: dict[str, str] = {}


def _cases():
    out = []
    for path in sorted(FIXTURES.glob("*.mspec")):
        marks = [pytest.mark.xfail(strict=True, reason=PENDING[path.stem])] if path.stem in PENDING else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


@pytest.mark.parametrize("path", _cases())
def test_fixture_agrees_with_reference(path):
    res = load([str(path)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    diffs = []
    for name, model in res.models.items():
        for sym in (False, True):
            diffs += [f"{name} symmetry={sym}: {d}" for d in ref_disagreements(model, sym)]
    assert not diffs, "\n".join(diffs)


def test_every_pending_case_has_a_fixture():
    assert set(PENDING) <= {p.stem for p in FIXTURES.glob("*.mspec")}
