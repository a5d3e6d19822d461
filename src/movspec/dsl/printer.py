"""Syntax tree -> DSL text. ``parse(print_file(f))`` equals ``f`` (spans aside): the round-trip
property tested with hypothesis. Parentheses are added only where precedence needs them."""

from __future__ import annotations

from . import ast as A
from .tree import quote

from ..ops import (BY_DSL, P_ADD, P_CMP, P_DIFF, P_LEADS, P_POSTFIX, P_QUANT, P_RANGE, P_UNARY,
                   P_UNION)


def expr(e: A.Expr, need: int = P_QUANT) -> str:
    s, p = _expr(e)
    return f"({s})" if p < need else s


def _steps(steps: tuple[str, ...]) -> str:
    return steps[0] if len(steps) == 1 else "{" + ", ".join(steps) + "}"


def _expr(e: A.Expr) -> tuple[str, int]:
    if isinstance(e, A.Name):
        return e.name, P_POSTFIX
    if isinstance(e, A.StrE):
        return quote(e.value), P_POSTFIX
    if isinstance(e, A.IntE):
        return str(e.value), P_POSTFIX
    if isinstance(e, A.BoolE):
        return ("true" if e.value else "false"), P_POSTFIX
    if isinstance(e, A.SelfE):
        return "self", P_POSTFIX
    if isinstance(e, A.SetE):
        return "{" + ", ".join(expr(x) for x in e.elems) + "}", P_POSTFIX
    if isinstance(e, A.EmptyListE):
        return "[]", P_POSTFIX
    if isinstance(e, A.FilterE):
        return f"{{{e.var} in {expr(e.domain, P_UNION)} where {expr(e.cond)}}}", P_POSTFIX
    if isinstance(e, A.FuncE):
        return f"[{e.var} in {expr(e.domain, P_UNION)} |-> {expr(e.body)}]", P_POSTFIX
    if isinstance(e, A.CardE):
        inner = expr(e.set, P_DIFF)
        if inner.startswith("|") or inner.endswith("|"):
            inner = f" {inner} "  # `||` would lex as the or-operator
        return f"|{inner}|", P_POSTFIX
    if isinstance(e, A.RangeE):
        return f"{expr(e.lo, P_ADD)}..{expr(e.hi, P_ADD)}", P_RANGE
    if isinstance(e, A.FieldE):
        return f"{expr(e.base, P_POSTFIX)}.{e.name}", P_POSTFIX
    if isinstance(e, A.IndexE):
        return f"{expr(e.base, P_POSTFIX)}[{expr(e.index)}]", P_POSTFIX
    if isinstance(e, A.ApplyE):
        args = ", ".join((f"{a.name}: " if a.name else "") + expr(a.value) for a in e.args)
        return f"{e.name}({args})", P_POSTFIX
    if isinstance(e, A.UnaryE):
        inner = expr(e.operand, P_UNARY)
        return f"{e.op}{inner}", P_UNARY
    if isinstance(e, A.BinaryE):
        if e.op == "~>":  # only at the top of a leadsto property; not associative
            lvl, (ln, rn) = P_LEADS, (P_LEADS + 1, P_LEADS + 1)
        else:
            o = BY_DSL[e.op]
            lvl, (ln, rn) = o.level, o.operand_levels()
        return f"{expr(e.left, ln)} {e.op} {expr(e.right, rn)}", lvl
    if isinstance(e, A.QuantE):
        binders = ", ".join(f"{v} in {expr(d)}" for v, d in e.binders)
        return f"{e.kind} {binders}: {expr(e.body)}", P_QUANT
    if isinstance(e, A.IfE):
        return f"if {expr(e.cond)} then {expr(e.then)} else {expr(e.orelse)}", P_QUANT
    if isinstance(e, A.AtE):
        if e.proc is None:
            return f"at {_steps(e.steps)}", P_CMP
        return f"{expr(e.proc, P_UNION)} at {_steps(e.steps)}", P_CMP
    raise TypeError(f"not an expression: {e!r}")


