"""A resolved model -> DSL text (``movspec show``): what a variant is after its deltas.

The output reads like the source: macros and ``def``s appear expanded, enums and structs are
recovered from the types that name them, ``<m>_loaded`` reads as ``m.loaded`` and assignments
of false to it as ``unload m``. ``TypeOK`` (built in) is not printed. Parsing the output gives
back an equal model, except for names the builder invented (``x = any S`` shows as
``any p_any in S { p = p_any }``).
"""

from __future__ import annotations

from ..dsl.tree import quote
from . import nodes as N

# precedence levels, loosest first (docs/language.md)
from ..ops import (P_ADD, P_CMP, P_DIFF, P_EQUIV, P_POSTFIX, P_QUANT, P_RANGE, P_UNARY, P_UNION,
                   binop)


def _loaded_modules(model: N.Model | None) -> dict[str, str]:
    if model is None:
        return {}
    return {m.loaded_var: m.name for m in model.modules}


class Printer:
    def __init__(self, model: N.Model | None = None, actor: N.Actor | None = None):
        self.model = model
        self.actor = actor
        self.loaded = _loaded_modules(model)

    def expr(self, e: N.Expr, need: int = P_QUANT) -> str:
        s, p = self._expr(e)
        return f"({s})" if p < need else s

    def _expr(self, e: N.Expr) -> tuple[str, int]:
        if isinstance(e, N.IntLit):
            return (str(e.value), P_POSTFIX if e.value >= 0 else P_UNARY)
        if isinstance(e, N.BoolLit):
            return ("true" if e.value else "false", P_POSTFIX)
        if isinstance(e, N.AtomLit):
            return (e.name, P_POSTFIX)
        if isinstance(e, N.VarRef):
            if e.name in self.loaded:
                return (f"{self.loaded[e.name]}.loaded", P_POSTFIX)
            return (e.name, P_POSTFIX)
        if isinstance(e, N.LocalRef):
            if e.proc is None:
                return (e.name, P_POSTFIX)
            if isinstance(e.proc, N.AtomLit) and e.proc.name == e.actor:
                return (f"{e.actor}.{e.name}", P_POSTFIX)
            return (f"{e.actor}[{self.expr(e.proc)}].{e.name}", P_POSTFIX)
        if isinstance(e, (N.ConstRef, N.BoundRef)):
            return (e.name, P_POSTFIX)
        if isinstance(e, N.SelfRef):
            return ("self", P_POSTFIX)
        if isinstance(e, N.Field):
            return (f"{self.expr(e.base, P_POSTFIX)}.{e.name}", P_POSTFIX)
        if isinstance(e, N.Index):
            return (f"{self.expr(e.base, P_POSTFIX)}[{self.expr(e.index)}]", P_POSTFIX)
        if isinstance(e, N.Unary):
            inner = self.expr(e.operand, P_UNARY)
            if e.op == "-" and inner.startswith("-"):
                inner = f"({inner})"
            return (f"{e.op}{inner}", P_UNARY)
        if isinstance(e, N.Binary):
            o = binop(e.op)
            lneed, rneed = o.operand_levels()
            return (f"{self.expr(e.left, lneed)} {o.dsl} {self.expr(e.right, rneed)}", o.level)
        if isinstance(e, N.SetLit):
            return ("{" + ", ".join(self.expr(x) for x in e.elems) + "}", P_POSTFIX)
        if isinstance(e, N.RangeLit):
            return (f"{self.expr(e.lo, P_ADD)}..{self.expr(e.hi, P_ADD)}", P_RANGE)
        if isinstance(e, N.Card):
            inner = self.expr(e.set, P_DIFF)
            if inner.startswith("|") or inner.endswith("|"):
                inner = f" {inner} "  # `||` would lex as the or-operator
            return (f"|{inner}|", P_POSTFIX)
        if isinstance(e, N.Quant):
            binders = []
            body = e
            while isinstance(body, N.Quant) and body.kind == e.kind:
                binders.append(f"{body.var} in {self.expr(body.domain)}")
                body = body.body
            return (f"{e.kind} {', '.join(binders)}: {self.expr(body)}", P_QUANT)
        if isinstance(e, N.SetFilter):
            return (f"{{{e.var} in {self.expr(e.domain, P_UNION)} where {self.expr(e.cond)}}}", P_POSTFIX)
        if isinstance(e, N.FuncLit):
            return (f"[{e.var} in {self.expr(e.domain, P_UNION)} |-> {self.expr(e.body)}]", P_POSTFIX)
        if isinstance(e, N.IfExpr):
            return (f"if {self.expr(e.cond)} then {self.expr(e.then)} else {self.expr(e.orelse)}", P_QUANT)
        if isinstance(e, N.RecordLit):
            fields = ", ".join(f"{n}: {self.expr(v)}" for n, v in e.fields)
            return (f"{e.type.name}({fields})", P_POSTFIX)
        if isinstance(e, N.At):
            steps = ["done" if s == N.DONE else f"{e.func}.{s}" if e.func else s for s in e.steps]
            st = steps[0] if len(steps) == 1 else "{" + ", ".join(steps) + "}"
            if e.proc is None:
                single = self.model is not None and self.model.actor(e.actor) is not None and \
                    self.model.actor(e.actor).proc_set is None
                if single or (self.actor is not None and self.actor.name != e.actor):
                    return (f"{e.actor} at {st}", P_CMP)
                return (f"at {st}", P_CMP)
            return (f"{e.actor}[{self.expr(e.proc)}] at {st}", P_CMP)
        if isinstance(e, N.InType):
            return (f"{self.expr(e.expr, P_UNION)} in {type_str(e.type, self.model)}", P_CMP)
        if isinstance(e, N.SeqLit):
            return ("[" + ", ".join(self.expr(x) for x in e.elems) + "]", P_POSTFIX)
        if isinstance(e, N.ListOp):
            if e.op == "len":
                return (f"|{self.expr(e.list, P_DIFF)}|", P_POSTFIX)
            if e.op == "has":
                return (f"{self.expr(e.elem, P_UNION)} in {self.expr(e.list, P_UNION)}", P_CMP)
            if e.op == "first":
                return (f"list_first_entry({self.expr(e.list)})", P_POSTFIX)
            if e.op == "keep":  # no DSL spelling: what it means
                return (f"[x in {self.expr(e.list)} if x in {self.expr(e.elem)}]", P_POSTFIX)
            # a list's new value: written as the statement that computes it
            name = {"add": "list_add", "add_tail": "list_add_tail", "del": "list_del"}[e.op]
            return (f"{name}({self.expr(e.elem)}, {self.expr(e.list)})", P_POSTFIX)
        raise TypeError(f"not an expression: {e!r}")

    # statements -----------------------------------------------------------------------
    def stmts(self, body, indent: int) -> list[str]:
        out = []
        for s in body:
            out.extend(self.stmt(s, indent))
        return out

    def block(self, head: str, body, indent: int) -> list[str]:
        pad = "    " * indent
        if not body:
            return [f"{pad}{head}{{ }}"]
        return [f"{pad}{head}{{"] + self.stmts(body, indent + 1) + [f"{pad}}}"]

    def stmt(self, s: N.Stmt, indent: int) -> list[str]:
        pad = "    " * indent
        if isinstance(s, N.Assign):
            if isinstance(s.target, N.VarRef) and s.target.name in self.loaded and \
                    isinstance(s.value, N.BoolLit) and not s.value.value and s.op == "=":
                return [f"{pad}unload {self.loaded[s.target.name]}"]
            return [f"{pad}{self.expr(s.target, P_POSTFIX)} {s.op} {self.expr(s.value)}"]
        if isinstance(s, N.If):
            lines = self.block(f"if {self.expr(s.cond)} ", s.then, indent)
            orelse = s.orelse
            while orelse:
                if len(orelse) == 1 and isinstance(orelse[0], N.If):
                    nxt = orelse[0]
                    more = self.block(f"if {self.expr(nxt.cond)} ", nxt.then, indent)
                    lines[-1] += " else " + more[0].lstrip()
                    lines.extend(more[1:])
                    orelse = nxt.orelse
                else:
                    more = self.block("", orelse, indent)
                    lines[-1] += " else " + more[0].lstrip()
                    lines.extend(more[1:])
                    break
            return lines
        if isinstance(s, N.Await):
            return [f"{pad}await {self.expr(s.cond)}"]
        if isinstance(s, N.Either):
            lines = self.block("either ", s.branches[0], indent)
            for b in s.branches[1:]:
                more = self.block("", b, indent)
                lines[-1] += " or " + more[0].lstrip()
                lines.extend(more[1:])
            return lines
        if isinstance(s, N.With):
            return self.block(f"any {s.var} in {self.expr(s.domain)} ", s.body, indent)
        if isinstance(s, N.Goto):
            return [f"{pad}goto {'done' if s.target == N.DONE else s.target}"]
        if isinstance(s, N.Assert):
            tail = "" if s.prop == "Assertions" else f" as {s.prop}"
            return [f"{pad}assert {self.expr(s.cond)}, {quote(s.message)}{tail}"]
        if isinstance(s, N.Call):
            return [f"{pad}call {s.module}.{s.op}({', '.join(self.expr(a) for a in s.args)})"]
        if isinstance(s, N.CallFunc):
            call = f"call {s.func}({', '.join(self.expr(a) for a in s.args)})"
            return [f"{pad}{self.expr(s.target, P_POSTFIX)} = {call}" if s.target is not None else f"{pad}{call}"]
        if isinstance(s, N.Return):
            return [f"{pad}return" + (f" {self.expr(s.value)}" if s.value is not None else "")]
        if isinstance(s, N.Skip):
            return [f"{pad}skip"]
        raise TypeError(f"not a statement: {s!r}")


