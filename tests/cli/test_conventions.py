"""Command-line conventions, as a user meets them: `check --property`, `--json` on explain,
diff, doctor and show, one `--timeout` (the old `--max-seconds` warns), the exit status
(2 for an unknown variant or property everywhere), `doctor` without TLC, shell completion,
and the legend of the verdict matrix."""

from __future__ import annotations

import json
import os

import pytest

from movspec.api import restrict_properties, unknown_properties
from movspec.load import load

from .conftest import FIXTURES, MANY, ROOT, SMALL, movspec

PROPS = str(FIXTURES / "props.mspec")


def _json_results(tmp_path, *args, env=None):
    out = tmp_path / "r.json"
    r = movspec("check", *args, "-q", "--json", str(out), "-j", "1", env=env)
    return r, {res["variant"]: {p["name"]: p for p in res["properties"]}
               for res in json.loads(out.read_text())["results"]}


# ---------------------------------------------------------------------- --property


def test_property_checks_only_the_named_ones_with_the_same_verdicts(tmp_path):
    full_r, full = _json_results(tmp_path, PROPS)
    assert full_r.returncode == 0, full_r.stdout + full_r.stderr
    r, some = _json_results(tmp_path, PROPS, "--property", "Exclusion", "-p", "Progress")
    assert r.returncode == 0, r.stdout + r.stderr
    for variant, props in some.items():
        # the named ones, plus what every search needs: TypeOK and the assertions of the steps
        assert set(props) == {"Exclusion", "Progress", "TypeOK", "LockHeld"}, variant
        for name, p in props.items():
            assert p["verdict"] == full[variant][name]["verdict"], (variant, name)
            if p["trace"] is not None:
                assert len(p["trace"]["steps"]) == len(full[variant][name]["trace"]["steps"])
    assert some["split"]["Exclusion"]["verdict"] == "violated"
    assert some["atomic"]["Progress"]["verdict"] == "violated"  # and expected so: exit 0


def test_deadlock_is_checked_only_when_named(tmp_path):
    _, some = _json_results(tmp_path, PROPS, "-p", "FreeWhenNobodyIn")
    assert "Deadlock" not in some["atomic"]
    _, some = _json_results(tmp_path, PROPS, "-p", "Deadlock")
    assert some["atomic"]["Deadlock"]["verdict"] == "holds"
    assert "Exclusion" not in some["atomic"]


def test_unknown_property_is_a_usage_error_with_a_hint():
    r = movspec("check", PROPS, "-p", "Exclusoin", "-q")
    assert r.returncode == 2
    assert "no property Exclusoin" in r.stderr and "did you mean `Exclusion`?" in r.stderr
    assert "Traceback" not in r.stderr


def test_restriction_keeps_the_expectations_about_what_is_left():
    loaded = load([PROPS])
    m = restrict_properties(loaded.models["split"], ["Exclusion"])
    assert {p.name for p in m.properties} == {"TypeOK", "Exclusion", "LockHeld"}
    assert m.allow_deadlock and "Deadlock" not in m.property_names
    assert {n for e in m.expectations for n in e.properties} == {"Exclusion", "LockHeld"}
    assert unknown_properties(loaded.models, ["Exclusion", "Nope"]) == ["Nope"]


@pytest.mark.tlc
def test_property_restricts_tlc_as_well(tmp_path):
    tlc = {k: os.environ[k] for k in ("MOVSPEC_TLA2TOOLS", "MOVSPEC_TLC_BACKEND", "MOVSPEC_CACHE")
           if k in os.environ}
    r, some = _json_results(tmp_path, PROPS, "-p", "Exclusion", "--backend", "both", env=tlc)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "builtin and TLC agree on 2 variants" in r.stdout
    assert set(some["split"]) == {"Exclusion", "TypeOK", "LockHeld"}


# ---------------------------------------------------------------------- exit status 2


@pytest.mark.parametrize("args", [
    ("check", SMALL, "--variant", "nosuch", "-q"),
    ("simulate", SMALL, "--variant", "nosuch"),
    ("show", "nosuch", SMALL),
    ("explain", "nosuch", "TypeOK", SMALL),
    ("explain", "locked", "NoSuchProperty", SMALL),
    ("diff", "locked", "nosuch", SMALL),
    ("check", SMALL, "--bogus-option"),
])
def test_unknown_names_are_usage_errors_everywhere(args):
    r = movspec(*args)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert "error" in r.stderr.lower() and "Traceback" not in r.stderr


