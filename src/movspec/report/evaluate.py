"""Evaluate IR expressions on a plain trace state, to say *why* an invariant is false.

``why_false(inv, state, model)`` walks the invariant the way a reader would: through the
leading ``forall`` quantifiers to the first binding that breaks it (``p = P1``), and through
``&&`` and ``=>`` to the part that is false. The answer is a short sentence for ``explain``
and the docs, or None when the expression uses something this small evaluator does not read
(then the story simply says the invariant is false).

Values are the plain ones of ``result`` (int, bool, str atoms, ``Rec``, ``Fn``, frozenset).
The evaluation is the builtin checker's compiled code (``explore.compile.Expressions``, on the
state's leaves; bound variables are replaced by their values), type membership included
(function domains too); this module only chooses what to say.
"""

from __future__ import annotations

from ..explore.compile import Expressions
from ..explore.domains import RUNTIME_ERRORS, CompileError
from ..ir import nodes as N
from ..ir.printer import expr_str
from ..ir.walk import literal, substitute
from ..result import State, format_value


class Unsupported(Exception):
    pass


def _text(e, model) -> str:
    return expr_str(e, model)


class Evaluator:
    """Plain-value evaluation of IR expressions in one state, by the checker's compiled
    expressions (``explore.compile.Expressions``: the one evaluator on plain values)."""

    def __init__(self, state: State, model: N.Model):
        self.model = model
        self.exprs = Expressions(model)
        try:
            self.W = self.exprs.layout.leaves_of(state)
        except (KeyError, *RUNTIME_ERRORS) as err:
            raise Unsupported(f"the state does not fit the model: {err}") from err

    def ev(self, e, env: dict):
        for k, v in env.items():
            lit = literal(self.model, v)
            if lit is None:
                raise Unsupported(f"{k} is bound to a value that is not a scalar")
            e = substitute(e, k, lit)
        try:
            return self.exprs.plain_function(e)(self.W)
        except (CompileError, *RUNTIME_ERRORS) as err:
            raise Unsupported(str(err)) from err

    def _domain(self, e, env: dict):
        d = self.ev(e, env)
        if not isinstance(d, frozenset):
            raise Unsupported("quantifier over a non-set")
        return sorted(d, key=lambda x: (str(type(x)), x))


def _out_of_type(e, t, path: str, ev: Evaluator, env: dict) -> str | None:
    """The first leaf of the value of ``e`` outside ``t``: ``ref[P1] is 4, outside 0..3``."""
    if ev.ev(N.InType(e, t), env):
        return None
    if isinstance(t, N.RecordType):
        for f in t.fields:
            found = _out_of_type(N.Field(e, f.name), f.type, f"{path}.{f.name}", ev, env)
            if found:
                return found
    elif isinstance(t, N.FuncType):
        v = ev.ev(e, env)
        for k, _ in getattr(v, "pairs", ()):
            lit = literal(ev.model, k)
            found = lit is not None and _out_of_type(N.Index(e, lit), t.range, f"{path}[{format_value(k)}]", ev, env)
            if found:
                return found
    return f"`{path}` is {format_value(ev.ev(e, env))}, outside {t}"


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
        return _out_of_type(e.expr, e.type, _text(e.expr, model), ev, env)
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
    try:
        ev = Evaluator(state, model)
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

