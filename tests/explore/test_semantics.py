"""The semantics of a step and the checking rules of ``ir.nodes``, one rule per test."""

from __future__ import annotations

from movspec.explore import check
from movspec.explore import explore_graph
from movspec.ir import nodes as ir
from movspec.result import Fn, Rec, Verdict

from . import models as M
from .models import B, I, V, actor, assign, eq, model, op, step


def _states(m):
    g = explore_graph(m)
    return [g.comp.layout.state(g.comp.dec(s)) for s in g.states]


def test_read_after_write_in_one_step_sees_the_new_value():
    a = actor("a", [step("s", assign(V("x"), I(1)), assign(V("y"), op("+", V("x"), I(1))))])
    m = model("rw", vars_=[ir.Var("x", ir.IntType(0, 3), I(0)), ir.Var("y", ir.IntType(0, 3), I(0))],
              actors=[a])
    final = [s for s in _states(m) if s["pc"].get("a") == ir.DONE]
    assert [(s["x"], s["y"]) for s in final] == [(1, 2)]


def test_await_blocks_the_whole_step():
    # the assignment before the await must not happen when the await blocks
    a = actor("a", [step("s", assign(V("x"), I(1)), ir.Await(B(False)))])
    m = model("aw", vars_=[ir.Var("x", ir.IntType(0, 1), I(0))], actors=[a])
    res = check(m)
    assert res.stats.distinct == 1
    assert res.property(ir.DEADLOCK).verdict is Verdict.VIOLATED
    assert res.property(ir.DEADLOCK).message == "deadlock: no step is enabled (a at s)"


def test_all_done_is_not_a_deadlock_and_allow_deadlock_drops_the_property():
    a = actor("a", [step("s", ir.Skip())])
    res = check(model("done", actors=[a]))
    assert res.property(ir.DEADLOCK).verdict is Verdict.HOLDS
    stuck = model("stuck", actors=[actor("a", [step("s", ir.Await(B(False)))])], allow_deadlock=True)
    res = check(stuck)
    assert res.property(ir.DEADLOCK) is None
    assert [p.name for p in res.properties] == [ir.TYPE_OK]


def test_either_and_with_branch_and_goto_moves_pc():
    a = actor("a", [
        step("s", ir.Either(((assign(V("x"), I(1)),), (assign(V("x"), I(2)), ir.Goto("s"))))),
        step("t", ir.With("v", ir.RangeLit(I(0), I(2)), (assign(V("y"), ir.BoundRef("v")),))),
    ])
    m = model("br", vars_=[ir.Var("x", ir.IntType(0, 2), I(0)), ir.Var("y", ir.IntType(0, 2), I(0))],
              actors=[a], allow_deadlock=True)
    states = {(s["x"], s["y"], s["pc"].get("a")) for s in _states(m)}
    assert states == {(0, 0, "s"), (1, 0, "t"), (2, 0, "s"), (1, 0, ir.DONE), (1, 1, ir.DONE), (1, 2, ir.DONE)}


def test_with_over_an_empty_set_blocks():
    a = actor("a", [step("s", ir.With("v", ir.SetLit(()), (assign(V("x"), I(1)),)))])
    m = model("empty", vars_=[ir.Var("x", ir.IntType(0, 1), I(0))], actors=[a])
    assert check(m).property(ir.DEADLOCK).verdict is Verdict.VIOLATED


def test_failed_assert_is_recorded_and_the_step_completes():
    a = actor("a", [step("s", ir.Assert(B(False), "boom", "Checks"), assign(V("x"), I(1))),
                    step("t", ir.Skip())])
    m = model("as", vars_=[ir.Var("x", ir.IntType(0, 1), I(0))], actors=[a],
              props=[ir.AssertProperty("Checks")])
    res = check(m)
    assert res.stats.distinct == 3  # the step completed: x = 1, then t ran
    p = res.property("Checks")
    assert p.verdict is Verdict.VIOLATED and p.message == "boom" and p.kind == "assert"
    last = p.trace.steps[-1]
    assert (last.actor, last.step, last.state, last.failure) == ("a", "s", None, "boom")


