"""The balloon model in spec/balloon/: it loads cleanly, every variant meets its expected
verdicts with the embedded checker, the headline counterexamples have the shape the comments
before the `expect` lines argue, no step is dead, the dequeue's isolated-page skip is dead
code, and every property that all variants keep can be broken by a small change."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.expect import VIOLATES, expected_verdict, mismatches
from movspec.explore import check
from tests.spec.models import check_with, load_ok, trace_steps
from movspec.result import Verdict

BALLOON = Path(__file__).resolve().parents[2] / "spec" / "balloon"
VARIANTS = ("v4_8", "no_isolated_skip", "no_movable_peek", "enqueue_insert_first", "dequeue_lock_page",
            "dequeue_no_trylock")
PROPERTIES = ("TypeOK", "EnqueueTrylock", "DequeueBUG", "NoCallbackOnReleased", "NoDequeueIsolated",
              "NoReleaseWhileIsolated", "LockedMutation", "ExclusiveIsolation", "ListDisjointness", "FreeHygiene",
              "IsolatedPagesExact", "Assertions", "Deadlock")


@pytest.fixture(scope="module")
def loaded():
    return load_ok(BALLOON)


@pytest.fixture(scope="module")
def results(loaded):
    return {v: check(m, symmetry=True) for v, m in loaded.models.items()}


def _index(steps, actor, step, proc=None, start=0):
    """The first position at or after ``start`` where ``actor`` (process ``proc``) runs ``step``."""
    for i in range(start, len(steps)):
        a, p, s = steps[i]
        if a == actor and s == step and (proc is None or p == proc):
            return i
    raise AssertionError(f"{actor} {step} not in {steps[start:]}")


def test_loads_without_diagnostics(loaded):
    assert loaded.diagnostics == []
    assert tuple(loaded.models) == VARIANTS


def test_every_variant_checks_every_property_and_expects_a_verdict(loaded):
    for v, m in loaded.models.items():
        assert set(m.property_names) == set(PROPERTIES), v
        for p in m.property_names:
            assert expected_verdict(m, p) is not None, f"{v}: no expectation for {p}"


@pytest.mark.slow
def test_searches_complete(results):
    for v, res in results.items():
        assert res.complete and res.error is None, v
        assert res.stats.distinct > 10_000, v


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_verdicts_match_expectations(loaded, results, variant):
    bad = mismatches(results[variant], loaded.models[variant])
    assert bad == [], "\n".join(str(b) for b in bad)


@pytest.mark.slow
def test_v4_8_holds_everything(results):
    assert {p.name: p.verdict for p in results["v4_8"].properties} == {p: Verdict.HOLDS for p in PROPERTIES}


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_step_is_reached(results, variant):
    coverage = dict(results[variant].coverage)
    assert coverage, "the checker reports step coverage"
    assert [step for step, n in coverage.items() if n == 0] == []


# --------------------------------------------------------------------------- the findings


@pytest.mark.slow
def test_the_isolated_skip_is_dead_code(results):
    # without the skip the same states are reached, with the same verdicts
    a, b = results["v4_8"], results["no_isolated_skip"]
    assert a.stats.distinct == b.stats.distinct
    assert [(p.name, p.verdict) for p in a.properties] == [(p.name, p.verdict) for p in b.properties]
    # and in v4.8 a page the walk has locked is never PG_isolated: the branch is never taken
    probe = """
        variant probe extends v4_8 {
            replace balloon_page_dequeue.check {
                if !got { goto next }
                assert !PageIsolated(page), "the skip is taken" as SkipTaken
                if PageIsolated(page) { unlock_page(page, drv)  goto next }
                balloon_page_delete(page, drv)
                unlock_page(page, drv)
                spin_unlock_irqrestore(pages_lock, flags)
                return page
            }
        }"""
    res = _check_with(probe, "probe")
    assert res.verdict("SkipTaken") is Verdict.HOLDS
    assert res.stats.distinct == a.stats.distinct


@pytest.mark.slow
def test_no_peek_locks_a_reused_page_under_the_balloon(results):
    prop = results["no_movable_peek"].property("EnqueueTrylock")
    assert prop.verdict is Verdict.VIOLATED
    steps = trace_steps(prop.trace)
    states = [s.state for s in prop.trace.steps[1:]]  # states[i]: after steps[i]
    # the compactor picks P while it is (or was) a movable page; the worker frees P and
    # allocates it again; then the compactor's get_page_unless_zero and trylock_page win
    _, cpu, _ = steps[_index(steps, "compactor", "scan")]
    scan = _index(steps, "compactor", "scan", cpu)
    page = states[scan]["compactor.p"].get(cpu)
    freed = _index(steps, "worker", "leaked", start=scan)
    assert states[freed]["ref"].get(page) == 0
    alloc = _index(steps, "worker", "balloon_page_enqueue.alloc", start=freed)
    assert states[alloc]["worker.balloon_page_enqueue.page"].get("worker") == page
    get = _index(steps, "compactor", "isolate_movable_page.get", cpu, start=scan)
    lock = _index(steps, "compactor", "trylock_page.test_and_set", cpu, start=get)
    assert alloc < get < lock
    assert states[lock]["pglock"].get(page) == cpu
    assert steps[-1][0::2] == ("worker", "balloon_page_enqueue.insert")
    assert "BUG_ON(!trylock_page(page))" in prop.trace.steps[-1].failure
    # with the peek (v4.8) the same compactor finds the fresh page's mapping NULL
    assert results["v4_8"].verdict("EnqueueTrylock") is Verdict.HOLDS


@pytest.mark.slow
def test_insert_before_lock_lets_a_compactor_win_the_lock(results):
    prop = results["enqueue_insert_first"].property("EnqueueTrylock")
    steps = trace_steps(prop.trace)
    publish = _index(steps, "worker", "balloon_page_enqueue.publish")
    worker_lock = _index(steps, "worker", "trylock_page.test_and_set", "worker", start=publish)
    cpu_lock = _index(steps, "compactor", "trylock_page.test_and_set", start=publish)
    assert publish < cpu_lock < worker_lock
    assert steps[-1][0::2] == ("worker", "balloon_page_enqueue.bug_on")


@pytest.mark.slow
def test_dequeue_lock_page_is_an_abba_deadlock(results):
    prop = results["dequeue_lock_page"].property("Deadlock")
    assert prop.verdict is Verdict.VIOLATED
    final = prop.trace.steps[-1].state
    pcs = final["pc"]
    assert pcs.get("worker") == "balloon_page_dequeue.lock_page"
    assert final["pages_lock"] == frozenset({"worker"})
    holders = [c for c in ("C1", "C2") if pcs.get(c) == "balloon_page_isolate.locked"]
    assert len(holders) == 1
    page = final["worker.balloon_page_dequeue.page"].get("worker")
    assert final["pglock"].get(page) == holders[0]


@pytest.mark.slow
def test_dequeue_without_trylock_deletes_under_a_compactor(results):
    prop = results["dequeue_no_trylock"].property("NoCallbackOnReleased")
    steps = trace_steps(prop.trace)
    assert steps[-1][0::2] == ("compactor", "balloon_page_isolate.locked")
    cpu = steps[-1][1]
    recheck = max(i for i, s in enumerate(steps) if s == ("compactor", cpu, "isolate_movable_page.recheck"))
    delete = max(i for i, s in enumerate(steps) if s[0::2] == ("worker", "balloon_page_dequeue.check"))
    assert recheck < delete < len(steps) - 1
    assert "isolate_page()" in prop.trace.steps[-1].failure
    # the recheck still serialises the compactors
    assert results["dequeue_no_trylock"].verdict("ExclusiveIsolation") is Verdict.HOLDS


# --------------------------------------------------------------------------- non-vacuity


def _check_with(delta: str, variant: str):
    res = check_with(BALLOON, "mutation.mspec", delta, variant)
    assert res.complete
    return res


# The properties that every variant keeps, each broken by a small change to v4.8.
MUTATIONS = {
    # the isolated pages are not counted: the dequeue's BUG() fires while the VM holds a page
    "DequeueBUG": """
        variant m extends v4_8 {
            replace balloon_page_isolate.locked { await pages_lock == {}  list_del(p, pages)  return true }
            replace balloon_page_putback.locked { await pages_lock == {}  list_add(p, pages) }
            replace balloon_page_migrate.inflate { await pages_lock == {}  balloon_page_insert(newp, who) }
        }""",
    "ExclusiveIsolation": """
        variant m extends v4_8 {
            replace isolate_movable_page.recheck {
                if !locked { put_page(p)  return false }
                if !PageMovable(p) { unlock_page(p, who)  put_page(p)  return false }
            }
        }""",
    # isolate_page leaves the page on the list, and the dequeue no longer skips it
    "NoDequeueIsolated": """
        variant m extends no_isolated_skip {
            replace balloon_page_isolate.locked { await pages_lock == {}  isolated_pages += 1  return true }
        }""",
    "ListDisjointness": """
        variant m extends v4_8 {
            replace balloon_page_isolate.locked { await pages_lock == {}  isolated_pages += 1  return true }
        }""",
    # the migrate callback forgets get_page(newpage): the new balloon page is freed on its list
    "FreeHygiene": """
        variant m extends v4_8 {
            replace balloon_page_migrate.trylock {
                if balloon_lock != none { return false }
                balloon_lock = who
            }
        }""",
    # the migrate callback takes four references on the new page: _refcount past MaxRef
    "TypeOK": """
        variant m extends v4_8 {
            replace balloon_page_migrate.trylock {
                if balloon_lock != none { return false }
                balloon_lock = who
                ref[newp] += 4
            }
        }""",
}


@pytest.mark.slow
@pytest.mark.parametrize("prop", sorted(MUTATIONS))
def test_each_property_can_fail(prop):
    assert _check_with(MUTATIONS[prop], "m").verdict(prop) is Verdict.VIOLATED


def test_every_property_is_broken_somewhere(loaded):
    # by a variant's expectation or by a mutation above
    broken = set(MUTATIONS)
    for m in loaded.models.values():
        broken |= {p for p in m.property_names if expected_verdict(m, p) == VIOLATES}
    assert broken == set(PROPERTIES)


# --------------------------------------------------------------------------- movspec check


@pytest.mark.slow
def test_movspec_check_spec_balloon_passes():
    from click.testing import CliRunner

    from movspec.cli import cli

    res = CliRunner().invoke(cli, ["check", str(BALLOON), "--backend", "builtin", "--quiet"])
    assert res.exit_code == 0, res.output
    assert f"{len(VARIANTS) * len(PROPERTIES)} verdicts: all as expected" in res.output


# --------------------------------------------------------------------------- TLC


@pytest.fixture(scope="module")
def tlc_backend():
    """Skips before the builtin results are computed when there is no TLC backend."""
    from movspec import tlc

    ok, why = tlc.available()
    if not ok:
        pytest.skip(f"no TLC backend: {why}")


@pytest.mark.tlc
@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_tlc_agrees_with_builtin(tlc_backend, loaded, results, variant):
    from tests.spec.agreement import assert_tlc_agrees

    # both give the shortest counterexample of each violated property
    assert_tlc_agrees(loaded.models[variant], results[variant])
