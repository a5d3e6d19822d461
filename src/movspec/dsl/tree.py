"""Lark parse tree -> syntax tree (``ast``): ``ToAst``, with the string quoting both ways.

A problem found while building (a malformed literal, a misplaced declaration) raises
``DslError`` carrying its diagnostic; ``parser.parse`` turns it into the result.
"""

from __future__ import annotations

import re

from lark import Token, Transformer, v_args

from ..diagnostics import error
from ..span import Span
from . import ast as A


class DslError(Exception):
    """A problem found while building the tree (surfaced through VisitError)."""

    def __init__(self, message: str, span: Span | None, hint: str | None = None, code: str = "syntax"):
        super().__init__(message)
        self.diagnostic = error(message, span, hint, code)


def unquote(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


class ToAst(Transformer):
    def __init__(self, path: str, text: str):
        super().__init__()
        self.path = path
        self.text = text
        # bind the `v_args` callbacks once: Lark would wrap each of them anew at every node
        for name, f in vars(type(self)).items():
            if hasattr(f, "visit_wrapper"):
                setattr(self, name, getattr(self, name))

    # spans ------------------------------------------------------------------
    def sp(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def tsp(self, tok: Token | None) -> Span | None:
        if tok is None:
            return None
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column)

    def slice(self, meta) -> str:
        return self.text[meta.start_pos:meta.end_pos]

    @staticmethod
    def s(tok) -> str | None:
        return None if tok is None else unquote(str(tok))

    # declarations -------------------------------------------------------------
    @v_args(meta=True)
    def start(self, meta, items):
        return [i for i in items if not isinstance(i, Token)]

    @v_args(meta=True, inline=True)
    def model_decl(self, meta, name, title):
        return A.ModelD(str(name), self.s(title), self.sp(meta), self.tsp(name))

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
    def struct_decl(self, meta, items):
        name, doc, *fields = items
        return A.StructD(str(name), self.s(doc), tuple(fields), self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def field_decl(self, meta, name, doc, type_, default):
        return A.FieldD(str(name), self.s(doc), type_, default, self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def var_decl(self, meta, name, doc, type_, init):
        return A.VarD(str(name), self.s(doc), type_, init, self.sp(meta), self.tsp(name))

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
        fair, name, family, doc, *body = items
        locals_ = tuple(b for b in body if isinstance(b, A.LocalD))
        steps = tuple(b for b in body if isinstance(b, A.StepD))
        seen_step = False
        for b in body:
            if isinstance(b, A.StepD):
                seen_step = True
            elif isinstance(b, A.LocalD) and seen_step:
                raise DslError(f"local `{b.name}` is declared after a step", b.span,
                                "declare an actor's locals before its first step")
        return A.ActorD(str(name), fair, None if family is None else str(family), self.s(doc),
                        locals_, steps, self.sp(meta), self.tsp(name))

    @v_args(meta=True, inline=True)
    def local_decl(self, meta, name, type_, init):
        return A.LocalD(str(name), type_, init, self.sp(meta), self.tsp(name))

    @v_args(meta=True)
    def step_decl(self, meta, items):
        name, *annots, body = items
        anchor, doc = self._annots(annots, f"step `{name}`")
        return A.StepD(str(name), anchor, doc, body, self.sp(meta), self.tsp(name))

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
        (actor, step, rs), *annots, body = items
        anchor, doc = self._annots(annots, f"replacement of `{actor}.{step}`")
        return A.ReplaceStepD(actor, step, anchor, doc, body, self.sp(meta), rs, self.slice(meta))

    def where(self, items):
        return str(items[0])

    @v_args(meta=True)
    def insert_delta(self, meta, items):
        where, (actor, ref, rs), name, *annots, body = items
        anchor, doc = self._annots(annots, f"step `{name}`")
        step = A.StepD(str(name), anchor, doc, body, self.sp(meta), self.tsp(name))
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

    # types --------------------------------------------------------------------
    @v_args(meta=True)
    def bool_type(self, meta, items):
        return A.BoolT(self.sp(meta))

    @v_args(meta=True, inline=True)
    def set_type(self, meta, elem):
        return A.SetT(elem, self.sp(meta))

    @v_args(meta=True, inline=True)
    def func_type(self, meta, d, r):
        return A.FuncT(d, r, self.sp(meta))

    @v_args(meta=True)
    def union_type(self, meta, items):
        if len(items) == 1:
            return items[0]
        return A.UnionT(tuple(items), self.sp(meta))

    @v_args(meta=True, inline=True)
    def named_type(self, meta, name):
        return A.NamedT(str(name), self.sp(meta))

    @v_args(meta=True, inline=True)
    def range_type(self, meta, lo, hi):
        return A.RangeT(lo, hi, self.sp(meta))

    @v_args(meta=True)
    def atoms_type(self, meta, items):
        return A.AtomsT(tuple(str(t) for t in items), self.sp(meta))

    def bound_int(self, items):
        return int(items[0])

    def bound_neg(self, items):
        return -int(items[0])

    def bound_name(self, items):
        return str(items[0])

    # statements -----------------------------------------------------------------
    def block(self, items):
        return tuple(i for i in items if not isinstance(i, Token))

    def assign_op(self, items):
        return str(items[0])

    @v_args(meta=True, inline=True)
    def assign_stmt(self, meta, target, op, value):
        return A.AssignS(target, op, value, self.sp(meta))

    @v_args(meta=True, inline=True)
    def choose_stmt(self, meta, target, domain):
        return A.ChooseS(target, domain, self.sp(meta))

    @v_args(meta=True)
    def lvalue(self, meta, items):
        name, *sels = items
        e: A.Expr = A.Name(str(name), self.tsp(name))
        for kind, val, end in sels:
            span = Span(self.path, name.line, name.column, end.end_line, end.end_col) if end else None
            e = A.FieldE(e, val, span) if kind == "field" else A.IndexE(e, val, span)
        return e

    @v_args(meta=True)
    def sel_field(self, meta, items):
        return ("field", str(items[0]), self.sp(meta))

    @v_args(meta=True)
    def sel_index(self, meta, items):
        return ("index", items[0], self.sp(meta))

    @v_args(meta=True, inline=True)
    def with_stmt(self, meta, var, domain, body):
        return A.WithS(str(var), domain, body, self.sp(meta))

    @v_args(meta=True, inline=True)
    def if_stmt(self, meta, cond, then, orelse=None):
        if isinstance(orelse, A.IfS):
            orelse = (orelse,)
        return A.IfS(cond, then, orelse, self.sp(meta))

    @v_args(meta=True, inline=True)
    def await_stmt(self, meta, cond):
        return A.AwaitS(cond, self.sp(meta))

    @v_args(meta=True)
    def either_stmt(self, meta, items):
        return A.EitherS(tuple(items), self.sp(meta))

    @v_args(meta=True, inline=True)
    def goto_stmt(self, meta, target):
        return A.GotoS(str(target), self.sp(meta))

    @v_args(meta=True, inline=True)
    def assert_stmt(self, meta, cond, msg, prop):
        return A.AssertS(cond, self.s(msg), None if prop is None else str(prop), self.sp(meta))

    def _plain_args(self, args, what):
        if args is None:
            return ()
        for a in args:
            if a.name is not None:
                raise DslError(f"named argument `{a.name}:` in {what}", a.span,
                                "named arguments are only for struct values like `Page(ref: 1)`")
        return tuple(a.value for a in args)

    @v_args(meta=True, inline=True)
    def call_stmt(self, meta, module, op, args):
        return A.CallS(str(module), str(op), self._plain_args(args, f"call of `{module}.{op}`"),
                       self.sp(meta))

    @v_args(meta=True, inline=True)
    def unload_stmt(self, meta, module):
        return A.UnloadS(str(module), self.sp(meta))

    @v_args(meta=True)
    def skip_stmt(self, meta, items):
        return A.SkipS(self.sp(meta))

    @v_args(meta=True, inline=True)
    def macro_stmt(self, meta, name, args):
        return A.MacroS(str(name), self._plain_args(args, f"macro `{name}`"), self.sp(meta))

    # expressions ------------------------------------------------------------------
    def quant_kind(self, items):
        return str(items[0])

    def binder(self, items):
        return (str(items[0]), items[1])

    @v_args(meta=True)
    def quant(self, meta, items):
        kind, *binders, body = items
        return A.QuantE(kind, tuple(binders), body, self.sp(meta))

    @v_args(meta=True, inline=True)
    def ite(self, meta, c, a, b):
        return A.IfE(c, a, b, self.sp(meta))

    def _bin(op):
        @v_args(meta=True, inline=True)
        def f(self, meta, left, right):
            return A.BinaryE(op, left, right, self.sp(meta))
        return f

    leadsto_op = _bin("~>")
    equiv_op = _bin("<=>")
    implies_op = _bin("=>")
    or_op = _bin("||")
    and_op = _bin("&&")
    union_op = _bin("|")
    diff_op = _bin("\\")
    inter_op = _bin("&")
    del _bin

    def cmp_tok(self, items):
        return str(items[0])

    add_tok = mul_tok = cmp_tok

    @v_args(meta=True, inline=True)
    def cmp_op(self, meta, left, op, right):
        return A.BinaryE(op, left, right, self.sp(meta))

    add_op = mul_op = cmp_op

    def at_steps(self, items):
        return tuple(str(t) for t in items)

    @v_args(meta=True, inline=True)
    def at_op(self, meta, proc, steps):
        return A.AtE(proc, steps, self.sp(meta))

    @v_args(meta=True, inline=True)
    def at_self(self, meta, steps):
        return A.AtE(None, steps, self.sp(meta))

    @v_args(meta=True, inline=True)
    def range_op(self, meta, lo, hi):
        return A.RangeE(lo, hi, self.sp(meta))

    @v_args(meta=True, inline=True)
    def not_op(self, meta, e):
        return A.UnaryE("!", e, self.sp(meta))

    @v_args(meta=True, inline=True)
    def neg_op(self, meta, e):
        return A.UnaryE("-", e, self.sp(meta))

    @v_args(meta=True, inline=True)
    def field(self, meta, base, name):
        return A.FieldE(base, str(name), self.sp(meta))

    @v_args(meta=True, inline=True)
    def index(self, meta, base, idx):
        return A.IndexE(base, idx, self.sp(meta))

    @v_args(meta=True, inline=True)
    def int_lit(self, meta, tok):
        return A.IntE(int(tok), self.sp(meta))

    @v_args(meta=True)
    def true_lit(self, meta, items):
        return A.BoolE(True, self.sp(meta))

    @v_args(meta=True)
    def false_lit(self, meta, items):
        return A.BoolE(False, self.sp(meta))

    @v_args(meta=True)
    def self_ref(self, meta, items):
        return A.SelfE(self.sp(meta))

    @v_args(meta=True, inline=True)
    def name(self, meta, tok):
        return A.Name(str(tok), self.sp(meta))

    @v_args(meta=True, inline=True)
    def apply(self, meta, name, args):
        return A.ApplyE(str(name), tuple(args or ()), self.sp(meta))

    def args(self, items):
        return [a if isinstance(a, A.Arg) else A.Arg(None, a, getattr(a, "span", None)) for a in items]

    @v_args(meta=True, inline=True)
    def named_arg(self, meta, name, value):
        return A.Arg(str(name), value, self.sp(meta))

    @v_args(meta=True)
    def set_lit(self, meta, items):
        return A.SetE(tuple(i for i in items if i is not None), self.sp(meta))

    def _head(self, head, what, example):
        if isinstance(head, A.BinaryE) and head.op == "in" and isinstance(head.left, A.Name):
            return head.left.name, head.right
        raise DslError(f"{what} must start with `name in set`", getattr(head, "span", None),
                        f"write it as `{example}`")

    @v_args(meta=True, inline=True)
    def set_filter(self, meta, head, cond):
        var, dom = self._head(head, "a set filter", "{x in S where cond}")
        return A.FilterE(var, dom, cond, self.sp(meta))

    @v_args(meta=True, inline=True)
    def func_lit(self, meta, head, body):
        var, dom = self._head(head, "a function value", "[x in S |-> expr]")
        return A.FuncE(var, dom, body, self.sp(meta))

    @v_args(meta=True, inline=True)
    def card(self, meta, e):
        return A.CardE(e, self.sp(meta))
