"""The one way movspec sets up Jinja2: templates from a package folder, undefined names are
errors (``StrictUndefined``), block tags leave no blank lines, output is byte-stable."""

from __future__ import annotations

import jinja2


def environment(package: str, *, autoescape: bool = False, **filters) -> jinja2.Environment:
    """An environment over ``<package>/templates``; ``autoescape`` for HTML."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=autoescape,
    )
    env.filters.update(filters)
    return env
