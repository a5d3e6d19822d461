"""The Markdown site: ``README.md`` (the verdict matrix and the list of variants) and one
``variants/<variant>.md`` per variant (description, design source, actors and steps with
their kernel anchors, the delta from its base, verdicts, each counterexample as a Mermaid
sequence diagram with its story, and the generated PlusCal).

GitHub-flavoured Markdown, which GitHub, GitLab, Gitea and Forgejo render (Mermaid in
fenced ``mermaid`` blocks included). Every string from the model goes through the ``md``
(inline text) or ``code`` (code span) filter of ``mdtext``, so it can neither inject HTML nor
split a table row; output is deterministic (no times, no dates).
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2

from .. import templating
from .context import Site, site_context, slug
from .mdtext import code, md

def fence(text: str, lang: str = "") -> str:
    """A fenced code block that survives backticks in ``text``."""
    runs = [len(m.group(0)) for m in re.finditer(r"`+", text)]
    n = max([3] + [r + 1 for r in runs])
    body = text if text.endswith("\n") else text + "\n"
    return "`" * n + lang + "\n" + body + "`" * n


def gh_anchor(heading: str) -> str:
    """The anchor GitHub and GitLab give a heading: lower case, punctuation dropped,
    spaces as hyphens."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return templating.environment("movspec.report", autoescape=False, md=md, code=code, fence=fence, gh_anchor=gh_anchor, slug=slug)


def _tidy(text: str) -> str:
    """Squeeze the runs of blank lines templates leave where optional parts are absent,
    outside code fences only."""
    out: list[str] = []
    fence_mark: str | None = None
    for line in text.split("\n"):
        m = re.match(r"^(`{3,})", line)
        if fence_mark is None and m:
            fence_mark = m.group(1)
        elif fence_mark is not None and line.rstrip() == fence_mark:
            fence_mark = None
        elif fence_mark is None and not line.strip() and out and not out[-1].strip():
            continue
        out.append(line if fence_mark is not None else line.rstrip())
    return "\n".join(out).strip("\n") + "\n"


def render_site(site: Site) -> dict[str, str]:
    """Relative path -> Markdown text, for every page of the site."""
    ctx = site_context(site)
    env = environment()
    pages = {"README.md": _tidy(env.get_template("index.md.j2").render(**ctx))}
    variant_tpl = env.get_template("variant.md.j2")
    for v in ctx["variants"]:
        pages[f"variants/{v['slug']}.md"] = _tidy(variant_tpl.render(v=v, **ctx))
    return pages
