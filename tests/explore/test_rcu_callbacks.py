"""Deferred frees (``kfree_rcu``, ``call_rcu``, ``rcu_barrier``) and the implicit process that
runs RCU callbacks: a reader inside its section may use an object the writer queued, not after
it leaves; double queueing and a free of a queued object are double frees; the free happens at
any moment after the grace period (not only when the last reader leaves), and eventually under
the callbacks' weak fairness (not without it); misuse as located diagnostics; the naive
interpreter and TLC agreeing state for state (tlc-marked)."""

from __future__ import annotations

import dataclasses

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

from .conftest import complete_verdicts as _verdicts, load_one as _one

# a reader loads the pointer inside its section and reads the object; the writer unpublishes
# it and queues its free without waiting
DEFER = """model d
const Ids = {O1, O2}
const Readers = {R1, R2}
pool obj: [Ids -> 0..1]
var cur: Ids | {none} = O1
fair actor reader(self in Readers) {
    local p: Ids | {none} = none
    local v: 0..1 = 0
    step lock { rcu_read_lock() }
    step deref { p = rcu_dereference(cur) }
    step read { if p != none { v = obj[p] } }
    step unlock { rcu_read_unlock() }
}
fair actor writer {
    local old: Ids | {none} = none
    step publish { old = cur  rcu_assign_pointer(cur, none) }
    step release { kfree_rcu(obj, old) }
}
leadsto Freed: writer at done ~> O1 notin obj.allocated
"""

# the reader keeps using its pointer after it left the section
LATE = DEFER.replace("    step unlock { rcu_read_unlock() }\n",
                     "    step unlock { rcu_read_unlock() }\n    step late { if p != none { v = obj[p] } }\n")


def _steps(p):
    return [(s.proc or s.actor, s.step) for s in p.trace.steps[1:]]


def test_a_reader_inside_its_section_may_use_an_object_queued_for_free():
    model = _one(DEFER)
    assert [a.name for a in model.actors][-1] == "rcu_callbacks"
    got = _verdicts(model)
    assert all(p.verdict is Verdict.HOLDS for p in got.values()), {n: p.verdict for n, p in got.items()}
    # the writer's step does not wait: it can queue the free while a reader holds the object
    res = check(_one(DEFER.replace("leadsto Freed", "invariant NoOverlap: !(writer at done && "
                                   "exists r in Readers: reader[r] at read && reader[r].p == O1)\nleadsto Freed")))
    bad = {p.name: p for p in res.properties}["NoOverlap"]
    assert bad.verdict is Verdict.VIOLATED


def test_a_use_after_the_section_is_a_use_after_free_when_the_callback_ran():
    p = _verdicts(_one(LATE))["NoUseAfterFree"]
    assert p.verdict is Verdict.VIOLATED and "after it was freed" in p.trace.steps[-1].failure
    steps = _steps(p)
    reader = next(proc for proc, st in steps if st == "deref")
    # loaded before the unpublish, the free queued, then run once the reader left, then the late use
    free = steps.index(("rcu_callbacks", "invoke"))
    assert steps.index((reader, "deref")) < steps.index(("writer", "publish")) < steps.index(("writer", "release")) \
        < free < steps.index((reader, "late")), steps
    assert steps.index((reader, "unlock")) < free, steps


def test_the_free_may_come_any_time_after_the_grace_period():
    # after both readers left and before the callback: the object is queued and still allocated
    text = DEFER.replace("leadsto Freed", "invariant FreedAtOnce: (writer at done && forall r in Readers: "
                         "reader[r] at done) => O1 notin obj.allocated\nleadsto Freed")
    p = _verdicts(_one(text))["FreedAtOnce"]
    assert p.verdict is Verdict.VIOLATED
    assert ("rcu_callbacks", "invoke") not in _steps(p)


def test_the_object_is_freed_eventually_under_the_callbacks_fairness_only():
    model = _one(DEFER)
    assert _verdicts(model)["Freed"].verdict is Verdict.HOLDS
    unfair = dataclasses.replace(model, actors=tuple(
        dataclasses.replace(a, fairness=None) if a.name == "rcu_callbacks" else a for a in model.actors))
    p = _verdicts(unfair)["Freed"]
    assert p.verdict is Verdict.VIOLATED
    assert ("writer", "release") in _steps(p)


