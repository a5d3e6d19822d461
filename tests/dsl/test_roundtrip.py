"""Round trip: pretty-print a random syntax tree, parse it again, get an equal tree (spans
aside). Exercises the printer's parenthesisation against the grammar's precedence levels."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movspec.dsl import ast as A
from movspec.dsl.parser import parse
from movspec.dsl.printer import decl, expr, print_file, stmt

from .dsl_strategies import BINOPS, bodies, decls, exprs

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reparse_invariant(e):
    tree, diags = parse(f"invariant I: {expr(e)}\n")
    assert diags == [], (expr(e), diags[0].render())
    return tree.decls[0].expr


@SETTINGS
@given(exprs)
def test_expression_round_trip(e) -> None:
    assert _reparse_invariant(e) == e, expr(e)


@SETTINGS
@given(bodies)
def test_statement_round_trip(body) -> None:
    step = A.StepD("s", None, None, body)
    src = "actor a {\n" + "\n".join(decl(A.ActorD("a", None, None, None, (), (step,)))[1:])
    tree, diags = parse(src)
    assert diags == [], (src, diags[0].render())
    assert tree.decls[0].steps[0].body == body, src


@SETTINGS
@given(st.lists(decls, min_size=1, max_size=4))
def test_declaration_round_trip(ds) -> None:
    src = print_file(ds)
    tree, diags = parse(src)
    assert diags == [], (src, diags[0].render())
    assert list(tree.decls) == ds, src


def test_card_of_card_is_not_an_or() -> None:
    e = A.CardE(A.CardE(A.Name("S")))
    assert _reparse_invariant(e) == e
    assert stmt(A.SkipS()) == ["skip"]


def test_every_operator_pair_round_trips() -> None:
    """Each binary operator as the left and the right operand of each other: the printer's
    parentheses must agree with the grammar's precedence and associativity exactly."""
    a, b, c = A.Name("a"), A.Name("b"), A.Name("c")
    ops = BINOPS + ["~>"]
    lines, trees = [], []
    for outer in ops:
        for inner in ops:
            for t in (A.BinaryE(outer, A.BinaryE(inner, a, b), c), A.BinaryE(outer, a, A.BinaryE(inner, b, c))):
                trees.append(t)
                lines.append(f"invariant I: {expr(t)}")
    for u in ("!", "-"):
        for inner in ops:
            t = A.UnaryE(u, A.BinaryE(inner, a, b))
            trees.append(t)
            lines.append(f"invariant I: {expr(t)}")
    tree, diags = parse("\n".join(lines) + "\n")
    assert diags == [], diags[0].render()
    got = [d.expr for d in tree.decls]
    bad = [line for line, g, t in zip(lines, got, trees) if g != t]
    assert bad == []
