"""Which bits of a packed state an expression reads: states equal on those bits give the
expression the same value, so a check that evaluates it on every state of a graph (a
``leadsto`` side, a refinement mapping) evaluates it once per distinct projection.

``read_mask(layout, exprs) -> int | None``: the mask of the leaves ``exprs`` may read, or None
when an expression holds a node this analysis does not know (then nothing is shared: the
caller decodes every state). Over-approximated: a variable read anywhere is read whole, a
program counter of an actor is every process's.
"""

from __future__ import annotations

from ..ir import nodes as ir

# the expression nodes whose state reads are known: the literals, constants and bound names
# read nothing; VarRef, LocalRef and At read their roots; the rest read what their parts read
_KNOWN = (ir.IntLit, ir.BoolLit, ir.AtomLit, ir.VarRef, ir.LocalRef, ir.ConstRef, ir.BoundRef, ir.Field,
          ir.Index, ir.Unary, ir.Binary, ir.SetLit, ir.SeqLit, ir.ListOp, ir.RangeLit, ir.Card, ir.Quant,
          ir.SetFilter, ir.IfExpr, ir.RecordLit, ir.FuncLit, ir.At, ir.InType)
_TYPES = (ir.BoolType, ir.IntType, ir.AtomType, ir.RecordType, ir.FuncType, ir.SetType, ir.ListType,
          ir.FieldDecl)


class _Unknown(Exception):
    pass


def _roots(e, out: set) -> None:
    if isinstance(e, (tuple, list, frozenset, set)):
        for x in e:
            _roots(x, out)
        return
    if e is None or isinstance(e, (str, int, bool, float)) or isinstance(e, _TYPES):
        return
    if not isinstance(e, _KNOWN):
        raise _Unknown(type(e).__name__)
    if isinstance(e, ir.VarRef):
        out.add(e.name)
    elif isinstance(e, ir.LocalRef):
        out.add(f"{e.actor}.{e.name}")
    elif isinstance(e, ir.At):
        out.add(("pc", e.actor))
    for f in e.__dataclass_fields__:
        if f != "span":
            _roots(getattr(e, f), out)


def read_mask(layout, exprs) -> int | None:
    """The bits of the packed states of ``layout`` that ``exprs`` may read (see the module
    docstring); None when that is not known."""
    roots: set = set()
    try:
        _roots(list(exprs), roots)
    except _Unknown:
        return None
    mask = 0
    for leaf in layout.leaves:
        if leaf.root in roots or (leaf.root == "pc" and ("pc", leaf.actor) in roots):
            mask |= ((1 << leaf.width) - 1) << leaf.offset
    return mask
