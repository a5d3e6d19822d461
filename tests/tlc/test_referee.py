"""Without Java: ``--backend both`` as a referee (``expect.disagreements`` on constructed
results), TLC's runtime errors read from recorded output (tests/fixtures/tlc/runtime/, real
runs) and mapped to DSL steps and properties, and the state constraints of ``tlc.bounds``."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.emit.module import emit
from movspec.expect import disagreements
from movspec.load import load
from movspec.result import CheckResult, PropertyResult, Stats, Trace, TraceStep, Verdict
from movspec.tlc import bounds
from movspec.tlc.backend import jvm_start_failure
from movspec.tlc.errors import describe, is_runtime, runtime_error
from movspec.tlc.output import parse_output
from movspec.tlc.trace import TraceMapper

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "tlc" / "runtime"
H, V, I, E = Verdict.HOLDS, Verdict.VIOLATED, Verdict.INCOMPLETE, Verdict.ERROR


def _trace(n_steps: int) -> Trace:
    rows = [TraceStep(None, None, None, None, None, {"x": 0})]
    rows += [TraceStep("a", "a", "s", None, None, {"x": i}) for i in range(1, n_steps + 1)]
    return Trace(tuple(rows))


def _res(backend, props, *, complete=True, distinct=10, symmetry=False, error=None):
    ps = tuple(PropertyResult(n, kind, v, msg, tr) for n, kind, v, msg, tr in props)
    return CheckResult("m", "base", backend, ps, Stats(distinct=distinct), complete=complete,
                       reason=None if complete else "evaluation error", error=error, symmetry=symmetry)


def _p(name, v, *, kind="invariant", msg=None, steps=None):
    return (name, kind, v, msg, None if steps is None else _trace(steps))


# --------------------------------------------------------------------------- the referee

def test_holds_against_error_is_a_disagreement():
    b = _res("builtin", [_p("TypeOK", H), _p("Readable", H)])
    t = _res("tlc", [_p("TypeOK", V, steps=0), _p("Readable", E, msg="function applied outside its domain")],
             complete=False, error="function applied outside its domain")
    assert disagreements(b, t) == [
        "base: TypeOK: builtin says holds, tlc says violated",
        "base: Readable: builtin says holds, tlc says error (function applied outside its domain)",
    ]


def test_every_pair_of_different_verdicts_disagrees():
    for x in Verdict:
        for y in Verdict:
            got = disagreements(_res("builtin", [_p("P", x)], complete=False),
                                _res("tlc", [_p("P", y)], complete=False))
            assert bool(got) == (x is not y), (x, y, got)


def test_counterexample_lengths_must_match_except_for_lassos():
    b = _res("builtin", [_p("Inv", V, steps=3), _p("Live", V, kind="leadsto", steps=4)])
    t = _res("tlc", [_p("Inv", V, steps=5), _p("Live", V, kind="leadsto", steps=7)])
    assert disagreements(b, t) == ["base: Inv: counterexample of 3 steps from builtin, 5 from tlc"]
    same = _res("tlc", [_p("Inv", V, steps=3), _p("Live", V, kind="leadsto", steps=7)])
    assert disagreements(b, same) == []


def test_a_property_only_one_side_reports_is_a_disagreement():
    b = _res("builtin", [_p("A", H), _p("B", H)])
    t = _res("tlc", [_p("A", H), _p("C", H)])
    assert disagreements(b, t) == ["base: B: builtin says holds, tlc does not report it",
                                   "base: C: tlc says holds, builtin does not report it"]


def test_distinct_states_compared_only_on_the_same_complete_search():
    b = _res("builtin", [_p("A", H)], distinct=10)
    assert disagreements(b, _res("tlc", [_p("A", H)], distinct=12)) == [
        "base: distinct states: builtin found 10, tlc found 12"]
    assert disagreements(b, _res("tlc", [_p("A", H)], distinct=12, symmetry=True)) == []
    cut_b = _res("builtin", [_p("A", I)], complete=False, distinct=10)
    cut_t = _res("tlc", [_p("A", I)], complete=False, distinct=12)
    assert disagreements(cut_b, cut_t) == []


# --------------------------------------------------------------------------- runtime errors

def _fixture(name):
    res = load([str(FIX / f"{name}.mspec")])
    assert res.ok, res.diagnostics
    (model,) = res.models.values()
    em = emit(model)
    translated = (FIX / f"{name}_translated.tla").read_text().split("\n")
    out = parse_output((FIX / f"{name}.out").read_text())
    errs = [e for e in out.errors if is_runtime(e)]
    assert len(errs) == 1, out.errors
    return em, translated, errs[0]


def test_division_by_zero_names_the_step_and_its_trace():
    em, translated, err = _fixture("divzero")
    info = runtime_error(em, translated, TraceMapper(em), err)
    assert info.message.startswith("division by zero in step worker.divide (")
    assert info.span is not None and (Path(info.span.file).name, info.span.line) == ("divzero.mspec", 9)
    rows = info.trace.steps
    # initial state, down, again, down, again, then the step that could not run
    assert [r.step for r in rows] == [None, "down", "again", "down", "again", "divide"]
    assert rows[-1].state is None and rows[-1].failure == info.message
    assert rows[-2].state["n"] == 1


def test_function_outside_its_domain_in_a_step():
    em, translated, err = _fixture("stepdom")
    info = runtime_error(em, translated, TraceMapper(em), err)
    assert info.message.startswith("function [0 |-> false, 1 |-> false, 2 |-> false] applied to 3, which is "
                                   "not in its domain in step reader.read (")
    assert info.span.line == 10
    assert [r.step for r in info.trace.steps] == [None, "first", "second", "read"]
    assert "Attempted" not in info.message and "java" not in info.message


def test_invariant_that_cannot_be_evaluated_is_named():
    em, translated, err = _fixture("invdom")
    assert err.name == "Late"  # TLC's 2111 "Evaluating invariant Late failed."
    info = runtime_error(em, translated, TraceMapper(em), err)
    assert info.message.startswith("function [0 |-> false, 1 |-> false, 2 |-> false] applied to 3")
    assert "evaluating invariant Late (" in info.message and info.span.line == 13
    assert [r.step for r in info.trace.steps] == [None, "first", "second"]  # ends in the state


def test_error_on_the_initial_state_gives_a_one_state_trace():
    em, translated, err = _fixture("initdom")
    info = runtime_error(em, translated, TraceMapper(em), err)
    # TLC nests the invariant's evaluation inside Init: the innermost definition wins
    assert "evaluating invariant Readable in the initial state (" in info.message
    assert len(info.trace.steps) == 1  # TLC prints the state in the message ("While working on ...")
    assert info.trace.steps[0].state["seen"] is False


def test_error_on_the_initial_state_without_the_state():
    em, translated, err = _fixture("wrongdom")  # TLC prints no state for a division by zero here
    info = runtime_error(em, translated, TraceMapper(em), err)
    assert info.message.startswith("division by zero evaluating invariant Ratio in the initial state (")
    assert info.span.line == 10 and info.trace is None


def test_initial_state_violation_carries_its_state():
    out = parse_output("@!@!@STARTMSG 2107:1 @!@!@\nInvariant TypeOK is violated by the initial state:\n"
                       "/\\ seen = FALSE\n/\\ k = 0\n\n@!@!@ENDMSG 2107 @!@!@\n")
    (err,) = out.errors
    assert err.kind == "invariant" and err.name == "TypeOK"
    assert [s.values for s in err.trace] == [{"seen": False, "k": 0}]


def test_describe_speaks_dsl():
    assert describe("The second argument of \\div is 0.") == "division by zero"
    assert describe("Attempted to compute the value of an expression of form\nCHOOSE x \\in S: P, but no "
                    "element of S satisfied P.") == "a choice from an empty set"


# --------------------------------------------------------------------------- constraints

def test_type_bound_widens_every_integer_by_the_builtin_headroom():
    res = load([str(FIX / "counter.mspec")])
    (model,) = res.models.values()
    em = emit(model)
    # 0..2: size 3, plus 8 on each side
    assert bounds.type_bound(em) == "(n \\in -11..13)"
    defs, names = bounds.definitions(em, bounds.Budget(max_states=100, max_depth=7))
    assert set(names) == {bounds.BOUND, bounds.MAX_STATES, bounds.MAX_DEPTH, bounds.DEPTH_PROBE}
    assert 'TLCGet("distinct") <= 100' in defs and 'TLCGet("level") < 7' in defs
    assert 'TLCGet("level") < 8' in defs  # the probe admits one level more
    assert 'PrintT("movspec:bound") /\\ TLCSet("exit", TRUE)' in defs
    assert bounds.cfg_lines(names, (bounds.MAX_DEPTH,)) == "CONSTRAINT MS_MaxDepth\n"


def test_a_cut_run_is_never_complete():
    text = ('@!@!@STARTMSG 2193:0 @!@!@\nModel checking completed. No error has been found.\n'
            '@!@!@ENDMSG 2193 @!@!@\n"movspec:max-states"\n@!@!@STARTMSG 2186:0 @!@!@\nFinished\n'
            '@!@!@ENDMSG 2186 @!@!@\n')
    out = parse_output(text)
    assert out.success and out.finished and out.markers == {"max-states"}
    assert not out.complete
    assert bounds.cut_reason(out.markers, bounds.Budget(max_states=4)) == \
        "state budget of 4 distinct states reached"


@pytest.mark.parametrize("output, detail", [
    ("Invalid maximum heap size: -Xmxfoo\nError: Could not create the Java Virtual Machine.\n"
     "Error: A fatal exception has occurred. Program will exit.\n", "Invalid maximum heap size: -Xmxfoo"),
    ("Unrecognized option: -Xbogus\nError: Could not create the Java Virtual Machine.\n", "Unrecognized option"),
    ("Error occurred during initialization of VM\nCould not reserve enough space for 104857600000KB object heap\n",
     "Could not reserve enough space"),
])
def test_jvm_start_failures_are_recognised(monkeypatch, output, detail):
    monkeypatch.setenv("MOVSPEC_JAVA_OPTS", "-Xmxfoo")
    why = jvm_start_failure(output)
    assert why.startswith("Java could not start ($MOVSPEC_JAVA_OPTS='-Xmxfoo'): ") and detail in why
    assert not why.startswith("error")
    assert jvm_start_failure("Translation completed.\n") is None
