"""The label rules (docs/language.md): each step must be exactly one PlusCal label.

* ``goto``, ``call`` and ``return`` are the last statement of their block: nothing after
  them on their path would run;
* in a function, a step that returns (explicitly, or by falling off the last step) does not
  assign the function's parameters or locals (PlusCal's ``return`` restores them), its last
  step does not end in a call, and a function with a result returns one on every path;
* on any path through a step a variable is assigned at most once, except that consecutive
  assignments to parts of one variable (``a[1] = x`` then ``a[2] = y``) may follow each other
  when the later ones do not read that variable: they become one PlusCal multiple assignment.

Paths are followed through ``if``/``either``/``any`` (statement-level set of assigned
variables per path, so a step with many branches stays cheap: only distinct sets are kept).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, error
from ..ir import nodes as N

_MAX_STATES = 256
_HINT_TWICE = ("a step is one atomic PlusCal label: assign each variable once per path (parts of one "
               "variable may be assigned in consecutive statements that do not read it), or split the step")




def reads(e, root: str) -> bool:
    """Does expression ``e`` read variable ``root``?"""
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, N.VarRef) and x.name == root:
            return True
        if isinstance(x, N.LocalRef) and f"{x.actor}.{x.name}" == root and x.proc is None:
            return True
        if isinstance(x, tuple):
            stack.extend(x)
            continue
        if hasattr(x, "__dataclass_fields__"):
            for f in x.__dataclass_fields__:
                if f in ("span", "type"):
                    continue
                v = getattr(x, f)
                if isinstance(v, (tuple,)) or hasattr(v, "__dataclass_fields__"):
                    stack.append(v)
    return False


def _target_reads(t: N.Expr, root: str) -> bool:
    e = t
    while isinstance(e, (N.Field, N.Index)):
        if isinstance(e, N.Index) and reads(e.index, root):
            return True
        e = e.base
    return False


def _name(root: str) -> str:
    return root.split(".", 1)[1] if "." in root else root


class _LabelChecker:
    def __init__(self, actor: N.Actor | N.Function, step: N.Step, loaded: dict[str, str]):
        self.loaded = loaded
        self.actor = actor
        self.step = step
        self.out: list[Diagnostic] = []
        self.reported: set = set()
        self.func = actor if isinstance(actor, N.Function) else None
        self.last_of_function = self.func is not None and step is actor.steps[-1]

    def returning(self, s, states: set[frozenset]) -> None:
        """PlusCal's ``return`` puts the function's parameters and locals back (its frame), so
        a step that returns cannot also assign them; a call in the last step would be a tail
        call, which PlusCal translates differently."""
        f = self.func
        if isinstance(s, N.CallFunc):
            self.err(f"function `{f.name}` ends with a call in its last step `{self.step.name}`", s.span,
                     "a call ends the step and the function needs a step to return to: add a step after "
                     "it, e.g. `step out { return }`", "label")
            return
        own = {f"{f.name}.{l.name}" for l in f.locals}
        for st in states:
            for root, where in sorted(st):
                if root in own:
                    self.err(f"step `{f.name}.{self.step.name}` assigns `{_name(root)}` and returns", s.span,
                             f"`{_name(root)}` is assigned at {where}; a return gives the function's "
                             "parameters and locals back their values between calls (as PlusCal does): "
                             "return the value, assign a variable, or return in the next step", "label")
                    return

    def err(self, msg, span, hint, code):
        key = (msg, span)
        if key not in self.reported:
            self.reported.add(key)
            self.out.append(error(msg, span, hint, code))

    def walk(self, body: tuple, states: set[frozenset]) -> set[frozenset]:
        """Follow every path through ``body``; returns the states of paths that fall off its end.
        A state is a frozenset of (variable, where first assigned)."""
        for i, s in enumerate(body):
            if not states:
                return states
            if len(states) > _MAX_STATES:
                # nothing is ever un-assigned, so "assigned on some path reaching here" (the
                # union) finds exactly the same violations; only the "first assigned at" hint
                # may name another path's assignment
                merged: dict[str, str] = {}
                for st in states:
                    for r, w in st:
                        merged.setdefault(r, w)
                states = {frozenset(merged.items())}
            prev = body[i - 1] if i > 0 else None
            if isinstance(s, (N.Goto, N.CallFunc, N.Return)):
                word = {N.Goto: "goto", N.CallFunc: "call", N.Return: "return"}[type(s)]
                if i != len(body) - 1:
                    nxt = body[i + 1]
                    self.err(f"statement after `{word}` in step `{self.step.name}` is never run", nxt.span,
                             f"`{word}` ends the step: make it the last statement of its block"
                             + ("; the process goes on with the next step when the function returns"
                                if word == "call" else ""), "label")
                if isinstance(s, N.Return) or isinstance(s, N.CallFunc) and self.last_of_function:
                    self.returning(s, states)
                return set()
            if isinstance(s, N.Assign):
                root = N.state_root(s.target)
                if root is None:
                    continue
                continuing = (isinstance(prev, N.Assign) and N.state_root(prev.target) == root
                              and isinstance(s.target, (N.Field, N.Index))
                              and isinstance(prev.target, (N.Field, N.Index))
                              and s.op == "=" and not reads(s.value, root)
                              and not _target_reads(s.target, root))
                new_states = set()
                for st in states:
                    first = next((w for r, w in st if r == root), None)
                    if first is not None and not continuing:
                        hint = _HINT_TWICE
                        if first != str(s.span):
                            hint = f"first assigned at {first}; " + _HINT_TWICE
                        why = ""
                        if isinstance(prev, N.Assign) and N.state_root(prev.target) == root:
                            if s.op != "=" or reads(s.value, root) or _target_reads(s.target, root):
                                why = " (the later assignment reads it, so they cannot be merged)"
                        shown = f"{self.loaded[root]}.loaded" if root in self.loaded else _name(root)
                        self.err(f"`{shown}` is assigned twice in step `{self.step.name}`{why}", s.span,
                                 hint, "label")
                        new_states.add(st)
                    elif first is None:
                        new_states.add(st | {(root, str(s.span))})
                    else:
                        new_states.add(st)
                states = new_states
                continue
            if isinstance(s, N.If):
                states = self.walk(s.then, states) | self.walk(s.orelse, states)
            elif isinstance(s, N.Either):
                acc: set[frozenset] = set()
                for b in s.branches:
                    acc |= self.walk(b, states)
                states = acc
            elif isinstance(s, N.With):
                states = self.walk(s.body, states)
        return states


def check_labels(model: N.Model) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for a in model.actors + model.functions:
        for s in a.steps:
            c = _LabelChecker(a, s, {m.loaded_var: m.name for m in model.modules})
            ends = c.walk(s.body, {frozenset()})
            if ends and c.last_of_function:
                if c.func.result is not None:
                    c.err(f"function `{a.name}` can reach the end of its last step `{s.name}` without "
                          "returning a value", s.span, "end every path of the last step with `return EXPR` "
                          "(or a `goto`)", "return")
                else:
                    c.returning(N.Return(None, s.span), ends)
            out.extend(c.out)
    return out
