"""Macro call sites for diagnostics found after expansion.

Macros are expanded in place before the semantic checks run, so a type error in an expanded
statement points either into the macro's body (an operand the body wrote) or at an argument
of the call (the value the caller passed). ``with_macro_sites`` adds the other location as a
related note: the call sites of a macro whose body holds the span, or the macro whose
argument holds it. Resolution errors get theirs while expanding (``Diags.context``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace

from ..diagnostics import Diagnostic, Related
from ..dsl import ast as A
from ..span import Span

MAX_SITES = 3  # call sites named per diagnostic; the rest are counted


def _within(inner: Span, outer: Span) -> bool:
    return (inner.file == outer.file and (outer.line, outer.col) <= (inner.line, inner.col)
            and (inner.end_line, inner.end_col) <= (outer.end_line, outer.end_col))


_FIELDS: dict[type, tuple[str, ...] | bool] = {}  # per class: its field names (False: not a node)


def _nodes(node):
    """Every AST node under ``node`` (dataclasses, tuples), without recursion."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (tuple, list)):
            stack.extend(n)
            continue
        cls = n.__class__
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = (tuple(f.name for f in dataclasses.fields(cls))
                                    if dataclasses.is_dataclass(cls) and cls is not Span else False)
        if names is not False:
            yield n
            stack.extend(getattr(n, f) for f in names)


def with_macro_sites(diags: list[Diagnostic], files: list[A.File]) -> list[Diagnostic]:
    if all(d.related or d.span is None for d in diags):
        return diags  # nothing to add to: the tree is not walked
    macros: list[A.MacroD] = []
    calls: dict[str, list[A.MacroS]] = {}
    for n in _nodes(files):
        if isinstance(n, A.MacroD) and n.span is not None:
            macros.append(n)
        elif isinstance(n, A.MacroS) and n.span is not None:
            calls.setdefault(n.name, []).append(n)
    if not macros:
        return diags
    # the calls whose lines a diagnostic's first line falls on: the only ones that may hold it
    rank = {name: k for k, name in enumerate(calls)}
    by_line: dict[tuple[str, int], list[tuple[int, int, A.MacroS]]] = {}
    for name, sites in calls.items():
        for k, c in enumerate(sites):
            for line in range(c.span.line, c.span.end_line + 1):
                by_line.setdefault((c.span.file, line), []).append((rank[name], k, c))
    out = []
    for d in diags:
        if d.related or d.span is None:
            out.append(d)
            continue
        related: list[Related] = []
        inside = [m for m in macros if _within(d.span, m.span)]
        if inside:
            m = min(inside, key=lambda m: (m.span.end_line - m.span.line, m.span.end_col))
            sites = calls.get(m.name, [])
            for c in sites[:MAX_SITES]:
                related.append(Related(f"in macro `{m.name}`, called here", c.span))
            if len(sites) > MAX_SITES:
                related[-1] = replace(related[-1], message=f"{related[-1].message} "
                                      f"(and at {len(sites) - MAX_SITES} other places)")
        else:
            # the first call (macros in order of their first call) with an argument holding it
            for _, _, c in sorted(by_line.get((d.span.file, d.span.line), ()), key=lambda x: x[:2]):
                i = next((i for i, a in enumerate(c.args) if a.span is not None and _within(d.span, a.span)), None)
                m = next((m for m in reversed(macros) if m.name == c.name), None) if i is not None else None
                if m is not None:
                    param = (m.params or ())[i] if i < len(m.params or ()) else None
                    what = f"as `{param}`" if param else "as an argument"
                    related.append(Related(f"passed {what} to macro `{c.name}`, whose body uses it",
                                           m.name_span or m.span))
                    break
        out.append(replace(d, related=tuple(related)) if related else d)
    return out