def type_(t: A.TypeExpr) -> str:
    if isinstance(t, A.BoolT):
        return "bool"
    if isinstance(t, A.NamedT):
        return t.name
    if isinstance(t, A.RangeT):
        return f"{t.lo}..{t.hi}"
    if isinstance(t, A.AtomsT):
        return "{" + ", ".join(t.names) + "}"
    if isinstance(t, A.UnionT):
        return " | ".join(type_(p) for p in t.parts)
    if isinstance(t, A.FuncT):
        return f"[{type_(t.domain)} -> {type_(t.range)}]"
    if isinstance(t, A.SetT):
        return f"set of {type_(t.elem)}"
    if isinstance(t, A.ListT):
        return f"list of {type_(t.elem)}"
    raise TypeError(f"not a type: {t!r}")


def _block(head: str, body, ind: int) -> list[str]:
    pad = "    " * ind
    if not body:
        return [f"{pad}{head}{{ }}"]
    lines = [f"{pad}{head}{{"]
    for s in body:
        lines.extend(stmt(s, ind + 1))
    lines.append(f"{pad}}}")
    return lines


def _join(lines: list[str], word: str, more: list[str]) -> None:
    lines[-1] += f" {word} " + more[0].lstrip()
    lines.extend(more[1:])


def stmt(s: A.Stmt, ind: int = 0) -> list[str]:
    pad = "    " * ind
    if isinstance(s, A.AssignS):
        return [f"{pad}{expr(s.target, P_POSTFIX)} {s.op} {expr(s.value)}"]
    if isinstance(s, A.ChooseS):
        return [f"{pad}{expr(s.target, P_POSTFIX)} = any {expr(s.domain)}"]
    if isinstance(s, A.WithS):
        return _block(f"any {s.var} in {expr(s.domain)} ", s.body, ind)
    if isinstance(s, A.IfS):
        lines = _block(f"if {expr(s.cond)} ", s.then, ind)
        if s.orelse is not None:
            if len(s.orelse) == 1 and isinstance(s.orelse[0], A.IfS):
                _join(lines, "else", stmt(s.orelse[0], ind))
            else:
                _join(lines, "else", _block("", s.orelse, ind))
        return lines
    if isinstance(s, A.AwaitS):
        return [f"{pad}await {expr(s.cond)}"]
    if isinstance(s, A.EitherS):
        lines = _block("either ", s.branches[0], ind)
        for b in s.branches[1:]:
            _join(lines, "or", _block("", b, ind))
        return lines
    if isinstance(s, A.GotoS):
        return [f"{pad}goto {s.target}"]
    if isinstance(s, A.AssertS):
        msg = s.message.name if isinstance(s.message, A.Name) else quote(s.message)
        return [f"{pad}assert {expr(s.cond)}, {msg}" + (f" as {s.prop}" if s.prop else "")]
    if isinstance(s, A.CallS):
        return [f"{pad}call {s.module}.{s.op}({', '.join(expr(a) for a in s.args)})"]
    if isinstance(s, A.FCallS):
        lead = f"{expr(s.target)} = " if s.target is not None else ""
        return [f"{pad}{lead}call {s.func}({', '.join(expr(a) for a in s.args)})"]
    if isinstance(s, A.ReturnS):
        return [f"{pad}return" + (f" {expr(s.value)}" if s.value is not None else "")]
    if isinstance(s, A.UnloadS):
        return [f"{pad}unload {s.module}"]
    if isinstance(s, A.SkipS):
        return [f"{pad}skip"]
    if isinstance(s, A.MacroS):
        return [f"{pad}{s.name}({', '.join(expr(a) for a in s.args)})"]
    raise TypeError(f"not a statement: {s!r}")


def _doc(d: str | None) -> str:
    return f" {quote(d)}" if d is not None else ""


def _anchor(a: str | None) -> str:
    return f" @ {quote(a)}" if a is not None else ""


def _params(p: tuple[str, ...] | None) -> str:
    return "" if p is None else f"({', '.join(p)})"


def _local(l: A.LocalD, prefix: str = "") -> str:
    init = f" = {expr(l.init)}" if l.init is not None else ""
    return f"local {prefix}{l.name}: {type_(l.type)}{init}"


