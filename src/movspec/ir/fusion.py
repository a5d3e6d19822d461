"""Result steps fused into the return (``fuse_calls``): ``x = call f(..)`` made by an actor
stores ``x`` in the step that returns from ``f`` when nothing can tell the difference.

Without fusion the caller takes one more step of its own after the return, the result step
``s.f`` that assigns ``x`` (PlusCal's return label of the call). That step is a state of its
own, in which ``f`` has returned and ``x`` is not yet assigned: it costs states on every call,
and kernel code has no such point (``ok = isolate_movable_page(page)`` stores on return). So
the call is fused, the return assigning ``x`` as it restores ``f``'s frame, unless

* something reads that intermediate state: a property, a ``def``, or a step names ``at s.f``
  or reads ``actor[p].f.result`` (the result of ``f`` is then kept at every result step of
  ``f``: no call of ``f`` is fused);
* the return could not tell this call from another one: step ``s`` makes more than one call of
  ``f``, or ``s`` is the actor's last step (its return label would be ``Done``, shared by
  every actor's last step);
* the target is not a local of the calling actor (a global variable could also be assigned by
  the step of ``f`` that returns, an element of a local would need its own update).

Calls made from a function's steps keep their result step. Both checkers read ``fused``: the
builtin checker's lowering (``lower.lower_functions``) assigns the target in the copies of
``f`` returning to the step after ``s``, the emitted procedure assigns it when that step's
label is on top of the process's stack. So both explore the same states, with or without it.
"""

from __future__ import annotations

from dataclasses import replace

from . import nodes as N
from .walk import walk


def _read_results(model: N.Model) -> tuple[set[str], set[tuple[str, str]]]:
    """The functions whose kept result something reads, and the ``(actor, result step)``
    that something names with ``at``."""
    funcs: set[str] = set()
    named: set[tuple[str, str]] = set()
    # TypeOK bounds the kept result in every process, whatever reads it: not a reader
    props = tuple(p for p in model.properties if p.name != N.TYPE_OK)
    roots = (props, model.defs, tuple(a.steps for a in model.actors),
             tuple(f.steps for f in model.functions))
    for x in walk(roots):
        if isinstance(x, N.LocalRef) and x.name == N.RESULT:
            funcs.add(x.actor)
        elif isinstance(x, N.At):
            named.update((x.actor, s) for s in x.steps)
    return funcs, named


def fuse_calls(model: N.Model) -> N.Model:
    """``model`` with ``fused`` set on every ``x = call f(..)`` that can store on return."""
    if not model.functions:
        return model
    read, named = _read_results(model)

    def fusible(a: N.Actor, i: int, c: N.CallFunc, calls: list[N.CallFunc]) -> bool:
        t = c.target
        return (t is not None and c.func not in read
                and (a.name, N.Function.result_step(a.steps[i].name, c.func)) not in named
                and sum(1 for d in calls if d.func == c.func) == 1
                and i + 1 < len(a.steps)
                and isinstance(t, N.LocalRef) and t.actor == a.name
                and (t.proc is None or isinstance(t.proc, N.SelfRef)))

    actors = []
    for a in model.actors:
        steps = []
        for i, s in enumerate(a.steps):
            calls = [x for x in walk(s.body) if isinstance(x, N.CallFunc)]
            marked = {id(c) for c in calls if fusible(a, i, c, calls)}
            if marked:
                s = replace(s, body=_mark(s.body, marked))
            steps.append(s)
        actors.append(replace(a, steps=tuple(steps)))
    return replace(model, actors=tuple(actors))


def _mark(stmts, marked: set[int]):
    out = []
    for st in stmts:
        if isinstance(st, N.CallFunc) and id(st) in marked:
            st = replace(st, fused=True)
        elif isinstance(st, N.If):
            st = replace(st, then=_mark(st.then, marked), orelse=_mark(st.orelse, marked))
        elif isinstance(st, N.Either):
            st = replace(st, branches=tuple(_mark(b, marked) for b in st.branches))
        elif isinstance(st, N.With):
            st = replace(st, body=_mark(st.body, marked))
        out.append(st)
    return tuple(out)
