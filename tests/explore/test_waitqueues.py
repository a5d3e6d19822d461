"""Wait queues and sleeping tasks (``prepare_to_wait``, ``schedule``, ``wake_up``, ...):
examples/waitqueue.mspec's lost wakeup and its correct forms, the same operations inside a
function run by a family and a single actor, misuse as diagnostics, the naive interpreter on
all of it, and TLC agreeing state for state (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load, load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "waitqueue.mspec"

# lock_page's slow path as a function: sleep on the page's queue until the lock is free
LOCK = """model lock "a sleeping lock"
const Cpus = {C1, C2} symmetric
var locked: bool = false
var wq: waitqueue
func lock() {
    step try { if !locked { locked = true  return } }
    step wait { prepare_to_wait(wq)  if locked { schedule() } }
    step again { finish_wait(wq)  goto try }
}
fair actor user(self in Cpus) {
    step take { call lock() }
    step unlock { locked = false }
    step wake { wake_up(wq) }
}
fair actor single {
    step take { call lock() }
    step unlock { locked = false }
    step wake { wake_up(wq) }
}
invariant Queued: forall c in Cpus: c in task_sleeping => c in wq
leadsto Taken: forall c in Cpus: user[c] at take ~> user[c] at unlock
"""


def _example():
    res = load([str(EXAMPLE)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def _lock():
    res = load_text(LOCK, "lock.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def test_the_lost_wakeup_is_found_and_the_right_patterns_hold():
    models = _example()
    for name in ("wait_event", "open_coded"):
        res = check(models[name], symmetry=True)
        assert res.complete and all(p.verdict is Verdict.HOLDS for p in res.properties), name
    res = check(models["lost_wakeup"], symmetry=False)
    got = {p.name: p for p in res.properties}
    assert got["Woken"].verdict is Verdict.VIOLATED and got["Deadlock"].verdict is Verdict.VIOLATED
    steps = [s.step for s in got["Deadlock"].trace.steps[1:]]
    # the test sees `ready` false, the wakeup finds an empty queue, then the waiter sleeps
    assert steps.index("wait") < steps.index("wake") < steps.index("sleep") < steps.index("sleep.schedule") \
        if "sleep.schedule" in steps else steps.index("wait") < steps.index("wake") < steps.index("sleep")
    last = got["Deadlock"].trace.steps[-1].state
    assert any("task_sleeping" in str(k) for k in last), last


def test_schedule_ends_the_step_and_waits_in_the_next():
    m = _example()["open_coded"]
    names = [s.name for s in m.actor("waiter").steps]
    assert names == ["wait", "wait.schedule", "recheck", "finish", "run"]
    assert m.var("task_sleeping") is not None


def test_a_sleeping_lock_in_a_function_from_a_family_and_a_single_actor():
    model = _lock()
    res = check(model, symmetry=False)
    assert res.complete and res.error is None
    got = {p.name: p.verdict for p in res.properties}
    # nobody sleeps forever: each unlock is followed by a wake_up of the queue
    assert got == {"TypeOK": Verdict.HOLDS, "Queued": Verdict.HOLDS, "Taken": Verdict.HOLDS,
                   "Deadlock": Verdict.HOLDS}
    # without the wake_up, a sleeper is never woken
    broken = load_text(LOCK.replace("    step wake { wake_up(wq) }\n", "", 1), "lock.mspec")
    res = check(next(iter(broken.models.values())), symmetry=False)
    assert {p.name: p.verdict for p in res.properties}["Deadlock"] is Verdict.VIOLATED


def test_reference_interpreter_agrees_on_wait_queues():
    models = dict(_example())
    models["lock"] = _lock()
    for name, model in models.items():
        ref = explore(model, max_states=20000)
        ours = check(model, symmetry=False)
        assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth), name


@pytest.mark.parametrize("body,at,words", [
    ("x = 1  wait_event(wq, ready)", "wait_event(wq, ready)", "must be the only statement of its step"),
    ("set_current_state(3)", "3", "takes a task state"),
    ("wake_up(ready)", "ready", "needs a wait queue"),
    ("schedule()  x = 1", "x = 1", "statement after `schedule` in step `s` is never run"),
    ("prepare_to_wait()", "prepare_to_wait()", "takes 1 argument, 0 given"),
    ("x = wake_up(wq)", "x = wake_up(wq)", "returns no value"),
])
def test_misuse_says_where_and_what(body, at, words):
    head = "model m\nvar ready: bool = false\nvar wq: waitqueue\nvar x: 0..3 = 0\n"
    text = head + f"actor a {{\n step s {{ {body} }} }}\n"
    res = load_text(text, "w.mspec")
    col = len(" step s { ") + body.index(at) + 1
    errs = [(d.span.line, d.span.col, d.message, d.hint) for d in res.diagnostics if d.severity.value == "error"]
    assert any(l == 6 and c == col and words in m for l, c, m, h in errs), errs
    assert all(h for *_, h in errs)


def test_a_variable_cannot_take_the_name_of_the_task_state():
    res = load_text("model m\nvar task_sleeping: bool = false\nvar wq: waitqueue\nactor a { step s { wake_up(wq) } }\n",
                    "w.mspec")
    assert any("task_sleeping" in d.message and d.span.line == 2 for d in res.diagnostics)
    # the one error: the operations that use the model's variable bring none of their own
    assert [d.span.line for d in res.diagnostics if d.severity.value == "error"] == [2], res.diagnostics


def test_a_variable_named_as_the_exclusive_waiters_is_the_one_error():
    text = ("model m\nvar task_exclusive: bool = false\nvar wq: waitqueue\nvar ready: bool = false\n"
            "actor a { step s { wait_event_exclusive(wq, ready) } }\n"
            "actor b { step t { ready = true } step w { wake_up(wq) } }\n")
    errs = [d for d in load_text(text, "w.mspec").diagnostics if d.severity.value == "error"]
    assert [(d.span.line, "task_exclusive" in d.message) for d in errs] == [(2, True)], errs


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
@pytest.mark.parametrize("variant", ["wait_event", "open_coded", "lost_wakeup", "lock"])
def test_wait_queues_agree_with_tlc(variant, symmetry):
    model = _lock() if variant == "lock" else _example()[variant]
    assert_backends_agree(model, variant, symmetry=symmetry)