def _step(s: A.StepD, ind: int, head: str = "") -> list[str]:
    head += {"unfair": "unfair ", "strong": "fair+ "}.get(s.fairness or "", "")
    if len(s.body) == 1 and isinstance(s.body[0], A.WhileS):
        w = s.body[0]
        return _block(f"{head}step {s.name} while {expr(w.cond)}{_anchor(s.anchor)}{_doc(s.doc)} ", w.body, ind)
    return _block(f"{head}step {s.name}{_anchor(s.anchor)}{_doc(s.doc)} ", s.body, ind)


def decl(d: A.Decl, ind: int = 0) -> list[str]:
    pad = "    " * ind
    if isinstance(d, A.ModelD):
        return [f"{pad}model {d.name}{_doc(d.title)}"]
    if isinstance(d, A.ImportD):
        return [f"{pad}import {quote(d.path)}"]
    if isinstance(d, A.ConstD):
        if d.atoms is not None:
            return [f"{pad}const {d.name}{_doc(d.doc)} = {{{', '.join(d.atoms)}}}" + (" symmetric" if d.symmetric else "")]
        return [f"{pad}const {d.name}{_doc(d.doc)} = {d.value}"]
    if isinstance(d, A.EnumD) and d.bits is not None:
        bits = ", ".join(f"{m} = {b}" for m, b in zip(d.members, d.bits))
        return [f"{pad}flags {d.name}{_doc(d.doc)} {{ {bits} }}"]
    if isinstance(d, A.EnumD):
        return [f"{pad}enum {d.name}{_doc(d.doc)} {{ {', '.join(d.members)} }}"]
    if isinstance(d, A.StructD):
        lines = [f"{pad}struct {d.name}{_doc(d.doc)} {{"]
        for f in d.fields:
            default = f" = {expr(f.default)}" if f.default is not None else ""
            lines.append(f"{pad}    {f.name}{_doc(f.doc)}: {type_(f.type)}{default}")
        return lines + [f"{pad}}}"]
    if isinstance(d, A.VarD):
        init = f" = {expr(d.init)}" if d.init is not None else ""
        if d.pool is not None:
            return [f"{pad}pool {d.name}{_doc(d.doc)}: {type_(d.type)}{init} guards {d.pool}"]
        return [f"{pad}var {d.name}{_doc(d.doc)}: {type_(d.type)}{init}"]
    if isinstance(d, A.ModuleD):
        guards = f" guards {d.guards}" if d.guards else ""
        ops = f"ops {', '.join(d.ops)} " if d.ops else ""
        return [f"{pad}module {d.name}{_doc(d.doc)}{guards} {{ {ops}}}"]
    if isinstance(d, A.DefD):
        return [f"{pad}def {d.name}{_params(d.params)}{_doc(d.doc)} = {expr(d.body)}"]
    if isinstance(d, A.MacroD):
        return _block(f"macro {d.name}{_params(d.params)}{_anchor(d.anchor)}{_doc(d.doc)} ", d.body, ind)
    if isinstance(d, A.FuncD):
        params = ", ".join(f"{p.name}: {type_(p.type)}" for p in d.params)
        result = f" -> {type_(d.result)}" if d.result is not None else ""
        lines = [f"{pad}func {d.name}({params}){result}{_anchor(d.anchor)}{_doc(d.doc)} {{"]
        lines += [f"{pad}    {_local(l)}" for l in d.locals]
        for s in d.steps:
            lines += _step(s, ind + 1)
        return lines + [f"{pad}}}"]
    if isinstance(d, A.ActorD):
        fair = {"weak": "fair ", "strong": "fair+ ", None: ""}[d.fairness]
        fam = f"(self in {d.family})" if d.family else ""
        when = f" when {expr(d.guard)}" if d.guard is not None else ""
        lines = [f"{pad}{fair}actor {d.name}{fam}{when}{_doc(d.doc)} {{"]
        lines += [f"{pad}    {_local(l)}" for l in d.locals]
        for s in d.steps:
            lines += _step(s, ind + 1)
        return lines + [f"{pad}}}"]
    if isinstance(d, A.IrqD):
        lines = [f"{pad}irq {d.name} on {d.actor}{_doc(d.doc)} {{"]
        for s in d.steps:
            lines += _step(s, ind + 1)
        return lines + [f"{pad}}}"]
    if isinstance(d, A.InvariantD):
        return [f"{pad}invariant {d.name}{_doc(d.doc)}: {expr(d.expr)}"]
    if isinstance(d, A.AssertionD):
        return [f"{pad}assertion {d.name}{_doc(d.doc)}"]
    if isinstance(d, A.LeadsToD):
        return [f"{pad}leadsto {d.name}{_doc(d.doc)}: {expr(d.expr)}"]
    if isinstance(d, A.AllowDeadlockD):
        return [f"{pad}allow deadlock"]
    if isinstance(d, A.AbstractD):
        lines = [f"{pad}abstract {d.name}{_doc(d.doc)} {{"]
        for v in d.vars:
            lines += decl(v, ind + 1)
        for a in d.actions:
            params = ", ".join(f"{n} in {expr(dom)}" for n, dom in a.params)
            lines += _block(f"action {a.name}({params}){_doc(a.doc)} ", a.body, ind + 1)
        return lines + [f"{pad}}}"]
    if isinstance(d, A.RefinementD):
        lines = [f"{pad}refinement {d.name}{_doc(d.doc)} of {d.abstract} {{"]
        lines += [f"{pad}    {m.var} = {expr(m.expr)}" for m in d.mappings]
        return lines + [f"{pad}}}"]
    if isinstance(d, A.InductiveD):
        return [f"{pad}inductive {d.name}{_doc(d.doc)}: {expr(d.expr)}"]
    if isinstance(d, A.ForD):
        lines = [f"{pad}for {', '.join(d.variants)} {{"]
        for x in d.decls:
            lines += decl(x, ind + 1)
        return lines + [f"{pad}}}"]
    if isinstance(d, A.VariantD):
        ext = f" extends {d.extends}" if d.extends else ""
        src = f" source {quote(d.source)}" if d.source is not None else ""
        head = f"{pad}variant {d.name}{ext}{_doc(d.doc)}{src}"
        if d.deltas is None:
            return [head]
        lines = [head + " {"]
        for x in d.deltas:
            lines += delta(x, ind + 1)
        return lines + [f"{pad}}}"]
    if isinstance(d, A.ExpectD):
        lines = [f"{pad}// {l}" for l in d.note.splitlines()] if d.note else []
        props = ", ".join(d.properties) if d.properties else "all"
        return lines + [f"{pad}expect {d.variant} {d.verdict} {props}"]
    raise TypeError(f"not a declaration: {d!r}")


