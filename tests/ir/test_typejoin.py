"""The one type join (ir.typejoin), shared by the type checker and the compiled checker."""

from __future__ import annotations

from movspec.ir import nodes as N
from movspec.ir.typejoin import join

PAGES = N.AtomType(("p1", "p2"), "Pages")


def test_unknown_and_empty_join_to_the_other_side() -> None:
    assert join(None, PAGES) is PAGES and join(PAGES, None) is PAGES
    assert join(N.AtomType(()), N.IntType(0, 3)) == N.IntType(0, 3)
    assert join(N.SetType(None), N.SetType(N.BoolType())) == N.SetType(N.BoolType())


def test_atoms_unite_in_order_and_keep_a_common_name() -> None:
    assert join(PAGES, PAGES) is PAGES
    assert join(PAGES, N.AtomType(("none",))) == N.AtomType(("p1", "p2", "none"))
    assert join(N.AtomType(("b",)), N.AtomType(("a", "b"))) == N.AtomType(("b", "a"))


def test_integer_ranges_widen_and_an_unbounded_integer_stays_unbounded() -> None:
    assert join(N.IntType(0, 2), N.IntType(5, 7)) == N.IntType(0, 7)
    unbounded = N.IntType(None, None)
    assert join(N.IntType(0, 2), unbounded) is unbounded and join(unbounded, N.IntType(0, 2)) is unbounded


def test_sets_join_their_elements_and_unlike_kinds_keep_the_left() -> None:
    assert join(N.SetType(N.IntType(1, 1)), N.SetType(N.IntType(3, 4))) == N.SetType(N.IntType(1, 4))
    assert join(N.BoolType(), N.IntType(0, 1)) == N.BoolType()