def test_invariant_violating_states_are_still_expanded():
    a = actor("a", [step("s", assign(V("x"), I(1))), step("t", assign(V("x"), I(2)))])
    m = model("inv", vars_=[ir.Var("x", ir.IntType(0, 2), I(0))], actors=[a],
              props=[ir.Invariant("Small", op("<", V("x"), I(1)))])
    res = check(m)
    assert res.stats.distinct == 3 and res.stats.depth == 3
    assert res.property("Small").verdict is Verdict.VIOLATED
    assert len(res.property("Small").trace) == 2


def test_typeok_violation_keeps_exploring_past_the_declared_range():
    a = actor("a", [step("s", assign(V("x"), I(1), "+="), ir.Goto("s"))])
    m = model("over", vars_=[ir.Var("x", ir.IntType(0, 2), I(0))], actors=[a],
              props=[ir.Invariant("Stop", op("<=", V("x"), I(4)))])
    res = check(m, max_depth=6)
    assert res.property(ir.TYPE_OK).verdict is Verdict.VIOLATED
    assert len(res.property(ir.TYPE_OK).trace) == 4  # x = 3 after three steps
    assert res.property("Stop").verdict is Verdict.VIOLATED
    assert res.stats.distinct == 6


def test_counter_past_its_range_is_a_typeok_violation_then_incomplete():
    # x += 1 forever on 0..2: TypeOK is violated at x = 3 (a normal violation, 3 steps); the
    # search goes on past it within the layout's headroom, then stops: what it has not decided
    # is INCOMPLETE (never ERROR for all, never HOLDS)
    a = actor("a", [step("s", assign(V("x"), I(1), "+="), ir.Goto("s"))])
    m = model("runaway", vars_=[ir.Var("x", ir.IntType(0, 2), I(0))], actors=[a],
              props=[ir.Invariant("Small", op("<=", V("x"), I(5)))])
    res = check(m)
    assert res.error is None and not res.complete
    assert "headroom" in res.reason
    tok = res.property(ir.TYPE_OK)
    assert tok.verdict is Verdict.VIOLATED and len(tok.trace) == 4
    assert res.property("Small").verdict is Verdict.VIOLATED and len(res.property("Small").trace) == 7
    assert res.property(ir.DEADLOCK).verdict is Verdict.INCOMPLETE


def test_one_step_far_out_of_range_is_a_typeok_violation_with_the_failing_step():
    # x = 200 from 0..2 cannot be stored: the TypeOK counterexample ends with the step that
    # computes it (as TLC's ends with the state it reaches)
    a = actor("a", [step("s", assign(V("x"), I(200)))])
    m = model("far", vars_=[ir.Var("x", ir.IntType(0, 2), I(0))], actors=[a])
    res = check(m)
    tok = res.property(ir.TYPE_OK)
    assert tok.verdict is Verdict.VIOLATED
    assert len(tok.trace) == 2 and tok.trace.steps[-1].step == "s"
    assert "x = 200" in tok.trace.steps[-1].failure
    assert res.property(ir.DEADLOCK).verdict is Verdict.INCOMPLETE


def test_function_applied_outside_its_domain_is_an_error_with_the_step():
    Items = ir.Const("Items", atoms=("i1", "i2"))
    T = ir.AtomType(("i1", "i2"), "Items")
    a = actor("a", [step("s", assign(V("y"), ir.Index(V("g"), M.Loc("a", "c"))))],
              locals_=[ir.Local("c", T, None)])
    m = model("dom", consts=[Items], actors=[a],
              vars_=[ir.Var("g", ir.FuncType(T, ir.IntType(0, 1)), ir.FuncLit("k", M.C("Items"), I(0))),
                     ir.Var("y", ir.IntType(0, 1), I(0))])
    res = check(m)
    assert res.error is not None and "step a.s" in res.error
    assert "outside its domain" in res.error
    assert "KeyError" not in res.error and "TypeError" not in res.error and "IndexError" not in res.error
    p = res.property(ir.TYPE_OK)
    assert p.verdict is Verdict.ERROR
    assert [r.step for r in p.trace.steps] == [None, "s"] and p.trace.steps[-1].failure == res.error


