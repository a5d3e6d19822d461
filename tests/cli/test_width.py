"""``movspec check`` and ``movspec diff`` read whole at 80, 120 and 200 columns: no line is
wider than the terminal (COLUMNS), no verdict cell or source line is cut, and the matrix of
twelve variants keeps its property column and its full verdict words."""

from __future__ import annotations

import json
import os
import re

import pytest

from movspec.load import load
from movspec.report.diff import model_diff
from movspec.report.diff_view import CONTINUATION, wrap_line

from .conftest import MANY, ROOT, movspec, widest

WIDTHS = (80, 120, 200)


def _expected_cell(p: dict) -> str:
    v = p["verdict"]
    return {"as-expected": f"{v} ✓", "unexpected": f"{v} ✗ (expected {p['expected']})".replace(
        "(expected violates)", "(expected violated)"), "unconfirmed": f"{v} ?", "error": f"{v} ✗",
            "unjudged": v}[p["outcome"]]


def _cells(text: str) -> dict[tuple[str, str], str]:
    """(variant, property) -> cell, read from either layout of the matrix: a header row
    starting with `variant` (a row per variant) or `property` (a row per property, possibly
    in several pages). Columns are at least two spaces apart; cells have single spaces."""
    out: dict[tuple[str, str], str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        head = re.split(r"\s{2,}", lines[i].strip())
        if head[0] in ("variant", "property") and len(head) > 1:
            j = i + 2  # the heavy rule under the header
            while j < len(lines) and lines[j].strip():
                row = re.split(r"\s{2,}", lines[j].strip())
                assert len(row) == len(head), (lines[i], lines[j])
                for col, cell in zip(head[1:], row[1:]):
                    key = (row[0], col) if head[0] == "variant" else (col, row[0])
                    out[key] = cell
                j += 1
            i = j
        i += 1
    return out


@pytest.fixture(scope="module")
def many_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("many") / "r.json"
    r = movspec("check", MANY, "-q", "--traces", "none", "--json", str(path), "-j", "1")
    assert r.returncode == 1, r.stderr  # one expectation of the fixture is not met, on purpose
    return json.loads(path.read_text())


@pytest.mark.parametrize("columns", WIDTHS)
def test_matrix_of_twelve_variants_keeps_every_cell_whole(columns, many_json):
    r = movspec("check", MANY, "-q", "--traces", "none", "-j", "1", columns=columns)
    assert widest(r.stdout) <= columns, r.stdout
    assert "…" not in r.stdout
    cells = _cells(r.stdout)
    want = {(res["variant"], p["name"]): _expected_cell(p)
            for res in many_json["results"] for p in res["properties"]}
    assert len(want) == 36
    # every verdict is shown once, whole, under its variant and beside its property
    assert {k: cells.get(k) for k in want} == want
    assert cells[("unlocked_with_a_rather_long_variant_name", "NoUseAfterUnload")] == \
        "violated ✗ (expected holds)"
    assert cells[("l3", "TypeOK")] == "holds"  # no expectation declared: a bare verdict


def test_matrix_pages_at_80_columns_repeat_the_property_column(many_json):
    r = movspec("check", MANY, "-q", "--traces", "none", "-j", "1", columns=80)
    pages = re.findall(r"^verdicts \(variants? (\d+)(?:-(\d+))? of 12\)", r.stdout, re.M)
    assert len(pages) >= 2
    firsts = [int(a) for a, _ in pages]
    lasts = [int(b or a) for a, b in pages]
    assert firsts[0] == 1 and lasts[-1] == 12
    assert all(f == l + 1 for f, l in zip(firsts[1:], lasts))  # consecutive, none left out
    assert sum(1 for line in r.stdout.splitlines() if line.strip().startswith("property ")) == len(pages)


def test_matrix_at_200_columns_is_one_row_per_variant():
    r = movspec("check", MANY, "-q", "--traces", "none", "-j", "1", columns=200)
    assert re.search(r"^\s*variant\s+TypeOK\s+NoUseAfterUnload\s+Deadlock", r.stdout, re.M), r.stdout


def _diff_sources(text: str) -> list[str]:
    """The source lines a stacked or side-by-side diff shows, continuations joined back."""
    out: list[str] = []
    for line in text.splitlines():
        body = line[4:] if line.startswith("    ") else None
        if body is not None and body.startswith(CONTINUATION) and out:
            out[-1] += body[len(CONTINUATION):]
        elif body is not None:
            out.append(body)
    # stripped once joined: a line broken at a space keeps that space before the break
    return [line.rstrip() for line in out]


@pytest.mark.parametrize("columns", WIDTHS)
def test_diff_of_the_spec_fits_and_cuts_nothing(columns):
    here = os.getcwd()
    os.chdir(ROOT)  # spans read relative to the repository, as the command's do
    try:
        loaded = load(["spec"])
    finally:
        os.chdir(here)
    items = model_diff(loaded.models["v4_8"], loaded.models["v3"], dict(loaded.sources.files))
    r = movspec("diff", "v4_8", "v3", "--no-check", columns=columns)
    assert r.returncode == 0, r.stderr
    assert widest(r.stdout) <= columns, r.stdout
    assert "…" not in r.stdout
    flat = re.sub(r"[\s│┃]+", " ", r.stdout)
    for it in items:
        assert " ".join(it.name.split()) in flat  # every difference is named, whole
    side_by_side = "┃ v4_8" in r.stdout
    if not side_by_side:  # stacked: every source line of both sides, rejoined, is there
        shown = _diff_sources(r.stdout)
        for it in items:
            for text in (it.a, it.b):
                for src in (text or "").splitlines():
                    if text != it.name:
                        assert src.rstrip() in shown, src
    if columns == 80:
        assert not side_by_side
    if columns == 200:
        assert side_by_side  # the changed steps fit whole next to each other


def test_diff_verdicts_fit_at_80_columns():
    r = movspec("diff", "locked", "unlocked_with_a_rather_long_variant_name", MANY, columns=80)
    assert r.returncode == 0, r.stderr
    assert widest(r.stdout) <= 80
    row = next(line for line in r.stdout.splitlines() if "NoUseAfterUnload" in line and "differs" in line)
    assert "holds" in row and "violated" in row


def test_wrap_line_breaks_at_spaces_and_rejoins():
    line = "        if a_long_condition && another_condition || yet_another_one { goto somewhere_else }"
    pieces = wrap_line(line, 30)
    assert all(len(p) <= 30 for p in pieces)
    assert pieces[0] + "".join(p[len(CONTINUATION):] for p in pieces[1:]) == line
    assert all(p.startswith(CONTINUATION) for p in pieces[1:])
    word = "x" * 70
    assert "".join(p.removeprefix(CONTINUATION) for p in wrap_line(word, 30)) == word


def test_builtin_vs_tlc_table_fits_80_columns():
    from rich.console import Console

    from movspec.api import Referee
    from movspec.cli.results import print_comparison
    from movspec.result import CheckResult, Stats

    b = CheckResult("m", "per_driver_locking_modref", "builtin", (), Stats(1, 1_234_567, 3, 123.45))
    t = CheckResult("m", "per_driver_locking_modref", "tlc", (), Stats(1, 1_234_567, 3, 1234.5))
    console = Console(width=80, record=True, color_system=None)
    print_comparison(console, [Referee(b, t)])
    text = console.export_text()
    assert widest(text) <= 80 and "…" not in text
    assert text.count("1,234,567") == 2 and "1234.50s" in text and "yes" in text


@pytest.mark.parametrize("columns", [80, 100])
def test_the_legend_wraps_under_its_own_start(columns):
    # a legend longer than the terminal goes on, indented, on the next line
    r = movspec("check", ROOT / "examples" / "wakeup.mspec", "--no-cache", "--traces", "none", columns=columns)
    lines = r.stdout.splitlines()
    k = next(i for i, line in enumerate(lines) if "as the model's `expect` lines say" in line)
    assert lines[k].startswith("  ✓") and widest("\n".join(lines[k:k + 2])) <= columns
    assert lines[k + 1].startswith("  ") and lines[k + 1].strip() and "checked by" not in lines[k + 1]
