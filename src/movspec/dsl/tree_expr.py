"""Lark parse tree -> syntax tree, the common part: spans, string quoting both ways, and the
types, statements and expressions (``ExprToAst``); ``tree.ToAst`` adds the declarations.

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


class ExprToAst(Transformer):
    def __init__(self, path: str, text: str):
        super().__init__()
        self.path = path
        self.text = text
        # bind the `v_args` callbacks once: Lark would wrap each of them anew at every node
        for cls in type(self).__mro__:
            for name, f in vars(cls).items():
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

    # types --------------------------------------------------------------------
    @v_args(meta=True)
    def bool_type(self, meta, items):
        return A.BoolT(self.sp(meta))

    @v_args(meta=True, inline=True)
    def set_type(self, meta, elem):
        return A.SetT(elem, self.sp(meta))

    @v_args(meta=True, inline=True)
    def list_type(self, meta, elem):
        return A.ListT(elem, self.sp(meta))

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
        text = self.s(msg) if msg.type == "STRING" else A.Name(str(msg), self.tsp(msg))
        return A.AssertS(cond, text, None if prop is None else str(prop), self.sp(meta))

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
    def fcall_stmt(self, meta, func, args):
        return A.FCallS(str(func), self._plain_args(args, f"call of `{func}`"), None, self.sp(meta))

    @v_args(meta=True, inline=True)
    def fcall_assign(self, meta, target, func, op, args):
        name = str(func) if op is None else f"{func}.{op}"  # `x = call m.op(..)`: a module's callback
        return A.FCallS(name, self._plain_args(args, f"call of `{name}`"), target, self.sp(meta))

    @v_args(meta=True, inline=True)
    def return_stmt(self, meta, value):
        return A.ReturnS(value, self.sp(meta))

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
        return tuple(items)

    def at_name(self, items):
        return ".".join(str(t) for t in items)

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

    def macro_args(self, items):
        return self.args(items)

    @v_args(meta=True, inline=True)
    def str_arg(self, meta, tok):
        return A.StrE(self.s(tok), self.sp(meta))

    def args(self, items):
        return [a if isinstance(a, A.Arg) else A.Arg(None, a, getattr(a, "span", None)) for a in items]

    @v_args(meta=True, inline=True)
    def named_arg(self, meta, name, value):
        return A.Arg(str(name), value, self.sp(meta))

    @v_args(meta=True)
    def empty_list(self, meta, items):
        return A.EmptyListE(self.sp(meta))

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
