from rich.console import Console

from movspec.report.lanes import render_text
from movspec.report.terminal import matrix, print_results
from movspec.report.trace_view import view
from movspec.result import Trace

from . import handbuilt as hb


def test_view_rows_and_changes():
    v = view(hb.uau_trace(), hb.model())
    assert [l.label for l in v.lanes] == ["compactor C1", "compactor C2", "driver", "loader"]
    assert [r.lane for r in v.rows] == [None, 0, 0, 2, 3, 0]
    get = v.rows[2]
    assert (get.step, get.function) == ("get", "isolate_movable_page")
    assert [c.text() for c in get.changes] == ["page[P1].ref: 1 → 2"]
    scan = v.rows[1]
    assert [(c.path, c.local) for c in scan.changes] == [("p", True)]
    assert v.rows[3].next == "Done" and v.rows[3].jump is None  # falls off its last step
    assert v.rows[-1].failure.startswith("use-after-unload")
    assert v.globals == ("page", "driver_loaded")


def test_view_without_model_takes_lanes_from_pc():
    v = view(hb.uau_trace(), None)
    assert [l.proc for l in v.lanes] == ["C1", "C2", "driver", "loader"]
    assert v.rows[2].function == "isolate_movable_page"


def test_lanes_golden(golden):
    golden("lanes_uau.txt", render_text(hb.uau_trace(), hb.model(), width=120))


def test_lanes_full_states_golden(golden):
    golden("lanes_uau_full.txt", render_text(hb.uau_trace(), hb.model(), full=True, width=160))


def test_lasso_marks_the_loop():
    t = hb.uau_trace()
    lasso = Trace(t.steps[:4], loop_start=1)
    text = render_text(lasso, hb.model())
    assert "⟲1" in text and "from step 1 on, the steps repeat forever" in text


def _console(width=150):
    return Console(width=width, record=True, color_system=None, force_terminal=False, file=open("/dev/null", "w"))


def test_matrix_golden(golden):
    c = _console()
    c.print(matrix(hb.results(), hb.models(), show_time=False))
    golden("matrix.txt", "\n".join(l.rstrip() for l in c.export_text().splitlines()) + "\n")


def test_print_results_shows_lanes_and_summary():
    c = _console()
    print_results(c, hb.results(), hb.models())
    out = c.export_text()
    assert "per_driver_locking · NoUseAfterUnload: violated (as expected), 5 steps" in out
    assert "free_module()" in out and "driver_loaded: true → false" in out
    assert "all as expected" in out
    c = _console()
    print_results(c, hb.results(), hb.models(), traces="unexpected")
    assert "free_module()" not in c.export_text()


def test_unexpected_verdict_is_flagged():
    from dataclasses import replace
    from movspec.ir.nodes import Expectation
    models = hb.models()
    models["per_driver_locking"] = replace(models["per_driver_locking"], expectations=(Expectation("holds", ()),))
    c = _console()
    print_results(c, hb.results(), models)
    out = c.export_text()
    assert "violated ✗ (expected holds)" in out
    assert "NOT EXPECTED" in out
    assert "1 unexpected (per_driver_locking.NoUseAfterUnload)" in out


def test_full_lanes_show_a_local_without_a_value_as_unset(monkeypatch) -> None:
    # `movspec check --full` on a model whose local has no initial value: the terminal says
    # `unset` (as the HTML report does), never PlusCal's `defaultInitValue`, wide or stacked
    from pathlib import Path

    from click.testing import CliRunner

    from movspec.cli import cli

    spec = Path(__file__).parent.parent / "fixtures" / "report" / "unset" / "unset.mspec"
    for columns in ("200", "60"):
        monkeypatch.setenv("COLUMNS", columns)
        r = CliRunner().invoke(cli, ["check", "--backend", "builtin", "--full", "--traces", "all", str(spec)])
        assert r.exit_code == 0, r.output
        assert "defaultInitValue" not in r.stdout
        assert r.stdout.count("mine = unset") >= 2, r.stdout  # each CPU until it takes the lock
        assert "mine = C1" in r.stdout
