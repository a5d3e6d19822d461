"""The Mermaid sequence diagrams of counterexamples parse with Mermaid itself (run in headless
Chromium). Needs Mermaid's browser bundle: ``npm install --prefix .cache/npm mermaid@11``
(or ``MOVSPEC_MERMAID_JS`` naming ``mermaid.min.js``); skipped without it or without
Chromium."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from . import browser
from . import handbuilt as hb
from . import small
from movspec.report.context import mermaid
from movspec.report.markdown import render_site
from movspec.result import Trace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def _mermaid_js() -> Path | None:
    env = os.environ.get("MOVSPEC_MERMAID_JS")
    path = Path(env) if env else ROOT / ".cache/npm/node_modules/mermaid/dist/mermaid.min.js"
    return path if path.exists() else None


def _parse_all(diagrams: list[str], tmp_path: Path) -> list[str]:
    js = _mermaid_js()
    if js is None:
        pytest.skip("Mermaid not installed (npm install --prefix .cache/npm mermaid@11)")
    binary = browser.find()
    if binary is None:
        pytest.skip("headless Chromium not found (apt-get install -y chromium)")
    page = tmp_path / "mermaid.html"
    data = json.dumps(diagrams).replace("<", "\\u003c")
    page.write_text(
        "<!DOCTYPE html><html><body><pre id=out>pending</pre>"
        f'<script src="{js.as_uri()}"></script><script>'
        f"const ds = {data};"
        """(async () => {
  mermaid.initialize({startOnLoad: false});
  const res = [];
  for (const d of ds) {
    try { await mermaid.parse(d); res.push("ok"); } catch (e) { res.push("error: " + e.message); }
  }
  document.getElementById("out").textContent = JSON.stringify(res);
})();</script></body></html>""", encoding="utf-8")
    try:
        dom = browser.dump_dom(binary, page.as_uri())
    except browser.BrowserUnavailable as e:
        pytest.skip(str(e))
    text = dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
    import html
    return json.loads(html.unescape(text))


def test_counterexample_diagrams_parse(tmp_path):
    diagrams = []
    for text in render_site(small.site()).values():
        diagrams += [part.split("```", 1)[0] for part in text.split("```mermaid\n")[1:]]
    t = hb.uau_trace()
    diagrams.append(mermaid(t, hb.model()))
    diagrams.append(mermaid(Trace(t.steps[:4], loop_start=2), hb.model()))  # a lasso: a loop block
    hostile = replace(t.steps[-1], failure='a; b #1 <x> "end" %% note: end')
    diagrams.append(mermaid(Trace(t.steps[:-1] + (hostile,)), hb.model()))
    # and one broken diagram, to show the harness does report errors (one browser run for all)
    diagrams.append("sequenceDiagram\n    participant p0 as a\n    Note over p0: x\n    end\n")
    answers = _parse_all(diagrams, tmp_path)
    assert answers[:4] == ["ok"] * 4
    assert answers[4].startswith("error: Parse error")
