"""The model in spec/migration/ (v4.8 migrate_pages() of non-LRU movable pages): it loads
cleanly, every variant meets its `expect` lines with the embedded checker, the headline
counterexamples have the shape the comments in variants.mspec argue, no step is dead, the
four-pass bound gives the verdicts of the kernel's ten passes, and TLC agrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.expect import expected_verdict, mismatches
from movspec.explore import check
from movspec.ir.overrides import parse_override
from movspec.load import load
from tests.spec.models import load_ok
from movspec.result import Verdict

MIGRATION = Path(__file__).resolve().parents[2] / "spec" / "migration"
VARIANTS = ("v4_8", "freed_no_lock", "move_keeps_isolated", "no_async_test", "lock_when_forced",
            "putback_keeps_isolated", "eagain_keeps_newpage", "enomem_no_putback", "retry_forever",
            "newpage_test_after_release", "newpage_is_lru_test")
PROPERTIES = ("TypeOK", "NoLeakedIsolation", "ReturnContract", "NewPageReturned", "NewPageFreed",
              "NewPageRefs", "AsyncNoLockPage", "MemallocNoLockPage", "AsyncNeverSleeps",
              "MappingStability", "LockedMutation", "NoCallbackOnReleased", "FreeHygiene",
              "NoLruCorruption", "Terminates", "Deadlock")
# v4.8's two findings: what it does that a stronger reading of its contract would forbid
FINDINGS = {"AsyncNeverSleeps", "NewPageFreed"}

pytestmark = pytest.mark.slow  # each variant takes 3 to 10 s


@pytest.fixture(scope="module")
def loaded():
    return load_ok(MIGRATION)


@pytest.fixture(scope="module")
def results(loaded):
    cache: dict = {}

    def get(variant):
        if variant not in cache:
            cache[variant] = check(loaded.models[variant], symmetry=True)
        return cache[variant]
    return get


def _steps(trace):
    return [(s.actor, s.step) for s in trace.steps[1:]]


def _fn(value):
    """A function value of a state as a dict."""
    return dict(value.pairs)


def test_loads_without_diagnostics(loaded):
    assert loaded.diagnostics == []
    assert tuple(loaded.models) == VARIANTS
    for v, m in loaded.models.items():
        assert set(m.property_names) == set(PROPERTIES), v
        for p in m.property_names:
            assert expected_verdict(m, p) is not None, f"{v}: no expectation for {p}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_verdicts_match_expectations(loaded, results, variant):
    res = results(variant)
    assert res.complete and res.error is None
    assert res.stats.distinct > 10_000  # a real search
    bad = mismatches(res, loaded.models[variant])
    assert bad == [], "\n".join(str(b) for b in bad)


# Steps a variant makes unreachable, by design of the change: keeping the new page after
# each -EAGAIN uses up both free pages before the forced pass 3 (-ENOMEM then ends
# migrate_pages()); without the pass count, `force` (pass > 2) is never true.
UNREACHED = {"eagain_keeps_newpage": ["__unmap_and_move.lock"], "retry_forever": ["__unmap_and_move.lock"]}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_step_is_reached(results, variant):
    coverage = dict(results(variant).coverage)
    assert coverage
    assert [step for step, n in coverage.items() if n == 0] == UNREACHED.get(variant, [])


def test_v4_8_holds_all_but_the_findings(results):
    verdicts = {p.name: p.verdict for p in results("v4_8").properties}
    assert verdicts == {p: Verdict.VIOLATED if p in FINDINGS else Verdict.HOLDS for p in PROPERTIES}


def test_async_sleeps_in_putback_on_the_drivers_lock(results):
    prop = results("v4_8").property("AsyncNeverSleeps")
    steps = _steps(prop.trace)
    # the compaction is asynchronous, puts back (not __unmap_and_move) and sleeps in
    # lock_page() while the driver holds PG_lock to release the page
    assert steps[0] == ("compactor", "start") and ("compactor", "putback") in steps
    assert ("compactor", "putback_movable_pages.lock") in steps
    assert not any(s == "__unmap_and_move.lock" for _, s in steps)
    assert steps[-1][0] == "compactor" and steps[-1][1].startswith("lock_page.sleep")
    final = prop.trace.steps[-1].state
    assert final["mode"] == "async" and "drv" in _fn(final["pglock"]).values()


def test_unused_new_page_goes_to_the_lru(results):
    prop = results("v4_8").property("NewPageFreed")
    steps = _steps(prop.trace)
    # the driver releases the isolated page before move_to_new_page() looks at it
    release = steps.index(("driver", "rel_clear"))
    assert release < steps.index(("compactor", "move_to_new_page.released"))
    assert ("compactor", "move_to_new_page.callback") not in steps
    assert "lru" in _fn(prop.trace.steps[-1].state["nwhere"]).values()


def test_lock_when_forced_sleeps_in_async_direct_compaction(results):
    prop = results("lock_when_forced").property("AsyncNoLockPage")
    steps = _steps(prop.trace)
    assert steps[-1] == ("compactor", "__unmap_and_move.contended")
    # three unforced passes first: force is pass > 2
    assert sum(1 for s in steps if s == ("compactor", "migrate_pages.pass_loop")) == 4
    final = prop.trace.steps[-1].state
    assert final["mode"] == "async" and final["memalloc"] is True
    assert "drv" in _fn(final["pglock"]).values()
    # with the PF_MEMALLOC test kept, async compaction never gets there
    assert results("no_async_test").verdict("AsyncNoLockPage") is Verdict.HOLDS


def test_retry_forever_loops_on_eagain(results):
    prop = results("retry_forever").property("Terminates")
    assert prop.verdict is Verdict.VIOLATED and prop.trace.loop_start is not None
    loop = _steps(prop.trace)[prop.trace.loop_start - 1:]
    assert ("compactor", "migrate_pages.pass_loop") in loop
    assert ("compactor", "migratepage.migrate") in loop
    assert all(actor == "compactor" for actor, _ in loop)


def test_putback_keeps_isolated_loses_the_page(results):
    prop = results("putback_keeps_isolated").property("NoLeakedIsolation")
    final = prop.trace.steps[-1].state
    owned, isolated, onlist = _fn(final["owned"]), _fn(final["isolated"]), _fn(final["onlist"])
    lost = [p for p in owned if owned[p] and isolated[p] and onlist[p]]
    assert lost, final
    assert ("compactor", "putback_movable_pages.putback") in _steps(prop.trace) \
        or ("compactor", "unmap_and_move.fail_putback") in _steps(prop.trace)


def test_enomem_without_putback_keeps_the_isolation(results):
    prop = results("enomem_no_putback").property("NoLeakedIsolation")
    steps = _steps(prop.trace)
    assert ("compactor", "putback_movable_pages.next") not in steps
    final = prop.trace.steps[-1].state
    assert final["compactor.err"].get("compactor") == -12 and final["migratepages"]


def test_newpage_released_between_unlock_and_test(results):
    prop = results("newpage_test_after_release").property("NoLruCorruption")
    steps = _steps(prop.trace)
    # the callback installs the new page, the migration thread unlocks it, the driver
    # releases it, and only then does the thread test it and put it on the LRU
    install = steps.index(("compactor", "migratepage.migrate"))
    unlock = steps.index(("compactor", "__unmap_and_move.unlock_both"))
    release = steps.index(("driver", "new_clear"))
    assert install < unlock < release < len(steps) - 1
    assert steps[-1] == ("compactor", "__unmap_and_move.out")
    assert "putback_lru_page" in prop.trace.steps[-1].failure
    # v4.8's __PageMovable(newpage) still sees the type bit: no putback_lru_page
    assert results("v4_8").verdict("NoLruCorruption") is Verdict.HOLDS
    # deciding by the old page (the 2019 fix) also frees the unused new page
    assert results("newpage_is_lru_test").verdict("NewPageFreed") is Verdict.HOLDS


def test_ten_passes_give_the_same_verdicts(loaded, results):
    ten = load([MIGRATION], consts=[parse_override("Passes=10")])
    assert ten.ok
    for v in ("v4_8", "lock_when_forced"):
        res = check(ten.models[v], symmetry=True)
        assert res.complete and mismatches(res, ten.models[v]) == [], v
        assert {p.name: p.verdict for p in res.properties} == \
            {p.name: p.verdict for p in results(v).properties}, v
        assert res.stats.distinct > results(v).stats.distinct


@pytest.mark.tlc
@pytest.mark.parametrize("variant", ["retry_forever"])  # TLC: 2.5 min; v4_8 takes longer (docs/migration.md)
def test_tlc_agrees_with_builtin(loaded, results, variant):
    from tests.spec.agreement import assert_tlc_agrees

    assert_tlc_agrees(loaded.models[variant], results(variant), traces=False)
