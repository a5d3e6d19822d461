"""The builtin checker against the naive reference interpreter on random models
(``randmodels``, seeded): per property the same verdict (leadsto included), the same
shortest-counterexample length, the same distinct-state count and depth without symmetry
(with symmetry: the same verdicts and the reference's orbit count, at most the full count),
and evaluation errors reported by both with the same properties found violated before them.

Every disagreement fails the test with the seed that produced it: shrink it with
``differential.shrink`` and keep it under tests/fixtures/explore/differential/ (replayed by
test_differential_fixtures.py, a strict xfail until fixed).
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from movspec.explore.reference import explore

from .differential import REF_LIMIT, load_gen, ref_disagreements
from .randmodels import generate

MODELS = 2000  # variant models to check, at least
SEED0 = 10_000


def run_models(n_models: int, seed0: int):
    stats = Counter()
    new: list[str] = []
    seed = seed0
    while stats["models"] < n_models:
        g = generate(seed)
        models = load_gen(g)
        if models is None:
            stats["rejected"] += 1
        else:
            stats["sources"] += 1
            for vname, m in models.items():
                stats["models"] += 1
                ref = explore(m, symmetry=False, max_states=REF_LIMIT)
                stats["ref_error" if ref.error else "ref_complete" if ref.complete else "too_big"] += 1
                settings = [False] + ([True] if any(c.symmetric for c in m.consts) else [])
                for sym in settings:
                    stats["checks"] += 1
                    for msg in ref_disagreements(m, sym, ref):
                        new.append(f"seed {seed} variant {vname} symmetry={sym}: {msg}")
        seed += 1
    return stats, new


@pytest.mark.slow
def test_builtin_agrees_with_reference():
    t0 = time.perf_counter()
    stats, new = run_models(MODELS, SEED0)
    seconds = time.perf_counter() - t0
    print(f"\ndifferential (builtin vs reference): {dict(stats)}, {seconds:.1f}s, "
          f"{len(new)} disagreements")
    assert stats["models"] >= MODELS
    # the generator makes well-typed models: the front end accepts (almost) all of them
    assert stats["rejected"] <= stats["sources"] // 100, stats
    # most models are small enough for the reference to decide
    assert stats["ref_complete"] + stats["ref_error"] >= 0.95 * stats["models"], stats
    assert not new, "\n".join(new[:20])