def type_str(t: N.Type, model: N.Model | None = None) -> str:
    """A type as written in the DSL; unions are split back into constant sets and atoms."""
    if isinstance(t, N.AtomType) and t.name is None:
        sets = [c for c in model.consts if c.atoms] if model is not None else []
        have = set(t.atoms)
        parts: list[str] = []
        inline: list[str] = []
        done: set[str] = set()
        for a in t.atoms:
            if a in done:
                continue
            c = next((c for c in sets if a in c.atoms and set(c.atoms) <= have), None)
            if c is not None:
                if inline:
                    parts.append("{" + ", ".join(inline) + "}")
                    inline = []
                parts.append(c.name)
                done |= set(c.atoms)
            else:
                inline.append(a)
                done.add(a)
        if inline:
            parts.append("{" + ", ".join(inline) + "}")
        return " | ".join(parts)
    if isinstance(t, N.FuncType):
        return f"[{type_str(t.domain, model)} -> {type_str(t.range, model)}]"
    if isinstance(t, N.SetType):
        return f"set of {type_str(t.elem, model)}"
    if isinstance(t, N.ListType):
        return f"list of {type_str(t.elem, model)}"
    return str(t)


def expr_str(e: N.Expr, model: N.Model | None = None) -> str:
    return Printer(model).expr(e)


