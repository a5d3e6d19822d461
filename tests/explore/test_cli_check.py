"""``movspec check``: backends, exit status, budgets, outputs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from movspec.load import load
from movspec.cli import cli

from .conftest import FIXTURES


def _run(*args, env=None):
    runner = CliRunner()
    base = {"MOVSPEC_TLA2TOOLS": "", "MOVSPEC_TLC_BACKEND": "", "MOVSPEC_CACHE": "/nonexistent"}
    base.update(env or {})
    return runner.invoke(cli, ["check", *args], env=base, catch_exceptions=False)


def test_expectations_met_exit_zero_and_say_the_backend():
    r = _run(str(FIXTURES / "mutex.mspec"), "-q")
    assert r.exit_code == 0, r.output
    assert "backend: builtin" in r.output


def test_unmet_expectation_exits_one_and_says_which(tmp_path):
    src = (FIXTURES / "race.mspec").read_text().replace("expect race violates AllCounted",
                                                         "expect race holds all")
    f = tmp_path / "race.mspec"
    f.write_text(src)
    r = _run(str(f), "-q", "--backend", "builtin")
    assert r.exit_code == 1
    assert "race: AllCounted: expected to hold, but it is violated" in r.output


def test_budget_makes_expectations_unconfirmed(tmp_path):
    r = _run(str(FIXTURES / "mutex.mspec"), "-q", "--max-states", "10", "--variant", "split")
    assert r.exit_code == 1
    assert "incomplete" in r.output


def test_json_output(tmp_path):
    out = tmp_path / "r.json"
    r = _run(str(FIXTURES / "deadlock.mspec"), "-q", "--json", str(out))
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    res = {x["variant"]: x for x in doc["results"]}
    assert res["abba"]["stats"]["distinct"] == 13
    assert res["abba"]["backend"] == "builtin"
    assert {p["name"]: p["verdict"] for p in res["abba"]["properties"]}["Deadlock"] == "violated"


def test_unknown_variant_is_a_clear_error():
    r = _run(str(FIXTURES / "mutex.mspec"), "-q", "--variant", "nope")
    assert r.exit_code == 2
    assert "no variant nope (the model has: atomic, split)" in r.output


def test_tlc_backend_unavailable_says_why():
    r = _run(str(FIXTURES / "race.mspec"), "-q", "--backend", "tlc",
             env={"MOVSPEC_TLA2TOOLS": "/nonexistent/tla2tools.jar", "MOVSPEC_TLC_BACKEND": "local"})
    assert r.exit_code == 2
    assert "the TLC backend is not available" in r.output


@pytest.mark.tlc
def test_both_backends_agree(tmp_path):
    import os
    env = {"MOVSPEC_TLA2TOOLS": os.environ.get("MOVSPEC_TLA2TOOLS", ""),
           "MOVSPEC_TLC_BACKEND": os.environ.get("MOVSPEC_TLC_BACKEND", ""),
           "MOVSPEC_CACHE": os.environ.get("MOVSPEC_CACHE", "")}
    r = _run(str(FIXTURES / "mutex.mspec"), "-q", "--backend", "both", env=env)
    assert r.exit_code == 0, r.output
    assert "builtin and TLC agree on 2 variants" in r.output


def _fake_tlc(monkeypatch, *, tweak=None):
    """Stand in for TLC with the builtin checker (so the CLI's comparison logic can be tested
    without Java), optionally altering its result."""
    import dataclasses

    from movspec import api
    from movspec.cli import check as cmd
    from movspec.explore import check as builtin

    def run(model, options):
        r = dataclasses.replace(builtin(model, symmetry=options.symmetry, max_states=options.max_states,
                                        max_depth=options.max_depth), backend="tlc")
        return tweak(r) if tweak else r

    monkeypatch.setattr(cmd, "_tlc_status", lambda jar: (True, "stand-in"))
    monkeypatch.setattr(cmd, "_tlc_configured", lambda jar: True)
    monkeypatch.setattr(api, "check_tlc", run)  # the CLI runs each variant through the API


def test_both_fails_on_a_disagreement(monkeypatch):
    import dataclasses

    from movspec.result import Stats

    def tweak(r):
        return dataclasses.replace(r, stats=Stats(r.stats.generated, r.stats.distinct + 1, r.stats.depth))
    _fake_tlc(monkeypatch, tweak=tweak)
    r = _run(str(FIXTURES / "race.mspec"), "-q", "--backend", "both")
    assert r.exit_code == 1
    assert "the builtin checker and TLC disagree" in r.output
    assert "race: distinct states: builtin found 8, tlc found 9 (symmetry on)" in r.output


def test_auto_is_the_builtin_checker_even_when_tlc_is_configured(monkeypatch, tmp_path):
    # a configured TLC is used only when asked for: setting $MOVSPEC_TLA2TOOLS must not turn
    # a seconds-long check into minutes of Java without a word
    _fake_tlc(monkeypatch)
    out = tmp_path / "r.json"
    r = _run(str(FIXTURES / "race.mspec"), "-q", "--json", str(out), env={"MOVSPEC_TLA2TOOLS": "/some/tla2tools.jar"})
    assert r.exit_code == 0, r.output
    assert "backend: builtin (the embedded checker; TLC is configured: --backend tlc" in " ".join(r.output.split())
    assert {x["backend"] for x in json.loads(out.read_text())["results"]} == {"builtin"}
    r = _run(str(FIXTURES / "race.mspec"), "-q", "--backend", "tlc")
    assert "backend: tlc" in r.output


def test_first_stops_at_the_first_violation(tmp_path):
    out = tmp_path / "r.json"
    r = _run(str(FIXTURES / "race.mspec"), "-q", "--backend", "builtin", "--first", "--json", str(out))
    (res,) = json.loads(out.read_text())["results"]
    assert res["complete"] is False and "first violation" in res["reason"]
    assert "violated" in {p["verdict"] for p in res["properties"]}


def _verdict_table(path):
    doc = json.loads(path.read_text())
    return [(r["variant"], r["stats"]["distinct"], [(p["name"], p["verdict"], len((p["trace"] or {}).get("steps", [])))
                                                   for p in r["properties"]]) for r in doc["results"]]


@pytest.mark.slow
def test_jobs_gives_the_same_results_in_the_same_order(tmp_path):
    spec = FIXTURES.parents[1].parent / "spec"
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    a = _run(str(spec), "-q", "--backend", "builtin", "--jobs", "1", "--json", str(one))
    b = _run(str(spec), "-q", "--backend", "builtin", "--jobs", "2", "--json", str(two))
    assert a.exit_code == b.exit_code == 0, (a.output, b.output)
    assert _verdict_table(one) == _verdict_table(two)
    assert [r[0] for r in _verdict_table(two)] == list(load([str(spec)]).models)  # the model's order


@pytest.mark.slow
def test_interrupting_parallel_checks_leaves_no_worker_and_says_incomplete(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    root = FIXTURES.parents[1].parent
    out = tmp_path / "r.json"
    # with proofs/, interrupted once a worker is in a check on the graph (refinement,
    # inductive), which does not poll for Ctrl-C: the piped progress lines say when
    proc = subprocess.Popen([sys.executable, "-m", "movspec", "check", str(root / "spec"), str(root / "proofs"),
                             "--backend", "builtin", "--jobs", "2", "--no-cache", "--json", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines = []
    for line in proc.stdout:
        lines.append(line.decode())
        if "refinement and inductive" in lines[-1]:
            break
    assert proc.poll() is None and "(builtin): refinement" in "".join(lines), "".join(lines)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    # Ctrl-C takes effect at once (well within this bound even on a loaded machine)
    output = "".join(lines) + proc.communicate(timeout=30)[0].decode()
    assert proc.returncode == 130, output
    doc = json.loads(out.read_text())
    assert doc["ok"] is False
    assert any(not r["complete"] for r in doc["results"])
    assert len(doc["results"]) == len(load([str(root / "spec"), str(root / "proofs")]).models)
    # no worker left behind in the session
    left = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert left == [], left
