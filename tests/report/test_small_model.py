"""Reports of a small DSL model checked by the real embedded checker: golden lanes, explain
and Markdown, machine outputs read back."""

import json

from movspec.report import itf, junit, outputs
from movspec.report.explain import explain_text
from movspec.report.html import render_html
from movspec.report.lanes import render_text
from movspec.report.markdown import render_site
from movspec.result import Verdict

from . import small


def _uau():
    r, results = small.loaded()
    return r.models["unlocked"], results["unlocked"].property("NoUseAfterUnload")


def test_verdicts_are_the_expected_ones():
    r, results = small.loaded()
    assert results["locked"].verdict("NoUseAfterUnload") is Verdict.HOLDS
    assert results["unlocked"].verdict("NoUseAfterUnload") is Verdict.VIOLATED
    m, p = _uau()
    # check (movable) then the driver releases, the module goes, and the call lands in freed code
    assert [s.step for s in p.trace.steps[1:]] == ["get", "lock", "check", "release", "unload", "isolate"]


def test_lanes_golden(golden):
    m, p = _uau()
    golden("small_lanes.txt", render_text(p.trace, m, width=120))


def test_lanes_full_golden(golden):
    m, p = _uau()
    golden("small_lanes_full.txt", render_text(p.trace, m, width=150, full=True))


def test_explain_golden(golden):
    m, p = _uau()
    golden("small_explain.md", explain_text(p, m))


def test_markdown_golden(golden):
    pages = render_site(small.site())
    assert sorted(pages) == ["README.md", "variants/locked.md", "variants/unlocked.md"]
    for name, text in pages.items():
        golden("small_site/" + name, text)


def test_markdown_with_pluscal():
    pages = render_site(small.site(pluscal=True))
    page = pages["variants/unlocked.md"]
    assert "## Generated PlusCal" in page
    tla = page.split("## Generated PlusCal", 1)[1]
    assert "```tla\n" in tla and ("--algorithm" in tla or "--fair algorithm" in tla)


def test_docs_deterministic():
    a = render_site(small.site(pluscal=True)), render_html(small.site(pluscal=True))
    b = render_site(small.site(pluscal=True)), render_html(small.site(pluscal=True))
    assert a == b


def test_machine_outputs_round_trip(tmp_path):
    r, results = small.loaded()
    res = list(results.values())
    written = outputs.write_outputs(res, r.models, json_path=tmp_path / "r.json",
                                    junit_path=tmp_path / "r.xml", itf_dir=tmp_path / "itf")
    names = sorted(p.name for p in written)
    assert names == ["r.json", "r.xml", "unlocked.NoUseAfterUnload.itf.json"]
    xml = (tmp_path / "r.xml").read_text()
    junit.validate(xml)
    assert 'tests="6" failures="0" errors="0"' in xml
    trace, meta = itf.read_itf((tmp_path / "itf" / "unlocked.NoUseAfterUnload.itf.json").read_text())
    m, p = _uau()
    assert [s.state for s in trace.steps if s.state is not None] == [s.state for s in p.trace.steps if s.state]
    assert [(s.proc, s.step) for s in trace.steps] == [(s.proc, s.step) for s in p.trace.steps]
    assert meta["property"] == "NoUseAfterUnload" and meta["variant"] == "unlocked"
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["ok"] is True


def test_markdown_parses_as_gfm():
    """The pages render as a forge renders them: tables are tables, diagrams are mermaid
    blocks, links point at pages that exist."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    pages = render_site(small.site(pluscal=True))
    html = md.render(pages["README.md"])
    assert html.count("<table>") == 1 and html.count("<tr>") == 3
    assert '<a href="variants/unlocked.md">unlocked</a>' in html
    for name, text in pages.items():
        tokens = md.parse(text)
        for t in tokens:
            for child in t.children or []:
                href = child.attrs.get("href") if child.type == "link_open" else None
                if href and not href.startswith(("#", "http")):
                    base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
                    target = (base + href).replace("variants/../", "")
                    assert target in pages, (name, href)
    tokens = md.parse(pages["variants/unlocked.md"])
    fences = [t.info for t in tokens if t.type == "fence"]
    assert fences.count("mermaid") == 1 and "tla" in fences
    tables = [t for t in tokens if t.type == "table_open"]
    assert len(tables) == 4  # verdicts, and the steps of three actors
