"""What resolving one variant's expressions and statements carries along: the scope of bound
names (``Scope``), labels of the steps being resolved, and the placeholders that stand for
an unresolvable piece so that one mistake does not hide the next."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from ..dsl import ast as A
from ..span import Span
from . import nodes as N
from .variants import ActorEnv


class Unresolved(Exception):
    """Raised inside expression resolution after the error has been reported."""


@dataclass
class Scope:
    """What a name can mean at one point of a step or property."""

    actor: ActorEnv | None = None  # inside a step (or local init) of this actor
    names: dict[str, object] = field(default_factory=dict)  # params and bound vars -> N.Expr | Label
    labels: dict[str, "Label"] = field(default_factory=dict)
    in_leadsto: bool = False
    bound: frozenset = frozenset()  # IR names of every bound variable around, callers' included

    def bind(self, **kw) -> "Scope":
        s = Scope(self.actor, dict(self.names), dict(self.labels), self.in_leadsto, self.bound)
        s.names.update(kw)
        s.bound = s.bound | {v.name for v in kw.values() if isinstance(v, N.BoundRef)}
        return s


@dataclass
class Label:
    """A macro argument: a step name for `goto` and/or an expression (resolved lazily)."""

    ast: A.Expr
    resolve: Callable[[], N.Expr]


def placeholder(span: Span | None) -> N.Expr:
    """Stands for an expression that could not be resolved (already reported): of no type,
    so the checks that follow add no noise about it."""
    return N.AtomLit("<unresolved>", "default", span)


def lazy(f: Callable[[], N.Expr]) -> Callable[[], N.Expr]:
    cache: list[N.Expr] = []

    def get() -> N.Expr:
        if not cache:
            try:
                cache.append(f())
            except Unresolved:
                cache.append(placeholder(None))
                raise
        return cache[0]
    return get


def respan(e: N.Expr, sp: Span | None) -> N.Expr:
    return replace(e, span=sp) if sp is not None else e


def has_default(t: N.Type) -> bool:
    if isinstance(t, N.AtomType):
        return False
    if isinstance(t, N.FuncType):
        return has_default(t.range)
    return True
