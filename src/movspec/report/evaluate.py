"""Evaluate IR expressions on a plain trace state, to say *why* an invariant is false.

``why_false(inv, state, model)`` walks the invariant the way a reader would: through the
leading ``forall`` quantifiers to the first binding that breaks it (``p = P1``), and through
``&&`` and ``=>`` to the part that is false. The answer is a short sentence for ``explain``
and the docs, or None when the expression uses something this small evaluator does not read
(then the story simply says the invariant is false).

Values are the plain ones of ``result`` (int, bool, str atoms, ``Rec``, ``Fn``, frozenset).
This is for explanation only; the checkers never use it.
"""

from __future__ import annotations

from ..ir import nodes as N
from ..result import Fn, Rec, State, format_value


class Unsupported(Exception):
    pass


def _text(e, model) -> str:
    try:
        from ..ir.printer import expr_str
    except ImportError:  # pragma: no cover
        raise Unsupported("no printer")
    return expr_str(e, model)


def _index(f, k):
    if isinstance(f, Fn):
        return f.get(k)
    raise Unsupported("index of a non-function")


class Evaluator:
    def __init__(self, state: State, model: N.Model):
        self.state = state
        self.model = model

    def const(self, name: str):
        c = self.model.const(name)
        if c is None:
            raise Unsupported(name)
        return frozenset(c.atoms) if c.atoms is not None else c.value

    def ev(self, e, env: dict):
        m = getattr(self, "_" + type(e).__name__, None)
        if m is None:
            raise Unsupported(type(e).__name__)
        return m(e, env)

    def _IntLit(self, e, env):
        return e.value

    def _BoolLit(self, e, env):
        return e.value

    def _AtomLit(self, e, env):
        return e.name

    def _VarRef(self, e, env):
        return self.state[e.name]

    def _ConstRef(self, e, env):
        return self.const(e.name)

    def _BoundRef(self, e, env):
        return env[e.name]

    def _LocalRef(self, e, env):
        if e.proc is None:
            raise Unsupported("a local of the running process")
        return _index(self.state[f"{e.actor}.{e.name}"], self.ev(e.proc, env))

    def _Field(self, e, env):
        base = self.ev(e.base, env)
        if not isinstance(base, Rec):
            raise Unsupported("field of a non-record")
        return base.get(e.name)

    def _Index(self, e, env):
        return _index(self.ev(e.base, env), self.ev(e.index, env))

    def _Unary(self, e, env):
        v = self.ev(e.operand, env)
        return (not v) if e.op == "!" else -v

    def _Binary(self, e, env):
        op = e.op
        if op == "&&":
            return bool(self.ev(e.left, env)) and bool(self.ev(e.right, env))
        if op == "||":
            return bool(self.ev(e.left, env)) or bool(self.ev(e.right, env))
        if op == "=>":
            return (not self.ev(e.left, env)) or bool(self.ev(e.right, env))
        a, b = self.ev(e.left, env), self.ev(e.right, env)
        table = {
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a // b,
            "%": lambda: a % b, "==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b,
            "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b, "<=>": lambda: bool(a) == bool(b),
            "in": lambda: a in b, "notin": lambda: a not in b, "subset": lambda: a <= b,
            "union": lambda: a | b, "inter": lambda: a & b, "minus": lambda: a - b,
        }
        if op not in table:
            raise Unsupported(op)
        return table[op]()

    def _SetLit(self, e, env):
        return frozenset(self.ev(x, env) for x in e.elems)

    def _RangeLit(self, e, env):
        return frozenset(range(self.ev(e.lo, env), self.ev(e.hi, env) + 1))

    def _Card(self, e, env):
        return len(self.ev(e.set, env))

    def _domain(self, e, env):
        d = self.ev(e, env)
        if not isinstance(d, frozenset):
            raise Unsupported("quantifier over a non-set")
        return sorted(d, key=lambda x: (str(type(x)), x))

    def _Quant(self, e, env):
        vals = (self.ev(e.body, {**env, e.var: x}) for x in self._domain(e.domain, env))
        return all(vals) if e.kind == "forall" else any(vals)

    def _SetFilter(self, e, env):
        return frozenset(x for x in self._domain(e.domain, env) if self.ev(e.cond, {**env, e.var: x}))

    def _IfExpr(self, e, env):
        return self.ev(e.then, env) if self.ev(e.cond, env) else self.ev(e.orelse, env)

    def _RecordLit(self, e, env):
        return Rec(tuple((k, self.ev(v, env)) for k, v in e.fields))

    def _FuncLit(self, e, env):
        return Fn(tuple((x, self.ev(e.body, {**env, e.var: x})) for x in self._domain(e.domain, env)))

    def _InType(self, e, env):
        return in_type(self.ev(e.expr, env), e.type)

    def _At(self, e, env):
        actor = self.model.actor(e.actor)
        if e.proc is None:
            if actor is None or actor.proc_set is not None:
                raise Unsupported("at without a process")
            proc = actor.name
        else:
            proc = self.ev(e.proc, env)
        return str(_index(self.state["pc"], proc)) in e.steps


