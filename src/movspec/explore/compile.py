"""Compile an IR model into Python source: one successor function, invariant checks, the
initial state, and (with symmetry) a canonicalisation function. The source is exec'd once
per model; no IR tree is walked per state.

Contract
--------
``compile_model(model, symmetry=True) -> Compiled``. A state is a packed ``int`` (see
``layout``); ``Compiled.dec(s)`` unpacks it into ``W``, a list of internal leaf values.

``succ(s, W, out, viol, cov)`` appends the packed successors of ``s`` to ``out`` (one per
enabled step and per nondeterministic branch, duplicates included) and counts each in
``cov[sid]``; a failed ``Assert``/``Call`` appends ``(prop_index, sid, message)`` to
``viol`` and the step goes on as if it had held. ``succ_labeled`` is the same but appends
``(successor, sid)``. ``step_fns[sid](s, W, out, viol, cov)`` runs one process's step alone
(used to pin an evaluation error on a step).

Semantics follow the PlusCal translation exactly (see ``ir.nodes``): statements run in
order, reads see earlier writes of the same step, ``Await`` false blocks the path,
``Either``/``With`` branch, ``Goto`` ends the step, falling off the end moves to the next
step of the actor, or to ``Done``.

How the generated code stays fast: every step is specialised per process (``self`` and its
locals are constants); quantifiers and function literals over constant domains are unrolled
so that ``page[p].ref`` under ``forall p in Pages`` becomes a fixed leaf; writes update a
copy of ``W`` and accumulate the change of the packed state as an integer delta (a leaf's
code is an affine function of its value), so a successor costs no re-packing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import permutations, product
from typing import Callable

from .. import ops
from ..ir import nodes as ir
from ..ir.symmetry import symmetry_off_reason
from .layout import (AtomTable, CompileError, EvalError, Layout, Overflow, _walk, all_values,
                     build_atoms, domain_keys, field_index, field_offset, is_composite, is_flat,
                     leaf_count, overflow_message, shape)

_NOVAL = object()
UNROLL_MAX = 64  # quantifier bodies unrolled at most this many times (nested included)


@dataclass
class X:
    """A compiled expression: Python source, its IR type, and its value when static."""

    src: str
    type: object
    val: object = _NOVAL
    safe: bool = False  # evaluating it cannot fail (so it may be folded away)

    @property
    def static(self) -> bool:
        return self.val is not _NOVAL

    @property
    def pure(self) -> bool:
        return self.safe or self.static


@dataclass
class Ctx:
    actor: ir.Actor | None = None
    self_code: int | None = None
    proc_index: int | None = None
    W: str = "W"
    bound: dict = field(default_factory=dict)
    unroll: int = 1

    def with_bound(self, name: str, x: X, unroll: int = 1) -> "Ctx":
        b = dict(self.bound)
        b[name] = x
        return Ctx(self.actor, self.self_code, self.proc_index, self.W, b, self.unroll * unroll)


@dataclass
class StepInfo:
    sid: int
    actor: ir.Actor
    proc: str
    proc_index: int
    step: ir.Step


@dataclass
class Compiled:
    model: ir.Model
    atoms: AtomTable
    layout: Layout
    steps: list[StepInfo]
    props: list[str]  # property names for viol indexes (asserts, calls)
    invariants: list[ir.Invariant]
    init_states: list[int]
    dec: object
    succ: object
    succ_labeled: object
    step_fns: list
    inv_fns: list  # one function per invariant: W -> bool
    make_inv_all: object  # (indexes) -> function W -> bool (all those invariants hold)
    alldone: object
    canon: object | None  # (s, W) -> canonical packed state, None without symmetry
    n_perms: int
    source: str
    namespace: dict
    compiler: "Compiler | None" = None

    def function(self, e) -> "Callable[[list], object]":
        """A state function compiled like the invariants: ``W`` (a decoded state) -> the
        internal value of expression ``e`` (a state predicate, a leadsto side, a constant)."""
        x = self.compiler.expr(e, Ctx(W="W"))
        name = self.compiler.fresh("fn")
        src = f"def {name}(W):\n    return {x.src}\n"
        exec(compile(src, f"<movspec {name}>", "exec"), self.namespace)
        return self.namespace[name]

    def predicate(self, e) -> "Callable[[list], bool]":
        """``function`` for a boolean expression: ``W`` -> ``bool``."""
        f = self.function(e)
        return lambda W: bool(f(W))

    def value(self, e):
        """The plain value (``result`` vocabulary) of a constant expression ``e``, such as the
        domain of a quantifier."""
        x = self.compiler.expr(e, Ctx(W="W"))
        W = self.dec(self.init_states[0]) if self.init_states else []
        v = x.val if x.static else self.function(e)(W)
        return self.layout.plain(v, x.type)


def _fold(op: str, a, b):
    """``a op b`` on internal values (TLA+'s meaning; ``ops.OpError``/``ZeroDivisionError``
    where it is undefined, which leaves the expression to run time)."""
    return ops.binop(op).apply(a, b)


def _has_control(stmts) -> bool:
    for s in stmts:
        if isinstance(s, (ir.Goto, ir.Await, ir.Either, ir.With)):
            return True
        if isinstance(s, ir.If) and (_has_control(s.then) or _has_control(s.orelse)):
            return True
    return False


def _has_write(stmts) -> bool:
    for s in stmts:
        if isinstance(s, ir.Assign):
            return True
        if isinstance(s, ir.If) and (_has_write(s.then) or _has_write(s.orelse)):
            return True
        if isinstance(s, ir.Either) and any(_has_write(b) for b in s.branches):
            return True
        if isinstance(s, ir.With) and _has_write(s.body):
            return True
    return False


@dataclass
class _Path:
    """Where a state path lives: leaf ``base`` plus dynamic terms (source strings)."""

    base: int
    terms: list
    type: object

    def src(self) -> str:
        return " + ".join([str(self.base)] + self.terms) if self.terms else str(self.base)


@dataclass
class _St:
    """Compile-time state of one path through a step."""

    W: str
    d: str
    private: bool
    straight: bool


class Compiler:
    def __init__(self, model: ir.Model, symmetry: bool = True):
        _ROOTS.clear()
        self.model = model
        self.atoms = build_atoms(model)
        self.layout = Layout(model, self.atoms)
        self.ns: dict = {}
        self._consts: dict = {}
        self._n = 0
        self.symmetry = symmetry and symmetry_off_reason(model) is None  # sound only then
        self.props: list[str] = []
        self._pos_tables: dict = {}
        self._install_runtime()

    # ------------------------------------------------------------------ names and constants

    def fresh(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def const(self, value) -> str:
        key = (type(value).__name__, value) if not isinstance(value, dict) else None
        if key is not None:
            try:
                hash(key)
            except TypeError:
                key = None
        if key is not None and key in self._consts:
            return self._consts[key]
        name = self.fresh("K")
        self.ns[name] = value
        if key is not None:
            self._consts[key] = name
        return name

    def lit(self, value) -> str:
        """Source for a static value (ints and bools inline, the rest as constants)."""
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, int):
            return repr(value)
        return self.const(value)

    def prop_index(self, name: str) -> int:
        if name not in self.props:
            self.props.append(name)
        return self.props.index(name)

    def _install_runtime(self) -> None:
        layout = self.layout
        leaves = layout.leaves

        def _rd(W, i, sh):
            if sh[0] == "r":
                return tuple(W[i + o] if s is None else _rd(W, i + o, s) for s, o in zip(sh[1], sh[2]))
            n, st, sub = sh[1], sh[2], sh[3]
            if sub is None:
                return tuple(W[i:i + n])
            return tuple(_rd(W, i + k * st, sub) for k in range(n))

        def _wr(W, i, sh, v):
            """Store composite ``v`` from leaf ``i``; return the change of the packed state."""
            if sh is None:
                leaf = leaves[i]
                delta = (layout.leaf_code(leaf, v) - layout.leaf_code(leaf, W[i])) << leaf.offset
                W[i] = v
                return delta
            d = 0
            if sh[0] == "r":
                if len(v) != len(sh[1]):
                    raise EvalError("record value of the wrong shape")
                for s, o, x in zip(sh[1], sh[2], v):
                    d += _wr(W, i + o, s, x)
                return d
            n, st, sub = sh[1], sh[2], sh[3]
            if len(v) != n:
                raise EvalError("function value over the wrong domain")
            for k in range(n):
                d += _wr(W, i + k * st, sub, v[k])
            return d

        def _st(W, i, sh, v):
            if sh is None:
                W[i] = v
                return
            if sh[0] == "r":
                for s, o, x in zip(sh[1], sh[2], v):
                    _st(W, i + o, s, x)
                return
            n, st, sub = sh[1], sh[2], sh[3]
            for k in range(n):
                _st(W, i + k * st, sub, v[k])

        def _ovf(i, v):
            leaf = leaves[i]
            raise Overflow(overflow_message(layout.leaf_name(leaf), v, leaf.type),
                           layout.leaf_name(leaf), v, leaf.type)

        def _encset(i, v):
            return layout.encode_set(leaves[i], v)

        def _dom(x, table, what):
            try:
                r = table[x]
            except (KeyError, IndexError, TypeError):
                r = None
            if r is None:
                raise EvalError(f"{what} applied to an argument outside its domain")
            return r

        def _fulldom(dom, keys, what):
            elems = tuple(sorted(dom))
            if elems != keys:
                raise EvalError(what)
            return elems

        self.ns.update(_rd=_rd, _wr=_wr, _st=_st, _ovf=_ovf, _encset=_encset, _dom=_dom,
                       _fulldom=_fulldom, _mod=ops.mod,
                       EvalError=EvalError, OFF=tuple(l.offset for l in leaves))

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

    # ------------------------------------------------------------------ statements

    def compile_step(self, info: StepInfo, labeled: bool) -> str:
        a = info.actor
        ctx = Ctx(a, self.atoms.code(info.proc), info.proc_index, "W0", {})
        self._pc_leaf = self.layout.pc_base[a.name] + info.proc_index
        self._step_index = next(i for i, s in enumerate(a.steps) if s is info.step)
        self._sid = info.sid
        self._labeled = labeled
        self._actor = a
        lines = [f"def step_{info.sid}(s, W0, out, viol, cov):",
                 f"    # {a.name}({info.proc}).{info.step.name}"]
        st = _St("W0", "d0", False, True)
        lines.append("    d0 = 0")
        self._seq(tuple(info.step.body), st, ctx, 1, lines)
        return "\n".join(lines)

    def _emit(self, lines, ind, text):
        lines.append("    " * ind + text)

    def _seq(self, stmts: tuple, st: _St, ctx: Ctx, ind: int, lines: list) -> None:
        if not stmts:
            nxt = self._step_index + 1
            self._finish(nxt, st, ind, lines)
            return
        s, rest = stmts[0], stmts[1:]
        ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
        if isinstance(s, ir.Skip):
            self._seq(rest, st, ctx, ind, lines)
        elif isinstance(s, ir.Assign):
            self._assign(s, st, ctx, ind, lines, rest)
            self._seq(rest, st, ctx, ind, lines)
        elif isinstance(s, (ir.Assert, ir.Call)):
            if isinstance(s, ir.Assert):
                c = self.expr(s.cond, ctx)
                msg = s.message
            else:
                c = self._read_path(ir.VarRef(s.loaded_var), ctx)
                msg = s.message
            pi = self.prop_index(s.prop)
            rec = f"viol.append(({pi}, {self._sid}, {self.const(msg)}))"
            if c.static:
                if not c.val:
                    self._emit(lines, ind, rec)
            else:
                self._emit(lines, ind, f"if not {c.src}:")
                self._emit(lines, ind + 1, rec)
            self._seq(rest, st, ctx, ind, lines)
        elif isinstance(s, ir.Await):
            c = self.expr(s.cond, ctx)
            if c.static:
                if c.val:
                    self._seq(rest, st, ctx, ind, lines)
                return
            if st.straight:
                self._emit(lines, ind, f"if not {c.src}:")
                self._emit(lines, ind + 1, "return")
                self._seq(rest, st, ctx, ind, lines)
            else:
                self._emit(lines, ind, f"if {c.src}:")
                self._body(rest, _St(st.W, st.d, st.private, False), ctx, ind + 1, lines)
        elif isinstance(s, ir.Goto):
            if s.target == ir.DONE:
                target = len(self._actor.steps)
            else:
                target = next((i for i, x in enumerate(self._actor.steps) if x.name == s.target), None)
                if target is None:
                    raise CompileError(f"goto to unknown step {s.target} in actor {self._actor.name}")
            self._finish(target, st, ind, lines)
        elif isinstance(s, ir.If):
            c = self.expr(s.cond, ctx)
            if c.static:
                self._seq(tuple(s.then if c.val else s.orelse) + rest, st, ctx, ind, lines)
                return
            if not _has_control(s.then) and not _has_control(s.orelse):
                if not st.private and (_has_write(s.then) or _has_write(s.orelse)):
                    self._make_private(st, ind, lines)
                    ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
                self._emit(lines, ind, f"if {c.src}:")
                self._block(s.then, st, ctx, ind + 1, lines)
                if s.orelse:
                    self._emit(lines, ind, "else:")
                    self._block(s.orelse, st, ctx, ind + 1, lines)
                self._seq(rest, st, ctx, ind, lines)
                return
            self._emit(lines, ind, f"if {c.src}:")
            self._body(tuple(s.then) + rest, _St(st.W, st.d, st.private, st.straight), ctx, ind + 1, lines)
            self._emit(lines, ind, "else:")
            self._body(tuple(s.orelse) + rest, _St(st.W, st.d, st.private, st.straight), ctx, ind + 1, lines)
        elif isinstance(s, ir.Either):
            for branch in s.branches:
                sub = self._fork(st, ind, lines)
                self._seq(tuple(branch) + rest, sub, ctx, ind, lines)
        elif isinstance(s, ir.With):
            dom = self.expr(s.domain, ctx)
            et = self._elem_type(dom.type)
            var = self.fresh("w")
            if dom.static:
                src = self.const(tuple(self._static_elems(dom)))
            else:
                src = dom.src
            self._emit(lines, ind, f"for {var} in {src}:")
            sub = self._fork(st, ind + 1, lines)
            ctx2 = ctx.with_bound(s.var, X(var, et), UNROLL_MAX)
            self._body(tuple(s.body) + rest, sub, ctx2, ind + 1, lines)
        else:
            raise CompileError(f"the builtin checker does not support statement {type(s).__name__}")

    def _body(self, stmts: tuple, st: _St, ctx: Ctx, ind: int, lines: list) -> None:
        """``_seq`` as the body of a compound statement (never empty)."""
        start = len(lines)
        self._seq(stmts, st, ctx, ind, lines)
        if len(lines) == start:
            self._emit(lines, ind, "pass")

    def _block(self, stmts, st: _St, ctx: Ctx, ind: int, lines: list) -> None:
        """Straight-line statements (no control transfer) inside a simple ``if``."""
        start = len(lines)
        for s in stmts:
            ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
            if isinstance(s, ir.Skip):
                continue
            if isinstance(s, ir.Assign):
                self._assign(s, st, ctx, ind, lines)
            elif isinstance(s, (ir.Assert, ir.Call)):
                c = (self.expr(s.cond, ctx) if isinstance(s, ir.Assert)
                     else self._read_path(ir.VarRef(s.loaded_var), ctx))
                rec = f"viol.append(({self.prop_index(s.prop)}, {self._sid}, {self.const(s.message)}))"
                if c.static:
                    if not c.val:
                        self._emit(lines, ind, rec)
                else:
                    self._emit(lines, ind, f"if not {c.src}:")
                    self._emit(lines, ind + 1, rec)
            elif isinstance(s, ir.If):
                c = self.expr(s.cond, ctx)
                if c.static:
                    self._block(s.then if c.val else s.orelse, st, ctx, ind, lines)
                    continue
                self._emit(lines, ind, f"if {c.src}:")
                self._block(s.then, st, ctx, ind + 1, lines)
                if s.orelse:
                    self._emit(lines, ind, "else:")
                    self._block(s.orelse, st, ctx, ind + 1, lines)
            else:
                raise CompileError(f"unexpected {type(s).__name__} in a straight block")
        if len(lines) == start:
            self._emit(lines, ind, "pass")

    def _fork(self, st: _St, ind: int, lines: list) -> _St:
        d = self.fresh("d")
        self._emit(lines, ind, f"{d} = {st.d}")
        return _St(st.W, d, False, False)

    def _make_private(self, st: _St, ind: int, lines: list) -> None:
        w = self.fresh("W")
        self._emit(lines, ind, f"{w} = {st.W}.copy()")
        st.W = w
        st.private = True

    def _assign(self, s: ir.Assign, st: _St, ctx: Ctx, ind: int, lines: list, rest=None) -> None:
        p = self.path(s.target, ctx)
        if p is None:
            raise CompileError("assignment to something that is not a variable or local")
        val = self.expr(s.value, ctx)
        if (rest is not None and not is_composite(p.type) and s.op == "="
                and _root(s.target) not in _roots(rest)):
            # nothing later on this path reads this variable: the write only changes the
            # packed successor (no copy of the leaf list, no store)
            self._delta_only(p, val, st, ind, lines)
            return
        if not st.private:
            self._make_private(st, ind, lines)
            ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
            # the value was compiled against the old list name; both hold equal contents here
        W = st.W
        if p.terms:
            i = self.fresh("i")
            self._emit(lines, ind, f"{i} = {p.src()}")
            off = f"OFF[{i}]"
        else:
            i = str(p.base)
            off = str(self.layout.leaves[p.base].offset)
        leaf = self.layout.leaves[p.base]
        if is_composite(p.type):
            if s.op != "=":
                raise CompileError(f"`{s.op}` on a record or function")
            self._emit(lines, ind, f"{st.d} += _wr({W}, {i}, {self.const(shape(p.type))}, {val.src})")
            return
        v = self.fresh("v")
        if s.op == "=":
            self._emit(lines, ind, f"{v} = {val.src}")
        elif s.op in ("+=", "-="):
            self._emit(lines, ind, f"{v} = {W}[{i}] {s.op[0]} {val.src}")
        else:
            raise CompileError(f"unknown assignment operator {s.op}")
        if leaf.kind == "int" and not (s.op == "=" and val.static and leaf.lo <= val.val <= leaf.hi):
            self._emit(lines, ind, f"if not {leaf.lo} <= {v} <= {leaf.hi}: _ovf({i}, {v})")
        self._emit_delta(leaf, i, off, v, st, ind, lines)
        self._emit(lines, ind, f"{W}[{i}] = {v}")

    def _emit_delta(self, leaf, i: str, off: str, v: str, st: _St, ind: int, lines: list) -> None:
        """Add the change of leaf ``i`` (at bit offset ``off``) to value ``v`` to the packed
        successor's delta ``st.d``, before ``W[i]`` itself is updated."""
        W = st.W
        if leaf.kind == "set":
            if leaf.enc is not None:
                enc = self.const(leaf.enc)
                self._emit(lines, ind, f"{st.d} += ({enc}[{v}] - {enc}[{W}[{i}]]) << {off}")
            else:
                self._emit(lines, ind, f"{st.d} += (_encset({i}, {v}) - _encset({i}, {W}[{i}])) << {off}")
        else:
            self._emit(lines, ind, f"{st.d} += ({v} - {W}[{i}]) << {off}")

    def _delta_only(self, p: _Path, val: X, st: _St, ind: int, lines: list) -> None:
        W = st.W
        leaf = self.layout.leaves[p.base]
        if p.terms:
            i = self.fresh("i")
            self._emit(lines, ind, f"{i} = {p.src()}")
            off = f"OFF[{i}]"
        else:
            i = str(p.base)
            off = str(leaf.offset)
        v = self.fresh("v")
        self._emit(lines, ind, f"{v} = {val.src}")
        if leaf.kind == "int" and not (val.static and leaf.lo <= val.val <= leaf.hi):
            self._emit(lines, ind, f"if not {leaf.lo} <= {v} <= {leaf.hi}: _ovf({i}, {v})")
        self._emit_delta(leaf, i, off, v, st, ind, lines)

    def _finish(self, target: int, st: _St, ind: int, lines: list) -> None:
        pc_off = self.layout.leaves[self._pc_leaf].offset
        k = (target - self._step_index) << pc_off
        succ = f"s + {st.d}" + (f" + {k}" if k > 0 else f" - {-k}" if k < 0 else "")
        if self._labeled:
            self._emit(lines, ind, f"out.append(({succ}, {self._sid}))")
        else:
            self._emit(lines, ind, f"out.append({succ})")
        self._emit(lines, ind, f"cov[{self._sid}] += 1")

    # ------------------------------------------------------------------ the whole model

    def compile(self) -> Compiled:
        model, layout = self.model, self.layout
        for p in model.properties:
            if isinstance(p, ir.AssertProperty):
                self.prop_index(p.name)
        steps: list[StepInfo] = []
        for a in model.actors:
            for pi, proc in enumerate(model.procs(a)):
                for st in a.steps:
                    steps.append(StepInfo(len(steps), a, proc, pi, st))
        parts = ["# generated by movspec.explore.compile for model "
                 f"{model.name!r}, variant {model.variant!r}"]

        # decode ------------------------------------------------------------
        items = []
        for leaf in layout.leaves:
            mask = (1 << leaf.width) - 1
            code = f"(s >> {leaf.offset}) & {mask}" if leaf.offset else f"s & {mask}"
            if leaf.kind == "int":
                items.append(f"({code}) + {leaf.bias}" if leaf.bias >= 0 else f"({code}) - {-leaf.bias}")
            elif leaf.kind == "set":
                items.append(f"{self.const(leaf.dec)}[{code}]" if leaf.dec is not None
                             else f"{self.const(layout)}.decode_set({self.const(leaf)}, {code})")
            else:
                items.append(code)
        parts.append("def dec(s):\n    return [" + ",\n            ".join(items) + "]")

        # steps -------------------------------------------------------------
        step_src = {}
        for info in steps:
            step_src[info.sid] = self.compile_step(info, labeled=False)
            parts.append(step_src[info.sid])
        for info in steps:
            parts.append(self.compile_step(info, labeled=True).replace(
                f"def step_{info.sid}(", f"def lstep_{info.sid}(", 1))

        # dispatch ----------------------------------------------------------
        for labeled in (False, True):
            name = "succ_labeled" if labeled else "succ"
            pre = "lstep_" if labeled else "step_"
            body = [f"def {name}(s, W, out, viol, cov):"]
            for a in model.actors:
                for pi, proc in enumerate(model.procs(a)):
                    idx = layout.pc_base[a.name] + pi
                    fns = [f"{pre}{next(x.sid for x in steps if x.actor is a and x.proc_index == pi and x.step is st)}"
                           for st in a.steps]
                    if len(fns) <= 3:
                        for j, fn in enumerate(fns):
                            kw = "if" if j == 0 else "elif"
                            body.append(f"    {kw} W[{idx}] == {j}: {fn}(s, W, out, viol, cov)")
                    else:
                        table = f"T{'L' if labeled else ''}_{a.name}_{pi}"
                        parts.append(f"{table} = ({', '.join(fns)}, None)")
                        body.append(f"    f = {table}[W[{idx}]]")
                        body.append("    if f is not None: f(s, W, out, viol, cov)")
            if len(body) == 1:
                body.append("    pass")
            parts.append("\n".join(body))
        parts.append("STEP_FNS = (" + "".join(f"step_{i.sid}, " for i in steps) + ")")

        # invariants --------------------------------------------------------
        invariants = [p for p in model.properties if isinstance(p, ir.Invariant)]
        inv_srcs = []
        for k, inv in enumerate(invariants):
            x = self.expr(inv.expr, Ctx(W="W"))
            inv_srcs.append(x.src if not x.static else repr(bool(x.val)))
            parts.append(f"def inv_{k}(W):\n    return bool({inv_srcs[-1]})")
        parts.append("INV_FNS = (" + "".join(f"inv_{k}, " for k in range(len(invariants))) + ")")

        # all done ----------------------------------------------------------
        conds = []
        for a in model.actors:
            for pi, _ in enumerate(model.procs(a)):
                conds.append(f"W[{layout.pc_base[a.name] + pi}] == {len(a.steps)}")
        parts.append("def alldone(W):\n    return " + (" and ".join(conds) if conds else "True"))

        # symmetry ----------------------------------------------------------
        n_perms = 1
        if self.symmetry:
            perms = self._permutations()
            n_perms = len(perms) + 1
            if perms:
                parts.append(self._canon_source(perms))

        source = "\n\n".join(parts) + "\n"
        ns = self.ns
        try:
            code = compile(source, f"<movspec {model.name}:{model.variant}>", "exec")
        except (SyntaxError, RecursionError, MemoryError) as err:  # pragma: no cover - a bug
            raise CompileError(f"generated code does not compile: {err}") from err
        exec(code, ns)

        def make_inv_all(indexes):
            srcs = [inv_srcs[i] for i in indexes]
            if not srcs:
                return None
            fsrc = "def inv_all(W):\n    return " + " and ".join(f"({s})" for s in srcs) + "\n"
            local = dict(ns)
            exec(compile(fsrc, "<movspec invariants>", "exec"), local)
            return local["inv_all"]

        init_states = self._initial_states(ns)
        return Compiled(model, self.atoms, layout, steps, self.props, invariants, init_states,
                        ns["dec"], ns["succ"], ns["succ_labeled"], list(ns["STEP_FNS"]),
                        list(ns["INV_FNS"]), make_inv_all, ns["alldone"], ns.get("canon"),
                        n_perms, source, ns, self)

    # ------------------------------------------------------------------ initial state

    def _initial_states(self, ns) -> list[int]:
        model, layout = self.model, self.layout
        W = [None] * len(layout.leaves)
        src = ["def init(W):"]
        for v in model.vars:
            x = self.expr(v.init, Ctx(W="W"))
            base = layout.var_base[v.name]
            if is_composite(v.type):
                src.append(f"    _st(W, {base}, {self.const(shape(v.type))}, {x.src})")
            else:
                src.append(f"    W[{base}] = {x.src}")
        default = self.atoms.code(ir.DEFAULT_INIT)
        from .layout import default_sentinel
        for a in model.actors:
            for pi, proc in enumerate(model.procs(a)):
                ctx = Ctx(a, self.atoms.code(proc), pi, "W", {})
                for loc in a.locals:
                    base = layout.local_base[(a.name, loc.name)] + pi * layout.local_size[(a.name, loc.name)]
                    if loc.init is None:
                        if isinstance(loc.type, (ir.IntType, ir.BoolType)):
                            src.append(f"    W[{base}] = {default_sentinel(loc.type)}")
                        else:
                            src.append(f"    W[{base}] = {default}")
                        continue
                    x = self.expr(loc.init, ctx)
                    if is_composite(loc.type):
                        src.append(f"    _st(W, {base}, {self.const(shape(loc.type))}, {x.src})")
                    else:
                        src.append(f"    W[{base}] = {x.src}")
                src.append(f"    W[{layout.pc_base[a.name] + pi}] = 0")
        exec(compile("\n".join(src) + "\n", "<movspec init>", "exec"), ns)
        ns["init"](W)
        return [layout.pack(W)]

    # ------------------------------------------------------------------ symmetry

    def _permutations(self) -> list[dict]:
        """Every non-identity permutation of the model values of the symmetric constant
        sets (all sets at once), as code -> code maps."""
        groups = [c for c in self.model.consts if c.symmetric and c.atoms and len(c.atoms) > 1]
        if not groups:
            return []
        per_group = []
        for c in groups:
            codes = [self.atoms.code(a) for a in c.atoms]
            per_group.append([dict(zip(codes, p)) for p in permutations(codes)])
        out = []
        for combo in product(*per_group):
            m = {}
            for g in combo:
                m.update(g)
            if any(k != v for k, v in m.items()):
                out.append(m)
        return out

    def _perm_value(self, v, t, m: dict):
        if isinstance(t, ir.AtomType):
            return m.get(v, v)
        if isinstance(t, ir.RecordType):
            return tuple(self._perm_value(x, f.type, m) for x, f in zip(v, t.fields))
        if isinstance(t, ir.FuncType):
            keys = domain_keys(self.atoms, t.domain)
            pos = {k: i for i, k in enumerate(keys)}
            out = [None] * len(keys)
            for k, x in zip(keys, v):
                out[pos[self._perm_value(k, t.domain, m)]] = self._perm_value(x, t.range, m)
            return tuple(out)
        if isinstance(t, ir.SetType):
            return frozenset(self._perm_value(x, t.elem, m) for x in v)
        return v

    def _canon_source(self, perms: list[dict]) -> str:
        """``canon(s, W)``: the least packed state over the orbit of ``s``. With many
        permutations, a first pass packs only the most significant leaves of each image (the
        pcs and locals); only the permutations that tie for the least top part are packed in
        full, since the least state must be among them."""
        exprs = [self._permuted_pack(p) for p in perms]
        top = min(len(self.layout.leaves), 8)
        if len(perms) < 6 or top == len(self.layout.leaves):
            return "def canon(s, W):\n    return min(s,\n" + ",\n".join("        " + e for e in exprs) + ")"
        base = self.layout.leaves[-top].offset
        keys = [self._permuted_pack(p, base) for p in perms]
        full = self.fresh("FULL")
        lines = [f"{full} = (" + "".join(f"lambda W: {e},\n    " for e in exprs) + ")",
                 "def canon(s, W):",
                 f"    k0 = s >> {base}",
                 "    ks = (" + "".join(f"{k},\n          " for k in keys) + ")",
                 "    m = min(ks)",
                 "    if k0 < m:",
                 "        return s",
                 "    best = s if k0 == m else None",
                 "    i = 0",
                 "    for k in ks:",
                 "        if k == m:",
                 f"            v = {full}[i](W)",
                 "            if best is None or v < best:",
                 "                best = v",
                 "        i += 1",
                 "    return best"]
        return "\n".join(lines)

    def _permuted_pack(self, m: dict, min_offset: int = 0) -> str:
        layout = self.layout
        index = {(l.root, l.path): l.index for l in layout.leaves}
        table = [m.get(c, c) for c in range(len(self.atoms.names))]
        ptab = self.const(tuple(table))
        terms = []
        for leaf in layout.leaves:
            path = tuple(
                step if step[0] == "f" or not (step[2] == "proc" or isinstance(step[2], ir.AtomType))
                else (step[0], m.get(step[1], step[1]), step[2])
                for step in leaf.path)
            dest = layout.leaves[index[(leaf.root, path)]]
            w = f"W[{leaf.index}]"
            if leaf.kind == "int":
                code = f"({w} - {leaf.bias})" if leaf.bias >= 0 else f"({w} + {-leaf.bias})"
            elif leaf.kind == "atom":
                code = f"{ptab}[{w}]"
            elif leaf.kind == "set":
                images = [self._perm_value(u, leaf.type.elem, m) for u in leaf.universe]
                moved = [leaf.upos[x] for x in images]
                if all(i == j for i, j in enumerate(moved)):
                    code = (f"{self.const(leaf.enc)}[{w}]" if leaf.enc is not None
                            else f"_encset({leaf.index}, {w})")
                else:
                    if leaf.enc is not None:
                        tab = []
                        for mask in range(1 << len(leaf.universe)):
                            nm = 0
                            for i in range(len(leaf.universe)):
                                if mask >> i & 1:
                                    nm |= 1 << moved[i]
                            tab.append(nm)
                        code = f"{self.const(tuple(tab))}[{self.const(leaf.enc)}[{w}]]"
                    else:
                        pm = self.const(tuple(moved))
                        code = (f"sum(1 << {pm}[i] for i in range({len(moved)}) "
                                f"if _encset({leaf.index}, {w}) >> i & 1)")
            else:
                code = w
            if dest.offset < min_offset:
                continue
            shift = dest.offset - min_offset
            terms.append(f"({code} << {shift})" if shift else f"({code})")
        return " | ".join(terms)


