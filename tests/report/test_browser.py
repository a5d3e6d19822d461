"""The HTML report in headless Chromium: the matrix renders, the trace viewer runs its
script and steps, and a screenshot is kept under tests/artifacts/ for people to look at.
Skipped when Chromium is missing or cannot start."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from . import browser
from . import small
from movspec.report.html import render_html

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent.parent / "artifacts"


class Dom(HTMLParser):
    """Just enough of a DOM: every element with its attributes and its text."""

    VOID = {"meta", "br", "link", "img", "input", "hr"}

    def __init__(self, text: str):
        super().__init__()
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)}
        if tag in ("td", "th", "div", "li", "p"):  # cells and blocks read apart
            for parent in self.stack:
                parent["text"] += " "
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data

    def find(self, tag=None, **attrs):
        return [e for e in self.elements if (tag is None or e["tag"] == tag)
                and all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def chromium():
    binary = browser.find()
    if binary is None:
        pytest.skip("headless Chromium not found (apt-get install -y chromium)")
    return binary


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    html = render_html(small.site(pluscal=True))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


TRACE = "unlocked--NoUseAfterUnload"


def _dom(chromium, url):
    try:
        return Dom(browser.dump_dom(chromium, url))
    except browser.BrowserUnavailable as e:
        pytest.skip(str(e))


def test_matrix_and_viewer_render(chromium, report):
    dom = _dom(chromium, report.as_uri())
    rows = [e for e in dom.elements if e["tag"] == "tr" and "data-variant" in e["attrs"]]
    assert [r["attrs"]["data-variant"] for r in rows] == ["locked", "unlocked"]
    assert re.sub(r"\s+", " ", rows[1]["text"]).strip() == "unlocked holds ✓ violated ✓ holds ✓ 108 11"
    viewer = dom.find("div", data_trace=TRACE)[0]
    assert viewer["attrs"]["data-ready"] == "true"  # the script ran
    assert viewer["attrs"]["data-step"] == "6"  # opens on the last step
    current = [e for e in dom.elements if e["tag"] == "tr" and e["attrs"].get("class") == "current"]
    assert len(current) == 1 and "use-after-unload" in current[0]["text"]
    state = dom.find("tbody", **{"class": "state-body"})[0]["text"]
    assert "driver_loaded" in state and "false" in state


def test_viewer_steps_to_a_linked_step(chromium, report):
    dom = _dom(chromium, report.as_uri() + f"#t-{TRACE}@4")
    viewer = dom.find("div", data_trace=TRACE)[0]
    assert viewer["attrs"]["data-step"] == "4"
    current = [e for e in dom.elements if e["tag"] == "tr" and e["attrs"].get("class") == "current"]
    assert len(current) == 1 and current[0]["attrs"]["data-index"] == "4"
    assert "balloon_page_delete()" in current[0]["text"] and "movable: true → false" in current[0]["text"]
    panel = dom.find("tbody", **{"class": "state-body"})[0]
    rows = {}
    for tr in dom.elements:
        if tr["tag"] == "tr" and any(p is panel for p in tr["parents"]):
            cells = [e["text"].strip() for e in dom.elements if e["tag"] == "td" and any(p is tr for p in e["parents"])]
            rows[cells[0]] = (tr["attrs"].get("class"), cells[1])
    assert rows["ref"] == ("changed", "1") and rows["movable"] == ("changed", "false")
    assert rows["locked"] == (None, "false") and rows["driver_loaded"] == (None, "true")
    assert rows["owner: pc"] == ("changed", "Done") and rows["compactor C1: pc"] == (None, "isolate")


PROBE = """<pre id="probe">pending</pre><script>
window.addEventListener("load", function () {
  function box(el) {
    var r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
  }
  var v = document.querySelector('.viewer[data-trace="%(trace)s"]');
  var panel = v.querySelector(".state"), lanes = v.querySelector(".lanes-wrap");
  function now() {
    var cur = v.querySelector("table.lanes tr.current");
    return {step: v.getAttribute("data-step"), current: cur && cur.getAttribute("data-index"),
            title: panel.querySelector(".pos").textContent, panel: box(panel), lanes: box(lanes),
            open: v.closest("details").open, height: window.innerHeight};
  }
  setTimeout(function () {
    var out = {load: now()};
    window.location.hash = "#t-%(trace)s@%(to)s";  // as a link in the page or the address bar would
    setTimeout(function () {
      out.changed = now();
      var rows = v.querySelectorAll("table.lanes tbody tr");
      rows[rows.length - 1].scrollIntoView({block: "end"});  // read down to the last step
      out.scrolled = now();
      out.scrolled.row = box(rows[rows.length - 1]);
      document.getElementById("probe").textContent = JSON.stringify(out);
    }, 300);
  }, 300);
});
</script>"""


def _probe(chromium, html: str, tmp_path, trace: str, start: int, to: int, size: str) -> dict:
    """Load ``html`` at ``#t-<trace>@<start>``, then change the hash to step ``to`` from the
    page, then scroll the lanes' last row into view; what the page showed at each point."""
    import json

    page = tmp_path / "probe.html"
    page.write_text(html.replace("</body>", PROBE % {"trace": trace, "to": to} + "</body>"), encoding="utf-8")
    dom = _dom_sized(chromium, page.as_uri() + f"#t-{trace}@{start}", size)
    text = dom.find("pre", id="probe")[0]["text"]
    assert text != "pending", "the probe script did not finish"
    return json.loads(text)


def _dom_sized(chromium, url, size):
    try:
        return Dom(browser.dump_dom(chromium, url, size=size))
    except browser.BrowserUnavailable as e:
        pytest.skip(str(e))


