"""Names bound inside expressions and statements: ``forall x in S``, ``exists``, ``{x in S
where e}``, ``[x in S |-> e]`` and ``any v in S { ... }``. A name at a position that one of
these binds (the innermost, around the position) refers to that binder, not to a declaration
of the same name elsewhere."""

from __future__ import annotations

import dataclasses
from typing import Callable

from ..dsl import ast as A
from ..dsl.printer import expr
from .index import Sym, _contains, _find_word

_HOW = {A.QuantE: None, A.FilterE: "a set filter", A.FuncE: "a function constructor", A.WithS: "`any`"}


def _binds(node, name: str):
    """The domain ``node`` binds ``name`` over, or None."""
    if isinstance(node, A.QuantE):
        for v, dom in node.binders:
            if v == name:
                return dom
    elif isinstance(node, (A.FilterE, A.FuncE, A.WithS)) and node.var == name:
        return node.domain
    return None


def binder_at(tree: A.File | None, lines: Callable[[str], list[str] | None], name: str, line: int,
              col: int) -> Sym | None:
    """The innermost binder of ``name`` whose expression or block contains the position."""
    if tree is None:
        return None
    found: list[tuple[object, object]] = []
    stack: list[object] = [d for d in tree.decls if _contains(d.span, line, col)]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(reversed(node))
            continue
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            continue
        span = getattr(node, "span", None)
        if span is not None and not _contains(span, line, col):
            continue
        dom = _binds(node, name)
        if dom is not None:
            found.append((node, dom))
        for f in dataclasses.fields(node):
            if f.compare:  # spans and texts are not children
                value = getattr(node, f.name)
                if isinstance(value, (tuple, list)) or dataclasses.is_dataclass(value):
                    stack.append(value)
    if not found:
        return None
    # the innermost: the one with the smallest span around the position
    node, dom = min(found, key=lambda nd: _size(getattr(nd[0], "span", None)))
    span = node.span
    at = _find_word(lines(span.file), span, name) if span is not None else None
    if at is None:
        return None
    how = _HOW.get(type(node)) or f"`{node.kind}`"
    return Sym("bound", name, at, span, None, None, f"{name} in {expr(dom)}", None,
               notes=[f"bound by {how}"])


def _size(span) -> tuple[int, int]:
    if span is None:
        return (1 << 30, 0)
    return (span.end_line - span.line, span.end_col - span.col if span.end_line == span.line else 1 << 20)
