"""Budgets: a search cut short is incomplete, never holds."""

from __future__ import annotations

import pytest

from movspec.explore import check
from movspec.ir import nodes as ir
from movspec.result import Verdict

from . import models as M


@pytest.mark.parametrize("kw", [{"max_states": 20}, {"max_depth": 4}, {"timeout": 1e-9}],
                         ids=["states", "depth", "timeout"])
def test_budget_limited_run_is_incomplete_never_holds(kw):
    m = M.mutex(3, broken=True)
    full = check(m, symmetry=False)
    assert full.complete and full.stats.distinct == 152
    res = check(m, symmetry=False, **kw)
    assert not res.complete and res.reason
    for p in res.properties:
        assert p.verdict is not Verdict.HOLDS, p
        assert p.verdict in (Verdict.INCOMPLETE, Verdict.VIOLATED)
    assert res.stats.distinct < full.stats.distinct


def test_state_budget_reports_how_far_it_got():
    res = check(M.mutex(3, broken=True), symmetry=False, max_states=50)
    assert "state budget of 50" in res.reason
    assert 50 < res.stats.distinct < 152
    p = res.property(ir.DEADLOCK)
    assert p.verdict is Verdict.INCOMPLETE and f"{res.stats.distinct} states" in p.message


def test_violations_found_before_the_budget_stay_violated():
    res = check(M.mutex(3, broken=True), symmetry=False, max_depth=5)
    assert not res.complete
    # states of depth 5 are found (Exclusion) and expanded (LockHeld fails in a step from one)
    assert res.property("Exclusion").verdict is Verdict.VIOLATED
    assert res.property("LockHeld").verdict is Verdict.VIOLATED
    assert res.property(ir.DEADLOCK).verdict is Verdict.INCOMPLETE
    res = check(M.mutex(3, broken=True), symmetry=False, max_depth=4)
    assert res.property("Exclusion").verdict is Verdict.INCOMPLETE


def test_depth_budget_equal_to_the_depth_is_complete():
    res = check(M.mutex(3, broken=True), symmetry=False, max_depth=12)
    assert res.complete and res.stats.distinct == 152
    assert check(M.mutex(3, broken=True), symmetry=False, max_depth=11).complete is False


def test_memory_guard_stops_the_search():
    res = check(M.mutex(3, broken=True), symmetry=False, max_memory=1)
    # the guard is sampled, so a tiny model may finish first; either way never a false HOLDS
    if not res.complete:
        assert "memory" in res.reason
        assert all(p.verdict is not Verdict.HOLDS for p in res.properties)


def test_interrupt_gives_a_partial_result():
    calls = []

    def progress(p):
        calls.append(p)
        raise KeyboardInterrupt

    from movspec.explore.compile import compile_model
    from movspec.explore.search import Search
    m = M.race(4)
    s = Search(compile_model(m, symmetry=False), progress=progress, progress_interval=0.0)
    res = s.run()
    assert calls and res.reason == "interrupted" and not res.complete
    assert all(p.verdict is not Verdict.HOLDS for p in res.properties)


@pytest.mark.parametrize("phase", ["liveness", "proofs"])
def test_an_interrupt_in_a_check_on_the_graph_stops_the_check(phase, monkeypatch):
    # Ctrl-C during liveness leaves liveness and the proofs undecided, and the proofs do not
    # run; during the proofs, the liveness verdicts stand
    from pathlib import Path

    import importlib

    from movspec.load import load
    check_module = importlib.import_module("movspec.explore.check")  # the module, not the function
    root = Path(__file__).resolve().parents[2]
    model = load([root / "spec", root / "proofs"]).models["v4_8"]
    ran = []

    def stop(*_a, **_k):
        ran.append(phase)
        raise KeyboardInterrupt

    if phase == "liveness":
        monkeypatch.setattr(check_module, "check_liveness", stop)
        monkeypatch.setattr(check_module, "with_proofs", lambda *a, **k: ran.append("proofs"))
    else:
        monkeypatch.setattr(check_module, "with_proofs", stop)
    res = check_module.check(model)
    assert ran == [phase]
    assert not res.complete and res.reason == "interrupted"
    live = {p.name for p in model.properties if isinstance(p, ir.LeadsTo)}
    proofs = {p.name for p in check_module.proof_properties(model)}
    assert live and proofs
    for p in res.properties:
        if p.name in proofs or (phase == "liveness" and p.name in live):
            assert p.verdict is Verdict.INCOMPLETE and p.message == "interrupted", p.name
        elif p.name in live:
            assert p.verdict is Verdict.HOLDS, p.name  # decided before the interrupt
    assert any(p.verdict is Verdict.HOLDS for p in res.properties if p.name not in live | proofs)
