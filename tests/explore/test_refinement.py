"""Refinement checking in the embedded checker (``movspec.explore.refinement``), and the front
end of ``abstract`` / ``refinement`` / ``for`` declarations.

The verdicts of the small models were cross-checked with TLC 2.18 (tests/tlc/test_refinement_tlc.py
runs the same models through ``PROPERTY Abs!Spec``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.explore.refinement import abstract_successors, check_refinements
from movspec.ir import nodes as ir
from movspec.load import load, load_text
from movspec.result import Verdict

ROOT = Path(__file__).resolve().parents[2]

COUNTER = (ROOT / "tests" / "fixtures" / "explore" / "refine_counter.mspec").read_text()


def models(text: str = COUNTER, name: str = "counter.mspec"):
    res = load_text(text, name)
    assert res.ok, [d.message for d in res.diagnostics]
    return res.models


def test_lost_update_is_not_a_step_of_the_abstract_counter():
    res = check_refinements(models()["racy"])["RefinesCount"]
    assert res.verdict is Verdict.VIOLATED and res.kind == "refinement"
    # the second write finishes a worker without adding one: the step is named, and the
    # mapped abstract states before and after are shown
    assert res.message.startswith("RefinesCount: step worker(w2).write maps to no action of abstract Count: "
                                  "finished: {w1} -> {w1, w2}")
    assert "abstract state before: k = 1, finished = {w1}; after: k = 1, finished = {w1, w2}" in res.message
    steps = [(s.proc, s.step) for s in res.trace.steps[1:]]
    assert steps == [("w1", "read"), ("w2", "read"), ("w1", "write"), ("w2", "write")]
    last = res.trace.steps[-1]
    assert dict((p, (o, n)) for p, o, n in last.changes) == {
        "done[w2]": (False, True), "pc[w2]": ("write", "Done")}


def test_atomic_increment_refines_the_counter():
    res = check_refinements(models()["atomic"])["RefinesCount"]
    assert res.verdict is Verdict.HOLDS
    assert "reachable states" in res.message


def test_initial_state_must_map_to_an_abstract_initial_state():
    res = check_refinements(models()["off_by_one"])["RefinesCount"]
    assert res.verdict is Verdict.VIOLATED
    assert res.message == ("RefinesCount: the initial state maps to a state that is not initial in abstract "
                           "Count (k is 1, not 0)")
    assert len(res.trace) == 1


def test_variant_override_replaces_the_mapping():
    m = models()
    racy = m["racy"].get_property("RefinesCount")
    off = m["off_by_one"].get_property("RefinesCount")
    assert isinstance(off, ir.Refinement) and off.mapping[0][1] != racy.mapping[0][1]
    assert off.abstract == racy.abstract


def test_state_budget_gives_incomplete_never_holds():
    res = check_refinements(models()["atomic"], max_states=3)["RefinesCount"]
    assert res.verdict is Verdict.INCOMPLETE


def test_abstract_actions_branch_and_choose():
    text = """
model m
const S = {a, b}
var x: 0..1 = 0
actor w { step s { x = 1 } }
abstract A {
    var v: 0..3 = 0
    var who: S | {nobody} = nobody
    action pick(s in S) { await v == 0  either { v = 1 } or { v = 2 }  who = s }
    action bump() { if v > 0 { v = v + 1 } else { any y in {2, 3} { v = y } } }
}
refinement R of A { v = x  who = nobody }
"""
    m = next(iter(models(text, "m.mspec").values()))
    spec = m.get_property("R").abstract
    succ = abstract_successors(m, spec, {"v": 0, "who": "nobody"})
    assert succ == {(1, "a"): "pick(s = a)", (2, "a"): "pick(s = a)", (1, "b"): "pick(s = b)",
                    (2, "b"): "pick(s = b)", (2, "nobody"): "bump()", (3, "nobody"): "bump()"}
    assert abstract_successors(m, spec, {"v": 2, "who": "a"}) == {(3, "a"): "bump()"}


# ------------------------------------------------------------------ front end


def test_new_declarations_round_trip_through_the_printer():
    f, diags = parse(COUNTER + "for racy, atomic { inductive Small: n <= 3 }\n", "c.mspec")
    assert not diags
    g, diags2 = parse(print_file(f), "c.mspec")
    assert not diags2 and g == f


@pytest.mark.parametrize("snippet, message", [
    ("refinement R of Nope { k = n }", "refinement `R` names abstract `Nope`, which does not exist"),
    ("refinement R of Count { k = n }", "refinement `R` does not map abstract variable `finished`"),
    ("refinement R of Count { k = n  finished = {}  kk = 1 }",
     "refinement `R` maps `kk`, which is not a variable of abstract `Count`"),
    ("abstract B { var z: bool = false  action a() { goto s } }\nrefinement R of B { z = true }",
     "`goto` outside an actor"),
    ("abstract B { var z: bool = false  action a() { assert z, \"no\" } }\nrefinement R of B { z = true }",
     "`assert` in action `a` of abstract `B`"),
    ("for nowhere { inductive I: true }", "`for` names variant `nowhere`, which does not exist"),
    ("abstract B { var z: bool = false  var z: bool = true }\nrefinement R of B { z = true }",
     "abstract `B` declares variable `z` twice"),
    ("abstract B { var W: bool = false }\nrefinement R of B { W = true }",
     "abstract variable `W` has the name of a constant"),
    ("abstract Count { }", "abstract `Count` is declared twice"),
    ("refinement R of Count { k = true  finished = {} }", "abstract variable `k` of refinement `R` is"),
    ("inductive I: n", "inductive invariant `I` is an integer (0..3), not a bool"),
])
def test_diagnostics(snippet, message):
    res = load_text(COUNTER + snippet, "c.mspec")
    assert not res.ok
    assert any(d.message.startswith(message) for d in res.errors), [d.message for d in res.errors]


def test_abstract_variables_have_their_own_namespace():
    # `n` is a variable of the model and of the abstract: the mapping's left side is the
    # abstract one, its right side reads the model
    res = load_text(COUNTER + "abstract B { var n: 0..4 = 0 }\nrefinement R of B { n = n + 1 }", "c.mspec")
    assert res.ok
    r = res.models["racy"].get_property("R")
    assert r.mapping == (("n", ir.Binary("+", ir.VarRef("n"), ir.IntLit(1))),)


def test_abstract_atom_must_not_hide_a_model_name():
    text = COUNTER + """
