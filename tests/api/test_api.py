"""The public Python API (``import movspec``): load, check, explain, mismatches, the
``both`` referee, and the example script that sweeps a constant."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import movspec

ROOT = Path(__file__).resolve().parents[2]


def test_all_names_are_there_and_check_is_the_function():
    for name in movspec.__all__:
        assert hasattr(movspec, name), name
    stage = importlib.import_module("movspec.check.types")  # the stage package stays importable
    assert stage.__name__ == "movspec.check.types"
    assert callable(movspec.check)


def test_load_check_explain_mismatches_on_the_protocol():
    loaded = movspec.load([ROOT / "spec"])
    assert loaded.ok
    (v3,) = movspec.check(loaded, variants=["v3"])
    assert isinstance(v3, movspec.CheckResult)
    assert v3.verdict("NoUseAfterUnload") is movspec.Verdict.VIOLATED
    assert movspec.mismatches(v3, loaded.models["v3"]) == []
    text = movspec.explain(v3, "NoUseAfterUnload", loaded)
    assert "NoUseAfterUnload" in text and "unload" in text
    doc = movspec.results_to_json([v3])
    assert doc["results"][0]["variant"] == "v3"


def test_bad_input_and_unknown_names():
    bad = movspec.load([ROOT / "tests" / "fixtures" / "explore" / "soundness" / "nosuch.mspec"])
    assert not bad.ok and bad.errors
    loaded = movspec.load([ROOT / "spec"])
    with pytest.raises(KeyError, match="no variant nosuch"):
        movspec.check(loaded, variants=["nosuch"])
    with pytest.raises(ValueError, match="unknown backend"):
        movspec.check(loaded, backend="spin")


def test_simulate_backend_never_says_holds():
    loaded = movspec.load([ROOT / "spec"])
    (r,) = movspec.check(loaded, variants=["v4_8"], backend="simulate", max_states=20, max_depth=30)
    assert r.backend == "simulate"
    assert movspec.Verdict.HOLDS not in {p.verdict for p in r.properties}


@pytest.mark.tlc
def test_both_gives_a_referee_that_agrees_on_the_protocol():
    loaded = movspec.load([ROOT / "spec"])
    (ref,) = movspec.check(loaded, variants=["per_driver_locking"], backend="both")
    assert isinstance(ref, movspec.Referee)
    assert ref.agree, ref.disagreements


def test_sweep_example_tabulates_verdicts():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "api" / "sweep.py"), "--values", "1,3"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "MaxRef=1" in lines[0] and "MaxRef=3" in lines[0]
    typeok = next(l for l in lines if l.startswith("TypeOK"))
    assert typeok.split()[1:] == ["violated", "holds"]  # a refcount of 2 needs MaxRef >= 2
