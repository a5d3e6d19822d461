"""The join of two types: the type of a value that is either of ``a`` or of ``b`` (the
elements of a set literal, the branches of ``if ... then ... else``, the operands of ``|``).

One rule for every stage that infers a type (the type checker, the compiled checker):

- ``None`` is an unknown type (an earlier error, the element of ``{}``) and joins to the other
  side; so does an atom type with no atoms, the element of an empty set;
- atom types unite their atoms (in order of appearance); the name stays when both sides
  have it;
- integer ranges widen to cover both; an ``IntType`` without bounds (``lo is None``: an integer
  of unknown range, as the type checker gives arithmetic) stays without bounds;
- sets join their elements, and so do lists;
- anything else is ``a``: mixing kinds is the type checker's finding, not the join's.
"""

from __future__ import annotations

from .nodes import AtomType, IntType, ListType, SetType


def join(a, b):
    """The join of types ``a`` and ``b`` (see the module docstring). Pure: the result is
    ``a``, ``b`` or a new type."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, AtomType) and not a.atoms:
        return b
    if isinstance(b, AtomType) and not b.atoms:
        return a
    if isinstance(a, SetType) and isinstance(b, SetType):
        return SetType(join(a.elem, b.elem))
    if isinstance(a, ListType) and isinstance(b, ListType):
        return ListType(join(a.elem, b.elem))
    if isinstance(a, AtomType) and isinstance(b, AtomType):
        if a == b:
            return a
        return AtomType(tuple(dict.fromkeys(a.atoms + b.atoms)), a.name if a.name == b.name else None)
    if isinstance(a, IntType) and isinstance(b, IntType):
        if a.lo is None or b.lo is None:
            return a if a.lo is None else b
        return IntType(min(a.lo, b.lo), max(a.hi, b.hi))
    return a
