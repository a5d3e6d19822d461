"""Objects that are allocated, freed and reused (mixed into ``resolve.Resolver``).

``pool inode: [Inodes -> Inode] guards NoUseAfterFree`` is a variable like ``var`` (an object's
contents per id) and a state variable ``inode_allocated``, the ids in use (at first: all of
them), read as ``inode.allocated``:

    o = alloc(inode)       takes a free id (the step waits while there is none), marks it
                           allocated and sets the object to its type's default (a constructor)
    free(inode, o)         marks it free; freeing a free object violates the pool's property

Every read or write of ``inode[o]`` in a step checks, just before the statement that makes it,
that ``o`` is allocated, and an access to a freed object violates the pool's property, like a
call into an unloaded module. The check follows the evaluation: in ``o != none && inode[o].x``
it applies only when ``o != none``. Properties are observations and are not checked. The
contents of a freed object stay as they were until it is allocated again.
"""

from __future__ import annotations

from ..dsl import ast as A
from . import nodes as N
from .scope import Scope
from .walk import children

POOL_OPS = {"alloc": 1, "free": 2}


def allocated_var(pool: str) -> str:
    return f"{pool}_allocated"


class Pools:
    """Mixed into ``resolve.Resolver``."""

    def pools(self) -> dict[str, A.VarD]:
        return {n: v for n, v in self.vars.items() if v.pool is not None}

    def pool_vars(self) -> list[N.Var]:
        out = []
        for name, vd in self.pools().items():
            t = self.type(vd.type)
            if not isinstance(t, N.FuncType):
                self.d.err(f"pool `{name}` must be a function from ids to objects, not `{t}`", vd.span,
                           f"write `pool {name}: [Ids -> Type]` with `const Ids = {{...}}`", "pool")
                continue
            self.assert_props.setdefault(vd.pool, vd.name_span)
            out.append(N.Var(allocated_var(name), N.SetType(t.domain), self._domain_set(vd.type, t),
                             f"the objects of pool {name} in use", vd.span))
        return out

    def _domain_set(self, tx: A.TypeExpr, t: N.FuncType) -> N.Expr:
        dom = tx.domain if isinstance(tx, A.FuncT) else None
        if isinstance(dom, A.NamedT) and dom.name in self.consts and self.consts[dom.name].atoms:
            return N.ConstRef(dom.name)  # named, so that symmetry reduction stays possible
        values = N.flat_values(t.domain) or []
        kind = "model" if isinstance(t.domain, N.AtomType) and values and values[0] in self.atoms \
            and self.atoms[values[0]] == "model" else "enum"
        return N.SetLit(tuple(N.IntLit(v) if isinstance(v, int) and not isinstance(v, bool) else
                              N.BoolLit(v) if isinstance(v, bool) else N.AtomLit(v, kind) for v in values))

    def pool_op(self, name: str, args: tuple[A.Expr, ...], target: A.Expr | None, sc: Scope, sp) -> list[N.Stmt]:
        want = POOL_OPS[name]
        if len(args) != want:
            self._fail(f"`{name}` takes {want} argument{'s' if want != 1 else ''}, {len(args)} given", sp,
                       "write `o = alloc(POOL)`" if name == "alloc" else "write `free(POOL, o)`", "arguments")
        pool = args[0]
        if not (isinstance(pool, A.Name) and pool.name in self.pools()):
            self._fail(f"`{name}` needs a pool", pool.span, "declare it: `pool NAME: [Ids -> Type]`",
                       "pool")
        vd = self.pools()[pool.name]
        t = self.type(vd.type)
        live = N.VarRef(allocated_var(pool.name), sp)
        self.used.add(pool.name)
        if name == "free":
            if target is not None:
                self._fail("`free` returns no value", sp, "write `free(POOL, o)`", "no-result")
            o = self.expr(args[1], sc)
            return [N.Assert(N.Binary("in", o, live, sp), f"free of an object of pool `{pool.name}` that is "
                             "already free", vd.pool, sp),
                    N.Assign(live, "=", N.Binary("minus", live, N.SetLit((o,), sp), sp), sp)]
        if target is None:
            self._fail("`alloc` returns the object it allocates", sp, f"write `o = alloc({pool.name})`",
                       "no-result")
        v = self.fresh("obj")
        got = N.BoundRef(v, sp)
        body = [N.Assign(self._target(target, sc), "=", got, sp),
                N.Assign(live, "=", N.Binary("union", live, N.SetLit((got,), sp), sp), sp)]
        default = self.type_default(t.range)
        if default is not None:
            body.append(N.Assign(N.Index(N.VarRef(pool.name, sp), got, sp), "=", default, sp))
        free_ids = N.Binary("minus", self._domain_set(vd.type, t), live, sp)
        return [N.With(v, free_ids, tuple(body), sp)]

    # ------------------------------------------------------------------ the checks

    def guard_accesses(self, body: tuple[N.Stmt, ...]) -> tuple[N.Stmt, ...]:
        """``body`` with a check before each statement that reads or writes a pool's object."""
        pools = {n: v.pool for n, v in self.pools().items()}
        if not pools:
            return body
        return _guard(body, pools)


