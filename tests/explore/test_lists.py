"""Kernel lists (``list of T``): list_add/list_add_tail/list_del/list_move_tail with list
corruption failing ``Assertions``, list_empty/list_first_entry/membership/length, misuse as
located diagnostics, the naive interpreter agreeing with the builtin checker (with and without
symmetry), values in reports and read back from TLC, the emitted module, and TLC agreeing
state for state (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.emit import emit
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load, load_text
from movspec.report import itf
from movspec.result import Seq, Verdict, format_value, value_to_json
from movspec.tlc.values import convert, parse_value
from tests.conftest import assert_backends_agree

from .conftest import complete_verdicts as _verdicts, load_one as _one

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "balloon_list.mspec"

# two compactors take the head of a shared list; each moves its page to a list of its own
SHARED = """model shared
const Pages = {P1, P2, P3} symmetric
const Cpus = {C1, C2} symmetric
var pages: list of Pages
var mine: [Cpus -> list of Pages]
actor driver {
    local p: Pages
    step fill { any q in Pages { await q notin pages  list_add_tail(q, pages) } }
    step more { p = any Pages  if p notin pages { list_add(p, pages) } }
}
actor compactor(self in Cpus) {
    local p: Pages
    step take { await !list_empty(pages)  p = list_first_entry(pages) }
    step iso { list_del(p, pages) }
    step keep { list_add_tail(p, mine[self]) }
    step rotate { list_move_tail(p, mine[self]) }
}
invariant Short: |pages| <= 3 && forall c in Cpus: |mine[c]| <= 1
"""

# the order of a list: adds at the head and at the tail, a move to the tail, a delete
ORDER = """model order
enum Obj { a, b, c }
var l: list of Obj
var seen: list of Obj
actor w {
    step s1 { list_add(a, l) }
    step s2 { list_add(b, l) }
    step s3 { list_add_tail(c, l) }
    step s4 { list_move_tail(b, l) }
    step s5 { seen = l  list_del(a, l) }
}
"""

# a struct's list field, a def over a list parameter (inlined in the emitted TLA+) and an
# unset local put on a list: TypeOK fails, and both checkers go on past it
FIELD = """model field
const Pages = {P1, P2} symmetric
struct Dev { pages: list of Pages  n: 0..2 = 0 }
var dev: Dev
def on(x, l) = x in l
def count(l) = |l|
actor a {
    local p: Pages
    step add { list_add_tail(p, dev.pages) }
    step get { any q in Pages { list_add(q, dev.pages) } }
    step first { p = list_first_entry(dev.pages)  list_del(p, dev.pages) }
}
invariant OnSome: exists x in Pages: on(x, dev.pages) || count(dev.pages) == 0
"""

EMPTY_HEAD = """model head
const Pages = {P1, P2} symmetric
var pages: list of Pages
actor a {
    local p: Pages
    step s1 { any q in Pages { list_add(q, pages) } }
    step s2 { p = list_first_entry(pages)  list_del(p, pages) }
    step s3 { p = list_first_entry(pages) }
}
"""

# a refinement onto an abstract list, and inductive invariants over a list
PROOFS = """model proofs
const Pages = {P1, P2} symmetric
var pages: list of Pages
abstract Held {
    var held: list of Pages
    action put(p in Pages) { await p notin held  held = [] }
    action take(p in Pages) { await p in held  held = [] }
}
actor a {
    step s1 { any q in Pages { list_add(q, pages) } }
    step s2 { any q in Pages { if q in pages { list_del(q, pages) } } }
}
refinement R of Held { held = pages }
inductive Short: |pages| <= 2
inductive One: |pages| <= 1
"""

# a universe too large for the layout's tables (seven pages and defaultInitValue)
BIG = """model big
const Pages = {P1, P2, P3, P4, P5, P6, P7} symmetric
const Cpus = {C1, C2}
var pages: list of Pages
actor a(self in Cpus) {
    step s1 { any q in Pages { if q notin pages { list_add_tail(q, pages) } } }
    step s2 { await !list_empty(pages)  list_del(list_first_entry(pages), pages) }
}
"""

MODELS = {"shared": SHARED, "order": ORDER, "field": FIELD, "proofs": PROOFS, "big": BIG}


def _example():
    res = load([str(EXAMPLE)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def _final(model, prop):
    """The last state of ``prop``'s counterexample."""
    p = _verdicts(model)[prop]
    return [s.state for s in p.trace.steps if s.state is not None][-1]


