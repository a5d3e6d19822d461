"""The z3fold model in spec/z3fold/: it loads cleanly, every variant meets its expected
verdicts with the embedded checker, each counterexample goes through the kernel path its
commit message describes, no step is dead but those the bug itself makes dead, each property
can fail, and TLC agrees (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.expect import expected_verdict, mismatches
from movspec.explore import check
from tests.spec.models import check_with, load_ok, trace_steps
from movspec.result import Verdict

Z3FOLD = Path(__file__).resolve().parents[2] / "spec" / "z3fold"
VARIANTS = ("v5_2", "v5_4", "v5_3", "drain")
PROPERTIES = ("TypeOK", "NoUseOfFreedMapping", "NoUseOfFreedPool", "NoUseOfFreedWorkqueue", "LockedMutation",
              "SetMovableLocked", "NoRelockOwnPage", "FreeNotIsolated", "ExclusiveIsolation", "DrainedBeforeFree",
              "DestroyFinishes", "Deadlock")
EXTRA = {"v5_3": ("PoolIsolatedAccounting",), "drain": ("PoolIsolatedAccounting",)}
# Steps a variant's own bug leaves unreached: v5.2's trylock_page() of the VM-locked page
# always fails, so z3fold_page_migrate() never gets past it; v5.3's inverted wait never wakes
# a destroy that went to sleep (a page could only be isolated before pool->destroying).
DEAD = {
    "v5_2": {"z3fold_page_migrate.trylock", "z3fold_page_migrate.copy", "z3fold_page_migrate.queue",
             "z3fold_page_migrate.put"},
    "v5_3": {"z3fold_destroy_pool.drain.wait_event"},
}
DESTROY_STEPS = ("z3fold_destroy_pool.compact_wq", "z3fold_destroy_pool.release_wq",
                 "z3fold_destroy_pool.unregister", "z3fold_destroy_pool.kfree")


@pytest.fixture(scope="module")
def loaded():
    return load_ok(Z3FOLD)


@pytest.fixture(scope="module")
def results(loaded):
    return {v: check(m, symmetry=True) for v, m in loaded.models.items()}


def _zswap(steps):
    return [s for _, proc, s in steps if proc == "zswap"]


def test_loads_without_diagnostics(loaded):
    assert loaded.diagnostics == []
    assert tuple(loaded.models) == VARIANTS


def test_every_variant_checks_every_property(loaded):
    for v, m in loaded.models.items():
        assert set(m.property_names) == set(PROPERTIES) | set(EXTRA.get(v, ())), v
        for p in m.property_names:
            assert expected_verdict(m, p) is not None, f"{v}: no expectation for {p}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_verdicts_match_expectations(loaded, results, variant):
    res = results[variant]
    assert res.complete and res.error is None
    assert 1000 < res.stats.distinct < 200_000  # a real search, and a small one
    bad = mismatches(res, loaded.models[variant])
    assert bad == [], "\n".join(str(b) for b in bad)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_step_is_reached_but_what_the_bug_kills(results, variant):
    coverage = dict(results[variant].coverage)
    assert coverage, "the checker reports step coverage"
    assert {step for step, n in coverage.items() if n == 0} == DEAD.get(variant, set())


def test_v5_2_set_movable_without_pg_lock(results):
    prop = results["v5_2"].property("SetMovableLocked")
    assert prop.verdict is Verdict.VIOLATED
    assert trace_steps(prop.trace) == [("zswap", "zswap", "alloc_page"), ("zswap", "zswap", "set_movable")]
    assert "PageLocked" in prop.trace.steps[-1].failure


def test_v5_2_migration_trylocks_the_page_the_vm_locked(results):
    prop = results["v5_2"].property("NoRelockOwnPage")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    actor, cpu, last = steps[-1]
    assert (actor, last) == ("compactor", "z3fold_page_migrate.trylock_page")
    # the same compactor took PG_lock in unmap_and_move() and still holds it
    assert (actor, cpu, "migrate") in steps
    assert prop.trace.steps[-1].state is None  # the failing step does not complete
    assert prop.trace.steps[-2].state["pglock"].get("P1") == cpu


def test_v5_2_inode_freed_under_an_isolation_in_progress(results):
    # "fix z3fold_destroy_pool() race condition": the inode goes first, while the released
    # page is still movable and the VM, holding its PG_lock, is about to read its a_ops
    prop = results["v5_2"].property("NoUseOfFreedMapping")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    assert _zswap(steps)[-1] == "z3fold_destroy_pool.unregister"
    actor, cpu, last = steps[-1]
    assert actor == "compactor" and last == "isolate_movable_page.recheck"
    assert steps.index((actor, cpu, "isolate_movable_page.trylock")) < steps.index(("zswap", "zswap", "free"))
    assert "inode" in prop.trace.steps[-1].failure


def test_v5_2_putback_reaches_the_freed_pool(results):
    prop = results["v5_2"].property("NoUseOfFreedPool")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    assert _zswap(steps)[-1] == "z3fold_destroy_pool.kfree"
    assert steps[-1][0] == "compactor" and steps[-1][2] == "z3fold_page_putback.putback"


@pytest.mark.parametrize("variant", ("v5_4", "v5_3"))
def test_migration_queues_on_the_destroyed_compact_wq(results, variant):
    # d776aaa9895e's message: "Migration directly calls queue_work_on(pool->compact_wq), if
    # destruction wins that race we are using a destroyed workqueue."
    prop = results[variant].property("NoUseOfFreedWorkqueue")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    assert steps[-1][0] == "compactor" and steps[-1][2] == "z3fold_page_migrate.queue"
    assert _zswap(steps)[-1] == "z3fold_destroy_pool.compact_wq"
    assert prop.trace.steps[-2].state["z3_iso"] == frozenset({"P1"})


# z3fold_alloc() with the object stored before the page becomes movable: no window in which
# the VM can migrate a page whose first object is not stored yet.
_STORE_FIRST = """
    variant m extends %s {
        remove zswap.lock_new
        remove zswap.set_movable
        remove zswap.unlock_new
        insert after zswap.store step lock_new { lock_page(P1, user) }
        insert after zswap.lock_new step set_movable { __SetPageMovable(P1, user) }
        insert after zswap.set_movable step unlock_new { unlock_page(P1, user) }
    }"""


@pytest.mark.parametrize("variant", ("v5_4", "v5_3"))
def test_the_destroy_race_needs_no_window_in_z3fold_alloc(variant):
    # the shortest traces migrate P1 between z3fold_alloc()'s unlock_page() and its
    # z3fold_page_lock(); the race of d776aaa9895e's message does not need that
    res = check_with(Z3FOLD, "store_first.mspec", _STORE_FIRST % variant, "m")
    prop = res.property("NoUseOfFreedWorkqueue")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    assert steps[-1][2] == "z3fold_page_migrate.queue"
    assert steps.index(("zswap", "zswap", "store")) < steps.index(("zswap", "zswap", "set_movable"))
    for p in ("NoUseOfFreedMapping", "NoUseOfFreedPool", "DrainedBeforeFree"):
        assert res.verdict(p) is Verdict.VIOLATED, p


@pytest.mark.parametrize("variant", ("v5_4", "drain"))
def test_destroy_order_after_the_2019_fixes(loaded, variant):
    # compact_wq before release_wq ("fix z3fold_destroy_pool() ordering"), the inode after
    # both ("fix z3fold_destroy_pool() race condition")
    fn = next(f for f in loaded.models[variant].functions if f.name == "z3fold_destroy_pool")
    body = tuple(f"z3fold_destroy_pool.{s.name}" for s in fn.steps)
    assert tuple(s for s in body if s in DESTROY_STEPS) == DESTROY_STEPS


def test_v5_3_inverted_wait_blocks_for_ever(results):
    # the revert: "z3fold_zpool_destroy() may get blocked on wait_event() for indefinite time"
    res = results["v5_3"]
    prop = res.property("Deadlock")
    assert prop.verdict is Verdict.VIOLATED
    final = prop.trace.steps[-1].state
    pool = final["zpool"].get("ZP")
    assert pool.get("isolated") == 0 and pool.get("destroying") is True
    assert "zswap" in final["task_sleeping"]
    assert res.verdict("DestroyFinishes") is Verdict.VIOLATED


def test_v5_3_inverted_wait_lets_the_destroy_through_while_a_page_is_isolated(results):
    prop = results["v5_3"].property("DrainedBeforeFree")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    drain = steps.index(("zswap", "zswap", "z3fold_destroy_pool.drain"))
    assert prop.trace.steps[drain + 1].state["zpool"].get("ZP").get("isolated") == 1
    assert steps[-1] == ("zswap", "zswap", "z3fold_destroy_pool.kfree")


def test_drain_holds_everything(results):
    res = results["drain"]
    assert all(p.verdict is Verdict.HOLDS for p in res.properties)
    coverage = dict(res.coverage)
    # the destroy slept in the drain and the last give-back woke it
    assert coverage["z3fold_destroy_pool.drain.wait_event"] > 0
    # a migration happened, and its compaction work ran on the new page
    assert coverage["z3fold_page_migrate.copy"] > 0 and coverage["compact_worker.compact"] > 0


# --------------------------------------------------------------------------- non-vacuity

# Each property that holds in `drain` is broken by a small change: the model can see each kind
# of bug.
_NO_DRAIN = """
    variant m extends drain { remove z3fold_destroy_pool.drain }"""
_NO_WAKE = """
    variant m extends drain {
        replace z3fold_page_migrate.dec_isolated {
            zpool[ZP].isolated = zpool[ZP].isolated - 1
            z3_iso = z3_iso \\ {p}
        }
    }"""
MUTATIONS = {
    "NoUseOfFreedMapping": _NO_DRAIN,
    "NoUseOfFreedPool": _NO_DRAIN,
    "NoUseOfFreedWorkqueue": _NO_DRAIN,
    "DrainedBeforeFree": _NO_DRAIN,
    # the migration's give-back forgets the wake-up: a sleeping destroy is never woken
    "DestroyFinishes": _NO_WAKE,
    "Deadlock": _NO_WAKE,
    # putback_movable_pages() without lock_page(): PG_isolated cleared without PG_lock
    "LockedMutation": """
        variant m extends drain { replace putback_movable_pages.lock { skip } }""",
    # v5.2's z3fold_alloc() again
    "SetMovableLocked": """
        variant m extends drain { remove zswap.lock_new  remove zswap.unlock_new }""",
    # v5.2's trylock_page() again
    "NoRelockOwnPage": """
        variant m extends drain {
            insert before z3fold_page_migrate.trylock step trylock_page {
                assert pglock[p] != c, "trylock_page() of a page this CPU holds" as NoRelockOwnPage
                if pglock[p] != none { return eagain }
            }
        }""",
    # z3fold_page_isolate() without kref_get(): z3fold_free() releases the isolated page
    "FreeNotIsolated": """
        variant m extends drain {
            replace z3fold_page_isolate.isolate {
                if NEEDS_COMPACTING in zflags[p] || PAGE_STALE in zflags[p] || zpool[ZP].destroying {
                    zlock[p] = none
                    return false
                }
                zpool[ZP] = Z3Pool(lru: zpool[ZP].lru \\ {p}, unbuddied: zpool[ZP].unbuddied \\ {p}, stale: zpool[ZP].stale, isolated: zpool[ZP].isolated + 1, destroying: false)
                z3_iso = z3_iso | {p}
                zlock[p] = none
                return true
            }
        }""",
    # isolation that does not look at PG_isolated under PG_lock, nor take it
    "ExclusiveIsolation": """
        variant m extends drain {
            replace isolate_movable_page.recheck {
                if !PageMovable(p) { unlock_page(p, c)  put_page(p)  return false }
                got = call z3fold_page_isolate(p, c)
            }
            replace isolate_movable_page.trylock { skip }
            replace isolate_movable_page.set_isolated {
                if !got { put_page(p)  return false }
                isolated[p] = true
                isolators[p] = isolators[p] | {c}
                return true
            }
        }""",
    # the putback forgets z3fold_dec_isolated()
    "PoolIsolatedAccounting": """
        variant m extends drain {
            replace z3fold_page_putback.putback {
                z3_iso = z3_iso \\ {p}
                if kref[p] == 1 {
                    __release_z3fold_page(p, 0)
                    return
                }
                kref[p] -= 1
                zpool[ZP] = pool_lists(zpool[ZP].lru | {p}, zpool[ZP].unbuddied \\ {p}, zpool[ZP].stale)
                zlock[p] = none
            }
        }""",
}


def test_every_property_of_drain_has_a_mutation(loaded):
    assert set(MUTATIONS) == set(loaded.models["drain"].property_names) - {"TypeOK"}


@pytest.mark.parametrize("prop", sorted(MUTATIONS))
def test_each_property_can_fail(prop):
    res = check_with(Z3FOLD, "mutation.mspec", MUTATIONS[prop], "m")
    assert res.verdict(prop) is Verdict.VIOLATED


# --------------------------------------------------------------------------- TLC


@pytest.mark.tlc
@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_tlc_agrees_with_builtin(loaded, variant):
    from tests.spec.agreement import assert_tlc_agrees

    model = loaded.models[variant]
    assert_tlc_agrees(model, check(model, symmetry=True), lassos=False)
