"""Type checks over a resolved model.

Finds what parses and resolves but cannot mean anything: assigning an out-of-range literal or
an atom outside the target's type, a field a struct does not have, comparing values of unlike
types (or atom sets with no atom in common), non-boolean conditions, arithmetic on non-integers,
indexing a non-function, membership in a non-set.

Known limit: integer ranges are only checked for literals (``x = 5`` into ``0..4``); the value
of ``x + 1`` is checked at run time by ``TypeOK``.
"""

from __future__ import annotations

from dataclasses import replace

from ..diagnostics import Diagnostic, did_you_mean
from ..ir import nodes as N
from ..ir.walk import types_in
from .types_expr import ExprTypes, TFunc, comparable, desc, kind, kind_word, of_ir, shown, typed


class TypeChecker(ExprTypes):
    """The type findings of a model: its expressions (``ExprTypes``), what is stored where, its
    statements and its properties."""

    # assignments --------------------------------------------------------------------------
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
                self.err(f"{n} is out of range for {what} (type {shown(target)})", value.span,
                         f"values of {what} are {target.lo}..{target.hi}", "range")
            return
        if isinstance(target, N.AtomType) and isinstance(vt, N.AtomType):
            extra = set(vt.atoms) - set(target.atoms)
            if extra and isinstance(value, N.AtomLit):
                self.err(f"`{value.name}` is not a value of {what} (type {shown(target)})", value.span,
                         did_you_mean(value.name, target.atoms) or
                         f"values: {', '.join(sorted(target.atoms))}", "range")
            elif set(vt.atoms).isdisjoint(target.atoms):
                self.err(f"{desc(value)} ({shown(vt)}) is never a value of {what} (type {shown(target)})", value.span,
                         f"values of {what}: {shown(target)}", "type")
            return
        if isinstance(target, TFunc) and isinstance(vt, TFunc):
            self.func_into(target, vt, value, env, what)
            return
        if not comparable(target, vt) and kind(target) != kind(vt):
            self.err(f"{what} is {typed(target)}, but {desc(value)} is {typed(vt)}",
                     value.span,
                     f"assign {kind_word(target)} to {what}", "type")
        elif isinstance(target, N.RecordType) and isinstance(vt, N.RecordType) and target.name != vt.name:
            self.err(f"{what} is a `{target}` struct, but {desc(value)} is a `{vt}`", value.span,
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
            self.err(f"the function's domain is {desc(value.domain)}, but {what} is declared over {shown(target.dom)}",
                     value.span, f"write `[x in {shown(target.dom)} |-> ...]`: a function value is defined on "
                     f"exactly its domain", "domain")
            return
        if differ:
            self.err(f"{desc(value)} is a function over {shown(vt.dom)}, but {what} is declared over {shown(target.dom)}",
                     value.span, f"assign a function over {shown(target.dom)}", "domain")
            return
        if literal:
            # each value of the function goes where a value of the declared range goes
            el = self.set_(value.domain, env, "the domain of a function value")
            self.value_into(target.rng, value.body, {**env, value.var: el}, f"an entry of {what}", value.span)
        elif target.rng is not None and vt.rng is not None and not comparable(target.rng, vt.rng):
            self.err(f"{desc(value)} maps to {typed(vt.rng)}, but {what} maps to {typed(target.rng)}",
                     value.span, f"assign a function to {shown(target.rng)}", "type")

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
                    self.err(f"`{s.op}` on {desc(s.target)}, which is {typed(tt)}", s.span,
                             f"`{s.op}` works on integers; write `x = ...`", "type")
                self.int_(s.value, env, f"the right side of `{s.op}`")
            else:
                self.value_into(tt, s.value, env, desc(s.target))
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
        elif isinstance(s, N.CallFunc):
            f = self.m.function(s.func)
            for p, a in zip(f.params, s.args):
                self.value_into(of_ir(f.local(p).type), a, env, f"parameter `{p}` of `{f.name}`")
            if s.target is not None and f.result is not None:
                tt, rt = self.target_type(s.target, env), of_ir(f.result)
                if tt is not None and not comparable(tt, rt) and kind(tt) != kind(rt):
                    self.err(f"{desc(s.target)} is {typed(tt)}, but `{f.name}` returns {typed(rt)}", s.span,
                             "assign the result to a place of its type", "type")
        elif isinstance(s, N.Return) and s.value is not None and isinstance(self.actor, N.Function):
            self.value_into(of_ir(self.actor.result), s.value, env, f"the result of `{self.actor.name}`")

    # model --------------------------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        m = self.m
        for v in m.vars:
            self.value_into(of_ir(v.type), v.init, {}, f"variable `{v.name}`", v.span)
        for a in m.actors + m.functions:
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
    return (x for x in types_in(t) if isinstance(x, N.RecordType))


def check_types(model: N.Model) -> list[Diagnostic]:
    return TypeChecker(model).run()


def _respan(e: N.Expr, span) -> N.Expr:
    """``e`` placed at ``span`` (IR nodes keep spans out of equality)."""
    try:
        return replace(e, span=span)
    except (TypeError, ValueError):
        return e