def test_operations_keep_the_kernels_order():
    # the process is done only after s5: a failing invariant shows that state
    model = _one(ORDER + "invariant End: w at {s1, s2, s3, s4, s5}\n")
    last = _final(model, "End")
    # s1: [a]; s2: [b, a]; s3: [b, a, c]; s4 moves b to the tail: [a, c, b]; s5 deletes a
    assert last["seen"] == Seq(("a", "c", "b")) and last["l"] == Seq(("c", "b"))


@pytest.mark.parametrize("stmt,words", [
    ("list_add(a, l2)  list_del(a, l)", None),  # lists are apart: an object may be on two
    ("list_add(a, l2)  list_add(a, l)", "adds an element that is already on the list"),
    ("list_del(b, l)", "deletes an element that is not on the list"),
    ("list_move_tail(b, l)", "moves an element that is not on the list"),
])
def test_corruption_fails_assertions_naming_the_step(stmt, words):
    text = f"""model c
enum Obj {{ a, b }}
var l: list of Obj
var l2: list of Obj
actor w {{
    step s1 {{ list_add(a, l) }}
    step s2 {{ {stmt} }}
}}
"""
    p = _verdicts(_one(text))["Assertions"]
    if words is None:
        assert p.verdict is Verdict.HOLDS
        return
    assert p.verdict is Verdict.VIOLATED
    failure = p.trace.steps[-1].failure
    assert words in failure and "list corruption" in failure and "step `w.s2`" in failure


def test_after_a_corruption_the_list_is_as_the_kernel_leaves_it():
    # a second add of the same element and a delete of a missing one leave the list as it
    # was (CONFIG_DEBUG_LIST reports and skips them); a move still adds at the tail
    text = """model k
enum Obj { a, b, c }
var l: list of Obj
actor w {
    step s1 { list_add(a, l) }
    step s2 { list_add_tail(a, l) }
    step s3 { list_del(b, l) }
    step s4 { list_move_tail(c, l) }
}
invariant End: w at {s1, s2, s3, s4}
"""
    assert _final(_one(text), "End")["l"] == Seq(("a", "c"))


def test_first_entry_of_an_empty_list_is_an_evaluation_error():
    model = _one(EMPTY_HEAD)
    res = check(model)
    assert res.error is not None and "list_first_entry of an empty list" in res.error
    assert "a.s3" in res.error
    ref = explore(model)
    assert ref.error is not None and "empty list" in ref.error


