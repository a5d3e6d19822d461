"""The kernel's bit and atomic operations (``set_bit``, ``__clear_bit``, ``test_and_set_bit``,
``atomic_inc_not_zero``, ``cmpxchg``, ...): each atomic one has exactly the states of the plain
statements it stands for, a non-atomic one is a load and a store that another process can run
between (the lost update of examples/flags.mspec), misuse is a diagnostic with a place and a
hint, and the builtin checker and TLC agree on all of it (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load, load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ROOT / "examples" / "flags.mspec"

HEADER = """model m
flags F { A, B = 3, W = 7 }
enum E { e1, e2 }
const Pages = {P1, P2}
var w: set of F = {A}
var pw: [Pages -> set of F]
var cur: Pages = P1
var n: 0..3 = 1
var m: 0..3 = 0
"""


def _model(text: str):
    res = load_text(HEADER + text, "k.mspec")
    errors = [d.render(res.sources) for d in res.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    return next(iter(res.models.values()))


def _graph(text: str, symmetry: bool = False):
    res = check(_model(text), symmetry=symmetry)
    assert res.error is None and res.complete
    return res.stats.distinct, res.stats.depth, {p.name: p.verdict for p in res.properties}


# each operation, and the plain statements it means; two processes run them against a third
# that changes the same word or counter, so any difference in meaning changes the graph
SAME = [
    ("set_bit(B, w)", "w = w | {B}"),
    ("clear_bit(A, w)", "w = w \\ {A}"),
    ("clear_bit_unlock(A, w)", "w = w \\ {A}"),
    ("change_bit(A, w)", "w = if A in w then w \\ {A} else w | {A}"),
    ("x = test_and_set_bit(B, w)", "x = B in w  w = w | {B}"),
    ("x = test_and_set_bit_lock(A, w)", "x = A in w  w = w | {A}"),
    ("x = test_and_clear_bit(A, w)", "x = A in w  w = w \\ {A}"),
    ("x = test_and_change_bit(B, w)", "x = B in w  w = if B in w then w \\ {B} else w | {B}"),
    ("x = clear_bit_unlock_is_negative_byte(A, w)", "x = W in (w \\ {A})  w = w \\ {A}"),
    ("atomic_inc(m)", "m += 1"),
    ("atomic_dec(n)", "n -= 1"),
    ("x = atomic_inc_not_zero(n)", "if n != 0 { x = true  n += 1 } else { x = false }"),
    ("x = atomic_dec_and_test(n)", "x = n == 1  n -= 1"),
    ("k = xchg(m, 2)", "k = m  m = 2"),
    ("k = cmpxchg(n, 1, 0)", "k = n  if n == 1 { n = 0 }"),
]


def _pair(body: str) -> str:
    return f"""
actor a(self in Pages) {{
    local x: bool = false
    local k: 0..3 = 0
    step one {{ {body} }}
    step two {{ {body} }}
}}
actor other {{
    step flip {{ either {{ w = w | {{W}} }} or {{ w = w \\ {{A}} }} or {{ n = 1 }} or {{ m = 1 }} }}
}}
invariant Seen: forall p in Pages: a[p].k <= 2 || a[p].x
"""


@pytest.mark.parametrize("op,plain", SAME, ids=[s[0] for s in SAME])
def test_an_atomic_operation_has_the_states_of_the_statements_it_stands_for(op, plain):
    assert _graph(_pair(op)) == _graph(_pair(plain))


def test_the_nonatomic_clear_loses_a_concurrent_set():
    res = load([str(FLAGS)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    out = check(res.models["nonatomic"], symmetry=False)
    p = next(p for p in out.properties if p.name == "ReferencedKept")
    assert p.verdict is Verdict.VIOLATED
    # the load, the other CPU's atomic set, then the store of the old word
    assert [s.step for s in p.trace.steps[1:]] == ["unlock", "access", "unlock.__clear_bit"]
    for name in ("atomic", "negative_byte"):
        got = {q.name: q.verdict for q in check(res.models[name], symmetry=False).properties}
        assert got["ReferencedKept"] is Verdict.HOLDS and got["Unlocked"] is Verdict.HOLDS, name


def test_a_nonatomic_operation_is_a_load_then_a_store():
    text = """
actor a { step s { __set_bit(B, w) } step t { skip } }
actor b { step u { w = {} } }
invariant ClearKept: (a at t) && (b at done) => A notin w
"""
    model = _model(text)
    a = model.actor("a")
    assert [s.name for s in a.steps] == ["s", "s.__set_bit", "t"]
    assert [l.name for l in a.locals] == ["s.__set_bit"]
    # only b's clear between a's load and a's store is lost
    res = check(model, symmetry=False)
    p = next(p for p in res.properties if p.name == "ClearKept")
    assert p.verdict is Verdict.VIOLATED
    assert [s.step for s in p.trace.steps[1:]] == ["s", "u", "s.__set_bit"]
    atomic = _graph(text.replace("__set_bit(B, w)", "set_bit(B, w)"))
    assert atomic[2]["ClearKept"] is Verdict.HOLDS
    # the same in a function: its local, its store step, and a return after it
    fmodel = _model("func f() { step s { if n > 0 { __clear_bit(A, w) } } }\nactor a { step s { call f() } }")
    f = fmodel.functions[0]
    assert [s.name for s in f.steps] == ["s", "s.__clear_bit"]


def test_paths_without_the_operation_skip_its_store():
    text = """
