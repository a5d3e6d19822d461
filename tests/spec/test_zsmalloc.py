"""The zsmalloc model in spec/zsmalloc/: it loads cleanly, every variant meets its expected
verdicts with the embedded checker, the v4.8 use-after-free goes through zs_destroy_pool()
and a VM path that dereferences the freed inode or pool, no step is dead, each property can
fail, and TLC agrees (tlc-marked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.expect import mismatches
from movspec.explore import check
from tests.spec.models import check_with, load_ok, trace_steps
from movspec.result import Verdict

ZSMALLOC = Path(__file__).resolve().parents[2] / "spec" / "zsmalloc"
VARIANTS = ("v4_8", "v5_3", "v5_17", "v6_0")
PROPERTIES = ("TypeOK", "NoUseOfFreedMapping", "NoUseOfFreedPool", "LockedMutation", "ExclusiveIsolate",
              "LockZspageOwnPages", "ExclusiveIsolation", "IsolatedAccounting", "DrainedBeforeFree", "DestroyFinishes", "Assertions",
              "Deadlock")
EXTRA = {"v5_3": ("PoolIsolatedAccounting",)}


@pytest.fixture(scope="module")
def loaded():
    return load_ok(ZSMALLOC)


@pytest.fixture(scope="module")
def results(loaded):
    return {v: check(m, symmetry=True) for v, m in loaded.models.items()}


def test_loads_without_diagnostics(loaded):
    assert loaded.diagnostics == []
    assert tuple(loaded.models) == VARIANTS


def test_every_variant_checks_every_property(loaded):
    from movspec.expect import expected_verdict

    for v, m in loaded.models.items():
        assert set(m.property_names) == set(PROPERTIES) | set(EXTRA.get(v, ())), v
        for p in m.property_names:
            assert expected_verdict(m, p) is not None, f"{v}: no expectation for {p}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_verdicts_match_expectations(loaded, results, variant):
    res = results[variant]
    assert res.complete and res.error is None
    assert res.stats.distinct > 1000  # a real search
    bad = mismatches(res, loaded.models[variant])
    assert bad == [], "\n".join(str(b) for b in bad)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_step_is_reached(results, variant):
    coverage = dict(results[variant].coverage)
    assert coverage, "the checker reports step coverage"
    assert [step for step, n in coverage.items() if n == 0] == []


def test_v4_8_freed_inode_read_by_the_vm_after_zs_destroy_pool(results):
    prop = results["v4_8"].property("NoUseOfFreedMapping")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    assert len(steps) == 19
    iput = steps.index(("user", "user", "zs_unregister_migration.iput"))
    flush = steps.index(("user", "user", "zs_unregister_migration.flush"))
    assert flush < iput
    # the compactor isolated the page before the pool's user freed the last object ...
    isolated = steps.index(("compactor", "C1", "isolate_movable_page.set_isolated"))
    free = steps.index(("user", "user", "free"))
    assert isolated < free < flush
    # ... and its next step after the iput is the VM's own PageMovable() test under PG_lock
    actor, cpu, last = steps[-1]
    assert actor == "compactor" and last in ("move_to_new_page.test", "putback_movable_pages.test")
    assert all(s[1] != cpu for s in steps[free:-1]), "the compactor waits from zs_free to the iput"
    assert "inode" in prop.trace.steps[-1].failure


def test_v4_8_freed_pool_reached_through_a_callback(results):
    prop = results["v4_8"].property("NoUseOfFreedPool")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    kfree = steps.index(("user", "user", "zs_destroy_pool.kfree"))
    assert ("user", "user", "zs_unregister_migration.iput") in steps[:kfree]
    actor, _, last = steps[-1]
    assert actor == "compactor" and last.startswith(("zs_page_migrate.", "zs_page_putback."))
    assert kfree < len(steps) - 1
    assert "zs_pool" in prop.trace.steps[-1].failure


def test_v4_8_pool_freed_while_a_page_is_isolated(results):
    prop = results["v4_8"].property("DrainedBeforeFree")
    assert prop.verdict is Verdict.VIOLATED
    assert trace_steps(prop.trace)[-1] == ("user", "user", "zs_destroy_pool.kfree")
    final = prop.trace.steps[-1].state
    assert final["zs_iso"] == frozenset({"P1"})  # zs_page_isolate() granted P1, nobody gave it back


def test_v5_3_waits_for_the_drain(results):
    res = results["v5_3"]
    for p in ("NoUseOfFreedMapping", "NoUseOfFreedPool", "DrainedBeforeFree", "DestroyFinishes",
              "PoolIsolatedAccounting", "Deadlock"):
        assert res.verdict(p) is Verdict.HOLDS, p
    assert res.stats.distinct > results["v4_8"].stats.distinct


def test_v5_17_lock_zspage_locks_a_migrated_page(results):
    prop = results["v5_17"].property("LockZspageOwnPages")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    # zs_free() found P1 locked by the migrating compactor and deferred the free
    locked = steps.index(("compactor", "C1", "migrate"))
    free = steps.index(("user", "user", "free"))
    assert locked < free
    # the worker chose P1 in its chain walk before the migration moved P1 off the zspage ...
    walk = max(i for i, s in enumerate(steps) if s == ("worker", "worker", "lock_zspage"))
    copy = steps.index(("compactor", "C1", "zs_page_migrate.copy"))
    assert walk < copy
    # ... and locks it once the compactor has unlocked it
    assert steps[-1] == ("worker", "worker", "lock_cur")
    assert ("compactor", "C1", "unlock_put") in steps[copy:]
    for p in ("NoUseOfFreedMapping", "NoUseOfFreedPool", "DrainedBeforeFree", "DestroyFinishes"):
        assert results["v5_17"].verdict(p) is Verdict.HOLDS, p


def test_v6_0_releases_isolated_pages_instead_of_waiting(results):
    res = results["v6_0"]
    assert all(p.verdict is Verdict.HOLDS for p in res.properties)
    coverage = dict(res.coverage)
    # zs_free() released a page the VM held isolated: the VM found it freed from under it
    assert coverage["compactor.freed"] > 0
    # lock_zspage() found a subpage locked and waited for it without locking it
    assert coverage["worker.lock_cur"] > 0
    # and nothing waits in zs_destroy_pool() for the VM
    assert not any(step.startswith("zs_unregister_migration.drain") for step in coverage)


# --------------------------------------------------------------------------- non-vacuity

# Each property of v5_3 is broken by a small change: the model can see each kind of bug.
MUTATIONS = {
    # the wait without pool->destroying set: the last putback does not wake the drain
    "DestroyFinishes": """
        variant m extends v5_3 { replace zs_unregister_migration.destroying { skip } }""",
    "Deadlock": """
        variant m extends v5_3 { replace zs_unregister_migration.destroying { skip } }""",
    # no wait for the drain: v4.8 again
    "NoUseOfFreedMapping": """
        variant m extends v5_3 { remove zs_unregister_migration.drain }""",
    "NoUseOfFreedPool": """
        variant m extends v5_3 { remove zs_unregister_migration.drain }""",
    "DrainedBeforeFree": """
        variant m extends v5_3 { remove zs_unregister_migration.drain }""",
    # the putback forgets dec_zspage_isolation()
    "IsolatedAccounting": """
        variant m extends v5_3 {
            replace zs_page_putback.putback {
                zs_iso = zs_iso \\ {p}
                spin_unlock(class_lock)
                return
            }
        }""",
    # isolation that does not look at PG_isolated under PG_lock
    "ExclusiveIsolation": """
        variant m extends v5_3 {
            replace isolate_movable_page.recheck {
                if !PageMovable(p) { unlock_page(p, c)  put_page(p)  return false }
                got = call zs_page_isolate(p)
            }
            replace isolate_movable_page.trylock { skip }
            replace isolate_movable_page.set_isolated {
                if !got { put_page(p)  return false }
                isolated[p] = true
                isolators[p] = isolators[p] | {c}
                return true
            }
        }""",
    "ExclusiveIsolate": """
        variant m extends v5_3 {
            replace isolate_movable_page.recheck {
                if !PageMovable(p) { unlock_page(p, c)  put_page(p)  return false }
                got = call zs_page_isolate(p)
            }
        }""",
    # putback_movable_pages() without lock_page(): PG_isolated cleared without PG_lock
    "LockedMutation": """
        variant m extends v5_3 { replace putback_movable_pages.lock { skip } }""",
    # lock_zspage() of v6_0 without migrate_read_lock(): v5.17's race again
    "LockZspageOwnPages": """
        variant m extends v6_0 {
            replace worker.lock_zspage {
                if exists x in zs_pages: pglock[x] != work {
                    cur = any {x in zs_pages where pglock[x] != work}
                } else { goto free_lock }
            }
            replace worker.lock_cur {
                lock_page(cur, work)
                assert cur in zs_pages, "stale" as LockZspageOwnPages
                goto lock_zspage
            }
        }""",
    # the putback of the last isolated subpage forgets zs_pool_dec_isolated()
    "PoolIsolatedAccounting": """
        variant m extends v5_3 {
            replace zs_page_putback.putback {
                zs_isolated -= 1
                zs_iso = zs_iso \\ {p}
                if zs_isolated == 0 {
                    zs_pool[pl].list = if zs_inuse == 0 then empty_list else inuse_list
                    if zs_inuse == 0 { free_work = true }
                }
            }
        }""",
}


@pytest.mark.parametrize("prop", sorted(MUTATIONS))
def test_each_property_can_fail(prop):
    res = check_with(ZSMALLOC, "mutation.mspec", MUTATIONS[prop], "m")
    assert res.verdict(prop) is Verdict.VIOLATED


# --------------------------------------------------------------------------- TLC


@pytest.mark.tlc
@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_tlc_agrees_with_builtin(loaded, variant):
    from tests.spec.agreement import assert_tlc_agrees

    model = loaded.models[variant]
    assert_tlc_agrees(model, check(model, symmetry=True), lassos=False)
