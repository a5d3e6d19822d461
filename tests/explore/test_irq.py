"""Interrupt context (``irq NAME on ACTOR``, ``local_irq_*``, ``spin_lock*``): the deadlock of
a handler spinning on a lock its task holds, the lost update of a per-CPU counter, and their
fixes (examples/irq_counter.mspec); ``at`` while a handler runs; misuse as diagnostics; the
naive interpreter on all of it, and TLC agreeing state for state (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load, load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "irq_counter.mspec"

# two handlers on a single actor; `at(t, b)` must hold while a handler interrupted t at b
SINGLE = """model single
var in_b: bool = false
var x: 0..2 = 0
var l: spinlock
actor t {
    local fl: bool = false
    step a { in_b = true }
    step b { local_irq_save(fl)  in_b = false  x = (x + 1) % 3 }
    step c { local_irq_restore(fl)  spin_lock(l) }
    step d { spin_unlock(l) }
}
irq h1 on t {
    step one { x = (x + 1) % 3 }
    step two { if x == 2 { goto done }  x = 0 }
}
irq h2 on t { step only { spin_lock(l) } step rel { spin_unlock(l) } }
invariant AtB "the task is at b exactly while in_b is set, handlers or not": (t at b) == in_b
"""

# a fair task and its handler: the interrupt may come again and again at the same step
FAIR = """model fairirq
var x: 0..2 = 0
var l: spinlock
fair actor t {
    local fl: bool = false
    step a { spin_lock_irqsave(l, fl) }
    step b { x = (x + 1) % 3 }
    step c { spin_unlock_irqrestore(l, fl) }
}
irq h on t { step one { spin_lock(l) } step two { x = 0  spin_unlock(l) } }
leadsto Ends "the task finishes": t at a ~> t at done
leadsto Reset "the counter comes back to zero": x == 1 ~> x == 0
"""


def _loaded(text: str):
    res = load_text(text, "m.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def _example():
    res = load([str(EXAMPLE)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def _single():
    res = load_text(SINGLE, "single.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def _verdicts(res):
    return {p.name: p.verdict for p in res.properties}


def test_the_handler_deadlocks_on_its_tasks_lock_and_irqsave_fixes_it():
    models = _example()
    res = check(models["spin_lock"], symmetry=True)
    got = {p.name: p for p in res.properties}
    assert got["Deadlock"].verdict is Verdict.VIOLATED
    steps = [s.step for s in got["Deadlock"].trace.steps[1:]]
    # the task takes the lock (load), the interrupt arrives at store (a step of store's label)
    # and the handler spins at its first step, take
    assert steps[-2:] == ["load", "store"], steps
    assert "store.timer.take" in str(got["Deadlock"].trace.steps[-1].state)
    for name in ("irqsave", "irq_disabled"):
        res = check(models[name], symmetry=True)
        assert res.complete and all(v is Verdict.HOLDS for v in _verdicts(res).values()), name


def test_a_tick_between_load_and_store_is_lost():
    res = check(_example()["unlocked"], symmetry=False)
    got = {p.name: p for p in res.properties}
    assert got["NoLostUpdate"].verdict is Verdict.VIOLATED
    assert got["Deadlock"].verdict is Verdict.HOLDS
    steps = [s.step for s in got["NoLostUpdate"].trace.steps[1:]]
    tick = next(i for i, s in enumerate(steps) if s.endswith(".timer.tick"))
    # the arrival is a step of store's label; the store itself comes after the handler
    assert steps.index("load") < tick < len(steps) - 1 - steps[::-1].index("store"), steps


def test_at_holds_while_a_handler_runs_and_handlers_finish_with_goto_done():
    m = _single()
    names = [s.name for s in m.actor("t").steps]
    assert "b.h1.one" in names and "b.h1.two" in names and "d.h2.only" in names
    res = check(m, symmetry=False)
    assert res.complete and _verdicts(res) == {"TypeOK": Verdict.HOLDS, "AtB": Verdict.HOLDS,
                                               "Deadlock": Verdict.VIOLATED}
    # without `at` covering the handler's steps AtB would fail: the task is interrupted at b
    plain = load_text(SINGLE.replace("(t at b) == in_b", "(t at b) || (t at c) || !in_b"), "s.mspec")
    assert _verdicts(check(next(iter(plain.models.values())), symmetry=False))["AtB"] is Verdict.HOLDS
    # h2 interrupts the holder of l (at d) and spins: the deadlock
    last = {p.name: p for p in res.properties}["Deadlock"].trace.steps[-1].state
    assert "d.h2.only" in str(last), last


def test_interrupts_never_arrive_while_disabled():
    # with interrupts disabled for the whole run, no handler step is ever reached
    text = SINGLE.replace("step a { in_b = true }", "step a { local_irq_disable()  in_b = true }")
    text = text.replace("local_irq_restore(fl)  spin_lock(l)", "spin_lock(l)")
    text += "invariant NoIrq: !(t at a) => t in irqs_disabled\n"
    res = load_text(text, "s.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    got = _verdicts(check(next(iter(res.models.values())), symmetry=False))
    assert got["NoIrq"] is Verdict.HOLDS and got["Deadlock"] is Verdict.HOLDS


def test_reference_interpreter_agrees_on_interrupts():
    models = dict(_example())
    models["single"] = _single()
    for name, model in models.items():
        ref = explore(model, max_states=20000)
        ours = check(model, symmetry=False)
        assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth), name


def test_a_leadsto_beside_a_handler_of_a_fair_actor_is_refused():
    # the arrival is a branch of each of t's steps: t's fairness would force an interrupt to
    # come while t waits, and a leadsto could hold for that reason only
    res = load_text(FAIR, "fair.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert {d.span.line for d in errs} == {11, 12}, [d.message for d in errs]
    assert all("interrupt handler of fair actor `t`" in d.message for d in errs)
    assert all("without `fair`" in d.hint for d in errs)


# the task waits for the handler: with no fairness on the task, no interrupt need come
WAITS = """model waits
var f: bool = false
actor t {
    step a { await f }
    step b { f = false }
}
irq h on t { step set { f = true } }
leadsto Ends "the task finishes": t at a ~> t at done
"""


def test_an_interrupt_may_never_come():
    res = load_text(WAITS, "w.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    got = {p.name: p for p in check(next(iter(res.models.values())), symmetry=False).properties}
    assert got["Ends"].verdict is Verdict.VIOLATED
    assert got["Ends"].trace.loop_start is not None  # it stops waiting at a: no interrupt came


HEAD = "model m\nvar x: 0..3 = 0\nvar l: spinlock\nvar wq: waitqueue\nfunc f() { step s { x = 1 } }\n"


@pytest.mark.parametrize("decls,line,at,words", [
    ("actor a { step s { x = 1 } }\nirq h on b { step t { x = 2 } }", 7, "b", "on actor `b`, which does not exist"),
    ("actor a { step s { x = 1 } }\nirq h on a { step t { schedule() } }", 7, "schedule()", "sleeps"),
    ("actor a { step s { x = 1 } }\nirq h on a { step t { wait_event(wq, x == 1) } }", 7, "wait_event",
     "sleeps"),
    ("actor a { step s { x = 1 } }\nirq h on a { step t { call f() } }", 7, "call f()", "calls `f`"),
    ("actor a { step s { x = 1 } }\nirq h on a { step t { local_irq_enable() } }", 7, "local_irq_enable()",
     "enables interrupts"),
    ("actor a { step s { call f() } }\nirq h on a { step t { x = 2 } }", 6, "call f()",
     "calls function `f`"),
    ("actor a { local fl: bool = false\n step s { local_irq_restore(fl) } }", 7, "local_irq_restore(fl)",
     "restored but never saved"),
    ("actor a { step s { local_irq_save(fl) } }", 6, "fl", "is not a local of `a`"),
    ("actor a { local fl: 0..1 = 0\n step s { local_irq_save(fl) } }", 7, "fl", "needs a `bool` local"),
    ("actor a { step s { spin_lock(x) } }", 6, "x", "needs a spinlock"),
    ("actor a { step s { spin_lock() } }", 6, "spin_lock()", "takes 1 argument, 0 given"),
])
def test_misuse_says_where_and_what(decls, line, at, words):
    text = HEAD + decls + "\n"
    res = load_text(text, "i.mspec")
    lines = text.split("\n")
    col = lines[line - 1].index(at) + 1
    errs = [(d.span.line, d.span.col, d.message, d.hint) for d in res.diagnostics if d.severity.value == "error"]
    assert any(l == line and c == col and words in m for l, c, m, h in errs), errs
    assert all(h for *_, h in errs)


def test_a_variable_cannot_take_the_name_of_the_interrupt_state():
    res = load_text("model m\nvar irqs_disabled: bool = false\nactor a { step s { local_irq_disable() } }\n",
                    "i.mspec")
    assert any("irqs_disabled" in d.message and d.span.line == 2 for d in res.diagnostics)


# A variant drops the only steps that disable interrupts: the base's property over
# irqs_disabled (and one over the RCU readers, which no step ever changes) still reads the
# state, now empty for ever, instead of naming an unknown variable.
DROPPED = """model m "x"
const Cpus = {C1, C2}
var n: [Cpus -> 0..2] = [c in Cpus |-> 0]
actor task(self in Cpus) {
    step a { local_irq_disable() }
    step b { n[self] = 1  local_irq_enable() }
}
irq timer on task { step t { n[self] = 2 } }
invariant OffOnlyAtB: forall c in Cpus: c in irqs_disabled => task[c] at b
invariant SomeOff: irqs_disabled == {} || n[C1] != 2
invariant NoReader: rcu_readers == {}
variant base "b"
variant plain extends base "no irq ops" {
    replace task.a { skip }
    replace task.b { n[self] = 1 }
}
"""


def _dropped():
    res = load_text(DROPPED, "d.mspec")
    assert res.ok, res.diagnostics
    return res.models


def test_a_property_over_the_interrupt_state_survives_a_variant_without_irq_ops():
    models = _dropped()
    base, plain = check(models["base"], symmetry=False), check(models["plain"], symmetry=False)
    assert base.property("OffOnlyAtB").verdict is Verdict.HOLDS
    assert base.property("SomeOff").verdict is Verdict.VIOLATED  # the timer before `a`, then `a`
    assert all(p.verdict is Verdict.HOLDS for p in plain.properties)  # nobody ever has them off
    for m in models.values():
        ref = explore(m)
        ours = check(m, symmetry=False)
        assert (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth)


def test_task_exclusive_without_an_exclusive_wait_is_a_located_error():
    res = load_text("model m\nvar wq: waitqueue\nactor a { step s { wake_up(wq) } }\n"
                    "invariant I: task_exclusive == task_exclusive\n", "x.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert [(d.span.line, d.span.col) for d in errs] == [(4, 14)], errs
    assert "no step of the model waits exclusively" in errs[0].message and errs[0].hint


@pytest.mark.tlc
@pytest.mark.parametrize("variant", ["base", "plain"])
def test_a_dropped_interrupt_state_agrees_with_tlc(variant):
    assert_backends_agree(_dropped()[variant], variant, symmetry=False)


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
@pytest.mark.parametrize("variant", ["unlocked", "spin_lock", "irqsave", "irq_disabled", "single", "waits"])
def test_interrupts_agree_with_tlc(variant, symmetry):
    # waits: a leadsto beside a handler (of an actor without fairness)
    model = {"single": _single, "waits": lambda: _loaded(WAITS)}.get(variant, lambda: _example()[variant])()
    assert_backends_agree(model, variant, symmetry=symmetry)