def test_a_violation_found_before_an_evaluation_error_stands():
    # n counts up; Low (n < 2) fails at n = 2; a division by zero at n = 3 comes later:
    # Low keeps its counterexample, the rest is ERROR with the error's trace
    n = V("n")
    a = actor("a", [step("one", assign(n, I(1), "+=")),
                    step("two", ir.If(op("==", n, I(3)), (assign(V("m"), op("/", I(10), op("-", n, I(3)))),), ()),
                         ir.Goto("one"))])
    m = model("later", vars_=[ir.Var("n", ir.IntType(0, 20), I(0)), ir.Var("m", ir.IntType(0, 20), I(0))],
              actors=[a], props=[ir.Invariant("Low", op("<", n, I(2)))])
    res = check(m)
    low = res.property("Low")
    assert low.verdict is Verdict.VIOLATED and len(low.trace) == 4
    assert res.error is not None and "division by zero" in res.error and "step a.two" in res.error
    for name in (ir.TYPE_OK, ir.DEADLOCK):
        p = res.property(name)
        assert p.verdict is Verdict.ERROR and p.trace is not None and len(p.trace) == 7
        assert p.trace.steps[-1].step == "two" and p.trace.steps[-1].state is None


def test_trace_rows_name_actor_step_and_changed_variables():
    res = check(M.race(), symmetry=False)
    trace = res.property("AllCounted").trace
    first = trace.steps[0]
    assert (first.actor, first.step) == (None, None)
    assert first.state == {"x": 0, "inc.t": Fn((("p1", 0), ("p2", 0))), "pc": Fn((("p1", "read"), ("p2", "read")))}
    rows = [(s.actor, s.proc, s.step) for s in trace.steps[1:]]
    assert sorted(rows) == [("inc", "p1", "read"), ("inc", "p1", "write"), ("inc", "p2", "read"), ("inc", "p2", "write")]
    writes = [s for s in trace.steps if s.step == "write"]
    assert writes[0].changes[0] == ("x", 0, 1)
    assert trace.steps[-1].state["x"] == 1


def test_traces_under_symmetry_are_concrete_steps():
    res = check(M.mutex(3, broken=True), symmetry=True)
    trace = res.property("Exclusion").trace
    prev = trace.steps[0].state
    for row in trace.steps[1:]:
        # each row's pc change is the named process's own pc
        pcs = [c for c in row.changes if c[0].startswith("pc[")]
        assert pcs and all(c[0] == f"pc[{row.proc}]" for c in pcs)
        assert prev["pc"].get(row.proc) == row.step
        prev = row.state


def test_records_functions_and_sets_in_traces():
    res = check(M.choices(), symmetry=False)
    assert res.complete
    g = explore_graph(M.choices())
    st = g.comp.layout.state(g.comp.dec(g.states[0]))
    assert st["taken"] == frozenset()
    assert st["slot"].get("i1") == Rec((("n", 0), ("on", False)))
    assert st["picker.cur"] == Fn((("picker", ir.DEFAULT_INIT),))


def test_coverage_counts_every_step():
    res = check(M.deadlock(), symmetry=False)
    cov = dict(res.coverage)
    assert set(cov) == {f"{a}.{s}" for a in ("left", "right") for s in ("take1", "take2", "drop")}
    assert cov["left.take1"] > 0 and cov["left.drop"] > 0


def test_leadsto_is_reported_for_every_property_name():
    a = actor("a", [step("s", assign(V("x"), B(True)))], )
    a = ir.Actor("a", None, (), a.steps, fairness="weak")
    m = model("live", vars_=[ir.Var("x", ir.BoolType(), B(False))], actors=[a],
              props=[ir.LeadsTo("Eventually", (), op("==", V("x"), B(False)), eq(V("x"), B(True)))])
    res = check(m)
    names = [p.name for p in res.properties]
    assert names == list(m.property_names)
    assert res.property("Eventually").kind == "leadsto"
    assert res.property("Eventually").verdict in (Verdict.HOLDS, Verdict.INCOMPLETE)


def test_first_stops_at_the_first_violation_and_leaves_the_rest_incomplete():
    full = check(M.race(), symmetry=False)
    first = check(M.race(), symmetry=False, first=True)
    violated = [p for p in first.properties if p.verdict is Verdict.VIOLATED]
    assert len(violated) >= 1 and not first.complete and "first violation" in first.reason
    for p in violated:  # the same shortest counterexample the full search finds
        assert len(p.trace) == len(full.property(p.name).trace)
    assert all(p.verdict in (Verdict.VIOLATED, Verdict.INCOMPLETE) for p in first.properties)
    assert first.stats.distinct <= full.stats.distinct
