"""The generated docs on the hand-built model: escaping, determinism, structure."""

from dataclasses import replace

from movspec.report.context import Site, VariantDoc, mermaid
from movspec.report.html import render_html
from movspec.report.markdown import fence, md, render_site

from . import handbuilt as hb


def _site(models=None, pluscal=None):
    ms = models or hb.models()
    rs = {r.variant: r for r in hb.results()}
    return Site([VariantDoc(ms[v], rs.get(v), pluscal=pluscal) for v in ms])


def test_markdown_pages_and_links():
    pages = render_site(_site())
    assert sorted(pages) == ["README.md", "variants/per_driver_locking.md", "variants/v4_8.md"]
    index = pages["README.md"]
    assert "| [per_driver_locking](variants/per_driver_locking.md) | holds ✓ | violated ✓ | holds | 64 | 9 |" in index
    page = pages["variants/per_driver_locking.md"]
    assert "[NoUseAfterUnload](#counterexample-nouseafterunload)" in page
    assert "### Counterexample: NoUseAfterUnload" in page
    assert "```mermaid\nsequenceDiagram\n" in page
    assert "| `isolate` (changed here) | `isolate_movable_page()` | mm/migrate.c | movable.mspec:12 | — |" in page


def test_mermaid_escapes_statement_breakers():
    from movspec.result import Trace
    t = hb.uau_trace()
    last = t.steps[-1]
    bad = replace(last, failure="a; b #1 <x>")
    text = mermaid(Trace(t.steps[:-1] + (bad,)), hb.model())
    lines = text.splitlines()
    assert lines[-1] == "    end"  # the failing step is in a highlighted block (rect ... end)
    line = lines[-2]
    assert "a#59; b #35;1 #lt;x#gt;" in line and ";" not in line.replace("#59;", "").replace("#35;", "") \
        .replace("#lt;", "").replace("#gt;", "")


def test_markdown_escaping_helpers():
    assert md("a|b <c> *d* `e`\nf") == "a\\|b &lt;c&gt; \\*d\\* \\`e\\` f"
    assert fence("x ``` y", "tla").startswith("````tla\n")


def test_docs_are_deterministic():
    assert render_site(_site()) == render_site(_site())
    assert render_html(_site()) == render_html(_site())


HOSTILE = '<script>alert("x")</script> & </script>'


def test_html_escapes_every_model_string():
    ms = hb.models()
    ms["per_driver_locking"] = replace(ms["per_driver_locking"], description=HOSTILE, source=HOSTILE)
    rs = hb.results()
    t = rs[1].properties[1].trace
    steps = t.steps[:-1] + (replace(t.steps[-1], failure=HOSTILE),)
    p = replace(rs[1].properties[1], trace=replace(t, steps=steps), message=HOSTILE)
    rs[1] = replace(rs[1], properties=(rs[1].properties[0], p, rs[1].properties[2]))
    site = Site([VariantDoc(ms[r.variant], r, pluscal=HOSTILE) for r in rs])
    html = render_html(site)
    assert "<script>alert" not in html
    assert html.count("</script>") == html.count("<script") # only the page's own scripts close
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    # the viewer's JSON keeps the text but cannot end its script element
    assert "\\u003cscript\\u003ealert" in html
    md_page = render_site(site)["variants/per_driver_locking.md"]
    assert "<script>" not in md_page.split("## Generated PlusCal")[0].split("```mermaid")[0]


def test_html_is_self_contained():
    html = render_html(_site(pluscal="--algorithm movable { skip }"))
    for needle in ("http://", "https://", "src=", "<link", "@import"):
        assert needle not in html, needle
    assert 'id="matrix"' in html and 'class="viewer" data-trace="per_driver_locking--NoUseAfterUnload"' in html
    assert "<summary>Generated PlusCal</summary>" in html
