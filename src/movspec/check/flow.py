"""Control flow between the steps of an actor: steps no path can reach.

A step is reached from the first step by falling off the end of the step before it (on some
path without a ``goto``) or by a ``goto`` naming it. A step reached by neither is dead code,
often the trace of a delta (``insert after`` a step that always jumps away). This is a
static over-approximation: a reachable step here may still never run (an ``await`` that never
holds); the checkers' step coverage says that.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, warning
from ..ir import nodes as N


def can_fall_through(body: tuple) -> bool:
    """Can running ``body`` reach its end without a ``goto``?"""
    for s in body:
        if isinstance(s, (N.Goto, N.Return)):
            return False
        if isinstance(s, N.If):
            if not (can_fall_through(s.then) or can_fall_through(s.orelse)):
                return False
        elif isinstance(s, N.Either):
            if not any(can_fall_through(b) for b in s.branches):
                return False
        elif isinstance(s, N.With):
            if not can_fall_through(s.body):
                return False
    return True


def goto_targets(body: tuple) -> set[str]:
    out: set[str] = set()
    stack = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, N.Goto):
            out.add(s.target)
        elif isinstance(s, N.If):
            stack += list(s.then) + list(s.orelse)
        elif isinstance(s, N.Either):
            for b in s.branches:
                stack += list(b)
        elif isinstance(s, N.With):
            stack += list(s.body)
    return out


def check_flow(model: N.Model) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for a in model.actors + model.functions:
        if not a.steps:
            continue
        index = {s.name: i for i, s in enumerate(a.steps)}
        seen = {0}
        todo = [0]
        while todo:
            i = todo.pop()
            step = a.steps[i]
            nxt = set()
            if i + 1 < len(a.steps) and can_fall_through(step.body):
                nxt.add(i + 1)
            nxt |= {index[t] for t in goto_targets(step.body) if t in index}
            for j in nxt - seen:
                seen.add(j)
                todo.append(j)
        for i, s in enumerate(a.steps):
            if i not in seen:
                prev = a.steps[i - 1].name
                out.append(warning(f"step `{a.name}.{s.name}` is never reached", s.span,
                                   f"step `{prev}` before it always ends with a `goto` and no reachable step "
                                   f"jumps to `{s.name}`; add a `goto {s.name}` or remove the step", "unreachable"))
    return out


def check_assert_before_await(model: N.Model) -> list[Diagnostic]:
    """An ``assert`` that a path of its step runs before an ``await``: the checkers (TLC as
    PlusCal translates it, and the builtin checker with it) evaluate the assertion whenever
    the step is tried, so it fails even in a state where the ``await`` keeps the step from
    running: a violation reported for a step that never runs there."""
    out: list[Diagnostic] = []
    warned: set[int] = set()

    def walk(body: tuple, pending: list, where: str) -> list | None:
        """The assertions a path through ``body`` has run when it reaches its end (None: no
        path does, every one ends in a ``goto`` or ``return``)."""
        pending = list(pending)
        for s in body:
            if isinstance(s, (N.Goto, N.Return)):
                return None
            if isinstance(s, N.Assert):
                pending.append(s)
            elif isinstance(s, N.Await):
                for a in pending:
                    if id(a) not in warned:
                        warned.add(id(a))
                        out.append(warning(
                            f"`assert` before an `await` in step `{where}`: it is checked whenever the step "
                            f"is tried, also where the `await` blocks it", a.span,
                            "move the `assert` after the `await` (or into the next step), or make its "
                            "condition hold wherever the step is tried", "assert-before-await"))
            elif isinstance(s, (N.If, N.Either, N.With)):
                branches = ((s.then, s.orelse) if isinstance(s, N.If) else s.branches if isinstance(s, N.Either)
                            else (s.body,))
                ends = [walk(b, pending, where) for b in branches]
                if all(e is None for e in ends):
                    return None
                merged = list(pending)
                for e in ends:
                    merged += [x for x in e or () if x not in merged]
                pending = merged
        return pending

    for a in model.actors + model.functions:
        for s in a.steps:
            walk(s.body, [], f"{a.name}.{s.name}")
    return out
