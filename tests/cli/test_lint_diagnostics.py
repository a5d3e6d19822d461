"""`movspec lint` as a user meets it on four mistakes: the root cause comes first, at its place,
with a hint, and the summary line closes the output (tests/fixtures/cli/diagnostics/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from click.testing import CliRunner

from movspec.cli import cli

HERE = Path(__file__).parent.parent / "fixtures" / "cli" / "diagnostics"


def lint(name: str, *flags: str):
    r = CliRunner().invoke(cli, ["lint", *flags, str(HERE / name)])
    return r.exit_code, r.stderr.replace(str(HERE) + "/", "")


def blocks(text: str) -> list[str]:
    """The rendered diagnostics, one string each (they start with ``file:line:col: error|warning``)."""
    out: list[str] = []
    for line in text.splitlines():
        if line.startswith(("replace", "missing", "macro", "errors")) and (": error: " in line or ": warning: " in line):
            out.append(line)
        elif out:
            out[-1] += "\n" + line
    return out


def test_replace_of_a_missing_step_is_reported_first_with_variant_actor_and_close_name() -> None:
    code, err = lint("replace_missing_step.mspec")
    assert code == 1
    first, second = blocks(err)
    assert first == (
        "replace_missing_step.mspec:14:13: error: variant `v` replaces step `s11` of actor `a`, which does not exist\n"
        " 14 |     replace a.s11 { bump(3) }\n"
        "    |             ^^^^^\n"
        "hint: did you mean `s1`?")
    # the knock-on error (the old step keeps the old macro call) comes after, and says why
    assert second.startswith("replace_missing_step.mspec:7:15: error: macro `bump` takes 1 argument, 0 given")
    assert "14:13: note: in variant `v`, built without this delta (see the first error)" in second
    assert err.splitlines()[-1] == "2 errors"


def test_missing_closing_brace_points_at_the_unclosed_block() -> None:
    code, err = lint("missing_brace.mspec")
    assert code == 1
    (only,) = blocks(err.rsplit("\n1 error", 1)[0])  # the parse stops at the first syntax error
    assert only == (
        "missing_brace.mspec:7:27: error: a `}` is probably missing: this `{` is never closed\n"
        " 7 |         if lock == nobody {\n"
        "   |                           ^\n"
        "missing_brace.mspec:10:5: note: `step` starts a step here, inside that block\n"
        " 10 |     step release {\n"
        "    |     ^^^^\n"
        "hint: close the block with `}` before the `}` of line 9, which lines up with an outer block")
    assert err.splitlines()[-1] == "1 error"


@pytest.mark.parametrize("name, opened, word, at", [
    ("missing_brace_after_call", ("9:18", "    step release {"), "`step` starts a step", "11:5"),
    ("missing_brace_in_variant", ("14:25", "    replace cpu.acquire {"), "`replace` starts a declaration", "17:5"),
])
def test_missing_brace_after_a_macro_call_points_at_the_unclosed_block(name, opened, word, at) -> None:
    # after a call `m(...)` the parser reads the next declaration's keyword as a statement;
    # the root cause is still the block left open, not the name after the keyword
    code, err = lint(f"{name}.mspec")
    assert code == 1
    (only,) = blocks(err.rsplit("\n1 error", 1)[0])
    lines = only.splitlines()
    assert lines[0] == f"{name}.mspec:{opened[0]}: error: a `}}` is probably missing: this `{{` is never closed"
    assert opened[1] in lines[1]
    assert f"{name}.mspec:{at}: note: {word} here, inside that block" in only
    assert lines[-1].startswith("hint: close the block with `}` before line")
    assert "assignment" not in only  # not the hint for a statement that starts with a name


def test_errors_in_a_macro_name_the_call_site_and_the_body() -> None:
    code, err = lint("macro_error.mspec")
    assert code == 1
    unknown, body_type, arg_type = blocks(err)
    # a mistake in the body: the body's place, then every call of the macro
    assert unknown.splitlines()[0] == "macro_error.mspec:6:21: error: unknown name `y`"
    assert "macro_error.mspec:10:15: note: in macro `bump`, called here" in unknown
    assert "macro_error.mspec:11:15: note: in macro `bump`, called here" in unknown
    assert unknown.splitlines()[-1] == "hint: declare it as a var, const, local or enum member"
    # a type error the checker finds after expansion, in the body: the call site as a note
    assert body_type.splitlines()[0] == "macro_error.mspec:8:21: error: `b` is a bool, but `0` is an integer (0..0)"
    assert "macro_error.mspec:13:15: note: in macro `clear`, called here" in body_type
    # a value passed at the call: the macro it went to as a note
    assert arg_type.splitlines()[0] == "macro_error.mspec:12:24: error: `b` is a bool, but `3` is an integer (3..3)"
    assert "macro_error.mspec:7:7: note: passed as `v` to macro `set_flag`, whose body uses it" in arg_type
    assert err.splitlines()[-1] == "3 errors"


def test_summary_line_counts_errors_and_warnings() -> None:
    code, err = lint("errors_and_warnings.mspec")
    assert code == 1
    warn, erro = blocks(err)
    assert warn.startswith("errors_and_warnings.mspec:4:11: warning: assertion `NeverChecked` is never checked")
    assert erro.startswith("errors_and_warnings.mspec:6:19: error: unknown name `y`")
    assert err.splitlines()[-1] == "1 error, 1 warning"


def test_strict_says_warnings_count_as_errors_instead_of_ok() -> None:
    unused = Path(__file__).parent.parent / "fixtures" / "check" / "unused_declarations.mspec"
    r = CliRunner().invoke(cli, ["lint", "--strict", str(unused)])
    assert r.exit_code == 1
    assert r.stdout == ""  # no `ok:` line for a lint that fails
    assert r.stderr.splitlines()[-2:] == ["5 warnings", "--strict: the 5 warnings count as errors"]
