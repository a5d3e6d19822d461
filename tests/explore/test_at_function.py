"""Properties that name where a process is inside a function: ``user[c] at lock.sleep`` is
true while process ``c`` of ``user`` is about to run step ``sleep`` of function ``lock``,
whichever step called ``lock`` and however deep (``trylock`` called from ``lock``). The
builtin checker reads the inlined copies, TLC the procedure's label in ``pc``; both, and the
reference interpreter, agree state for state (tlc-marked). Misuse is a located error."""

from __future__ import annotations

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.emit import emit
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.ir.lower import function_step_copies, lower_functions
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

# lock() with its trylock() fast path, called from two steps of `user` (two return sites:
# two inlined copies of each of its steps) and from a single actor
LOCK = """model atf
const Cpus = {C1, C2} symmetric
var locked: bool = false
var wq: waitqueue
func trylock() -> bool {
    step t { if locked { return false }  locked = true  return true }
}
func lock() {
    local got: bool = false
    step fast { got = call trylock() }
    step sleep { if got { return }  prepare_to_wait(wq)  if locked { schedule() } }
    step again { finish_wait(wq)  goto fast }
}
fair actor user(self in Cpus) {
    step take { call lock() }
    step crit { locked = false  wake_up(wq) }
    step retake { call lock() }
    step unlock { locked = false  wake_up(wq)  goto take }
}
actor single {
    step go { call lock() }
    step crit { locked = false  wake_up(wq) }
}
invariant NotOwn "inside lock(), the process is at none of its own steps":
    forall c in Cpus: user[c] at {lock.sleep, lock.again} => !(user[c] at {take, crit, retake, unlock})
invariant Nested "inside trylock(), called by lock(), the process is not at lock's steps":
    forall c in Cpus: user[c] at trylock.t => !(user[c] at {lock.fast, lock.sleep, lock.again})
invariant Queued "a sleeper is at the step after lock's sleep, never at sleep itself":
    forall c in Cpus: c in task_sleeping => !(user[c] at lock.sleep)
invariant NeverInTrylock: forall c in Cpus: !(user[c] at trylock.t)
invariant SingleSleeps: single in task_sleeping => !(single at {lock.fast, go, crit})
invariant NeverAsleep: !(exists c in Cpus: user[c] at lock.again)
leadsto Enters: forall c in Cpus: user[c] at lock.sleep ~> user[c] at {crit, unlock}
"""
VERDICTS = {"NotOwn": Verdict.HOLDS, "Nested": Verdict.HOLDS, "Queued": Verdict.HOLDS,
            "NeverInTrylock": Verdict.VIOLATED, "SingleSleeps": Verdict.HOLDS,
            "NeverAsleep": Verdict.VIOLATED, "TypeOK": Verdict.HOLDS}


def _model(text: str = LOCK):
    res = load_text(text, "atf.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def test_at_a_function_step_from_every_call_site_and_depth():
    model = _model()
    res = check(model, symmetry=False)
    assert res.complete and res.error is None
    for name, verdict in VERDICTS.items():
        assert res.verdict(name) is verdict, (name, res.property(name).message)
    # NeverInTrylock's counterexample ends inside trylock(), called from lock()'s `fast`
    trace = res.property("NeverInTrylock").trace
    assert [s.step for s in trace.steps[1:]] == ["take", "lock.fast"] and trace.steps[-1].state is not None


def test_the_lowered_model_names_every_copy():
    lowered = lower_functions(_model())
    user = lowered.actor("user")
    # two return sites of lock() in `user`: two copies of its steps, and of trylock's
    assert len(function_step_copies(user, "lock", ("sleep",))) == 2
    assert len(function_step_copies(user, "trylock", ("t",))) == 2
    assert len(function_step_copies(lowered.actor("single"), "lock", ("sleep",))) == 1
    at = [n for p in lowered.properties if p.name == "NeverAsleep" for n in _walk(p.expr)
          if type(n).__name__ == "At"]
    assert at and all(a.func is None and len(a.steps) == 2 for a in at)


def _walk(e):
    from movspec.ir.walk import walk
    return walk(e)


def test_the_reference_agrees():
    model = _model()
    ref = explore(model, max_states=50000)
    ours = check(model, symmetry=False)
    assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth)
    assert {p for p, v in ref.violated.items() if v} >= {"NeverInTrylock", "NeverAsleep"}
    assert not {"NotOwn", "Nested", "Queued", "SingleSleeps"} & set(ref.violated)
    for p in ("NeverInTrylock", "NeverAsleep"):
        assert ref.violated[p] == len(ours.property(p).trace.steps), p


def test_the_emitted_module_reads_the_procedures_label():
    tla = emit(_model()).tla
    assert 'Queued == \\A c \\in Cpus: (c \\in task_sleeping) => (~(pc[c] = "lock_sleep"))' in tla
    assert 'Nested == \\A c \\in Cpus: (pc[c] = "trylock_t") => (~(pc[c] \\in {"lock_fast", "lock_sleep", ' in tla


def test_at_function_steps_print_and_parse_back():
    f, diags = parse(LOCK, "atf.mspec")
    assert diags == []
    printed = print_file(f)
    assert "user[c] at {lock.sleep, lock.again}" in printed and "user[c] at trylock.t" in printed
    again, diags = parse(printed, "atf.mspec")
    assert diags == [] and again.decls == f.decls


