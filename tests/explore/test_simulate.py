"""``movspec simulate``: random walks never claim a property holds, every violation they
report is real (the exhaustive check finds it too, with a counterexample no longer than the
simulated one), the same seed gives the same walks, and the minimizer shortens traces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.explore import check
from movspec.explore.simulate import simulate
from movspec.load import load
from movspec.result import Verdict

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


def _models(path):
    res = load([str(path)])
    assert res.ok
    return res.models


CASES = [(ROOT / "spec", v) for v in ("v4_8", "v3", "per_driver_locking", "put_page_hook")] + [
    (ROOT / "examples" / "spinlock.mspec", "racy_check_then_set"),
    (FIXTURES / "race.mspec", None)]


@pytest.mark.parametrize("path,variant", CASES, ids=lambda x: getattr(x, "name", x))
def test_simulation_is_sound_against_the_exhaustive_check(path, variant):
    models = _models(path)
    m = models[variant] if variant else next(iter(models.values()))
    sim = simulate(m, runs=150, depth=60, seed=7)
    full = check(m, symmetry=False)
    assert not sim.complete
    for p in sim.properties:
        assert p.verdict is not Verdict.HOLDS, p.name
        if p.verdict is Verdict.VIOLATED:
            ref = full.property(p.name)
            assert ref.verdict is Verdict.VIOLATED, p.name
            assert len(p.trace) >= len(ref.trace), p.name  # BFS gives the shortest
            # the trace is a real run: its first row is an initial state, and every row after
            # it names the step that produced it
            assert p.trace.steps[0].step is None and all(r.step for r in p.trace.steps[1:])


def test_simulation_finds_what_the_buggy_variants_violate():
    m = _models(ROOT / "spec")["per_driver_locking"]
    sim = simulate(m, runs=300, depth=80, seed=1)
    assert sim.property("NoUseAfterUnload").verdict is Verdict.VIOLATED


def test_same_seed_same_result_and_minimizing_shortens():
    m = _models(ROOT / "spec")["v3"]
    a = simulate(m, runs=60, depth=80, seed=3)
    b = simulate(m, runs=60, depth=80, seed=3)
    assert [(p.name, p.verdict, p.trace and len(p.trace)) for p in a.properties] == \
           [(p.name, p.verdict, p.trace and len(p.trace)) for p in b.properties]
    raw = simulate(m, runs=60, depth=80, seed=3, minimize=False)
    shrunk = [p for p in a.properties if p.verdict is Verdict.VIOLATED]
    assert shrunk
    for p in shrunk:
        assert len(p.trace) <= len(raw.property(p.name).trace)
    assert any(len(p.trace) < len(raw.property(p.name).trace) for p in shrunk)


def test_an_evaluation_error_keeps_earlier_violations():
    m = next(iter(_models(FIXTURES / "soundness" / "later_error.mspec").values()))
    r = simulate(m, runs=5, depth=20, seed=0)
    assert r.property("Low").verdict is Verdict.VIOLATED
    assert r.property("TypeOK").verdict is Verdict.ERROR
    assert "division by zero in step a.two" in r.error
    assert r.property("TypeOK").trace.steps[-1].failure == r.error


def test_cli_exits_one_when_a_property_expected_to_hold_is_violated(tmp_path):
    src = (FIXTURES / "race.mspec").read_text().replace("expect race violates AllCounted",
                                                         "expect race holds all")
    f = tmp_path / "race.mspec"
    f.write_text(src)
    out = tmp_path / "sim.json"
    r = CliRunner().invoke(cli, ["simulate", str(f), "--runs", "50", "--json", str(out), "--traces", "none"],
                           catch_exceptions=False)
    assert r.exit_code == 1, r.output
    assert "expected to hold, but a random run violates it" in r.output
    doc = json.loads(out.read_text())
    assert doc["results"][0]["backend"] == "simulate"
    ok = CliRunner().invoke(cli, ["simulate", str(FIXTURES / "race.mspec"), "--runs", "50", "--traces", "none"],
                            catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
