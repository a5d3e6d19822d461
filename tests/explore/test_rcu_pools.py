"""RCU (read-side sections, ``synchronize_rcu``) and pools of objects (``alloc``, ``free``,
use-after-free checks that follow the evaluation): examples/rcu_lookup.mspec's free without a
grace period, the grace period's exact meaning (readers that enter later do not delay it),
misuse as diagnostics or assertion failures, the naive interpreter on all of it, and TLC
agreeing state for state (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load, load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

from .conftest import complete_verdicts as _verdicts, load_one as _one

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "rcu_lookup.mspec"

# a reader that keeps entering new sections must not delay a grace period that started
# before: synchronize_rcu waits only for the readers inside a section when it started
GRACE = """model g
var done: bool = false
fair actor reader {
    step lock { rcu_read_lock() }
    step unlock { rcu_read_unlock() }
    step again { if !done { goto lock } }
}
fair actor updater {
    step sync { synchronize_rcu() }
    step out { done = true }
}
leadsto Returns: updater at sync ~> updater at out
"""

POOL = """model p
const Ids = {O1, O2}
struct Obj { v: 0..1 = 0 }
pool obj: [Ids -> Obj] guards UAF
var ptr: Ids | {none} = O1
actor a {
    local o: Ids | {none} = none
    step take { o = ptr }
    step use { if o != none && obj[o].v == 0 { obj[o].v = 1 } }
}
actor b { step drop { ptr = none  free(obj, O1) } }
"""


def _models(path):
    res = load([str(path)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def test_a_free_without_a_grace_period_is_a_use_after_free():
    models = _models(EXAMPLE)
    for safe in ("grace_period", "deferred_free"):
        assert all(p.verdict is Verdict.HOLDS for p in _verdicts(models[safe], True).values()), safe
    got = _verdicts(models["no_grace_period"])
    p = got["NoUseAfterFree"]
    assert p.verdict is Verdict.VIOLATED and got["CurrentLive"].verdict is Verdict.HOLDS
    steps = [(s.proc or s.actor, s.step) for s in p.trace.steps[1:]]
    # the reader loads the pointer before the publish and reads after the free
    reader = next(proc for proc, st in steps if st == "deref")
    assert steps.index((reader, "deref")) < steps.index(("updater", "publish")) \
        < steps.index(("updater", "release")) < steps.index((reader, "read"))
    assert p.trace.steps[-1].failure and "after it was freed" in p.trace.steps[-1].failure


def test_a_grace_period_waits_only_for_the_readers_it_found():
    got = _verdicts(_one(GRACE))
    assert got["Returns"].verdict is Verdict.HOLDS
    assert got["Deadlock"].verdict is Verdict.HOLDS


def test_a_reader_inside_synchronize_rcu_waits_for_itself():
    text = "model s\nactor a { step l { rcu_read_lock() } step s { synchronize_rcu() } step u { rcu_read_unlock() } }\n"
    assert _verdicts(_one(text))["Deadlock"].verdict is Verdict.VIOLATED


def test_nested_or_unbalanced_sections_fail_the_assertions():
    nested = "model n\nactor a { step l { rcu_read_lock() } step m { rcu_read_lock() } }\n"
    p = _verdicts(_one(nested))["Assertions"]
    assert p.verdict is Verdict.VIOLATED and "nested" in p.trace.steps[-1].failure
    unbalanced = "model u\nactor a { step u { rcu_read_unlock() } }\n"
    p = _verdicts(_one(unbalanced))["Assertions"]
    assert p.verdict is Verdict.VIOLATED and "outside a read-side section" in p.trace.steps[-1].failure


def test_the_use_after_free_check_follows_the_evaluation():
    got = _verdicts(_one(POOL))
    # a takes the pointer before b clears it and frees the object: its use is after the free
    assert got["UAF"].verdict is Verdict.VIOLATED
    assert [s.step for s in got["UAF"].trace.steps[1:]] == ["take", "drop", "use"]
    # with the pointer cleared first and tested, `o != none &&` keeps the read from happening
    safe = POOL.replace("step take { o = ptr }", "step take { await ptr == none  o = ptr }")
    assert _verdicts(_one(safe))["UAF"].verdict is Verdict.HOLDS


def test_alloc_reuses_a_freed_object_and_double_free_is_caught():
    text = """model r
const Ids = {O1}
pool obj: [Ids -> 0..1]
actor a {
    local o: Ids = O1
    step f { free(obj, O1) }
    step g { o = alloc(obj) }
    step h { obj[o] = 1 }
    step i { free(obj, o) }
    step j { free(obj, o) }
}
"""
    got = _verdicts(_one(text))
    p = got["NoUseAfterFree"]
    assert p.verdict is Verdict.VIOLATED and [s.step for s in p.trace.steps[1:]] == ["f", "g", "h", "i", "j"]
    assert "already free" in p.trace.steps[-1].failure


@pytest.mark.parametrize("text,words", [
    ("model m\nvar x: 0..1 = 0\nactor a { step s { free(x, 0) } }\n", "`free` needs a pool"),
    ("model m\nconst Ids = {O1}\npool p: [Ids -> 0..1]\nactor a { step s { alloc(p) } }\n",
     "`alloc` returns the object it allocates"),
    ("model m\npool p: 0..3\nactor a { step s { skip } }\n", "must be a function from ids to objects"),
    ("model m\nactor a { step s { synchronize_rcu()  skip } }\n", "statement after `synchronize_rcu`"),
    ("model m\nvar rcu_readers: bool = false\nactor a { step s { rcu_read_lock() } }\n", "rcu_readers"),
])
def test_misuse_is_a_diagnostic(text, words):
    res = load_text(text, "m.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert any(words in d.message and d.span is not None and d.hint for d in errs), \
        [(d.message, d.span) for d in errs]


def test_reference_interpreter_agrees_on_rcu_and_pools():
    models = dict(_models(EXAMPLE))
    models["grace"] = _one(GRACE)
    models["pool"] = _one(POOL)
    for name, model in models.items():
        ref = explore(model, max_states=20000)
        ours = check(model, symmetry=False)
        assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth), name


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
@pytest.mark.parametrize("which", ["grace_period", "no_grace_period", "deferred_free", "grace", "pool"])
def test_rcu_and_pools_agree_with_tlc(which, symmetry):
    model = {"grace": lambda: _one(GRACE), "pool": lambda: _one(POOL)}.get(which, lambda: _models(EXAMPLE)[which])()
    assert_backends_agree(model, which, symmetry=symmetry)
