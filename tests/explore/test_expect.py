"""Expected verdicts versus results (``movspec.expect``)."""

from __future__ import annotations

from movspec.expect import disagreements, expected_verdict, mismatches
from movspec.ir import nodes as ir
from movspec.result import CheckResult, PropertyResult, Stats, Verdict

from .models import model


def _model(*expectations):
    return model("m", props=[ir.Invariant("A", ir.BoolLit(True)), ir.Invariant("B", ir.BoolLit(True))],
                 expectations=expectations)


def _result(verdicts, *, complete=True, backend="builtin", distinct=10, symmetry=False):
    props = tuple(PropertyResult(n, "invariant", v, message=None) for n, v in verdicts.items())
    return CheckResult("m", "base", backend, props, Stats(distinct=distinct), complete=complete,
                       reason=None if complete else "state budget of 5 distinct states reached",
                       symmetry=symmetry)


H, V, I, E = Verdict.HOLDS, Verdict.VIOLATED, Verdict.INCOMPLETE, Verdict.ERROR


def test_expected_verdict_rules():
    m = _model(ir.Expectation("holds", ()), ir.Expectation("violates", ("B",)))
    assert expected_verdict(m, "A") == "holds"
    assert expected_verdict(m, "B") == "violates"  # violates wins over holds all
    assert expected_verdict(_model(ir.Expectation("holds", ("A",))), "B") is None


def test_met_expectations_give_no_mismatch():
    m = _model(ir.Expectation("holds", ("A",)), ir.Expectation("violates", ("B",)))
    assert mismatches(_result({"A": H, "B": V, "TypeOK": H, "Deadlock": V}), m) == []


def test_each_kind_of_mismatch_has_a_message():
    m = _model(ir.Expectation("holds", ("A",)), ir.Expectation("violates", ("B", "Nope")))
    got = mismatches(_result({"A": V, "B": H, "TypeOK": E}), m)
    msgs = [x.message for x in got]
    assert msgs == [
        "base: A: expected to hold, but it is violated",
        "base: B: expected to be violated, but it holds",
        "base: TypeOK: error: the back end could not check it",
        "base: Nope: expected to be violated, but the model has no property Nope",
    ]
    assert [x.kind for x in got] == ["unexpected", "unexpected", "error", "missing"]


def test_incomplete_never_meets_an_expectation():
    m = _model(ir.Expectation("holds", ()))
    got = mismatches(_result({"A": I, "B": H}, complete=False), m)
    assert [(x.prop, x.kind) for x in got] == [("A", "unconfirmed")]
    assert "incomplete (state budget of 5 distinct states reached)" in got[0].message


def test_disagreements_compare_verdicts_and_counts():
    a = _result({"A": H, "B": V})
    assert disagreements(a, _result({"A": H, "B": V}, backend="tlc")) == []
    b = _result({"A": V, "B": V}, backend="tlc", distinct=11)
    assert disagreements(a, b) == ["base: A: builtin says holds, tlc says violated",
                                   "base: distinct states: builtin found 10, tlc found 11"]
    # counts are compared only for complete searches at equal symmetry settings
    c = _result({"A": H, "B": V}, backend="tlc", distinct=3, symmetry=True)
    assert disagreements(a, c) == []
    d = _result({"A": H, "B": V}, backend="tlc", distinct=3, complete=False)
    assert disagreements(a, d) == []
    # an undecided verdict against a decided one is a disagreement too
    e = _result({"A": I, "B": V}, backend="tlc", distinct=3, complete=False)
    assert disagreements(a, e) == ["base: A: builtin says holds, tlc says incomplete "
                                   "(state budget of 5 distinct states reached)"]
