"""Progress as a user sees it: on a terminal a live line with the phase; with the output piped
(CI), lines on stderr when a check starts, changes phase, every few seconds, and ends, as
TLC prints them; `docs` says what it does. The lines are read from captured streams."""

from __future__ import annotations

import io
import re

from rich.console import Console

from movspec.cli.progress import CheckProgress
from movspec.explore import check
from movspec.explore.search import Progress
from movspec.load import load

from .conftest import FIXTURES, MANY, SMALL, movspec

PROPS = str(FIXTURES / "props.mspec")
REFINE = "tests/fixtures/explore/refine_counter.mspec"


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _piped(interval=5.0):
    buf = io.StringIO()
    clock = Clock()
    pr = CheckProgress(Console(file=io.StringIO()), lines=Console(file=buf, width=300), interval=interval,
                       clock=clock)
    return pr, buf, clock


def test_piped_lines_phase_changes_and_heartbeats():
    pr, buf, clock = _piped()
    assert not pr.live
    pr.start("v3 (builtin)")
    pr.phase("exploring")
    pr.update(Progress(distinct=1234, generated=5000, depth=7, queue=89, seconds=2.0))
    clock.now += 3
    pr.heartbeat()  # 3 s since the last line: nothing yet
    clock.now += 3
    pr.heartbeat()
    pr.phase("liveness")
    clock.now += 4
    pr.heartbeat()
    clock.now += 2
    pr.heartbeat()  # the search's figures are not repeated in a phase that has none
    pr.stop("done, 1,234 distinct states")
    assert buf.getvalue().splitlines() == [
        "progress: v3 (builtin): compiling",
        "progress: v3 (builtin): exploring",
        "progress: v3 (builtin): exploring, 1,234 distinct states, 617 states/s, depth 7, queue 89; "
        "6 s in this phase, 6 s in all",
        "progress: v3 (builtin): liveness",
        "progress: v3 (builtin): liveness; 6 s in this phase, 12 s in all",
        "progress: v3 (builtin): done, 1,234 distinct states (12.0 s)",
    ]


def test_disabled_progress_prints_nothing():
    buf = io.StringIO()
    pr = CheckProgress(Console(file=io.StringIO()), enabled=False, lines=Console(file=buf))
    with pr:
        pr.start("x")
        pr.phase("liveness")
        pr.note("rendering")
        pr.stop()
    assert buf.getvalue() == ""


def test_terminal_shows_the_phase_in_the_live_line():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    with CheckProgress(console) as pr:
        assert pr.live
        pr.start("v3 (builtin)")
        pr.phase("refinement")
        task = pr._progress.tasks[0]
        assert (task.description, task.fields["phase"]) == ("v3 (builtin)", "refinement")
        pr._progress.refresh()
        pr.stop()
    assert "refinement" in out.getvalue()


def test_the_checker_reports_its_phases():
    loaded = load([PROPS])
    phases: list[str] = []
    check(loaded.models["atomic"], phase=phases.append)
    assert phases == ["exploring", "liveness"]
    phases.clear()
    check(load([REFINE]).models["atomic"], phase=phases.append)
    assert phases == ["exploring", "refinement"]
    phases.clear()
    r = check(loaded.models["atomic"], phase=phases.append, max_states=2)
    assert not r.complete and phases == ["exploring"]  # an incomplete search decides no more


def test_check_piped_prints_progress_lines_to_stderr():
    r = movspec("check", "spec", "-v", "v3", "-j", "1", "--traces", "none",
                env={"MOVSPEC_PROGRESS_SECONDS": "0.1"})
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("progress: ")]
    phases = [line for line in lines if "in this phase" not in line]  # without the periodic lines
    assert phases[:2] == ["progress: v3 (builtin): compiling", "progress: v3 (builtin): exploring"]
    assert any(re.fullmatch(r"progress: v3 \(builtin\): exploring, [\d,]+ distinct states, .*, depth \d+, "
                            r"queue [\d,]+; \d+ s in this phase, \d+ s in all", line) for line in lines), lines
    assert re.fullmatch(r"progress: v3 \(builtin\): done, 31,288 distinct states \(\d+\.\d s\)", lines[-1])
    assert "progress:" not in r.stdout  # the results stay clean


def test_check_quiet_prints_no_progress():
    r = movspec("check", SMALL, "-q", "-j", "1", env={"MOVSPEC_PROGRESS_SECONDS": "0.1"})
    assert r.returncode == 0 and "progress:" not in r.stderr


def test_parallel_checks_report_each_variant_when_piped():
    r = movspec("check", MANY, "-j", "2", "--traces", "none", env={"MOVSPEC_PROGRESS_SECONDS": "0.5"})
    assert r.returncode == 1  # the fixture has one expectation not met, on purpose
    assert "progress: checking 12 variants, 2 at a time (builtin)" in r.stderr
    done = re.findall(r"^progress: (\w+) \(builtin\): done, [\d,]+ distinct states", r.stderr, re.M)
    assert sorted(done) == sorted(load([MANY]).models)


def test_parallel_checks_report_the_phases_of_their_workers():
    r = movspec("check", PROPS, "-j", "2", "--traces", "none", env={"MOVSPEC_PROGRESS_SECONDS": "0.5"})
    assert r.returncode == 0, r.stderr
    for variant in ("atomic", "split"):
        lines = [line for line in r.stderr.splitlines() if line.startswith(f"progress: {variant} (builtin): ")]
        phases = [line.split(": ")[2] for line in lines]
        assert phases[:2] == ["exploring", "liveness"], lines  # liveness: the leadsto property
        assert phases[-1].startswith("done, ")


def test_docs_says_what_it_does(tmp_path):
    r = movspec("docs", SMALL, "--out", str(tmp_path / "site"))
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("progress: ")]
    assert "progress: locked (builtin): exploring" in lines
    assert lines[-3:-1] == ["progress: rendering the Markdown site", "progress: rendering the HTML report"]
    n = re.fullmatch(rf"progress: writing (\d+) files to {re.escape(str(tmp_path / 'site'))}", lines[-1]).group(1)
    assert r.stdout.startswith(f"wrote {n} files")


def _live_line(width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=width, color_system=None)
    with CheckProgress(console) as pr:
        pr.start("v4_10_pageflags (builtin)")
        pr.phase("exploring")
        pr.update(Progress(distinct=123456, generated=400000, depth=37, queue=12345, seconds=3.0))
        pr._progress.refresh()
    frames = [s.split("\n")[0].rstrip() for s in out.getvalue().split("\r\x1b[2K")]
    return [s for s in frames if "exploring" in s][-1]


def test_the_live_line_keeps_label_and_phase_whole_at_any_width():
    for width in (80, 120, 200):
        line = _live_line(width)
        assert len(line) <= width, (width, line)
        assert "v4_10_pageflags (builtin) exploring" in line and "…" not in line, (width, line)
        assert re.search(r"123(,456|k) (distinct )?states", line), (width, line)
    assert "123,456 distinct states  41,152 states/s  depth 37  queue 12,345" in _live_line(200)


def test_simulate_reports_its_runs_when_piped():
    r = movspec("simulate", PROPS, "--runs", "400", env={"MOVSPEC_PROGRESS_SECONDS": "0.05"})
    assert r.returncode in (0, 1), r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("progress: ")]
    assert "progress: atomic (simulate): simulating" in lines
    assert any(re.search(r"split \(simulate\): done, [\d,]+ distinct states", line) for line in lines), lines
