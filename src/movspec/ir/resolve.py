"""Names, types and expressions of one variant resolved against its declarations
(``Resolver``): AST expressions become IR expressions with ``VarRef``/``LocalRef``/...,
``def`` calls inlined, types attached. Statements are ``resolve_stmt.StmtResolver``'s."""

from __future__ import annotations


from ..diagnostics import did_you_mean
from ..dsl import ast as A
from ..ops import BY_DSL
from ..span import Span
from . import nodes as N
from .scope import Scope, Label, Unresolved, has_default, placeholder, respan
from .resolve_stmt import StmtResolver
from .variants import KIND_WORD, ActorEnv, Diags, Env


class Resolver(StmtResolver):
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
        self.atoms: dict[str, str] = {}  # atom -> "model" | "enum"
        self.atom_origin: dict[str, str] = {}
        self.record_types: dict[str, N.RecordType] = {}
        self.used: set[str] = set()  # declarations referred to (for unused warnings)
        self.assert_props: dict[str, Span | None] = {}
        self.assert_spans: dict[str, list[Span | None]] = {}  # every `assert ... as P`, per P
        self.call_counts: dict[str, int] = {}  # calls into modules, per guarded property
        self._expanding: list[str] = []
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

    # atoms -------------------------------------------------------------------------
    def _collect_atoms(self) -> None:
        for c in self.consts.values():
            for a in c.atoms or ():
                self._atom(a, "model", f"constant `{c.name}`", c.name_span)
        for e in self.enums.values():
            for m in e.members:
                self._atom(m, "enum", f"enum `{e.name}`", e.name_span)
        types = [f.type for s in self.structs.values() for f in s.fields]
        types += [v.type for v in self.vars.values()]
        types += [l.type for a in self.env.actors.values() for l in a.locals]
        for t in types:
            for at in _inline_atoms(t):
                for n in at.names:
                    self._atom(n, "enum", "an inline atom set", at.span)

    def _atom(self, name: str, kind: str, origin: str, span: Span | None) -> None:
        prev = self.atoms.get(name)
        if prev is not None and prev != kind:
            self.d.err(f"atom `{name}` is both a model value and an enum member or inline atom", span,
                       f"it also appears in {self.atom_origin[name]}; rename one", "atom-clash")
            return
        if name in self.env.decls and prev is None:
            k = self.env.decls[name][0]
            self.d.err(f"atom `{name}` has the same name as a {KIND_WORD[k]}", span,
                       "rename the atom or the declaration", "atom-clash")
        self.atoms.setdefault(name, kind)
        self.atom_origin.setdefault(name, origin)

    def _use_atom(self, n: str) -> None:
        for c in self.consts.values():
            if c.atoms and n in c.atoms:
                self.used.add(c.name)
        for e in self.enums.values():
            if n in e.members:
                self.used.add(e.name)

    # types ---------------------------------------------------------------------------
    def int_bound(self, b: int | str, span: Span | None) -> int:
        if isinstance(b, int):
            return b
        c = self.consts.get(b)
        if c is not None and c.value is not None:
            self.used.add(b)
            return c.value
        hint = did_you_mean(b, [n for n, c in self.consts.items() if c.value is not None])
        self.d.err(f"`{b}` is not an integer constant", span,
                   hint or "range bounds are integer literals or integer constants", "undefined-name")
        return 0

    def type(self, t: A.TypeExpr, _seen: tuple[str, ...] = ()) -> N.Type:
        if isinstance(t, A.BoolT):
            return N.BoolType()
        if isinstance(t, A.RangeT):
            lo, hi = self.int_bound(t.lo, t.span), self.int_bound(t.hi, t.span)
            if lo > hi:
                self.d.err(f"empty range {lo}..{hi}", t.span, "the low end must not exceed the high end",
                           "type")
            return N.IntType(lo, hi)
        if isinstance(t, A.AtomsT):
            return N.AtomType(tuple(dict.fromkeys(t.names)))
        if isinstance(t, A.SetT):
            return N.SetType(self.type(t.elem, _seen))
        if isinstance(t, A.FuncT):
            dom = self.type(t.domain, _seen)
            if not isinstance(dom, (N.AtomType, N.IntType, N.BoolType)):
                self.d.err(f"a function's domain must be finite and flat, not `{dom}`", t.domain.span,
                           "use a constant set, an enum, an atom set or an integer range", "type")
            return N.FuncType(dom, self.type(t.range, _seen))
        if isinstance(t, A.UnionT):
            atoms: list[str] = []
            for p in t.parts:
                pt = self.type(p, _seen)
                if not isinstance(pt, N.AtomType):
                    self.d.err(f"only atom types can be joined with `|`, not `{pt}`", p.span,
                               "unions are of constant sets, enums and `{a, b}` atom sets", "type")
                    continue
                atoms.extend(pt.atoms)
            return N.AtomType(tuple(dict.fromkeys(atoms)))
        assert isinstance(t, A.NamedT)
        n = t.name
        if n in self.enums:
            self.used.add(n)
            return N.AtomType(self.enums[n].members, n)
        if n in self.consts and self.consts[n].atoms is not None:
            self.used.add(n)
            return N.AtomType(self.consts[n].atoms, n)
        if n in self.structs:
            self.used.add(n)
            if n in _seen:
                self.d.err(f"struct `{n}` contains itself", t.span, "a struct cannot be recursive", "type")
                return N.BoolType()
            return self.record_type(n, _seen + (n,))
        cands = list(self.enums) + list(self.structs) + [c for c in self.consts if self.consts[c].atoms]
        hint = did_you_mean(n, cands + ["bool"])
        if n in self.consts:
            hint = f"`{n}` is an integer constant; write a range such as `0..{n}`"
        self.d.err(f"unknown type `{n}`", t.span,
                   hint or "types are bool, lo..hi, enums, structs, constant sets, [D -> R], set of T",
                   "undefined-name")
        return N.BoolType()

    def record_type(self, name: str, _seen: tuple[str, ...] = ()) -> N.RecordType:
        if name in self.record_types:
            return self.record_types[name]
        s = self.structs[name]
        fields = []
        seen: set[str] = set()
        for f in s.fields:
            if f.name in seen:
                self.d.err(f"struct `{name}` has two fields named `{f.name}`", f.name_span,
                           "rename one", "duplicate")
                continue
            seen.add(f.name)
            ft = self.type(f.type, _seen or (name,))
            if f.default is not None:
                dv = self.expr(f.default, Scope())
            else:
                dv = self.default(ft, f.span, f"field `{name}.{f.name}`")
            fields.append(N.FieldDecl(f.name, ft, dv, f.doc, f.span))
        rt = N.RecordType(name, tuple(fields))
        self.record_types[name] = rt
        return rt

    def set_of(self, t: N.Type) -> N.Expr:
        """An expression for the set of values of a finite flat type."""
        if isinstance(t, N.AtomType):
            if t.name is not None and t.name in self.consts:
                return N.ConstRef(t.name)
            return N.SetLit(tuple(N.AtomLit(a, self.atoms.get(a, "enum")) for a in t.atoms))
        if isinstance(t, N.IntType):
            return N.RangeLit(N.IntLit(t.lo), N.IntLit(t.hi))
        if isinstance(t, N.BoolType):
            return N.SetLit((N.BoolLit(False), N.BoolLit(True)))
        return N.SetLit(())

    def type_default(self, t: N.Type) -> N.Expr | None:
        """The default value of type ``t`` (``false``, the low end of a range, ``{}``, the
        struct's field defaults, a function to its range's default), or None for a type that
        has none (atoms of constant sets and enums, and functions to them)."""
        if isinstance(t, N.BoolType):
            return N.BoolLit(False)
        if isinstance(t, N.IntType):
            return N.IntLit(t.lo)
        if isinstance(t, N.SetType):
            return N.SetLit(())
        if isinstance(t, N.RecordType):
            return N.RecordLit(t, tuple((f.name, f.default) for f in t.fields))
        if isinstance(t, N.FuncType) and has_default(t.range):
            var = self.fresh("x")
            return N.FuncLit(var, self.set_of(t.domain), self.type_default(t.range))
        return None

    def default(self, t: N.Type, span: Span | None, what: str) -> N.Expr:
        d = self.type_default(t)
        if d is not None:
            return d
        if isinstance(t, N.FuncType):  # a function to atoms: the error is its range's
            var = self.fresh("x")
            return N.FuncLit(var, self.set_of(t.domain), self.default(t.range, span, what))
        self.d.err(f"{what} has an atom type `{t}` and no default value", span,
                   f"give one, e.g. `= {t.atoms[0]}`" if t.atoms else "give a default value", "no-default")
        return N.AtomLit(t.atoms[0], self.atoms.get(t.atoms[0], "enum")) if t.atoms else N.BoolLit(False)

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
        c += [m for m in self.modules] + [a for a in self.env.actors]
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
        if n in self.env.actors:
            a = self.env.actors[n]
            if a.decl.family is None:
                self._fail(f"actor `{n}` is not a value", sp,
                           f"write `{n} at STEP` or `{n}.LOCAL`", "not-a-value")
            self._fail(f"actor `{n}` is not a value", sp,
                       f"write `{n}[id] at STEP` or `{n}[id].LOCAL`", "not-a-value")
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
        if isinstance(e, A.BoolE):
            return N.BoolLit(e.value, sp)
        if isinstance(e, A.Name):
            return self._name(e, sc)
        if isinstance(e, A.SelfE):
            if sc.actor is None:
                self._fail("`self` outside an actor", sp, "`self` is the running process; use it in steps",
                           "self")
            if sc.actor.decl.family is None:
                self._fail(f"`self` in single actor `{sc.actor.decl.name}`", sp,
                           f"only family actors (`actor {sc.actor.decl.name}(self in S)`) have `self`", "self")
            return N.SelfRef(sp)
        if isinstance(e, A.FieldE):
            if isinstance(e.base, A.Name) and e.base.name in self.modules and e.base.name not in sc.names:
                if e.name != "loaded":
                    self._fail(f"module `{e.base.name}` has no `{e.name}`", sp,
                               f"`{e.base.name}.loaded` says whether it is loaded; callbacks are called with "
                               f"`call {e.base.name}.OP(...)`", "field")
                self.used.add(e.base.name)
                return N.VarRef(N.module_loaded_var(e.base.name), sp)
            ap = self._actor_proc(e.base, sc)
            if ap is not None:
                a, proc, indexed = ap
                self._check_proc_form(a, indexed, e.base.span)
                if not any(l.name == e.name for l in a.locals):
                    self._fail(f"actor `{a.decl.name}` has no local `{e.name}`", sp,
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
            return N.Binary(BY_DSL[e.op].name, self._expr(e.left, sc), self._expr(e.right, sc), sp)
        if isinstance(e, A.SetE):
            return N.SetLit(tuple(self._expr(x, sc) for x in e.elems), sp)
        if isinstance(e, A.RangeE):
            return N.RangeLit(self._expr(e.lo, sc), self._expr(e.hi, sc), sp)
        if isinstance(e, A.CardE):
            return N.Card(self._expr(e.set, sc), sp)
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
        for s in e.steps:
            if s == "done":
                steps.append(N.DONE)
            elif s in names:
                steps.append(s)
            else:
                self._fail(f"actor `{a.decl.name}` has no step `{s}`", sp,
                           did_you_mean(s, names + ["done"]) or f"steps: {', '.join(names)}", "unknown-step")
        return N.At(a.decl.name, proc, tuple(steps), sp)

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
            return self._expr(d.body, inner)
        finally:
            self._expanding.pop()

    # statements ------------------------------------------------------------------------


def _inline_atoms(t: A.TypeExpr):
    if isinstance(t, A.AtomsT):
        yield t
    elif isinstance(t, A.UnionT):
        for p in t.parts:
            yield from _inline_atoms(p)
    elif isinstance(t, A.SetT):
        yield from _inline_atoms(t.elem)
    elif isinstance(t, A.FuncT):
        yield from _inline_atoms(t.domain)
        yield from _inline_atoms(t.range)
