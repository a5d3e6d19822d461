"""The compiled checker against the naive reference interpreter on random small models:
same distinct-state count, same depth, same violated properties with counterexamples of the
same (shortest) length, with and without symmetry reduction."""

from hypothesis import HealthCheck, given, settings

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.result import Verdict

from .randmodels import random_model

LIMIT = 3000


def _compare(m, symmetry):
    ref = explore(m, symmetry=symmetry, max_states=LIMIT)
    if ref.error is not None:
        _compare_error(m, symmetry, ref)
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


def _compare_error(m, symmetry, ref):
    """An evaluation error first met at BFS level ``d``: both stop at that level. Every level
    before it is fully explored by both, so violations shorter than ``d`` rows are the same;
    longer ones depend on the order within a level, but none is longer than ``d + 1``. What is
    not violated is ERROR, never HOLDS."""
    res = check(m, symmetry=symmetry)
    assert res.error is not None, "the reference interpreter met an evaluation error: " + ref.error
    d = ref.depth
    assert res.stats.depth == d
    got = {p.name: len(p.trace) for p in res.properties if p.verdict is Verdict.VIOLATED}
    assert {k: v for k, v in got.items() if v < d} == {k: v for k, v in ref.violated.items() if v < d}
    assert all(v <= d + 1 for v in got.values()), got
    for p in res.properties:
        if p.kind != "leadsto" and p.name not in got:
            assert p.verdict is Verdict.ERROR, (p.name, p.verdict)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_model())
def test_agrees_with_reference(m):
    _compare(m, symmetry=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_model())
def test_agrees_with_reference_under_symmetry(m):
    _compare(m, symmetry=True)