def _beside(seen: dict) -> None:
    """The state panel is to the right of the lanes, and its top is inside the lanes' box
    and inside the viewport."""
    panel, lanes = seen["panel"], seen["lanes"]
    assert panel["left"] >= lanes["right"] - 1, seen
    assert lanes["top"] - 1 <= panel["top"] < lanes["bottom"], seen
    assert 0 <= panel["top"] < seen["height"], seen


def test_state_panel_beside_the_lanes_and_hash_navigation(chromium, tmp_path):
    html = render_html(small.site())
    seen = _probe(chromium, html, tmp_path, TRACE, start=4, to=2, size="1300,420")
    assert seen["load"]["step"] == "4" and seen["load"]["current"] == "4" and seen["load"]["title"] == "4"
    _beside(seen["load"])
    # changing the hash in the page moves the viewer (hashchange), panel included
    assert seen["changed"]["step"] == "2" and seen["changed"]["current"] == "2" and seen["changed"]["title"] == "2"
    _beside(seen["changed"])
    # read down to the last row: the lanes have scrolled past the top of the viewport, the
    # panel has not (sticky), and it is still beside them
    s = seen["scrolled"]
    assert s["lanes"]["top"] < 0 < s["lanes"]["bottom"], s  # else the check below proves nothing
    assert 0 <= s["panel"]["top"] < s["height"] and s["panel"]["left"] >= s["lanes"]["right"] - 1, s
    assert s["row"]["bottom"] <= s["height"] + 1, s


def test_a_collapsed_trace_opens_from_its_hash(chromium, tmp_path, monkeypatch):
    from movspec.report import context
    monkeypatch.setattr(context, "LONG_TRACE", 3)  # the 6-step trace counts as long
    html = render_html(small.site())
    dom = Dom(html)
    assert "open" not in dom.find("details", id=f"t-{TRACE}")[0]["attrs"]  # collapsed as written
    seen = _probe(chromium, html, tmp_path, TRACE, start=5, to=1, size="1300,900")
    assert seen["load"]["open"] is True and seen["load"]["step"] == "5"
    assert seen["changed"]["step"] == "1"
    _beside(seen["changed"])
    # the index's plain "#t-<trace>" link opens it too, at its last step
    page = tmp_path / "collapsed.html"
    page.write_text(html, encoding="utf-8")
    dom = _dom(chromium, page.as_uri() + f"#t-{TRACE}")
    assert "open" in dom.find("details", id=f"t-{TRACE}")[0]["attrs"]
    assert dom.find("div", data_trace=TRACE)[0]["attrs"]["data-step"] == "6"


def test_variant_index_links_every_counterexample(chromium, report):
    dom = _dom(chromium, report.as_uri())
    entries = [e for e in dom.elements if e["tag"] == "tr" and "data-entry" in e["attrs"]]
    assert [e["attrs"]["data-entry"] for e in entries] == ["locked", "unlocked"]
    links = [a["attrs"]["href"] for a in dom.elements if a["tag"] == "a" and any(p is entries[1] for p in a["parents"])]
    assert links == ["#v-unlocked", f"#t-{TRACE}"]
    assert dom.find("details", id=f"t-{TRACE}"), "the index links to the trace's section"


UNSET_SPEC = "tests/fixtures/report/unset"


def _unset_report():
    import os
    from movspec.explore import check
    from movspec.load import load
    from movspec.report.context import Site, VariantDoc

    here = os.getcwd()
    os.chdir(small.ROOT)
    try:
        r = load([UNSET_SPEC])
    finally:
        os.chdir(here)
    assert r.ok
    m = r.models["racy"]
    return render_html(Site([VariantDoc(m, check(m))], dict(r.sources.files)))


def test_a_local_without_a_value_is_shown_unset(chromium, tmp_path):
    html = _unset_report()
    assert "defaultInitValue" not in html  # nor in the viewer's data
    path = tmp_path / "unset.html"
    path.write_text(html, encoding="utf-8")
    dom = _dom(chromium, path.as_uri() + "#t-racy--Exclusive@1")
    viewer = dom.find("div", data_trace="racy--Exclusive")[0]
    assert viewer["attrs"]["data-step"] == "1"
    cells = {}
    for td in dom.elements:
        if td["tag"] == "td" and any(p["attrs"].get("class") == "state-body" for p in td["parents"]):
            cells.setdefault("rows", []).append((td["text"].strip(), td["attrs"].get("class")))
    pairs = dict(zip([t for t, _ in cells["rows"][0::2]], cells["rows"][1::2]))
    # C1 ran `check` only: neither CPU has assigned its local yet
    assert pairs["cpu C1: mine"] == ("unset", "mono unset") and pairs["cpu C2: mine"] == ("unset", "mono unset")
    assert pairs["owner"] == ("none", "mono")
    dom = _dom(chromium, path.as_uri() + "#t-racy--Exclusive@6")
    texts = [td["text"].strip() for td in dom.elements
             if td["tag"] == "td" and any(p["attrs"].get("class") == "state-body" for p in td["parents"])]
    assert "unset" not in texts and texts[texts.index("cpu C1: mine") + 1] == "C1"


def test_screenshot_is_kept(chromium, report):
    out = ARTIFACTS / "report.png"
    try:
        browser.screenshot(chromium, report.as_uri(), out, size="1300,4200")
    except browser.BrowserUnavailable as e:
        pytest.skip(str(e))
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank canvas


def test_a_browser_that_cannot_start_is_reported_not_crashed(tmp_path):
    with pytest.raises(browser.BrowserUnavailable):
        browser.dump_dom("/bin/false", (tmp_path / "x.html").as_uri())
    with pytest.raises(browser.BrowserUnavailable):
        browser.dump_dom(str(tmp_path / "no-such-chromium"), (tmp_path / "x.html").as_uri())
