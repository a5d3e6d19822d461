"""pcal.trans and TLC for real (marked ``tlc``: skipped when no backend is available).

Every variant in spec/ is translated and checked, and its verdicts must meet the model's
``expect`` lines; the hand-built variants pin verdicts, traces and state counts; broken
models show that translator, SANY and evaluation errors come back as DSL locations."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from movspec.ir import nodes as ir
from movspec.result import Verdict, results_to_json
from movspec.span import Span
from movspec.tlc import check_model
from tests.conftest import tlc_check
from tests.emit import handmade
from tests.traces import assert_trace_is_an_execution

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.tlc


def verdicts(res) -> dict[str, str]:
    return {p.name: p.verdict.value for p in res.properties}


def _spec_models():
    # a spec/ that does not load is reported by tests/emit (test_every_spec_variant_parses)
    from movspec.load import load
    res = load([str(ROOT / "spec")])
    return res.models if res.ok else {}


SPEC = _spec_models()


def agrees_with_builtin(model, res) -> None:
    """Same state space, same verdicts as the embedded checker (liveness aside, which the
    embedded checker may leave INCOMPLETE)."""
    from movspec.explore import check
    b = check(model, symmetry=res.symmetry)
    assert (res.stats.distinct, res.stats.depth) == (b.stats.distinct, b.stats.depth)
    assert res.coverage == b.coverage
    for p in b.properties:
        if p.verdict is not Verdict.INCOMPLETE:
            assert res.verdict(p.name) is p.verdict, p.name


@pytest.mark.parametrize("variant", list(SPEC))
def test_spec_variant_meets_its_expectations(variant):
    from movspec.expect import expected_verdict
    model = SPEC[variant]
    res = tlc_check(model, symmetry=True)  # shared with tests/spec and tests/explore
    assert res.error is None, res.error
    assert res.complete and res.stats.distinct > 0 and res.stats.depth > 0
    for p in res.properties:
        assert p.verdict in (Verdict.HOLDS, Verdict.VIOLATED), (p.name, p.message)
        want = expected_verdict(model, p.name)
        if want == "holds":
            assert p.verdict is Verdict.HOLDS, (p.name, p.message)
        elif want == "violates":
            assert p.verdict is Verdict.VIOLATED, p.name
        if p.verdict is Verdict.VIOLATED:
            assert p.trace is not None and p.trace.steps[0].actor is None
            assert all(s.step is not None for s in p.trace.steps[1:])
            if p.kind == "assert":
                assert p.trace.steps[-1].failure and p.trace.steps[-1].state is None
            assert_trace_is_an_execution(model, p)
    agrees_with_builtin(model, res)


def test_locked_holds_everything():
    res = check_model(handmade.model("locked"))
    assert set(verdicts(res).values()) == {"holds"}
    assert (res.stats.distinct, res.stats.depth) == (132, 13)
    assert res.symmetry
    res = check_model(handmade.model("locked"), symmetry=False)
    assert not res.symmetry and (res.stats.distinct, res.stats.depth) == (240, 13)
    agrees_with_builtin(handmade.model("locked"), res)


def test_nolock_fails_its_checks_and_explores_everything():
    res = check_model(handmade.model("nolock"))
    assert verdicts(res) == {"TypeOK": "holds", "FreeHygiene": "holds", "NoUseAfterUnload": "violated",
                             "Assertions": "violated", "EventualUnlock": "holds", "Deadlock": "holds"}
    # the full exploration (both checks off) is the one reported
    assert (res.stats.distinct, res.stats.depth) == (192, 15)
    p = res.property("NoUseAfterUnload")
    last = p.trace.steps[-1]
    assert (last.actor, last.proc, last.step) == ("compactor", "C1", "isolate")
    assert last.failure == "use-after-unload: driver.isolate_page called while module driver is unloaded"
    assert last.span.line == 22
    assert any(s.actor == "loader" for s in p.trace.steps)
    assert_trace_is_an_execution(handmade.model("nolock"), p)
    assert_trace_is_an_execution(handmade.model("nolock"), res.property("Assertions"))
    doc = json.loads(json.dumps(results_to_json([res])))
    assert doc["results"][0]["backend"] == "tlc"


def test_leaky_deadlock_invariant_and_liveness():
    res = check_model(handmade.model("leaky"))
    v = verdicts(res)
    assert v["FreeHygiene"] == v["Deadlock"] == v["EventualUnlock"] == "violated"
    assert v["TypeOK"] == v["NoUseAfterUnload"] == v["Assertions"] == "holds"
    fh = res.property("FreeHygiene").trace
    assert len(fh) == 3 and fh.steps[-1].state["page"].get("P1").get("ref") == 0
    dl = res.property("Deadlock").trace
    assert dl.steps[-1].state["pc"].get("loader") == "unload"
    lv = res.property("EventualUnlock").trace
    assert lv.loop_start is not None
    for name in ("FreeHygiene", "Deadlock", "EventualUnlock"):
        assert_trace_is_an_execution(handmade.model("leaky"), res.property(name))


def test_workers_do_not_change_verdicts():
    res = check_model(handmade.model("nolock"), workers=2)
    assert verdicts(res)["NoUseAfterUnload"] == "violated"
    assert res.stats.distinct == 192


# --------------------------------------------------------------------------- errors

def _broken(step_body, prop_expr=None):
    m = handmade.model("locked")
    driver = m.actor("driver")
    steps = (replace(driver.steps[0], body=step_body),) + driver.steps[1:]
    actors = tuple(replace(a, steps=steps) if a.name == "driver" else a for a in m.actors)
    props = m.properties
    if prop_expr is not None:
        props = props + (ir.Invariant("Broken", prop_expr, span=Span("spec/mini.mspec", 50, 1, 50, 9)),)
    return replace(m, actors=actors, properties=props)


def test_translator_error_points_at_the_dsl():
    sp = Span("spec/mini.mspec", 33, 9, 33, 20)
    n = ir.LocalRef("driver", "n")
    body = (ir.Assign(n, "=", ir.IntLit(1), span=sp), ir.Await(ir.BoolLit(True)),
            ir.Assign(n, "=", ir.IntLit(2), span=sp))
    res = check_model(_broken(body))
    assert res.error is not None and not res.complete
    assert "PlusCal translator rejected" in res.error
    assert res.error.startswith("spec/mini.mspec:")
    assert "Traceback" not in res.error and "at pcal." not in res.error


def test_sany_error_points_at_the_property():
    res = check_model(_broken(handmade.model("locked").actor("driver").steps[0].body,
                              ir.Binary("==", ir.BoundRef("nowhere"), ir.IntLit(1))))
    assert res.error is not None
    assert res.error.startswith("spec/mini.mspec:50:1: error: TLA+ semantic error")
    assert "nowhere" in res.error


def test_evaluation_error_points_at_the_step():
    sp = Span("spec/mini.mspec", 33, 9, 33, 20)
    body = (ir.Assign(ir.LocalRef("driver", "n"), "+=", ir.BoolLit(True), span=sp),)
    res = check_model(_broken(body))
    assert res.error == "a boolean was used where an integer is needed in step driver.lock (spec/mini.mspec:32:5)"
    assert "java." not in res.error and "Exception" not in res.error
    assert {p.verdict for p in res.properties} == {Verdict.ERROR}
    # the error trace: the initial state, then the step that could not run
    tr = res.property("TypeOK").trace
    assert [r.step for r in tr.steps] == [None, "lock"] and tr.steps[-1].failure == res.error


def test_committed_gen_module_runs_under_plain_tlc(tmp_path):
    """What a user does by hand with gen/: pcal.trans, then TLC with the committed .cfg."""
    from movspec.tlc.select import select_backend
    from movspec.tlc.output import parse_output
    name = "v4_8" if (ROOT / "gen" / "v4_8.tla").exists() else sorted((ROOT / "gen").glob("*.tla"))[0].stem
    for suffix in (".tla", ".cfg"):
        (tmp_path / f"{name}{suffix}").write_text((ROOT / "gen" / f"{name}{suffix}").read_text())
    be = select_backend()
    res = be.run("pcal.trans", ["-nocfg", f"{name}.tla"], tmp_path)
    assert res.returncode == 0, res.output
    res = be.run("tlc2.TLC", ["-tool", "-workers", "1", "-config", f"{name}.cfg", f"{name}.tla"], tmp_path)
    out = parse_output(res.output)
    assert out.finished and out.distinct and out.distinct > 0
    assert all(e.kind in ("invariant", "assert", "deadlock", "temporal") for e in out.errors), res.output[-2000:]


def test_first_stops_at_the_first_violation_as_the_builtin_checker_does():
    from movspec.explore import check
    from movspec.load import load
    (model,) = [m for v, m in load([str(ROOT / "tests" / "fixtures" / "cli" / "count.mspec")]).models.items()
                if v == "racy"]
    res = check_model(model, first=True)
    b = check(model, first=True)
    assert not res.complete and res.reason == b.reason == "stopped at the first violation (--first)"
    assert verdicts(res) == verdicts(b) == {"TypeOK": "incomplete", "AllCounted": "violated",
                                            "Deadlock": "incomplete"}
    assert len(res.property("AllCounted").trace) == len(b.property("AllCounted").trace)
