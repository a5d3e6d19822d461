"""The arrows of the sequence diagrams (a write read later by another process) on the small
model's use-after-unload trace, read by hand from tests/fixtures/report/small, and the SVG
drawing of them."""

from __future__ import annotations

import re
from dataclasses import replace

from movspec.report.context import mermaid
from movspec.report.interactions import Arrow, arrows, failing_row
from movspec.report.seqsvg import sequence_svg
from movspec.report.trace_view import view
from movspec.result import Trace

from . import small


def _uau():
    r, results = small.loaded()
    return r.models["unlocked"], results["unlocked"].property("NoUseAfterUnload").trace


def test_arrows_of_the_use_after_unload():
    m, trace = _uau()
    # lanes: 0 compactor C1, 1 compactor C2, 2 owner, 3 loader; steps: 1 get, 2 lock,
    # 3 check (C1), 4 release (owner), 5 unload (loader), 6 isolate (C1, fails)
    assert arrows(view(trace, m), m) == (
        Arrow(1, 4, 0, 2, "ref: 1 → 2"),  # release reads nothing else C1 wrote; ref is its `-= 1`
        Arrow(4, 5, 2, 3, "owner is done"),  # unload awaits `owner at done`
        Arrow(4, 6, 2, 0, "ref: 2 → 1"),  # isolate passes ref to the call
        Arrow(5, 6, 3, 0, "driver_loaded: true → false"),  # the call checks the module
    )
    assert failing_row(view(trace, m)) == 6


def test_no_model_no_arrows_and_a_lasso_has_no_failing_step():
    m, trace = _uau()
    assert arrows(view(trace, None), None) == ()
    lasso = Trace(trace.steps[:4], loop_start=2)
    assert failing_row(view(lasso, m)) is None
    # an invariant violation (no failed step): the step that reached the bad state
    plain = Trace(trace.steps[:5])
    assert failing_row(view(plain, m)) == 4


def test_mermaid_draws_the_arrows_before_the_reading_step():
    m, trace = _uau()
    lines = mermaid(trace, m).splitlines()
    i = lines.index("    p3-)p0: driver_loaded: true → false (step 5)")
    assert lines[i + 1].startswith("    Note over p0: 6. isolate")
    assert lines[i - 2] == "    rect rgb(255, 235, 233)" and lines[i + 2] == "    end"


def test_svg_draws_one_line_per_arrow_and_marks_the_failing_step():
    m, trace = _uau()
    svg = str(sequence_svg(trace, m))
    assert svg.count('class="msg"/>') == 4  # the four arrows' lines
    groups = re.findall(r'<g data-index="(\d+)" class="([^"]+)">', svg)
    assert groups == [("0", "step")] + [(str(i), "step") for i in range(1, 6)] + [("6", "step failing")]
    assert 'class="fail-band"' in svg and "use-after-unload" in svg


def test_svg_escapes_and_cuts_what_the_model_says():
    m, trace = _uau()
    hostile = replace(trace.steps[-1], failure='<script>alert("x")</script> & ' + "y" * 300)
    svg = str(sequence_svg(Trace(trace.steps[:-1] + (hostile,)), m))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "y" * 300 in svg  # in full in the <title>
    assert re.search(r"</title>[^<]*…</text>", svg)  # cut where it is drawn
