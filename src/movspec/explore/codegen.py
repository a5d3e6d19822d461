"""The pieces the compiler of ``explore.compile`` is made of: compiled values (``X``), the
compilation context, per-path state, small analyses of statement lists, and the run-time
helpers the generated code calls (``runtime``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ops
from ..ir import nodes as ir
from .layout import Layout
from .domains import AtomTable, CompileError, EvalError, Overflow, domain_keys, overflow_message

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
    if isinstance(t, ir.ListType):
        sub = _make_checker(atoms, t.elem)
        return lambda v: isinstance(v, tuple) and len(set(v)) == len(v) and all(sub(x) for x in v)
    raise CompileError(f"cannot check membership in type {t}")


def _lfirst(lst):
    if not lst:
        raise EvalError("list_first_entry of an empty list")
    return lst[0]


LIST_HELPERS = dict(  # ``ir.ListOp``: an element already on (not on) the list leaves it as it is
    _lfirst=_lfirst,
    _ladd=lambda lst, x: lst if x in lst else (x,) + lst,
    _ltail=lambda lst, x: lst if x in lst else lst + (x,),
    _ldel=lambda lst, x: tuple(y for y in lst if y != x),
    _lkeep=lambda lst, s: tuple(y for y in lst if y in s),
)


def runtime(layout: Layout) -> dict:
    """The helpers the generated code calls, bound to ``layout``."""
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

    return dict(_rd=_rd, _wr=_wr, _st=_st, _ovf=_ovf, _encset=_encset, _dom=_dom,
                _fulldom=_fulldom, _mod=ops.mod, **LIST_HELPERS,
                EvalError=EvalError, OFF=tuple(l.offset for l in leaves))
