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
