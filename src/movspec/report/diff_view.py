"""``movspec diff`` in the terminal: the structural differences of two variants and their
verdicts, readable at any width.

``DiffView(items, a, b)`` is a renderable that puts each change's two sides next to each
other when both fit whole, and otherwise stacks them (A's side, then B's), wrapping a source
line that is wider than the terminal at a space with a ``↪`` on the continuation, so nothing
is ever cut. ``verdict_table`` is the property-by-property comparison.
"""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from rich.text import Text

from ..result import CheckResult
from .diff import Item, VerdictRow

KIND_STYLE = {"added": "green", "removed": "red", "changed": "yellow"}
VERDICT_STYLE = {"holds": "green", "violated": "red"}
CONTINUATION = "↪ "


def _side(text: str | None, where: str | None, style: str) -> Text:
    t = Text(text or "", style=style)
    if where:
        t.append(f"\n{where}", style="dim")
    return t


def _a_style(it: Item) -> str:
    return "red" if it.kind != "added" else ""


def _b_style(it: Item) -> str:
    return "green" if it.kind != "removed" else ""


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` in pieces of at most ``width`` characters, broken after a space where there is
    one (else mid-word); every piece after the first starts with ``CONTINUATION``, and the
    pieces without their marks join back to ``line``."""
    width = max(width, len(CONTINUATION) + 8)
    out: list[str] = []
    rest, room = line, width
    while len(rest) > room:
        cut = rest.rfind(" ", 0, room)
        if cut <= len(rest) - len(rest.lstrip(" ")):  # no space after the indentation
            cut = room
        else:
            cut += 1  # the space stays on this piece
        out.append(rest[:cut])
        rest = rest[cut:]
        room = width - len(CONTINUATION)
    out.append(rest)
    return [out[0]] + [CONTINUATION + p for p in out[1:]]


class DiffView:
    """The differences ``items`` between variants ``a`` and ``b`` (``report.diff.model_diff``).
    A change is shown side by side when both sides fit the width whole, else stacked; an
    addition or a removal has one side and is shown as it is."""

    def __init__(self, items: list[Item], a: str, b: str):
        self.items, self.a, self.b = items, a, b

    def side_by_side(self, it: Item) -> Table:
        t = Table()
        t.add_column(self.a, no_wrap=True)
        t.add_column(self.b, no_wrap=True)
        t.add_row(_side(it.a, it.a_where, _a_style(it)), _side(it.b, it.b_where, _b_style(it)))
        return t

    def _stacked(self, it: Item, width: int) -> Iterable[Text]:
        for name, text, where, style in ((self.a, it.a, it.a_where, _a_style(it)),
                                         (self.b, it.b, it.b_where, _b_style(it))):
            if text is None or (text == it.name and not where):
                continue  # the side it does not have, or one the heading already shows
            side = Text(f"  {name}", style="bold")
            side.append(f"  {where}" if where else "", style="dim")
            yield side
            for line in text.splitlines():
                for piece in wrap_line(line, width - 4):
                    yield Text(f"    {piece}", style=style, no_wrap=True)

    def __rich_console__(self, console, options):
        from rich.measure import Measurement

        width = options.max_width
        yield Text(f"{self.a} → {self.b}", style="italic")
        for it in self.items:
            yield Text("")
            head = Text(f"{it.kind} {it.what} ", style=KIND_STYLE[it.kind])
            head.append(it.name, style="bold")
            yield head
            if it.a is not None and it.b is not None:
                table = self.side_by_side(it)
                if Measurement.get(console, options.update(width=10_000), table).maximum <= width:
                    yield table
                    continue
            yield from self._stacked(it, width)


def verdict_table(rows: list[VerdictRow], ra: CheckResult, rb: CheckResult) -> Table:
    """Property by property, A's and B's verdicts, and whether they differ."""
    vt = Table(title="verdicts", title_justify="left")
    vt.add_column("property", overflow="fold")
    vt.add_column(ra.variant, overflow="fold")
    vt.add_column(rb.variant, overflow="fold")
    vt.add_column("")

    def cell(v) -> Text:
        word = v.value if v else "—"
        return Text(word, style=VERDICT_STYLE.get(word, "yellow"))

    for row in rows:
        vt.add_row(row.prop, cell(row.a), cell(row.b), "" if row.same else Text("differs", style="bold"))
    vt.add_row("distinct states", f"{ra.stats.distinct:,}", f"{rb.stats.distinct:,}", "")
    return vt
