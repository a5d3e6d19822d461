"""Evaluate IR expressions on a plain trace state, to say *why* an invariant is false.

``why_false(inv, state, model)`` walks the invariant the way a reader would: through the
leading ``forall`` quantifiers to the first binding that breaks it (``p = P1``), and through
``&&`` and ``=>`` to the part that is false. The answer is a short sentence for ``explain``
and the docs, or None when the expression uses something this small evaluator does not read
(then the story simply says the invariant is false).

Values are the plain ones of ``result`` (int, bool, str atoms, ``Rec``, ``Fn``, frozenset).
The evaluation is ``explore.reference``'s (function domains included in type membership);
this module only chooses what to say.
"""

from __future__ import annotations

from ..explore.reference import Env, RefError, ev, in_type
from ..ir import nodes as N
from ..ir.printer import expr_str
from ..result import Fn, Rec, State, format_value


class Unsupported(Exception):
    pass


def _text(e, model) -> str:
    return expr_str(e, model)


class Evaluator:
    """Plain-value evaluation of IR expressions in one state, by ``explore.reference`` (the
    one evaluator on plain values; the checkers themselves run compiled code)."""

    def __init__(self, state: State, model: N.Model):
        self.base = Env(model, state)

    def ev(self, e, env: dict):
        rt = self.base
        for k, v in env.items():
            rt = rt.bind(k, v)
        try:
            return ev(e, rt)
        except RefError as err:
            raise Unsupported(str(err)) from err

    def _domain(self, e, env: dict):
        d = self.ev(e, env)
        if not isinstance(d, frozenset):
            raise Unsupported("quantifier over a non-set")
        return sorted(d, key=lambda x: (str(type(x)), x))


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

