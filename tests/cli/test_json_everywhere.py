"""`--json` on every command: gen, init, docs, tlc install and tlc image print a document (its
shape is report/schemas/cli.schema.json), and with --json every command's errors are JSON on
stdout (usage errors, model errors, click's own), with the exit status they have as text."""

from __future__ import annotations

import json
from importlib import resources

import click
import pytest
from click.testing import CliRunner

from movspec.cli import cli

from .conftest import FIXTURES, ROOT, SMALL

COUNT = str(FIXTURES / "count.mspec")
BAD = "model m \"x\"\nvar x: bool = 3\n"


@pytest.fixture(scope="module")
def validate():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((resources.files("movspec.report") / "schemas" / "cli.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema).validate


def _run(*args, code: int = 0) -> dict:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert r.exit_code == code, (r.exit_code, r.stdout, r.stderr)
    return json.loads(r.stdout)  # stdout is the document alone


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


def test_every_command_has_json():
    lacking = [" ".join(path) for path, cmd in _commands(cli)
               if path != ("lsp",)  # speaks JSON-RPC on stdio already
               and not any("--json" in p.opts for p in cmd.params if isinstance(p, click.Option))]
    assert not lacking, lacking
    names = {" ".join(path) for path, _ in _commands(cli)}
    assert {"gen", "init", "docs", "tlc install", "tlc image"} <= names


# ---------------------------------------------------------------------- gen


def test_gen_json_says_what_was_written_and_what_is_stale(tmp_path, validate):
    out = tmp_path / "gen"
    doc = _run("gen", COUNT, "-o", str(out), "--json")
    validate(doc)
    assert doc["ok"] and not doc["check"] and doc["variants"] == ["racy", "atomic"]
    assert {f["name"]: f["status"] for f in doc["files"]} == {
        "racy.tla": "written", "racy.cfg": "written", "atomic.tla": "written", "atomic.cfg": "written"}
    assert all((out / f["name"]).is_file() and f["path"] == str(out / f["name"]) for f in doc["files"])
    assert {f["status"] for f in _run("gen", COUNT, "-o", str(out), "--json")["files"]} == {"unchanged"}
    clean = _run("gen", COUNT, "-o", str(out), "--check", "--json")
    assert clean["ok"] and clean["hint"] is None
    (out / "racy.tla").write_text("stale\n")
    (out / "atomic.cfg").unlink()
    (out / "gone.tla").write_text("---- MODULE gone ----\n====\n")
    (out / "gone.cfg").write_text("\\* movspec\n")
    stale = _run("gen", COUNT, "-o", str(out), "--check", "--json", code=1)
    validate(stale)
    status = {f["name"]: f["status"] for f in stale["files"]}
    assert not stale["ok"] and status["racy.tla"] == "stale" and status["atomic.cfg"] == "missing"
    assert status["atomic.tla"] == "unchanged"
    assert f"--out {out}" in stale["hint"]
    written = {f["name"]: f["status"] for f in _run("gen", COUNT, "-o", str(out), "--json")["files"]}
    assert written["racy.tla"] == "written" and written["atomic.cfg"] == "written"
    assert (out / "racy.tla").read_text().startswith("----")


def test_gen_json_errors(tmp_path, validate):
    bad = tmp_path / "bad.mspec"
    bad.write_text(BAD)
    doc = _run("gen", str(bad), "-o", str(tmp_path / "g"), "--json", code=1)
    validate(doc)
    assert doc["error"] == "variable `x` is a bool, but `3` is an integer (3..3)"
    err = next(d for d in doc["diagnostics"] if d["severity"] == "error")
    assert err["span"]["file"] == str(bad) and err["span"]["line"] == 2 and err["code"] == "type"
    doc = _run("gen", COUNT, "--json", "--const", "Proc=3", "-o", str(tmp_path / "g"), code=2)
    assert doc["error"] == "the model has no constant `Proc` to set" and doc["hint"] == "did you mean `Procs`?"
    (tmp_path / "file").write_text("")
    doc = _run("gen", COUNT, "--json", "-o", str(tmp_path / "file" / "gen"), code=2)  # under a file
    validate(doc)
    assert doc["diagnostics"][0]["code"] == "output" and str(tmp_path / "file") in doc["error"]


# ---------------------------------------------------------------------- init, docs


def test_init_json_and_its_refusal(tmp_path, validate):
    doc = _run("init", str(tmp_path / "m"), "--json")
    validate(doc)
    assert doc["written"] == str(tmp_path / "m" / "counter.mspec")
    assert doc["variants"] == ["atomic_increment", "plain_increment"]
    assert [n["command"] for n in doc["next"]][0] == f"movspec check {tmp_path / 'm'}"
    # the commands it names work on what it wrote
    check = CliRunner().invoke(cli, ["check", str(tmp_path / "m"), "-q", "--no-cache", "-j", "1"])
    assert check.exit_code == 0, check.output
    refused = _run("init", str(tmp_path / "m"), "--json", code=2)
    validate(refused)
    assert refused["diagnostics"][0]["code"] == "refused" and "never overwrites" in refused["error"]


def test_docs_json_lists_the_files_and_the_verdicts(tmp_path, validate):
    out = tmp_path / "site"
    doc = _run("docs", COUNT, "-o", str(out), "--json")
    validate(doc)
    assert doc["report"] == str(out / "report.html") and doc["report"] in doc["files"]
    assert all((tmp_path / f).exists() for f in doc["files"])
    verdicts = {v["variant"]: v["verdicts"] for v in doc["variants"]}
    assert verdicts["racy"]["AllCounted"] == "violated" and verdicts["atomic"]["AllCounted"] == "holds"
    assert doc["variants"][0]["checker"] == "the builtin checker"
    nocheck = _run("docs", COUNT, "-o", str(out), "--no-check", "--no-html", "--json")
    assert nocheck["report"] is None and all(v["verdicts"] is None for v in nocheck["variants"])


# ---------------------------------------------------------------------- tlc install, tlc image


def test_tlc_install_json(monkeypatch, tmp_path, validate):
    from movspec.tlc import release

    jar = tmp_path / "tla2tools.jar"
    monkeypatch.setattr(release, "install", lambda force=False: jar)
    doc = _run("tlc", "install", "--json")
    validate(doc)
    rel = release.pinned()
    assert doc == {"ok": True, "version": rel.version, "tlc_version": rel.tlc_version, "url": rel.url,
                   "sha256": rel.sha256, "path": str(jar)}

    def offline(force=False):
        raise release.InstallError("cannot download https://example.invalid/tla2tools.jar: no network")
    monkeypatch.setattr(release, "install", offline)
    doc = _run("tlc", "install", "--json", code=1)
    validate(doc)
    assert doc["error"].startswith("cannot download") and doc["diagnostics"][0]["code"] == "install"
    # the flag before the subcommand is the subcommand's flag (as `git -c`-style tools take it)
    assert _run("tlc", "--json", "install", code=1) == doc
    assert _run("--json", "tlc", "install", code=1) == doc


def test_tlc_image_json(monkeypatch, validate):
    from movspec.tlc.backend import BackendUnavailable
    from movspec.tlc.docker import DockerTLC

    doc = _run("tlc", "image", "--print-dockerfile", "--json")
    validate(doc)
    assert doc["tag"].startswith("movspec-tlc:") and "FROM ${BASE}" in doc["dockerfile"]
    assert doc["base"] in doc["dockerfile"]
    monkeypatch.setattr(DockerTLC, "find_image", lambda self: ("movspec-tlc:x", "image movspec-tlc:x is current"))
    doc = _run("tlc", "image", "--json")
    validate(doc)
    assert doc == {"ok": True, "tag": "movspec-tlc:x", "built": False, "reason": "image movspec-tlc:x is current"}

    def no_daemon(self):
        raise BackendUnavailable("error: no reachable Docker daemon")
    monkeypatch.setattr(DockerTLC, "find_image", no_daemon)
    doc = _run("tlc", "image", "--json", code=1)
    validate(doc)
    assert doc["error"] == "no reachable Docker daemon" and doc["diagnostics"][0]["code"] == "docker"


# ---------------------------------------------------------------------- errors of every command


@pytest.mark.parametrize("args, code, message", [
    (["lint", "nosuch", "--json"], 2, "no such file or directory: `nosuch`"),
    (["show", "nosuch", SMALL, "--json"], 2, "no variant `nosuch`"),
    (["explain", "unlocked", "Nosuch", SMALL, "--json"], 2, "variant `unlocked` has no property `Nosuch`"),
    (["diff", "locked", "nosuch", SMALL, "--json"], 2, "no variant `nosuch` in the model"),
    (["docs", "nosuch", "--json"], 2, "no such file or directory: `nosuch`"),
    (["anchors", "--kernel", "nosuch", "--json"], 2, "--kernel nosuch: not a directory"),
    (["check", COUNT, "-v", "racey", "--json", "-"], 2, "no variant racey"),
    (["simulate", "nosuch", "--json", "-"], 2, "no such file or directory: `nosuch`"),
    (["simulate", COUNT, "-v", "atomc", "--json"], 2, "no variant atomc (the model has: atomic, racy)"),
    (["doctor", "--json", "--bogus"], 2, "No such option '--bogus'"),
    (["tlc", "install", "--json", "--forse"], 2, "No such option '--forse'"),
    (["tlc", "--json", "install", "--forse"], 2, "No such option '--forse'"),
    (["tlc", "--json", "nosuch"], 2, "No such command 'nosuch'"),
    (["tlc", "--json"], 2, "a command is needed after"),
    (["--json", "nosuch"], 2, "No such command 'nosuch'"),
    (["--json", "lint", "nosuch"], 2, "no such file or directory: `nosuch`"),
    (["gen", COUNT, "--json", "--const", "Procs"], 2, "--const `Procs` is not NAME=VALUE"),
    (["check", COUNT, "--const", "Procs", "--json", "-"], 2, "--const `Procs` is not NAME=VALUE"),
])
def test_errors_are_json_with_json(args, code, message, validate):
    r = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert r.exit_code == code, (r.stdout, r.stderr)
    doc = json.loads(r.stdout)
    validate(doc)
    assert doc["ok"] is False and doc["exit_status"] == code
    assert doc["error"].startswith(message), doc["error"]
    assert "error:" not in r.stderr  # said once, as JSON


def test_json_before_the_command_is_the_commands_flag():
    # `check`'s --json takes an optional FILE: moved after the command's arguments, it takes
    # none of them, so the document goes to stdout and the path stays a path
    text = open(COUNT).read()
    before = CliRunner().invoke(cli, ["--json", "check", COUNT, "--no-cache"], catch_exceptions=False)
    after = CliRunner().invoke(cli, ["check", COUNT, "--no-cache", "--json"], catch_exceptions=False)
    assert before.exit_code == after.exit_code
    variants = [[r["variant"] for r in json.loads(x.stdout)["results"]] for x in (before, after)]
    assert variants[0] == variants[1] == ["racy", "atomic"]
    assert open(COUNT).read() == text  # the model was not taken as the JSON file
    # without --json, a bare group still prints its help, as click groups do
    r = CliRunner().invoke(cli, ["tlc"], catch_exceptions=False)
    assert "install" in r.output and not r.output.lstrip().startswith("{")


def test_model_errors_are_json_in_every_command_that_loads(tmp_path, validate):
    bad = tmp_path / "bad.mspec"
    bad.write_text(BAD)
    for args in (["show", "base", str(bad)], ["explain", "base", "P", str(bad)], ["docs", str(bad), "-o", str(tmp_path / "d")],
                 ["check", str(bad), "--json", "-"]):
        r = CliRunner().invoke(cli, args + (["--json"] if "check" not in args else []), catch_exceptions=False)
        assert r.exit_code == 1, (args, r.stdout, r.stderr)
        doc = json.loads(r.stdout)
        validate(doc)
        assert [d["span"]["line"] for d in doc["diagnostics"] if d["severity"] == "error"] == [2], args


def test_without_json_errors_stay_text_on_stderr(tmp_path):
    r = CliRunner().invoke(cli, ["gen", COUNT, "--const", "Proc=3", "-o", str(tmp_path / "g")])
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.splitlines() == ["error: the model has no constant `Proc` to set", "hint: did you mean `Procs`?"]
    # --json FILE (not stdout): the results go to the file, errors stay text
    r = CliRunner().invoke(cli, ["check", COUNT, "-v", "racey", "--json", str(tmp_path / "r.json")])
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.startswith("error: no variant racey")
    r = CliRunner().invoke(cli, ["init", str(ROOT / "spec")])
    assert r.exit_code == 2 and "already holds a model" in r.stderr


def test_json_on_stdout_is_the_document_alone_in_a_real_process(tmp_path):
    from .conftest import movspec
    r = movspec("gen", COUNT, "-o", str(tmp_path / "g"), "--json", "--const", "Procs=3", "--const", "Max=Procs")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert {f["status"] for f in doc["files"]} == {"written"}
    assert "p3" in (tmp_path / "g" / "racy.cfg").read_text() or "p3" in (tmp_path / "g" / "racy.tla").read_text()


def test_check_and_simulate_json_alone_is_stdout_as_on_every_command(tmp_path):
    r = CliRunner().invoke(cli, ["check", COUNT, "-q", "--no-cache", "-j", "1", "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["schema_version"] == 1 and [x["variant"] for x in doc["results"]] == ["racy", "atomic"]
    assert "verdicts" in r.stderr  # the matrix moved to stderr
    # before another option it is alone too; a FILE still writes the file
    r = CliRunner().invoke(cli, ["simulate", COUNT, "--json", "--runs", "5"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert {x["backend"] for x in json.loads(r.stdout)["results"]} == {"simulate"}
    out = tmp_path / "r.json"
    r = CliRunner().invoke(cli, ["check", COUNT, "-q", "--no-cache", "-j", "1", "--json", str(out)])
    assert r.exit_code == 0 and json.loads(out.read_text())["ok"] is True
    assert "verdicts" in r.stdout  # the matrix stays on stdout
