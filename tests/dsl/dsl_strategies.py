"""Hypothesis strategies for movspec syntax trees (shared by the round-trip and robustness
tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from movspec.dsl import ast as A

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
small_exprs = st.recursive(leaves, _extend, max_leaves=3)  # inside statements and declarations


def _lvalue():
    base = st.builds(A.Name, NAMES)
    return st.recursive(base, lambda t: st.builds(A.FieldE, t, NAMES) | st.builds(A.IndexE, t, small_exprs),
                        max_leaves=3)


simple_stmts = st.one_of(
    st.builds(A.AssignS, _lvalue(), st.sampled_from(["=", "+=", "-="]), small_exprs),
    st.builds(A.ChooseS, _lvalue(), small_exprs),
    st.builds(A.AwaitS, small_exprs),
    st.builds(A.GotoS, STEPS),
    st.builds(A.AssertS, small_exprs, TEXT, st.none() | NAMES),
    st.builds(A.CallS, NAMES, NAMES, st.lists(small_exprs, max_size=2).map(tuple)),
    st.builds(A.UnloadS, NAMES),
    st.just(A.SkipS()),
    st.builds(A.MacroS, NAMES, st.lists(small_exprs, max_size=2).map(tuple)),
)


def _compound(inner):
    body = st.lists(inner, max_size=3).map(tuple)
    return st.one_of(
        st.builds(A.WithS, NAMES, small_exprs, body),
        st.builds(A.IfS, small_exprs, body, st.none() | body),
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
steps = st.builds(A.StepD, NAMES, st.none() | TEXT, docs, bodies,
                  fairness=st.sampled_from([None, "unfair", "strong"]))
locals_ = st.builds(A.LocalD, NAMES, types, st.none() | small_exprs)
decls = st.one_of(
    st.builds(A.ModelD, NAMES, docs),
    st.builds(A.VarD, NAMES, docs, types, st.none() | small_exprs),
    st.builds(A.DefD, NAMES, st.none() | st.lists(NAMES, max_size=2).map(tuple), docs, small_exprs),
    st.builds(A.MacroD, NAMES, st.none() | st.lists(NAMES, max_size=2).map(tuple), st.none() | TEXT, docs, bodies),
    st.builds(A.ActorD, NAMES, st.sampled_from([None, "weak", "strong"]), st.none() | NAMES, docs,
              st.lists(locals_, max_size=2).map(tuple), st.lists(steps, min_size=1, max_size=2).map(tuple)),
    st.builds(A.InvariantD, NAMES, docs, small_exprs),
    st.builds(A.InductiveD, NAMES, docs, small_exprs),
    st.builds(A.AbstractD, NAMES, docs,
              st.lists(st.builds(A.VarD, NAMES, docs, types, st.none() | small_exprs), max_size=2).map(tuple),
              st.lists(st.builds(A.ActionD, NAMES,
                                 st.lists(st.tuples(NAMES, small_exprs), max_size=2).map(tuple), docs, bodies),
                       max_size=2).map(tuple)),
    st.builds(A.RefinementD, NAMES, docs, NAMES,
              st.lists(st.builds(A.MappingD, NAMES, small_exprs), max_size=3).map(tuple)),
    st.builds(A.ForD, st.lists(NAMES, min_size=1, max_size=2).map(tuple),
              st.lists(st.builds(A.InductiveD, NAMES, docs, small_exprs)
                       | st.builds(A.InvariantD, NAMES, docs, small_exprs), max_size=2).map(tuple)),
    st.builds(A.ExpectD, NAMES, st.sampled_from(["holds"]), st.lists(NAMES, max_size=2).map(tuple)),
)
