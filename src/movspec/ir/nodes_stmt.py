"""The IR's statements (re-exported by ``nodes``, whose docstring gives their semantics): what
a step's body is made of, and the helpers that name the state an assignment writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..span import Span
from .nodes_expr import Expr, Field, Index, LocalRef, VarRef


def _span():
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Assign:
    """``target op value`` with ``op`` in ``=``, ``+=``, ``-=``. ``target`` is a ``VarRef`` or
    ``LocalRef`` (with ``proc=None``) wrapped in any number of ``Field``/``Index``."""

    target: Expr
    op: str
    value: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class If:
    cond: Expr
    then: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...] = ()
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Await:
    cond: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Either:
    branches: tuple[tuple["Stmt", ...], ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class With:
    """Nondeterministic choice: run ``body`` with ``var`` bound to some element of
    ``domain``; blocks when ``domain`` is empty."""

    var: str
    domain: Expr
    body: tuple["Stmt", ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Goto:
    """Jump to step ``target`` of the same actor, or ``"Done"``. Always last on its path."""

    target: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Assert:
    """A check inside a step. Failing it violates property ``prop`` with ``message``."""

    cond: Expr
    message: str
    prop: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Call:
    """A call into code owned by ``module``: behaves as ``Assert(VarRef(<module>_loaded))``
    with a use-after-unload message, belonging to property ``prop``. The arguments carry no
    semantics beyond being evaluated for the trace."""

    module: str
    op: str
    args: tuple[Expr, ...]
    prop: str
    span: Span | None = _span()

    @property
    def loaded_var(self) -> str:
        return module_loaded_var(self.module)

    @property
    def message(self) -> str:
        return f"use-after-unload: {self.module}.{self.op} called while module {self.module} is unloaded"


@dataclass(frozen=True, slots=True)
class CallFunc:
    """``call func(args)``: ends the step; the process runs the function's steps, and when it
    returns continues after this step (PlusCal's ``call``, with the return address on the
    process's stack). With ``target`` (``x = call f(a)``) the process first runs one more
    step of its own, ``Function.result_step(step)``, that assigns the result to ``target``;
    ``fused`` (set by ``fusion.fuse_calls``): the return itself assigns ``target``, and there
    is no result step."""

    func: str
    args: tuple[Expr, ...]
    target: Expr | None = None
    span: Span | None = _span()
    fused: bool = False


@dataclass(frozen=True, slots=True)
class Return:
    """Ends the function's call (PlusCal's ``return``): the result, if any, is stored for a
    caller that reads it (``x = call f()``; after ``call f()`` it stays at its between-calls
    value); the function's parameters and locals get back the values they have between calls."""

    value: Expr | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Skip:
    span: Span | None = _span()


Stmt = Union[Assign, If, Await, Either, With, Goto, Assert, Call, CallFunc, Return, Skip]


def state_root(target: Expr) -> str | None:
    """The state variable an assignment target or path belongs to, as a state key: the
    variable's name, or ``"<actor>.<local>"`` (``page`` for ``page[p].ref``); None for
    anything else."""
    while isinstance(target, (Field, Index)):
        target = target.base
    if isinstance(target, VarRef):
        return target.name
    if isinstance(target, LocalRef):
        return f"{target.actor}.{target.name}"
    return None


def module_loaded_var(module: str) -> str:
    """The name of the boolean state variable that says whether ``module`` is loaded."""
    return f"{module}_loaded"
