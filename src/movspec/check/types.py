"""Type checks over a resolved model.

Finds what parses and resolves but cannot mean anything: assigning an out-of-range literal or
an atom outside the target's type, a field a struct does not have, comparing values of unlike
types (or atom sets with no atom in common), non-boolean conditions, arithmetic on non-integers,
indexing a non-function, membership in a non-set.

Known limit: integer ranges are only checked for literals (``x = 5`` into ``0..4``); the value
of ``x + 1`` is checked at run time by ``TypeOK``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..diagnostics import Diagnostic, did_you_mean, error
from ..ir import nodes as N
from ..ir.typejoin import join


# --------------------------------------------------------------------------- checker types
# A checker type is None (unknown: an earlier error, or defaultInitValue), an IR type (bool, an
# integer range, atoms, a set, a struct), INT (an integer of unknown range: an IntType without
# bounds, see ir.typejoin) or a TFunc (a function, with the values of its domain when known).


@dataclass(frozen=True)
class TFunc:
    dom: object
    rng: object
    # the values of the domain, when known exactly (declared functions, `[x in Pages |-> e]`);
    # None when only the type of its elements is known (`[x in {y in S where c} |-> e]`)
    dom_values: frozenset | None = field(default=None, compare=False)

    def __str__(self):
        return _shown(self)


BOOL = N.BoolType()
INT = N.IntType(None, None)


def of_ir(t: N.Type):
    """The checker type of an IR type: itself, with functions (and sets of them) as ``TFunc``."""
    if isinstance(t, N.SetType):
        return N.SetType(of_ir(t.elem))
    if isinstance(t, N.FuncType):
        return TFunc(of_ir(t.domain), of_ir(t.range), type_values(t.domain))
    if isinstance(t, (N.BoolType, N.IntType, N.AtomType, N.RecordType)):
        return t
    return None


def _shown(t) -> str:
    """A checker type in a message (atoms in sorted order; ``{}`` is a ``set`` of unknown elements)."""
    if isinstance(t, N.SetType):
        return f"set of {_shown(t.elem)}" if t.elem is not None else "set"
    if isinstance(t, N.AtomType) and t.name is None:
        return "{" + ", ".join(sorted(t.atoms)) + "}"
    if isinstance(t, N.IntType) and t.lo is None:
        return "an integer"
    if isinstance(t, TFunc):
        return f"[{_shown(t.dom)} -> {_shown(t.rng)}]"
    return str(t)


def type_values(t: N.Type) -> frozenset | None:
    """The values of a flat type (a function's domain), or None."""
    if isinstance(t, N.AtomType):
        return frozenset(t.atoms)
    if isinstance(t, N.IntType):
        return frozenset(range(t.lo, t.hi + 1))
    if isinstance(t, N.BoolType):
        return frozenset((False, True))
    return None


def _values_str(vals: frozenset) -> str:
    ints = [v for v in vals if isinstance(v, int) and not isinstance(v, bool)]
    if ints and len(ints) == len(vals) and max(ints) - min(ints) + 1 == len(ints):
        return f"{min(ints)}..{max(ints)}"
    return "{" + ", ".join(sorted(str(v).lower() if isinstance(v, bool) else str(v) for v in vals)) + "}"


def _kind(t) -> str:
    return {N.BoolType: "bool", N.IntType: "int", N.AtomType: "atom", N.SetType: "set", TFunc: "func",
            N.RecordType: "rec"}[type(t)]


def _kind_word(t) -> str:
    return {N.BoolType: "a bool", N.IntType: "an integer", N.AtomType: "an atom", N.SetType: "a set",
            TFunc: "a function", N.RecordType: f"a `{t}` struct"}[type(t)]


def _typed(t) -> str:
    """``an integer (0..4)``, ``a bool``, ``an atom (Mode)``: the kind, and the type when it says more."""
    word = _kind_word(t)
    shown = _shown(t)
    if isinstance(t, (N.BoolType, N.RecordType)) or shown in ("an integer", "set"):
        return word
    return f"{word} ({shown})"


def comparable(a, b) -> bool:
    """Could a value of ``a`` equal a value of ``b``?"""
    if a is None or b is None:
        return True
    if _kind(a) != _kind(b):
        return False
    if isinstance(a, N.AtomType):
        return not set(a.atoms).isdisjoint(b.atoms)
    if isinstance(a, N.SetType):
        return comparable(a.elem, b.elem)
    if isinstance(a, TFunc):
        return comparable(a.dom, b.dom) and comparable(a.rng, b.rng)
    if isinstance(a, N.RecordType):
        return a.name == b.name
    return True


def _desc(e: N.Expr) -> str:
    from ..ir.printer import expr_str
    try:
        return f"`{expr_str(e)}`"
    except Exception:  # pragma: no cover - printing is for messages only
        return "this"


class TypeChecker:
    def __init__(self, model: N.Model):
        self.m = model
        self.out: list[Diagnostic] = []
        self.actor: N.Actor | None = None
        # lookups by name (the model's own are linear scans: quadratic over a large model)
        self.vars = {v.name: v for v in reversed(model.vars)}
        self.actors = {a.name: a for a in reversed(model.actors)}
        self.consts = {c.name: c for c in reversed(model.consts)}

    def err(self, msg, span, hint=None, code="type"):
        self.out.append(error(msg, span, hint, code))

    # expressions ------------------------------------------------------------------------
    def bool_(self, e: N.Expr, env: dict, what: str) -> None:
        t = self.expr(e, env)
        if t is not None and not isinstance(t, N.BoolType):
            self.err(f"{what} is {_typed(t)}, not a bool", e.span,
                     "write a comparison, e.g. `x == value` or `x != 0`", "type")

    def int_(self, e: N.Expr, env: dict, what: str):
        t = self.expr(e, env)
        if t is not None and not isinstance(t, N.IntType):
            self.err(f"{what} is {_typed(t)}, not an integer", e.span,
                     "arithmetic and `<`/`>` work on integers and integer constants", "type")
            return None
        return t

    def set_(self, e: N.Expr, env: dict, what: str):
        t = self.expr(e, env)
        if t is None:
            return None
        if not isinstance(t, N.SetType):
            self.err(f"{what} is {_typed(t)}, not a set", e.span,
                     "sets are constant sets, enums, `{a, b}`, `lo..hi` or set-typed variables", "type")
            return None
        return t.elem

    def expr(self, e: N.Expr, env: dict):
        if isinstance(e, N.IntLit):
            return N.IntType(e.value, e.value)
        if isinstance(e, N.BoolLit):
            return BOOL
        if isinstance(e, N.AtomLit):
            if e.kind == "default":
                return None
            return N.AtomType((e.name,))
        if isinstance(e, N.VarRef):
            v = self.vars.get(e.name)
            return of_ir(v.type) if v else None
        if isinstance(e, N.LocalRef):
            a = self.actors.get(e.actor)
            if e.proc is not None:
                self.expr(e.proc, env)
            l = a.local(e.name) if a else None
            return of_ir(l.type) if l else None
        if isinstance(e, N.ConstRef):
            c = self.consts.get(e.name)
            if c is None:
                return None
            if c.atoms is not None:
                return N.SetType(N.AtomType(tuple(c.atoms), c.name))
            return N.IntType(c.value, c.value)
        if isinstance(e, N.BoundRef):
            return env.get(e.name)
        if isinstance(e, N.SelfRef):
            if self.actor is not None and self.actor.proc_set is not None:
                c = self.consts.get(self.actor.proc_set)
                if c is not None and c.atoms is not None:
                    return N.AtomType(tuple(c.atoms), c.name)
            return None
        if isinstance(e, N.Field):
            bt = self.expr(e.base, env)
            if bt is None:
                return None
            if not isinstance(bt, N.RecordType):
                self.err(f"{_desc(e.base)} is {_typed(bt)}, it has no field `{e.name}`", e.span,
                         "only struct values have fields", "field")
                return None
            f = bt.field(e.name)
            if f is None:
                names = [x.name for x in bt.fields]
                self.err(f"struct `{bt.name}` has no field `{e.name}`", e.span,
                         did_you_mean(e.name, names) or f"fields: {', '.join(names)}", "field")
                return None
            return of_ir(f.type)
        if isinstance(e, N.Index):
            bt = self.expr(e.base, env)
            it = self.expr(e.index, env)
            if bt is None:
                return None
            if not isinstance(bt, TFunc):
                self.err(f"{_desc(e.base)} is {_typed(bt)}, it cannot be indexed", e.span,
                         "only functions `[D -> R]` take `[x]`", "index")
                return None
            if not comparable(bt.dom, it):
                self.err(f"index {_desc(e.index)} is {_typed(it)}, but {_desc(e.base)} is indexed "
                         f"by {_shown(bt.dom)}", e.index.span,
                         f"index it with a value of {_shown(bt.dom)}", "index")
            else:
                k = self.const_value(e.index)
                if k is not None and bt.dom_values is not None and k not in bt.dom_values:
                    self.err(f"index {k} is outside the domain {_values_str(bt.dom_values)} of {_desc(e.base)}",
                             e.index.span, f"index it with a value of {_values_str(bt.dom_values)}", "index")
            return bt.rng
        if isinstance(e, N.Unary):
            if e.op == "!":
                self.bool_(e.operand, env, "the operand of `!`")
                return BOOL
            self.int_(e.operand, env, "the operand of unary `-`")
            return INT
        if isinstance(e, N.Binary):
            return self.binary(e, env)
        if isinstance(e, N.SetLit):
            t = None
            for x in e.elems:
                xt = self.expr(x, env)
                if t is not None and xt is not None and _kind(t) != _kind(xt):
                    self.err(f"a set mixes {_kind_word(t)} and {_kind_word(xt)}", x.span,
                             "all elements of a set have one type", "type")
                    return N.SetType(None)
                t = join(t, xt)
            return N.SetType(t)
        if isinstance(e, N.RangeLit):
            self.int_(e.lo, env, "the low end of a range")
            self.int_(e.hi, env, "the high end of a range")
            return N.SetType(INT)
        if isinstance(e, N.Card):
            self.set_(e.set, env, "the operand of `|...|`")
            return INT
        if isinstance(e, N.Quant):
            el = self.set_(e.domain, env, f"the domain of `{e.kind}`")
            self.bool_(e.body, {**env, e.var: el}, f"the body of `{e.kind}`")
            return BOOL
        if isinstance(e, N.SetFilter):
            el = self.set_(e.domain, env, "the domain of a set filter")
            self.bool_(e.cond, {**env, e.var: el}, "the condition of a set filter")
            return N.SetType(el)
        if isinstance(e, N.IfExpr):
            self.bool_(e.cond, env, "the condition of `if ... then`")
            a, b = self.expr(e.then, env), self.expr(e.orelse, env)
            if not comparable(a, b) and _kind(a) != _kind(b):
                self.err(f"the branches of `if ... then ... else` have unlike types: {_shown(a)} and {_shown(b)}", e.span,
                         "both branches must be of one type", "type")
            return join(a, b)
        if isinstance(e, N.RecordLit):
            for name, val in e.fields:
                f = e.type.field(name)
                if f is not None and val is not f.default:  # defaults are checked once, below
                    self.value_into(of_ir(f.type), val, env, f"field `{name}` of `{e.type.name}`")
            return e.type
        if isinstance(e, N.FuncLit):
            el = self.set_(e.domain, env, "the domain of a function value")
            return TFunc(el, self.expr(e.body, {**env, e.var: el}), self.set_values(e.domain))
        if isinstance(e, N.At):
            if e.proc is not None:
                self.expr(e.proc, env)
            return BOOL
        if isinstance(e, N.InType):
            self.expr(e.expr, env)
            return BOOL
        return None

    def binary(self, e: N.Binary, env: dict):
        op = e.op
        if op in ("&&", "||", "=>", "<=>"):
            self.bool_(e.left, env, f"the left operand of `{op}`")
            self.bool_(e.right, env, f"the right operand of `{op}`")
            return BOOL
        if op in ("+", "-", "*", "/", "%"):
            self.int_(e.left, env, f"the left operand of `{op}`")
            self.int_(e.right, env, f"the right operand of `{op}`")
            if op in ("/", "%") and self.const_value(e.right) == 0:
                what = "division" if op == "/" else "modulo"
                self.err(f"{what} by zero: the right operand of `{op}` is always 0", e.right.span,
                         "divide by a non-zero value; both checkers stop with an error where this is evaluated",
                         "division-by-zero")
            return INT
        if op in ("<", "<=", ">", ">="):
            self.int_(e.left, env, f"the left operand of `{op}`")
            self.int_(e.right, env, f"the right operand of `{op}`")
            return BOOL
        if op in ("==", "!="):
            a, b = self.expr(e.left, env), self.expr(e.right, env)
            if not comparable(a, b):
                if _kind(a) == _kind(b) and isinstance(a, N.AtomType):
                    self.err(f"comparing {_desc(e.left)} ({_shown(a)}) with {_desc(e.right)} ({_shown(b)}): they have no value "
                             "in common", e.span, "is one side a typo, or the wrong field?", "compare")
                else:
                    self.err(f"comparing {_typed(a)} with {_typed(b)}", e.span,
                             "both sides of `==`/`!=` must be of one type", "compare")
            return BOOL
        if op in ("in", "notin"):
            a = self.expr(e.left, env)
            el = self.set_(e.right, env, f"the right operand of `{op}`")
            if el is not None and not comparable(a, el):
                self.err(f"{_desc(e.left)} is {_typed(a)}, never an element of {_desc(e.right)} "
                         f"(a set of {_shown(el)})", e.span,
                         "the element and the set must hold one type of value", "compare")
            return BOOL
        if op == "subset":
            a = self.set_(e.left, env, "the left operand of `subset`")
            b = self.set_(e.right, env, "the right operand of `subset`")
            if a is not None and b is not None and _kind(a) != _kind(b):
                self.err(f"`subset` of a set of {_shown(a)} and a set of {_shown(b)}", e.span,
                           "both sets must hold one type of value", "compare")
            return BOOL
        if op in ("union", "inter", "minus"):
            sym = {"union": "|", "inter": "&", "minus": "\\"}[op]
            a = self.set_(e.left, env, f"the left operand of `{sym}`")
            b = self.set_(e.right, env, f"the right operand of `{sym}`")
            if a is not None and b is not None and _kind(a) != _kind(b):
                self.err(f"`{sym}` of a set of {_shown(a)} and a set of {_shown(b)}", e.span, "both sets must hold one type",
                         "type")
            return N.SetType(join(a, b) if op == "union" else a if a is not None else b)
        return None

    def value_into(self, target, value: N.Expr, env: dict, what: str, at=None) -> None:
        """Check that ``value`` can be stored in a place of type ``target``; a finding about a
        value with no place of its own (a default the builder supplied) is placed at ``at``,
        the declaration."""
        if value is not None and value.span is None and at is not None:
            value = _respan(value, at)
        vt = self.expr(value, env)
        if target is None or vt is None:
            return
        if isinstance(target, N.IntType) and isinstance(value, (N.IntLit, N.Unary)) and isinstance(vt, N.IntType):
            n = value.value if isinstance(value, N.IntLit) else (
                -value.operand.value if value.op == "-" and isinstance(value.operand, N.IntLit) else None)
            if n is not None and target.lo is not None and not (target.lo <= n <= target.hi):
                self.err(f"{n} is out of range for {what} (type {_shown(target)})", value.span,
                         f"values of {what} are {target.lo}..{target.hi}", "range")
            return
        if isinstance(target, N.AtomType) and isinstance(vt, N.AtomType):
            extra = set(vt.atoms) - set(target.atoms)
            if extra and isinstance(value, N.AtomLit):
                self.err(f"`{value.name}` is not a value of {what} (type {_shown(target)})", value.span,
                         did_you_mean(value.name, target.atoms) or
                         f"values: {', '.join(sorted(target.atoms))}", "range")
            elif set(vt.atoms).isdisjoint(target.atoms):
                self.err(f"{_desc(value)} ({_shown(vt)}) is never a value of {what} (type {_shown(target)})", value.span,
                         f"values of {what}: {_shown(target)}", "type")
            return
        if isinstance(target, TFunc) and isinstance(vt, TFunc):
            self.func_into(target, vt, value, env, what)
            return
        if not comparable(target, vt) and _kind(target) != _kind(vt):
            self.err(f"{what} is {_typed(target)}, but {_desc(value)} is {_typed(vt)}",
                     value.span,
                     f"assign {_kind_word(target)} to {what}", "type")
        elif isinstance(target, N.RecordType) and isinstance(vt, N.RecordType) and target.name != vt.name:
            self.err(f"{what} is a `{target}` struct, but {_desc(value)} is a `{vt}`", value.span,
                     f"write a `{target}(...)` value", "type")

    def func_into(self, target: TFunc, vt: TFunc, value: N.Expr, env: dict, what: str) -> None:
        """A function value stored in a place of function type: the same domain, and values
        that can be of the declared range."""
        literal = isinstance(value, N.FuncLit)
        if target.dom_values is not None and vt.dom_values is not None:
            differ = target.dom_values != vt.dom_values
        else:
            differ = target.dom is not None and vt.dom is not None and not comparable(target.dom, vt.dom)
        if differ and literal:
            self.err(f"the function's domain is {_desc(value.domain)}, but {what} is declared over {_shown(target.dom)}",
                     value.span, f"write `[x in {_shown(target.dom)} |-> ...]`: a function value is defined on "
                     f"exactly its domain", "domain")
            return
        if differ:
            self.err(f"{_desc(value)} is a function over {_shown(vt.dom)}, but {what} is declared over {_shown(target.dom)}",
                     value.span, f"assign a function over {_shown(target.dom)}", "domain")
            return
        if literal:
            # each value of the function goes where a value of the declared range goes
            el = self.set_(value.domain, env, "the domain of a function value")
            self.value_into(target.rng, value.body, {**env, value.var: el}, f"an entry of {what}")
        elif target.rng is not None and vt.rng is not None and not comparable(target.rng, vt.rng):
            self.err(f"{_desc(value)} maps to {_typed(vt.rng)}, but {what} maps to {_typed(target.rng)}",
                     value.span, f"assign a function to {_shown(target.rng)}", "type")

    def set_values(self, e: N.Expr) -> frozenset | None:
        """The elements of a set expression when they are known statically, or None."""
        if isinstance(e, N.ConstRef):
            c = self.consts.get(e.name)
            return frozenset(c.atoms) if c is not None and c.atoms is not None else None
        if isinstance(e, N.SetLit):
            out = []
            for x in e.elems:
                if isinstance(x, N.AtomLit) and x.kind != "default":
                    out.append(x.name)
                elif isinstance(x, N.BoolLit):
                    out.append(x.value)
                else:
                    v = self.const_value(x)
                    if v is None:
                        return None
                    out.append(v)
            return frozenset(out)
        if isinstance(e, N.RangeLit):
            lo, hi = self.const_value(e.lo), self.const_value(e.hi)
            return frozenset(range(lo, hi + 1)) if lo is not None and hi is not None else None
        return None

    def const_value(self, e: N.Expr) -> int | None:
        """The value of an integer expression made of literals and integer constants, or None."""
        if isinstance(e, N.IntLit):
            return e.value
        if isinstance(e, N.ConstRef):
            c = self.consts.get(e.name)
            return c.value if c is not None and c.atoms is None else None
        if isinstance(e, N.Unary) and e.op == "-":
            v = self.const_value(e.operand)
            return -v if v is not None else None
        if isinstance(e, N.Binary) and e.op in ("+", "-", "*", "/", "%"):
            a, b = self.const_value(e.left), self.const_value(e.right)
            if a is None or b is None:
                return None
            if e.op == "+":
                return a + b
            if e.op == "-":
                return a - b
            if e.op == "*":
                return a * b
            if b == 0:
                return None
            return a // b if e.op == "/" else a % b
        return None

    # statements ---------------------------------------------------------------------------
    def target_type(self, t: N.Expr, env: dict):
        return self.expr(t, env)

    def stmts(self, body, env: dict) -> None:
        for s in body:
            self.stmt(s, env)

    def stmt(self, s: N.Stmt, env: dict) -> None:
        if isinstance(s, N.Assign):
            tt = self.target_type(s.target, env)
            if s.op in ("+=", "-="):
                if tt is not None and not isinstance(tt, N.IntType):
                    self.err(f"`{s.op}` on {_desc(s.target)}, which is {_typed(tt)}", s.span,
                             f"`{s.op}` works on integers; write `x = ...`", "type")
                self.int_(s.value, env, f"the right side of `{s.op}`")
            else:
                self.value_into(tt, s.value, env, _desc(s.target))
        elif isinstance(s, N.If):
            self.bool_(s.cond, env, "the condition of `if`")
            self.stmts(s.then, env)
            self.stmts(s.orelse, env)
        elif isinstance(s, N.Await):
            self.bool_(s.cond, env, "the condition of `await`")
        elif isinstance(s, N.Either):
            for b in s.branches:
                self.stmts(b, env)
        elif isinstance(s, N.With):
            el = self.set_(s.domain, env, "the set chosen from by `any`")
            self.stmts(s.body, {**env, s.var: el})
        elif isinstance(s, N.Assert):
            self.bool_(s.cond, env, "the condition of `assert`")
        elif isinstance(s, N.Call):
            for a in s.args:
                self.expr(a, env)

    # model --------------------------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        m = self.m
        for v in m.vars:
            self.value_into(of_ir(v.type), v.init, {}, f"variable `{v.name}`", v.span)
        for a in m.actors:
            self.actor = a
            for l in a.locals:
                if l.init is not None:
                    self.value_into(of_ir(l.type), l.init, {}, f"local `{l.name}`", l.span)
            for s in a.steps:
                self.stmts(s.body, {})
        self.actor = None
        seen_records = set()
        for v in m.vars:
            for rt in _records(v.type):
                if rt.name not in seen_records:
                    seen_records.add(rt.name)
                    for f in rt.fields:
                        self.value_into(of_ir(f.type), f.default, {}, f"field `{rt.name}.{f.name}`", getattr(f, "span", None))
        for p in m.properties:
            if isinstance(p, N.Invariant) and p.name != N.TYPE_OK:
                self.bool_(p.expr, {}, f"invariant `{p.name}`")
            elif isinstance(p, N.LeadsTo):
                env = {}
                for var, dom in p.bound:
                    env[var] = self.set_(dom, env, f"the domain of `{var}`")
                self.bool_(p.p, env, f"the left side of `~>` in `{p.name}`")
                self.bool_(p.q, env, f"the right side of `~>` in `{p.name}`")
            elif isinstance(p, N.Inductive):
                self.bool_(p.expr, {}, f"inductive invariant `{p.name}`")
            elif isinstance(p, N.Refinement):
                for var, e in p.mapping:
                    v = p.abstract.var(var)
                    self.value_into(of_ir(v.type), e, {}, f"abstract variable `{var}` of refinement `{p.name}`")
                self.out.extend(check_abstract(self.m, p.abstract))
        return self.out


def check_abstract(model: N.Model, spec: N.AbstractSpec) -> list[Diagnostic]:
    """Types in an abstract specification: its actions read and write its own variables."""
    from dataclasses import replace

    tc = TypeChecker(replace(model, vars=spec.vars, actors=(), properties=()))
    for v in spec.vars:
        tc.value_into(of_ir(v.type), v.init, {}, f"abstract variable `{v.name}`", v.span)
    for a in spec.actions:
        env: dict = {}
        for var, dom in a.params:
            env[var] = tc.set_(dom, env, f"the domain of `{var}` in action `{a.name}`")
        tc.stmts(a.body, env)
    return tc.out


def _records(t: N.Type):
    if isinstance(t, N.RecordType):
        yield t
        for f in t.fields:
            yield from _records(f.type)
    elif isinstance(t, N.FuncType):
        yield from _records(t.range)
    elif isinstance(t, N.SetType):
        yield from _records(t.elem)


def check_types(model: N.Model) -> list[Diagnostic]:
    return TypeChecker(model).run()


def _respan(e: N.Expr, span) -> N.Expr:
    """``e`` placed at ``span`` (IR nodes keep spans out of equality)."""
    try:
        return replace(e, span=span)
    except (TypeError, ValueError):
        return e