@pytest.mark.parametrize("text,words", [
    ("var l: list of Pages\nactor a(self in Cpus) { step s { list_add(self, l) } }",
     "`list_add` of `self`, which is an atom (Cpus), on `l`, a list of Pages"),
    ("var l: list of 0..3\nactor a { step s { skip } }", "a list holds objects named by a constant set or an enum"),
    ("var l: list of Page\nactor a { step s { skip } }", "not `Page`"),
    ("var s: set of Pages = {}\nactor a { step s { list_del(P1, s) } }", "`list_del` needs a list"),
    ("var l: list of Pages\nvar s: set of Pages = {}\nactor a { step s { s = s | l } }", "is a list"),
    ("var l: list of Pages\nactor a { step s { await C1 in l } }", "never on `l`"),
    ("var l: list of Pages\nvar b: bool = false\nactor a { step s { b = list_add(P1, l) } }",
     "`list_add` returns no value"),
    ("var l: list of Pages\nactor a { step s { list_add(P1) } }", "takes 2 arguments"),
    ("var l: list of Pages\nvar x: Pages = P1\nactor a { step s { x = list_first_entry(x) } }",
     "`list_first_entry` needs a list"),
    ("var l: set of list of Pages = {}\nactor a { step s { skip } }", "a set cannot hold lists"),
    ("var l: list of Pages\nactor a { step s { list_add(P3, l) } }", "`list_add` of `P3`, which is an atom ({P3}), on `l`"),
])
def test_misuse_is_a_located_diagnostic(text, words):
    head = ("model m\nconst Pages = {P1, P2}\nconst Cpus = {C1, C2}\nenum E { P3 }\n"
            "struct Page { ref: 0..1 = 0 }\n")
    res = load_text(head + text + "\n", "m.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert any(words in d.message and d.span is not None and d.span.line > 5 and d.hint for d in errs), \
        [(d.message, d.span) for d in errs]


def test_reference_interpreter_agrees():
    models = {k: _one(v) for k, v in MODELS.items()}
    models.update(_example())
    for name, model in models.items():
        for symmetry in (False, True):
            ref = explore(model, symmetry=symmetry, max_states=20000)
            ours = check(model, symmetry=symmetry)
            assert ref.complete and ref.error is None, name
            assert (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth), (name, symmetry)
            # what the reference decides: invariants, assertions, deadlock
            got = {p.name: p for p in ours.properties if p.kind in ("invariant", "assert", "deadlock")}
            for prop, length in ref.violated.items():
                assert got[prop].verdict is Verdict.VIOLATED, (name, prop)
                assert len(got[prop].trace.steps) == length, (name, prop)
            assert {p for p, r in got.items() if r.verdict is Verdict.VIOLATED} == set(ref.violated), name


def test_proofs_over_lists():
    got = _verdicts(_one(PROOFS))
    # the abstract list stays [] while the model's gets an element
    assert got["R"].verdict is Verdict.VIOLATED and "held: [] -> [P" in got["R"].message
    # every list of distinct pages has at most two; from [P1] a step adds P2
    assert got["Short"].verdict is Verdict.HOLDS
    assert got["One"].verdict is Verdict.VIOLATED


def test_symmetry_permutes_the_elements_of_lists():
    model = _one(SHARED)
    full = check(model, symmetry=False).stats.distinct
    reduced = check(model, symmetry=True).stats.distinct
    ref = explore(model, symmetry=False)
    assert reduced < full and reduced == ref.orbits(model)


def test_values_print_and_read_back():
    assert format_value(Seq(("P2", "P1"))) == "[P2, P1]" and format_value(Seq()) == "[]"
    assert value_to_json(Seq(("P2", "P1"))) == ["P2", "P1"]
    assert itf.decode(itf.encode(Seq(("P2", "P1")))) == Seq(("P2", "P1"))  # ITF: a sequence is an array
    model = _one(SHARED)
    t = model.var("mine").type
    raw = parse_value('(C1 :> <<P2, P1>> @@ C2 :> <<>>)')
    got = convert(raw, t)
    assert got.get("C1") == Seq(("P2", "P1")) and got.get("C2") == Seq(())


def test_the_module_extends_sequences_only_for_lists():
    with_lists = emit(_one(SHARED)).tla
    assert "Sequences" in with_lists.splitlines()[[i for i, l in enumerate(with_lists.splitlines())
                                                    if l.startswith("EXTENDS")][0]]
    assert "MS_ListAddTail(pages, " in with_lists and "Head(pages)" in with_lists
    plain = emit(_one("model p\nvar x: 0..1 = 0\nactor a { step s { x = 1 } }\n")).tla
    assert "Sequences" not in plain and "MS_List" not in plain
    # a def with a list parameter cannot say on its own whether `in` is a set's or a list's
    field = emit(_one(FIELD)).tla
    assert "MS_OnList(dev.pages, x)" in field and "Len(dev.pages)" in field


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
@pytest.mark.parametrize("which", ["shared", "order", "field", "proofs", "big", "locked", "dequeue_unlocked"])
def test_lists_agree_with_tlc(which, symmetry):
    model = _one(MODELS[which]) if which in MODELS else _example()[which]
    assert_backends_agree(model, which, symmetry=symmetry)


@pytest.mark.tlc
def test_first_entry_of_an_empty_list_is_an_error_for_tlc_too():
    from tests.conftest import tlc_check
    model = _one(EMPTY_HEAD)
    ours, tlc = check(model, symmetry=False), tlc_check(model, symmetry=False)
    assert ours.error and tlc.error
    assert {p.verdict for p in tlc.properties} == {Verdict.ERROR}
    assert (ours.stats.distinct, ours.stats.depth) == (tlc.stats.distinct, tlc.stats.depth)
