"""The terminal report: the variant x property matrix, then counterexamples as lanes.

``print_results(console, results, models)`` is what ``movspec check`` prints. Each cell says
the verdict and how it compares with the variant's ``expect`` lines:

* ``holds ✓`` / ``violated ✓``: as expected;
* ``violated ✗`` (red, with what was expected): contradicts the expectation;
* ``incomplete ?``: the search stopped early, so it confirms nothing;
* a verdict without mark: no expectation was declared for it.

A legend under the matrix says what the marks it shows mean.
"""

from __future__ import annotations

from typing import Iterable

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..ir.nodes import Model
from ..result import CheckResult, Verdict
from ..expect import Judged, Outcome, judge
from .lanes import lanes_table
from .trace_view import printable

VERDICT_STYLE = {
    Verdict.HOLDS: "green",
    Verdict.VIOLATED: "red",
    Verdict.INCOMPLETE: "yellow",
    Verdict.ERROR: "bold red",
}


def cell_text(j: Judged) -> Text:
    v = j.prop.verdict
    if j.outcome is Outcome.AS_EXPECTED:
        style = "green" if v is Verdict.HOLDS else "dark_orange"
        return Text(f"{v.value} ✓", style=style)
    if j.outcome is Outcome.UNEXPECTED:
        want = "holds" if j.expected == "holds" else "violated"
        return Text(f"{v.value} ✗ (expected {want})", style="bold red")
    if j.outcome is Outcome.UNCONFIRMED:
        return Text(f"{v.value} ?", style="yellow")
    if j.outcome is Outcome.ERROR:
        return Text(f"{v.value} ✗", style="bold red")
    return Text(v.value, style=VERDICT_STYLE[v])


def property_columns(results: Iterable[CheckResult], models: dict[str, Model]) -> list[str]:
    """Property names in first-seen order across results (``Deadlock`` last)."""
    names: list[str] = []
    for r in results:
        for j in judge(r, models.get(r.variant)):
            if j.prop.name not in names:
                names.append(j.prop.name)
    if "Deadlock" in names:
        names.remove("Deadlock")
        names.append("Deadlock")
    return names


def format_seconds(s: float) -> str:
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 120:
        return f"{s:.1f} s"
    return f"{int(s // 60)} min {int(s % 60)} s"


def matrix(results: list[CheckResult], models: dict[str, Model], *, show_time: bool = True) -> "Matrix":
    """The verdict matrix: one row per variant when the console is wide enough, else
    transposed (one row per property, one column per variant), in pages of as many variants
    as fit; every page repeats the property column and every cell is shown whole."""
    return Matrix(results, models, show_time=show_time)


