"""Functions inlined into the actors that call them (``lower_functions``): the model the
builtin checker explores, with the same states as the PlusCal translation of its procedures.

PlusCal keeps, per process, a stack of frames (callee, return label, the callee's saved
parameters and locals) and one copy of each procedure's parameters and locals. Functions are
not recursive, so a frame's saved values are always the between-calls values, and the stack
is determined by the chain of call sites the process is in. The lowered model encodes the same
information without a stack:

* each function gets one copy of its steps per step it returns to (``f.s``, made unique
  within the actor with ``#k``), so the step a process is at names both where it is and
  where it returns: exactly what the translation's ``pc`` and stack of return labels hold;
* a parameter or local ``l`` of ``f`` is the local ``f.l`` of every actor that may call ``f``,
  the kept result is the local ``f()`` (``nodes.RESULT``);
* each copy of a function's step keeps that step's fairness mark; a result step has the mark
  of the calling step (``nodes.Step``);
* a call assigns the arguments to the parameters and the locals their initial values, then
  jumps to the copy's first step; ``return`` (or falling off the last step) stores the result
  (only in a copy returning to a result step: after ``call f()`` the kept result stays at its
  between-calls value, so no state remembers an ignored result), puts every parameter and local back to its between-calls value (PlusCal restores them from
  the frame) and jumps to the return step: the step after the calling one, or the result step
  ``<step>.<f>`` of ``x = call f(..)`` that assigns ``x`` and resets the kept result. A fused
  call (``fusion.fuse_calls``) has no result step: its copies of ``f`` assign ``x`` at the
  return, before the frame is restored, and return to the step after the calling one.

So distinct-state counts, depths and verdicts agree with TLC on the emitted procedures.
"""

from __future__ import annotations

from dataclasses import fields, replace

from . import nodes as N
from .functions import result_local
from .walk import _is_node


def transform(node, fn):
    """``node`` rebuilt bottom-up, each node passed through ``fn`` after its children."""
    if isinstance(node, tuple):
        new = tuple(transform(x, fn) for x in node)
        return new if any(a is not b for a, b in zip(new, node)) else node
    if not _is_node(node):
        return node
    kw = {}
    for f in fields(node):
        if f.name == "span":
            continue
        old = getattr(node, f.name)
        new = transform(old, fn)
        if new is not old:
            kw[f.name] = new
    return fn(replace(node, **kw) if kw else node)


def local_name(func: str, name: str) -> str:
    """The name of function ``func``'s parameter, local or kept result in a lowered actor."""
    return f"{func}{name}" if name == N.RESULT else f"{func}.{name}"


def rest_value(l: N.Local) -> N.Expr:
    """The value a function's parameter, local or kept result holds between calls."""
    return N.AtomLit(N.DEFAULT_INIT, "default") if l.init is None else l.init


def always_jumps(stmts) -> bool:
    """True when every path through ``stmts`` ends in a ``goto``, a ``call`` or a ``return``."""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (N.Goto, N.Return, N.CallFunc)):
        return True
    if isinstance(last, N.If):
        return always_jumps(last.then) and always_jumps(last.orelse)
    if isinstance(last, N.Either):
        return all(always_jumps(b) for b in last.branches)
    if isinstance(last, N.With):
        return always_jumps(last.body)
    return False


