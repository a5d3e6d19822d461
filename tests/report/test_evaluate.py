"""Why an invariant is false: the binding and the part, evaluated on a trace state."""

from dataclasses import replace

from movspec.explore import check
from movspec.ir import nodes as N
from movspec.report.evaluate import why_false
from movspec.report.explain import explain_lines
from movspec.result import Fn, Rec

from . import handbuilt as hb
from . import mini_ir

PAGES = N.ConstRef("Pages")
P = N.BoundRef("p")


def _page(field):
    return N.Field(N.Index(N.VarRef("page"), P), field)


def _state(ref, isolated, loaded=True):
    return {"page": Fn((("P1", Rec((("ref", ref), ("isolated", isolated)))),)), "driver_loaded": loaded,
            "compactor.p": Fn((("C1", "P1"), ("C2", "defaultInitValue"))),
            "pc": Fn((("C1", "get"), ("C2", "scan"), ("driver", "Done"), ("loader", "unload")))}


HYGIENE = N.Invariant("FreeHygiene", N.Quant("forall", "p", PAGES, N.Binary(
    "=>", N.Binary("==", _page("ref"), N.IntLit(0)), N.Unary("!", _page("isolated")))))


def test_names_the_binding_and_the_false_part():
    m = hb.model()
    assert why_false(HYGIENE, _state(0, True), m) == "for p = P1: `page[p].ref == 0` holds but `page[p].isolated` is true"
    assert why_false(HYGIENE, _state(1, True), m) is None  # it holds there


def test_type_ok_names_the_leaf_out_of_range():
    m = hb.model()
    inv = N.Invariant("TypeOK", N.InType(N.VarRef("page"), m.var("page").type))
    assert why_false(inv, _state(4, False), m) == "`page[P1].ref` is 4, outside 0..3"


def test_comparisons_show_their_values_and_at_reads_pc():
    m = hb.model()
    c = N.BoundRef("c")
    inv = N.Invariant("X", N.Quant("forall", "c", N.ConstRef("Cpus"), N.Binary(
        "=>", N.At("compactor", c, ("get",)), N.Binary("==", N.LocalRef("compactor", "p", c), N.AtomLit("P2", "model")))))
    assert why_false(inv, _state(1, False), m) == \
        "for c = C1: `compactor[c] at get` holds but `compactor[c].p == P2` does not hold (`compactor[c].p` is P1)"


def test_unreadable_expressions_give_no_reason():
    m = hb.model()
    inv = N.Invariant("Y", N.Binary("==", N.LocalRef("compactor", "p", None), N.AtomLit("P1", "model")))
    assert why_false(inv, _state(1, False), m) is None


def test_explain_says_why_an_invariant_fails():
    m = mini_ir.model("racy")
    inv = N.Invariant("OneRef", N.Binary("=>", N.VarRef("driver_loaded"),
                                         N.Binary("<=", N.VarRef("ref"), N.IntLit(1))))
    m = replace(m, properties=m.properties + (inv,))
    p = check(m).property("OneRef")
    lines = explain_lines(p, m)
    assert "After step 1 the invariant `OneRef` is false: `driver.loaded` holds but `ref <= 1` does not hold " \
           "(`ref` is 2)." in lines
