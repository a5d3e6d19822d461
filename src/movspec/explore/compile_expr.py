"""Expressions -> Python source (the expression half of ``explore.compile.Compiler``).

One ``_x_<Node>`` method per IR expression node, dispatched by ``expr``; domains, type
membership and reads of the state (``path``, ``intype``) are in ``compile_path``."""

from __future__ import annotations

from .. import ops
from ..ir import nodes as ir
from ..ir.lower import function_step_copies
from ..ir.typejoin import join
from .codegen import UNROLL_MAX, Ctx, X, _fold
from .compile_path import PathCompiler
from .domains import CompileError, domain_keys, field_index


class ExprCompiler(PathCompiler):
    """Compiles expressions; the attributes it uses (``model``, ``atoms``, ``layout``, ``ns``,
    ``const``, ``fresh``...) are the compiler's."""

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
            return join(ta, tb) if op == "union" else ta
        return ir.BoolType()

    def _x_SetLit(self, e, ctx):
        return self._collection(e, ctx, ir.SetType, frozenset, "frozenset((", "))")

    def _collection(self, e, ctx, make_type, make, open_: str, close: str):
        """A set or list literal: its element type is the join of its elements' (that of an
        empty one has no values, the bottom of the join); a constant when they all are."""
        xs = [self.expr(x, ctx) for x in e.elems]
        et = ir.AtomType(())
        for x in xs:
            et = join(et, x.type)
        t = make_type(et)
        if all(x.static for x in xs):
            v = make(x.val for x in xs)
            return X(self.const(v), t, v)
        return X(open_ + "".join(x.src + ", " for x in xs) + close, t)

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
        for name in (e.steps if e.func is None else function_step_copies(a, e.func, e.steps)):
            if name == ir.DONE:
                codes.append(len(a.steps))
            else:
                codes.append(next(i for i, s in enumerate(a.steps) if s.name == name))
        safe = idx.isdigit()
        if len(codes) == 1:
            return X(f"({ctx.W}[{idx}] == {codes[0]})", ir.BoolType(), safe=safe)
        return X(f"({ctx.W}[{idx}] in {self.const(frozenset(codes))})", ir.BoolType(), safe=safe)

    def _x_InType(self, e, ctx):
        return self.intype(e.expr, e.type, ctx)

    def _x_SeqLit(self, e, ctx):
        return self._collection(e, ctx, ir.ListType, tuple, "(", ")")

    def _x_ListOp(self, e, ctx):
        lst = self.expr(e.list, ctx)
        if not isinstance(lst.type, ir.ListType):
            raise CompileError(f"a list operation on a value of type {lst.type}")
        if e.op == "len":
            if lst.static:
                return X(str(len(lst.val)), ir.IntType(0, 0), len(lst.val))
            return X(f"len({lst.src})", ir.IntType(0, 0), safe=lst.pure)
        if e.op == "first":
            return X(f"_lfirst({lst.src})", lst.type.elem)
        x = self.expr(e.elem, ctx)
        if e.op == "keep":
            return X(f"_lkeep({lst.src}, {x.src})", lst.type)
        if e.op == "has":
            if lst.static and x.static:
                return X(repr(x.val in lst.val), ir.BoolType(), x.val in lst.val)
            return X(f"({x.src} in {lst.src})", ir.BoolType(), safe=lst.pure and x.pure)
        fn = {"add": "_ladd", "add_tail": "_ltail", "del": "_ldel"}[e.op]
        return X(f"{fn}({lst.src}, {x.src})", ir.ListType(join(lst.type.elem, x.type)))
