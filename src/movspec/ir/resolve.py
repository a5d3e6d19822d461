"""Names, types and expressions of one variant resolved against its declarations
(``Resolver``): AST expressions become IR expressions with ``VarRef``/``LocalRef``/...,
``def`` calls inlined. Statements are ``resolve_stmt.StmtResolver``'s, atoms and types
``resolve_type.TypeResolver``'s."""

from __future__ import annotations

from collections import ChainMap

from ..diagnostics import did_you_mean
from ..dsl import ast as A
from ..ops import BY_DSL
from ..span import Span
from . import nodes as N
from .scope import Scope, Label, Unresolved, placeholder, respan
from .resolve_stmt import StmtResolver
from .lists import LIST_EXPRS
from .pools import allocated_var
from .rcu import GRACE, READERS
from .at_func import function_local, function_step, result_step
from .irq import IRQS
from .waitqueues import EXCLUSIVE, SLEEPING
from .resolve_type import TypeResolver
from .variants import ActorEnv, Diags, Env


class Resolver(StmtResolver, TypeResolver):
    def __init__(self, env: Env, variant: str, diags: Diags, taken: set[str]):
        self.env = env
        self.variant = variant
        self.d = diags
        self.taken = set(taken)
        self._fresh_next: dict[str, int] = {}
        self.enums: dict[str, A.EnumD] = env.of("enum")
        self.structs: dict[str, A.StructD] = env.of("struct")
        self.consts: dict[str, A.ConstD] = env.of("const")
        self.vars: dict[str, A.VarD] = env.of("var")
        self.modules: dict[str, A.ModuleD] = env.of("module")
        self.defs: dict[str, A.DefD] = env.of("def")
        self.macros: dict[str, A.MacroD] = env.of("macro")
        self.funcs: dict[str, A.FuncD] = env.of("func")
        self.atoms: dict[str, str] = {}  # atom -> "model" | "enum"
        self.atom_origin: dict[str, str] = {}
        self.record_types: dict[str, N.RecordType] = {}
        self.used: set[str] = set()  # declarations referred to (for unused warnings)
        self.assert_props: dict[str, Span | None] = {}
        self.assert_spans: dict[str, list[Span | None]] = {}  # every `assert ... as P`, per P
        self.call_counts: dict[str, int] = {}  # calls into modules, per guarded property
        self._expanding: list[str] = []
        self.def_ops: dict[str, N.DefOp] = {}  # for the emitter: each def as an operator
        self.def_uses: list[N.DefUse] = []  # and each place one was applied
        self._collect_atoms()

    # fresh names -----------------------------------------------------------------
    def fresh(self, base: str) -> str:
        # the next number to try is remembered per base: linear in the names made, not quadratic
        name, i = base, self._fresh_next.get(base, 1)
        if i > 1:
            name = f"{base}{i}"
        while name in self.taken:
            i += 1
            name = f"{base}{i}"
        self._fresh_next[base] = i
        self.taken.add(name)
        return name

    # expressions --------------------------------------------------------------------------
    def expr(self, e: A.Expr, sc: Scope) -> N.Expr:
        try:
            return self._expr(e, sc)
        except Unresolved:
            return placeholder(e.span)

    def _fail(self, msg: str, span: Span | None, hint: str | None = None, code: str = "") -> None:
        self.d.err(msg, span, hint, code)
        raise Unresolved()

    def _name_candidates(self, sc: Scope) -> list[str]:
        c = list(sc.names) + list(self.vars) + list(self.consts) + list(self.atoms) + list(self.defs)
        c += [m for m in self.modules] + [a for a in self.env.actors] + list(self.funcs)
        if sc.actor is not None:
            c += [l.name for l in sc.actor.locals]
        return c

    def _name(self, e: A.Name, sc: Scope) -> N.Expr:
        n, sp = e.name, e.span
        if n in sc.names:
            v = sc.names[n]
            if isinstance(v, Label):
                return v.resolve()
            return respan(v, sp) if isinstance(v, N.BoundRef) else v
        if sc.actor is not None and any(l.name == n for l in sc.actor.locals):
            self.used.add(f"{sc.actor.decl.name}.{n}")
            return N.LocalRef(sc.actor.decl.name, n, None, sp)
        if n in self.vars:
            self.used.add(n)
            return N.VarRef(n, sp)
        if n in self.consts:
            self.used.add(n)
            return N.ConstRef(n, sp)
        if n in self.atoms:
            self._use_atom(n)
            return N.AtomLit(n, self.atoms[n], sp)
        if n in self.defs:
            return self._apply_def(self.defs[n], (), sp, sc)
        if n in self.enums:
            self.used.add(n)
            return N.SetLit(tuple(N.AtomLit(m, "enum", sp) for m in self.enums[n].members), sp)
        if n == "self":
            self._fail("`self` is a keyword", sp)
        if n in self.modules:
            self._fail(f"module `{n}` is not a value", sp, f"write `{n}.loaded` for whether it is loaded",
                       "not-a-value")
        if n in (SLEEPING, READERS, GRACE, IRQS) and sc.actor is None:
            # a property may read the state even where no step changes it (a variant dropped
            # the only step that did): it is then the empty set for ever
            self.uses_tasks |= n == SLEEPING
            self.uses_rcu |= n in (READERS, GRACE)
            self.uses_irqs |= n == IRQS
        if n == SLEEPING and self.uses_tasks or n in (READERS, GRACE) and self.uses_rcu \
                or n == EXCLUSIVE and self.uses_exclusive() or n == IRQS and self.uses_irqs:
            return N.VarRef(n, sp)  # the state of sleeping tasks, of RCU readers, of interrupts
        if n == EXCLUSIVE:
            self._fail(f"`{n}` is the queue of exclusive waiters, and no step of the model waits "
                       "exclusively", sp, "use `prepare_to_wait_exclusive` or `wait_event_exclusive` in a step, "
                       "or drop the reference", "unknown-name")
        if n in self.env.actors:
            a = self.env.actors[n]
            if a.decl.family is None:  # a single actor's name is its process id
                return N.AtomLit(n, "enum", sp)
            self._fail(f"actor `{n}` is not a value", sp,
                       f"write `{n}[id] at STEP` or `{n}[id].LOCAL`", "not-a-value")
        if n in self.funcs:
            self._fail(f"function `{n}` is not a value", sp, f"call it in a statement: `x = call {n}(...)`",
                       "not-a-value")
        if n in self.macros:
            self._fail(f"macro `{n}` is not a value", sp, "macros are statements; use a `def` in expressions",
                       "not-a-value")
        if n in self.structs:
            self._fail(f"struct `{n}` is not a value", sp, f"write a struct value as `{n}(field: value)`",
                       "not-a-value")
        if sc.actor is not None:
            for other in self.env.actors.values():
                if other is not sc.actor and any(l.name == n for l in other.locals):
                    self._fail(f"`{n}` is a local of actor `{other.decl.name}`, not of `{sc.actor.decl.name}`",
                               sp, f"declare `local {n}: ...` in `{sc.actor.decl.name}`", "undefined-name")
        else:
            for other in self.env.actors.values():
                if any(l.name == n for l in other.locals):
                    ref = f"{other.decl.name}[id].{n}" if other.decl.family else f"{other.decl.name}.{n}"
                    self._fail(f"`{n}` is a local of actor `{other.decl.name}`", sp,
                               f"outside the actor, name the process: `{ref}`", "undefined-name")
        self._fail(f"unknown name `{n}`", sp, did_you_mean(n, self._name_candidates(sc)) or
                   "declare it as a var, const, local or enum member", "undefined-name")

    def _actor_proc(self, e: A.Expr, sc: Scope) -> tuple[ActorEnv, N.Expr | None, bool] | None:
        """``a`` or ``a[i]`` naming an actor's process: (actor, proc expr, indexed)."""
        if isinstance(e, A.Name) and e.name in self.env.actors and e.name not in sc.names \
                and e.name not in self.vars and e.name not in self.consts:
            return self.env.actors[e.name], None, False
        if isinstance(e, A.IndexE) and isinstance(e.base, A.Name) and e.base.name in self.env.actors \
                and e.base.name not in sc.names and e.base.name not in self.vars:
            return self.env.actors[e.base.name], self._expr(e.index, sc), True
        return None

    def _check_proc_form(self, a: ActorEnv, indexed: bool, span: Span | None) -> None:
        if a.decl.family is not None and not indexed:
            self._fail(f"actor `{a.decl.name}` is a family: say which process", span,
                       f"write `{a.decl.name}[id]`, with id in {a.decl.family}", "actor-ref")
        if a.decl.family is None and indexed:
            self._fail(f"actor `{a.decl.name}` is a single process and takes no index", span,
                       f"write `{a.decl.name}` alone", "actor-ref")

    def _expr(self, e: A.Expr, sc: Scope) -> N.Expr:
        sp = e.span
        if isinstance(e, A.IntE):
            return N.IntLit(e.value, sp)
        if isinstance(e, A.StrE):
            self._fail("a string is not a value", sp, "a string can be a macro's argument only for the message of "
                       "an `assert` in the macro (`assert cond, p`)", "not-a-value")
        if isinstance(e, A.BoolE):
            return N.BoolLit(e.value, sp)
        if isinstance(e, A.Name):
            return self._name(e, sc)
        if isinstance(e, A.SelfE):
            if sc.actor is None:
                self._fail("`self` outside an actor", sp, "`self` is the running process; use it in steps",
                           "self")
            if sc.actor.is_func:
                self._fail(f"`self` in function `{sc.actor.decl.name}`", sp,
                           "a function runs in the process that calls it: pass what it needs as a parameter",
                           "self")
            if sc.actor.decl.family is None:
                self._fail(f"`self` in single actor `{sc.actor.decl.name}`", sp,
                           f"only family actors (`actor {sc.actor.decl.name}(self in S)`) have `self`", "self")
            return N.SelfRef(sp)
        if isinstance(e, A.FieldE):
            if (isinstance(e.base, A.Name) and e.name == "allocated" and e.base.name in self.vars
                    and self.vars[e.base.name].pool is not None and e.base.name not in sc.names):
                self.used.add(e.base.name)
                return N.VarRef(allocated_var(e.base.name), sp)
            if isinstance(e.base, A.Name) and e.base.name in self.modules and e.base.name not in sc.names:
                if e.name != "loaded":
                    self._fail(f"module `{e.base.name}` has no `{e.name}`", sp,
                               f"`{e.base.name}.loaded` says whether it is loaded; callbacks are called with "
                               f"`call {e.base.name}.OP(...)`", "field")
                self.used.add(e.base.name)
                return N.VarRef(N.module_loaded_var(e.base.name), sp)
            if (in_func := function_local(self, e, sc)) is not None:
                return in_func
            ap = self._actor_proc(e.base, sc)
            if ap is not None:
                a, proc, indexed = ap
                self._check_proc_form(a, indexed, e.base.span)
                if not any(l.name == e.name for l in a.locals):
                    self._fail(f"actor `{a.decl.name}` has no local `{e.name}`", sp,
                               (f"`{e.name}` is a function: name its parameter, local or result, "
                                f"`...{e.name}.x` or `...{e.name}.result`" if e.name in self.funcs else None) or
                               did_you_mean(e.name, [l.name for l in a.locals]) or
                               f"locals of `{a.decl.name}`: {', '.join(l.name for l in a.locals) or 'none'}",
                               "undefined-name")
                self.used.add(f"{a.decl.name}.{e.name}")
                if proc is None:
                    proc = N.AtomLit(a.decl.name, "enum", e.base.span)
                return N.LocalRef(a.decl.name, e.name, proc, sp)
            return N.Field(self._expr(e.base, sc), e.name, sp)
        if isinstance(e, A.IndexE):
            if self._actor_proc(e, sc) is not None:
                self._fail(f"actor `{e.base.name}` is not a value", sp,
                           f"write `{e.base.name}[id] at STEP` or `{e.base.name}[id].LOCAL`", "not-a-value")
            return N.Index(self._expr(e.base, sc), self._expr(e.index, sc), sp)
        if isinstance(e, A.UnaryE):
            return N.Unary(e.op, self._expr(e.operand, sc), sp)
        if isinstance(e, A.BinaryE):
            if e.op == "~>":
                if not sc.in_leadsto:
                    self._fail("`~>` outside a leadsto property", sp,
                               "write `leadsto NAME: forall x in S: p ~> q`", "leadsto")
                self._fail("`~>` must be the top operator of a leadsto property", sp,
                           "write `leadsto NAME: forall x in S: p ~> q`", "leadsto")
            left, right = self._expr(e.left, sc), self._expr(e.right, sc)
            on_list = self.list_binary(e.op, left, right, sc, sp)
            if on_list is not None:
                return on_list
            return N.Binary(BY_DSL[e.op].name, left, right, sp)
        if isinstance(e, A.EmptyListE):
            return N.SeqLit((), sp)
        if isinstance(e, A.SetE):
            return N.SetLit(tuple(self._expr(x, sc) for x in e.elems), sp)
        if isinstance(e, A.RangeE):
            return N.RangeLit(self._expr(e.lo, sc), self._expr(e.hi, sc), sp)
        if isinstance(e, A.CardE):
            inner = self._expr(e.set, sc)
            return self.list_card(inner, sc, sp) or N.Card(inner, sp)
        if isinstance(e, A.IfE):
            return N.IfExpr(self._expr(e.cond, sc), self._expr(e.then, sc), self._expr(e.orelse, sc), sp)
        if isinstance(e, A.QuantE):
            return self._quant(e.kind, list(e.binders), e.body, sc, sp)
        if isinstance(e, A.FilterE):
            dom = self._expr(e.domain, sc)
            self._check_binder(e.var, sc, sp)
            var, inner = self._bind_var(sc, e.var)
            return N.SetFilter(var, dom, self._expr(e.cond, inner), sp)
        if isinstance(e, A.FuncE):
            dom = self._expr(e.domain, sc)
            self._check_binder(e.var, sc, sp)
            var, inner = self._bind_var(sc, e.var)
            return N.FuncLit(var, dom, self._expr(e.body, inner), sp)
        if isinstance(e, A.AtE):
            return self._at(e, sc)
        if isinstance(e, A.ApplyE):
            return self._apply(e, sc)
        raise AssertionError(f"unexpected expression {e!r}")

    def _check_binder(self, var: str, sc: Scope, span: Span | None) -> None:
        clash = None
        if var in sc.names and isinstance(sc.names[var], N.BoundRef):
            clash = "an enclosing bound variable"
        elif var in self.vars:
            clash = "a variable"
        elif var in self.consts:
            clash = "a constant"
        elif var in self.atoms:
            clash = "an atom"
        elif sc.actor is not None and any(l.name == var for l in sc.actor.locals):
            clash = "a local"
        if clash:
            self._fail(f"bound variable `{var}` has the name of {clash}", span,
                       "choose another name (TLA+ forbids shadowing)", "shadow")

    def _quant(self, kind, binders, body, sc, sp):
        var, dom = binders[0]
        dom_ir = self._expr(dom, sc)
        self._check_binder(var, sc, sp)
        ir_var, inner = self._bind_var(sc, var)
        if len(binders) > 1:
            b = self._quant(kind, binders[1:], body, inner, sp)
        else:
            b = self._expr(body, inner)
        return N.Quant(kind, ir_var, dom_ir, b, sp)

    def _bind_var(self, sc: Scope, var: str) -> tuple[str, Scope]:
        """Bind ``var`` for a body. Inside an expanded macro or def, a name already bound around
        the call site is renamed, so an argument is never captured and TLA+ sees no shadowing."""
        ir_var = self.fresh(var) if var in sc.bound else var
        self.taken.add(ir_var)
        return ir_var, sc.bind(**{var: N.BoundRef(ir_var)})

    def _at(self, e: A.AtE, sc: Scope) -> N.Expr:
        sp = e.span
        if e.proc is None:
            if sc.actor is None:
                self._fail("`at STEP` without a process outside an actor", sp,
                           "name the process: `actor[id] at STEP` (or `actor at STEP` for a single actor)", "at")
            if sc.actor.is_func:
                self._fail("`at STEP` without a process in a function", sp,
                           "name the process: `actor[id] at STEP`", "at")
            a, proc = sc.actor, None
        else:
            ap = self._actor_proc(e.proc, sc)
            if ap is None:
                self._fail("`at` needs an actor's process on its left", e.proc.span,
                           "write `actor[id] at STEP`, or `actor at STEP` for a single actor", "at")
            a, proc, indexed = ap
            self._check_proc_form(a, indexed, e.proc.span)
            if a is sc.actor and proc is None:
                proc = None
        names = [s.name for s in a.steps]
        steps = []
        in_funcs: dict[str, list[str]] = {}  # `at f.s`: the steps of each function named
        for s in (a.step_name(x) for x in e.steps):
            if "." in s and (res := result_step(self, a, s, sp)) is not None:
                steps.append(res)  # `at s.f`: the caller's result step of `x = call f()` in step s
            elif "." in s:
                if e.proc is None:
                    self._fail(f"`at {s}` without a process", sp, "name the process: `actor[id] at "
                               f"{s}` (the running process is at its own step, not in a function)", "at")
                f, fs = function_step(self, a, s, sp)
                in_funcs.setdefault(f, []).append(fs)
            elif s == "done":
                steps.append(N.DONE)
            elif s in names:
                steps.append(s)
            else:
                self._fail(f"actor `{a.decl.name}` has no step `{s}`" + self.added_by(a.decl.name, s), sp,
                           self.added_hint(a.decl.name, s) or did_you_mean(s, names + ["done"]) or
                           f"steps: {', '.join(names)}", "unknown-step")
        out: N.Expr | None = N.At(a.decl.name, proc, tuple(steps), sp) if steps or not in_funcs else None
        for f, fs in in_funcs.items():
            at = N.At(a.decl.name, proc, tuple(fs), sp, f)
            out = at if out is None else N.Binary("||", out, at, sp)
        return out

    def added_by(self, actor: str, step: str) -> str:
        """`` in variant `v` (step `s` is added by variant `w`)``, when another variant adds it."""
        others = self.env.added_steps.get((actor, step))
        if not others:
            return ""
        return f" in variant `{self.variant}` (step `{step}` is added by variant `{others[0]}`)"

    def added_hint(self, actor: str, step: str) -> str | None:
        others = self.env.added_steps.get((actor, step))
        if not others:
            return None
        return (f"declare what names `{actor}.{step}` in `variant {others[0]} {{ ... }}` (it then holds for "
                f"the variants extending it), or name a `def` here that `{others[0]}` overrides")

    def _apply(self, e: A.ApplyE, sc: Scope) -> N.Expr:
        sp = e.span
        if e.name in self.structs and e.name not in self.defs:
            self.used.add(e.name)
            rt = self.record_type(e.name)
            given: dict[str, N.Expr] = {}
            for a in e.args:
                if a.name is None:
                    self._fail(f"struct value `{e.name}(...)` needs named fields", a.span,
                               f"write `{e.name}(field: value, ...)`", "struct-value")
                if rt.field(a.name) is None:
                    self._fail(f"struct `{e.name}` has no field `{a.name}`", a.span,
                               did_you_mean(a.name, [f.name for f in rt.fields]) or
                               f"fields: {', '.join(f.name for f in rt.fields)}", "field")
                if a.name in given:
                    self._fail(f"field `{a.name}` given twice", a.span, "give each field once", "duplicate")
                given[a.name] = self._expr(a.value, sc)
            return N.RecordLit(rt, tuple((f.name, given.get(f.name, f.default)) for f in rt.fields), sp)
        if e.name in self.defs:
            for a in e.args:
                if a.name is not None:
                    self._fail(f"named argument `{a.name}:` in a call of `{e.name}`", a.span,
                               "named arguments are only for struct values", "arguments")
            return self._apply_def(self.defs[e.name], tuple(a.value for a in e.args), sp, sc)
        if e.name == "rcu_dereference" and len(e.args) == 1 and e.name not in self.defs:
            return self._expr(e.args[0].value, sc)  # sequentially consistent: a plain read
        if e.name in LIST_EXPRS:
            return self.list_expr(e.name, tuple(a.value for a in e.args), sc, sp)
        if e.name == "test_bit" and len(e.args) == 2:
            bit, word = (a.value for a in e.args)
            return N.Binary("in", self._expr(bit, sc), self._expr(word, sc), sp)
        if self.is_kernel_op(e.name):
            self._fail(f"`{e.name}` changes the state, so it cannot be part of an expression", sp,
                       f"write it as a statement of its own: `{e.name}(...)` or `x = {e.name}(...)`",
                       "not-a-value")
        if e.name in self.funcs:
            self._fail(f"function `{e.name}` called in an expression", sp,
                       f"a function call is a statement of its own: `x = call {e.name}(...)`", "not-a-value")
        if e.name in self.macros:
            self._fail(f"macro `{e.name}` used in an expression", sp,
                       "macros are statements; use a `def` for an expression", "not-a-value")
        self._fail(f"unknown definition `{e.name}`", sp,
                   did_you_mean(e.name, list(self.defs) + list(self.structs)) or
                   "declare it with `def NAME(params) = expr`", "undefined-name")

    def _apply_def(self, d: A.DefD, args: tuple[A.Expr, ...], sp, sc: Scope) -> N.Expr:
        self.used.add(d.name)
        params = d.params or ()
        if len(args) != len(params):
            self._fail(f"`{d.name}` takes {len(params)} argument{'s' if len(params) != 1 else ''}, "
                       f"{len(args)} given", sp, f"write `{d.name}({', '.join(params)})`"
                       if params else f"write `{d.name}`", "arguments")
        if d.name in self._expanding:
            chain = " -> ".join(self._expanding[self._expanding.index(d.name):] + [d.name])
            self._fail(f"definition `{d.name}` uses itself ({chain})", sp,
                       "definitions are inlined and cannot be recursive", "recursion")
        vals = {p: self._expr(a, sc) for p, a in zip(params, args)}
        inner = Scope(sc.actor, vals, {}, False, sc.bound)
        self._expanding.append(d.name)
        try:
            out = self._expr(d.body, inner)
        finally:
            self._expanding.pop()
        self._def_op(d)
        self.def_uses.append(N.DefUse(d.name, tuple(vals[p] for p in params), out))
        return out

    def _def_op(self, d: A.DefD) -> None:
        """``d`` as an operator (``N.DefOp``), resolved once outside any actor with placeholder
        parameters, for the emitter only: nothing it does shows in the model (no diagnostics,
        no fresh names taken)."""
        if d.name in self.def_ops:
            return
        params = tuple(d.params or ())
        holders = tuple(f"{p}\x00{d.name}" for p in params)  # no DSL name contains NUL
        self.def_ops[d.name] = N.DefOp(d.name, params, holders, None, d.doc, d.span)  # while resolving
        saved = (self.d, self.taken, self._fresh_next, self.used, self._expanding)
        # what it takes or uses goes into layers over the sets, dropped afterwards (copies of
        # the sets, one per def, made lint time grow with the square of the model's size)
        self.taken, self.used, self._fresh_next = _Layer(self.taken), _Layer(self.used), ChainMap({}, self._fresh_next)
        self.d = scratch = Diags()
        self._expanding = [d.name]
        try:
            body = self._expr(d.body, Scope(None, {p: N.BoundRef(h) for p, h in zip(params, holders)}))
            if scratch.items:  # a part of it did not resolve outside an actor
                body = None
        except Unresolved:
            body = None
        finally:
            self.d, self.taken, self._fresh_next, self.used, self._expanding = saved
        self.def_ops[d.name] = N.DefOp(d.name, params, holders, body, d.doc, d.span)


class _Layer(set):
    """A set that also holds what ``base`` holds; what is added stays in the layer."""

    def __init__(self, base: set) -> None:
        super().__init__()
        self.base = base

    def __contains__(self, x) -> bool:
        return set.__contains__(self, x) or x in self.base
