"""The IR: one resolved, typed model per variant.

Contract
--------
A ``Model`` is what every back end consumes (the PlusCal emitter, the embedded checker, the
reports). By the time a ``Model`` exists:

* every name is resolved: expressions contain ``VarRef``, ``LocalRef``, ``ConstRef``,
  ``AtomLit``, ``BoundRef`` and ``SelfRef``, never an unresolved name;
* macros and ``def`` operators are expanded inline, variant deltas are applied, constant
  overrides are in place; ``x = any S`` is already ``With``; the checkers see only the
  inlined expressions. For readers of the emitted TLA+, ``Model.defs`` keeps each ``def`` as
  an operator (``DefOp``, its body over placeholder parameters) and ``Model.def_uses`` each
  place one was applied (``DefUse``: the inlined expression object and the arguments), so the
  emitter can write ``Name(args)`` where the inlined body stands;
* every ``Call`` into module code names the property its "module is loaded" check belongs to;
* types are attached to declarations (variables, locals, constants, fields).

The state of a model is exactly the PlusCal state of its emitted module: the global
variables (including one boolean ``<module>_loaded`` per module), one value per process for
each actor local, and ``pc``. Both checkers explore that state space, so distinct-state counts
agree when no reduction is on.

Semantics of a step (equal to the PlusCal translation of the emitted label)
---------------------------------------------------------------------------
A step runs atomically. Statements execute in order; a read after an assignment in the same
step sees the assigned value. ``Await(c)`` blocks the whole step if ``c`` is false at that
point (the step is then not enabled and nothing happens). ``Either`` and ``With`` branch
nondeterministically (``With`` over an empty set blocks). ``Goto`` ends the step and sets the
next step (``"Done"`` ends the process). Falling off the end of a step moves to the next step
of the actor in declaration order, or to ``"Done"`` after the last one. ``Assert`` and ``Call``
failures are violations of their property: the step does not complete.

Checking semantics (both checkers, so that verdicts and state counts agree)
------------------------------------------------------------------------
Violations never prune the search: a state violating an invariant is still expanded (TLC's
``-continue``); a failed ``Assert``/``Call`` is recorded as a violation of its property and the
step then completes as if the check had held; a deadlocked state (no step enabled, not every
process ``"Done"``) simply has no successors. When every process is ``"Done"`` the state
stutters (PlusCal's ``Terminating``), which is not a deadlock. Each property's
counterexample is the first found in breadth-first order, hence a shortest one. Distinct
states include the initial states; depth counts the initial state as 1 (TLC's convention).

A violation, once found, stays found. An evaluation error (division by zero, a function
applied outside its domain, the head of an empty list) in a reachable state stops the search
there: the properties already violated keep their counterexamples, every property still open
is ERROR, with the error's trace (the path to the state, and the step that failed from it).

Past a ``TypeOK`` violation the search goes on (as above), but only within a headroom beyond
each integer range: the range's size plus 8 on each side (``lo - (hi-lo+9)`` to
``hi + (hi-lo+9)``). A step that computes a value beyond it is not explored: the search stops
there, a ``TypeOK`` not yet violated is violated by that step, and every property still open is
INCOMPLETE (never HOLDS). This keeps every search finite whatever the model does with its
integers; both back ends apply the same bound.

All nodes are frozen and slotted; spans are excluded from equality and hashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..span import Span
from .nodes_expr import (  # noqa: F401 (re-exported: one namespace for all nodes)
    BoolType, IntType, AtomType, RecordType, FuncType, SetType, ListType, Type, FieldDecl, IntLit,
    BoolLit, AtomLit, VarRef, LocalRef, ConstRef, BoundRef, SelfRef, Field, Index, Unary,
    Binary, SetLit, RangeLit, Card, Quant, SetFilter, IfExpr, RecordLit, FuncLit, At, InType,
    Expr, flat_values, SeqLit, ListOp, LIST_OPS,
)
from .nodes_stmt import (  # noqa: F401 (re-exported)
    Assign, If, Await, Either, With, Goto, Assert, Call, CallFunc, Return, Skip, Stmt, state_root,
    module_loaded_var,
)

DONE = "Done"  # the pc value of a finished process (PlusCal's "Done")
DEFAULT_INIT = "defaultInitValue"  # PlusCal's value of a local declared without an initial value
RESULT = "()"  # LocalRef(<function>, RESULT, proc): the result of the process's last call of it


def _span():
    return field(default=None, compare=False, repr=False)


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Const:
    """A constant. Either a set of model values (``atoms`` set, ``value`` None) or an
    integer (``value`` set). ``symmetric`` marks sets the checkers may permute."""

    name: str
    atoms: tuple[str, ...] | None = None
    value: int | None = None
    symmetric: bool = False
    doc: str | None = None
    span: Span | None = _span()

    @property
    def type(self) -> Type:
        if self.atoms is not None:
            return SetType(AtomType(self.atoms, self.name))
        return IntType(self.value, self.value)


@dataclass(frozen=True, slots=True)
class Var:
    """A global state variable with its type and initial value."""

    name: str
    type: Type
    init: Expr
    doc: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Local:
    """An actor local; one copy per process. ``init`` None means ``DEFAULT_INIT``."""

    name: str
    type: Type
    init: Expr | None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Step:
    """One atomic action (a PlusCal label). ``anchor`` names the kernel function it stands for
    (``"mm/migrate.c:isolate_movable_page"``). ``origin`` is the variant that introduced or
    last replaced it (None for the base model). ``fairness`` is None (the actor's), ``"unfair"``
    (``unfair step``, PlusCal's ``l:-``) or ``"strong"`` (``fair+ step``, ``l:+``); the steps a
    step generates (``<step>.schedule``, ``<step>.__set_bit``, the result step ``<step>.<f>``)
    carry its mark, a function's steps their own (``Actor.step_fairness``). ``func_step`` is
    ``(function, step)`` for a copy of a function's step inlined into an actor (``lower``)."""

    name: str
    body: tuple[Stmt, ...]
    anchor: str | None = None
    doc: str | None = None
    origin: str | None = None
    span: Span | None = _span()
    fairness: str | None = None
    func_step: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """A single actor (``proc_set`` None: one process whose id is the actor's name) or a
    family with one process per element of constant set ``proc_set``.
    ``fairness`` is None, ``"weak"`` or ``"strong"``."""

    name: str
    proc_set: str | None
    locals: tuple[Local, ...]
    steps: tuple[Step, ...]
    fairness: str | None = None
    doc: str | None = None
    span: Span | None = _span()

    def step(self, name: str) -> Step | None:
        for s in self.steps:
            if s.name == name:
                return s
        return None

    def step_fairness(self, step: Step) -> str | None:
        """The fairness ``step`` runs under in each process of the actor: None, ``"weak"`` or
        ``"strong"``. The emitted module's fairness conjuncts per process are
        ``WF_vars``/``SF_vars`` of the process's steps minus the ``unfair`` ones, plus
        ``SF_vars`` of each ``fair+`` step (PlusCal's translation of ``l:-``/``l:+``). The
        labels of one process are enabled at disjoint values of its ``pc``, so that conjunction
        is the same as fairness of each label on its own, and as fairness of each group of
        labels of one kind: the checkers take the group (process, kind) as the fair unit."""
        if self.fairness is None or step.fairness == "unfair":
            return None
        return "strong" if step.fairness == "strong" else self.fairness

    def fair_unit(self, step: Step, proc) -> tuple | None:
        """The fairness unit ``step`` run by process ``proc`` belongs to: ``(actor, proc,
        kind)``, or None when the step is not fair."""
        kind = self.step_fairness(step)
        return None if kind is None else (self.name, proc, kind)

    def local(self, name: str) -> Local | None:
        for l in self.locals:
            if l.name == name:
                return l
        return None


@dataclass(frozen=True, slots=True)
class Function:
    """A function (a PlusCal procedure): run by the process that calls it, step by step like
    the process's own steps. ``locals`` are its parameters (the first ``len(params)``) then its
    locals; ``init`` is the value each holds between calls (constant; a parameter's is its
    type's default, or ``DEFAULT_INIT`` when it has none), which a call sets again for locals;
    inside, they are ``LocalRef(<function name>, name, None)``. ``result`` None: no value;
    otherwise each process keeps the result of its last call in ``LocalRef(name, RESULT, proc)``
    (a PlusCal global indexed by process: it outlives the call) until its result step reads it.
    Falling off the end of the last step returns. Functions are not recursive."""

    name: str
    params: tuple[str, ...]
    locals: tuple[Local, ...]
    steps: tuple[Step, ...]
    result: Type | None = None
    anchor: str | None = None
    doc: str | None = None
    span: Span | None = _span()
    result_init: Expr | None = None  # the kept result between calls: the type's default or None

    proc_set = None  # scoped like a single actor: the running process is the caller's
    fairness = None

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def local(self, name: str) -> Local | None:
        return next((l for l in self.locals if l.name == name), None)

    @staticmethod
    def result_step(step: str, func: str) -> str:
        """The name of the caller's step that assigns the result of ``x = call func(..)``
        made in its step ``step``."""
        return f"{step}.{func}"


@dataclass(frozen=True, slots=True)
class Frame:
    """In a lowered model: local ``local`` of ``actor`` (a function's parameter, local or kept
    result, ``f.x`` or ``f()``) holds ``rest`` in every reachable state where the process is at
    none of ``live`` (the steps while the function runs, or its result steps). True by
    construction of the inlining: a call sets the parameters and locals, a return gives them
    back, a result step resets the kept result."""

    actor: str
    local: str
    live: tuple[str, ...]
    rest: Expr


@dataclass(frozen=True, slots=True)
class Module:
    """Code that can be unloaded. ``ops`` are its callbacks; calls to them check
    ``<name>_loaded`` and belong to the property named by ``guards``."""

    name: str
    ops: tuple[str, ...]
    guards: str = "NoUseAfterUnload"
    doc: str | None = None
    span: Span | None = _span()

    @property
    def loaded_var(self) -> str:
        return module_loaded_var(self.name)


@dataclass(frozen=True, slots=True)
class Invariant:
    name: str
    expr: Expr
    doc: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class LeadsTo:
    """``forall b1 in S1, ...: p ~> q`` (liveness, checked under the actors' fairness)."""

    name: str
    bound: tuple[tuple[str, Expr], ...]
    p: Expr
    q: Expr
    doc: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class AssertProperty:
    """A property made of ``Assert`` and ``Call`` checks in steps (collected, not written)."""

    name: str
    doc: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class AbstractAction:
    """An action of an abstract specification: for some values of ``params`` (each bound to
    an element of its domain), ``body`` runs atomically on the abstract state with the
    semantics of a step (``Await`` blocks, ``Either``/``With`` branch). No ``Goto``,
    ``Assert`` or ``Call``."""

    name: str
    params: tuple[tuple[str, Expr], ...]
    body: tuple[Stmt, ...]
    doc: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class AbstractSpec:
    """An abstract specification: state ``vars`` (``VarRef`` in ``actions`` names them, not
    the model's variables) with initial values, and named actions. Its behaviours are
    ``Init /\\ [][\\E params: action]_vars``. It may read the model's constants and atoms."""

    name: str
    vars: tuple[Var, ...]
    actions: tuple[AbstractAction, ...]
    doc: str | None = None
    span: Span | None = _span()

    def var(self, name: str) -> Var | None:
        return next((v for v in self.vars if v.name == name), None)


@dataclass(frozen=True, slots=True)
class Refinement:
    """The model implements ``abstract`` under ``mapping``: one expression over the model's
    state (variables, locals, ``at``) per abstract variable, in the abstract's order. Holds
    when every initial state maps to an abstract initial state and every step maps to an
    abstract action or leaves the mapped state unchanged (a stutter)."""

    name: str
    abstract: AbstractSpec
    mapping: tuple[tuple[str, Expr], ...]
    doc: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Inductive:
    """``expr`` (with ``TypeOK``) is an inductive invariant: it holds initially and every step
    from any type-correct state satisfying it leads to such a state. Checked within the model's
    bounds (its constants and types), not only over reachable states."""

    name: str
    expr: Expr
    doc: str | None = None
    span: Span | None = _span()


Property = Union[Invariant, LeadsTo, AssertProperty, Refinement, Inductive]

TYPE_OK = "TypeOK"  # the invariant the IR adds: every variable and local stays in its type
DEADLOCK = "Deadlock"  # the pseudo-property "no reachable state has no enabled step"


@dataclass(frozen=True, slots=True)
class Expectation:
    """``expect V holds all`` / ``expect V holds P, Q`` / ``expect V violates P``.
    ``properties`` empty with ``verdict == "holds"`` means all. ``note`` is the comment
    arguing why (kept for reports)."""

    verdict: str  # "holds" | "violates"
    properties: tuple[str, ...]
    note: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class DefOp:
    """A ``def`` as a TLA+ operator: ``body`` is resolved outside any actor with parameter
    ``i`` as ``BoundRef(placeholders[i])``; None when it cannot be resolved there (it reads
    ``self`` or a local of the running process, or another definition that does)."""

    name: str
    params: tuple[str, ...]
    placeholders: tuple[str, ...]
    body: Expr | None
    doc: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class DefUse:
    """One application of a ``def``: ``expr`` is the very object inlined in the model,
    ``args`` the resolved arguments. Only the emitter reads these (by object identity)."""

    name: str
    args: tuple[Expr, ...]
    expr: Expr


@dataclass(frozen=True, slots=True)
class Model:
    """One variant, fully resolved."""

    name: str  # the model name (``model movable ...``)
    title: str | None
    variant: str
    description: str | None
    source: str | None  # where the design comes from (thread, commit)
    base: str | None  # the variant it extends
    consts: tuple[Const, ...]
    vars: tuple[Var, ...]  # includes one ``<module>_loaded`` bool per module
    modules: tuple[Module, ...]
    actors: tuple[Actor, ...]
    properties: tuple[Property, ...]
    expectations: tuple[Expectation, ...] = ()
    allow_deadlock: bool = False
    functions: tuple[Function, ...] = ()
    span: Span | None = _span()
    defs: tuple[DefOp, ...] = field(default=(), compare=False, repr=False)
    def_uses: tuple[DefUse, ...] = field(default=(), compare=False, repr=False)
    # in a model whose functions were inlined (``lower.lower_functions``): where each copy of a
    # function's parameter, local or kept result may differ from its between-calls value
    frames: tuple["Frame", ...] = field(default=(), compare=False, repr=False)

    # lookups ------------------------------------------------------------------
    def const(self, name: str) -> Const | None:
        return next((c for c in self.consts if c.name == name), None)

    def var(self, name: str) -> Var | None:
        return next((v for v in self.vars if v.name == name), None)

    def actor(self, name: str) -> Actor | None:
        return next((a for a in self.actors if a.name == name), None)

    def function(self, name: str) -> Function | None:
        return next((f for f in self.functions if f.name == name), None)

    def get_property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def procs(self, actor: Actor) -> tuple[str, ...]:
        """The process ids of an actor, in declaration order."""
        if actor.proc_set is None:
            return (actor.name,)
        return self.const(actor.proc_set).atoms

    def fair_units(self) -> list[tuple[tuple, str]]:
        """Every fairness unit ``(actor, proc, kind)`` with its kind (``Actor.step_fairness``),
        in actor and process order."""
        out = []
        for a in self.actors:
            kinds = list(dict.fromkeys(k for s in a.steps if (k := a.step_fairness(s)) is not None))
            out += [((a.name, p, k), k) for p in self.procs(a) for k in kinds]
        return out

    def named_types(self) -> list[Type]:
        """The enum and struct types the state uses (declared names, not constant sets), in
        first-use order over variables and then actor locals, fields before their struct."""
        seen: dict[str, Type] = {}
        const_names = {c.name for c in self.consts}

        def walk(t: Type) -> None:
            if isinstance(t, AtomType):
                if t.name and t.name not in const_names and t.name not in seen:
                    seen[t.name] = t
            elif isinstance(t, RecordType):
                for f in t.fields:
                    walk(f.type)
                seen.setdefault(t.name, t)
            elif isinstance(t, FuncType):
                walk(t.domain)
                walk(t.range)
            elif isinstance(t, (SetType, ListType)):
                walk(t.elem)

        for v in self.vars:
            walk(v.type)
        for a in self.actors:
            for loc in a.locals:
                walk(loc.type)
        for f in self.functions:
            for loc in f.locals:
                walk(loc.type)
            if f.result is not None:
                walk(f.result)
        return list(seen.values())

    def property_kind(self, name: str) -> str:
        """The kind a check result gives property ``name``: ``invariant``, ``leadsto``,
        ``assert``, ``refinement``, ``inductive`` or ``deadlock``."""
        if name == DEADLOCK:
            return "deadlock"
        p = self.get_property(name)
        if isinstance(p, Invariant):
            return "invariant"
        if isinstance(p, LeadsTo):
            return "leadsto"
        if isinstance(p, (AssertProperty, type(None))):
            return "assert"
        return type(p).__name__.lower()

    @property
    def property_names(self) -> tuple[str, ...]:
        """Every property the checkers report on, ``Deadlock`` last unless allowed."""
        names = tuple(p.name for p in self.properties)
        return names if self.allow_deadlock else names + (DEADLOCK,)
