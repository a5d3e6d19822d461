"""`movspec lint` and `movspec show`: exit codes, human and JSON output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.load import load_text

ROOT = Path(__file__).parent.parent.parent
EXAMPLE = ROOT / "examples" / "spinlock.mspec"
BAD = Path(__file__).parent.parent / "fixtures" / "check" / "name_undefined_var.mspec"
UNUSED = Path(__file__).parent.parent / "fixtures" / "check" / "unused_declarations.mspec"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_example_lints_clean() -> None:
    r = run("lint", str(EXAMPLE))
    assert r.exit_code == 0, r.output
    assert r.stdout == "ok: 2 variants (test_and_set, racy_check_then_set)\n"
    assert r.stderr == ""


def test_errors_exit_1_with_rendered_diagnostics() -> None:
    r = run("lint", str(BAD))
    assert r.exit_code == 1
    assert f"{BAD}:10:9: error: unknown name `pgae`" in r.stderr
    assert " 10 |         pgae[self].ref = 1\n    |         ^^^^\nhint: did you mean `page`?" in r.stderr
    assert r.stderr.rstrip().endswith("1 error")


def test_warnings_do_not_fail_unless_strict() -> None:
    r = run("lint", str(UNUSED))
    assert r.exit_code == 0 and "5 warnings" in r.stderr
    assert run("lint", "--strict", str(UNUSED)).exit_code == 1


def test_json_output() -> None:
    r = run("lint", "--json", str(BAD))
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert (doc["ok"], doc["errors"], doc["warnings"]) == (False, 1, 0)
    (d,) = doc["diagnostics"]
    assert d == {"severity": "error", "code": "undefined-name", "message": "unknown name `pgae`",
                 "hint": "did you mean `page`?",
                 "span": {"file": str(BAD), "line": 10, "col": 9, "end_line": 10, "end_col": 13}}
    ok = json.loads(run("lint", "--json", str(EXAMPLE)).stdout)
    assert ok["ok"] and ok["variants"] == ["test_and_set", "racy_check_then_set"]


def test_default_path_is_spec(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run("lint")
    assert r.exit_code == 2 and "no such file or directory: `spec`" in r.stderr  # a usage error
    (tmp_path / "spec").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "spec" / "model.mspec")
    assert run("lint").exit_code == 0


def test_show_prints_the_resolved_variant() -> None:
    r = run("show", "racy_check_then_set", str(EXAMPLE))
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "variant racy_check_then_set \"the test and the set are separate steps\"" in out
    assert "    step take {    // from variant racy_check_then_set\n        lock = self\n    }" in out
    # the macro is expanded in place
    assert "    step release {\n        lock = nobody\n        goto acquire\n    }" in out
    # the output is itself a model with the same actors and properties
    again = load_text(out, "shown.mspec")
    assert again.ok
    original = load_text(EXAMPLE.read_text(), "x.mspec").models["racy_check_then_set"]
    shown = again.models["racy_check_then_set"]
    assert [s.body for s in shown.actor("cpu").steps] == [s.body for s in original.actor("cpu").steps]
    assert shown.properties == original.properties


@pytest.mark.parametrize("args, message, status", [
    (("show", "nope", str(EXAMPLE)), "error: no variant `nope`", 2),  # a usage error
    (("show", "test_and_set", str(BAD)), "unknown name `pgae`", 1),  # the model has errors
])
def test_show_errors(args, message, status) -> None:
    r = run(*args)
    assert r.exit_code == status and message in r.stderr


LOCALS = Path(__file__).parent.parent / "fixtures" / "ir" / "local_defaults.mspec"


def test_notes_only_with_verbose() -> None:
    plain = run("lint", str(LOCALS))
    assert plain.exit_code == 0 and "note:" not in plain.stderr
    verbose = run("lint", "--verbose", str(LOCALS))
    assert verbose.exit_code == 0, verbose.output
    assert (f"{LOCALS}:6:11: note: local `s` of `w` has no initial value: it starts at 0, the low end of 0..4"
            in verbose.stderr)
    assert verbose.stderr.count("note:") == 6
    # notes never fail a strict lint, and JSON lists them apart from the diagnostics
    assert run("lint", "--strict", str(LOCALS)).exit_code == 0
    doc = json.loads(run("lint", "--json", str(LOCALS)).stdout)
    assert doc["ok"] and doc["diagnostics"] == []
    assert [(n["severity"], n["code"], n["span"]["line"]) for n in doc["notes"]] == \
        [("note", "initial-value", line) for line in range(6, 12)]


def test_spec_lint_stays_quiet() -> None:
    r = run("lint", str(ROOT / "spec"))
    assert r.exit_code == 0 and r.stderr == ""
