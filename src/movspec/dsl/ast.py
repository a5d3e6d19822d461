"""The syntax tree of a movspec file: what was written, with spans, nothing resolved.

Every node is a frozen dataclass; ``span`` (and ``name_span``, ``text``) take no part in
equality, so two parses of the same text, or of its pretty-printed form, compare equal.
Operators keep their DSL spelling (``|``, ``\\``, ``~>``); the IR builder maps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..span import Span
from .ast_expr import (  # noqa: F401 (re-exported: one namespace for all nodes)
    BoolT, NamedT, RangeT, AtomsT, UnionT, FuncT, SetT, ListT, TypeExpr, Name, StrE, IntE, BoolE, SelfE,
    SetE, EmptyListE, FilterE, FuncE, CardE, RangeE, FieldE, IndexE, Arg, ApplyE, UnaryE, BinaryE, QuantE,
    IfE, AtE, Expr,
)


def _span():
    return field(default=None, compare=False, repr=False)


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class AssignS:
    target: Expr  # Name wrapped in FieldE/IndexE
    op: str  # "=" | "+=" | "-="
    value: Expr
    span: Span | None = _span()


@dataclass(frozen=True)
class ChooseS:
    """``target = any domain``."""

    target: Expr
    domain: Expr
    span: Span | None = _span()


@dataclass(frozen=True)
class WithS:
    var: str
    domain: Expr
    body: tuple["Stmt", ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class IfS:
    cond: Expr
    then: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...] | None = None  # None: no else; (IfS,) prints as `else if`
    span: Span | None = _span()


@dataclass(frozen=True)
class AwaitS:
    cond: Expr
    span: Span | None = _span()


@dataclass(frozen=True)
class EitherS:
    branches: tuple[tuple["Stmt", ...], ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class GotoS:
    target: str
    span: Span | None = _span()


@dataclass(frozen=True)
class AssertS:
    cond: Expr
    message: str | Name  # a string, or (in a macro) the parameter bound to one
    prop: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True)
class CallS:
    module: str
    op: str
    args: tuple[Expr, ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class FCallS:
    """``call f(args)``, or ``target = call f(args)`` for a function with a result."""

    func: str
    args: tuple[Expr, ...]
    target: Expr | None = None
    span: Span | None = _span()


@dataclass(frozen=True)
class WhileS:
    """The whole body of ``step name while cond { body }``: ``body`` runs while ``cond`` holds,
    one round per step."""

    cond: Expr
    body: tuple["Stmt", ...]
    span: Span | None = _span()


@dataclass(frozen=True)
class ReturnS:
    value: Expr | None = None
    span: Span | None = _span()


@dataclass(frozen=True)
class UnloadS:
    module: str
    span: Span | None = _span()


@dataclass(frozen=True)
class SkipS:
    span: Span | None = _span()


@dataclass(frozen=True)
class MacroS:
    name: str
    args: tuple[Expr, ...]
    span: Span | None = _span()


Stmt = Union[AssignS, ChooseS, WithS, IfS, AwaitS, EitherS, GotoS, AssertS, CallS, FCallS, ReturnS,
             WhileS, UnloadS, SkipS, MacroS]

# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class ModelD:
    name: str
    title: str | None = None
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class ConstD:
    name: str
    doc: str | None = None
    atoms: tuple[str, ...] | None = None
    value: int | None = None
    symmetric: bool = False
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class ImportD:
    """``import "linux/pagemap"``: a prelude shipped with movspec (``movspec/prelude/``)."""

    path: str
    span: Span | None = _span()


@dataclass(frozen=True)
class EnumD:
    """``enum``, or ``flags`` (``bits`` set: each member's bit number)."""

    name: str
    doc: str | None
    members: tuple[str, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()
    bits: tuple[int, ...] | None = None


@dataclass(frozen=True)
class FieldD:
    name: str
    doc: str | None
    type: TypeExpr
    default: Expr | None
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class StructD:
    name: str
    doc: str | None
    fields: tuple[FieldD, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class VarD:
    """``var``, or ``pool`` (``pool`` set: the property an access to a freed object violates)."""

    name: str
    doc: str | None
    type: TypeExpr
    init: Expr | None
    span: Span | None = _span()
    name_span: Span | None = _span()
    pool: str | None = None


@dataclass(frozen=True)
class ModuleD:
    name: str
    doc: str | None
    guards: str | None
    ops: tuple[str, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class DefD:
    name: str
    params: tuple[str, ...] | None  # None: written without parentheses
    doc: str | None
    body: Expr
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class MacroD:
    name: str
    params: tuple[str, ...] | None
    anchor: str | None
    doc: str | None
    body: tuple[Stmt, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class LocalD:
    name: str
    type: TypeExpr
    init: Expr | None
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class StepD:
    name: str
    anchor: str | None
    doc: str | None
    body: tuple[Stmt, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()
    fairness: str | None = None  # None (the actor's) | "unfair" | "strong"
    fairness_span: Span | None = _span()  # of `unfair` / `fair+`


@dataclass(frozen=True)
class FuncD:
    """``func name(params) -> result { locals; steps }``; ``result`` None: no value. Params are
    ``LocalD`` without initial value."""

    name: str
    params: tuple[LocalD, ...]
    result: TypeExpr | None
    anchor: str | None
    doc: str | None
    locals: tuple[LocalD, ...]
    steps: tuple[StepD, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()

    family = None  # scoped like a single actor


@dataclass(frozen=True)
class ActorD:
    name: str
    fairness: str | None  # None | "weak" | "strong"
    family: str | None  # the constant set of `self in S`
    doc: str | None
    locals: tuple[LocalD, ...]
    steps: tuple[StepD, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()
    guard: Expr | None = None  # `when COND`


@dataclass(frozen=True)
class InvariantD:
    name: str
    doc: str | None
    expr: Expr
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class AssertionD:
    name: str
    doc: str | None = None
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class LeadsToD:
    name: str
    doc: str | None
    expr: Expr  # forall-prefixed `p ~> q`
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class AllowDeadlockD:
    span: Span | None = _span()


# proofs ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionD:
    """An action of an abstract specification: bound parameters, a statement body."""

    name: str
    params: tuple[tuple[str, Expr], ...]
    doc: str | None
    body: tuple[Stmt, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class AbstractD:
    """``abstract NAME { var ...  action ... }``: a specification other models refine."""

    name: str
    doc: str | None
    vars: tuple[VarD, ...]
    actions: tuple[ActionD, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class MappingD:
    var: str
    expr: Expr
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class RefinementD:
    """``refinement NAME of ABSTRACT { avar = expr ... }``: a property."""

    name: str
    doc: str | None
    abstract: str
    mappings: tuple[MappingD, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()
    abstract_span: Span | None = _span()


@dataclass(frozen=True)
class InductiveD:
    name: str
    doc: str | None
    expr: Expr
    span: Span | None = _span()
    name_span: Span | None = _span()


@dataclass(frozen=True)
class ForD:
    """``for v1, v2 { properties }``: declarations added to those variants only."""

    variants: tuple[str, ...]
    decls: tuple["Decl", ...]
    span: Span | None = _span()
    variant_spans: tuple[Span, ...] = field(default=(), compare=False, repr=False)


# variant deltas ----------------------------------------------------------------


@dataclass(frozen=True)
class ReplaceStepD:
    actor: str
    step: str
    anchor: str | None
    doc: str | None
    body: tuple[Stmt, ...] | None  # None: the step keeps its statements
    span: Span | None = _span()
    name_span: Span | None = _span()  # of `actor.step`
    text: str = field(default="", compare=False, repr=False)
    rename: str | None = None  # `replace a.s as NEW`
    fairness: str | None = None  # None: keep the mark | "unfair" | "strong" | "plain" (no mark)
    fairness_span: Span | None = _span()


@dataclass(frozen=True)
class InsertStepD:
    where: str  # "after" | "before"
    actor: str
    ref: str
    step: StepD
    span: Span | None = _span()
    name_span: Span | None = _span()
    text: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class RemoveStepD:
    actor: str
    step: str
    span: Span | None = _span()
    name_span: Span | None = _span()
    text: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class RemovePropertyD:
    name: str
    span: Span | None = _span()
    name_span: Span | None = _span()
    text: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class AddLocalD:
    actor: str
    local: LocalD
    span: Span | None = _span()
    name_span: Span | None = _span()
    text: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class DeclDelta:
    """A declaration inside a variant block: overrides one of the same name, or adds it."""

    decl: "Decl"
    span: Span | None = _span()
    text: str = field(default="", compare=False, repr=False)


DeltaNode = Union[ReplaceStepD, InsertStepD, RemoveStepD, RemovePropertyD, AddLocalD, DeclDelta]


@dataclass(frozen=True)
class VariantD:
    name: str
    extends: str | None
    doc: str | None
    source: str | None
    deltas: tuple[DeltaNode, ...] | None  # None: written without a block
    span: Span | None = _span()
    name_span: Span | None = _span()
    extends_span: Span | None = _span()


@dataclass(frozen=True)
class ExpectD:
    variant: str
    verdict: str  # "holds" | "violates"
    properties: tuple[str, ...]  # empty: all
    note: str | None = field(default=None, compare=False)
    span: Span | None = _span()
    name_span: Span | None = _span()
    prop_spans: tuple[Span, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class IrqD:
    """``irq name on actor { steps }``: an interrupt handler of the processes of ``actor``."""

    name: str
    actor: str
    doc: str | None
    steps: tuple[StepD, ...]
    span: Span | None = _span()
    name_span: Span | None = _span()
    actor_span: Span | None = _span()


Decl = Union[ModelD, ConstD, EnumD, StructD, VarD, ModuleD, DefD, MacroD, FuncD, ActorD, InvariantD,
             AssertionD, LeadsToD, AllowDeadlockD, VariantD, ExpectD, AbstractD, RefinementD,
             InductiveD, ForD, IrqD]


@dataclass(frozen=True)
class File:
    path: str
    decls: tuple[Decl, ...]
    span: Span | None = _span()