@pytest.mark.parametrize("args", [
    ("check",), ("lint",), ("docs",), ("gen",), ("simulate",), ("show", "v"), ("explain", "v", "P"),
    ("diff", "a", "b"),
])
def test_a_missing_path_is_a_usage_error_everywhere(args, tmp_path):
    r = movspec(*args, str(tmp_path / "nosuch"))
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert f"error: no such file or directory: `{tmp_path / 'nosuch'}`" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "Usage:" not in r.stderr
    # without paths, spec/ is read: its absence says so
    r = movspec(*args, cwd=tmp_path)
    assert r.returncode == 2 and "without paths movspec reads `spec/`" in r.stderr, (args, r.stderr)


@pytest.mark.parametrize("command", ["check", "lint", "show", "explain", "diff", "docs", "gen",
                                     "simulate", "doctor"])
def test_every_help_documents_the_exit_status(command):
    r = movspec(command, "--help", columns=100)
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    assert "Exit status: 0" in text and "2 usage error" in text, command


def test_every_command_and_subcommand_documents_its_exit_status():
    import click
    from click.testing import CliRunner

    from movspec.cli import cli

    def leaves(group, path=()):
        for name, cmd in group.commands.items():
            yield from leaves(cmd, path + (name,)) if isinstance(cmd, click.Group) else [path + (name,)]

    seen = []
    for path in leaves(cli):
        r = CliRunner().invoke(cli, [*path, "--help"], terminal_width=100)
        text = " ".join(r.stdout.split())
        assert r.exit_code == 0 and "Exit status: 0" in text and "; 2 " in text, path
        seen.append(" ".join(path))
    assert {"lsp", "init", "tlc install", "tlc image", "anchors"} <= set(seen)


def test_main_help_documents_exit_status_and_completion():
    text = movspec("--help", columns=120).stdout
    assert "Exit status of every command" in text
    assert "_MOVSPEC_COMPLETE=bash_source movspec" in text


# ---------------------------------------------------------------------- --timeout


@pytest.mark.parametrize("command", ["gen", "docs"])
def test_one_name_for_the_output_directory(command):
    text = movspec(command, "--help", columns=200).stdout
    assert "-o, --out DIRECTORY" in text, command


@pytest.mark.parametrize("command", ["check", "explain", "diff", "docs", "simulate"])
def test_one_name_for_the_time_budget(command):
    text = movspec(command, "--help", columns=200).stdout
    assert "--timeout SECONDS" in text and "--max-seconds" not in text, command


def test_max_seconds_still_works_and_warns():
    old = movspec("explain", "unlocked", "NoUseAfterUnload", SMALL, "--json", "--max-seconds", "60")
    new = movspec("explain", "unlocked", "NoUseAfterUnload", SMALL, "--json", "--timeout", "60")
    assert old.returncode == new.returncode == 0, old.stderr
    assert "--max-seconds is deprecated; use --timeout" in old.stderr
    assert "deprecated" not in new.stderr
    assert json.loads(old.stdout)["trace"] == json.loads(new.stdout)["trace"]


def test_timeout_cuts_explain_short():
    r = movspec("explain", "v3", "MappingStability", "--json", "--timeout", "0.01", "--max-states", "50")
    doc = json.loads(r.stdout)
    assert doc["verdict"] in ("incomplete", "violated")
    assert r.returncode == (1 if doc["verdict"] == "incomplete" else 0)


# ---------------------------------------------------------------------- --json


def test_explain_json():
    r = movspec("explain", "unlocked", "NoUseAfterUnload", SMALL, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["variant"], doc["property"], doc["verdict"], doc["backend"]) == \
        ("unlocked", "NoUseAfterUnload", "violated", "builtin")
    assert len(doc["trace"]["steps"]) == 7  # the 6-step counterexample and the initial state
    assert any("compactor C1" in line for line in doc["explanation"])
    r = movspec("explain", "locked", "NoUseAfterUnload", SMALL, "--json")
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "holds" and doc["trace"] is None and doc["reason"]