@pytest.mark.parametrize("prop, at, words, hint", [
    ("forall c in Cpus: user[c] at lokc.sleep", "user[c] at lokc.sleep", "there is no function `lokc`",
     "did you mean `lock`"),
    ("forall c in Cpus: user[c] at lock.slep", "user[c] at lock.slep", "function `lock` has no step `slep`",
     "did you mean `sleep`"),
    ("other at lock.sleep", "other at lock.sleep", "actor `other` never runs function `lock`",
     "name an actor that calls `lock`"),
])
def test_misuse_says_where_and_what(prop, at, words, hint):
    text = LOCK.split("invariant NotOwn")[0] + "actor other { step s { skip } }\n"
    line = text.count("\n") + 1
    res = load_text(text + f"invariant Bad: {prop}\n", "atf.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and words in errs[0].message, [d.render(res.sources) for d in res.diagnostics]
    col = len("invariant Bad: ") + prop.index(at) + 1
    assert (errs[0].span.line, errs[0].span.col) == (line, col) and hint in errs[0].hint


def test_at_a_function_step_without_a_process_is_an_error():
    text = LOCK.split("invariant NotOwn")[0].replace("step crit { locked = false  wake_up(wq) }\n    step retake",
                                                     "step crit { assert !(at lock.sleep), \"x\" }\n    step retake", 1)
    res = load_text(text, "atf.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and "`at lock.sleep` without a process" in errs[0].message
    assert errs[0].span.line == 16 and errs[0].hint


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True])
def test_at_function_steps_agree_with_tlc(symmetry):
    model = _model()
    ours, tlc = assert_backends_agree(model, symmetry=symmetry)
    for name, verdict in VERDICTS.items():
        assert tlc.verdict(name) is verdict, name
    assert tlc.verdict("Enters") is ours.verdict("Enters")


# `at s.f`: the caller's own result step of `x = call f()` in its step `s`, where the result
# is about to be stored (the function has returned, the caller's local not yet assigned)
RESULT = """model atr
const Cpus = {C1, C2} symmetric
var n: 0..2 = 0
func get() -> 0..2 {
    step read { return n }
}
actor reader(self in Cpus) {
    local x: 0..2 = 0
    step s { x = call get() }
    step t { n = x + 1 }
}
invariant NotYet "at the result step the result is not stored yet": forall c in Cpus: reader[c] at s.get => reader[c].x == 0
invariant Unchanged "n may change between the return and the store": forall c in Cpus: reader[c] at s.get => n == 0
invariant NotBoth: !(reader[C1] at s.get && reader[C2] at {s.get, t})
"""
RESULT_VERDICTS = {"NotYet": Verdict.HOLDS, "Unchanged": Verdict.VIOLATED, "NotBoth": Verdict.VIOLATED}


def test_at_the_result_step_of_a_call():
    model = _model(RESULT)
    res = check(model, symmetry=False)
    for name, verdict in RESULT_VERDICTS.items():
        assert res.verdict(name) is verdict, (name, res.property(name).message)
    trace = res.property("Unchanged").trace
    # a reader is about to store what get() returned while the other has stored n + 1
    assert "s.get" in dict(trace.steps[-1].state["pc"].pairs).values() and trace.steps[-1].state["n"] == 1
    at = [n for p in lower_functions(model).properties if p.name == "NotYet" for n in _walk(p.expr)
          if type(n).__name__ == "At"]
    assert at and all(a.steps == ("s.get",) and a.func is None for a in at)
    ref = explore(model, max_states=50000)
    assert (ref.distinct, ref.depth) == (res.stats.distinct, res.stats.depth)
    assert {p for p, v in ref.violated.items() if v} & set(RESULT_VERDICTS) == {"Unchanged", "NotBoth"}
    assert '(pc[c] = "reader_s_get")' in emit(model).tla


@pytest.mark.parametrize("prop, words", [
    ("forall c in Cpus: reader[c] at t.get", "step `t` of `reader` has no `x = call get(..)`"),
    ("forall c in Cpus: reader[c] at s.put", "step `s` of `reader` has no `x = call put(..)`"),
])
def test_a_result_step_that_is_not_there_is_an_error(prop, words):
    res = load_text(RESULT.split("invariant NotYet")[0] + f"invariant Bad: {prop}\n", "atr.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and words in errs[0].message and errs[0].hint, [d.render(res.sources) for d in errs]


def test_two_calls_with_a_result_in_one_step_make_at_ambiguous():
    text = RESULT.split("invariant NotYet")[0].replace(
        "step s { x = call get() }", "step s { if n == 0 { x = call get() } else { x = call get() } }")
    res = load_text(text + "invariant Bad: reader[C1] at s.get\n", "atr.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and "has 2 `x = call get(..)`" in errs[0].message


@pytest.mark.tlc
def test_at_the_result_step_agrees_with_tlc():
    model = _model(RESULT)
    ours, tlc = assert_backends_agree(model, symmetry=True)
    for name, verdict in RESULT_VERDICTS.items():
        assert tlc.verdict(name) is verdict, name


def test_the_lowered_model_still_emits():
    """In the lowered model `at f.s` names the inlined copies (`lock.sleep`, ...), steps of the
    actor's own with a dot in their names: the emitter takes them as such, not as the result
    step `s.f` of a call (a random model's variant is emitted lowered for TLC)."""
    lowered = lower_functions(_model())
    tla = emit(lowered).tla
    assert "NeverAsleep" in tla and '"user_lock_again' in tla
