"""The single-file HTML report: an index of the variants (with links to their
counterexamples), the verdict matrix, then per variant its description, verdicts, actors and
steps (collapsed), delta, generated PlusCal (collapsed) and each counterexample: a
step-through viewer (lanes, with the state after the selected step in a sticky panel beside
them; a local without a value yet reads ``unset``), an SVG sequence diagram (``seqsvg``:
arrows from a step to the later steps of other processes that read what it changed, the
failing step on red) and the story. Counterexamples longer than ``context.LONG_TRACE`` steps
start collapsed. ``#t-<trace>@<step>`` opens a trace at a step, on load and whenever the
hash changes; any other ``#id`` opens the collapsed sections around it.

Self-contained: styles and script are inline, nothing is fetched, so the file can be mailed,
attached to a CI run or opened offline. Every name from the model is escaped (Jinja2
autoescape; the viewer's data travels as JSON with ``<``, ``>`` and ``&`` escaped and is
put into the page with ``textContent`` only). The lanes are rendered on the server, so the
page reads without script; the script adds stepping (buttons, arrow keys) and the state
panel. Output is deterministic.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from .. import templating
from .context import Site, site_context, slug
from .mdtext import to_html

def inline_md(text: str) -> Markup:
    """The small Markdown of ``explain`` lines (code spans, bold, backslash escapes) as safe
    HTML: everything else in the line is escaped."""
    return Markup(to_html(text))


_CAMEL = re.compile(r"(?<=[a-z0-9_])(?=[A-Z])|(?<=_)")


def wbr(name: str) -> Markup:
    """A long identifier with line-break opportunities between its words (``NoUse`` |
    ``After`` | ``Unload``), for narrow table headers."""
    return Markup("<wbr>").join(escape(part) for part in _CAMEL.split(str(name)))


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(value):
    """Every value the template prints, with control characters (which HTML may not hold)
    written as ``\\uXXXX``; markup stays markup."""
    if isinstance(value, Markup):
        return Markup(_CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", str(value)))
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", value)
    return value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = templating.environment("movspec.report", autoescape=True, inline_md=inline_md, slug=slug, wbr=wbr)
    env.finalize = _visible  # set before any template is compiled: the compiler reads it
    return env


def render_html(site: Site) -> str:
    ctx = site_context(site)
    return environment().get_template("report.html.j2").render(**ctx)
