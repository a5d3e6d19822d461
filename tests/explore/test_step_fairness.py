"""Fairness of single steps: ``unfair step`` (PlusCal's ``l:-``) and ``fair+ step`` (``l:+``)
inside a fair actor. The builtin checker, the reference interpreter and TLC must agree on the
verdicts; the lassos of either back end must be fair lassos as the reference judges them."""

from __future__ import annotations

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.emit import emit
from movspec.explore import check, reference
from movspec.ir.lower import lower_functions
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree
from tests.traces import lasso_problems

# a test-and-set lock: under weak fairness a CPU may starve at `acquire` (the lock is free
# only now and then); a strongly fair `acquire` alone is enough for progress
SPINLOCK = """
model spinlock
const Cpus = {C1, C2}
enum Owner { nobody }
var lock: Cpus | Owner = nobody
ACTOR actor cpu(self in Cpus) {
    ACQUIRE step acquire { await lock == nobody  lock = self }
    step enter { skip }
    step release { lock = nobody  goto acquire }
}
leadsto Progress: forall c in Cpus: cpu[c] at acquire ~> cpu[c] at enter
"""

# a lost wakeup (the waiter tests, then sleeps, in two steps) that a signal, sent again and
# again while the waiter sleeps, would hide if the checker assumed the signal comes
SIGNAL = """
model signal
enum Sleep { awake, asleep }
var cond: bool = false
var state: Sleep = awake
fair actor waiter {
    step check { if cond { goto done } }
    step set_state { state = asleep }
    step sleep { await state == awake  goto check }
}
fair actor waker {
    step set { cond = true  if state == asleep { state = awake } }
    MARK step signal { await state == asleep  state = awake  goto signal }
}
allow deadlock
leadsto Woken: waiter at {check, set_state, sleep} ~> waiter at done
"""

# the marks of a calling step and of a function's step: the result step of `x = call f()`
# has the calling step's mark, the inlined copies of f's steps their own
FUNC = """
model func
var x: 0..2 = 0
var y: 0..2 = 0
func f() -> 0..2 {
    FMARK step one { y = 1 }
    step two { return 2 }
}
fair actor a {
    SMARK step s { x = call f() }
    step t { skip }
}
allow deadlock
leadsto Ends: true ~> a at done
"""

# a non-atomic `__set_bit`: its store step `s.__set_bit` has the mark of `s`
BITS = """
model bits
enum Bit { B1, B2 }
var w: set of Bit = {}
fair actor a {
    MARK step s { __set_bit(B1, w) }
    step t { skip }
}
allow deadlock
leadsto Stored: true ~> B1 in w
"""


def _model(text: str, **subst):
    for k, v in subst.items():
        text = text.replace(k, v)
    res = load_text(text, "fair.mspec")
    assert res.ok, [d.render() for d in res.diagnostics]
    return next(iter(res.models.values()))


def _verdict(model, name: str) -> Verdict:
    return check(model).verdict(name)


def _reference(model, name: str) -> bool:
    """Whether the reference interpreter finds ``name`` violated."""
    return reference.explore(model).leadsto[name]


CASES = [  # (text, substitutions, property, verdict)
    (SPINLOCK, {"ACTOR": "fair", "ACQUIRE": ""}, "Progress", Verdict.VIOLATED),
    (SPINLOCK, {"ACTOR": "fair", "ACQUIRE": "fair+"}, "Progress", Verdict.HOLDS),
    (SPINLOCK, {"ACTOR": "fair+", "ACQUIRE": ""}, "Progress", Verdict.HOLDS),
    (SPINLOCK, {"ACTOR": "fair+", "ACQUIRE": "unfair"}, "Progress", Verdict.VIOLATED),
    (SIGNAL, {"MARK": ""}, "Woken", Verdict.HOLDS),
    (SIGNAL, {"MARK": "unfair"}, "Woken", Verdict.VIOLATED),
    (FUNC, {"FMARK": "", "SMARK": ""}, "Ends", Verdict.HOLDS),
    (FUNC, {"FMARK": "unfair", "SMARK": ""}, "Ends", Verdict.VIOLATED),
    (FUNC, {"FMARK": "", "SMARK": "unfair"}, "Ends", Verdict.VIOLATED),
    (BITS, {"MARK": ""}, "Stored", Verdict.HOLDS),
    (BITS, {"MARK": "unfair"}, "Stored", Verdict.VIOLATED),
]
IDS = [f"{t.split()[1]}-{'-'.join(v or '_' for v in s.values())}" for t, s, _, _ in CASES]