def test_a_reader_that_never_leaves_delays_the_free_for_ever():
    # the grace period waits for a reader that was inside when kfree_rcu ran
    text = DEFER.replace("fair actor reader", "actor reader")
    assert _verdicts(_one(text))["Freed"].verdict is Verdict.VIOLATED


@pytest.mark.parametrize("second", ["kfree_rcu(obj, old)", "call_rcu(obj, old)", "free(obj, old)"])
def test_double_free_through_a_deferred_free_is_caught(second):
    text = DEFER.replace("step release { kfree_rcu(obj, old) }",
                         f"step release {{ kfree_rcu(obj, old) }}\n    step again {{ {second} }}")
    p = _verdicts(_one(text))["NoUseAfterFree"]
    assert p.verdict is Verdict.VIOLATED
    if second == "free(obj, old)":  # freed at once, then by its callback
        assert _steps(p)[-1] == ("rcu_callbacks", "invoke") and "double free" in p.trace.steps[-1].failure
    else:  # queued twice, or queued again after its callback freed it
        assert _steps(p)[-1] == ("writer", "again")


def test_rcu_barrier_waits_for_the_callbacks_queued_before_it():
    text = DEFER.replace("step release { kfree_rcu(obj, old) }",
                         "step release { kfree_rcu(obj, old)  rcu_barrier() }\n    step after { skip }")
    text = text.replace("leadsto Freed", "invariant BarrierFreed: writer at after => O1 notin obj.allocated\n"
                        "leadsto Freed")
    model = _one(text)
    assert any(s.name == "release.rcu_barrier" for s in model.actors[1].steps)
    got = _verdicts(model)
    assert got["BarrierFreed"].verdict is Verdict.HOLDS and got["Freed"].verdict is Verdict.HOLDS
    assert got["Deadlock"].verdict is Verdict.HOLDS
    # without the barrier the writer goes on with the object still allocated
    p = _verdicts(_one(text.replace("  rcu_barrier()", "")))["BarrierFreed"]
    assert p.verdict is Verdict.VIOLATED


@pytest.mark.parametrize("text,words", [
    ("model m\nvar x: 0..1 = 0\nactor a { step s { kfree_rcu(x, 0) } }\n", "`kfree_rcu` needs a pool"),
    ("model m\nconst Ids = {O1}\npool p: [Ids -> 0..1]\nactor a { step s { call_rcu(p) } }\n",
     "`call_rcu` takes 2 arguments"),
    ("model m\nconst Ids = {O1}\npool p: [Ids -> 0..1]\nactor a { local b: bool = false\n"
     "step s { b = kfree_rcu(p, O1) } }\n", "`kfree_rcu` returns no value"),
    ("model m\nactor a { step s { rcu_barrier()  skip } }\n", "statement after `rcu_barrier`"),
    ("model m\npool p: 0..3\nactor a { step s { kfree_rcu(p, 0) } }\n", "must be a function from ids to objects"),
    ("model m\nconst Ids = {O1}\npool p: [Ids -> 0..1]\nactor a { step s { rcu_read_unlock()  kfree_rcu(p, O1) } }\n",
     "`p_rcu_wait` is assigned twice"),
    ("model m\nconst Ids = {O1}\npool p: [Ids -> 0..1]\nactor rcu_callbacks { step s { kfree_rcu(p, O1) } }\n",
     "name of the process that runs the RCU callbacks"),
    ("model m\nconst Ids = {O1}\npool p: [Ids -> 0..1]\nvar p_rcu_pending: bool = false\n"
     "actor a { step s { kfree_rcu(p, O1) } }\n", "p_rcu_pending"),
])
def test_misuse_is_a_located_diagnostic(text, words):
    res = load_text(text, "m.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert any(words in d.message and d.span is not None and d.hint for d in errs), \
        [(d.message, d.span) for d in errs]


def test_no_callbacks_process_without_a_kfree_rcu_that_runs():
    text = DEFER.replace("step release { kfree_rcu(obj, old) }", "step release { skip }")
    text = text.replace("fair actor writer", "macro later() { kfree_rcu(obj, O1) }\nfair actor writer")
    model = _one(text)
    assert "rcu_callbacks" not in [a.name for a in model.actors]
    plain = _one(DEFER.replace("step release { kfree_rcu(obj, old) }", "step release { skip }"))
    assert check(model).stats.distinct == check(plain).stats.distinct


BARRIER = DEFER.replace("step release { kfree_rcu(obj, old) }",
                        "step release { kfree_rcu(obj, old) }\n    step wait { rcu_barrier() }")


@pytest.mark.parametrize("text", [DEFER, LATE, BARRIER], ids=["defer", "late", "barrier"])
def test_reference_interpreter_agrees(text):
    model = _one(text)
    ref = explore(model, max_states=50000)
    ours = check(model, symmetry=False)
    assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth)


