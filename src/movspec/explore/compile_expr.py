"""Expressions -> Python source (the expression half of ``explore.compile.Compiler``)."""

from __future__ import annotations

from .. import ops
from ..ir import nodes as ir
from .codegen import UNROLL_MAX, Ctx, X, _describe, _fold, _key_lit, _make_checker, _Path
from .layout import (CompileError, all_values, domain_keys, field_index, field_offset, is_composite,
                     is_flat, leaf_count, shape)


class ExprCompiler:
    """Compiles expressions, type membership and state paths; the attributes it uses
    (``model``, ``atoms``, ``layout``, ``ns``, ``const``, ``fresh``...) are the compiler's."""

    # ------------------------------------------------------------------ types and domains

    def _elem_type(self, t):
        if isinstance(t, ir.SetType):
            return t.elem
        raise CompileError(f"expected a set, found a value of type {t}")

    def pos_table(self, dom_type) -> str:
        """A table from an internal key of ``dom_type`` to its position in the domain."""
        keys = domain_keys(self.atoms, dom_type)
        k = ("pos", keys)
        if k not in self._pos_tables:
            if isinstance(dom_type, ir.AtomType):
                n = max(len(self.atoms.names), (max(keys) + 1) if keys else 0)
                table = [None] * n
                for i, x in enumerate(keys):
                    table[int(x)] = i
                self._pos_tables[k] = self.const(tuple(table))
            else:
                self._pos_tables[k] = self.const({x: i for i, x in enumerate(keys)})
        return self._pos_tables[k]

    def key_pos(self, dom_type, x: X, what: str) -> X:
        """The position of key ``x`` in the domain ``dom_type``. A key outside the domain
        fails at run time: a ``None`` from the table breaks the index arithmetic (TypeError)
        or the dict lookup raises KeyError; the search reports either as an evaluation error."""
        keys = domain_keys(self.atoms, dom_type)
        if x.static:
            for i, kk in enumerate(keys):
                if kk == x.val:
                    return X(str(i), ir.IntType(i, i), i)
            return X(f"_dom({x.src}, {self.pos_table(dom_type)}, {what!r})", ir.IntType(0, 0))
        return X(f"{self.pos_table(dom_type)}[{x.src}]", ir.IntType(0, len(keys) - 1))

    # ------------------------------------------------------------------ expressions

    def expr(self, e, ctx: Ctx) -> X:
        m = getattr(self, "_x_" + type(e).__name__, None)
        if m is None:
            raise CompileError(f"the builtin checker does not support expression {type(e).__name__}")
        return m(e, ctx)

    def _x_IntLit(self, e, ctx):
        return X(repr(e.value), ir.IntType(e.value, e.value), e.value)

    def _x_BoolLit(self, e, ctx):
        return X(repr(bool(e.value)), ir.BoolType(), bool(e.value))

    def _x_AtomLit(self, e, ctx):
        c = self.atoms.code(e.name)
        return X(str(c), ir.AtomType((e.name,)), c)

    def _x_ConstRef(self, e, ctx):
        c = self.model.const(e.name)
        if c is None:
            raise CompileError(f"unknown constant {e.name}")
        if c.atoms is not None:
            v = frozenset(self.atoms.code(a) for a in c.atoms)
            return X(self.const(v), ir.SetType(ir.AtomType(c.atoms, c.name)), v)
        return X(repr(c.value), ir.IntType(c.value, c.value), c.value)

    def _x_SelfRef(self, e, ctx):
        if ctx.self_code is None:
            raise CompileError("`self` used outside an actor's step")
        a = ctx.actor
        t = ir.AtomType(self.model.procs(a), a.proc_set)
        return X(str(ctx.self_code), t, ctx.self_code)

    def _x_BoundRef(self, e, ctx):
        x = ctx.bound.get(e.name)
        if x is None:
            raise CompileError(f"unbound name {e.name}")
        return x

    def _x_VarRef(self, e, ctx):
        return self._read_path(e, ctx)

    def _x_LocalRef(self, e, ctx):
        return self._read_path(e, ctx)

    def _x_Field(self, e, ctx):
        p = self.path(e, ctx)
        if p is not None:
            return self._read(p, ctx)
        b = self.expr(e.base, ctx)
        if not isinstance(b.type, ir.RecordType):
            raise CompileError(f"field .{e.name} of a non-record value of type {b.type}")
        i = field_index(b.type, e.name)
        ft = b.type.fields[i].type
        if b.static:
            return X(self.lit(b.val[i]), ft, b.val[i])
        return X(f"{b.src}[{i}]", ft)

    def _x_Index(self, e, ctx):
        p = self.path(e, ctx)
        if p is not None:
            return self._read(p, ctx)
        b = self.expr(e.base, ctx)
        if not isinstance(b.type, ir.FuncType):
            raise CompileError(f"indexing a value of type {b.type}, which is not a function")
        k = self.expr(e.index, ctx)
        pos = self.key_pos(b.type.domain, k, "function value")
        if b.static and pos.static:
            v = b.val[pos.val]
            return X(self.lit(v), b.type.range, v)
        return X(f"{b.src}[{pos.src}]", b.type.range)

    def _x_Unary(self, e, ctx):
        a = self.expr(e.operand, ctx)
        if e.op == "!":
            if a.static:
                return X(repr(not a.val), ir.BoolType(), not a.val)
            return X(f"(not {a.src})", ir.BoolType(), safe=a.pure)
        if e.op == "-":
            if a.static:
                return X(repr(-a.val), a.type, -a.val)
            return X(f"(-{a.src})", ir.IntType(0, 0))
        raise CompileError(f"unknown unary operator {e.op}")

    def _x_Binary(self, e, ctx):
        op = e.op
        a = self.expr(e.left, ctx)
        # short-circuit folding for boolean connectives
        if op in ("&&", "||", "=>") and a.static:
            if op == "&&":
                return self.expr(e.right, ctx) if a.val else X("False", ir.BoolType(), False)
            if op == "||":
                return X("True", ir.BoolType(), True) if a.val else self.expr(e.right, ctx)
            return self.expr(e.right, ctx) if a.val else X("True", ir.BoolType(), True)
        b = self.expr(e.right, ctx)
        rtype = self._binary_type(op, a.type, b.type)
        if a.static and b.static:
            try:
                v = _fold(op, a.val, b.val)
                return X(self.lit(v), rtype, v)
            except ArithmeticError:
                pass  # division by zero and the like: an evaluation error at run time
        if op in ("&&", "||", "=>") and b.static and a.pure:
            if op == "&&":
                return a if b.val else X("False", ir.BoolType(), False)
            if op == "||":
                return X("True", ir.BoolType(), True) if b.val else a
            return X("True", ir.BoolType(), True) if b.val else X(f"(not {a.src})", ir.BoolType(), safe=True)
        if op in ("&&", "||", "=>") and b.static:
            # the left operand is still evaluated (TLC would, and it may fail)
            if op == "&&":
                return a if b.val else X(f"({a.src} and False)", ir.BoolType())
            if op == "||":
                return X(f"({a.src} or True)", ir.BoolType()) if b.val else a
            return X(f"(not {a.src} or True)", ir.BoolType()) if b.val else X(f"(not {a.src})", ir.BoolType())
        o = ops.binop(op)
        if op == "%" and b.static and b.val > 0:
            return X(f"({a.src} % {b.src})", rtype)
        return X(o.py.format(a=a.src, b=b.src), rtype, safe=o.total and a.pure and b.pure)

    def _binary_type(self, op, ta, tb):
        if ops.binop(op).result == "int":
            return ir.IntType(0, 0)
        if op in ("union", "inter", "minus"):
            return self._join(ta, tb) if op == "union" else ta
        return ir.BoolType()

    def _join(self, ta, tb):
        if isinstance(ta, ir.SetType) and isinstance(tb, ir.SetType):
            return ir.SetType(self._join(ta.elem, tb.elem))
        if isinstance(ta, ir.AtomType) and isinstance(tb, ir.AtomType):
            if ta.atoms == tb.atoms:
                return ta
            atoms = tuple(dict.fromkeys(ta.atoms + tb.atoms))
            return ir.AtomType(atoms)
        if isinstance(ta, ir.IntType) and isinstance(tb, ir.IntType):
            return ir.IntType(min(ta.lo, tb.lo), max(ta.hi, tb.hi))
        if isinstance(ta, ir.AtomType) and not ta.atoms:
            return tb
        return ta

    def _x_SetLit(self, e, ctx):
        xs = [self.expr(x, ctx) for x in e.elems]
        et = ir.AtomType(())
        for x in xs:
            et = self._join(et, x.type) if xs else et
        t = ir.SetType(et)
        if all(x.static for x in xs):
            v = frozenset(x.val for x in xs)
            return X(self.const(v), t, v)
        return X("frozenset((" + "".join(x.src + ", " for x in xs) + "))", t)

    def _x_RangeLit(self, e, ctx):
        lo, hi = self.expr(e.lo, ctx), self.expr(e.hi, ctx)
        if lo.static and hi.static:
            v = frozenset(range(lo.val, hi.val + 1))
            return X(self.const(v), ir.SetType(ir.IntType(lo.val, hi.val)), v)
        return X(f"frozenset(range({lo.src}, {hi.src} + 1))", ir.SetType(ir.IntType(0, 0)))

    def _x_Card(self, e, ctx):
        s = self.expr(e.set, ctx)
        if s.static:
            return X(str(len(s.val)), ir.IntType(0, 0), len(s.val))
        return X(f"len({s.src})", ir.IntType(0, 0))

    def _static_elems(self, dom: X):
        return sorted(dom.val, key=lambda v: (isinstance(v, tuple), v))

    def _x_Quant(self, e, ctx):
        dom = self.expr(e.domain, ctx)
        et = self._elem_type(dom.type)
        if dom.static and ctx.unroll * max(1, len(dom.val)) <= UNROLL_MAX:
            parts = []
            for v in self._static_elems(dom):
                body = self.expr(e.body, ctx.with_bound(e.var, X(self.lit(v), et, v), len(dom.val)))
                if body.static:
                    if e.kind == "forall" and not body.val:
                        return X("False", ir.BoolType(), False)
                    if e.kind == "exists" and body.val:
                        return X("True", ir.BoolType(), True)
                    continue
                parts.append(body.src)
            if not parts:
                v = e.kind == "forall"
                return X(repr(v), ir.BoolType(), v)
            joiner = " and " if e.kind == "forall" else " or "
            return X("(" + joiner.join(parts) + ")", ir.BoolType())
        name = self.fresh("q")
        body = self.expr(e.body, ctx.with_bound(e.var, X(name, et), UNROLL_MAX))
        fn = "all" if e.kind == "forall" else "any"
        return X(f"{fn}({body.src} for {name} in {dom.src})", ir.BoolType())

    def _x_SetFilter(self, e, ctx):
        dom = self.expr(e.domain, ctx)
        et = self._elem_type(dom.type)
        name = self.fresh("q")
        cond = self.expr(e.cond, ctx.with_bound(e.var, X(name, et), UNROLL_MAX))
        if dom.static and cond.static:
            v = dom.val if cond.val else frozenset()
            return X(self.const(v), dom.type, v)
        return X(f"frozenset({name} for {name} in {dom.src} if {cond.src})", dom.type)

    def _x_IfExpr(self, e, ctx):
        c = self.expr(e.cond, ctx)
        if c.static:
            return self.expr(e.then if c.val else e.orelse, ctx)
        a, b = self.expr(e.then, ctx), self.expr(e.orelse, ctx)
        return X(f"({a.src} if {c.src} else {b.src})", a.type)

    def _x_RecordLit(self, e, ctx):
        given = dict(e.fields)
        xs = []
        for f in e.type.fields:
            xs.append(self.expr(given[f.name] if f.name in given else f.default, ctx))
        if all(x.static for x in xs):
            v = tuple(x.val for x in xs)
            return X(self.const(v), e.type, v)
        return X("(" + "".join(x.src + ", " for x in xs) + ")", e.type)

    def _x_FuncLit(self, e, ctx):
        dom = self.expr(e.domain, ctx)
        et = self._elem_type(dom.type)
        if dom.static:
            xs = [self.expr(e.body, ctx.with_bound(e.var, X(self.lit(v), et, v), len(dom.val)))
                  for v in self._static_elems(dom)]
            rt = xs[0].type if xs else ir.BoolType()
            t = ir.FuncType(self._dom_type(et, dom.val), rt)
            if all(x.static for x in xs):
                v = tuple(x.val for x in xs)
                return X(self.const(v), t, v)
            return X("(" + "".join(x.src + ", " for x in xs) + ")", t)
        name = self.fresh("q")
        body = self.expr(e.body, ctx.with_bound(e.var, X(name, et), UNROLL_MAX))
        # a function value is a tuple over the whole domain type: a literal over a smaller set
        # has no such representation, so it is an evaluation error, never a shifted tuple
        keys = self.const(tuple(domain_keys(self.atoms, et)))
        what = self.const(f"a function literal ranges over a set that is not all of {et} (the builtin "
                          f"checker represents functions only over a whole type)")
        return X(f"tuple({body.src} for {name} in _fulldom({dom.src}, {keys}, {what}))",
                 ir.FuncType(et, body.type))

    def _dom_type(self, et, vals):
        """The domain type of a function literal: exactly the set it ranges over."""
        if isinstance(et, ir.AtomType):
            names = tuple(self.atoms.names[c] for c in sorted(vals))
            return ir.AtomType(names, et.name if set(names) == set(et.atoms) else None)
        if isinstance(et, ir.IntType) and vals:
            return ir.IntType(min(vals), max(vals))
        return et

    def _x_At(self, e, ctx):
        a = self.model.actor(e.actor)
        if a is None:
            raise CompileError(f"unknown actor {e.actor}")
        idx = self._pc_index(a, e.proc, ctx)
        codes = []
        for name in e.steps:
            if name == ir.DONE:
                codes.append(len(a.steps))
            else:
                codes.append(next(i for i, s in enumerate(a.steps) if s.name == name))
        safe = idx.isdigit()
        if len(codes) == 1:
            return X(f"({ctx.W}[{idx}] == {codes[0]})", ir.BoolType(), safe=safe)
        return X(f"({ctx.W}[{idx}] in {self.const(frozenset(codes))})", ir.BoolType(), safe=safe)

    def _pc_index(self, a: ir.Actor, proc, ctx) -> str:
        base = self.layout.pc_base[a.name]
        if proc is None:
            if ctx.actor is not None and ctx.actor.name == a.name and ctx.proc_index is not None:
                return str(base + ctx.proc_index)
            if a.proc_set is None:
                return str(base)
            raise CompileError(f"`at` on actor family {a.name} needs a process")
        px = self.expr(proc, ctx)
        dt = ir.AtomType(self.model.procs(a), a.proc_set)
        pos = self.key_pos(dt, px, f"{a.name}[...]")
        if pos.static:
            return str(base + pos.val)
        return f"{base} + {pos.src}"

    def _x_InType(self, e, ctx):
        return self.intype(e.expr, e.type, ctx)

    def intype(self, expr, t, ctx) -> X:
        p = self.path(expr, ctx)
        if p is not None and not p.terms and is_composite(t):
            parts = []
            if isinstance(t, ir.RecordType):
                if not isinstance(p.type, ir.RecordType):
                    return X("False", ir.BoolType(), False)
                for f in t.fields:
                    parts.append(self.intype(ir.Field(expr, f.name), f.type, ctx))
            else:
                if not isinstance(p.type, ir.FuncType):
                    return X("False", ir.BoolType(), False)
                if domain_keys(self.atoms, p.type.domain) != domain_keys(self.atoms, t.domain):
                    return X("False", ir.BoolType(), False)
                for k in domain_keys(self.atoms, t.domain):
                    parts.append(self.intype(ir.Index(expr, _key_lit(self.atoms, k, t.domain)), t.range, ctx))
            srcs = [x.src for x in parts if not x.static]
            if any(x.static and not x.val for x in parts):
                return X("False", ir.BoolType(), False)
            if not srcs:
                return X("True", ir.BoolType(), True)
            return X("(" + " and ".join(srcs) + ")", ir.BoolType())
        if p is not None and not p.terms and isinstance(t, ir.BoolType) and isinstance(p.type, ir.BoolType):
            leaf = self.layout.leaves[p.base]
            if leaf.kind == "bool" and leaf.width == 1:
                # a one-bit leaf holds false or true and nothing else
                return X("True", ir.BoolType(), True)
        x = self.expr(expr, ctx)
        return self.member(x, t)

    def member(self, x: X, t) -> X:
        if isinstance(t, ir.BoolType):
            return X(f"({x.src} in (0, 1))", ir.BoolType(), safe=x.pure)
        if isinstance(t, ir.IntType):
            return X(f"({t.lo} <= {x.src} <= {t.hi})", ir.BoolType(), safe=x.pure)
        if isinstance(t, ir.AtomType):
            codes = frozenset(self.atoms.code(a) for a in t.atoms)
            return X(f"({x.src} in {self.const(codes)})", ir.BoolType(), safe=x.pure)
        if isinstance(t, ir.SetType):
            try:
                universe = frozenset(all_values(self.atoms, t.elem))
                return X(f"({x.src} <= {self.const(universe)})", ir.BoolType())
            except CompileError:
                pass
        checker = _make_checker(self.atoms, t)
        return X(f"{self.const(checker)}({x.src})", ir.BoolType())

    # ------------------------------------------------------------------ state paths

    def path(self, e, ctx) -> _Path | None:
        if isinstance(e, ir.VarRef):
            v = self.model.var(e.name)
            if v is None:
                raise CompileError(f"unknown variable {e.name}")
            return _Path(self.layout.var_base[e.name], [], v.type)
        if isinstance(e, ir.LocalRef):
            a = self.model.actor(e.actor)
            if a is None or a.local(e.name) is None:
                raise CompileError(f"unknown local {e.actor}.{e.name}")
            loc = a.local(e.name)
            base = self.layout.local_base[(a.name, e.name)]
            size = self.layout.local_size[(a.name, e.name)]
            if e.proc is None:
                if ctx.actor is None or ctx.actor.name != a.name:
                    if a.proc_set is None:
                        return _Path(base, [], loc.type)
                    raise CompileError(f"local {e.actor}.{e.name} read without a process")
                return _Path(base + ctx.proc_index * size, [], loc.type)
            px = self.expr(e.proc, ctx)
            pos = self.key_pos(ir.AtomType(self.model.procs(a), a.proc_set), px, f"{a.name}[...]")
            if pos.static:
                return _Path(base + pos.val * size, [], loc.type)
            return _Path(base, [f"{pos.src} * {size}" if size != 1 else pos.src], loc.type)
        if isinstance(e, ir.Field):
            p = self.path(e.base, ctx)
            if p is None:
                return None
            if not isinstance(p.type, ir.RecordType):
                raise CompileError(f"field .{e.name} of a non-record value of type {p.type}")
            off, ft = field_offset(p.type, e.name)
            return _Path(p.base + off, p.terms, ft)
        if isinstance(e, ir.Index):
            p = self.path(e.base, ctx)
            if p is None:
                return None
            if not isinstance(p.type, ir.FuncType):
                raise CompileError(f"indexing a value of type {p.type}, which is not a function")
            k = self.expr(e.index, ctx)
            stride = leaf_count(p.type.range)
            pos = self.key_pos(p.type.domain, k, _describe(e.base))
            if pos.static:
                return _Path(p.base + pos.val * stride, p.terms, p.type.range)
            term = f"{pos.src} * {stride}" if stride != 1 else pos.src
            return _Path(p.base, p.terms + [term], p.type.range)
        return None

    def _read_path(self, e, ctx) -> X:
        return self._read(self.path(e, ctx), ctx)

    def _read(self, p: _Path, ctx) -> X:
        if not is_composite(p.type):
            return X(f"{ctx.W}[{p.src()}]", p.type, safe=not p.terms)
        sh = shape(p.type)
        n = leaf_count(p.type)
        if is_flat(sh):
            if not p.terms:
                return X(f"tuple({ctx.W}[{p.base}:{p.base + n}])", p.type)
            i = f"({p.src()})"
            return X(f"(lambda i: tuple({ctx.W}[i:i + {n}]))({i})", p.type)
        return X(f"_rd({ctx.W}, {p.src()}, {self.const(sh)})", p.type)
