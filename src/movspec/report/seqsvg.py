"""A counterexample as an inline SVG sequence diagram, for the HTML report.

One lifeline per process (the lanes of ``trace_view``), one box per step on the lifeline of
the process that ran it, and an arrow into a step from each earlier step of another process
whose change it reads (``interactions``), drawn just above the reading step and labelled
with the change and the writer's step number. The failing step (``interactions.failing_row``)
is on a red band; a lasso's loop is bracketed on the left.

Drawn on the server, so the report needs no script or network to show it; every string is
escaped, long ones are cut with the full text in the element's ``<title>``. Each step's
group carries ``data-index`` so the page's script can highlight the viewer's current step.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..ir.nodes import Model
from ..result import Trace
from .interactions import arrows, failing_row
from .trace_view import initial_pcs, view

LANE_W = 180  # horizontal distance between lifelines
LEFT = 30  # room for the loop bracket
HEAD_H = 34
ARROW_H = 24
BOX_H = 26
GAP = 8
FAIL_H = 20  # the failure message's line


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _text(x: float, y: float, s: str, n: int, cls: str, anchor: str = "middle") -> str:
    shown = _cut(s, n)
    title = f"<title>{escape(s)}</title>" if shown != s else ""
    return (f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" class="{cls}">{title}'
            f"{escape(shown)}</text>")


def sequence_svg(trace: Trace, model: Model | None) -> Markup:
    v = view(trace, model)
    if not v.lanes:
        return Markup("")
    cx = [LEFT + LANE_W / 2 + i * LANE_W for i in range(len(v.lanes))]
    width = LEFT + LANE_W * len(v.lanes)
    incoming: dict[int, list] = {}
    for a in arrows(v, model):
        incoming.setdefault(a.target, []).append(a)
    bad = failing_row(v)
    chars = LANE_W // 7  # characters of a label in one lane at the diagram's font size
    body: list[str] = []
    for i, lane in enumerate(v.lanes):
        body.append(f'<rect x="{cx[i] - LANE_W / 2 + 6:g}" y="4" width="{LANE_W - 12}" height="{HEAD_H - 8}" '
                    f'rx="4" class="head"/>')
        body.append(_text(cx[i], HEAD_H / 2 + 5, lane.label, chars, "head"))
    y = HEAD_H + GAP
    starts = initial_pcs(v)
    if starts:
        body.append(f'<g data-index="0" class="step">')
        for i, lane in enumerate(v.lanes):
            if lane.proc in starts:
                body.append(_text(cx[i], y + 14, f"at {starts[lane.proc]}", chars, "start"))
        body.append("</g>")
        y += BOX_H
    loop_y = None
    for row in v.rows[1:]:
        if row.lane is None:
            continue
        ins = incoming.get(row.index, [])
        top = y
        h = len(ins) * ARROW_H + BOX_H + GAP + (FAIL_H if row.failure else 0)
        if row.loop_start:
            loop_y = top
        fail = row.index == bad
        body.append(f'<g data-index="{row.index}" class="step{" failing" if fail else ""}">')
        if fail:
            body.append(f'<rect x="0" y="{top - GAP / 2:g}" width="{width}" height="{h:g}" class="fail-band"/>')
        for a in ins:
            x1, x2 = cx[a.src_lane], cx[a.dst_lane]
            ay = y + ARROW_H - 6
            tip = -8 if x2 > x1 else 8
            body.append(f'<line x1="{x1:g}" y1="{ay:g}" x2="{x2 + tip:g}" y2="{ay:g}" class="msg"/>')
            body.append(f'<path d="M{x2:g},{ay:g} l{tip:g},-4 l0,8 z" class="tip"/>')
            n = int(abs(x2 - x1) // 7) + chars // 2
            body.append(_text((x1 + x2) / 2, ay - 5, f"{a.label} (step {a.source})", n, "msg"))
            y += ARROW_H
        x = cx[row.lane]
        label = f"{row.index}. {row.step}" + (" ✗" if row.failure else "")
        body.append(f'<rect x="{x - LANE_W / 2 + 10:g}" y="{y:g}" width="{LANE_W - 20}" height="{BOX_H}" rx="3" '
                    f'class="box{" fail" if row.failure else ""}"/>')
        body.append(_text(x, y + 17, label, chars - 2, "box"))
        y += BOX_H
        if row.failure:  # the message under the box, across the band
            body.append(_text(x - LANE_W / 2 + 10, y + 14, row.failure, int((width - x) // 7) + chars // 2,
                              "fail", "start"))
            y += FAIL_H
        body.append("</g>")
        y += GAP
    if loop_y is not None:
        body.append(f'<path d="M{LEFT - 8},{loop_y:g} h-10 V{y - GAP:g} h10" class="loop"/>')
        body.append(f'<text x="4" y="{loop_y - 4:g}" class="loop">⟲</text>')
    height = y + GAP
    lifelines = "".join(f'<line x1="{c:g}" y1="{HEAD_H:g}" x2="{c:g}" y2="{height:g}" class="life"/>' for c in cx)
    return Markup(
        f'<svg class="seq" width="{width}" height="{height:g}" '
        f'viewBox="0 0 {width} {height:g}" role="img" aria-label="sequence diagram of the counterexample">'
        f"{lifelines}{''.join(body)}</svg>")
