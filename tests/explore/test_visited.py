"""The search's seen-set (``explore.visited``): the exact table, the fingerprint table, the
fingerprint prime and the collision bound, and searches with fingerprints against exact ones
(the same counts and verdicts with a real prime; with a tiny modulus that forces collisions,
the bound says so and every counterexample is still a real trace, never a shorter one)."""

from __future__ import annotations

import math
import random

import pytest

from movspec.explore.compile import compile_model
from movspec.explore.search import Budget, Search
from movspec.explore.visited import (NO_PARENT, PRIMES_63_64, DictStates, ExactStates, FingerprintStates,
                                     collision_bound, fingerprint_prime, is_prime, make_visited,
                                     optimistic_estimate)
from movspec.ir.lower import lower_functions
from movspec.result import Verdict

from .differential import load_gen
from .randmodels import generate


def _states(n: int, bits: int, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return list(dict.fromkeys(rng.getrandbits(bits) for _ in range(n)))


@pytest.mark.parametrize("kind", ["exact", "fingerprints", "dict", "dict then exact"])
@pytest.mark.parametrize("bits", [1, 7, 63, 87, 200])
def test_table_numbers_states_in_order_through_growth(kind, bits):
    states = _states(20_000, bits)
    v = make_visited(bits, fingerprints=kind == "fingerprints", compact=not kind.startswith("dict"))
    assert isinstance(v, DictStates) is kind.startswith("dict")
    parents = []
    for i, t in enumerate(states):
        p = NO_PARENT if i == 0 else random.Random(i).randrange(i)
        parents.append(p)
        assert v.add(t, p)
        assert not v.add(t, 0)  # a duplicate is not added, and keeps its first parent
        if kind == "dict then exact" and i == len(states) // 2:
            v = v.exact()  # what the search does past SPILL states: the rest goes on there
            assert isinstance(v, ExactStates) and len(v) == i + 1
    assert len(v) == len(states)
    assert kind.startswith("dict") or len(states) < 3000 or v._log > 14  # the index grew several times
    for i, t in enumerate(states):
        assert t in v and v.number(t) == i and v.matches(t, i)
    assert list(v.level(0, len(states))) == states
    path = v.path(len(states) - 1)
    assert path[0] == 0 and path[-1] == len(states) - 1
    assert all(parents[b] == a for a, b in zip(path, path[1:]))
    absent = [t for t in _states(2000, bits, seed=2) if t not in set(states)]
    assert all(t not in v for t in absent)


def test_exact_table_keeps_every_bit():
    v = ExactStates(87)
    a = 1 << 86
    b = a | 1
    assert v.add(a, NO_PARENT) and v.add(b, 0)
    assert v.state(0) == a and v.state(1) == b and v.collision_bound() == 0.0


def test_fingerprint_frontier_keeps_only_the_levels_read():
    v = FingerprintStates(100)
    states = _states(10_000, 100)
    for t in states:
        v.add(t, NO_PARENT)
    v.drop_below(6000)
    assert list(v.level(6000, 10_000)) == states[6000:]
    assert len(v._frontier) == 4000 * v.width


def test_is_prime_matches_trial_division_and_known_64_bit_primes():
    small = [n for n in range(2, 5000) if all(n % d for d in range(2, math.isqrt(n) + 1))]
    assert [n for n in range(5000) if is_prime(n)] == small
    assert is_prime(2**64 - 59) and is_prime(2**61 - 1)
    assert not is_prime(2**64 - 1) and not is_prime((2**32 - 5) * (2**32 - 17))
    assert not is_prime(3215031751)  # a strong pseudoprime to the bases 2, 3, 5, 7


def test_fingerprint_prime_is_a_reproducible_prime_in_range():
    p = fingerprint_prime(0)
    assert p == fingerprint_prime(0) and is_prime(p) and 2**63 <= p < 2**64
    others = {fingerprint_prime(s) for s in range(1, 6)}
    assert len(others) == 5 and p not in others and all(is_prime(q) for q in others)


def test_prime_count_is_a_lower_bound():
    # pi(2**64) - pi(2**63), computed exactly (Oliveira e Silva's table of pi(2**k))
    exact = 425_656_284_035_217_743 - 216_289_611_853_439_384
    assert 1.0e17 < PRIMES_63_64 <= exact


def test_collision_bound():
    assert collision_bound(10**9, 63) == 0.0  # such a state is its own fingerprint
    assert collision_bound(1, 200) == 0.0
    n = 12_283_070
    assert collision_bound(n, 87) == pytest.approx(n * (n - 1) / 2 / PRIMES_63_64)
    assert collision_bound(n, 64) == collision_bound(n, 127) / 2 == collision_bound(n, 87)
    assert 4e-4 < collision_bound(n, 87) < 6e-4
    assert collision_bound(10**12, 87) == 1.0
    assert optimistic_estimate(1000, 3000) == pytest.approx(1000 * 2000 / 2**64)


def test_small_states_are_their_own_fingerprint():
    v = FingerprintStates(63)
    states = _states(5000, 63)
    for t in states:
        assert v.add(t, NO_PARENT)
    assert [v.keys[i] for i in range(len(states))] == states and v.collision_bound() == 0.0


def test_forced_collisions_are_reported():
    v = make_visited(40, fingerprints=True, modulus=101)
    added = sum(v.add(t, NO_PARENT) for t in _states(1000, 40))
    assert added <= 101 and v.collision_bound() == 1.0


# ---------------------------------------------------------------------- whole searches


def _models(n: int, seed0: int = 70_000):
    seed = seed0
    out = []
    while len(out) < n:
        models = load_gen(generate(seed))
        seed += 1
        if models:
            out += [lower_functions(m) for m in models.values()]
    return out[:n]


def _search(model, max_states=50_000, **kw):
    comp = compile_model(model, symmetry=False)
    return comp, Search(comp, Budget(max_states=max_states), check_deadlock=not model.allow_deadlock, **kw).run()


def test_fingerprint_search_agrees_with_exact_search():
    for m in _models(60):
        comp, exact = _search(m)
        _, fp = _search(m, fingerprints=True, fingerprint_seed=3)
        assert not exact.stats.fingerprints and fp.stats.fingerprints
        assert fp.stats.distinct == exact.stats.distinct and fp.stats.depth == exact.stats.depth
        assert [(p.name, p.verdict, len(p.trace or ())) for p in fp.properties] == \
               [(p.name, p.verdict, len(p.trace or ())) for p in exact.properties]
        assert fp.stats.collision_bound == collision_bound(fp.stats.distinct, comp.layout.bits)


def test_moving_to_the_compact_table_changes_nothing(monkeypatch):
    """The search keeps its states in a dict up to ``SPILL`` of them, then in the compact
    table: with ``SPILL`` forced small (the move happens at some level of nearly every model),
    the same states, depth, verdicts and counterexamples as without the move."""
    import movspec.explore.search as search_mod

    models = _models(40, seed0=72_000)
    before = [_search(m)[1] for m in models]
    monkeypatch.setattr(search_mod, "SPILL", 3)
    moved = 0
    for m, b in zip(models, before):
        _, a = _search(m)
        moved += a.stats.distinct > 3
        assert (a.stats.distinct, a.stats.depth, a.stats.generated) == (b.stats.distinct, b.stats.depth,
                                                                         b.stats.generated)
        assert [(p.name, p.verdict, p.trace) for p in a.properties] == \
               [(p.name, p.verdict, p.trace) for p in b.properties]
    assert moved > 30


def test_fingerprints_on_the_spec():
    """v4_8 without symmetry: 82-bit states (the compactors' isolate_movable_page() parameters
    and result are locals of their own), hashed to 64-bit fingerprints: the same 51,804 states
    and the collision bound of that many 82-bit states, which JSON reports."""
    from pathlib import Path
    from movspec.load import load
    spec = Path(__file__).resolve().parents[2] / "spec"
    m = lower_functions(load([str(spec)]).models["v4_8"])
    comp, exact = _search(m, max_states=100_000)
    _, fp = _search(m, max_states=100_000, fingerprints=True)
    assert comp.layout.bits > 63 and exact.stats.distinct == fp.stats.distinct == 51_804
    assert [p.verdict for p in fp.properties] == [p.verdict for p in exact.properties]
    bound = collision_bound(fp.stats.distinct, comp.layout.bits)
    assert 0 < bound < 1e-6 and fp.stats.collision_bound == bound
    assert fp.stats.to_json()["fingerprints"] == {"collision_bound": float(f"{bound:.3g}"),
                                                   "optimistic": float(f"{fp.stats.collision_optimistic:.3g}")}
    assert "fingerprints" not in exact.stats.to_json()


def test_collisions_never_give_a_false_or_shorter_counterexample():
    """With a modulus of 7, most states are merged: verdicts may change (the bound says 1),
    but each counterexample is a real trace to a violating state, no shorter than the
    shortest one."""
    violated = 0
    for m in _models(80, seed0=71_000):
        comp, exact = _search(m)
        _, fp = _search(m, fingerprints=True, fingerprint_modulus=7)
        assert fp.stats.distinct <= max(7, exact.stats.distinct)
        if fp.stats.distinct > 1 and comp.layout.bits > 2:
            assert fp.stats.collision_bound == 1.0
        ex = {p.name: p for p in exact.properties}
        for p in fp.properties:
            if p.verdict is not Verdict.VIOLATED or p.trace is None or p.kind == "leadsto":
                continue
            violated += 1
            # a violation found with collisions is a violation: the exact search finds it too
            assert ex[p.name].verdict is Verdict.VIOLATED
            assert len(p.trace) >= len(ex[p.name].trace)
            end = _replay_trace(comp, p.trace)
            if p.kind == "invariant":
                k = [i.name for i in comp.invariants].index(p.name)
                assert not comp.inv_fns[k](comp.dec(end))
    assert violated > 0


def _replay_trace(comp, trace) -> int:
    """Follow the trace's rows with the successor function (each state a successor of the
    one before, by the step the row names); the packed last state."""
    rows = [r for r in trace.steps if r.state is not None]
    cur = next(i for i in comp.init_states if comp.layout.state(comp.dec(i)) == rows[0].state)
    for row in rows[1:]:
        out: list = []
        comp.succ_labeled(cur, comp.dec(cur), out, [], [0] * len(comp.steps))
        cur = next(t for t, sid in out if comp.steps[sid].step.name == row.step
                   and comp.layout.state(comp.dec(t)) == row.state)
    return cur