abstract B { var z: {n, other} = other }
refinement R of B { z = other }
"""
    res = load_text(text, "c.mspec")
    assert any("atom `n` of abstract `B` has the name of a variable of the model" in d.message for d in res.errors)


def test_for_block_is_not_inherited():
    text = COUNTER + "for racy { inductive OnlyRacy: n <= 3 }\n"
    m = models(text)
    assert m["racy"].get_property("OnlyRacy") is not None
    assert m["atomic"].get_property("OnlyRacy") is None


# ------------------------------------------------------------------ the protocol model


@pytest.fixture(scope="module")
def protocol():
    res = load([str(ROOT / "spec"), str(ROOT / "spec" / "pageflags"), str(ROOT / "proofs")])
    assert res.ok, [d.message for d in res.errors]
    return res.models


@pytest.mark.slow
def test_refinement_matrix_of_the_protocol(protocol):
    verdicts = {v: check_refinements(m)["RefinesOwnership"] for v, m in protocol.items()}
    assert {v: r.verdict for v, r in verdicts.items()} == {
        "v4_8": Verdict.HOLDS, "v3": Verdict.VIOLATED, "per_driver_locking": Verdict.HOLDS,
        "per_driver_locking_modref": Verdict.HOLDS, "put_page_hook": Verdict.VIOLATED, "v6_0": Verdict.HOLDS,
        "per_driver_locking_rcu": Verdict.HOLDS, "v4_8_pageflags": Verdict.HOLDS,
        "v4_10_pageflags": Verdict.HOLDS, "v5_18_pageflags": Verdict.HOLDS}
    # v3: the double isolation, at the second compactor's isolate step (19 steps)
    v3 = verdicts["v3"]
    assert len(v3.trace) == 20 and v3.trace.steps[-1].proc == "C2" and v3.trace.steps[-1].step == "isolate_movable_page.isolate"
    assert "holder[P1]: {C1} -> {C1, C2}" in v3.message
    # put_page hook: the isolation of a page the driver released without PG_lock (11 steps)
    pph = verdicts["put_page_hook"]
    assert len(pph.trace) == 12 and pph.trace.steps[-1].step == "isolate_movable_page.isolate"
    assert [s.step for s in pph.trace.steps if s.actor == "owner"][-1] == "rel_lock"
    assert "stage[P1]: free -> vm_isolated" in pph.message


def test_expectations_name_the_refinement(protocol):
    exp = {v: [(e.verdict, e.properties) for e in m.expectations if "RefinesOwnership" in e.properties]
           for v, m in protocol.items()}
    assert exp["v3"] == [("violates", ("RefinesOwnership",))]
    assert exp["per_driver_locking"] == [("holds", ("RefinesOwnership",))]
    assert exp["put_page_hook"] == [("violates", ("RefinesOwnership",))]


def test_with_proofs_puts_the_verdicts_into_a_check_result():
    from movspec.explore import check
    from movspec.explore.proofs import with_proofs

    m = models(COUNTER + "inductive Small: n <= 3\n")["racy"]
    res = with_proofs(m, check(m))
    got = {p.name: (p.kind, p.verdict) for p in res.properties}
    assert got["RefinesCount"] == ("refinement", Verdict.VIOLATED)
    # not inductive: from a state with t == 3 (type-correct, unreachable), write sets n to 4
    assert got["Small"] == ("inductive", Verdict.VIOLATED)
    assert "leads to a state where `TypeOK` is false" in res.property("Small").message
    assert [p.name for p in res.properties] == list(m.property_names)


def test_the_builtin_check_itself_decides_refinements_and_inductive_invariants():
    # every caller of `explore.check` (check, docs, explain, diff) gets the real verdicts
    from movspec.explore import check

    m = models(COUNTER + "inductive Small: n <= 3\n")["racy"]
    res = check(m)
    assert res.verdict("RefinesCount") is Verdict.VIOLATED
    assert res.verdict("Small") is Verdict.VIOLATED
    short = check(m, max_states=3)
    assert short.verdict("RefinesCount") is Verdict.INCOMPLETE
    assert short.verdict("Small") is Verdict.INCOMPLETE
