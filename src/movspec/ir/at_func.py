"""``actor[p] at f.s``: where a process is inside a function (used by ``resolve.Resolver._at``).

A function's steps run in the process that calls the function, so a property may ask whether
process ``p`` of ``actor`` is about to run step ``s`` of function ``f``: whichever step called
``f`` (directly or through other functions) and however deep the call. That is PlusCal's
``pc[p] = "f_s"``, the procedure's label, in the emitted module; in the lowered model the
builtin checker explores, it is the set of the inlined copies of ``f.s`` in the actor
(``lower.lower_functions``). An actor's own steps are unchanged: ``actor[p] at t`` is false
while the process runs a function that ``t`` called.
"""

from __future__ import annotations

from ..dsl import ast as A
from ..diagnostics import did_you_mean
from . import nodes as N


def called_functions(r, steps) -> set[str]:
    """The functions that the syntax-tree ``steps`` may run, directly or through others (a
    module's callback with code, ``func m.op``, included)."""
    seen: set[str] = set()
    todo = list(_calls(tuple(s.body for s in steps), r))
    while todo:
        n = todo.pop()
        if n in seen or n not in r.funcs:
            continue
        seen.add(n)
        todo += _calls(tuple(s.body for s in r.funcs[n].steps), r)
    return seen


def _calls(bodies, r) -> list[str]:
    """The functions the call statements of ``bodies`` run (``call f``, ``call m.op`` with code)."""
    return [st.func if isinstance(st, A.FCallS) else f"{st.module}.{st.op}" for st in _call_stmts(bodies, r)
            if isinstance(st, A.FCallS) or f"{st.module}.{st.op}" in r.funcs]


def _call_stmts(bodies, r) -> list:
    """The ``call`` statements (``A.FCallS``, ``A.CallS``) of the syntax-tree ``bodies``, in
    order, the macros they call expanded."""
    out: list = []
    for body in bodies:
        for st in body:
            if isinstance(st, (A.FCallS, A.CallS)):
                out.append(st)
            elif isinstance(st, A.MacroS) and st.name in r.macros:
                out += _call_stmts((r.macros[st.name].body,), r)
            for sub in (getattr(st, "then", None), getattr(st, "orelse", None), getattr(st, "body", None)):
                if sub:
                    out += _call_stmts((sub,), r)
            if isinstance(st, A.EitherS):
                out += _call_stmts(st.branches, r)
    return out


def function_step(r, actor, name: str, sp) -> tuple[str, str]:
    """``(function, step)`` for the ``f.s`` of ``actor at f.s``, or a located error."""
    fname, step = name.rsplit(".", 1)
    who = actor.decl.name
    f = r.funcs.get(fname)
    if f is None:
        r._fail(f"`{name}` names no step of a function: there is no function `{fname}`", sp,
                did_you_mean(fname, r.funcs) or "write `actor[id] at FUNCTION.STEP`, or name a step of "
                f"`{who}`", "unknown-step")
    step = r.env.func_step(fname, step)  # the old name of a step renamed by `replace f.s as t`
    names = [s.name for s in f.steps]
    if step not in names:
        r._fail(f"function `{fname}` has no step `{step}`", sp,
                did_you_mean(step, names) or f"steps of `{fname}`: {', '.join(names)}", "unknown-step")
    if fname not in called_functions(r, actor.steps):
        r._fail(f"actor `{who}` never runs function `{fname}`, so it is never at `{name}`", sp,
                f"name an actor that calls `{fname}`", "unknown-step")
    return fname, step


def result_step(r, actor, name: str, sp) -> str | None:
    """``actor at s.f`` naming the caller's own result step of ``x = call f(..)`` in its step
    ``s`` (the step that assigns the result, ``Function.result_step``): that step's name, or
    None when ``s`` is not a step of ``actor`` (then ``s.f`` names a function's step). A
    located error when step ``s`` makes no such call."""
    step, _, fname = name.rpartition(".")
    decl = next((x for x in actor.steps if x.name == step), None)
    if decl is None or step in r.funcs:
        return None
    targets = [c for c in _call_stmts((decl.body,), r)
               if isinstance(c, A.FCallS) and c.func == fname and c.target is not None]
    if not targets:
        r._fail(f"step `{step}` of `{actor.decl.name}` has no `x = call {fname}(..)`, so it has no result "
                f"step `{name}`", sp, f"`at {step}.{fname}` names the step that stores the result of "
                f"`x = call {fname}(..)` made in step `{step}`", "unknown-step")
    if len(targets) > 1:
        r._fail(f"step `{step}` has {len(targets)} `x = call {fname}(..)`, each with a result step of its own, "
                f"so `{name}` would name more than one", sp,
                f"make one call of `{fname}` with a result in step `{step}`", "unknown-step")
    return N.Function.result_step(step, fname)


def function_local(r, e: A.FieldE, sc) -> N.LocalRef | None:
    """``actor[p].f.x`` (a parameter or local of function ``f`` in process ``p``) or
    ``actor[p].f.result`` (the result ``f`` returned, not yet stored by the caller's result
    step): the process's own copy, a ``LocalRef`` of the function indexed by the process. None
    when ``e`` is not of that form (``f`` is a local of the actor, or names no function). Read
    in properties only: between calls a parameter holds its type's default and a local its
    initial value, as the kept result does."""
    inner = e.base
    if not isinstance(inner, A.FieldE):
        return None
    ap = r._actor_proc(inner.base, sc)
    if ap is None:
        return None
    a, proc, indexed = ap
    if any(l.name == inner.name for l in a.locals) or inner.name not in r.funcs:
        return None
    sp = e.span
    r._check_proc_form(a, indexed, inner.base.span)
    f = r.funcs[inner.name]
    who = a.decl.name
    if sc.actor is not None:
        r._fail(f"`{who}[..].{f.name}.{e.name}` in a step: a function's locals of a process are read by "
                "properties", sp, f"pass the value as an argument of `{f.name}`, or return it", "field")
    if f.name not in called_functions(r, a.steps):
        r._fail(f"actor `{who}` never runs function `{f.name}`, so it has no `{f.name}.{e.name}`", sp,
                f"name an actor that calls `{f.name}`", "field")
    names = [l.name for l in f.params + f.locals]
    if e.name in names:
        name = e.name
    elif e.name == "result" and f.result is not None:
        name = N.RESULT
    elif e.name == "result":
        r._fail(f"function `{f.name}` returns no value, so it has no `result`", sp,
                f"declare its result type: `func {f.name}(..) -> T`", "field")
    else:
        r._fail(f"function `{f.name}` has no parameter or local `{e.name}`", sp,
                did_you_mean(e.name, names + ["result"] * (f.result is not None)) or
                f"parameters and locals of `{f.name}`: {', '.join(names) or 'none'}", "undefined-name")
    r.used.add(f"{f.name}.{name}")
    if proc is None:
        proc = N.AtomLit(who, "enum", inner.base.span)
    return N.LocalRef(f.name, name, proc, sp, caller=who)