def _doc(doc: str | None) -> str:
    return f" {quote(doc)}" if doc else ""


def _named_types(model: N.Model):
    """Enums (named atom types that are not constants) and structs, in first-use order."""
    enums: dict[str, tuple[str, ...]] = {}
    structs: dict[str, N.RecordType] = {}
    for t in model.named_types():
        if isinstance(t, N.RecordType):
            structs[t.name] = t
        else:
            enums[t.name] = t.atoms
    return enums, structs


def _function_lines(model: N.Model, f: N.Function) -> list[str]:
    """``func name(p: T, ...) -> R { locals; steps }``, each step marked with the variant
    that introduced or replaced it."""
    fp = Printer(model, f)
    params = ", ".join(f"{l.name}: {type_str(l.type, model)}" for l in f.locals[:len(f.params)])
    result = f" -> {type_str(f.result, model)}" if f.result is not None else ""
    anchor = f" @ {quote(f.anchor)}" if f.anchor else ""
    out = ["", f"func {f.name}({params}){result}{anchor}{_doc(f.doc)} {{"]
    for l in f.locals[len(f.params):]:
        init = f" = {fp.expr(l.init)}" if l.init is not None else ""
        out.append(f"    local {l.name}: {type_str(l.type, model)}{init}")
    for s in f.steps:
        anchor = f" @ {quote(s.anchor)}" if s.anchor else ""
        mark = {"unfair": "unfair ", "strong": "fair+ "}.get(s.fairness or "", "")
        lines = fp.block(f"{mark}step {s.name}{anchor}{_doc(s.doc)} ", s.body, 1)
        if s.origin:
            lines[0] += f"    // from variant {s.origin}"
        out.extend(lines)
    out.append("}")
    return out


