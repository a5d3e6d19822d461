"""`call f()` of a function with a result: the caller ignores it, so no state keeps it. The
return stores the result only when the caller reads it (`x = call f()`, whose result step
assigns `x` and resets it): the builtin checker's copy of `f` returning to a plain step does
not store it, and the emitted procedure stores it only when its return label is a result
step. A model that ignores a result has as many states as one whose function has none."""

from __future__ import annotations

import pytest

from movspec.emit import emit
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load_text
from tests.conftest import assert_backends_agree

# two processes, each: call f, then step y, then done. f counts its runs in n, so n is the
# number of processes past f.s, and a state is a pair of positions in {x, f.s, y, Done}:
# 4 * 4 = 16 states, whether or not f returns a value the callers ignore
MODEL = """model m
const Cpus = {C1, C2}
var n: 0..2 = 0
func f()RESULT {
    step s { n = n + 1  returnVALUE }
}
actor a(self in Cpus) {
    step x { call f() }
    step y { skip }
}
"""
WITH_RESULT = MODEL.replace("RESULT", " -> 0..2").replace("VALUE", " n")
NO_RESULT = MODEL.replace("RESULT", "").replace("VALUE", "")

# f's result read by one call and ignored by two others (one of them inside function g)
MIXED = """model mixed
const Cpus = {C1, C2}
var n: 0..4 = 0
func f() -> 0..4 {
    step s { n = n + 1  return n }
}
func g() {
    step t { call f() }
    step u { return }
}
actor a(self in Cpus) {
    local v: 0..4 = 0
    step x { call f() }
    step y { v = call f() }
    step w { call g() }
}
invariant Kept "the result step of y holds the count f returned": forall c in Cpus: a[c] at y.f => a[c].f.result > 0
"""
# the same without the invariant: nothing reads the result step, so `v = call f()` is fused
# (f's return stores v)
FUSED = MIXED.split("invariant Kept")[0]


def _model(text: str):
    res = load_text(text, "m.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


@pytest.mark.parametrize("text", [WITH_RESULT, NO_RESULT], ids=["result", "none"])
def test_an_ignored_result_adds_no_state(text):
    model = _model(text)
    ours = check(model, symmetry=False)
    assert ours.error is None and ours.complete
    assert ours.stats.distinct == 16
    ref = explore(model, max_states=1000)
    assert ref.complete and ref.distinct == 16


def test_a_result_read_by_its_caller_is_stored_and_reset():
    # one process: x, f.s, y, f.s, y.f (the result step: v not yet assigned), w, g.t, f.s,
    # g.u, Done: 10 states, and the result kept only in y.f
    model = _model(MIXED.replace("{C1, C2}", "{C1}"))
    ours = check(model, symmetry=False)
    assert ours.complete and ours.stats.distinct == 10
    assert explore(model, max_states=1000).distinct == 10
    # fused: no y.f, 9 states
    fused = _model(FUSED.replace("{C1, C2}", "{C1}"))
    assert check(fused, symmetry=False).stats.distinct == 9
    assert explore(fused, max_states=1000).distinct == 9


def test_the_procedure_stores_its_result_only_for_a_result_step():
    tla = emit(_model(MIXED)).tla
    assert "f_result[self] := IF Head(stack[self]).pc \\in {\"a_y_f\"} THEN n ELSE 0;" in tla
    # with no caller reading it, the return stores nothing
    assert "f_result[self] :=" not in emit(_model(WITH_RESULT)).tla
    # a fused call: the return stores the caller's local when the step after the call is on
    # top of the stack (PlusCal indexes the process variable v by self)
    tla = emit(_model(FUSED)).tla
    assert "f_result[self] :=" not in tla
    assert 'if (Head(stack[self]).pc = "a_w") {' in tla and "v := n;" in tla


def test_mixed_calls_agree_with_the_reference_interpreter():
    model = _model(MIXED)
    ours = check(model, symmetry=False)
    ref = explore(model, max_states=10000)
    assert ours.complete and ref.complete
    assert (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth)


@pytest.mark.tlc
@pytest.mark.parametrize("text", [WITH_RESULT, NO_RESULT, MIXED, FUSED], ids=["result", "none", "mixed", "fused"])
def test_ignored_results_agree_with_tlc(text):
    ours, tlc = assert_backends_agree(_model(text), symmetry=False)
    assert tlc.stats.distinct == ours.stats.distinct