def _root(e) -> str:
    """The state variable an assignment target or state path belongs to."""
    return ir.state_root(e) or ""


_ROOTS: dict = {}


def _roots(stmts: tuple) -> frozenset:
    """Every state variable the statements read or write (module-loaded checks included)."""
    key = id(stmts)
    hit = _ROOTS.get(key)
    if hit is not None and hit[0] is stmts:
        return hit[1]
    nodes: list = []
    _walk(stmts, nodes)
    out = set()
    for n in nodes:
        if isinstance(n, ir.VarRef):
            out.add(n.name)
        elif isinstance(n, ir.LocalRef):
            out.add(f"{n.actor}.{n.name}")
        elif isinstance(n, ir.Call):
            out.add(n.loaded_var)
    res = frozenset(out)
    _ROOTS[key] = (stmts, res)
    return res


def _key_lit(atoms: AtomTable, k, t):
    if isinstance(t, ir.AtomType):
        return ir.AtomLit(atoms.names[k], "model")
    if isinstance(t, ir.BoolType):
        return ir.BoolLit(bool(k))
    return ir.IntLit(k)


def _describe(e) -> str:
    if isinstance(e, ir.VarRef):
        return e.name
    if isinstance(e, ir.LocalRef):
        return f"{e.actor}.{e.name}"
    if isinstance(e, ir.Field):
        return f"{_describe(e.base)}.{e.name}"
    if isinstance(e, ir.Index):
        return f"{_describe(e.base)}[...]"
    return "function"