actor a { local go: bool = false
    step s { either { __set_bit(B, w) } or { go = true } }
    step t { skip } }
invariant NoStoreWithoutOp: (a at t) && a.go => w == {A}
"""
    assert _graph(text)[2]["NoStoreWithoutOp"] is Verdict.HOLDS


def test_reference_interpreter_agrees_on_the_flags_example():
    for name, model in load([str(FLAGS)]).models.items():
        ref = explore(model, max_states=10000)
        ours = check(model, symmetry=False)
        assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth), name


@pytest.mark.parametrize("body,at,words", [
    ("set_bit(3, w)", "3", "the bit of `set_bit` must be one of the bits of `w`"),
    ("set_bit(e1, w)", "e1", "`e1` is not a bit of `w`"),
    ("set_bit(A, n)", "n", "needs a flags word"),
    ("atomic_inc(w)", "w", "needs an integer counter"),
    ("x = set_bit(A, w)", "x = set_bit(A, w)", "`set_bit` returns no value"),
    ("__set_bit(A, pw[cur])", "cur", "can change before its store"),
    ("__set_bit(A, w)  x = true", "x = true", "statement after `__set_bit` in step `s` is never run"),
    ("x = test_and_set_bit(A, w) || true", "test_and_set_bit(A, w)", "cannot be part of an expression"),
    ("set_bt(A, w)", "set_bt(A, w)", "did you mean `set_bit`"),
    ("set_bit(A, w, w)", "set_bit(A, w, w)", "takes 2 arguments, 3 given"),
    ("set_bit(A, w + 1)", "w + 1", "must be a variable, a local or a part of one"),
])
def test_misuse_says_where_and_what(body, at, words):
    text = f"actor a {{ local x: bool = false\n step s {{ {body} }} }}\n"
    col = len(" step s { ") + body.index(at) + 1
    res = load_text(HEADER + "\n" + text, "k.mspec")
    errs = [(d.span.line - HEADER.count("\n"), d.span.col, d.message, d.hint) for d in res.diagnostics
            if d.severity.value == "error"]
    assert any(l == 3 and c == col and words in (m + " " + (h or "")) for l, c, m, h in errs), errs
    assert all(h for _, _, _, h in errs)


def test_negative_byte_needs_a_numbered_bit_7():
    res = load_text("model m\nflags G { A, B }\nvar w: set of G = {}\nactor a { local x: bool = false\n"
                    " step s { x = clear_bit_unlock_is_negative_byte(A, w) } }\n", "k.mspec")
    assert any("has no bit 7" in d.message and d.span.line == 5 for d in res.diagnostics)
    res = load_text("model m\nflags G { A = 1, B = 1 }\n", "k.mspec")
    assert any("are both bit 1" in d.message and d.span.line == 2 for d in res.diagnostics)
    res = load_text("model m\nflags G { A = 64 }\n", "k.mspec")
    assert any("outside 0..63" in d.message for d in res.diagnostics)


@pytest.mark.tlc
@pytest.mark.parametrize("variant", ["nonatomic", "atomic", "negative_byte"])
def test_flags_example_agrees_with_tlc(variant):
    model = load([str(FLAGS)]).models[variant]
    ours, _ = assert_backends_agree(model, symmetry=False)
    # no leadsto here: the lengths of all its counterexamples were compared
    assert all(p.kind != "leadsto" for p in ours.properties)


@pytest.mark.tlc
@pytest.mark.parametrize("op,plain", SAME[:4] + SAME[9:], ids=[s[0] for s in SAME[:4] + SAME[9:]])
def test_atomic_operations_agree_with_tlc(op, plain):
    assert_backends_agree(_model(_pair(op)), op, symmetry=True, verdicts=False, traces=False)


def test_two_nonatomic_operations_of_one_step_store_only_the_one_that_ran():
    # each path's store step must go on to the next step, not fall into the other path's store
    text = """
var c: bool = true
var v: set of F = {A, B}
actor a { step s { if c { __clear_bit(A, v) } else { __clear_bit(B, v) } } step e { skip } }
invariant OnlyA: (a at e) => v == {B}
"""
    res = check(_model(text), symmetry=False)
    got = {p.name: p for p in res.properties}
    assert got["OnlyA"].verdict is Verdict.HOLDS, got["OnlyA"].trace
    model = _model(text)
    stores = [s for s in model.actor("a").steps if s.name.startswith("s.")]
    assert [s.name for s in stores] == ["s.__clear_bit", "s.__clear_bit2"]
    assert stores[0].body[-1].target == "e"
