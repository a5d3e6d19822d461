"""The docs stay well formed whatever the model's strings hold.

tests/fixtures/emit/hostile has anchors, descriptions and doc strings with raw HTML
(``<script>``, ``<b>``, ``<i>``), Markdown syntax (``|``, ``*``, backticks, a leading ``1.``),
TLA+ comment delimiters and line breaks. The Markdown site is parsed with markdown-it (the
CommonMark parser, GFM tables on): no raw HTML may reach it, every table row keeps its cell
count, and the strings read back as the user wrote them (line breaks as spaces). The HTML
report is parsed too: its only elements are the report's own, and the strings come back as
text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from movspec.cli import cli
from movspec.report.html import inline_md
from movspec.report.mdtext import code, md, md_value, to_html

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "tests/fixtures/emit/hostile"

PARSER = MarkdownIt("commonmark").enable("table")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-docs")
    here = Path.cwd()
    import os
    os.chdir(ROOT)
    try:
        r = CliRunner().invoke(cli, ["docs", HOSTILE, "--out", str(out)], catch_exceptions=False)
    finally:
        os.chdir(here)
    assert r.exit_code == 0, r.output
    return out


def tokens(text: str):
    def walk(ts):
        for t in ts:
            yield t
            if t.children:
                yield from walk(t.children)
    return list(walk(PARSER.parse(text)))


def plain_text(text: str) -> str:
    """Everything a reader sees as text (inline text and code spans)."""
    return " ".join(t.content for t in tokens(text) if t.type in ("text", "code_inline"))


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text() for p in sorted(site.rglob("*.md"))}


def test_no_raw_html_reaches_the_markdown(site):
    found = pages(site)
    assert set(found) == {"README.md", "variants/MS_base.md", "variants/WF_fixed.md", "variants/SF_asserts.md"}
    for name, text in found.items():
        raw = [t.content for t in tokens(text) if t.type in ("html_inline", "html_block")]
        assert raw == [], (name, raw)


def test_table_rows_keep_their_cells(site):
    for name, text in pages(site).items():
        ts = PARSER.parse(text)
        width = None
        cells = 0
        for t in ts:
            if t.type == "tr_open":
                cells = 0
            elif t.type in ("th_open", "td_open"):
                cells += 1
            elif t.type == "tr_close":
                if width is None:
                    width = cells
                assert cells == width, (name, cells, width)
            elif t.type == "table_close":
                width = None
        # every row the template wrote is a row of some table: none was split by a line break
        rows = [l for l in text.split("\n") if l.startswith("| ")]
        parsed_rows = sum(t.type == "tr_open" for t in ts)
        assert parsed_rows == len(rows), (name, parsed_rows, len(rows))


def test_user_strings_read_back_as_written(site):
    base = (site / "variants" / "MS_base.md").read_text()
    seen = plain_text(base)
    # anchors: the kernel function (a code span in the steps table and in the story)
    assert "f *) (* evil next line()" in seen
    assert "`tick`|pipe()" in seen
    # the file part of an anchor, the variant's description and source, doc strings
    assert "mm/<script>alert('x')</script>.c" in seen
    assert "the base *) with a description (* that spans lines" in seen
    assert "<i>source</i> *) | x" in seen
    assert "workers *) (* | not | a | row |" in seen
    assert "<script>alert(2)</script> | a | b" in seen
    readme = (site / "README.md").read_text()
    assert "a title with *) and (* and <script>alert(1)</script>, non-ASCII — Jörg’s tab" in plain_text(readme)


def test_the_html_report_has_only_its_own_elements(site):
    class Collect(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tags: list[tuple[str, dict]] = []
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))

        def handle_data(self, data):
            self.text.append(data)

    p = Collect()
    p.feed((site / "report.html").read_text())
    scripts = [a for t, a in p.tags if t == "script"]
    # one JSON block per counterexample (as many as the Markdown pages tell), then the
    # page's own script
    traces = sum(text.count("\n### Counterexample: ") for text in pages(site).values())
    assert traces >= 2
    assert scripts == [{"type": "application/json", "class": "trace-data"}] * traces + [{}], scripts
    assert not [t for t, _ in p.tags if t in ("b", "i")]
    text = "".join(p.text)
    assert "a title with *) and (* and <script>alert(1)</script>" in text
    assert "<script>alert(2)</script> | a | b" in text
    assert "mm/<script>alert('x')</script>.c" in text
    assert "one reference *) left <b>!</b>" in text  # the assertion message, on one line


# ----------------------------------------------------------------------------- the escapers

@pytest.mark.parametrize("s", [
    "<script>alert(1)</script>", "a | b | c", "*bold* and _it_ and `code`", "[link](http://x)",
    "1. not a list", "- not an item", "# not a heading", "&lt; stays literal", "line\nbreak",
    "back\\slash", "~~strike~~", "PG_lock and __dunder__", "![img](x.png)", "<http://auto.link>",
])
def test_md_reads_back_as_the_text(s):
    out = md(s)
    assert "\n" not in out
    ts = tokens(out)
    assert [t.type for t in ts if t.type not in ("paragraph_open", "paragraph_close", "inline", "text")] == []
    assert plain_text(out) == " ".join(s.split())
    # and in a table cell, it stays one cell
    table = f"| a | b |\n|---|---|\n| {out} | x |\n"
    cells = [t for t in tokens(table) if t.type == "td_open"]
    assert len(cells) == 2


@pytest.mark.parametrize("s", ["plain", "a`b", "`edge`", "``two``", "pipe|in", "new\nline", "<b>"])
def test_code_is_one_span_with_the_text(s):
    for table in (False, True):
        out = code(s, table=table)
        doc = f"| a | b |\n|---|---|\n| {out} | x |\n" if table else out
        spans = [t.content for t in tokens(doc) if t.type == "code_inline"]
        assert spans == [" ".join(s.split())], (out, spans)


@pytest.mark.parametrize("s", ["[P1 |-> {ref: 1}]", "<<a, b>>", "{_a, _b}", "x * y"])
def test_values_read_back(s):
    assert plain_text(md_value(s)) == s


def test_html_of_the_report_markdown():
    line = "**WF_worker C1** runs `a<b` in " + code("x`y()") + " (" + md("<i>f.c</i> *x*") + ")"
    html = to_html(line)
    assert html == ("<strong>WF_worker C1</strong> runs <code>a&lt;b</code> in <code>x`y()</code> "
                    "(&lt;i&gt;f.c&lt;/i&gt; *x*)")
    assert str(inline_md("a \\*b\\* &amp;lt; **c**")) == "a *b* &amp;lt; <strong>c</strong>"


# ----------------------------------------------------------------------------- on random text

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from movspec.report.mdtext import one_line  # noqa: E402

_PIECES = list("ab_*`[]()<>!#&;|\\~-+=.1 \n\t:/\"'é") + [
    "&amp;", "&#60;", "<b>", "</script>", "**", "__", "1.", "- ", "http://x.y", "\u00a0", "\u2028", "\x1b"]
random_text = st.lists(st.sampled_from(_PIECES), max_size=15).map("".join)


@settings(max_examples=500, deadline=None)
@given(random_text)
def test_md_of_random_text_is_only_text(s):
    out = md(s)
    kinds = [t.type for t in tokens(out) if t.type not in ("paragraph_open", "paragraph_close", "inline", "text")]
    assert kinds == [], (s, out, kinds)
    assert plain_text(out) == one_line(s), (s, out)
    table = f"| a | b |\n|---|---|\n| {out} | x |\n"
    assert sum(t.type == "td_open" for t in tokens(table)) == 2, (s, out)


@settings(max_examples=500, deadline=None)
@given(random_text)
def test_code_of_random_text_is_one_span(s):
    if not one_line(s):
        return
    for table in (False, True):
        out = code(s, table=table)
        doc = f"| a | b |\n|---|---|\n| {out} | x |\n" if table else out
        assert [t.content for t in tokens(doc) if t.type == "code_inline"] == [one_line(s)], (s, out)
