"""Functions of one variant resolved (``resolve_functions``): parameters and locals, steps in a
scope of their own (a module's callback, ``func m.op``, checks in each step that ``m`` is
loaded), the call graph checked for recursion, and the ``TypeOK`` parts for their
parameters and locals (``type_ok_parts``), in every process that may call them."""

from __future__ import annotations

from dataclasses import replace

from ..dsl import ast as A
from . import nodes as N
from .scope import Scope, Unresolved
from .variants import ActorEnv, Diags, Env
from .walk import walk


def resolve_functions(r, env: Env, diags: Diags) -> list[N.Function]:
    """The IR of every ``func`` of ``env``, resolved by ``r`` (a ``resolve.Resolver``)."""
    out = []
    for fd in env.of("func").values():
        fenv = ActorEnv(fd, list(fd.params) + list(fd.locals), list(fd.steps), {}, is_func=True,
                        renamed=dict(env.func_renamed.get(fd.name, {})))  # `replace f.s as t`
        sc = Scope(actor=fenv)
        locals_: list[N.Local] = []
        params = {id(p) for p in fd.params}
        for l in diags.distinct(fenv.locals, f"function `{fd.name}`", "parameters or locals"):
            what = "parameter" if id(l) in params else "local"
            for kind, names in (("variable", r.vars), ("constant", r.consts), ("atom", r.atoms)):
                if l.name in names:
                    diags.err(f"{what} `{l.name}` of function `{fd.name}` has the name of a {kind}",
                              l.name_span, f"rename the {what}", "shadow")
            t = r.type(l.type)
            if what == "parameter":
                # between calls a parameter holds its type's default (PlusCal: `procedure f(p = d)`),
                # or PlusCal's defaultInitValue for atoms, which have none
                d = r.type_default(t)
                if d is None and not isinstance(t, N.AtomType):
                    diags.err(f"parameter `{l.name}` of function `{fd.name}` has a type without a default "
                              f"value (`{t}`)", l.span, "use a type with a default, or pass the value in a "
                              "variable", "no-default")
                locals_.append(N.Local(l.name, t, d, l.span))
                continue
            if l.init is not None:
                init = r.expr(l.init, Scope())  # no actor: a function's local starts at a constant
            else:
                init = r.type_default(t)
            if init is not None and any(isinstance(x, (N.VarRef, N.LocalRef, N.At)) for x in walk(init)):
                diags.err(f"local `{l.name}` of function `{fd.name}` starts at a value that reads the state",
                          l.init.span if l.init is not None else l.span,
                          "a function's locals start at a constant; assign the value in its first step",
                          "function-local")
            locals_.append(N.Local(l.name, t, init, l.span))
        if not fd.steps:
            diags.err(f"function `{fd.name}` has no steps", fd.name_span, "add at least one `step`",
                      "empty-function")
        module = _module_of(r, fd, diags)
        names = [s.name for s in fd.steps]
        origin = env.func_origin.get(fd.name, {})
        steps = []
        for s in diags.distinct(fd.steps, f"function `{fd.name}`", "steps"):
            body, stores, extra = r.resolve_step(s, sc, names)
            if module is not None:  # each step of a callback runs the module's code
                check = (r._loaded_check(module, fd.name.split(".", 1)[1], (), s.span),)
                body = check + body
                stores = [N.Step(t.name, check + t.body, t.anchor, t.doc, None, t.span) for t in stores]
            steps.append(N.Step(s.name, body, s.anchor, s.doc, origin.get(s.name), s.span, s.fairness))
            steps += [replace(t, fairness=s.fairness) for t in stores]  # a generated step is its step's
            locals_ += extra
        result = None
        if fd.result is not None:
            try:
                result = r.type(fd.result)
            except Unresolved:
                result = None
        out.append(N.Function(fd.name, tuple(p.name for p in fd.params), tuple(locals_), tuple(steps),
                              result, fd.anchor, fd.doc, fd.span,
                              None if result is None else r.type_default(result)))
    return out


def _module_of(r, fd: A.FuncD, diags: Diags):
    """The module whose callback ``fd`` is (``func m.op``), or None."""
    if "." not in fd.name:
        return None
    mod, op = fd.name.split(".", 1)
    m = r.modules.get(mod)
    if m is None:
        diags.err(f"function `{fd.name}`: unknown module `{mod}`", fd.name_span,
                  "a callback's code is `func MODULE.OP(...)` for a declared module", "undefined-name")
        return None
    if op not in m.ops:
        diags.err(f"module `{mod}` has no op `{op}`", fd.name_span,
                  f"add it: `ops {', '.join(m.ops + (op,))}`", "undefined-name")
        return None
    return m


def result_local(f: N.Function) -> N.Local:
    """Where a process keeps the result of its last call of ``f`` until its result step reads
    it: one per process, like a local (``N.RESULT``), starting at the type's default."""
    return N.Local(N.RESULT, f.result, f.result_init, f.span)


def calls_in(steps) -> list[N.CallFunc]:
    return [x for s in steps for x in walk(s.body) if isinstance(x, N.CallFunc)]


def check_recursion(functions: list[N.Function], diags: Diags) -> bool:
    """Report each call that closes a cycle of the call graph; True when there is none."""
    by_name = {f.name: f for f in functions}
    state: dict[str, int] = {}  # 1: on the path, 2: finished
    ok = True

    def visit(f: N.Function, path: list[str]) -> None:
        nonlocal ok
        state[f.name] = 1
        for c in calls_in(f.steps):
            g = by_name.get(c.func)
            if g is None:
                continue
            if state.get(g.name) == 1:
                chain = " -> ".join(path[path.index(g.name):] + [g.name])
                diags.err(f"function `{g.name}` calls itself ({chain})", c.span,
                          "functions are not recursive: write the repetition as a loop of steps with `goto`",
                          "recursion")
                ok = False
            elif g.name not in state:
                visit(g, path + [g.name])
        state[f.name] = 2

    for f in functions:
        if f.name not in state:
            visit(f, [f.name])
    return ok


def callers(functions: tuple[N.Function, ...], actors) -> dict[str, list[N.Actor]]:
    """For each function, the actors whose processes may run it (directly or through other
    functions), in declaration order."""
    by_name = {f.name: f for f in functions}
    out: dict[str, list[N.Actor]] = {f.name: [] for f in functions}
    if not functions:
        return out
    for a in actors:
        seen: set[str] = set()
        todo = [c.func for c in calls_in(a.steps)]
        while todo:
            n = todo.pop()
            if n in seen or n not in by_name:
                continue
            seen.add(n)
            todo += [c.func for c in calls_in(by_name[n].steps)]
        for f in functions:
            if f.name in seen:
                out[f.name].append(a)
    return out


def type_ok_parts(r, functions: tuple[N.Function, ...], actors, local_ok) -> list[N.Expr]:
    """``TypeOK`` for the parameters, locals and result of each function, in every process that
    may call it (between calls a parameter holds ``DEFAULT_INIT``, which ``local_ok`` admits)."""
    parts: list[N.Expr] = []
    who = callers(functions, actors)
    for f in functions:
        kept = list(f.locals)
        if f.result is not None:
            kept.append(result_local(f))
        for a in who[f.name]:
            for l in kept:
                if a.proc_set is None:
                    parts.append(local_ok(N.LocalRef(f.name, l.name, N.AtomLit(a.name, "enum")), l))
                else:
                    var = r.fresh("pid")
                    ref = N.LocalRef(f.name, l.name, N.BoundRef(var))
                    parts.append(N.Quant("forall", var, N.ConstRef(a.proc_set), local_ok(ref, l)))
    return parts
