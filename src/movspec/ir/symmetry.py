"""When symmetry reduction is sound for a variant, and why not when it is not.

Symmetry reduction over a ``symmetric`` constant set treats states that differ only by a
permutation of its model values as one. That is sound only when nothing in the model tells
those values apart: an invariant ``ref[P2] == 0``, a step ``if p == P1``, an initial value
``owner = C1`` do, and a search reduced by the permutation ``P1 <-> P2`` then misses states
that violate such a property (it can say "holds" where the full search says "violated").

``named_symmetric_atoms(model)`` finds every place that names one element of a symmetric set
(invariants, leadsto and inductive properties, refinement mappings, steps, initial values of
variables and locals, struct field defaults; a type cannot hold part of a constant set). Where
there is any, both checkers run the variant without symmetry (``symmetry_off_reason``), lint warns at
each place, and the check result says why reduction is off.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..span import Span
from . import nodes as N
from .walk import children


@dataclass(frozen=True)
class NamedAtom:
    """``atom``, an element of the symmetric constant set ``const``, is named at ``span`` in
    ``where`` (``invariant OnlyP1``, ``step compactor.scan``, ``initial value of page``...)."""

    const: str
    atom: str
    span: Span | None
    where: str


def _symmetric_atoms(model: N.Model) -> dict[str, str]:
    """atom -> its symmetric constant set, for sets that reduction would permute."""
    out: dict[str, str] = {}
    for c in model.consts:
        if c.symmetric and c.atoms and len(c.atoms) > 1:
            for a in c.atoms:
                out.setdefault(a, c.name)
    return out


def _in_expr(e, sym: dict[str, str], where: str, out: list[NamedAtom], span: Span | None = None) -> None:
    """The named atoms below ``e``; an atom without a span of its own (one an expansion made)
    is placed at the nearest enclosing node that has one."""
    stack = [(e, span)]
    while stack:
        n, near = stack.pop()
        near = getattr(n, "span", None) or near
        if isinstance(n, N.AtomLit) and n.kind == "model" and n.name in sym:
            out.append(NamedAtom(sym[n.name], n.name, near, where))
        stack.extend((c, near) for c in reversed(list(children(n))))


def named_symmetric_atoms(model: N.Model) -> list[NamedAtom]:
    """Every place in ``model`` that names one element of a symmetric constant set, once per
    source location: struct field defaults, variables, actors and their steps, properties."""
    sym = _symmetric_atoms(model)
    if not sym:
        return []
    out: list[NamedAtom] = []
    records: dict[str, N.RecordType] = {}

    def note_records(t: N.Type) -> None:
        if isinstance(t, N.RecordType):
            records.setdefault(t.name, t)
            for f in t.fields:
                note_records(f.type)
        elif isinstance(t, N.FuncType):
            note_records(t.domain)
            note_records(t.range)
        elif isinstance(t, N.SetType):
            note_records(t.elem)

    for v in model.vars:
        note_records(v.type)
    for a in model.actors:
        for loc in a.locals:
            note_records(loc.type)
    # field defaults first: a variable's initial value repeats them, and they are what to change
    for rt in records.values():
        for f in rt.fields:
            _in_expr(f.default, sym, f"the default of field `{rt.name}.{f.name}`", out, f.span)
    for v in model.vars:
        _in_expr(v.init, sym, f"the initial value of variable `{v.name}`", out, v.span)
    for a in model.actors:
        for loc in a.locals:
            if loc.init is not None:
                _in_expr(loc.init, sym, f"the initial value of local `{a.name}.{loc.name}`", out, loc.span)
        for s in a.steps:
            for st in s.body:
                _in_expr(st, sym, f"step `{a.name}.{s.name}`", out, s.span)
    for p in model.properties:
        if isinstance(p, N.Invariant) and p.name != N.TYPE_OK:
            _in_expr(p.expr, sym, f"invariant `{p.name}`", out, p.span)
        elif isinstance(p, N.Inductive):
            _in_expr(p.expr, sym, f"inductive invariant `{p.name}`", out, p.span)
        elif isinstance(p, N.LeadsTo):
            for _, dom in p.bound:
                _in_expr(dom, sym, f"leadsto `{p.name}`", out, p.span)
            _in_expr(p.p, sym, f"leadsto `{p.name}`", out, p.span)
            _in_expr(p.q, sym, f"leadsto `{p.name}`", out, p.span)
        elif isinstance(p, N.Refinement):
            for _, e in p.mapping:
                _in_expr(e, sym, f"refinement `{p.name}`", out, p.span)
    seen = set()
    unique = []
    for n in out:
        key = (n.atom, n.span) if n.span is not None else (n.atom, n.where)
        if key not in seen:
            seen.add(key)
            unique.append(n)
    return unique


def symmetry_off_reason(model: N.Model) -> str | None:
    """Why symmetry reduction must stay off for ``model`` although a set is ``symmetric``
    (None when it may be used, or when no set is symmetric)."""
    named = named_symmetric_atoms(model)
    if not named:
        return None
    first = named[0]
    more = f" (and {len(named) - 1} more place{'s' if len(named) > 2 else ''})" if len(named) > 1 else ""
    where = f" at {first.span}" if first.span is not None else ""
    return (f"symmetry reduction is off: {first.where} names `{first.atom}`, an element of the symmetric "
            f"set `{first.const}`{where}{more}")


def symmetric_consts(model: N.Model) -> tuple[N.Const, ...]:
    """The constant sets symmetry reduction may permute in ``model``: its ``symmetric`` sets
    with more than one value, or none at all when some place names one of their elements."""
    sets = tuple(c for c in model.consts if c.symmetric and c.atoms and len(c.atoms) > 1)
    if sets and named_symmetric_atoms(model):
        return ()
    return sets


__all__ = ["NamedAtom", "named_symmetric_atoms", "symmetric_consts", "symmetry_off_reason"]
