"""A function's parameter or local that has no value yet (PlusCal's ``defaultInitValue``)
reads ``unset`` wherever a trace is told: the terminal's change lines and ``explain``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from movspec.cli import cli

PAGE_LOCK = str(Path(__file__).resolve().parents[2] / "examples" / "page_lock.mspec")


def test_check_traces_say_unset_for_a_function_parameter():
    res = CliRunner().invoke(cli, ["check", PAGE_LOCK, "--traces", "all", "--full"], env={"COLUMNS": "200"})
    assert "lock_page.p" in res.output  # the prelude's function parameter is in the trace
    assert "defaultInitValue" not in res.output
    assert "unset" in res.output


def test_explain_says_unset_for_a_function_parameter():
    res = CliRunner().invoke(cli, ["explain", "nonatomic_flag", "Locks", PAGE_LOCK, "--full"],
                             env={"COLUMNS": "200"})
    assert res.exit_code in (0, 1), res.output
    assert "lock_page.p" in res.output and "unset" in res.output
    assert "defaultInitValue" not in res.output
