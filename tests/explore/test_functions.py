"""Functions (``func``): parsing and printing, resolution and label errors, the builtin
checker on a model with functions called from two actors (examples/functions.mspec), and the
same model through TLC with equal state counts, depths and verdicts (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.ir import nodes as ir
from movspec.ir.lower import lower_functions
from movspec.load import load, load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "functions.mspec"

HEADER = """model m
var lock: bool = false
var n: 0..3 = 0
"""


def _models():
    res = load([str(EXAMPLE)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def _errors(text: str) -> list[tuple[int, int, str]]:
    res = load_text(HEADER + text, "f.mspec")
    return [(d.span.line - 3, d.span.col, d.message) for d in res.diagnostics
            if d.severity.value == "error" and d.span is not None]


def test_func_syntax_prints_and_parses_back():
    text = HEADER + """
func f(k: 0..3, b: bool) -> bool @ "a.c:f" "doc" {
    local t: 0..3 = 1
    step one { t = call g(k) }
    step two { if b { return true } return false }
}
func g(k: 0..3) -> 0..3 { step s { return k } }
func h() { step s { call g(1) } step t { return } }
actor a { step x { call h() } }
"""
    f, diags = parse(text, "f.mspec")
    assert diags == []
    fd = next(d for d in f.decls if getattr(d, "name", None) == "f")
    assert [p.name for p in fd.params] == ["k", "b"] and fd.anchor == "a.c:f" and fd.doc == "doc"
    again, diags = parse(print_file(f), "f.mspec")
    assert diags == [] and again.decls == f.decls


@pytest.mark.parametrize("text,line,col,words", [
    ("func f() { step s { skip } }\nactor a { step x { call g() } }", 2, 20, "unknown function `g`"),
    ("func f(k: 0..3) { step s { skip } }\nactor a { step x { call f() } }", 2, 20,
     "takes 1 argument, 0 given"),
    ("func f() { step s { skip } }\nactor a { local x: bool = false\n step x1 { x = call f() } }", 3, 12,
     "returns no value"),
    ("actor a { step x { return } }", 1, 20, "`return` outside a function"),
    ("func f() { step s { return 1 } }\nactor a { step x { call f() } }", 1, 28, "takes no value"),
    ("func f() -> bool { step s { return } }\nactor a { step x { call f() } }", 1, 29, "needs one"),
    ("func f() { step s { call g() } step t { return } }\nfunc g() { step s { call f() } step t { return } }\n"
     "actor a { step x { call f() } }", 2, 21, "calls itself (f -> g -> f)"),
    ("func f() { step s { call f() } step t { return } }\nactor a { step x { call f() } }", 1, 21,
     "calls itself (f -> f)"),
    ("func f() { step s { skip } }\nactor a { step x { f() } }", 2, 20, "is a function, not a macro"),
    ("func f() -> bool { step s { return true } }\nactor a { local x: bool = false\n step y { x = f() } }",
     3, 15, "called in an expression"),
    ("func f(k: 0..3) { step s { n = self } }\nactor a { step x { call f(1) } }", 1, 32,
     "`self` in function `f`"),
    ("func f() { step s { goto done } }\nactor a { step x { call f() } }", 1, 21, "`goto done` in a function"),
    ("func f() { step s { call g(); n = 1 } step t { return } }\nfunc g() { step s { skip } }\n"
     "actor a { step x { call f() } }", 1, 31, "statement after `call`"),
    ("func f() { local t: 0..3 = 0\n step s { t = 1\n return } }\nactor a { step x { call f() } }", 3, 2,
     "assigns `t` and returns"),
    ("func f() { step s { call g() } }\nfunc g() { step s { skip } }\nactor a { step x { call f() } }",
     1, 21, "ends with a call in its last step"),
    ("func f() -> bool { step s { if lock { return true } } }\nactor a { step x { call f() } }", 1, 20,
     "without returning a value"),
    ("func f() -> bool { step s { return 3 } }\nactor a { step x { call f() } }", 1, 36,
     "the result of `f` is a bool"),
    ("func f(k: 0..3) { step s { n = k } }\nactor a { step x { call f(7) } }", 2, 27, "7 is out of range"),
    ("func f() { local t: bool = lock\n step s { return } }\nactor a { step x { call f() } }", 1, 28,
     "starts at a value that reads the state"),
])
def test_function_errors_say_where_and_what(text, line, col, words):
    errs = _errors(text)
    assert any(l == line and c == col and words in m for l, c, m in errs), errs


def test_every_error_has_a_hint():
    res = load_text(HEADER + "func f() { step s { call f() } step t { return } }\nactor a { step x { call f() } }",
                    "f.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert errs and all(d.hint for d in errs)


def test_lowering_leaves_no_function_and_keeps_models_without_functions():
    models = _models()
    low = lower_functions(models["correct"])
    assert low.functions == () and low is not models["correct"]
    calls = [x for a in low.actors for s in a.steps for x in _walk(s.body)
             if isinstance(x, (ir.CallFunc, ir.Return))]
    assert calls == []
    # one copy of trylock_page per step it returns to in the compactor: isolate's only; the
    # compactor's `got = call isolate_movable_page()` is fused (the return stores `got`), the
    # call inside lock_page keeps its result step
    names = [s.name for s in low.actor("compactor").steps]
    assert names.count("trylock_page.test_and_set") == 1 and "isolate.isolate_movable_page" not in names
    assert "lock_page.fast.trylock_page" in [s.name for s in low.actor("reclaim").steps]
    plain = load_text(HEADER + "actor a { step x { n = 1 } }", "p.mspec").models
    m = next(iter(plain.values()))
    assert lower_functions(m) is m


def _walk(stmts):
    from movspec.ir.walk import walk
    for s in stmts:
        yield from walk(s)


# counts and verdicts recorded from a run of the builtin checker, equal to TLC's on the same
# model (test_functions_agree_with_tlc below checks that against a real TLC)
EXPECTED = {
    "correct": ((1362, 27), (723, 27), set()),
    "racy_trylock": ((3540, 30), (1860, 30), {"MutualExclusion", "LockedWhileHeld"}),
    "leak": ((657, 21), (354, 21), {"Progress", "Deadlock"}),
}


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_builtin_checker_on_functions_from_two_actors(variant):
    model = _models()[variant]
    (plain, sym, violated) = EXPECTED[variant]
    for symmetry, (distinct, depth) in ((False, plain), (True, sym)):
        res = check(model, symmetry=symmetry)
        assert res.error is None and res.complete
        assert (res.stats.distinct, res.stats.depth) == (distinct, depth)
        got = {p.name for p in res.properties if p.verdict is Verdict.VIOLATED}
        assert got == violated
        assert all(p.verdict is Verdict.HOLDS for p in res.properties if p.name not in violated)


def test_reference_interpreter_agrees_on_functions():
    for name, model in _models().items():
        ref = explore(model, max_states=10000)
        ours = check(model, symmetry=False)
        assert ref.complete and ref.distinct == ours.stats.distinct, name
        assert ref.depth == ours.stats.depth, name


def test_a_violation_inside_a_function_is_traced_through_its_steps():
    res = check(_models()["racy_trylock"], symmetry=False)
    p = next(p for p in res.properties if p.name == "MutualExclusion")
    steps = [s.step for s in p.trace.steps[1:]]
    assert "trylock_page.test" in steps and "trylock_page.set" in steps


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_functions_agree_with_tlc(variant, symmetry):
    assert_backends_agree(_models()[variant], variant, symmetry=symmetry)


CALLBACK = ROOT / "tests" / "fixtures" / "explore" / "callback_function.mspec"


def _callback_model():
    res = load([str(CALLBACK)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def test_a_callback_with_code_checks_the_module_in_each_of_its_steps():
    res = check(_callback_model(), symmetry=False)
    p = next(p for p in res.properties if p.name == "NoUseAfterUnload")
    assert p.verdict is Verdict.VIOLATED
    # the compactor is inside the callback (busy) when rmmod runs: its next step fails
    assert [s.step for s in p.trace.steps[1:-1]] == ["isolate", "driver.isolate_page.take", "rmmod"]
    assert p.trace.steps[-1].step == "driver.isolate_page.count" and p.trace.steps[-1].failure


def test_a_callback_without_code_has_no_result():
    text = "module drv { ops op }\nactor a { local b: bool = false\n step x { b = call drv.op() } }"
    errs = _errors(text)
    assert any((l, c) == (3, 11) and "callback `drv.op` has no code" in m for l, c, m in errs), errs
    errs = _errors("module drv { ops op }\nfunc drv.other() { step s { skip } }\nactor a { step x { skip } }")
    assert any(l == 2 and "module `drv` has no op `other`" in m for l, c, m in errs), errs


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
def test_callback_function_agrees_with_tlc(symmetry):
    ours, _ = assert_backends_agree(_callback_model(), "callback_function", symmetry=symmetry)
    # its counterexample is among those whose lengths are compared
    assert ours.verdict("NoUseAfterUnload") is Verdict.VIOLATED


LAST_STEP_CALL = HEADER + """func f() -> 0..3 { step s { n = 1  return n } }
func g() { step t { n = 2  return } }
actor a { local v: 0..3 = 0
    step x { v = call f() }
    step w { call g() }
}
invariant Stored "the result step of x stores what f returned": a at x.f => a.f.result == 1
"""


def test_a_call_in_the_last_step_returns_to_done_not_to_a_result_step():
    # PlusCal returns to the label after the call; after the actor's last step come its
    # result steps, so the call names where the process goes
    from movspec.emit import emit
    model = next(iter(load_text(LAST_STEP_CALL, "f.mspec").models.values()))
    tla = emit(model).tla
    at = tla.index("a_w:")
    assert tla[at:].split("\n")[1:3] == ["            call g();", "            goto Done;"]
    # x, f.s, x.f, w, g.t, Done (the invariant reads the result step: not fused)
    assert check(model, symmetry=False).stats.distinct == 6
    # without it the return of f stores v: x, f.s, w, g.t, Done
    fused = next(iter(load_text(LAST_STEP_CALL.split("invariant")[0], "f.mspec").models.values()))
    assert check(fused, symmetry=False).stats.distinct == 5
    assert 'if (Head(stack[self]).pc = "a_w") {' in emit(fused).tla


@pytest.mark.tlc
def test_a_call_in_the_last_step_agrees_with_tlc():
    model = next(iter(load_text(LAST_STEP_CALL, "f.mspec").models.values()))
    ours, tlc = assert_backends_agree(model, symmetry=False)
    assert tlc.stats.distinct == ours.stats.distinct == 6
