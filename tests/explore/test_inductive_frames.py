"""Inductive invariants of models with functions: checked together with the frame conditions
of the inlined functions (``ir.Frame``, ``inductive.frame_conditions``). A function's
parameter, local or kept result holds its between-calls value wherever the process is
neither running the function (its steps, or those of a function it called) nor at its
result step. The conditions are conjoined to the invariant, so they are checked on every
successor like the rest of it, never assumed: a wrong frame gives a counterexample to
induction. The enumeration is compared with brute force over every type-correct state of
the lowered model, the conditions written out by hand here."""

from __future__ import annotations

from dataclasses import replace

import pytest

from movspec.explore.inductive import check_inductive, inductive_states
from movspec.explore.reference import Env, ev, successors
from movspec.ir import nodes as ir
from movspec.ir.lower import lower_functions
from movspec.load import load_text
from movspec.result import Verdict

from .test_inductive import _all_states, _freeze

# bump() calls inner() in its first step: bump's parameter and local are live while inner
# runs, and bump's kept result at the actor's result step of `ok = call bump(1)`
NEST = """model nest "a function that calls another, from a single actor"
var x: 0..1 = 0
var y: 0..1 = 0
func inner(j: 0..1) { step i1 { y = j } }
func bump(k: 0..1) -> bool {
    local old: 0..1 = 0
    step read { old = y  call inner(k) }
    step write { x = y  return y == 1 }
}
actor w {
    local ok: bool = false
    step go { ok = call bump(1) }
    step fin { goto go }
}
inductive Ind "bump is called with 1 and returns true":
    (w at inner.i1 => w.inner.j == 1) && (w at {bump.read, inner.i1, bump.write} => w.bump.k == 1)
    && (w at bump.write => y == 1) && (w at go.bump => w.bump.result)
// true in every reachable state, not inductive: inner may run with j == 0 as far as it says
inductive Loose "y is 1 when bump writes": w at bump.write => y == 1
"""

RUNNING = ("bump.read", "bump.write", "inner.i1")


def _lowered(text: str = NEST) -> ir.Model:
    res = load_text(text, "m.mspec")
    assert res.ok, [d.message for d in res.diagnostics]
    return lower_functions(next(iter(res.models.values())))


def _by_hand(st) -> bool:
    """The frame conditions of NEST, from the lowering's description."""
    pc, loc = st["pc"].pairs[0][1], {k: dict(v.pairs)["w"] for k, v in st.items() if k.startswith("w.")}
    return ((pc in RUNNING or (loc["w.bump.k"] == 0 and loc["w.bump.old"] == 0))
            and (pc == "go.bump" or loc["w.bump()"] is False)
            and (pc == "inner.i1" or loc["w.inner.j"] == 0))


def test_the_lowering_says_where_each_function_local_is_live():
    frames = {f.local: (set(f.live), f.rest) for f in _lowered().frames}
    assert frames == {"bump.k": (set(RUNNING), ir.IntLit(0)), "bump.old": (set(RUNNING), ir.IntLit(0)),
                      "bump()": ({"go.bump"}, ir.BoolLit(False)),
                      "inner.j": ({"inner.i1"}, ir.IntLit(0))}


def test_enumeration_and_verdicts_agree_with_brute_force():
    m = _lowered()
    type_ok = m.get_property(ir.TYPE_OK).expr
    for name, closed_expected in (("Ind", True), ("Loose", False)):
        inv = m.get_property(name).expr

        def holds(st):
            return bool(ev(type_ok, Env(m, st)) and ev(inv, Env(m, st))) and _by_hand(st)

        good = [st for st in _all_states(m) if holds(st)]
        closed = all(new is None or holds(new) for st in good for *_, new, _f in successors(m, st))
        assert closed is closed_expected, name
        got = inductive_states(m, name)
        assert sorted(map(_freeze, got)) == sorted(map(_freeze, good)), name
        res = check_inductive(m, names=[name])[name]
        assert res.verdict is (Verdict.HOLDS if closed else Verdict.VIOLATED), (name, res.message)
    assert "frame conditions" in check_inductive(m, names=["Ind"])["Ind"].message


def test_the_counterexample_of_loose_is_inner_storing_0():
    res = check_inductive(_lowered(), names=["Loose"])["Loose"]
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.steps[-1].step == "inner.i1" and res.trace.steps[-1].state["y"] == 0


def test_the_frames_shrink_what_is_enumerated():
    m = _lowered()
    framed = len(inductive_states(m, "Ind"))
    bare = len(inductive_states(replace(m, frames=()), "Ind"))
    assert framed * 8 <= bare, (framed, bare)


def test_a_wrong_frame_is_a_counterexample_not_an_assumption():
    """A frame that says bump's parameter is back at 0 while inner runs is false after the
    call: the check reports the step that breaks it."""
    m = _lowered()
    wrong = tuple(replace(f, live=("bump.read", "bump.write")) if f.local == "bump.k" else f for f in m.frames)
    assert len(wrong) == len(m.frames) and wrong != m.frames
    res = check_inductive(replace(m, frames=wrong), names=["Ind"])["Ind"]
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.steps[-1].step == "bump.read" and "w.bump.k" in res.message, res.message


@pytest.mark.slow
def test_on_random_models_with_functions_an_inductive_verdict_is_never_wrong():
    """Random models with functions (``randmodels``): each invariant checked as an inductive
    one, with and without the frames. Where the framed check says it holds, the reachable
    search finds it holding too; where the bare check holds, the framed one does too (the
    frames only take states away)."""
    from movspec.explore import check
    from .differential import load_gen
    from .randmodels import generate

    checked = framed_only = 0
    seed = 20_000
    while checked < 16:
        g = generate(seed, small=True)
        seed += 1
        models = load_gen(g) if g.funcs else None
        for m in (models or {}).values():
            low = lower_functions(m)
            if not low.frames:
                continue
            invs = [p for p in low.properties if isinstance(p, ir.Invariant) and p.name != ir.TYPE_OK][:2]
            if not invs:
                continue
            reach = check(m, symmetry=False)
            for p in invs:
                cand = replace(low, properties=low.properties + (ir.Inductive(f"I_{p.name}", p.expr),))
                framed = check_inductive(cand, max_states=50_000, names=[f"I_{p.name}"])[f"I_{p.name}"]
                bare = check_inductive(replace(cand, frames=()), max_states=50_000,
                                       names=[f"I_{p.name}"])[f"I_{p.name}"]
                if framed.verdict is Verdict.HOLDS:
                    assert reach.verdict(p.name) is Verdict.HOLDS, (seed - 1, p.name, framed.message)
                if bare.verdict is Verdict.HOLDS:
                    assert framed.verdict is Verdict.HOLDS, (seed - 1, p.name, framed.message)
                elif framed.verdict is Verdict.HOLDS:
                    framed_only += 1
                checked += 1
    assert checked >= 16
    print(f"\n{checked} invariants of random models with functions; inductive only with frames: {framed_only}")