class Matrix:
    """A renderable that picks its layout from the console width: ``wide`` (a row per
    variant), ``tall`` pages (a row per property, full verdict words), or ``compact`` pages
    (short cells and numbered variants) when not even one full column fits beside the
    property names."""

    def __init__(self, results: list[CheckResult], models: dict[str, Model], *, show_time: bool = True):
        self.results, self.models, self.show_time = results, models, show_time
        self.props = property_columns(results, models)
        self.cells = [{j.prop.name: j for j in judge(r, models.get(r.variant))} for r in results]

    def _label(self, r: CheckResult) -> str:
        return r.variant if r.backend in ("builtin", "") else f"{r.variant} [{r.backend}]"

    def __rich_console__(self, console, options):
        width = options.max_width
        wide = self.wide()
        if _natural_width(console, options, wide) <= width:
            yield wide
            return
        pages = _pages(len(self.results), lambda idx: _natural_width(console, options, self.tall(idx)), width)
        if pages is not None:
            for n, idx in enumerate(pages):
                if n:
                    yield Text("")
                yield self.tall(idx, _page_title(idx, len(self.results)) if len(pages) > 1 else "verdicts")
            return
        pages = _pages(len(self.results), lambda idx: _natural_width(console, options, self.compact_table(idx)),
                       width) or [[i] for i in range(len(self.results))]
        for n, idx in enumerate(pages):
            if n:
                yield Text("")
            yield self.compact_table(idx, _page_title(idx, len(self.results)) if len(pages) > 1 else "verdicts")
        for i, r in enumerate(self.results, 1):
            yield Text(f"  [{i}] {self._label(r)}", style="dim", overflow="fold")
        yield Text("  holds / VIOL: verdict; ✓ as expected, ✗ not as expected, ? incomplete", style="dim")

    def wide(self) -> Table:
        table = Table(box=box.SIMPLE_HEAVY, title="verdicts", title_justify="left", pad_edge=False)
        table.add_column("variant", style="bold", no_wrap=True)
        for p in self.props:
            table.add_column(p, no_wrap=True)
        table.add_column("distinct", justify="right", no_wrap=True)
        table.add_column("depth", justify="right", no_wrap=True)
        if self.show_time:
            table.add_column("time", justify="right", no_wrap=True)
        for r, cells in zip(self.results, self.cells):
            row: list = [self._label(r)]
            for p in self.props:
                row.append(cell_text(cells[p]) if p in cells else Text("—", style="dim"))
            row.append(f"{r.stats.distinct:,}")
            row.append(str(r.stats.depth))
            if self.show_time:
                row.append(format_seconds(r.stats.seconds))
            table.add_row(*row)
        return table

    def tall(self, idx: list[int] | None = None, title: str = "verdicts") -> Table:
        """One row per property; the variants ``idx`` (default: all) as columns."""
        idx = list(range(len(self.results))) if idx is None else idx
        table = Table(box=box.SIMPLE_HEAVY, title=title, title_justify="left", pad_edge=False)
        table.add_column("property", style="bold", no_wrap=True)
        for i in idx:
            table.add_column(self._label(self.results[i]), no_wrap=True)
        cells = [self.cells[i] for i in idx]
        for p in self.props:
            table.add_row(p, *[cell_text(c[p]) if p in c else Text("—", style="dim") for c in cells])
        table.add_section()
        rs = [self.results[i] for i in idx]
        table.add_row(Text("distinct states", style="dim"), *[f"{r.stats.distinct:,}" for r in rs])
        table.add_row(Text("depth", style="dim"), *[str(r.stats.depth) for r in rs])
        if self.show_time:
            table.add_row(Text("time", style="dim"), *[format_seconds(r.stats.seconds) for r in rs])
        return table

    def compact_table(self, idx: list[int] | None = None, title: str = "verdicts") -> Table:
        """For narrow terminals: variants numbered, one short cell per verdict."""
        idx = list(range(len(self.results))) if idx is None else idx
        table = Table(box=box.SIMPLE_HEAVY, title=title, title_justify="left", pad_edge=False)
        # long property names fold rather than push the last variants off the screen
        table.add_column("property", style="bold", overflow="fold", max_width=20)
        for i in idx:
            table.add_column(f"[{i + 1}]", justify="center", no_wrap=True)
        cells = [self.cells[i] for i in idx]
        for p in self.props:
            table.add_row(p, *[compact_cell(c[p]) if p in c else Text("—", style="dim") for c in cells])
        table.add_section()
        rs = [self.results[i] for i in idx]
        table.add_row(Text("distinct states", style="dim"), *[_short_count(r.stats.distinct) for r in rs])
        table.add_row(Text("depth", style="dim"), *[str(r.stats.depth) for r in rs])
        return table


def _natural_width(console, options, table: Table) -> int:
    """The width ``table`` takes when nothing in it is wrapped or cut."""
    from rich.measure import Measurement
    return Measurement.get(console, options.update(width=10_000), table).maximum


def _pages(n: int, width_of, width: int) -> list[list[int]] | None:
    """The variants 0..n-1 split into consecutive pages, each as many as fit in ``width``
    (``width_of(indices)``: the natural width of a page); None when one alone does not fit."""
    pages: list[list[int]] = []
    page: list[int] = []
    for i in range(n):
        if width_of(page + [i]) <= width:
            page.append(i)
            continue
        if not page:
            return None
        pages.append(page)
        page = [i]
        if width_of(page) > width:
            return None
    if page:
        pages.append(page)
    return pages


def _page_title(idx: list[int], n: int) -> str:
    first, last = idx[0] + 1, idx[-1] + 1
    return f"verdicts (variant{'s' if last > first else ''} {first}" + (f"-{last}" if last > first else "") + f" of {n})"


def compact_cell(j: Judged) -> Text:
    v = j.prop.verdict
    word = {Verdict.HOLDS: "holds", Verdict.VIOLATED: "VIOL", Verdict.INCOMPLETE: "?",
            Verdict.ERROR: "ERR"}[v]
    if j.outcome is Outcome.AS_EXPECTED:
        return Text(f"{word}✓", style="green" if v is Verdict.HOLDS else "dark_orange")
    if j.outcome in (Outcome.UNEXPECTED, Outcome.ERROR):
        return Text(f"{word}✗", style="bold red")
    if j.outcome is Outcome.UNCONFIRMED:
        return Text(f"{word}?", style="yellow")
    return Text(word, style=VERDICT_STYLE[v])


