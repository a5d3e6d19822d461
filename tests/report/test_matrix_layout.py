"""The verdict matrix picks a layout that fits the terminal: one row per variant when wide,
one row per property when not (in pages of as many variants as fit, with full verdict words),
and numbered variants with short cells when not even one variant's column fits; every layout
shows every verdict. (tests/cli/test_width.py runs the command at fixed widths.)"""

from __future__ import annotations

from rich.console import Console

from movspec.report.terminal import matrix

from .small import loaded


def _render(width: int) -> str:
    r, results = loaded()
    console = Console(width=width, record=True, color_system=None)
    console.print(matrix(list(results.values()), r.models))
    return console.export_text()


def test_every_layout_fits_its_width():
    for width in (60, 80, 100, 160, 240):
        text = _render(width)
        assert max(len(line.rstrip()) for line in text.splitlines()) <= width, width


def test_narrow_layout_pages_variants_with_full_verdicts():
    r, results = loaded()
    text = _render(36)
    assert "verdicts (variant 1 of 2)" in text and "verdicts (variant 2 of 2)" in text
    assert "violated ✓" in text and "VIOL" not in text


def test_narrowest_layout_numbers_variants_and_keeps_verdicts():
    r, results = loaded()
    text = _render(28)
    for i, name in enumerate(results, 1):
        assert f"[{i}] {name}" in text
    lines = text.splitlines()
    for prop in {p.name for res in results.values() for p in res.properties}:
        # one row per page: the pages together have one cell per variant
        rows = [line for line in lines if line.split() and line.split()[0] == prop]
        cells = [c for row in rows for c in row.split()[1:]]
        assert len(cells) == len(results), rows
        assert all(c.rstrip("✓✗?") in ("holds", "VIOL", "?", "ERR", "—") for c in cells), rows
