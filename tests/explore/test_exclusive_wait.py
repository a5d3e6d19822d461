"""Exclusive waiters (``prepare_to_wait_exclusive``, ``wait_event_exclusive``): ``wake_up``
wakes every non-exclusive sleeper and the first exclusive one in queue order, ``wake_up_all``
every sleeper; examples/exclusive_wait.mspec's lost wakeup and its fix; misuse as located
diagnostics; the reference interpreter and TLC agreeing state for state (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load, load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "exclusive_wait.mspec"

# `a` queues first, then `b` (both exclusive), `c` not exclusive; one wakeup once all three
# sleep: it wakes `c` and `a`, the first exclusive entry, and `b` sleeps on
ORDER = """model order
var wq: waitqueue
actor a { step q { prepare_to_wait_exclusive(wq)  schedule() } }
actor b { step q { await a in wq  PREPARE(wq)  schedule() } }
actor c { step q { prepare_to_wait(wq)  schedule() } }
actor waker {
    step w { await a in task_sleeping && b in task_sleeping && c in task_sleeping  WAKE(wq) }
}
allow deadlock
invariant Woken: waker at done => WOKEN
"""


def _models(text: str, name: str = "m.mspec"):
    res = load_text(text, name)
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def _order(prepare="prepare_to_wait_exclusive", wake="wake_up", woken="true"):
    text = ORDER.replace("PREPARE", prepare).replace("WAKE", wake).replace("WOKEN", woken)
    return next(iter(_models(text).values()))


def _example():
    res = load([str(EXAMPLE)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


WOKEN_ONE = "a notin task_sleeping && b in task_sleeping && c notin task_sleeping && wq == {b}"
WOKEN_ALL = "task_sleeping == {} && wq == {} && task_exclusive == []"
ORDER_CASES = [  # (b's prepare, the wakeup, what holds after it)
    ("prepare_to_wait_exclusive", "wake_up",
     WOKEN_ONE + " && |task_exclusive| == 1 && list_first_entry(task_exclusive) == b"),
    ("prepare_to_wait_exclusive", "wake_up_all", WOKEN_ALL),
    ("prepare_to_wait", "wake_up", "task_sleeping == {} && wq == {} && task_exclusive == []"),
]


@pytest.mark.parametrize("prepare, wake, woken", ORDER_CASES)
def test_wake_up_wakes_the_first_exclusive_waiter_in_queue_order(prepare, wake, woken):
    model = _order(prepare, wake, woken)
    res = check(model, symmetry=False)
    assert res.complete and res.verdict("Woken") is Verdict.HOLDS, res.property("Woken").message
    assert not explore(model).violated.get("Woken")
    # the other exclusive waiter would be a wrong choice: it is not woken
    if wake == "wake_up" and prepare.endswith("exclusive"):
        wrong = _order(prepare, wake, "b notin task_sleeping")
        assert check(wrong, symmetry=False).verdict("Woken") is Verdict.VIOLATED


def test_a_model_without_exclusive_waits_has_no_exclusive_list():
    res = load([str(ROOT / "examples" / "waitqueue.mspec")])
    assert all(m.var("task_exclusive") is None for m in res.models.values())
    # per variant: `herd` replaces the exclusive wait by prepare_to_wait
    assert {n: m.var("task_exclusive") is not None for n, m in _example().items()} == {
        "pass_on": True, "lost_wakeup": True, "herd": False}


def test_the_waiter_that_gives_up_must_pass_the_wakeup_on():
    models = _example()
    for name in ("pass_on", "herd"):
        res = check(models[name], symmetry=True)
        assert res.complete and all(p.verdict is Verdict.HOLDS for p in res.properties), name
    got = {p.name: p for p in check(models["lost_wakeup"], symmetry=False).properties}
    assert got["Deadlock"].verdict is Verdict.VIOLATED and got["Served"].verdict is Verdict.VIOLATED
    assert got["Exclusion"].verdict is Verdict.HOLDS
    steps = [(s.proc, s.step) for s in got["Deadlock"].trace.steps[1:]]
    # the unlock wakes one exclusive waiter, which gives up; the other sleeps on
    unlock = steps.index(("owner", "unlock"))
    gave_up = [p for p, s in steps if s == "give_up"]
    assert len(gave_up) == 1 and steps.index((gave_up[0], "give_up")) > unlock
    last = got["Deadlock"].trace.steps[-1].state
    assert str(last.get("locked")) in ("False", "false") and last.get("task_sleeping")


def test_wait_event_exclusive_sleeps_as_an_exclusive_waiter():
    text = """model we
