"""Counterexamples as lanes in the terminal: one column per process, one row per step.

::

     #  compactor C1                 compactor C2   driver          loader
     0  at scan                      at scan        at release      at unload
     1  scan                                        
        isolate_migratepages_block
        p = P1

Each cell of the acting process shows the step, the kernel function it stands for, the
variables the step changed, and a jump (``→ put``) when the process does not simply fall
through to its next step. ``full=True`` adds each process's locals and pc to its lane and a
column with the global variables after every step.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ..ir.nodes import Model
from ..result import Trace
from .trace_view import Row, TraceView, initial_pcs, proc_state, shown_value, view

LANE_WIDTH = 38  # a lane wraps beyond this, so one long message does not starve the others


def _cell(row: Row) -> Text:
    t = Text()
    t.append(row.step or "?", style="bold")
    if row.function:
        t.append("\n" + row.function + "()", style="cyan")
    for c in row.changes:
        t.append("\n" + c.text(), style="green" if c.local else "yellow")
    if row.jump:
        t.append(f"\n→ {row.jump}", style="magenta")
    if row.failure:
        t.append("\n✗ " + row.failure, style="bold red")
    return t


def _full_cell(row: Row, lane, model: Model | None) -> Text:
    t = Text()
    if row.state is None:
        return t
    for name, val in proc_state(row.state, lane, model):
        t.append(("\n" if t.plain else "") + f"{name} = {shown_value(val)}", style="dim")
    return t


def loop_caption(v: TraceView) -> str:
    if v.loop_start == len(v.rows) - 1:
        return f"⟲ after step {v.loop_start} nothing happens any more (it stutters forever)"
    return f"⟲ from step {v.loop_start} on, the steps repeat forever"


def lanes_table(trace: Trace, model: Model | None = None, *, full: bool = False,
                title: str | None = None) -> "Lanes":
    """A renderable: the lanes when the console is wide enough for them, else the same rows
    stacked (one line per step, the process named in a column)."""
    return Lanes(view(trace, model), model, full=full, title=title)


class Lanes:
    def __init__(self, v: TraceView, model: Model | None, *, full: bool = False, title: str | None = None):
        self.view, self.model, self.full, self.title = v, model, full, title

    def needed_width(self) -> int:
        widths = [len(l.label) for l in self.view.lanes]
        for row in self.view.rows:
            if row.lane is not None:
                longest = max((len(x) for x in _cell(row).plain.split("\n")), default=0)
                widths[row.lane] = max(widths[row.lane], min(longest, LANE_WIDTH))
        return 6 + sum(w + 3 for w in widths) + (40 if self.full else 0)

    def __rich_console__(self, console, options):
        if options.max_width >= self.needed_width():
            yield render_view(self.view, self.model, full=self.full, title=self.title)
        else:
            yield render_stacked(self.view, self.model, full=self.full, title=self.title)


def render_stacked(v: TraceView, model: Model | None = None, *, full: bool = False,
                   title: str | None = None) -> Table:
    """The trace for narrow consoles: one row per step with the process in its own column."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", show_lines=True,
                  pad_edge=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("process", no_wrap=True)
    table.add_column("step", overflow="fold")
    starts = initial_pcs(v)
    for row in v.rows:
        index = f"⟲{row.index}" if row.loop_start else f"{row.index}"
        if row.lane is None:
            table.add_row(index, Text(v.start, style="dim"),
                          Text(", ".join(f"{l.label} at {starts[l.proc]}" for l in v.lanes if l.proc in starts),
                               style="dim"))
            continue
        lane = v.lanes[row.lane]
        cell = _cell(row)
        if full:
            extra = _full_cell(row, lane, model)
            if extra.plain:
                cell = Text("\n").join([cell, extra])
        table.add_row(index, lane.label, cell)
    if v.loop_start is not None:
        table.caption = loop_caption(v)
        table.caption_justify = "left"
    return table


def render_view(v: TraceView, model: Model | None = None, *, full: bool = False,
                title: str | None = None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", show_lines=True,
                  pad_edge=False, expand=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    for lane in v.lanes:
        table.add_column(lane.label, overflow="fold", max_width=LANE_WIDTH)
    if full:
        table.add_column("globals after the step", overflow="fold")
    starts = initial_pcs(v)
    for row in v.rows:
        index = f"{row.index}"
        if row.loop_start:
            index = f"⟲{row.index}"
        cells: list[RenderableType] = []
        for i, lane in enumerate(v.lanes):
            if row.lane is None:  # initial state
                at = f"at {starts[lane.proc]}" if lane.proc in starts else ""
                if v.start != "initial":  # not an initial state: say so in every lane
                    at = f"{v.start}, {at}" if at else v.start
                t = Text(at, style="dim")
                if full and row.state is not None:
                    extra = _full_cell(row, lane, model)
                    t = Text("\n").join([x for x in (Text(v.start, style="dim"), extra) if x.plain])
                cells.append(t)
            elif row.lane == i:
                cell = _cell(row)
                if full:
                    extra = _full_cell(row, lane, model)
                    if extra.plain:
                        cell = Text("\n").join([cell, Text("─" * 6, style="dim"), extra])
                cells.append(cell)
            else:
                cells.append(Text(""))
        if full:
            g = Text()
            if row.state is not None:
                for key in v.globals:
                    if key in row.state:
                        g.append(("\n" if g.plain else "") + f"{key} = {shown_value(row.state[key])}")
            cells.append(g)
        table.add_row(index, *cells)
    if v.loop_start is not None:
        table.caption = loop_caption(v)
        table.caption_justify = "left"
    return table


def render_text(trace: Trace, model: Model | None = None, *, full: bool = False,
                width: int = 160, title: str | None = None) -> str:
    """The lanes as plain text (no colour), for files, JUnit failures and golden tests."""
    console = Console(width=width, record=True, color_system=None, force_terminal=False,
                      file=io.StringIO(), legacy_windows=False)
    console.print(lanes_table(trace, model, full=full, title=title))
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines) + "\n"