# objects and readers both symmetric: the writer allocates the object it publishes
SYM = (DEFER.replace("{O1, O2}", "{O1, O2} symmetric").replace("{R1, R2}", "{R1, R2} symmetric")
       .replace("pool obj: [Ids -> 0..1]", "pool obj: [Ids -> 0..1]\nactor init {\n    step spare while obj.allocated != {} "
                "{ any o in obj.allocated { free(obj, o) } }\n}")
       .replace("var cur: Ids | {none} = O1", "var cur: Ids | {none} = none")
       .replace("step publish { old = cur  rcu_assign_pointer(cur, none) }",
                "step publish { await init at done  old = alloc(obj)  rcu_assign_pointer(cur, old) }\n"
                "    step unpublish { rcu_assign_pointer(cur, none) }")
       .replace("leadsto Freed: writer at done ~> O1 notin obj.allocated",
                "leadsto Freed: writer at done ~> writer.old notin obj.allocated"))


def test_symmetry_reduces_the_objects_and_readers():
    model = _one(SYM)
    full, reduced = check(model, symmetry=False), check(model, symmetry=True)
    assert reduced.symmetry and reduced.symmetry_note is None
    assert reduced.stats.distinct < full.stats.distinct
    # the writer got an object, queued its free, and the callback freed it
    assert any(s == ("rcu_callbacks", "invoke") for s in _steps({p.name: p for p in check(_one(
        SYM.replace("leadsto Freed", "invariant NeverFreed: writer at done => writer.old in obj.allocated\n"
                    "leadsto Freed"))).properties}["NeverFreed"]))
    assert {p.name: p.verdict for p in full.properties} == {p.name: p.verdict for p in reduced.properties}


NONE = """model n
const Ids = {O1}
pool obj: [Ids -> 0..1]
var w: Ids | {none} = none
actor a { step s { kfree_rcu(obj, w) } }
actor b { step s { w = O1 } }
"""


def test_kfree_rcu_of_no_object_is_a_violation_that_queues_nothing():
    res = check(_one(NONE))
    got = {p.name: p for p in res.properties}
    assert res.error is None and got["TypeOK"].verdict is Verdict.HOLDS
    p = got["NoUseAfterFree"]
    assert p.verdict is Verdict.VIOLATED and "already free" in p.trace.steps[-1].failure
    assert _steps(p) == [("a", "s")]


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
@pytest.mark.parametrize("which", ["defer", "late", "barrier", "double", "stuck", "sym", "none"])
def test_deferred_frees_agree_with_tlc(which, symmetry):
    text = {"defer": DEFER, "late": LATE, "barrier": BARRIER, "sym": SYM, "none": NONE,
            "stuck": DEFER.replace("fair actor reader", "actor reader"),
            "double": DEFER.replace("step release { kfree_rcu(obj, old) }",
                                    "step release { kfree_rcu(obj, old) }\n    step again { free(obj, old) }")}[which]
    if symmetry:
        text = text.replace("{R1, R2}\n", "{R1, R2} symmetric\n")
    assert_backends_agree(_one(text), which, symmetry=symmetry)