const Cpus = {C1, C2} symmetric
var ready: 0..2 = 0
var wq: waitqueue
fair actor waiter(self in Cpus) {
    step wait { wait_event_exclusive(wq, ready > 0) }
    step take { if ready > 0 { ready -= 1 } }
}
fair actor waker {
    step one { ready = 1  wake_up(wq) }
    step two { ready = 2  WAKE }
}
invariant Order: forall c in Cpus: c in task_exclusive => c in wq
leadsto Woken: forall c in Cpus: waiter[c] at wait ~> waiter[c] at {take, done}
"""
    m = next(iter(_models(text.replace("WAKE", "wake_up(wq)")).values()))
    assert [s.name for s in m.actor("waiter").steps] == ["wait", "wait.wait_event_exclusive", "take"]
    res = check(m, symmetry=False)
    assert res.complete and all(p.verdict is Verdict.HOLDS for p in res.properties)
    # the second `ready` without its wakeup: the second exclusive sleeper may sleep for good
    m = next(iter(_models(text.replace("WAKE", "skip")).values()))
    got = {p.name: p.verdict for p in check(m, symmetry=False).properties}
    assert got["Woken"] is Verdict.VIOLATED and got["Deadlock"] is Verdict.VIOLATED


def test_reference_interpreter_agrees_on_exclusive_waits():
    models = dict(_example())
    for i, (prepare, wake, woken) in enumerate(ORDER_CASES):
        models[f"order{i}"] = _order(prepare, wake, woken)
    for name, model in models.items():
        ref = explore(model, max_states=20000)
        ours = check(model, symmetry=False)
        assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth), name
        assert {p for p, v in ref.violated.items() if v} == {
            p.name for p in ours.properties if p.verdict is Verdict.VIOLATED and p.name in ref.violated}, name


@pytest.mark.parametrize("body,at,words", [
    ("x = 1  wait_event_exclusive(wq, ready)", "wait_event_exclusive(wq, ready)",
     "must be the only statement of its step"),
    ("prepare_to_wait_exclusive(ready)", "ready", "needs a wait queue"),
    ("prepare_to_wait_exclusive()", "prepare_to_wait_exclusive()", "takes 1 argument, 0 given"),
    ("wait_event_exclusive(wq)", "wait_event_exclusive(wq)", "takes 2 arguments, 1 given"),
    ("x = prepare_to_wait_exclusive(wq)", "x = prepare_to_wait_exclusive(wq)", "returns no value"),
])
def test_misuse_says_where_and_what(body, at, words):
    head = "model m\nvar ready: bool = false\nvar wq: waitqueue\nvar x: 0..3 = 0\n"
    text = head + f"actor a {{\n step s {{ {body} }} }}\n"
    res = load_text(text, "w.mspec")
    col = len(" step s { ") + body.index(at) + 1
    errs = [(d.span.line, d.span.col, d.message, d.hint) for d in res.diagnostics if d.severity.value == "error"]
    assert any(l == 6 and c == col and words in m for l, c, m, h in errs), errs
    assert all(h for *_, h in errs)


def test_a_variable_named_like_the_exclusive_list_is_reported():
    text = ("model m\nvar wq: waitqueue\nvar task_exclusive: bool = false\n"
            "actor a { step s { prepare_to_wait_exclusive(wq) } }\nallow deadlock\n")
    res = load_text(text, "w.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert not res.ok and errs[0].message.startswith("variable `task_exclusive` has the name of a state variable")
    assert (errs[0].span.line, errs[0].span.col) == (3, 5) and errs[0].hint == "rename it"


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True])
def test_exclusive_waits_agree_with_tlc(symmetry):
    for name, model in _example().items():
        assert_backends_agree(model, name, symmetry=symmetry)


@pytest.mark.tlc
@pytest.mark.parametrize("prepare, wake, woken", ORDER_CASES)
def test_queue_order_agrees_with_tlc(prepare, wake, woken):
    ours, tlc = assert_backends_agree(_order(prepare, wake, woken), symmetry=False)
    assert tlc.verdict("Woken") is Verdict.HOLDS