def delta(x: A.DeltaNode, ind: int) -> list[str]:
    pad = "    " * ind
    if isinstance(x, A.ReplaceStepD):
        rename = f" as {x.rename}" if x.rename else ""
        mark = {"unfair": "unfair ", "strong": "fair+ ", "plain": "fair "}.get(x.fairness or "", "")
        head = f"replace {mark}{x.actor}.{x.step}{rename}{_anchor(x.anchor)}{_doc(x.doc)}"
        if x.body is None:  # the step keeps its statements
            return [f"{pad}{head}"]
        return _block(head + " ", x.body, ind)
    if isinstance(x, A.InsertStepD):
        return _step(x.step, ind, f"insert {x.where} {x.actor}.{x.ref} ")
    if isinstance(x, A.RemoveStepD):
        return [f"{pad}remove {x.actor}.{x.step}"]
    if isinstance(x, A.RemovePropertyD):
        return [f"{pad}remove property {x.name}"]
    if isinstance(x, A.AddLocalD):
        return [f"{pad}{_local(x.local, x.actor + '.')}"]
    if isinstance(x, A.DeclDelta):
        return decl(x.decl, ind)
    raise TypeError(f"not a delta: {x!r}")


def print_file(f: A.File | list) -> str:
    decls = f.decls if isinstance(f, A.File) else f
    out: list[str] = []
    for d in decls:
        out.extend(decl(d))
    return "\n".join(out) + "\n"
