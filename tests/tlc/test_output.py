"""The -tool output parser and the trace mapping, on TLC output recorded from real runs
(tests/fixtures/tlc/*.out; each file's header says which run it came from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.emit import emit
from movspec.result import Fn, Rec
from movspec.tlc.output import iter_messages, parse_output, parse_sany, Message
from movspec.tlc.runner import LineMap, _site
from movspec.tlc.trace import TraceMapper
from movspec.tlc.values import Raw, ValueSyntaxError, convert, parse_value
from movspec.ir import nodes as ir
from tests.emit import handmade

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "tlc"


def fixture(name: str) -> str:
    return (FIX / name).read_text()


# --------------------------------------------------------------------------- values

@pytest.mark.parametrize("text, value", [
    ("3", 3), ("-2", -2), ("TRUE", True), ("FALSE", False), ('"ops"', "ops"), ("C1", "C1"),
    ('"a\\"b"', 'a"b'),
    ("<<>>", Raw("seq", ())), ("{}", Raw("set", ())),
    ("{C1, C2}", Raw("set", ("C1", "C2"))),
    ("<<1, \"x\">>", Raw("seq", (1, "x"))),
    ("[ref |-> 1, lock |-> \"none\"]", Raw("fn", (("ref", 1), ("lock", "none")))),
    ("(C1 :> 0 @@ C2 :> 1)", Raw("fn", (("C1", 0), ("C2", 1)))),
    ('(P1 :> [ref |-> 1] @@ P2 :> [ref |-> 0])', Raw("fn", (("P1", Raw("fn", (("ref", 1),))), ("P2", Raw("fn", (("ref", 0),)))))),
])
def test_parse_value(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["[a |-> ]", "<<1, 2", "(C1 :> 0 @@)", "1 2", "@"])
def test_parse_value_rejects_garbage(text):
    with pytest.raises(ValueSyntaxError):
        parse_value(text)


def test_convert_by_type():
    page = handmade.PAGE
    raw = parse_value('(P1 :> [ref |-> 1, lock |-> "none", mapping |-> "ops", isolated |-> FALSE])')
    v = convert(raw, ir.FuncType(handmade.PAGES, page))
    assert v == Fn((("P1", Rec((("ref", 1), ("lock", "none"), ("mapping", "ops"), ("isolated", False)))),))
    # a function over 1..n prints as a tuple; a set of atoms as a set
    assert convert(parse_value("<<TRUE, FALSE>>"), ir.FuncType(ir.IntType(1, 2), ir.BoolType())) == \
        Fn(((1, True), (2, False)))
    assert convert(parse_value("{P2, P1}"), ir.SetType(ir.AtomType(("P1", "P2")))) == frozenset({"P1", "P2"})
    # domain order is the declaration order, not TLC's
    t = ir.FuncType(ir.AtomType(("zz", "aa"), "E"), ir.IntType(0, 3))
    assert convert(parse_value('[aa |-> 1, zz |-> 2]'), t) == Fn((("zz", 2), ("aa", 1)))


# --------------------------------------------------------------------------- messages

def test_messages_are_framed_by_code():
    items = list(iter_messages(fixture("success.out")))
    msgs = [m for m in items if isinstance(m, Message)]
    assert msgs[0].code == 2262 and "TLC2 Version 2.18" in msgs[0].text
    assert any(isinstance(m, str) and m.startswith("Parsing file") for m in items)


def test_success_run():
    out = parse_output(fixture("success.out"))
    assert out.version == "2.18"
    assert out.errors == []
    assert out.success and out.finished and out.complete
    assert (out.generated, out.distinct, out.queue, out.depth) == (307, 132, 0, 13)


def test_invariant_violation_with_trace_then_deadlock():
    out = parse_output(fixture("invariant_deadlock.out"))
    inv = [e for e in out.errors if e.kind == "invariant"]
    assert inv and all(e.name == "FreeHygiene" for e in inv)
    first = inv[0]
    assert [s.num for s in first.trace] == [1, 2, 3]
    assert first.trace[0].action is None
    assert [s.action for s in first.trace[1:]] == ["driver_lock", "driver_release"]
    assert first.trace[2].values["page"] == Raw("fn", (("P1", Raw("fn", (
        ("ref", 0), ("lock", "none"), ("mapping", "ops"), ("isolated", False)))),))
    dead = out.first("deadlock")
    assert dead is not None and len(dead.trace) == 5
    assert not out.complete  # TLC stopped at the deadlock with states left


def test_assertion_failure():
    out = parse_output(fixture("assert.out"))
    err = out.first("assert")
    assert err.info == Raw("seq", ("Assertions", 2, "C1"))
    assert len(err.trace) == 5
    assert err.trace[-1].values["pc"] == Raw("fn", (("C1", "compactor_migrate"), ("C2", "compactor_scan"),
                                                     ("driver", "driver_lock"), ("loader", "loader_unload")))
    assert not out.complete
    # the nested-expression positions (2103) attach to the failure
    assert any(e.locations for e in out.errors if e.kind == "assert")


def test_assertion_failure_then_spurious_deadlock():
    out = parse_output(fixture("assert_deadlock.out"))
    kinds = [e.kind for e in out.errors]
    assert kinds[0] == "assert" and "deadlock" in kinds
    assert out.errors[0].info == Raw("seq", ("NoUseAfterUnload", 1, "C1"))


def test_temporal_violation_is_a_lasso():
    out = parse_output(fixture("temporal.out"))
    err = out.first("temporal")
    assert err is not None and err.stuttering and err.loop_to is None
    assert len(err.trace) >= 2


def test_sany_error():
    out = parse_output(fixture("sany_error.out"))
    assert out.first("sany") is not None
    assert len(out.sany_errors) == 1
    e = out.sany_errors[0]
    assert (e.line, e.col, e.module) == (90, 14, "locked")
    assert e.message == "Unknown operator: `MS_Checks'."


def test_sany_parse_error_text():
    lines = ["***Parse Error***", "Encountered \"=\" at line 12, column 7 and token \"x\"", "",
             "Fatal errors while parsing TLA+ spec in file M"]
    (e,) = parse_sany(lines)
    assert (e.line, e.col) == (12, 7) and e.message.startswith("Encountered")


# --------------------------------------------------------------------------- mapping back

def test_assert_trace_maps_to_dsl_steps():
    em = emit(handmade.model("nolock"))
    out = parse_output(fixture("assert_deadlock.out"))
    err = out.errors[0]
    site, proc = _site(em, err.info)
    assert (site.prop, site.actor, site.step, proc) == ("NoUseAfterUnload", "compactor", "isolate", "C1")
    assert site.span.line == 22
    tr = TraceMapper(em).trace(err.trace, failure=(site, proc))
    rows = tr.steps
    assert rows[0].actor is None and rows[0].state["pc"] == Fn(
        (("C1", "scan"), ("C2", "scan"), ("driver", "lock"), ("loader", "unload")))
    assert rows[0].state["compactor.p"] == Fn((("C1", "defaultInitValue"), ("C2", "defaultInitValue")))
    assert rows[0].state["driver.n"] == Fn((("driver", 0),))
    moves = [(r.actor, r.proc, r.step) for r in rows[1:]]
    assert moves[-1] == ("compactor", "C1", "isolate")
    assert ("loader", "loader", "unload") in moves
    last = rows[-1]
    assert last.state is None and last.failure.startswith("use-after-unload: driver.isolate_page")
    assert last.anchor == "mm/migrate.c:isolate_movable_page"
    unload = next(r for r in rows if r.step == "unload")
    assert ("driver_loaded", True, False) in unload.changes
    assert ("pc[loader]", "unload", "Done") in unload.changes


def test_invariant_trace_maps_changes():
    em = emit(handmade.model("leaky"))
    out = parse_output(fixture("invariant_deadlock.out"))
    tr = TraceMapper(em).trace(out.errors[0].trace)
    assert [(r.actor, r.proc, r.step) for r in tr.steps[1:]] == [("driver", "driver", "lock"),
                                                                  ("driver", "driver", "release")]
    release = tr.steps[2]
    assert ("page[P1].ref", 1, 0) in release.changes
    assert release.span.line == 34 and release.anchor == "mm/balloon_compaction.c:balloon_page_dequeue"


def test_temporal_trace_loops_on_its_last_state():
    em = emit(handmade.model("leaky"))
    err = parse_output(fixture("temporal.out")).first("temporal")
    tr = TraceMapper(em).trace(err.trace, loop_to=err.loop_to, stuttering=err.stuttering)
    assert tr.loop_start == len(tr.steps) - 1


def test_lasso_loops_back_by_the_step_tlc_names():
    # TLC -tool prints "1: Back to state: <cpu_release line 87, ...>": the lasso's last step is
    # cpu_release, back to state 1; the trace ends with that step, as the builtin's lassos do
    from movspec.load import load_text
    from tests.traces import assert_trace_is_an_execution
    root = Path(__file__).resolve().parents[2]
    text = (root / "examples" / "spinlock.mspec").read_text().replace("fair+ actor", "fair actor")
    res = load_text(text, "spinlock.mspec")
    assert res.ok
    model = res.models["test_and_set"]
    err = parse_output(fixture("lasso.out")).first("temporal")
    assert (err.loop_to, err.loop_action) == (1, "cpu_release")
    tr = TraceMapper(emit(model)).trace(err.trace, loop_to=err.loop_to, loop_action=err.loop_action,
                                        stuttering=err.stuttering)
    assert tr.loop_start == 0 and len(tr.steps) == len(err.trace) + 1
    assert tr.steps[-1].step == "release" and tr.steps[-1].state == tr.steps[0].state
    prop = next(p for p in model.properties if p.name == "Progress")
    from movspec.result import PropertyResult, Verdict
    assert_trace_is_an_execution(model, PropertyResult(prop.name, "leadsto", Verdict.VIOLATED, "", tr))


@pytest.mark.parametrize("text, want", [
    ("24: Back to state: <compactor_get line 558, col 24 to line 571, col 74 of module m>", (24, "compactor_get")),
    ("Back to state 24: <compactor_get line 558, col 24 to line 571, col 74 of module m>", (24, "compactor_get")),
    ("Back to state 3.", (3, None)),
    ("something else", (None, None)),
])
def test_back_to_state_messages(text, want):
    # the first as TLC 2.18 prints it with -tool, the second as it prints it without
    from movspec.tlc.output import parse_back_to
    assert parse_back_to(text) == want


def test_sany_error_lines_map_into_the_translation():
    em = emit(handmade.model("leaky"))
    lm = LineMap(em, fixture("leaky_translated.tla"))
    lines = fixture("leaky_translated.tla").split("\n")
    # a line inside the translated action of a label maps to that step
    n = next(i for i, l in enumerate(lines, 1) if l.startswith("compactor_get(self) =="))
    assert lm.span(n + 1).line == 13
    # lines before the translation are the emitted ones
    n = next(i for i, l in enumerate(lines, 1) if "compactor_put:" in l)
    assert lm.span(n).line == 29
    # lines after the translation are shifted by its length
    n = next(i for i, l in enumerate(lines, 1) if l.startswith("TypeOK =="))
    assert lm.span(n).line == 40


def test_evaluation_error_with_nested_message():
    from movspec.tlc.runner import user_terms
    out = parse_output(fixture("eval_error.out"))
    err = out.first("eval")
    assert err is not None and err.code == 1000
    assert "Cannot cast tlc2.value.impl.BoolValue to tlc2.value.impl.IntValue" in err.message
    assert not any(m.code == 2154 for m in out.messages)  # merged into the 1000 message
    assert err.locations[0] == (171, 16, "locked")
    # a value printed over several lines
    pc = err.trace[0].values["pc"]
    assert pc == Raw("fn", (("C1", "compactor_scan"), ("C2", "compactor_scan"),
                            ("driver", "driver_lock"), ("loader", "loader_unload")))
    assert user_terms(err.message) == "a boolean was used where an integer is needed"


def test_evaluation_error_location_maps_to_the_step():
    from dataclasses import replace
    from movspec.span import Span
    m = handmade.model("locked")
    sp = Span("spec/mini.mspec", 33, 9, 33, 20)
    body = (ir.Assign(ir.LocalRef("driver", "n"), "+=", ir.BoolLit(True), span=sp),)
    driver = m.actor("driver")
    driver = replace(driver, steps=(replace(driver.steps[0], body=body),) + driver.steps[1:])
    m = replace(m, actors=tuple(driver if a.name == "driver" else a for a in m.actors))
    em = emit(m)
    lm = LineMap(em, fixture("eval_error_translated.tla"))
    line = parse_output(fixture("eval_error.out")).first("eval").locations[0][0]
    assert lm.span(line).line == 32  # driver.lock


def test_out_of_memory_is_recognised():
    # synthetic: the JVM's own line, which TLC does not frame, ends an otherwise normal start
    text = fixture("success.out").split("@!@!@STARTMSG 2185")[0] + \
        'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n'
    out = parse_output(text)
    assert [e.kind for e in out.errors] == ["memory"]
    assert not out.complete
