"""The runtime cases of a sound check, written as a new user would write them
(tests/fixtures/explore/soundness/): a violation stays found after a later evaluation error,
errors are located at the step with the trace that reaches it, a counter past its range is a
TypeOK violation and never an unbounded search, and the CLI shows all of it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from movspec.cli import cli
from movspec.explore import check
from movspec.load import load
from movspec.result import Verdict

from .conftest import FIXTURES

CASES = FIXTURES / "soundness"


def _model(name):
    res = load([CASES / f"{name}.mspec"])
    assert res.ok, [str(d) for d in res.diagnostics]
    (m,) = res.models.values()
    return m


def _verdicts(r):
    return {p.name: p.verdict for p in r.properties}


def test_counter_past_its_range_is_typeok_violated_in_three_steps():
    r = check(_model("overflow"))
    assert _verdicts(r) == {"TypeOK": Verdict.VIOLATED, "Small": Verdict.VIOLATED,
                            "Deadlock": Verdict.INCOMPLETE}
    tok = r.property("TypeOK").trace
    assert len(tok) - 1 == 3 and tok.steps[-1].state["n"] == 3
    assert len(r.property("Small").trace) - 1 == 6
    assert r.error is None and not r.complete and "headroom" in r.reason


def test_violation_before_an_evaluation_error_keeps_its_counterexample():
    r = check(_model("later_error"))
    low = r.property("Low")
    assert low.verdict is Verdict.VIOLATED and len(low.trace) - 1 == 3
    assert low.message == "invariant Low is violated"
    assert "division by zero in step a.two (" in r.error and "later_error.mspec:8:5" in r.error
    for name in ("TypeOK", "Deadlock"):
        p = r.property(name)
        assert p.verdict is Verdict.ERROR and p.message == r.error
        assert [s.step for s in p.trace.steps] == [None, "one", "two", "one", "two", "one", "two"]
        assert p.trace.steps[-1].failure == r.error


def test_modulo_by_a_negative_number_is_an_error_at_the_step():
    r = check(_model("modulo"))
    assert set(_verdicts(r).values()) == {Verdict.ERROR}
    assert r.error.startswith("the second argument of % must be positive, not -2 in step a.one")


def test_function_literal_over_a_smaller_set_is_an_error_not_a_shifted_function():
    r = check(_model("literal_domain"))
    assert Verdict.HOLDS not in _verdicts(r).values()
    assert "not all of Pages" in r.error and "step a.one" in r.error


def _cli(*args):
    env = {"MOVSPEC_TLA2TOOLS": "", "MOVSPEC_TLC_BACKEND": "", "MOVSPEC_CACHE": "/nonexistent",
           "COLUMNS": "100"}
    return CliRunner().invoke(cli, ["check", *args], env=env, catch_exceptions=False)


def test_cli_prints_the_error_trace_and_the_violation_it_did_not_erase(tmp_path):
    out = tmp_path / "r.json"
    r = _cli(str(CASES / "later_error.mspec"), "-q", "--backend", "builtin", "--traces", "all",
             "--json", str(out))
    assert r.exit_code == 1, r.output
    text = " ".join(r.output.split())  # titles wrap in narrow tables
    assert "later_error · evaluation error, 6 steps" in text
    assert "later_error · Low: violated (no expectation), 3 steps" in text
    assert "Traceback" not in r.output and "KeyError" not in r.output
    doc = json.loads(out.read_text())
    (res,) = doc["results"]
    assert {p["name"]: p["verdict"] for p in res["properties"]} == {
        "TypeOK": "error", "Low": "violated", "Deadlock": "error"}
    assert res["complete"] is False


def test_cli_overflow_ends_and_reports_typeok_with_its_trace():
    r = _cli(str(CASES / "overflow.mspec"), "-q", "--backend", "builtin", "--traces", "all")
    text = " ".join(r.output.split())
    assert "overflow · TypeOK: violated (no expectation), 3 steps" in text
    assert "overflow: search incomplete: n = 14 is outside its type 0..2" in text


def test_an_assert_failed_before_a_value_outside_its_type_stays_found():
    # the step fails its assert, then stores `none` into a `set of Ids`: the search ends at the
    # value (TypeOK), and the assertion failed before it is reported too, as TLC reports it
    r = check(_model("assert_then_out_of_type"))
    assert _verdicts(r) == {"TypeOK": Verdict.VIOLATED, "Assertions": Verdict.VIOLATED,
                            "Deadlock": Verdict.INCOMPLETE}
    a = r.property("Assertions")
    assert [s.step for s in a.trace.steps] == [None, "st"] and a.trace.steps[-1].state is None
    assert r.error is None and not r.complete
