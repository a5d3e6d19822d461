"""Pinned distinct-state counts, depths and counterexample lengths of small models.

The DSL fixtures' figures are the ones TLC 2.18 (tla2tools.jar, one worker, with and without
SYMMETRY) reported on the emitted modules; ``test_agrees_with_tlc.py`` re-checks them live
where TLC is available. The hand-built IR models' figures agree with the reference
interpreter (``movspec.explore.reference``).
"""

from __future__ import annotations

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.result import Verdict

from . import models as M
from .conftest import load_fixture

# (fixture, variant, symmetry) -> (distinct, depth, {violated property: trace rows})
PINNED = {
    ("race.mspec", "race", False): (13, 5, {"AllCounted": 5}),
    ("race.mspec", "race", True): (8, 5, {"AllCounted": 5}),
    ("mutex.mspec", "atomic", False): (7, 3, {}),
    ("mutex.mspec", "atomic", True): (3, 3, {}),
    ("mutex.mspec", "split", False): (152, 12, {"Exclusion": 5, "LockHeld": 6}),
    ("mutex.mspec", "split", True): (36, 12, {"Exclusion": 5, "LockHeld": 6}),
    ("deadlock.mspec", "abba", False): (13, 7, {"Deadlock": 3}),
    ("deadlock.mspec", "allowed", False): (13, 7, {}),
}


def _summary(res):
    return (res.stats.distinct, res.stats.depth,
            {p.name: len(p.trace) for p in res.properties if p.verdict is Verdict.VIOLATED})


@pytest.mark.parametrize("key", sorted(PINNED), ids=lambda k: f"{k[1]}-{'sym' if k[2] else 'nosym'}")
def test_pinned_dsl_models(key):
    fixture, variant, symmetry = key
    model = load_fixture(fixture)[variant]
    res = check(model, symmetry=symmetry)
    assert res.complete and res.error is None
    assert _summary(res) == PINNED[key]
    assert res.symmetry is symmetry
    for p in res.properties:
        if p.name not in PINNED[key][2]:
            assert p.verdict is Verdict.HOLDS, p


HAND = {
    "race3": (lambda: M.race(3), 84, 22, 7),
    # 24 permutations and 9 leaves: the two-pass canonicalisation
    "race4": (lambda: M.race(4), 755, 63, 9),
    "mutex3-split": (lambda: M.mutex(3, broken=True), 152, 36, 12),
    "choices": (M.choices, 313, 69, 10),
    "unload-guarded": (M.unload, 4, 4, 4),
    "unload-unguarded": (lambda: M.unload(False), 6, 6, 4),
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_pinned_hand_models(name):
    build, plain, reduced, depth = HAND[name]
    m = build()
    a, b = check(m, symmetry=False), check(m, symmetry=True)
    assert (a.stats.distinct, a.stats.depth) == (plain, depth)
    assert (b.stats.distinct, b.stats.depth) == (reduced, depth)
    assert explore(m).distinct == plain
    assert explore(m, symmetry=True).distinct == reduced


def test_generated_counts_duplicates_and_initial_state():
    res = check(M.race(), symmetry=False)
    # 1 initial state + every successor computed, duplicates included
    assert res.stats.generated == 1 + sum(n for _, n in res.coverage)
    assert res.stats.generated > res.stats.distinct
