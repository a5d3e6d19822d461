"""Statements of a step resolved (the statement half of ``resolve.Resolver``): assignment
targets, ``goto`` targets, macros expanded at their call site, ``x = any S`` as ``With``."""

from __future__ import annotations


from ..diagnostics import Related, did_you_mean
from ..dsl import ast as A
from . import nodes as N
from .lists import Lists
from .kernel_ops import STEP_ENDING, KernelOps, StepContext, unknown_op_hint
from .pools import Pools
from .rcu import RCU_OPS, Rcu
from .waitqueues import WAIT_OPS, WaitQueues
from .irq import IRQ_OPS, Irqs
from .lower import always_jumps
from .walk import walk
from .scope import Scope, Label, Unresolved, lazy
from .variants import ASSERTIONS, DEFAULT_GUARD


class StmtResolver(KernelOps, WaitQueues, Irqs, Rcu, Pools, Lists):
    """Mixed into ``resolve.Resolver``, whose attributes it uses."""

    _step: StepContext | None = None

    def stmts(self, body: tuple[A.Stmt, ...], sc: Scope, steps: list[str]) -> tuple[N.Stmt, ...]:
        out: list[N.Stmt] = []
        for i, s in enumerate(body):
            try:
                out.extend(self._stmt(s, sc, steps))
            except Unresolved:
                out.append(N.Skip(s.span))
            if (isinstance(s, A.MacroS) and s.name in STEP_ENDING and self.is_kernel_op(s.name)
                    and i + 1 < len(body) and self._step is not None):
                self.d.err(f"statement after `{s.name}` in step `{self._step.name}` is never run",
                           body[i + 1].span, f"`{s.name}` ends the step (what follows it is the next "
                           "step): make it the last statement of its block", "label")
                break
        return tuple(out)

    def resolve_step(self, s: A.StepD, sc: Scope, steps: list[str]
                     ) -> tuple[tuple[N.Stmt, ...], list[N.Step], list[N.Local]]:
        """A step's statements, and the steps and locals its non-atomic operations add (each
        store step goes right after it; the step's other paths jump over them)."""
        loop = len(s.body) == 1 and isinstance(s.body[0], A.WhileS)
        outer, self._step = self._step, StepContext(s.name, loop, len(s.body) == 1)
        try:
            body = self.step_body(s, sc, steps)
            ctx = self._step
        finally:
            self._step = outer
        after: N.Stmt | None = None  # where the step goes when it falls off its end
        if ctx.splits:
            i = steps.index(s.name) if s.name in steps else len(steps)
            if i + 1 < len(steps):
                after = N.Goto(steps[i + 1], s.span)
            elif not sc.actor.is_func:
                after = N.Goto(N.DONE, s.span)
            elif sc.actor.decl.result is None:
                after = N.Return(None, s.span)
            else:
                self.d.err(f"the last step `{s.name}` of function `{sc.actor.decl.name}` ends with a "
                           "non-atomic store", ctx.splits[0].span,
                           "the store is a step of its own and the function must return a value after "
                           "it: add a step that returns", "label")
        if after is not None and not always_jumps(body):
            body = body + (after,)
        stores = []
        for k, t in enumerate(ctx.splits):
            rest = t.body
            # the steps added for one step lie one after another: each but the last jumps over
            # the others to where the step goes next
            if after is not None and k + 1 < len(ctx.splits) and not always_jumps(rest):
                rest = rest + (after,)
            stores.append(N.Step(t.name, self.guard_accesses(rest), t.anchor, t.doc, t.origin, t.span))
        return self.guard_accesses(body), stores, ctx.locals

    def step_body(self, s: A.StepD, sc: Scope, steps: list[str]) -> tuple[N.Stmt, ...]:
        """A step's statements; ``step s while c { body }`` is ``step s { if c { body  goto s } }``:
        each round of the loop is one atomic step, and the step after it runs once ``c`` fails."""
        if not (len(s.body) == 1 and isinstance(s.body[0], A.WhileS)):
            return self.stmts(s.body, sc, steps)
        loop = s.body[0]
        body = self.stmts(loop.body, sc, steps)
        for x in walk(body):
            if isinstance(x, N.CallFunc):
                self.d.err(f"a `while` step cannot call a function (`{x.func}`)", x.span,
                           f"a call ends the step: write the loop as `step {s.name} {{ if COND {{ ... call "
                           f"{x.func}(...) }} }}` and a later step that jumps back with `goto {s.name}`", "while")
                return body
        if not always_jumps(body):
            body = body + (N.Goto(s.name, s.span),)
        return (N.If(self.expr(loop.cond, sc), body, (), loop.span),)

    def _target(self, t: A.Expr, sc: Scope) -> N.Expr:
        root = t
        while isinstance(root, (A.FieldE, A.IndexE)):
            root = root.base
        assert isinstance(root, A.Name)
        n = root.name
        if n in sc.names:
            v = sc.names[n]
            if isinstance(v, Label):
                v = v.resolve()
            base = v
            r = base
            while isinstance(r, (N.Field, N.Index)):
                r = r.base
            if not (isinstance(r, N.VarRef) or isinstance(r, N.LocalRef) and r.proc is None):
                what = "a bound variable" if isinstance(v, N.BoundRef) else "a macro argument that is not a variable"
                self._fail(f"cannot assign to `{n}`: it is {what}", root.span,
                           "assign to a var or a local of this actor", "assign")
        elif sc.actor is not None and any(l.name == n for l in sc.actor.locals):
            base = N.LocalRef(sc.actor.decl.name, n, None, root.span)
            self.used.add(f"{sc.actor.decl.name}.{n}")
        elif n in self.vars:
            self.used.add(n)
            base = N.VarRef(n, root.span)
        else:
            if n in self.consts or n in self.atoms:
                self._fail(f"cannot assign to `{n}`: it is a {'constant' if n in self.consts else 'atom'}",
                           root.span, "assign to a var or a local of this actor", "assign")
            if n in self.modules:
                self._fail(f"cannot assign to module `{n}`", root.span,
                           f"write `unload {n}` to unload it", "assign")
            self._name(root, sc)  # reports the unknown name with its hint
            raise Unresolved()
        return self._rebuild_target(t, base, sc)

    def _rebuild_target(self, t: A.Expr, base: N.Expr, sc: Scope) -> N.Expr:
        if isinstance(t, A.FieldE):
            return N.Field(self._rebuild_target(t.base, base, sc), t.name, t.span)
        if isinstance(t, A.IndexE):
            return N.Index(self._rebuild_target(t.base, base, sc), self._expr(t.index, sc), t.span)
        return base

    def _stmt(self, s: A.Stmt, sc: Scope, steps: list[str]) -> list[N.Stmt]:
        sp = s.span
        if isinstance(s, A.AssignS):
            v = s.value
            if s.op == "=" and isinstance(v, A.ApplyE) and self.is_kernel_op(v.name):
                return self.kernel_op(v.name, self._positional(v), s.target, sc, sp, steps)
            return [N.Assign(self._target(s.target, sc), s.op, self.expr(s.value, sc), sp)]
        if isinstance(s, A.ChooseS):
            dom = self.expr(s.domain, sc)
            tgt = self._target(s.target, sc)
            root = s.target
            while isinstance(root, (A.FieldE, A.IndexE)):
                root = root.base
            var = self.fresh(f"{root.name}_any")
            return [N.With(var, dom, (N.Assign(tgt, "=", N.BoundRef(var, sp), sp),), sp)]
        if isinstance(s, A.WithS):
            dom = self.expr(s.domain, sc)
            self._check_binder(s.var, sc, sp)
            var, inner = self._bind_var(sc, s.var)
            return [N.With(var, dom, self.stmts(s.body, inner, steps), sp)]
        if isinstance(s, A.IfS):
            return [N.If(self.expr(s.cond, sc), self.stmts(s.then, sc, steps),
                         self.stmts(s.orelse or (), sc, steps), sp)]
        if isinstance(s, A.AwaitS):
            return [N.Await(self.expr(s.cond, sc), sp)]
        if isinstance(s, A.EitherS):
            return [N.Either(tuple(self.stmts(b, sc, steps) for b in s.branches), sp)]
        if isinstance(s, A.GotoS):
            return [N.Goto(self._goto_target(s.target, sp, sc, steps), sp)]
        if isinstance(s, A.AssertS):
            prop = s.prop or ASSERTIONS
            self.assert_props.setdefault(prop, sp)
            if s.prop is not None:
                self.assert_spans.setdefault(prop, []).append(sp)
            message = s.message if isinstance(s.message, str) else self._assert_message(s.message, sc)
            return [N.Assert(self.expr(s.cond, sc), message, prop, sp)]
        if isinstance(s, A.CallS):
            m = self.modules.get(s.module)
            if m is None:
                self._fail(f"unknown module `{s.module}`", sp, did_you_mean(s.module, self.modules) or
                           "declare it with `module NAME { ops ... }`", "undefined-name")
            if s.op not in m.ops:
                self._fail(f"module `{s.module}` has no op `{s.op}`", sp,
                           did_you_mean(s.op, m.ops) or f"add it: `ops {', '.join(m.ops + (s.op,))}`",
                           "undefined-name")
            if f"{s.module}.{s.op}" in self.funcs:  # the callback has code: run it
                return self._fcall(A.FCallS(f"{s.module}.{s.op}", s.args, None, sp), sc)
            return [self._loaded_check(m, s.op, tuple(self.expr(a, sc) for a in s.args), sp)]
        if isinstance(s, A.FCallS):
            return self._fcall(s, sc)
        if isinstance(s, A.ReturnS):
            return [self._return(s, sc)]
        if isinstance(s, A.WhileS):  # only ever a whole step's body, read by `step_body`
            self._fail("`while` is a kind of step", sp, "write `step NAME while COND { ... }`", "while")
        if isinstance(s, A.UnloadS):
            if s.module not in self.modules:
                self._fail(f"unknown module `{s.module}`", sp, did_you_mean(s.module, self.modules) or
                           "declare it with `module NAME { ops ... }`", "undefined-name")
            self.used.add(s.module)
            return [N.Assign(N.VarRef(N.module_loaded_var(s.module), sp), "=", N.BoolLit(False, sp), sp)]
        if isinstance(s, A.SkipS):
            return [N.Skip(sp)]
        if isinstance(s, A.MacroS):
            if self.is_kernel_op(s.name):
                if s.name in WAIT_OPS:
                    return self.wait_op(s.name, s.args, sc, sp, steps)
                if s.name in RCU_OPS:
                    return self.rcu_op(s.name, s.args, sc, sp)
                if s.name in IRQ_OPS:
                    return self.irq_op(s.name, s.args, sc, sp)
                return self.kernel_op(s.name, s.args, None, sc, sp, steps)
            return self._expand(s, sc, steps)
        raise AssertionError(f"unexpected statement {s!r}")

    def _loaded_check(self, m: A.ModuleD, op: str, args: tuple, sp) -> N.Call:
        """The check that module ``m`` is loaded when its code (callback ``op``) runs."""
        self.used.add(m.name)
        self.used.add(f"{m.name}.{op}")
        prop = m.guards or DEFAULT_GUARD
        self.assert_props.setdefault(prop, sp)
        self.call_counts[prop] = self.call_counts.get(prop, 0) + 1
        return N.Call(m.name, op, args, prop, sp)

    def _fcall(self, s: A.FCallS, sc: Scope) -> list[N.Stmt]:
        sp = s.span
        f = self.funcs.get(s.func)
        if f is None and "." in s.func:
            mod, op = s.func.split(".", 1)
            m = self.modules.get(mod)
            if m is None:
                self._fail(f"unknown module `{mod}`", sp, did_you_mean(mod, self.modules) or
                           "declare it with `module NAME { ops ... }`", "undefined-name")
            if op not in m.ops:
                self._fail(f"module `{mod}` has no op `{op}`", sp,
                           did_you_mean(op, m.ops) or f"add it: `ops {', '.join(m.ops + (op,))}`", "undefined-name")
            self._fail(f"callback `{s.func}` has no code, so it has no result", sp,
                       f"declare it: `func {s.func}(params) -> TYPE {{ step ... }}`", "no-result")
        if f is None:
            if s.func in self.macros:
                self._fail(f"`{s.func}` is a macro, not a function", sp,
                           f"a macro is expanded in place: write `{s.func}(...)` without `call`", "not-a-function")
            if s.func in self.modules:
                self._fail(f"`{s.func}` is a module", sp, f"call one of its ops: `call {s.func}.OP(...)`",
                           "not-a-function")
            self._fail(f"unknown function `{s.func}`", sp, did_you_mean(s.func, self.funcs) or
                       "declare it with `func NAME(param: type, ...) -> type { step ... }`", "undefined-name")
        if len(s.args) != len(f.params):
            sig = ", ".join(p.name for p in f.params)
            self._fail(f"function `{f.name}` takes {len(f.params)} argument{'s' if len(f.params) != 1 else ''}, "
                       f"{len(s.args)} given", sp, f"write `call {f.name}({sig})`", "arguments")
        target = None
        if s.target is not None:
            if f.result is None:
                self._fail(f"function `{f.name}` returns no value", sp,
                           f"call it as a statement, `call {f.name}(...)`, or declare `-> TYPE` and "
                           "`return` a value", "no-result")
            target = self._target(s.target, sc)
        self.used.add(f.name)
        args = tuple(self.expr(a, sc) for a in s.args)
        out: list[N.Stmt] = []
        if "." in f.name:  # a module's callback: the module must be loaded to call it
            mod, op = f.name.split(".", 1)
            out.append(self._loaded_check(self.modules[mod], op, args, sp))
        return out + [N.CallFunc(f.name, args, target, sp)]

    def _return(self, s: A.ReturnS, sc: Scope) -> N.Stmt:
        sp = s.span
        if sc.actor is None or not sc.actor.is_func:
            self._fail("`return` outside a function", sp,
                       "an actor's step ends by falling through to the next step or with `goto`", "return")
        f = sc.actor.decl
        if s.value is not None and f.result is None:
            self._fail(f"function `{f.name}` has no result, so `return` takes no value", s.value.span,
                       f"write `return`, or declare the result type: `func {f.name}(...) -> TYPE`", "return")
        if s.value is None and f.result is not None:
            self._fail(f"function `{f.name}` returns a value: `return` needs one", sp,
                       "write `return EXPR`", "return")
        return N.Return(None if s.value is None else self.expr(s.value, sc), sp)

    def _goto_target(self, target: str, sp, sc: Scope, steps: list[str]) -> str:
        if target in sc.labels:
            lab = sc.labels[target]
            if not isinstance(lab.ast, A.Name):
                self._fail(f"`goto {target}`: the argument given for `{target}` is not a step name",
                           lab.ast.span, "pass a step name (or `done`) for a parameter used by `goto`", "goto")
            target = lab.ast.name
            sp = lab.ast.span
        if sc.actor is not None and sc.actor.is_func:
            if target == "done":
                self._fail("`goto done` in a function", sp, "a function ends with `return`; its caller then "
                           "continues", "goto")
            target = sc.actor.step_name(target)  # a step renamed by `replace f.s as t`
            if target not in steps:
                self._fail(f"`goto {target}`: function `{sc.actor.decl.name}` has no step `{target}`", sp,
                           did_you_mean(target, steps) or f"steps: {', '.join(steps)}", "unknown-step")
            return target
        if target == "done":
            return N.DONE
        if sc.actor is None:
            self._fail("`goto` outside an actor", sp, "`goto` jumps to a step of the same actor", "goto")
        target = sc.actor.step_name(target)
        if sc.actor is None:
            self._fail("`goto` outside an actor", sp, "`goto` jumps to a step of the same actor", "goto")
        if target not in steps:
            self._fail(f"`goto {target}`: actor `{sc.actor.decl.name}` has no step `{target}`"
                       + self.added_by(sc.actor.decl.name, target), sp,
                       self.added_hint(sc.actor.decl.name, target) or did_you_mean(target, steps + ["done"])
                       or f"steps: {', '.join(steps)}, done", "unknown-step")
        return target

    def _assert_message(self, name: A.Name, sc: Scope) -> str:
        """The message of ``assert cond, p`` in a macro: the string parameter ``p`` is bound to."""
        lab = sc.labels.get(name.name)
        if lab is None:
            self._fail(f"`assert`: the message must be a string, or a parameter of the macro the assert is in "
                       f"bound to one; `{name.name}` is neither",
                       name.span, 'write the message in double quotes (`assert cond, "message"`), or name a '
                       "parameter of the macro the assert is in", "assert-message")
        if not isinstance(lab.ast, A.StrE):
            self._fail(f"`assert`: the message `{name.name}` must be a string, and the argument given for it is not",
                       lab.ast.span, f'pass a string for `{name.name}`, in double quotes: "message"', "assert-message")
        return lab.ast.value

    def _expand(self, s: A.MacroS, sc: Scope, steps: list[str]) -> list[N.Stmt]:
        m = self.macros.get(s.name)
        if m is None:
            if s.name in self.funcs:
                self._fail(f"`{s.name}` is a function, not a macro", s.span,
                           f"call it: `call {s.name}(...)`", "not-a-statement")
            if s.name in self.defs:
                self._fail(f"`{s.name}` is a definition, not a macro", s.span,
                           "a `def` is an expression; use it inside a statement", "not-a-statement")
            self._fail(f"unknown macro `{s.name}`", s.span, did_you_mean(s.name, self.macros) or
                       unknown_op_hint(s.name) or "declare it with `macro NAME(params) { ... }`",
                       "undefined-name")
        self.used.add(m.name)
        params = m.params or ()
        if len(params) != len(s.args):
            self._fail(f"macro `{m.name}` takes {len(params)} argument{'s' if len(params) != 1 else ''}, "
                       f"{len(s.args)} given", s.span, f"write `{m.name}({', '.join(params)})`", "arguments")
        if m.name in self._expanding:
            chain = " -> ".join(self._expanding[self._expanding.index(m.name):] + [m.name])
            self._fail(f"macro `{m.name}` expands itself ({chain})", s.span,
                       "macros are expanded inline and cannot be recursive", "recursion")
        names: dict[str, object] = {}
        labels: dict[str, Label] = {}
        for p, a in zip(params, s.args):
            if isinstance(a, A.Name) and a.name in sc.labels and isinstance(sc.labels[a.name].ast, A.StrE):
                a = sc.labels[a.name].ast  # a string passed on from the calling macro's parameter
            lab = Label(a, lazy(lambda a=a: self._expr(a, sc)))
            names[p] = lab
            labels[p] = lab
        inner = Scope(sc.actor, names, labels, False, sc.bound)
        self._expanding.append(m.name)
        if s.span is not None:  # a mistake in the macro's body also names this call
            self.d.context.append(Related(f"in macro `{m.name}`, called here", s.span))
        try:
            return list(self.stmts(m.body, inner, steps))
        finally:
            self._expanding.pop()
            if s.span is not None:
                self.d.context.pop()

    def _positional(self, e: A.ApplyE) -> tuple[A.Expr, ...]:
        for a in e.args:
            if a.name is not None:
                self._fail(f"named argument `{a.name}:` in `{e.name}`", a.span,
                           "named arguments are only for struct values", "arguments")
        return tuple(a.value for a in e.args)
