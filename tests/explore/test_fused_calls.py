"""Fused calls (``ir.fusion``): ``x = call f()`` whose result step nothing reads is stored by
the return itself. The result step changes only the caller's local and the kept result, so
fusing it must leave every global behaviour as it was: on random models, the fused and the
unfused model reach the same states of the global variables, give the same verdicts on the
properties that read only globals, and the fused one has no more states. Both checkers make
the same choice: the emitted module stores the local at the return (checked against TLC in
the tlc-marked tests here and in tests/tlc/test_differential_tlc.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from movspec.emit import emit
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.ir import nodes as ir
from movspec.ir.walk import walk
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree
from tests.explore.differential import load_gen
from tests.explore.randmodels import generate


def _model(text: str):
    res = load_text(text, "m.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def _calls(model):
    return [x for a in model.actors for s in a.steps for x in walk(s.body) if isinstance(x, ir.CallFunc)]


def _unfused(model):
    """``model`` with every call keeping its result step."""
    def clear(stmts):
        out = []
        for st in stmts:
            if isinstance(st, ir.CallFunc):
                st = replace(st, fused=False)
            elif isinstance(st, ir.If):
                st = replace(st, then=clear(st.then), orelse=clear(st.orelse))
            elif isinstance(st, ir.Either):
                st = replace(st, branches=tuple(clear(b) for b in st.branches))
            elif isinstance(st, ir.With):
                st = replace(st, body=clear(st.body))
            out.append(st)
        return tuple(out)
    return replace(model, actors=tuple(replace(a, steps=tuple(replace(s, body=clear(s.body)) for s in a.steps))
                                       for a in model.actors))


BASE = """model m
const Cpus = {C1, C2}
var n: 0..4 = 0
func f() -> 0..4 {
    step s { n = n + 1  return n }
}
actor a(self in Cpus) {
    local v: 0..4 = 0
    step y { v = call f() }
    step w { skip }
}
actor b {
    local u: 0..4 = 0
    step z { u = call f() }
    step e { skip }
}
"""


def test_a_call_storing_a_local_is_fused_and_the_result_step_is_gone():
    model = _model(BASE)
    assert [c.fused for c in _calls(model)] == [True, True]
    res = check(model, symmetry=False)
    steps = {s.step for p in res.properties if p.trace for s in p.trace.steps}
    assert not any(s.endswith(".f") for s in steps)
    unfused = check(_unfused(model), symmetry=False)
    # each process skips its result step: a, a, b each lose the states at y.f / z.f
    assert res.stats.distinct < unfused.stats.distinct
    assert explore(model, max_states=1000).distinct == res.stats.distinct


@pytest.mark.parametrize("extra, fused", [
    ("invariant R: forall c in Cpus: a[c] at y.f => n > 0", [False, True]),  # names a's result step
    ("invariant R: forall c in Cpus: a[c].f.result <= n", [False, False]),  # reads f's result
    ("invariant R: n <= 4", [True, True]),  # reads neither
])
def test_reading_the_result_step_keeps_it(extra, fused):
    assert [c.fused for c in _calls(_model(BASE + extra))] == fused


@pytest.mark.parametrize("text", [
    BASE.replace("step w { skip }\n}\nactor b", "}\nactor b"),  # a's call in its last step
    BASE.replace("step y { v = call f() }", "step y { if n < 2 { v = call f() } else { v = call f() } }"),
    BASE.replace("local v: 0..4 = 0", "local v: 0..4 = 0\n    local q: [Cpus -> 0..4] = [c in Cpus |-> 0]")
        .replace("v = call f()", "q[self] = call f()"),  # an element of a local
], ids=["last-step", "two-calls", "element"])
def test_calls_the_return_cannot_tell_apart_keep_their_result_step(text):
    assert [c.fused for c in _calls(_model(text))][0] is False


def test_the_procedure_stores_each_callers_local():
    tla = emit(_model(BASE)).tla
    assert 'if (Head(stack[self]).pc = "a_w") {' in tla and '} else if (Head(stack[self]).pc = "b_e") {' in tla
    assert "v := n;" in tla and "u := n;" in tla


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
def test_fused_calls_agree_with_tlc(symmetry):
    ours, tlc = assert_backends_agree(_model(BASE), symmetry=symmetry)
    assert tlc.stats.distinct == ours.stats.distinct


def _global_states(model, states):
    names = [v.name for v in model.vars]
    return {tuple(repr(s[n]) for n in names) for s in states}


def _global_only(p) -> bool:
    return (isinstance(p, ir.Invariant) and p.name != ir.TYPE_OK
            and not any(isinstance(x, (ir.LocalRef, ir.At)) for x in walk(p.expr)))


def test_fusion_keeps_every_global_behaviour_of_random_models():
    """Random models (tests/explore/randmodels) with a fused call: the naive interpreter
    reaches the same global states with and without fusion; the builtin checker gives the same
    verdicts on the invariants over globals only and on Deadlock, in no more states."""
    seen = fewer = 0
    for seed in range(9000, 10200):
        for vname, model in (load_gen(generate(seed, small=True)) or {}).items():
            if not any(c.fused for c in _calls(model)):
                continue
            plain = _unfused(model)
            a, b = explore(model, max_states=4000), explore(plain, max_states=4000)
            if not (a.complete and b.complete) or a.error or b.error:
                continue
            seen += 1
            assert _global_states(model, a.states) == _global_states(plain, b.states), (seed, vname)
            assert a.distinct <= b.distinct, (seed, vname)  # equal when the call is never reached
            fewer += a.distinct < b.distinct
            fa, fb = check(model, symmetry=False), check(plain, symmetry=False)
            assert fa.stats.distinct == a.distinct and fb.stats.distinct == b.distinct, (seed, vname)
            for p in model.properties:
                if _global_only(p) or p.name == ir.DEADLOCK:
                    assert fa.verdict(p.name) is fb.verdict(p.name), (seed, vname, p.name)
    assert seen >= 20 and fewer >= 12, (seen, fewer)
