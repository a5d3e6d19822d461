"""Generic traversals of the IR: children, walk, substitute, literal, state_key.

Every IR node is a frozen dataclass; its children are the field values that are nodes or
tuples of nodes (``span`` excluded). Types are leaves of a traversal: they are not rewritten
by ``substitute`` and their parts are not visited by ``walk``.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Iterator

from . import nodes as ir

_TYPES = (ir.BoolType, ir.IntType, ir.AtomType, ir.RecordType, ir.FuncType, ir.SetType, ir.ListType)
# nodes that bind a name over part of themselves: (binder field, fields in its scope)
_BINDERS = {ir.Quant: ("var", ("body",)), ir.SetFilter: ("var", ("cond",)),
            ir.FuncLit: ("var", ("body",)), ir.With: ("var", ("body",))}


def _is_node(x) -> bool:
    return hasattr(x, "__dataclass_fields__") and not isinstance(x, _TYPES)


_FIELDS: dict[type, tuple[str, ...]] = {}  # per node class: its fields but the span


def _field_names(cls) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls) if f.name != "span")
    return names


def children(node) -> Iterator:
    """The direct child nodes of ``node`` (tuples are flattened), in field order."""
    for name in _FIELDS.get(node.__class__) or _field_names(node.__class__):
        v = getattr(node, name)
        if isinstance(v, tuple):
            for x in v:
                if _is_node(x):
                    yield x
                elif isinstance(x, tuple):
                    yield from (y for y in x if _is_node(y))
        elif _is_node(v):
            yield v


def walk(node) -> Iterator:
    """``node`` and every node below it, depth first, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple):
            stack.extend(reversed(n))
            continue
        if not _is_node(n):
            continue
        yield n
        stack.extend(reversed(list(children(n))))


def substitute(e, var: str, value):
    """``e`` with every free ``BoundRef(var)`` replaced by the expression ``value``. A binder
    of the same name (``forall var in ...``) shadows ``var`` in its scope."""
    if isinstance(e, ir.BoundRef):
        return value if e.name == var else e
    if isinstance(e, tuple):
        return tuple(substitute(x, var, value) for x in e)
    if not _is_node(e):
        return e
    binder = _BINDERS.get(type(e))
    shadowed = binder[1] if binder is not None and getattr(e, binder[0]) == var else ()
    kw = {}
    for f in fields(e):
        if f.name == "span" or f.name in shadowed:
            continue
        old = getattr(e, f.name)
        new = substitute(old, var, value)
        if new is not old:
            kw[f.name] = new
    return replace(e, **kw) if kw else e


def literal(model: ir.Model, v):
    """The IR literal of a plain scalar value (``bool``, ``int``, atom name), or None."""
    if isinstance(v, bool):
        return ir.BoolLit(v)
    if isinstance(v, int):
        return ir.IntLit(v)
    if isinstance(v, str):
        kind = "model" if any(c.atoms and v in c.atoms for c in model.consts) else "enum"
        return ir.AtomLit(v, kind)
    return None


def types_in(t) -> Iterator:
    """``t`` and the types its values are made of: record fields, a function's range, the
    elements of a set or a list."""
    yield t
    if isinstance(t, ir.RecordType):
        for f in t.fields:
            yield from types_in(f.type)
    elif isinstance(t, ir.FuncType):
        yield from types_in(t.range)
    elif isinstance(t, (ir.SetType, ir.ListType)):
        yield from types_in(t.elem)


def state_key(actor: str, local: str) -> str:
    """The key of an actor local in a plain state (``result.State``): ``"<actor>.<local>"``."""
    return f"{actor}.{local}"
