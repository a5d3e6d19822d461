"""The movable_ops page variants (spec/movableops/, loaded with spec/): they load cleanly, meet
their expected verdicts with the embedded checker, no step is dead, the headline
counterexamples have the shape the notes argue, and TLC agrees (state counts and verdicts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.expect import expected_verdict, mismatches
from movspec.explore import check
from movspec.load import load
from tests.spec.models import load_ok, trace_steps
from movspec.result import Verdict
from tests.spec.agreement import assert_tlc_agrees

SPEC = Path(__file__).resolve().parents[2] / "spec"
MOVABLEOPS = SPEC / "movableops"
VARIANTS = ("movable_ops_static", "movable_ops_registered", "movable_ops_no_freed_check",
            "movable_ops_no_isolated_release")
PROPERTIES = ("TypeOK", "NoUseAfterUnload", "MappingStability", "ExclusiveIsolation", "LockedMutation",
              "FreeHygiene", "ListDisjointness", "NoCallbackOnReleased", "NoNullOps", "Deadlock")


@pytest.fixture(scope="module")
def loaded():
    return load_ok(SPEC, MOVABLEOPS)


@pytest.fixture(scope="module")
def results(loaded):
    return {v: check(loaded.models[v], symmetry=True) for v in VARIANTS + ("v6_0",)}


def test_loads_without_diagnostics_next_to_the_main_variants(loaded):
    assert loaded.diagnostics == []
    assert tuple(loaded.models)[-len(VARIANTS):] == VARIANTS
    assert "v6_0" in loaded.models


def test_main_job_does_not_see_the_variants():
    r = load([SPEC])
    assert r.ok
    assert not set(VARIANTS) & set(r.models)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_property_checked_and_expected(loaded, variant):
    m = loaded.models[variant]
    assert set(m.property_names) == set(PROPERTIES)
    for p in m.property_names:
        assert expected_verdict(m, p) is not None, f"{variant}: no expectation for {p}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_verdicts_match_expectations(loaded, results, variant):
    res = results[variant]
    assert res.complete and res.error is None
    assert res.stats.distinct > 1000
    bad = mismatches(res, loaded.models[variant])
    assert bad == [], "\n".join(str(b) for b in bad)


def _violated(res):
    return {p.name for p in res.properties if p.verdict is Verdict.VIOLATED}


def test_verdicts_against_v6_0(results):
    """What differs from v6_0, variant by variant (the notes argue each one)."""
    assert _violated(results["v6_0"]) == set()
    assert _violated(results["movable_ops_static"]) == {"NoCallbackOnReleased"}
    assert _violated(results["movable_ops_registered"]) == {
        "NoCallbackOnReleased", "NoUseAfterUnload", "NoNullOps"}
    # the freed shortcut is not relevant for correctness (95c2908f1a4f's claim): same verdicts
    assert _violated(results["movable_ops_no_freed_check"]) == _violated(results["movable_ops_registered"])
    # no release while isolated closes the NULL table, not the use-after-unload
    assert _violated(results["movable_ops_no_isolated_release"]) == {"NoCallbackOnReleased", "NoUseAfterUnload"}


def test_no_freed_check_keeps_the_counterexamples(results):
    a, b = results["movable_ops_registered"], results["movable_ops_no_freed_check"]
    for name in ("NoNullOps", "NoUseAfterUnload", "NoCallbackOnReleased"):
        assert len(a.property(name).trace) == len(b.property(name).trace), name
    assert b.stats.distinct < a.stats.distinct


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_step_is_reached(results, variant):
    coverage = dict(results[variant].coverage)
    assert coverage
    assert [step for step, n in coverage.items() if n == 0] == []
    names = {str(step) for step in coverage}
    assert any("get_ops" in n for n in names)
    if variant != "movable_ops_static":
        assert any("unregister" in n for n in names) and any("init" in n for n in names)


def test_callback_on_a_released_page_reaches_isolate(results):
    """The sticky type: a page the driver destroyed passes the recheck under the page lock and
    reaches zs_page_isolate(), which refuses it."""
    prop = results["movable_ops_static"].property("NoCallbackOnReleased")
    steps = trace_steps(prop.trace)
    actor, cpu, last = steps[-1]
    assert (actor, last) == ("compactor", "isolate_movable_page.isolate")
    release = max(i for i, s in enumerate(steps) if s[0] == "owner" and s[2] == "rel_clear")
    recheck = max(i for i, s in enumerate(steps) if s == ("compactor", cpu, "isolate_movable_page.recheck"))
    get = max(i for i, s in enumerate(steps) if s == ("compactor", cpu, "isolate_movable_page.get"))
    assert get < release < recheck  # referenced before the release, rechecked after it
    assert len(steps) == 13


@pytest.mark.parametrize("variant", ["movable_ops_registered", "movable_ops_no_freed_check"])
def test_null_ops_after_zs_exit_while_isolated(results, variant):
    """zs_exit() clears the table while a compactor holds a page the driver destroyed while it
    was isolated; migrate_movable_ops_page() calls through NULL."""
    prop = results[variant].property("NoNullOps")
    steps = trace_steps(prop.trace)
    actor, cpu, last = steps[-1]
    assert (actor, last) == ("compactor", "move")
    isolated = steps.index(("compactor", cpu, "isolate_movable_page.set_isolated"))
    release = max(i for i, s in enumerate(steps) if s[0] == "owner" and s[2] == "rel_clear")
    unregister = steps.index(("loader", "loader", "unregister"))
    assert isolated < release < unregister < len(steps) - 1
    assert ("loader", "loader", "free") not in steps  # the NULL table is enough
    assert len(steps) == 22


@pytest.mark.parametrize("variant", VARIANTS[1:])
def test_ops_pointer_outlives_the_module(results, variant):
    """The pointer read by page_movable_ops() is used after zs_exit() and free_module()."""
    prop = results[variant].property("NoUseAfterUnload")
    steps = trace_steps(prop.trace)
    actor, cpu, last = steps[-1]
    assert (actor, last) == ("compactor", "isolate_movable_page.isolate")
    get_ops = max(i for i, s in enumerate(steps) if s == ("compactor", cpu, "isolate_movable_page.get_ops"))
    unregister = steps.index(("loader", "loader", "unregister"))
    free = steps.index(("loader", "loader", "free"))
    assert get_ops < unregister < free < len(steps) - 1
    assert all(s[1] != cpu for s in steps[get_ops + 1:-1]), "the compactor runs nothing in between"
    assert len(steps) == 20


@pytest.mark.tlc
@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_tlc_agrees_with_builtin(loaded, results, variant):
    assert_tlc_agrees(loaded.models[variant], results[variant])
