"""The IR's types and expressions (re-exported by ``nodes``, whose docstring is the contract
and the checking semantics)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..span import Span


def _span():
    return field(default=None, compare=False, repr=False)

# --------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class BoolType:
    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class IntType:
    """An integer range ``lo..hi`` (both inclusive)."""

    lo: int
    hi: int

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}"


@dataclass(frozen=True, slots=True)
class AtomType:
    """A finite set of atoms: model values of constant sets, enum members, or both.

    ``name`` is the declared name when the type is exactly one enum or constant set
    (``Mapping``, ``Pages``); unions such as ``Cpus | {drv, none}`` have ``name=None``.
    """

    atoms: tuple[str, ...]
    name: str | None = None

    def __str__(self) -> str:
        return self.name or "{" + ", ".join(self.atoms) + "}"


def flat_values(t) -> list | None:
    """The values of a flat type (what a function's domain may be), in declaration order;
    None for any other type."""
    if isinstance(t, AtomType):
        return list(t.atoms)
    if isinstance(t, IntType):
        return list(range(t.lo, t.hi + 1))
    if isinstance(t, BoolType):
        return [False, True]
    return None


@dataclass(frozen=True, slots=True)
class RecordType:
    """A struct: ordered fields, each with a type and a default value expression."""

    name: str
    fields: tuple["FieldDecl", ...]

    def field(self, name: str) -> "FieldDecl | None":
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class FuncType:
    """A total function over a finite domain: ``[Pages -> Page]``."""

    domain: "Type"
    range: "Type"

    def __str__(self) -> str:
        return f"[{self.domain} -> {self.range}]"


@dataclass(frozen=True, slots=True)
class SetType:
    """Subsets of a finite element type: ``set of Pages``."""

    elem: "Type"

    def __str__(self) -> str:
        return f"set of {self.elem}"


@dataclass(frozen=True, slots=True)
class ListType:
    """A kernel list (``struct list_head``) of objects: a sequence of distinct elements of a
    finite atom type, head first, so at most as long as the type has values: ``list of Pages``."""

    elem: "Type"

    def __str__(self) -> str:
        return f"list of {self.elem}"


Type = Union[BoolType, IntType, AtomType, RecordType, FuncType, SetType, ListType]


@dataclass(frozen=True, slots=True)
class FieldDecl:
    name: str
    type: Type
    default: "Expr"
    doc: str | None = None
    span: Span | None = _span()


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class IntLit:
    value: int
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class BoolLit:
    value: bool
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class AtomLit:
    """An atom. ``kind`` is ``"model"`` for a model value of a constant set (a TLA+ model
    value in the .cfg), ``"enum"`` for an enum member or inline atom (a TLA+ string), and
    ``"default"`` for ``DEFAULT_INIT``."""

    name: str
    kind: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class VarRef:
    """A global state variable."""

    name: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class LocalRef:
    """A local of ``actor`` (an actor or a function). ``proc`` is None for the running process
    itself (inside the actor's own steps), or an expression giving the process id (in
    properties: ``compactor[c].p``, or ``compactor[c].f.x`` for function ``f``'s local ``x``
    in process ``c``, with ``caller`` the actor)."""

    actor: str
    name: str
    proc: "Expr | None" = None
    span: Span | None = _span()
    # a function's local read by a property (``actor[p].f.x``): the actor whose process it is
    caller: str | None = None


@dataclass(frozen=True, slots=True)
class ConstRef:
    """A constant: a set of model values (``Pages``) or an integer (``MaxRef``)."""

    name: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class BoundRef:
    """A variable bound by a quantifier, set comprehension, function literal or ``With``."""

    name: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class SelfRef:
    """The id of the running process (``self``)."""

    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Field:
    base: "Expr"
    name: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Index:
    base: "Expr"
    index: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "!" | "-"
    operand: "Expr"
    span: Span | None = _span()


# the binary operators (``Binary.op``) and their meaning: ``movspec.ops``


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class SetLit:
    elems: tuple["Expr", ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class SeqLit:
    """A list value, its elements head first: ``[]`` in the DSL (the builder writes no other)."""

    elems: tuple["Expr", ...] = ()
    span: Span | None = _span()


LIST_OPS = ("len", "first", "has", "add", "add_tail", "del", "keep")


@dataclass(frozen=True, slots=True)
class ListOp:
    """An operation on the value of list ``list`` (a ``ListType``), with an element ``elem``
    for the last four: ``len`` its length (``|l|``); ``first`` its head (an evaluation error
    on an empty list, as a function applied outside its domain); ``has`` whether ``elem`` is
    on it (``x in l``); ``add``/``add_tail`` the list with ``elem`` at its head/tail, the list
    itself when ``elem`` is on it already; ``del`` the list without ``elem`` (itself when
    ``elem`` is not on it); ``keep`` the list with only its elements in the set ``elem`` (for
    the exclusive waiters of ``wake_up``). The statements ``list_add`` ... check those cases first."""

    op: str
    list: "Expr"
    elem: "Expr | None" = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class RangeLit:
    """The set ``lo..hi``."""

    lo: "Expr"
    hi: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Card:
    """``|S|``: the number of elements of a finite set."""

    set: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Quant:
    kind: str  # "forall" | "exists"
    var: str
    domain: "Expr"
    body: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class SetFilter:
    """``{x in S : p}``."""

    var: str
    domain: "Expr"
    cond: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class IfExpr:
    cond: "Expr"
    then: "Expr"
    orelse: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class RecordLit:
    """A record value; fields in the declared order of ``type``."""

    type: RecordType
    fields: tuple[tuple[str, "Expr"], ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class FuncLit:
    """``[x in D |-> e]``."""

    var: str
    domain: "Expr"
    body: "Expr"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class At:
    """True when process ``proc`` of ``actor`` is about to run one of ``steps``
    (``pc[proc] \\in {...}``). ``proc`` None means the running process (in steps) or, for a
    single actor, the actor itself. ``"Done"`` may appear in ``steps``. With ``func``, the
    steps are function ``func``'s: true when the process runs one of them, whichever step
    called ``func`` and however deep (PlusCal's ``pc`` at the procedure's label; the lowered
    model names the inlined copies instead, ``lower.lower_functions``)."""

    actor: str
    proc: "Expr | None"
    steps: tuple[str, ...]
    span: Span | None = _span()
    func: str | None = None


@dataclass(frozen=True, slots=True)
class InType:
    """True when ``expr`` is a value of ``type`` (TLA+ ``expr \\in TypeSet``). Used by the
    ``TypeOK`` invariant the IR adds to every model."""

    expr: "Expr"
    type: Type
    span: Span | None = _span()


Expr = Union[
    IntLit, BoolLit, AtomLit, VarRef, LocalRef, ConstRef, BoundRef, SelfRef, Field, Index,
    Unary, Binary, SetLit, RangeLit, Card, Quant, SetFilter, IfExpr, RecordLit, FuncLit, At,
    InType, SeqLit, ListOp,
]
