"""Type rules of expressions: the checker's types and what each expression is (part of
``check.types``, which adds the rules of assignments, statements and declarations).

A checker type is None (unknown: an earlier error, or defaultInitValue), an IR type (bool, an
integer range, atoms, a set, a struct), ``INT`` (an integer of unknown range: an ``IntType``
without bounds, see ``ir.typejoin``) or a ``TFunc`` (a function, with the values of its domain
when known).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, did_you_mean, error
from ..ir import nodes as N
from ..ir.typejoin import join


@dataclass(frozen=True)
class TFunc:
    dom: object
    rng: object
    # the values of the domain, when known exactly (declared functions, `[x in Pages |-> e]`);
    # None when only the type of its elements is known (`[x in {y in S where c} |-> e]`)
    dom_values: frozenset | None = field(default=None, compare=False)

    def __str__(self):
        return shown(self)


BOOL = N.BoolType()
INT = N.IntType(None, None)


def of_ir(t: N.Type):
    """The checker type of an IR type: itself, with functions (and sets of them) as ``TFunc``."""
    if isinstance(t, N.SetType):
        return N.SetType(of_ir(t.elem))
    if isinstance(t, N.ListType):
        return N.ListType(of_ir(t.elem))
    if isinstance(t, N.FuncType):
        return TFunc(of_ir(t.domain), of_ir(t.range), type_values(t.domain))
    if isinstance(t, (N.BoolType, N.IntType, N.AtomType, N.RecordType)):
        return t
    return None


def shown(t) -> str:
    """A checker type in a message (atoms in sorted order; ``{}`` is a ``set`` of unknown elements)."""
    if isinstance(t, N.SetType):
        return f"set of {shown(t.elem)}" if t.elem is not None else "set"
    if isinstance(t, N.ListType):
        return f"list of {shown(t.elem)}" if t.elem is not None else "list"
    if isinstance(t, N.AtomType) and t.name is None:
        return "{" + ", ".join(sorted(t.atoms)) + "}"
    if isinstance(t, N.IntType) and t.lo is None:
        return "an integer"
    if isinstance(t, TFunc):
        return f"[{shown(t.dom)} -> {shown(t.rng)}]"
    return str(t)


def type_values(t: N.Type) -> frozenset | None:
    """The values of a flat type (a function's domain), or None."""
    values = N.flat_values(t)
    return frozenset(values) if values is not None else None


def _values_str(vals: frozenset) -> str:
    ints = [v for v in vals if isinstance(v, int) and not isinstance(v, bool)]
    if ints and len(ints) == len(vals) and max(ints) - min(ints) + 1 == len(ints):
        return f"{min(ints)}..{max(ints)}"
    return "{" + ", ".join(sorted(str(v).lower() if isinstance(v, bool) else str(v) for v in vals)) + "}"


def kind(t) -> str:
    return {N.BoolType: "bool", N.IntType: "int", N.AtomType: "atom", N.SetType: "set", N.ListType: "list", TFunc: "func",
            N.RecordType: "rec"}[type(t)]


def kind_word(t) -> str:
    return {N.BoolType: "a bool", N.IntType: "an integer", N.AtomType: "an atom", N.SetType: "a set", N.ListType: "a list",
            TFunc: "a function", N.RecordType: f"a `{t}` struct"}[type(t)]


def typed(t) -> str:
    """``an integer (0..4)``, ``a bool``, ``an atom (Mode)``: the kind, and the type when it says more."""
    word = kind_word(t)
    text = shown(t)
    if isinstance(t, (N.BoolType, N.RecordType)) or text in ("an integer", "set", "list"):
        return word
    return f"{word} ({text})"


def comparable(a, b) -> bool:
    """Could a value of ``a`` equal a value of ``b``?"""
    if a is None or b is None:
        return True
    if kind(a) != kind(b):
        return False
    if isinstance(a, N.AtomType):
        return not set(a.atoms).isdisjoint(b.atoms)
    if isinstance(a, (N.SetType, N.ListType)):
        return comparable(a.elem, b.elem)
    if isinstance(a, TFunc):
        return comparable(a.dom, b.dom) and comparable(a.rng, b.rng)
    if isinstance(a, N.RecordType):
        return a.name == b.name
    return True


def desc(e: N.Expr) -> str:
    from ..ir.printer import expr_str
    try:
        return f"`{expr_str(e)}`"
    except Exception:  # pragma: no cover - printing is for messages only
        return "this"


class ExprTypes:
    """The type of each expression, with a finding for each expression that cannot mean
    anything; ``actor`` is the actor whose steps are being checked (for ``self``)."""

    def __init__(self, model: N.Model):
        self.m = model
        self.out: list[Diagnostic] = []
        self.actor: N.Actor | None = None
        # lookups by name (the model's own are linear scans: quadratic over a large model)
        self.vars = {v.name: v for v in reversed(model.vars)}
        self.actors = {a.name: a for a in reversed(model.actors + model.functions)}
        self.consts = {c.name: c for c in reversed(model.consts)}

    def err(self, msg, span, hint=None, code="type"):
        self.out.append(error(msg, span, hint, code))

    # expressions ------------------------------------------------------------------------
    def bool_(self, e: N.Expr, env: dict, what: str) -> None:
        t = self.expr(e, env)
        if t is not None and not isinstance(t, N.BoolType):
            self.err(f"{what} is {typed(t)}, not a bool", e.span,
                     "write a comparison, e.g. `x == value` or `x != 0`", "type")

    def int_(self, e: N.Expr, env: dict, what: str):
        t = self.expr(e, env)
        if t is not None and not isinstance(t, N.IntType):
            self.err(f"{what} is {typed(t)}, not an integer", e.span,
                     "arithmetic and `<`/`>` work on integers and integer constants", "type")
            return None
        return t

    def set_(self, e: N.Expr, env: dict, what: str):
        t = self.expr(e, env)
        if t is None:
            return None
        if not isinstance(t, N.SetType):
            self.err(f"{what} is {typed(t)}, not a set", e.span,
                     "a list is not a set: test membership with `x in list`, emptiness with `list_empty(list)`"
                     if isinstance(t, N.ListType) else
                     "sets are constant sets, enums, `{a, b}`, `lo..hi` or set-typed variables", "type")
            return None
        return t.elem

    def list_(self, e: N.Expr, env: dict, what: str):
        """The element type of list ``e`` (None when unknown), with a finding if it is no list."""
        t = self.expr(e, env)
        if t is None:
            return None
        if not isinstance(t, N.ListType):
            self.err(f"{what} is {typed(t)}, not a list", e.span,
                     "declare it with a list type, e.g. `var pages: list of Pages`", "type")
            return None
        return t.elem

    def list_op(self, e: N.ListOp, env: dict):
        from ..ir.lists import STMT_OF
        el = self.list_(e.list, env, f"the list of `{STMT_OF.get(e.op, 'list')}`")
        if e.op == "len":
            return INT
        if e.op == "first":
            return el
        xt = self.expr(e.elem, env)
        if e.op == "keep":  # made by the builder (wake_up), from a set of the list's elements
            return N.ListType(el)
        if e.span is None:  # a part of a list statement reported at another part
            pass
        elif el is not None and not comparable(xt, el):
            if e.op == "has":
                self.err(f"{desc(e.elem)} is {typed(xt)}, never on {desc(e.list)} (a list of {shown(el)})", e.span,
                         "the element and the list must hold one type of value", "compare")
            elif e.op != "has":
                self.err(f"`{STMT_OF[e.op]}` of {desc(e.elem)}, which is {typed(xt)}, on {desc(e.list)}, "
                         f"a list of {shown(el)}", e.elem.span,
                         f"put an element of {shown(el)} on it", "type")
        return BOOL if e.op == "has" else N.ListType(el)

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
            if e.name == N.RESULT and isinstance(a, N.Function):
                return of_ir(a.result) if a.result is not None else None
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
                self.err(f"{desc(e.base)} is {typed(bt)}, it has no field `{e.name}`", e.span,
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
                self.err(f"{desc(e.base)} is {typed(bt)}, it cannot be indexed", e.span,
                         "only functions `[D -> R]` take `[x]`", "index")
                return None
            if not comparable(bt.dom, it):
                self.err(f"index {desc(e.index)} is {typed(it)}, but {desc(e.base)} is indexed "
                         f"by {shown(bt.dom)}", e.index.span,
                         f"index it with a value of {shown(bt.dom)}", "index")
            else:
                k = self.const_value(e.index)
                if k is not None and bt.dom_values is not None and k not in bt.dom_values:
                    self.err(f"index {k} is outside the domain {_values_str(bt.dom_values)} of {desc(e.base)}",
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
                if t is not None and xt is not None and kind(t) != kind(xt):
                    self.err(f"a set mixes {kind_word(t)} and {kind_word(xt)}", x.span,
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
            if not comparable(a, b) and kind(a) != kind(b):
                self.err(f"the branches of `if ... then ... else` have unlike types: {shown(a)} and {shown(b)}", e.span,
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
        if isinstance(e, N.SeqLit):
            return N.ListType(None)
        if isinstance(e, N.ListOp):
            return self.list_op(e, env)
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
                if kind(a) == kind(b) and isinstance(a, N.AtomType):
                    self.err(f"comparing {desc(e.left)} ({shown(a)}) with {desc(e.right)} ({shown(b)}): they have no value "
                             "in common", e.span, "is one side a typo, or the wrong field?", "compare")
                else:
                    self.err(f"comparing {typed(a)} with {typed(b)}", e.span,
                             "both sides of `==`/`!=` must be of one type", "compare")
            return BOOL
        if op in ("in", "notin"):
            a = self.expr(e.left, env)
            el = self.set_(e.right, env, f"the right operand of `{op}`")
            if el is not None and not comparable(a, el):
                self.err(f"{desc(e.left)} is {typed(a)}, never an element of {desc(e.right)} "
                         f"(a set of {shown(el)})", e.span,
                         "the element and the set must hold one type of value", "compare")
            return BOOL
        if op == "subset":
            a = self.set_(e.left, env, "the left operand of `subset`")
            b = self.set_(e.right, env, "the right operand of `subset`")
            if a is not None and b is not None and kind(a) != kind(b):
                self.err(f"`subset` of a set of {shown(a)} and a set of {shown(b)}", e.span,
                           "both sets must hold one type of value", "compare")
            return BOOL
        if op in ("union", "inter", "minus"):
            sym = {"union": "|", "inter": "&", "minus": "\\"}[op]
            a = self.set_(e.left, env, f"the left operand of `{sym}`")
            b = self.set_(e.right, env, f"the right operand of `{sym}`")
            if a is not None and b is not None and kind(a) != kind(b):
                self.err(f"`{sym}` of a set of {shown(a)} and a set of {shown(b)}", e.span, "both sets must hold one type",
                         "type")
            return N.SetType(join(a, b) if op == "union" else a if a is not None else b)
        return None

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