def in_type(v, t) -> bool:
    if isinstance(t, N.BoolType):
        return isinstance(v, bool)
    if isinstance(t, N.IntType):
        return isinstance(v, int) and not isinstance(v, bool) and t.lo <= v <= t.hi
    if isinstance(t, N.AtomType):
        return isinstance(v, str) and v in t.atoms
    if isinstance(t, N.RecordType):
        return isinstance(v, Rec) and [k for k, _ in v.fields] == [f.name for f in t.fields] and \
            all(in_type(x, f.type) for (_, x), f in zip(v.fields, t.fields))
    if isinstance(t, N.FuncType):
        return isinstance(v, Fn) and all(in_type(x, t.range) for _, x in v.pairs)
    if isinstance(t, N.SetType):
        return isinstance(v, frozenset) and all(in_type(x, t.elem) for x in v)
    raise Unsupported(f"type {t}")


def _out_of_type(v, t, path: str) -> str | None:
    """The first leaf of ``v`` outside ``t``: ``ref[P1] is 4, outside 0..3``."""
    if isinstance(t, N.RecordType) and isinstance(v, Rec):
        for (k, x), f in zip(v.fields, t.fields):
            found = _out_of_type(x, f.type, f"{path}.{k}")
            if found:
                return found
        return None
    if isinstance(t, N.FuncType) and isinstance(v, Fn):
        for k, x in v.pairs:
            found = _out_of_type(x, t.range, f"{path}[{format_value(k)}]")
            if found:
                return found
        return None
    if not in_type(v, t):
        return f"`{path}` is {format_value(v)}, outside {t}"
    return None


def _bindings(e, ev: Evaluator, env: dict):
    """Strip leading ``forall``s: yields (env, body) for every binding, in domain order."""
    if isinstance(e, N.Quant) and e.kind == "forall":
        for x in ev._domain(e.domain, env):
            yield from _bindings(e.body, ev, {**env, e.var: x})
    else:
        yield env, e


def _false_part(e, ev: Evaluator, env: dict, model) -> str | None:
    if isinstance(e, N.Binary) and e.op == "&&":
        for side in (e.left, e.right):
            if not ev.ev(side, env):
                return _false_part(side, ev, env, model) or f"`{_text(side, model)}` is false"
    if isinstance(e, N.Binary) and e.op == "=>":
        return f"`{_text(e.left, model)}` holds but " + \
            (_false_part(e.right, ev, env, model) or f"`{_text(e.right, model)}` does not")
    if isinstance(e, N.InType):
        return _out_of_type(ev.ev(e.expr, env), e.type, _text(e.expr, model))
    if isinstance(e, N.Unary) and e.op == "!" and not isinstance(e.operand, (N.Binary, N.Quant)):
        return f"`{_text(e.operand, model)}` is true"
    if isinstance(e, N.Binary) and e.op in ("==", "!=", "<", "<=", ">", ">="):
        a, b = ev.ev(e.left, env), ev.ev(e.right, env)
        shown = [f"`{_text(side, model)}` is {format_value(v)}" for side, v in ((e.left, a), (e.right, b))
                 if not isinstance(side, (N.IntLit, N.BoolLit, N.AtomLit))]
        return f"`{_text(e, model)}` does not hold" + (f" ({', '.join(shown)})" if shown else "")
    return None


def why_false(inv: N.Invariant, state: State, model: N.Model) -> str | None:
    """A sentence saying which binding and which part make ``inv`` false in ``state``, or
    None when it cannot tell (including when the invariant holds there)."""
    ev = Evaluator(state, model)
    try:
        for env, body in _bindings(inv.expr, ev, {}):
            if ev.ev(body, env):
                continue
            where = ", ".join(f"{k} = {format_value(v)}" for k, v in env.items())
            part = _false_part(body, ev, env, model)
            text = f"for {where}" if where else ""
            if part:
                text = (text + ": " if text else "") + part
            return text or None
    except (Unsupported, KeyError, TypeError, ZeroDivisionError):
        return None
    return None

