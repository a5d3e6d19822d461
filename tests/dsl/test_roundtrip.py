"""Round trip: pretty-print a random syntax tree, parse it again, get an equal tree (spans
aside). Exercises the printer's parenthesisation against the grammar's precedence levels."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movspec.dsl import ast as A
from movspec.dsl.parser import parse
from movspec.dsl.printer import decl, expr, print_file, stmt

NAMES = st.sampled_from(["a", "b", "p", "page", "Pages", "x_1", "ops", "null", "ref", "C1"])
STEPS = st.sampled_from(["scan", "get", "done", "isolate"])
TEXT = st.text(alphabet=st.sampled_from(list("ab \"\\:.-_")), max_size=12)
BINOPS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "=>", "<=>",
          "in", "notin", "subset", "|", "&", "\\"]

leaves = st.one_of(
    st.builds(A.Name, NAMES),
    st.builds(A.IntE, st.integers(0, 99)),
    st.builds(A.BoolE, st.booleans()),
    st.just(A.SelfE()),
)


def _extend(inner):
    small = st.lists(inner, max_size=3).map(tuple)
    return st.one_of(
        st.builds(A.SetE, small),
        st.builds(A.FilterE, NAMES, inner, inner),
        st.builds(A.FuncE, NAMES, inner, inner),
        st.builds(A.CardE, inner),
        st.builds(A.RangeE, inner, inner),
        st.builds(A.FieldE, inner, NAMES),
        st.builds(A.IndexE, inner, inner),
        st.builds(A.ApplyE, NAMES, st.lists(st.builds(A.Arg, st.none() | NAMES, inner), max_size=2).map(tuple)),
        st.builds(A.UnaryE, st.sampled_from(["!", "-"]), inner),
        st.builds(A.BinaryE, st.sampled_from(BINOPS), inner, inner),
        st.builds(A.QuantE, st.sampled_from(["forall", "exists"]),
                  st.lists(st.tuples(NAMES, inner), min_size=1, max_size=2).map(tuple), inner),
        st.builds(A.IfE, inner, inner, inner),
        st.builds(A.AtE, st.none() | st.builds(A.Name, NAMES) | st.builds(A.IndexE, st.builds(A.Name, NAMES), inner),
                  st.lists(STEPS, min_size=1, max_size=2).map(tuple)),
    )


exprs = st.recursive(leaves, _extend, max_leaves=12)


def _lvalue():
    base = st.builds(A.Name, NAMES)
    return st.recursive(base, lambda t: st.builds(A.FieldE, t, NAMES) | st.builds(A.IndexE, t, exprs),
                        max_leaves=3)


simple_stmts = st.one_of(
    st.builds(A.AssignS, _lvalue(), st.sampled_from(["=", "+=", "-="]), exprs),
    st.builds(A.ChooseS, _lvalue(), exprs),
    st.builds(A.AwaitS, exprs),
    st.builds(A.GotoS, STEPS),
    st.builds(A.AssertS, exprs, TEXT, st.none() | NAMES),
    st.builds(A.CallS, NAMES, NAMES, st.lists(exprs, max_size=2).map(tuple)),
    st.builds(A.UnloadS, NAMES),
    st.just(A.SkipS()),
    st.builds(A.MacroS, NAMES, st.lists(exprs, max_size=2).map(tuple)),
)


def _compound(inner):
    body = st.lists(inner, max_size=3).map(tuple)
    return st.one_of(
        st.builds(A.WithS, NAMES, exprs, body),
        st.builds(A.IfS, exprs, body, st.none() | body),
        st.builds(A.EitherS, st.lists(body, min_size=2, max_size=3).map(tuple)),
    )


stmts = st.recursive(simple_stmts, _compound, max_leaves=6)
bodies = st.lists(stmts, max_size=4).map(tuple)

types = st.recursive(
    st.one_of(st.just(A.BoolT()), st.builds(A.NamedT, NAMES),
              st.builds(A.RangeT, st.integers(-3, 5) | NAMES, st.integers(0, 9) | NAMES),
              st.builds(A.AtomsT, st.lists(NAMES, min_size=1, max_size=3).map(tuple))),
    lambda t: st.builds(A.FuncT, t, t) | st.builds(A.SetT, t),
    max_leaves=4,
)
docs = st.none() | TEXT
steps = st.builds(A.StepD, NAMES, st.none() | TEXT, docs, bodies)
locals_ = st.builds(A.LocalD, NAMES, types, st.none() | exprs)
decls = st.one_of(
    st.builds(A.ModelD, NAMES, docs),
    st.builds(A.VarD, NAMES, docs, types, st.none() | exprs),
    st.builds(A.DefD, NAMES, st.none() | st.lists(NAMES, max_size=2).map(tuple), docs, exprs),
    st.builds(A.MacroD, NAMES, st.none() | st.lists(NAMES, max_size=2).map(tuple), st.none() | TEXT, docs, bodies),
    st.builds(A.ActorD, NAMES, st.sampled_from([None, "weak", "strong"]), st.none() | NAMES, docs,
              st.lists(locals_, max_size=2).map(tuple), st.lists(steps, min_size=1, max_size=2).map(tuple)),
    st.builds(A.InvariantD, NAMES, docs, exprs),
    st.builds(A.ExpectD, NAMES, st.sampled_from(["holds"]), st.lists(NAMES, max_size=2).map(tuple)),
)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
