"""TLC for real on the small models of tests/fixtures/tlc/runtime/ (marked ``tlc``: skipped
without a TLC backend): a counter past its range, runtime errors, budgets, a JVM that cannot
start, and ``--backend both`` refereeing a model on which the back ends differ."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from movspec.expect import disagreements
from movspec.load import load
from movspec.result import Verdict
from movspec.tlc import check_model

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "tlc" / "runtime"

pytestmark = pytest.mark.tlc


def _model(name):
    res = load([str(FIX / f"{name}.mspec")])
    assert res.ok, res.diagnostics
    (m,) = res.models.values()
    return m


def _movspec(*args, env=None):
    exe = Path(sys.executable).parent / "movspec"  # the console script of this environment
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=600)


def test_counter_past_its_range_violates_typeok_and_the_rerun_ends():
    res = check_model(_model("counter"))
    t = res.property("TypeOK")
    assert t.verdict is Verdict.VIOLATED
    # bump (n = 1), again, bump (2), again, bump (3): a shortest counterexample
    assert [r.step for r in t.trace.steps] == [None, "bump", "again", "bump", "again", "bump"]
    assert t.trace.steps[-1].state["n"] == 3
    # the re-run without TypeOK is bounded: it stops past the headroom and says so
    assert not res.complete and "headroom" in res.reason
    assert res.verdict("Deadlock") is Verdict.INCOMPLETE
    assert res.stats.distinct == 27  # n in -11..13, at two program counters, up to n = 14


def test_runtime_error_decides_only_the_open_properties():
    res = check_model(_model("stepdom"))
    # both found before the error, in the state that step second reaches: they keep their traces
    for name in ("TypeOK", "Early"):
        p = res.property(name)
        assert p.verdict is Verdict.VIOLATED and [r.step for r in p.trace.steps] == [None, "first", "second"]
    dl = res.property("Deadlock")
    assert dl.verdict is Verdict.ERROR
    assert dl.message.startswith("function [0 |-> false, 1 |-> false, 2 |-> false] applied to 3, which is not "
                                 "in its domain in step reader.read (")
    assert "stepdom.mspec:10:" in dl.message
    assert [r.step for r in dl.trace.steps] == [None, "first", "second", "read"]
    assert dl.trace.steps[-1].failure == dl.message
    assert not res.complete and res.reason == "evaluation error" and res.error == dl.message


def test_division_by_zero_is_located():
    res = check_model(_model("divzero"))
    assert {p.verdict for p in res.properties} == {Verdict.ERROR}
    p = res.property("Small")
    assert p.message.startswith("division by zero in step worker.divide (") and "divzero.mspec:9:" in p.message
    assert len(p.trace.steps) == 6 and p.trace.steps[-1].state is None


def test_budgets_apply_to_tlc():
    m = _model("counter")
    cut = check_model(m, max_states=4)
    assert not cut.complete and cut.reason == "state budget of 4 distinct states reached"
    assert Verdict.HOLDS not in {p.verdict for p in cut.properties}
    deep = check_model(m, max_depth=3)
    assert not deep.complete and deep.reason == "depth budget of 3 reached"
    assert deep.stats.depth <= 3 and Verdict.HOLDS not in {p.verdict for p in deep.properties}
    slow = check_model(_model("slow"), timeout=3)
    assert not slow.complete and slow.reason == "time budget of 3s reached"
    assert {p.verdict for p in slow.properties} == {Verdict.INCOMPLETE}


def test_a_depth_budget_that_reaches_every_state_is_complete():
    """n cycles 0, 1, 2: three levels hold every state; the level-3 state's successor (n = 0)
    was seen, so a budget of 3 cuts nothing (TLC is asked once more to be sure), 2 does."""
    m = _model("loop")
    full = check_model(m, max_depth=3)
    assert full.complete and full.stats.distinct == 3
    assert {p.verdict for p in full.properties} == {Verdict.HOLDS}
    cut = check_model(m, max_depth=2)
    assert not cut.complete and cut.reason == "depth budget of 2 reached"


def test_budgets_agree_with_the_builtin_checker_on_the_counter():
    from movspec.explore import check
    m = _model("counter")
    for kw in ({"max_states": 4}, {"max_states": 5}, {"max_depth": 4}):
        assert disagreements(check(m, **kw), check_model(m, **kw)) == [], kw
    loop = _model("loop")
    for d in (2, 3):
        assert disagreements(check(loop, max_depth=d), check_model(loop, max_depth=d)) == [], d


def test_a_jvm_that_cannot_start_says_so(tmp_path):
    r = _movspec("check", str(FIX / "counter.mspec"), "--backend", "tlc", "-q",
                 "--json", str(tmp_path / "r.json"), env={"MOVSPEC_JAVA_OPTS": "-Xmxfoo"})
    text = r.stdout + r.stderr
    assert r.returncode == 1, text
    assert "Java could not start ($MOVSPEC_JAVA_OPTS='-Xmxfoo'): Invalid maximum heap size" in " ".join(text.split())
    assert "PlusCal translator" not in text and "error: error:" not in text
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["ok"] is False and {p["verdict"] for p in doc["results"][0]["properties"]} == {"error"}


def test_backend_both_is_a_referee(tmp_path):
    """A set of integers given an element past its range: TypeOK is violated in one step on
    both sides; neither goes past a set element outside its range (the builtin checker stores
    a set as a bit mask over its type, TLC's re-run is bounded the same way), so Deadlock is
    INCOMPLETE on both. The CLI must report exactly the differences ``disagreements`` finds,
    and exit 1 when there are any (the referee's rules are tested on constructed results in
    test_referee.py)."""
    from movspec.explore import check
    m = _model("setint")
    t = check_model(m)
    assert t.verdict("TypeOK") is Verdict.VIOLATED and t.verdict("Deadlock") is Verdict.INCOMPLETE
    assert t.property("TypeOK").trace.steps[-1].state["s"] == frozenset({3})
    b = check(m)
    assert b.verdict("TypeOK") is Verdict.VIOLATED and b.verdict("Deadlock") is Verdict.INCOMPLETE
    assert len(b.property("TypeOK").trace) == len(t.property("TypeOK").trace) == 2
    dis = disagreements(check(m), t)
    r = _movspec("check", str(FIX / "setint.mspec"), "--backend", "both", "-q",
                 "--json", str(tmp_path / "r.json"))
    out = " ".join(r.stdout.split())
    if dis:
        assert r.returncode == 1, out
        assert "the builtin checker and TLC disagree:" in out
        for d in dis:
            assert " ".join(d.split()) in out, d
        assert "NO" in out
    else:
        assert r.returncode == 0, out  # the model expects nothing; only a disagreement fails it
        assert "builtin and TLC agree on 1 variant" in out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert {x["backend"] for x in doc["results"]} == {"builtin", "tlc"}


def test_runtime_errors_are_refereed_too(tmp_path):
    """An invariant that divides by zero in the initial state: an ERROR on both sides, which
    fails the run whether or not they agree."""
    m = _model("wrongdom")
    t = check_model(m)
    assert t.verdict("Ratio") is Verdict.ERROR and "in the initial state" in t.property("Ratio").message
    r = _movspec("check", str(FIX / "wrongdom.mspec"), "--backend", "both", "-q")
    assert r.returncode == 1, r.stdout


def test_an_assert_failed_before_a_value_outside_its_type_is_found_by_both():
    from movspec.explore import check
    res = load([str(ROOT / "tests" / "fixtures" / "explore" / "soundness" / "assert_then_out_of_type.mspec")])
    (m,) = res.models.values()
    ours, theirs = check(m), check_model(m)
    for name in ("TypeOK", "Assertions"):
        assert ours.verdict(name) is theirs.verdict(name) is Verdict.VIOLATED, name
    assert len(ours.property("Assertions").trace) == len(theirs.property("Assertions").trace)