class _ActorLowering:
    def __init__(self, model: N.Model, funcs: dict[str, N.Function], actor: N.Actor):
        self.model = model
        self.funcs = funcs
        self.actor = actor
        self.names = {s.name for s in actor.steps}
        self.extra: list[N.Step] = []
        self.copies: dict[tuple, str] = {}  # (function, return step) -> its copy's first step
        self.result_steps: dict[tuple, str] = {}  # (calling step, function, target) -> result step
        self.used_funcs: list[str] = []
        self.fair: str | None = None  # the fairness mark of the step being lowered
        self.active: dict[str, frozenset] = {}  # step -> the functions running there (nested calls)
        self.result_of: dict[str, str] = {}  # result step -> the function whose result it stores

    def fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.names:
            k += 1
            name = f"{base}#{k}"
        self.names.add(name)
        return name

    def ref(self, func: str, name: str) -> N.LocalRef:
        if func not in self.used_funcs:
            self.used_funcs.append(func)
        return N.LocalRef(self.actor.name, local_name(func, name), None)

    def rename(self, e, owner: str | None):
        """Expressions of ``owner``'s code (None: the actor's) in the lowered actor."""
        if owner is None:
            return e

        def fn(x):
            if isinstance(x, N.LocalRef) and x.actor == owner and x.proc is None:
                return replace(self.ref(owner, x.name), span=x.span)
            return x
        return transform(e, fn)

    # -------------------------------------------------------------------- statements
    def body(self, stmts, owner: str | None, step: str, after: str, gotos: dict[str, str] | None,
             ret) -> tuple:
        """Statements of a step of ``owner`` (None: the actor) lowered; ``after`` is where a
        call made here returns, ``gotos`` maps ``owner``'s step names to their copies, ``ret``
        makes the statements of a ``return`` (None outside a function)."""
        out: list[N.Stmt] = []
        for s in stmts:
            if isinstance(s, N.CallFunc):
                out += self.call(s, owner, step, after)
            elif isinstance(s, N.Return):
                out += ret(s)
            elif isinstance(s, N.Goto):
                out.append(N.Goto(gotos[s.target] if gotos is not None else s.target, s.span))
            elif isinstance(s, N.If):
                out.append(N.If(self.rename(s.cond, owner),
                                self.body(s.then, owner, step, after, gotos, ret),
                                self.body(s.orelse, owner, step, after, gotos, ret), s.span))
            elif isinstance(s, N.Either):
                out.append(N.Either(tuple(self.body(b, owner, step, after, gotos, ret) for b in s.branches),
                                    s.span))
            elif isinstance(s, N.With):
                out.append(N.With(s.var, self.rename(s.domain, owner),
                                  self.body(s.body, owner, step, after, gotos, ret), s.span))
            else:
                out.append(self.rename(s, owner))
        return tuple(out)

    def call(self, s: N.CallFunc, owner: str | None, step: str, after: str) -> list[N.Stmt]:
        f = self.funcs[s.func]
        back = after
        store = self.rename(s.target, owner) if s.fused else None
        if s.target is not None and not s.fused:
            # one result step per calling step, function and target, as the emitter makes
            key = (step, f.name, s.target)
            back = self.result_steps.get(key)
            if back is None:
                res = self.ref(f.name, N.RESULT)
                back = self.result_steps[key] = self.fresh(N.Function.result_step(step, f.name))
                self.active[back] = self.active.get(step, frozenset())
                self.result_of[back] = f.name
                self.extra.append(N.Step(back, (
                    N.Assign(self.rename(s.target, owner), "=", res, s.span),
                    N.Assign(res, "=", rest_value(result_local(f)), s.span),
                    N.Goto(after, s.span)), origin=None, span=s.span, fairness=self.fair))
        # one copy per function and return step: PlusCal's frames hold no more than that
        first = self.copies.get((f.name, back, store))
        if first is None:
            first = self.inline(f, back, keep=s.target is not None and not s.fused, store=store)
        out: list[N.Stmt] = []
        for name, arg in zip(f.params, s.args):
            out.append(N.Assign(self.ref(f.name, name), "=", self.rename(arg, owner), s.span))
        for l in f.locals[len(f.params):]:
            out.append(N.Assign(self.ref(f.name, l.name), "=", l.init, s.span))
        out.append(N.Goto(first, s.span))
        return out

    def inline(self, f: N.Function, back: str, keep: bool, store: N.Expr | None = None) -> str:
        """Copies of ``f``'s steps returning to ``back``; the name of the first. ``keep``: the
        return stores the result (``back`` is a result step); a caller that ignores the
        result finds it at its between-calls value, as if it had never been stored.
        ``store``: the return assigns the result to the caller's local (a fused call)."""
        copies = {s.name: self.fresh(f"{f.name}.{s.name}") for s in f.steps}
        self.copies[(f.name, back, store)] = copies[f.steps[0].name]
        running = self.active.get(back, frozenset()) | {f.name}  # back: the caller's step, still running
        self.active.update((c, running) for c in copies.values())

        def ret(r: N.Return | None, span=None) -> list[N.Stmt]:
            out: list[N.Stmt] = []
            if keep and r is not None and r.value is not None:
                out.append(N.Assign(self.ref(f.name, N.RESULT), "=", self.rename(r.value, f.name), r.span))
            elif store is not None and r is not None and r.value is not None:
                out.append(N.Assign(store, "=", self.rename(r.value, f.name), r.span))
            for l in f.locals:
                out.append(N.Assign(self.ref(f.name, l.name), "=", rest_value(l), span))
            out.append(N.Goto(back, span))
            return out

        made = []
        outer = self.fair
        for i, s in enumerate(f.steps):
            nxt = copies[f.steps[i + 1].name] if i + 1 < len(f.steps) else None
            self.fair = s.fairness
            body = self.body(s.body, f.name, copies[s.name], nxt or back, copies, lambda r: ret(r, r.span))
            if not always_jumps(body):
                body = body + (tuple(ret(None, s.span)) if nxt is None else (N.Goto(nxt, s.span),))
            made.append(N.Step(copies[s.name], body, s.anchor or f.anchor, s.doc, None, s.span, s.fairness,
                               (f.name, s.name)))
        self.fair = outer
        self.extra += made
        return copies[f.steps[0].name]

    def lowered(self) -> N.Actor:
        a = self.actor
        steps = []
        for i, s in enumerate(a.steps):
            after = a.steps[i + 1].name if i + 1 < len(a.steps) else N.DONE
            self.fair = s.fairness
            body = self.body(s.body, None, s.name, after, None, None)
            steps.append(replace(s, body=body))
        if not self.extra:
            return a
        if not always_jumps(steps[-1].body):
            steps[-1] = replace(steps[-1], body=steps[-1].body + (N.Goto(N.DONE, steps[-1].span),))
        kept = []
        for name in self.used_funcs:
            f = self.funcs[name]
            kept += [N.Local(local_name(name, l.name), l.type, l.init, l.span) for l in f.locals]
            if f.result is not None:
                r = result_local(f)
                kept.append(N.Local(local_name(name, N.RESULT), r.type, r.init, r.span))
        return replace(a, locals=a.locals + tuple(kept), steps=tuple(steps) + tuple(self.extra))

    def frames(self) -> list[N.Frame]:
        """Where each function local of the lowered actor may hold another value than its
        between-calls one: its parameters and locals while the function runs (its copies, and
        those of the functions it calls), its kept result at its result steps."""
        out = []
        for name in self.used_funcs:
            f = self.funcs[name]
            running = tuple(s for s, fs in self.active.items() if name in fs)
            out += [N.Frame(self.actor.name, local_name(name, l.name), running, rest_value(l)) for l in f.locals]
            if f.result is not None:
                out.append(N.Frame(self.actor.name, local_name(name, N.RESULT),
                                   tuple(r for r, g in self.result_of.items() if g == name),
                                   rest_value(result_local(f))))
        return out


