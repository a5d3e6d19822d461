"""The models in spec/: they load cleanly, every variant meets its expected verdicts with the
embedded checker, the headline counterexamples have the shape the design argument says, no
step is dead, and every property can fail (mutations of v4.8 break each one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.expect import mismatches
from movspec.explore import check
from tests.spec.models import check_with, load_ok, trace_steps
from movspec.result import Verdict

SPEC = Path(__file__).resolve().parents[2] / "spec"
PAGEFLAGS = SPEC / "pageflags"  # the page-flags variants: spec/'s larger job
VARIANTS = ("v4_8", "v3", "per_driver_locking", "per_driver_locking_modref", "per_driver_locking_rcu",
            "put_page_hook", "v6_0", "v4_8_pageflags", "v4_10_pageflags", "v5_18_pageflags")
PROPERTIES = ("TypeOK", "NoUseAfterUnload", "MappingStability", "ExclusiveIsolation", "LockedMutation",
              "FreeHygiene", "ListDisjointness", "NoCallbackOnReleased", "Deadlock")
# what a variant adds to the base's properties: RCU's section assertions, the flags word's
# lock-word invariant and the wake-up properties
EXTRA = {"per_driver_locking_rcu": ("Assertions",),
         **{v: ("LockWordConsistent", "LockWaiterWoken", "DriverWoken")
            for v in ("v4_8_pageflags", "v4_10_pageflags", "v5_18_pageflags")}}


@pytest.fixture(scope="module")
def loaded():
    return load_ok(SPEC, PAGEFLAGS)


@pytest.fixture(scope="module")
def results(loaded):
    return {v: check(m, symmetry=True) for v, m in loaded.models.items()}


def test_spec_loads_without_diagnostics(loaded):
    assert loaded.diagnostics == []
    assert tuple(loaded.models) == VARIANTS


def test_every_variant_checks_every_property(loaded):
    for v, m in loaded.models.items():
        assert set(m.property_names) == set(PROPERTIES) | set(EXTRA.get(v, ())), v


def test_every_property_has_an_expectation(loaded):
    from movspec.expect import expected_verdict

    for v, m in loaded.models.items():
        for p in m.property_names:
            assert expected_verdict(m, p) is not None, f"{v}: no expectation for {p}"


def test_searches_complete(results):
    for v, res in results.items():
        assert res.complete and res.error is None, v
        assert res.stats.distinct > 1000, v  # a real search, not a model stuck at its start


@pytest.mark.parametrize("variant", VARIANTS)
def test_verdicts_match_expectations(loaded, results, variant):
    bad = mismatches(results[variant], loaded.models[variant])
    assert bad == [], "\n".join(str(b) for b in bad)


def test_v4_8_holds_everything(results):
    res = results["v4_8"]
    assert {p.name: p.verdict for p in res.properties} == {p: Verdict.HOLDS for p in PROPERTIES}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_step_is_reached(results, variant):
    coverage = dict(results[variant].coverage)
    assert coverage, "the checker reports step coverage"
    dead = [step for step, n in coverage.items() if n == 0]
    assert dead == []


def test_v6_0_is_a_refactoring_of_v4_8(results):
    a, b = results["v4_8"], results["v6_0"]
    assert a.stats.distinct == b.stats.distinct
    assert [(p.name, p.verdict) for p in a.properties] == [(p.name, p.verdict) for p in b.properties]


def test_per_driver_locking_unload_between_mapping_read_and_call(results):
    prop = results["per_driver_locking"].property("NoUseAfterUnload")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    actor, cpu, last = steps[-1]
    assert (actor, last) == ("compactor", "isolate_movable_page.isolate")
    assert prop.trace.steps[-1].failure and "isolate_page" in prop.trace.steps[-1].failure
    # the mapping is read at the lockless recheck; the same thread's next step is the call
    recheck = max(i for i, s in enumerate(steps) if s == ("compactor", cpu, "isolate_movable_page.recheck"))
    unload = steps.index(("loader", "loader", "unload"))
    assert recheck < unload < len(steps) - 1
    assert all(s[1] != cpu for s in steps[recheck + 1:-1]), "the compactor runs nothing in between"
    # released by the driver in that window, not before
    release = max(i for i, s in enumerate(steps) if s[0] == "owner" and s[2] == "rel_clear")
    assert recheck < release < unload
    assert len(steps) <= 15


def test_rcu_keeps_the_module_until_the_reader_is_done(results):
    res = results["per_driver_locking_rcu"]
    assert res.verdict("NoUseAfterUnload") is Verdict.HOLDS
    # RCU keeps the code, not page->mapping: the window of MappingStability is still open
    assert res.verdict("MappingStability") is Verdict.VIOLATED


def test_pg_waiters_lost_by_a_non_atomic_set_isolated(results):
    prop = results["v4_10_pageflags"].property("DriverWoken")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    # the load of a non-atomic __SetPageIsolated/__ClearPageIsolated (the shortest lasso may
    # take either), the driver's SetPageWaiters and sleep, then the store of the stale word
    sleep = steps.index(("owner", "owner", "__lock_page.prepare"))
    stores = [(i, proc, step) for i, (actor, proc, step) in enumerate(steps)
              if actor == "compactor" and step.endswith((".__set_bit", ".__clear_bit")) and i > sleep
              and (actor, proc, step.rpartition(".")[0]) in steps[:sleep]]
    assert stores, steps
    store, proc, step = stores[0]
    assert step.rpartition(".")[0] in ("isolate_movable_page.set_isolated", "move_clear", "putback_page",
                                       "freed_clear")
    state = prop.trace.steps[store + 1].state  # steps[i] is trace.steps[i + 1]
    page = state["compactor.p"].get(proc)
    after = state["flags"].get(page)
    assert "PG_waiters" not in after and "PG_locked" in after
    # the atomic SetPageIsolated() of 5.18 and v4.8 (no PG_waiters) wake the driver
    for v in ("v4_8_pageflags", "v5_18_pageflags"):
        assert results[v].verdict("DriverWoken") is Verdict.HOLDS, v


def test_modref_is_still_too_late(results):
    prop = results["per_driver_locking_modref"].property("NoUseAfterUnload")
    steps = trace_steps(prop.trace)
    assert steps[-1][0::2] == ("compactor", "isolate_movable_page.modget")
    assert ("loader", "loader", "unload") in steps


def test_v3_double_isolation(loaded, results):
    prop = results["v3"].property("ExclusiveIsolation")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    isolations = [(i, s[1]) for i, s in enumerate(steps) if s[0] == "compactor" and s[2] == "isolate_movable_page.isolate"]
    assert len(isolations) == 2 and isolations[0][1] != isolations[1][1], "two compactors isolate"
    release = [i for i, s in enumerate(steps) if s[0] == "owner" and s[2] == "rel_clear"]
    assert release and isolations[0][0] < release[0] < isolations[1][0], "the driver released in between"
    final = prop.trace.steps[-1].state
    pcs, pages = final["pc"], final["compactor.p"]
    # isolate_movable_page() has returned true (`ok`, until migrate reads it) or the page is
    # being migrated or put back
    owning = {"isolate_movable_page.set_isolated", "move", "fail_unlock", "putback", "freed"}
    ok = final["compactor.ok"]
    holders = [c for c in ("C1", "C2") if pcs.get(c) in owning or (pcs.get(c) == "migrate" and ok.get(c))]
    assert len(holders) == 2 and pages.get("C1") == pages.get("C2")


def test_v3_isolate_page_on_released_page(results):
    prop = results["v3"].property("NoCallbackOnReleased")
    assert prop.verdict is Verdict.VIOLATED
    assert "isolate_page" in prop.trace.steps[-1].failure


# --------------------------------------------------------------------------- non-vacuity

# Each property is broken by a small change to v4.8: the model can see each kind of bug.
MUTATIONS = {
    "NoUseAfterUnload": """
        variant m extends v4_8 { replace loader.unload { unload driver } }""",
    "MappingStability": """
        variant m extends v4_8 { replace owner.rel_lock { skip } }""",
    "ExclusiveIsolation": """
        variant m extends v4_8 {
            replace isolate_movable_page.recheck { if !PageMovable(p) { goto out_no_isolated } }
        }""",
    "LockedMutation": """
        variant m extends v4_8 {
            replace isolate_movable_page.set_isolated { unlock_page(p, cpu)  __SetPageIsolated(p, cpu)  return true }
        }""",
    "FreeHygiene": """
        variant m extends v4_8 { replace compactor.freed { lock_page(p, self)  goto unlock_put } }""",
    "ListDisjointness": """
        variant m extends v4_8 {
            macro drv_isolate_page(p) { call driver.isolate_page(p) }
        }""",
    "NoCallbackOnReleased": """
        variant m extends v4_8 {
            replace owner.rel_clear {
                if !owned[q] { unlock_page(q, drv)  goto idle }
                owned[q] = false
                unlock_page(q, drv)
            }
        }""",
    # the release forgets to revalidate after waiting for PG_lock: when migration won the
    # race, the driver's reference is dropped twice (refcount below 0)
    "TypeOK": """
        variant m extends v4_8 {
            replace owner.rel_clear {
                __ClearPageMovable(q, drv)
                if !PageIsolated(q) { onlist[q] = false }
                owned[q] = false
                unlock_page(q, drv)
            }
        }""",
    "Deadlock": """
        variant m extends v4_8 {
            replace owner.rel_clear {
                if !owned[q] { goto idle }
                __ClearPageMovable(q, drv)
                if !PageIsolated(q) { onlist[q] = false }
                owned[q] = false
            }
        }""",
}


@pytest.mark.parametrize("prop", sorted(MUTATIONS))
def test_each_property_can_fail(prop):
    res = check_with(SPEC, "mutation.mspec", MUTATIONS[prop], "m")
    assert res.complete
    assert res.verdict(prop) is Verdict.VIOLATED


# --------------------------------------------------------------------------- movspec check


def _run_check(path, *args, more=()):
    from click.testing import CliRunner

    from movspec.cli import cli

    return CliRunner().invoke(cli, ["check", str(path), *map(str, more), "--backend", "builtin", "--quiet", *args])


@pytest.mark.slow
def test_movspec_check_spec_passes(tmp_path):
    import json

    out = tmp_path / "results.json"
    res = _run_check(SPEC, "--json", str(out), more=[PAGEFLAGS])
    assert res.exit_code == 0, res.output
    assert "100 verdicts: all as expected" in res.output
    doc = json.loads(out.read_text())
    matrix = {r["variant"]: {p["name"]: p["verdict"] for p in r["properties"]} for r in doc["results"]}
    assert tuple(matrix) == VARIANTS
    assert set(matrix["v4_8"].values()) == {"holds"}
    assert matrix["per_driver_locking"]["NoUseAfterUnload"] == "violated"
    assert matrix["v3"]["ExclusiveIsolation"] == "violated"


def test_movspec_check_fails_on_a_wrong_expectation(tmp_path):
    # claim per-driver locking is safe against unloads: the checker must refuse
    for f in SPEC.glob("*.mspec"):
        text = f.read_text()
        if f.name == "variants.mspec":
            text = text.replace("expect per_driver_locking violates NoUseAfterUnload, ",
                                "expect per_driver_locking holds NoUseAfterUnload\n"
                                "expect per_driver_locking violates ")
        (tmp_path / f.name).write_text(text)
    res = _run_check(tmp_path, "--variant", "per_driver_locking")
    assert res.exit_code != 0, res.output
    assert "NoUseAfterUnload" in res.output