@pytest.mark.parametrize("text, subst, prop, verdict", CASES, ids=IDS)
def test_step_fairness_decides_the_verdict(text, subst, prop, verdict):
    model = _model(text, **subst)
    res = check(model).property(prop)
    assert res.verdict is verdict, res.message
    assert _reference(model, prop) is (verdict is Verdict.VIOLATED)
    if verdict is Verdict.VIOLATED:
        p = next(x for x in model.properties if x.name == prop)
        assert lasso_problems(model, p, check(model)) == []


def test_the_unfair_lasso_is_not_fair_to_a_fair_step():
    # the lasso of the unfair spin-lock: C1 waits at `acquire` forever while C2 goes round;
    # judged with `acquire` strongly fair again, it is not fair to C1
    unfair = _model(SPINLOCK, ACTOR="fair+", ACQUIRE="unfair")
    fair = _model(SPINLOCK, ACTOR="fair+", ACQUIRE="")
    res = check(unfair)
    prop = next(x for x in unfair.properties if x.name == "Progress")
    assert lasso_problems(unfair, prop, res) == []
    problems = lasso_problems(fair, prop, res)
    assert problems and all("not fair to cpu" in p for p in problems)


def test_generated_steps_carry_their_steps_mark():
    bits = lower_functions(_model(BITS, MARK="unfair"))
    assert {s.name: s.fairness for s in bits.actors[0].steps} == {
        "s": "unfair", "s.__set_bit": "unfair", "t": None}
    func = lower_functions(_model(FUNC, FMARK="fair+", SMARK="unfair"))
    marks = {s.name: s.fairness for s in func.actors[0].steps}
    assert marks == {"s": "unfair", "t": None, "s.f": "unfair", "f.one": "strong", "f.two": None}
    a = func.actors[0]
    assert [a.step_fairness(a.step(n)) for n in ("s", "s.f", "f.one", "f.two", "t")] == [
        None, None, "strong", "weak", "weak"]


def test_marks_are_emitted_as_label_modifiers():
    tla = emit(_model(FUNC, FMARK="fair+", SMARK="unfair")).tla
    assert "f_one:+" in tla and "f_two:  " in tla and "a_s:-" in tla and "a_t:  " in tla
    assert "a_s_f:-" in tla  # the result step of `x = call f()` in `s`
    tla = emit(_model(BITS, MARK="unfair")).tla
    assert "a_s:-" in tla and "a_s___set_bit:-" in tla


def test_marks_print_and_parse_back():
    text = SPINLOCK.replace("ACTOR", "fair").replace("ACQUIRE", "fair+") + """
variant base
variant v extends base {
    insert after cpu.enter unfair step think { skip }
    replace cpu.acquire { await lock == nobody  lock = self }
}
"""
    f, diags = parse(text, "fair.mspec")
    assert diags == []
    printed = print_file(f)
    assert "fair+ step acquire {" in printed and "insert after cpu.enter unfair step think {" in printed
    again, diags = parse(printed, "fair.mspec")
    assert diags == [] and again.decls == f.decls
    res = load_text(text, "fair.mspec")
    assert res.ok, [d.render() for d in res.diagnostics]
    v = res.models["v"].actors[0]
    # a replaced step keeps its mark; an inserted one has its own
    assert [(s.name, s.fairness) for s in v.steps] == [
        ("acquire", "strong"), ("enter", None), ("think", "unfair"), ("release", None)]


@pytest.mark.parametrize("actor, mark, what", [
    ("", "unfair", "is marked `unfair`, but actor `cpu` is not fair"),
    ("", "fair+", "is marked `fair+`, but actor `cpu` is not fair"),
    ("fair+", "fair+", "is marked `fair+`, but actor `cpu` is `fair+` already"),
])
def test_a_mark_needs_a_fair_actor(actor, mark, what):
    res = load_text(SPINLOCK.replace("ACTOR", actor).replace("ACQUIRE", mark), "fair.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and what in errs[0].message, [d.render() for d in res.diagnostics]
    assert (errs[0].span.file, errs[0].span.line, errs[0].span.col) == ("fair.mspec", 7, 5)
    assert errs[0].hint and "drop" in errs[0].hint


@pytest.mark.tlc
@pytest.mark.parametrize("text, subst, prop, verdict", CASES, ids=IDS)
def test_step_fairness_agrees_with_tlc(text, subst, prop, verdict):
    model = _model(text, **subst)
    ours, tlc = assert_backends_agree(model, symmetry=False)
    assert tlc.verdict(prop) is verdict
    if verdict is Verdict.VIOLATED:
        p = next(x for x in model.properties if x.name == prop)
        assert lasso_problems(model, p, tlc) == []
        assert lasso_problems(model, p, ours) == []