def _short_count(n: int) -> str:
    return f"{n:,}" if n < 100_000 else f"{n / 1000:.0f}k"


LEGEND = {
    Outcome.AS_EXPECTED: "✓ as the model's `expect` lines say",
    Outcome.UNEXPECTED: "✗ not as expected",
    Outcome.ERROR: "✗ the check failed",
    Outcome.UNCONFIRMED: "? incomplete: the search stopped early and confirms nothing",
    Outcome.UNJUDGED: "a bare verdict (no mark): no `expect` line covers that property",
}


def legend(results: list[CheckResult], models: dict[str, Model]) -> Text | None:
    """What the marks of the matrix's cells mean, for the marks it shows."""
    seen = {j.outcome for r in results for j in judge(r, models.get(r.variant))}
    parts = [text for o, text in LEGEND.items() if o in seen]
    cols = property_columns(results, models)
    if any(p not in {q.name for q in r.properties} for r in results for p in cols):
        parts.append("— the variant has no such property")
    return Text("  " + "; ".join(parts), style="dim") if parts else None


def checked_by(results: list[CheckResult]) -> Text | None:
    names = list(dict.fromkeys(r.checker for r in results))
    return Text("  checked by " + "; ".join(names), style="dim") if names else None


def summary(results: list[CheckResult], models: dict[str, Model]) -> Text:
    judged = [j for r in results for j in judge(r, models.get(r.variant))]
    bad = [j for j in judged if not j.ok]
    t = Text()
    n = len({r.variant for r in results})
    t.append(f"{n} variant{'s' if n != 1 else ''}, {len(judged)} verdicts: ")
    if not bad:
        t.append("all as expected", style="bold green")
    else:
        by: dict[str, list[str]] = {}
        for j in bad:
            by.setdefault(j.outcome.value, []).append(f"{j.variant}.{j.prop.name}")
        # name the few; count the many (the check command lists every mismatch after this)
        parts = [f"{len(v)} {k}" + (f" ({', '.join(v)})" if len(v) <= 4 else "") for k, v in sorted(by.items())]
        t.append("; ".join(parts), style="bold red")
    return t


def print_results(console: Console, results: list[CheckResult], models: dict[str, Model], *,
                  traces: str = "all", full: bool = False, show_time: bool = True) -> None:
    """Print the matrix, notes on incomplete or failed checks, and the counterexamples.
    ``traces``: ``"all"`` (every violation), ``"unexpected"`` (only those that contradict an
    expectation or have none) or ``"none"``. ``full`` shows complete states in the lanes."""
    console.print(matrix(results, models, show_time=show_time))
    for line in (legend(results, models), checked_by(results)):
        if line is not None:
            # a line too long for the terminal wraps under its own start, not at column 0
            console.print(Padding(Text(line.plain[2:], style=line.style), (0, 0, 0, 2), expand=False))
    for r in results:
        if r.error:
            console.print(Text(f"{r.variant}: error: {r.error}", style="bold red"))
        elif not r.complete:
            console.print(Text(f"{r.variant}: search incomplete: {r.reason or 'cut short'}", style="yellow"))
    if traces != "none":
        for r in results:
            model = models.get(r.variant)
            err = next((p for p in r.properties if p.verdict is Verdict.ERROR and p.trace is not None), None)
            if err is not None:
                # an evaluation error is shown once, with the trace that reaches it
                _print_trace(console, err, model, full, f"{r.variant} · evaluation error")
            for j in judge(r, model):
                p = j.prop
                if p.verdict is not Verdict.VIOLATED or p.trace is None:
                    continue
                if traces == "unexpected" and j.outcome is Outcome.AS_EXPECTED:
                    continue
                how = {Outcome.AS_EXPECTED: "as expected", Outcome.UNEXPECTED: "NOT EXPECTED",
                       Outcome.UNJUDGED: "no expectation"}.get(j.outcome, j.outcome.value)
                _print_trace(console, p, model, full, f"{r.variant} · {p.name}: violated ({how})")
    console.print()
    console.print(summary(results, models))


def _print_trace(console: Console, p, model, full: bool, title: str) -> None:
    """A property's trace as lanes under ``title`` (its length added), and its message when
    the last row does not already say it."""
    steps = len(p.trace) - 1
    console.print()
    console.print(lanes_table(p.trace, model, full=full, title=f"{title}, {steps} step{'s' if steps != 1 else ''}"))
    last = p.trace.steps[-1] if p.trace.steps else None
    if p.message and (last is None or last.failure != p.message):
        console.print(Text(f"  {printable(p.message)}", style="red"))