def _make_checker(atoms: AtomTable, t):
    """A Python predicate: is internal value ``v`` a value of type ``t``?"""
    if isinstance(t, ir.BoolType):
        return lambda v: v in (0, 1) and v is not None
    if isinstance(t, ir.IntType):
        return lambda v: isinstance(v, int) and t.lo <= v <= t.hi
    if isinstance(t, ir.AtomType):
        codes = frozenset(atoms.code(a) for a in t.atoms)
        return lambda v: v in codes
    if isinstance(t, ir.RecordType):
        subs = [_make_checker(atoms, f.type) for f in t.fields]
        return lambda v: isinstance(v, tuple) and len(v) == len(subs) and all(c(x) for c, x in zip(subs, v))
    if isinstance(t, ir.FuncType):
        n = len(domain_keys(atoms, t.domain))
        sub = _make_checker(atoms, t.range)
        return lambda v: isinstance(v, tuple) and len(v) == n and all(sub(x) for x in v)
    if isinstance(t, ir.SetType):
        sub = _make_checker(atoms, t.elem)
        return lambda v: isinstance(v, frozenset) and all(sub(x) for x in v)
    raise CompileError(f"cannot check membership in type {t}")


def compile_model(model: ir.Model, symmetry: bool = True) -> Compiled:
    """Compile ``model`` (see the module docstring)."""
    return Compiler(model, symmetry).compile()
