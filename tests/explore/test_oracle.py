"""The compiled checker against the naive reference interpreter on random small models:
same distinct-state count, same depth, same violated properties with counterexamples of the
same (shortest) length, with and without symmetry reduction."""

from hypothesis import HealthCheck, given, settings

from movspec.explore import check
from movspec.explore.reference import RefError, explore
from movspec.result import Verdict

from .randmodels import random_model

LIMIT = 3000


def _compare(m, symmetry):
    try:
        ref = explore(m, symmetry=symmetry, max_states=LIMIT)
    except RefError:
        # an evaluation error (function applied outside its domain): the checker must say so
        res = check(m, symmetry=symmetry)
        assert res.error is not None
        assert all(p.verdict is Verdict.ERROR for p in res.properties)
        return
    if not ref.complete:
        return
    res = check(m, symmetry=symmetry)
    assert res.complete, res.reason or res.error
    assert res.error is None, res.error
    assert (res.stats.distinct, res.stats.depth) == (ref.distinct, ref.depth)
    got = {p.name: len(p.trace) for p in res.properties if p.verdict is Verdict.VIOLATED}
    assert got == ref.violated
    for p in res.properties:
        assert p.verdict in (Verdict.HOLDS, Verdict.VIOLATED), (p.name, p.verdict)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_model())
def test_agrees_with_reference(m):
    _compare(m, symmetry=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_model())
def test_agrees_with_reference_under_symmetry(m):
    _compare(m, symmetry=True)