def function_step_copies(actor: N.Actor, func: str, steps) -> tuple[str, ...]:
    """The steps of lowered ``actor`` that are copies of ``func``'s ``steps`` (``at f.s``)."""
    want = {(func, s) for s in steps}
    return tuple(s.name for s in actor.steps if s.func_step in want)


def lower_functions(model: N.Model) -> N.Model:
    """``model`` with its functions inlined into the actors (itself when it has none)."""
    if not model.functions:
        return model
    funcs = {f.name: f for f in model.functions}
    lowerings = [_ActorLowering(model, funcs, a) for a in model.actors]
    actors = tuple(lw.lowered() for lw in lowerings)
    by_actor = {a.name: a for a in actors}
    # `at s.f`: the result step of `x = call f()` in step s, by the name the lowering gave it
    results = {(a.name, N.Function.result_step(step, func)): name
               for a, lw in zip(model.actors, lowerings) for (step, func, _), name in lw.result_steps.items()}

    def at_copies(x):
        # `actor[p] at f.s`: the process is at one of the actor's copies of f.s
        if isinstance(x, N.At) and x.func is not None and x.actor in by_actor:
            return N.At(x.actor, x.proc, function_step_copies(by_actor[x.actor], x.func, x.steps), x.span)
        if isinstance(x, N.At) and any((x.actor, s) in results for s in x.steps):
            return replace(x, steps=tuple(results.get((x.actor, s), s) for s in x.steps))
        return x

    actors = tuple(replace(a, steps=tuple(replace(s, body=transform(s.body, at_copies)) for s in a.steps))
                   for a in actors)

    def fn(x):
        # a function's local of a given process (TypeOK, and `actor[p].f.x` in a property):
        # the lowered actor's copy for the actor the process belongs to
        if isinstance(x, N.LocalRef) and x.actor in funcs and x.proc is not None:
            f = funcs[x.actor]
            loc = f.local(x.name) if x.name != N.RESULT else result_local(f)
            out: N.Expr = rest_value(loc)
            if x.caller is not None:  # `actor[p].f.x`: the actor is known
                return N.LocalRef(x.caller, local_name(f.name, x.name), x.proc, x.span)
            for a in reversed(model.actors):
                if by_actor[a.name].local(local_name(f.name, x.name)) is None:
                    continue
                ref = N.LocalRef(a.name, local_name(f.name, x.name), x.proc, x.span)
                if a.proc_set is None:
                    if isinstance(x.proc, N.AtomLit):
                        if x.proc.name == a.name:
                            out = ref
                        continue
                    test = N.Binary("==", x.proc, N.AtomLit(a.name, "enum"))
                else:
                    test = N.Binary("in", x.proc, N.ConstRef(a.proc_set))
                out = N.IfExpr(test, ref, out)
            return out
        return at_copies(x)

    props = tuple(transform(p, fn) for p in model.properties)
    frames = tuple(fr for lw in lowerings for fr in lw.frames())
    return replace(model, actors=actors, properties=props, functions=(), frames=frames)