def model_str(model: N.Model) -> str:
    """The whole variant as DSL text."""
    p = Printer(model)
    out: list[str] = [f"model {model.name}{_doc(model.title)}", ""]
    if model.base:
        out.append(f"// variant {model.variant} extends {model.base}, with its deltas applied")
    src = f" source {quote(model.source)}" if model.source else ""
    out.append(f"variant {model.variant}{_doc(model.description)}{src}")
    out.append("")
    for c in model.consts:
        if c.atoms is not None:
            out.append(f"const {c.name}{_doc(c.doc)} = {{{', '.join(c.atoms)}}}" + (" symmetric" if c.symmetric else ""))
        else:
            out.append(f"const {c.name}{_doc(c.doc)} = {c.value}")
    enums, structs = _named_types(model)
    for name, atoms in enums.items():
        out.append(f"enum {name} {{ {', '.join(atoms)} }}")
    for rt in structs.values():
        out.append(f"struct {rt.name} {{")
        for f in rt.fields:
            out.append(f"    {f.name}{_doc(f.doc)}: {type_str(f.type, model)} = {p.expr(f.default)}")
        out.append("}")
    out.append("")
    loaded = {m.loaded_var for m in model.modules}
    for v in model.vars:
        if v.name not in loaded:
            out.append(f"var {v.name}{_doc(v.doc)}: {type_str(v.type, model)} = {p.expr(v.init)}")
    for m in model.modules:
        out.append(f"module {m.name}{_doc(m.doc)} guards {m.guards} {{ ops {', '.join(m.ops)} }}")
    for f in model.functions:
        out.extend(_function_lines(model, f))
    for a in model.actors:
        out.append("")
        fair = {"weak": "fair ", "strong": "fair+ "}.get(a.fairness or "", "")
        fam = f"(self in {a.proc_set})" if a.proc_set else ""
        out.append(f"{fair}actor {a.name}{fam}{_doc(a.doc)} {{")
        ap = Printer(model, a)
        for l in a.locals:
            init = f" = {ap.expr(l.init)}" if l.init is not None else ""
            out.append(f"    local {l.name}: {type_str(l.type, model)}{init}")
        for s in a.steps:
            anchor = f" @ {quote(s.anchor)}" if s.anchor else ""
            origin = f"    // from variant {s.origin}" if s.origin else ""
            mark = {"unfair": "unfair ", "strong": "fair+ "}.get(s.fairness or "", "")
            lines = ap.block(f"{mark}step {s.name}{anchor}{_doc(s.doc)} ", s.body, 1)
            lines[0] += origin
            out.extend(lines)
        out.append("}")
    out.append("")
    abstracts: set[str] = set()
    for pr in model.properties:
        if isinstance(pr, N.Invariant) and pr.name != N.TYPE_OK:
            out.append(f"invariant {pr.name}{_doc(pr.doc)}:")
            out.append(f"    {p.expr(pr.expr)}")
        elif isinstance(pr, N.LeadsTo):
            bound = ", ".join(f"{v} in {p.expr(d)}" for v, d in pr.bound)
            body = f"{p.expr(pr.p, P_EQUIV)} ~> {p.expr(pr.q, P_EQUIV)}"
            out.append(f"leadsto {pr.name}{_doc(pr.doc)}:")
            out.append(f"    {'forall ' + bound + ': ' if bound else ''}{body}")
        elif isinstance(pr, N.AssertProperty):
            out.append(f"assertion {pr.name}{_doc(pr.doc)}")
        elif isinstance(pr, N.Inductive):
            out.append(f"inductive {pr.name}{_doc(pr.doc)}:")
            out.append(f"    {p.expr(pr.expr)}")
        elif isinstance(pr, N.Refinement):
            spec = pr.abstract
            if spec.name not in abstracts:
                abstracts.add(spec.name)
                out.append(f"abstract {spec.name}{_doc(spec.doc)} {{")
                for v in spec.vars:
                    out.append(f"    var {v.name}{_doc(v.doc)}: {type_str(v.type, model)} = {p.expr(v.init)}")
                for a in spec.actions:
                    params = ", ".join(f"{var} in {p.expr(dom)}" for var, dom in a.params)
                    out.extend(p.block(f"action {a.name}({params}){_doc(a.doc)} ", a.body, 1))
                out.append("}")
            out.append(f"refinement {pr.name}{_doc(pr.doc)} of {spec.name} {{")
            for var, e in pr.mapping:
                out.append(f"    {var} = {p.expr(e)}")
            out.append("}")
    if model.allow_deadlock:
        out.append("allow deadlock")
    if model.expectations:
        out.append("")
        for e in model.expectations:
            if e.note:
                out.extend(f"// {line}" for line in e.note.splitlines())
            props = ", ".join(e.properties) if e.properties else "all"
            out.append(f"expect {model.variant} {e.verdict} {props}")
    return "\n".join(out).rstrip() + "\n"
