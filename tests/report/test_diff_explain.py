"""diff and explain on models checked by the real embedded checker."""

from movspec.explore import check
from movspec.report.diff import model_diff, replay, replay_on, verdict_diff
from movspec.report.explain import explain_lines, explain_text
from movspec.result import Verdict

from . import handbuilt as hb
from . import mini_ir


def _traces():
    a, b = mini_ir.model("racy"), mini_ir.model("waits")
    ra, rb = check(a), check(b)
    return a, b, ra, rb


def test_replay_blocks_where_b_waits():
    a, b, ra, rb = _traces()
    trace = ra.property("NoUseAfterUnload").trace
    assert [s.step for s in trace.steps] == [None, "get", "unload", "isolate"]
    rep = replay_on(trace, b)
    assert not rep.reproduced and rep.blocked_at == 2
    assert rep.reason == "B blocks the trace at step 2: `unload` of loader is not enabled in B here (it waits)"
    assert [s.status for s in rep.steps] == ["same", "same", "blocked"]


def test_replay_on_itself_reproduces():
    a, b, ra, rb = _traces()
    rep = replay_on(ra.property("NoUseAfterUnload").trace, a)
    assert rep.reproduced and rep.blocked_at is None
    assert rep.reason.startswith("B reproduces the violation at step 3: use-after-unload")


def test_replay_reports_a_different_effect():
    # B's `get` takes two references: same step, different state
    from dataclasses import replace
    from movspec.ir import nodes as ir
    a = mini_ir.model("racy")
    comp = a.actor("compactor")
    get2 = replace(comp.steps[0], body=(ir.Assign(ir.VarRef("ref"), "+=", ir.IntLit(2)),))
    b = replace(a, actors=(replace(comp, steps=(get2,) + comp.steps[1:]), a.actors[1]))
    rep = replay_on(check(a).property("NoUseAfterUnload").trace, b)
    assert rep.blocked_at == 1
    assert "leads elsewhere in B: ref is 3 in B, 2 in A" in rep.reason


def test_replay_failing_check_passes_in_b():
    from dataclasses import replace
    from movspec.ir import nodes as ir
    a = mini_ir.model("racy")
    comp = a.actor("compactor")
    guarded = replace(comp.steps[1], body=(ir.If(ir.VarRef("driver_loaded"), comp.steps[1].body),))
    b = replace(a, actors=(replace(comp, steps=(comp.steps[0], guarded, comp.steps[2])), a.actors[1]))
    rep = replay_on(check(a).property("NoUseAfterUnload").trace, b)
    assert rep.blocked_at == 3 and "runs in B without the failure" in rep.reason
    assert check(b).verdict("NoUseAfterUnload") is Verdict.HOLDS


def test_replay_initial_state_differs():
    a, b, ra, _ = _traces()
    trace = ra.property("NoUseAfterUnload").trace
    bad_init = dict(trace.steps[0].state, ref=0)
    rep = replay(trace, lambda s: [], [bad_init])
    assert rep.blocked_at == 0 and "ref is 0 in B, 1 in A" in rep.reason


def test_model_and_verdict_diff():
    a, b, ra, rb = _traces()
    items = model_diff(a, b)
    assert [(i.kind, i.what, i.name) for i in items] == [("changed", "step", "loader.unload")]
    sources = {"mini.mspec": "\n" * 19 + "    step unload { await ref == 1  driver_loaded = false }\n"}
    items = model_diff(a, b, sources)
    assert items[0].b == "step unload { await ref == 1  driver_loaded = false }"
    rows = verdict_diff(ra, rb)
    assert [(r.prop, r.a, r.b, r.same) for r in rows] == [
        ("NoUseAfterUnload", Verdict.VIOLATED, Verdict.VIOLATED, True),
        ("Deadlock", Verdict.HOLDS, Verdict.HOLDS, True)]


def test_explain_in_kernel_terms():
    a, _, ra, _ = _traces()
    lines = explain_lines(ra.property("NoUseAfterUnload"), a)
    assert lines[0] == "`NoUseAfterUnload` is violated in variant `racy` (unload at any time)."
    assert lines[1] == "The property: no call into an unloaded driver."
    assert lines[4] == ("1. **compactor C1** runs `get` in `isolate_movable_page()` (mm/migrate.c) "
                        "[mini.mspec:10]: `ref` 1 → 2.")
    assert "**loader** runs `unload` in `free_module()` (kernel/module.c) [mini.mspec:20]: " \
           "`driver_loaded` true → false; loader is done." in lines[5]
    assert lines[6].endswith("and fails: use-after-unload: driver.isolate_page called while module driver is unloaded.")
    assert lines[-1] == "At that point loader is done."


def test_explain_golden(golden):
    r = hb.results()[1]
    golden("explain_uau.md", explain_text(r.property("NoUseAfterUnload"), hb.model()))


def test_explain_holds_says_so():
    r = hb.results()[0]
    lines = explain_lines(r.property("TypeOK"), hb.model("v4_8"))
    assert lines == ["`TypeOK` holds in variant `v4_8` (PG_lock design, as merged in v4.8)."]


TRY_INC = """
model tryinc
const Cpus = {C1, C2} symmetric
var count: 0..2 = 0
func try_inc(limit: 0..2) -> bool @ "lib/x.c:try_inc" {
    step test {
        if count == limit { return false }
        count += 1
        return true
    }
}
actor cpu(self in Cpus) {
    local ok: bool = false
    step inc { ok = call try_inc(2) }
    step after { skip }
}
invariant Fine: count <= 1
"""


def test_explain_says_which_function_a_step_calls():
    from movspec.load import load_text

    res = load_text(TRY_INC, "tryinc.mspec")
    assert res.ok, [d.render() for d in res.diagnostics]
    model = res.models["tryinc"]
    r = check(model)
    assert r.property("Fine").verdict is Verdict.VIOLATED
    lines = explain_lines(r.property("Fine"), model)
    calls = [line for line in lines if "runs `inc`" in line]
    assert calls and all("; it calls `try_inc()`: " in line for line in calls), calls
    assert all("try_inc.limit" in line and "changes nothing" not in line for line in calls), calls
    # the function's own step is told as before: what it changes, where the caller goes next
    inside = [line for line in lines if "runs `try_inc.test`" in line]
    assert inside and "next it goes to `after`" in inside[0], inside


def test_explain_marks_function_steps_a_variant_changed():
    # per_driver_locking changes isolate_movable_page()'s recheck and isolate steps
    from pathlib import Path

    from movspec.explore import check_safety
    from movspec.load import load

    res = load([str(Path(__file__).resolve().parents[2] / "spec")])
    model = res.models["per_driver_locking"]
    r = check_safety(model)
    lines = explain_lines(r.property("NoUseAfterUnload"), model)
    isolate = [line for line in lines if "runs `isolate_movable_page.isolate`" in line]
    assert isolate and "(as changed by variant `per_driver_locking`)" in isolate[-1], isolate
    get = [line for line in lines if "runs `isolate_movable_page.get`" in line]
    assert get and "as changed by" not in get[0], get  # the step v4.8 has too
    assert any("changes relative to `v4_8`" in line and "`compactor.isolate_movable_page.isolate`" in line
               for line in lines), lines[-3:]