def test_diff_json():
    r = movspec("diff", "locked", "unlocked", SMALL, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["a"], doc["b"]) == ("locked", "unlocked")
    step = next(d for d in doc["differences"] if d["what"] == "step")
    assert step["kind"] == "changed" and step["name"] == "compactor.lock"
    assert step["b"] == "replace compactor.lock { skip }"
    v = {row["property"]: row for row in doc["verdicts"]}
    assert v["NoUseAfterUnload"] == {"property": "NoUseAfterUnload", "a": "holds", "b": "violated", "same": False}
    assert doc["distinct"] == {"a": 69, "b": 108}
    r = movspec("diff", "unlocked", "locked", SMALL, "--json")
    rep = json.loads(r.stdout)["replays"]
    assert rep and rep[0]["property"] == "NoUseAfterUnload" and not rep[0]["reproduced"]
    assert rep[0]["blocked_at"] is not None


def test_show_json():
    r = movspec("show", "unlocked", SMALL, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["variant"] == "unlocked" and doc["base"] == "locked"
    comp = next(a for a in doc["actors"] if a["name"] == "compactor")
    assert comp["processes"] == ["C1", "C2"]
    lock = next(s for s in comp["steps"] if s["name"] == "lock")
    assert lock["at"]["line"] == 55  # the replacing step, in the variant's delta
    assert {p["name"]: p["kind"] for p in doc["properties"]}["NoUseAfterUnload"] == "assert"
    assert doc["text"] == movspec("show", "unlocked", SMALL).stdout


def test_doctor_without_tlc_exits_zero_and_says_what_tlc_adds():
    r = movspec("doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "builtin checker: available: checked a probe model" in r.stdout
    assert "TLC would add" in r.stdout and "--backend both" in r.stdout
    doc = json.loads(movspec("doctor", "--json").stdout)
    assert doc["ok"] is True and doc["builtin"]["available"] is True
    assert {b["name"] for b in doc["tlc_backends"]} == {"local", "docker"}
    assert all(not b["available"] for b in doc["tlc_backends"] if b["name"] == "local")


# ---------------------------------------------------------------------- completion, legend


def test_bash_completion_script_and_variant_names():
    src = movspec(env={"_MOVSPEC_COMPLETE": "bash_source"})
    assert src.returncode == 0 and "_movspec_completion" in src.stdout
    r = movspec(env={"_MOVSPEC_COMPLETE": "bash_complete", "COMP_WORDS": "movspec check -v v", "COMP_CWORD": "3"})
    assert {line.split(",")[1] for line in r.stdout.split()} == {
        "v4_8", "v3", "v6_0"}
    r = movspec(env={"_MOVSPEC_COMPLETE": "bash_complete", "COMP_WORDS": "movspec expl", "COMP_CWORD": "1"})
    assert r.stdout.split() == ["plain,explain"]


def test_legend_explains_a_bare_verdict():
    r = movspec("check", MANY, "-q", "-v", "l3", "-v", "locked", "-j", "1", columns=200)
    assert r.returncode == 0
    row = next(line for line in r.stdout.splitlines() if line.strip().startswith("l3 "))
    assert row.split()[1:4] == ["holds", "holds", "holds"]  # no expectation: no mark
    assert "a bare verdict (no mark): no `expect` line covers that property" in r.stdout
    assert "✓ as the model's `expect` lines say" in r.stdout


def test_python_dash_m_is_the_program():
    assert movspec("--version").stdout.startswith("movspec")
    assert ROOT.joinpath("src/movspec/__main__.py").exists()


def test_legend_explains_a_missing_property(tmp_path):
    model = tmp_path / "m.mspec"
    model.write_text('model m "two variants"\nvar x: 0..1 = 0\nactor a { step s { x = 1 } }\n'
                     'invariant Small: x <= 1\nvariant base\nvariant less extends base {\n'
                     '    remove property Small\n}\n')
    r = movspec("check", str(model), "-q", "-j", "1", columns=200)
    assert r.returncode == 0, r.stdout + r.stderr
    row = next(line for line in r.stdout.splitlines() if line.strip().startswith("less "))
    assert "—" in row
    assert "— the variant has no such property" in r.stdout
    r = movspec("check", str(model), "-q", "-j", "1", "-v", "base", columns=200)
    assert "no such property" not in r.stdout  # said only when a cell shows it