def _guard(body, pools) -> tuple:
    out = []
    for s in body:
        exprs: list[N.Expr] = []
        if isinstance(s, N.Assign):
            exprs = [s.value, _target_reads(s.target)]
        elif isinstance(s, (N.Await, N.Assert)):
            exprs = [s.cond]
        elif isinstance(s, N.If):
            exprs = [s.cond]
            s = N.If(s.cond, _guard(s.then, pools), _guard(s.orelse, pools), s.span)
        elif isinstance(s, N.Either):
            s = N.Either(tuple(_guard(b, pools) for b in s.branches), s.span)
        elif isinstance(s, N.With):
            exprs = [s.domain]
            s = N.With(s.var, s.domain, _guard(s.body, pools), s.span)
        elif isinstance(s, (N.Call, N.CallFunc)):
            exprs = list(s.args) + ([_target_reads(s.target)] if getattr(s, "target", None) is not None else [])
        elif isinstance(s, N.Return) and s.value is not None:
            exprs = [s.value]
        for pool, prop in pools.items():
            cond = _and([_live(e, pool) for e in exprs if e is not None])
            if cond is not None:
                out.append(N.Assert(cond, f"use of an object of pool `{pool}` after it was freed", prop, s.span))
        out.append(s)
    return tuple(out)


def _target_reads(t: N.Expr) -> N.Expr:
    """An assignment target as the access it makes (``page[p].ref = 1`` accesses ``page[p]``)."""
    return t


def _and(parts: list) -> N.Expr | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = N.Binary("&&", out, p)
    return out


def _implies(a: N.Expr, b: N.Expr | None) -> N.Expr | None:
    return None if b is None else N.Binary("=>", a, b)


def _live(e: N.Expr, pool: str) -> N.Expr | None:
    """A condition that holds when every access to ``pool`` that evaluating ``e`` makes is to
    an allocated object; None when ``e`` makes none."""
    if isinstance(e, N.Index) and isinstance(e.base, N.VarRef) and e.base.name == pool:
        here = N.Binary("in", e.index, N.VarRef(allocated_var(pool)))
        return _and([_live(e.index, pool), here])
    if isinstance(e, N.Binary) and e.op in ("&&", "=>"):
        return _and([_live(e.left, pool), _implies(e.left, _live(e.right, pool))])
    if isinstance(e, N.Binary) and e.op == "||":
        return _and([_live(e.left, pool), _implies(N.Unary("!", e.left), _live(e.right, pool))])
    if isinstance(e, N.IfExpr):
        return _and([_live(e.cond, pool), _implies(e.cond, _live(e.then, pool)),
                     _implies(N.Unary("!", e.cond), _live(e.orelse, pool))])
    if isinstance(e, (N.Quant, N.SetFilter, N.FuncLit)):
        inner = _live(e.body if not isinstance(e, N.SetFilter) else e.cond, pool)
        return _and([_live(e.domain, pool), None if inner is None else N.Quant("forall", e.var, e.domain, inner)])
    return _and([_live(c, pool) for c in children(e)])
