"""The syntax tree's types and expressions (re-exported by ``ast``, where the statements,
declarations and the conventions are)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..span import Span


def _span():
    return field(default=None, compare=False, repr=False)

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class BoolT:
    span: Span | None = _span()


@dataclass(frozen=True)
class NamedT:
    name: str
    span: Span | None = _span()


@dataclass(frozen=True)
class RangeT:
    lo: int | str  # an integer literal or the name of an integer constant
    hi: int | str
    span: Span | None = _span()


@dataclass(frozen=True)
class AtomsT:
    names: tuple[str, ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class UnionT:
    parts: tuple["TypeExpr", ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class FuncT:
    domain: "TypeExpr"
    range: "TypeExpr"
    span: Span | None = _span()


@dataclass(frozen=True)
class SetT:
    elem: "TypeExpr"
    span: Span | None = _span()


@dataclass(frozen=True)
class ListT:
    """``list of T``: a kernel list of objects."""

    elem: "TypeExpr"
    span: Span | None = _span()


TypeExpr = Union[BoolT, NamedT, RangeT, AtomsT, UnionT, FuncT, SetT, ListT]

# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Name:
    name: str
    span: Span | None = _span()


@dataclass(frozen=True)
class StrE:
    """A string literal: only as a macro argument, for an ``assert`` message in the macro."""

    value: str
    span: Span | None = _span()


@dataclass(frozen=True)
class IntE:
    value: int
    span: Span | None = _span()


@dataclass(frozen=True)
class BoolE:
    value: bool
    span: Span | None = _span()


@dataclass(frozen=True)
class SelfE:
    span: Span | None = _span()


@dataclass(frozen=True)
class SetE:
    elems: tuple["Expr", ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class EmptyListE:
    """``[]``: the empty list."""

    span: Span | None = _span()


@dataclass(frozen=True)
class FilterE:
    """``{var in domain where cond}``."""

    var: str
    domain: "Expr"
    cond: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class FuncE:
    """``[var in domain |-> body]``."""

    var: str
    domain: "Expr"
    body: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class CardE:
    set: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class RangeE:
    lo: "Expr"
    hi: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class FieldE:
    base: "Expr"
    name: str
    span: Span | None = _span()


@dataclass(frozen=True)
class IndexE:
    base: "Expr"
    index: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class Arg:
    """A call argument; ``name`` is set for struct values (``Page(ref: 1)``)."""

    name: str | None
    value: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class ApplyE:
    """``name(args)``: a ``def`` call or a struct value."""

    name: str
    args: tuple[Arg, ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class UnaryE:
    op: str  # "!" | "-"
    operand: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class BinaryE:
    op: str  # DSL spelling: + - * / % == != < <= > >= && || => <=> in notin subset | & \ ~>
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class QuantE:
    kind: str  # "forall" | "exists"
    binders: tuple[tuple[str, "Expr"], ...]
    body: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class IfE:
    cond: "Expr"
    then: "Expr"
    orelse: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True)
class AtE:
    """``proc at steps``; ``proc`` None for the prefix form ``at step`` (running process)."""

    proc: "Expr | None"
    steps: tuple[str, ...]
    span: Span | None = _span()


Expr = Union[Name, StrE, IntE, BoolE, SelfE, SetE, EmptyListE, FilterE, FuncE, CardE, RangeE, FieldE, IndexE,
             ApplyE, UnaryE, BinaryE, QuantE, IfE, AtE]
