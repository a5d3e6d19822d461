"""`movspec init`: the starter model it writes checks with the verdicts it expects, and it
never overwrites what is there."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.explore import check
from movspec.expect import expectation_note, expected_verdict, judge
from movspec.load import load
from movspec.result import Verdict


def _init(*args):
    return CliRunner().invoke(cli, ["init", *map(str, args)])


def test_the_starter_checks_with_its_expected_verdicts(tmp_path):
    target = tmp_path / "model"  # created by init
    res = _init(target)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in target.iterdir()) == ["counter.mspec"]  # no temporary file left
    assert f"movspec check {target}" in res.output

    loaded = load([str(target)])
    assert loaded.ok and not loaded.warnings, loaded.diagnostics
    assert sorted(loaded.models) == ["atomic_increment", "plain_increment"]
    verdicts = {}
    for name, m in loaded.models.items():
        result = check(m)
        assert result.complete
        assert all(j.ok for j in judge(result, m)), [(j.prop.name, j.prop.verdict, j.expected) for j in judge(result, m)]
        for p in result.properties:
            verdicts[name, p.name] = p.verdict
            # every verdict has an expectation, and every expectation says why
            assert expected_verdict(m, p.name) is not None, (name, p.name)
            assert expectation_note(m, p.name), (name, p.name)
    # one correct and one buggy variant, and the bug is the lost update
    assert verdicts["atomic_increment", "NoLostUpdate"] is Verdict.HOLDS
    assert verdicts["plain_increment", "NoLostUpdate"] is Verdict.VIOLATED
    assert verdicts["atomic_increment", "Deadlock"] is Verdict.HOLDS  # all processes done: not a deadlock
    trace = check(loaded.models["plain_increment"]).property("NoLostUpdate").trace
    assert [s.step for s in trace.steps[1:]] == ["inc", "inc", "store", "store"]

    res = CliRunner().invoke(cli, ["check", str(target), "--backend", "builtin"])
    assert res.exit_code == 0, res.output


def test_init_refuses_to_overwrite_the_starter(tmp_path):
    mine = tmp_path / "counter.mspec"
    mine.write_text("// my own model\n", encoding="utf-8")
    res = _init(tmp_path)
    assert res.exit_code == 2
    assert "already exists" in res.output and "never overwrites" in res.output and "hint:" in res.output
    assert mine.read_text(encoding="utf-8") == "// my own model\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter.mspec"]


def test_init_refuses_a_directory_that_holds_a_model(tmp_path):
    (tmp_path / "lock.mspec").write_text("model lock\n", encoding="utf-8")
    res = _init(tmp_path)
    assert res.exit_code == 2
    assert "already holds a model (lock.mspec)" in res.output and "hint:" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lock.mspec"]


def test_init_into_a_file_is_a_usage_error_not_a_traceback(tmp_path):
    f = tmp_path / "file"
    f.write_text("x", encoding="utf-8")
    res = _init(f)
    assert res.exit_code == 2 and res.exception is None or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output and "file" in res.output
    assert f.read_text(encoding="utf-8") == "x"


def test_init_defaults_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = _init()
    assert res.exit_code == 0, res.output
    assert (tmp_path / "counter.mspec").read_text(encoding="utf-8").startswith("// A starter model")


@pytest.mark.tlc
def test_tlc_gives_the_starter_the_same_verdicts(tmp_path):
    """TLC on the emitted PlusCal agrees, Deadlock included: with every process done, the
    translated module stutters (``Terminating``), which TLC does not report as a deadlock."""
    from movspec.tlc import check_model

    assert _init(tmp_path).exit_code == 0
    loaded = load([str(tmp_path)])
    for name, m in loaded.models.items():
        ours, theirs = check(m), check_model(m)
        assert theirs.error is None, theirs.error
        assert {p.name: p.verdict for p in theirs.properties} == {p.name: p.verdict for p in ours.properties}, name
        assert theirs.stats.distinct == ours.stats.distinct, name


@pytest.mark.parametrize("typo,col", [("    step inc @", 5), ("    unfair step inc @", 12)],
                         ids=["first-step", "after-mark"])
def test_a_mistyped_step_keyword_in_the_starter_is_reported_at_the_word(tmp_path, typo, col):
    # `stepp` is read as `step` and a name `p`; the error names the word with the keyword meant
    assert _init(tmp_path).exit_code == 0
    path = tmp_path / "counter.mspec"
    text = path.read_text()
    assert "    step inc @" in text
    path.write_text(text.replace("    step inc @", typo.replace("step", "stepp"), 1))
    line = text[:text.index("    step inc @")].count("\n") + 1
    res = CliRunner().invoke(cli, ["lint", str(path)])
    assert res.exit_code == 1
    out = res.output.splitlines()
    assert out[0] == f"{path}:{line}:{col}: error: unexpected `stepp`: no such keyword"
    assert "hint: did you mean `step`?" in out
