"""Lark parse tree -> syntax tree: ``ToAst``, the declarations, proofs, variants and deltas on
top of ``tree_expr.ExprToAst`` (spans, types, statements, expressions).

A problem found while building (a malformed literal, a misplaced declaration) raises
``DslError`` carrying its diagnostic; ``parser.parse`` turns it into the result.
"""

from __future__ import annotations

from lark import Token, v_args

from ..span import Span
from . import ast as A
from .tree_expr import DslError, ExprToAst, quote, unquote  # noqa: F401 (re-exported)


class ToAst(ExprToAst):
    # declarations -------------------------------------------------------------
    @v_args(meta=True)
    def start(self, meta, items):
        return [i for i in items if not isinstance(i, Token)]

    @v_args(meta=True, inline=True)
    def model_decl(self, meta, name, title):
        return A.ModelD(str(name), self.s(title), self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def import_decl(self, meta, path):
        return A.ImportD(self.s(path), self.sp(meta))

    @v_args(meta=True, inline=True)
    def const_decl(self, meta, name, doc, value):
        kind, v, sym = value
        if kind == "set":
            return A.ConstD(str(name), self.s(doc), atoms=v, symmetric=sym,
                            span=self.sp(meta), name_span=self.tsp(name))
        return A.ConstD(str(name), self.s(doc), value=v, span=self.sp(meta), name_span=self.tsp(name))

    def const_set(self, items):
        sym = items[-1] is not None
        names = tuple(str(t) for t in items[:-1] if t is not None)
        return ("set", names, sym)

    def const_int(self, items):
        return ("int", int(items[0]), False)

    def const_neg(self, items):
        return ("int", -int(items[0]), False)

    @v_args(meta=True)
    def enum_decl(self, meta, items):
        name, doc, *members = items
        return A.EnumD(str(name), self.s(doc), tuple(str(m) for m in members if m is not None),
                       self.sp(meta), self.tsp(name))

    @v_args(meta=True)
    def flags_decl(self, meta, items):
        name, doc, *bits = items
        bits = [b for b in bits if b is not None]
        members = tuple(str(n) for n, _ in bits)
        numbers, used = [], {}
        for n, number in bits:  # numbered as a C enum: one more than the bit before
            k = (numbers[-1] + 1 if numbers else 0) if number is None else int(number)
            if not 0 <= k <= 63:
                raise DslError(f"bit `{n}` of flags `{name}` has number {k}, outside 0..63",
                               self.tsp(number), "a flags word has bits 0..63", "flags")
            if k in used:
                raise DslError(f"bits `{used[k]}` and `{n}` of flags `{name}` are both bit {k}",
                               self.tsp(number if number is not None else n),
                               "give each bit its own number", "flags")
            used[k] = str(n)
            numbers.append(k)
        return A.EnumD(str(name), self.s(doc), members, self.sp(meta), self.tsp(name), tuple(numbers))

    def flag_bit(self, items):
        return (items[0], items[1])

    @v_args(meta=True)
    def struct_decl(self, meta, items):
        name, doc, *fields = items
        return A.StructD(str(name), self.s(doc), tuple(fields), self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def field_decl(self, meta, name, doc, type_, default):
        return A.FieldD(str(name), self.s(doc), type_, default, self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def var_decl(self, meta, name, doc, type_, init):
        return A.VarD(str(name), self.s(doc), type_, init, self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def pool_decl(self, meta, name, doc, type_, init, guards):
        return A.VarD(str(name), self.s(doc), type_, init, self.sp(meta), self.tsp(name),
                      str(guards) if guards is not None else "NoUseAfterFree")

    @v_args(meta=True)
    def module_decl(self, meta, items):
        name, doc, guards, *ops = items
        return A.ModuleD(str(name), self.s(doc), None if guards is None else str(guards),
                         tuple(str(o) for o in ops if o is not None), self.sp(meta), self.tsp(name))

    def params(self, items):
        return tuple(str(t) for t in items if t is not None)

    @v_args(meta=True, inline=True)
    def def_decl(self, meta, name, params, doc, body):
        return A.DefD(str(name), params, self.s(doc), body, self.sp(meta), self.tsp(name))

    def _annots(self, annots, what: str):
        anchor = doc = None
        for kind, value, span in annots:
            if kind == "anchor":
                if anchor is not None:
                    raise DslError(f"{what} has two `@` anchors", span, "keep one `@ \"file.c:function\"`")
                anchor = value
            else:
                if doc is not None:
                    raise DslError(f"{what} has two descriptions", span, "keep one description string")
                doc = value
        return anchor, doc

    @v_args(meta=True)
    def anchor(self, meta, items):
        return ("anchor", self.s(items[0]), self.sp(meta))

    @v_args(meta=True)
    def doc(self, meta, items):
        return ("doc", self.s(items[0]), self.sp(meta))

    @v_args(meta=True)
    def macro_decl(self, meta, items):
        name, params, *annots, body = items
        anchor, doc = self._annots(annots, f"macro `{name}`")
        return A.MacroD(str(name), params, anchor, doc, body, self.sp(meta), self.tsp(name))

    def fairness(self, items):
        return "strong" if len(items) > 1 and items[1] is not None else "weak"

    def family(self, items):
        return items[-1]

    @v_args(meta=True)
    def actor_decl(self, meta, items):
        fair, name, family, guard, doc, *body = items
        locals_ = tuple(b for b in body if isinstance(b, A.LocalD))
        steps = tuple(b for b in body if isinstance(b, A.StepD))
        self._locals_first(body, "an actor's")
        return A.ActorD(str(name), fair, None if family is None else str(family), self.s(doc),
                        locals_, steps, self.sp(meta), self.tsp(name), guard)

    @v_args(meta=True)
    def irq_decl(self, meta, items):
        name, actor, doc, *body = items
        return A.IrqD(str(name), str(actor), self.s(doc), tuple(b for b in body if isinstance(b, A.StepD)),
                      self.sp(meta), self.tsp(name), self.tsp(actor))

    @v_args(meta=True)
    def func_decl(self, meta, items):
        name, op, params, result, *rest = items
        if op is not None:  # a module's callback: `func m.op(...)`
            name = Token("NAME", f"{name}.{op}", name.start_pos, name.line, name.column, op.end_line,
                         op.end_column, op.end_pos)
        annots = [r for r in rest if isinstance(r, tuple)]
        body = [r for r in rest if not isinstance(r, (tuple, Token)) and r is not None]
        anchor, doc = self._annots(annots, f"function `{name}`")
        self._locals_first(body, "a function's")
        return A.FuncD(str(name), params, result, anchor, doc,
                       tuple(b for b in body if isinstance(b, A.LocalD)),
                       tuple(b for b in body if isinstance(b, A.StepD)), self.sp(meta), self.tsp(name))

    def func_params(self, items):
        return tuple(i for i in items if i is not None)

    @v_args(meta=True, inline=True)
    def func_param(self, meta, name, type_):
        return A.LocalD(str(name), type_, None, self.sp(meta), self.tsp(name))

    @staticmethod
    def _locals_first(body, whose: str) -> None:
        seen_step = False
        for b in body:
            if isinstance(b, A.StepD):
                seen_step = True
            elif isinstance(b, A.LocalD) and seen_step:
                raise DslError(f"local `{b.name}` is declared after a step", b.span,
                               f"declare {whose} locals before its first step")

    @v_args(meta=True, inline=True)
    def local_decl(self, meta, name, type_, init):
        return A.LocalD(str(name), type_, init, self.sp(meta), self.tsp(name))

    @v_args(meta=True)
    def step_fairness(self, meta, items):
        return ("unfair" if str(items[0]) == "unfair" else "strong", self.sp(meta))

    @v_args(meta=True)
    def step_decl(self, meta, items):
        fair, name, loop, *annots, body = items
        anchor, doc = self._annots(annots, f"step `{name}`")
        if loop is not None:
            body = (A.WhileS(loop, body, self.sp(meta)),)
        kind, fsp = fair if fair is not None else (None, None)
        return A.StepD(str(name), anchor, doc, body, self.sp(meta), self.tsp(name), kind, fsp)

    @v_args(meta=True, inline=True)
    def invariant_decl(self, meta, name, doc, expr):
        return A.InvariantD(str(name), self.s(doc), expr, self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def assertion_decl(self, meta, name, doc):
        return A.AssertionD(str(name), self.s(doc), self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def leadsto_decl(self, meta, name, doc, expr):
        return A.LeadsToD(str(name), self.s(doc), expr, self.sp(meta), self.tsp(name))

    @v_args(meta=True)
    def allow_decl(self, meta, items):
        return A.AllowDeadlockD(self.sp(meta))

    # proofs ---------------------------------------------------------------------
    @v_args(meta=True)
    def abstract_decl(self, meta, items):
        name, doc, *body = items
        vars_ = tuple(b for b in body if isinstance(b, A.VarD))
        actions = tuple(b for b in body if isinstance(b, A.ActionD))
        return A.AbstractD(str(name), self.s(doc), vars_, actions, self.sp(meta), self.tsp(name))

    def action_params(self, items):
        return tuple(b for b in items if b is not None)

    @v_args(meta=True, inline=True)
    def action_decl(self, meta, name, params, doc, body):
        return A.ActionD(str(name), params or (), self.s(doc), body, self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def mapping_decl(self, meta, name, value):
        return A.MappingD(str(name), value, self.sp(meta), self.tsp(name))

    @v_args(meta=True)
    def refinement_decl(self, meta, items):
        name, doc, abstract, *maps = items
        maps = tuple(m for m in maps if isinstance(m, A.MappingD))
        return A.RefinementD(str(name), self.s(doc), str(abstract), maps, self.sp(meta), self.tsp(name),
                             self.tsp(abstract))

    @v_args(meta=True, inline=True)
    def inductive_decl(self, meta, name, doc, expr):
        return A.InductiveD(str(name), self.s(doc), expr, self.sp(meta), self.tsp(name))

    @v_args(meta=True)
    def for_decl(self, meta, items):
        names = [t for t in items if isinstance(t, Token) and t.type == "NAME"]
        decls = tuple(i for i in items if not isinstance(i, Token))
        return A.ForD(tuple(str(t) for t in names), decls, self.sp(meta), tuple(self.tsp(t) for t in names))

    @v_args(meta=True, inline=True)
    def variant_decl(self, meta, name, extends, doc, source, body):
        return A.VariantD(str(name), None if extends is None else str(extends), self.s(doc),
                          self.s(source), body, self.sp(meta), self.tsp(name), self.tsp(extends))

    @v_args(meta=True)
    def variant_body(self, meta, items):
        out = []
        for it in items:
            if isinstance(it, Token):
                continue
            if isinstance(it, (A.ReplaceStepD, A.InsertStepD, A.RemoveStepD, A.RemovePropertyD,
                               A.AddLocalD)):
                out.append(it)
            else:
                out.append(A.DeclDelta(it, it.span, self._text_of(it.span)))
        return tuple(out)

    def _text_of(self, span: Span | None) -> str:
        if span is None:
            return ""
        lines = self.text.split("\n")
        if span.line == span.end_line:
            return lines[span.line - 1][span.col - 1:span.end_col - 1]
        parts = [lines[span.line - 1][span.col - 1:]]
        parts += lines[span.line:span.end_line - 1]
        parts.append(lines[span.end_line - 1][:span.end_col - 1])
        return "\n".join(parts)

    def verdict(self, items):
        return str(items[0])

    def expect_props(self, items):
        return [t for t in items if t is not None]

    @v_args(meta=True, inline=True)
    def expect_decl(self, meta, name, verdict, props):
        if len(props) == 1 and props[0].type == "ALL":
            names: tuple[str, ...] = ()
            spans: tuple[Span, ...] = ()
        else:
            names = tuple(str(p) for p in props)
            spans = tuple(self.tsp(p) for p in props)
        if verdict == "violates" and not names:
            raise DslError("`expect ... violates all` is not a verdict", self.sp(meta),
                            "name the properties the variant violates")
        return A.ExpectD(str(name), verdict, names, None, self.sp(meta), self.tsp(name), spans)

    # deltas -------------------------------------------------------------------
    def step_ref(self, items):
        a, s = items
        return (str(a), str(s), Span(self.path, a.line, a.column, s.end_line, s.end_column))

    @v_args(meta=True)
    def replace_delta(self, meta, items):
        fair, (actor, step, rs), rename, *annots, body = items
        anchor, doc = self._annots(annots, f"replacement of `{actor}.{step}`")
        kind, fsp = fair if fair is not None else (None, None)
        return A.ReplaceStepD(actor, step, anchor, doc, body, self.sp(meta), rs, self.slice(meta),
                              None if rename is None else str(rename), kind, fsp)

    @v_args(meta=True)
    def replace_fairness(self, meta, items):
        word = "".join(str(t) for t in items if t is not None)
        return ({"unfair": "unfair", "fair+": "strong", "fair": "plain"}[word], self.sp(meta))

    def where(self, items):
        return str(items[0])

    @v_args(meta=True)
    def insert_delta(self, meta, items):
        where, (actor, ref, rs), fair, name, *annots, body = items
        anchor, doc = self._annots(annots, f"step `{name}`")
        kind, fsp = fair if fair is not None else (None, None)
        step = A.StepD(str(name), anchor, doc, body, self.sp(meta), self.tsp(name), kind, fsp)
        return A.InsertStepD(where, actor, ref, step, self.sp(meta), rs, self.slice(meta))

    @v_args(meta=True, inline=True)
    def remove_delta(self, meta, ref):
        actor, step, rs = ref
        return A.RemoveStepD(actor, step, self.sp(meta), rs, self.slice(meta))

    @v_args(meta=True, inline=True)
    def remove_property_delta(self, meta, name):
        return A.RemovePropertyD(str(name), self.sp(meta), self.tsp(name), self.slice(meta))

    @v_args(meta=True, inline=True)
    def local_delta(self, meta, actor, name, type_, init):
        local = A.LocalD(str(name), type_, init, self.sp(meta), self.tsp(name))
        return A.AddLocalD(str(actor), local, self.sp(meta), self.tsp(actor), self.slice(meta))
