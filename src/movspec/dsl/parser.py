"""Text -> syntax tree (``ast.File``), or diagnostics; never an exception.

Contract: ``parse(text, path)`` returns ``(File | None, diagnostics)``. A file with a syntax
error yields ``None`` and exactly one error (LALR stops at the first one) whose span points at
the offending token, with the expected tokens in user terms and a hint. ``parse_bytes`` also
turns undecodable input into a diagnostic.

Known limits: one syntax error per file; expressions nested deeper than ``MAX_DEPTH`` parse-tree
levels are refused (the later stages recurse over expressions).
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from ..diagnostics import Diagnostic, did_you_mean, error
from ..span import Span
from . import ast as A

MAX_DEPTH = 200  # parse-tree levels; real models stay far below


@lru_cache(maxsize=1)
def _lark() -> Lark:
    text = resources.files(__package__).joinpath("movspec.lark").read_text(encoding="utf-8")
    # cache=True: Lark keeps the LALR tables in the temp directory, keyed by grammar and version
    import lark.parse_tree_builder as ptb

    make = getattr(ptb, "make_propagate_positions", None)
    base = getattr(ptb, "PropagatePositions", None)
    if make is None or base is None:  # another Lark: its own position tracking
        return Lark(text, parser="lalr", lexer="contextual", propagate_positions=True,
                    maybe_placeholders=True, cache=True)

    class _Positions(base):
        """Lark's position tracking, minus its no-op: a rule that hands its one child through
        (each level of the expression grammar does) leaves that child's positions as they are,
        so they are not computed again. Position tracking was 40% of the parse time."""

        def __call__(self, children):
            if len(children) == 1 and self.node_builder(children) is children[0]:
                return children[0]  # (a one-child node is rare: building it twice costs little)
            return super().__call__(children)

    ptb.make_propagate_positions = lambda option: _Positions if option is True else make(option)
    try:
        return Lark(text, parser="lalr", lexer="contextual", propagate_positions=True,
                    maybe_placeholders=True, cache=True)
    finally:
        ptb.make_propagate_positions = make


class _DslError(Exception):
    """A problem found while building the tree (surfaced through VisitError)."""

    def __init__(self, message: str, span: Span | None, hint: str | None = None, code: str = "syntax"):
        super().__init__(message)
        self.diagnostic = error(message, span, hint, code)


def unquote(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


# --------------------------------------------------------------------------- tree -> AST


class _ToAst(Transformer):
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
                    raise _DslError(f"{what} has two `@` anchors", span, "keep one `@ \"file.c:function\"`")
                anchor = value
            else:
                if doc is not None:
                    raise _DslError(f"{what} has two descriptions", span, "keep one description string")
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
                raise _DslError(f"local `{b.name}` is declared after a step", b.span,
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
            raise _DslError("`expect ... violates all` is not a verdict", self.sp(meta),
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
                raise _DslError(f"named argument `{a.name}:` in {what}", a.span,
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
        raise _DslError(f"{what} must start with `name in set`", getattr(head, "span", None),
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


# --------------------------------------------------------------------------- errors

_TERMINAL_WORDS = {
    "NAME": "a name", "INT": "a number", "STRING": "a string", "$END": "end of file",
    "SYMMETRIC": "`symmetric`", "_GUARDS": "`guards`", "_OPS": "`ops`", "_EXTENDS": "`extends`",
    "_SOURCE": "`source`", "ALL": "`all`",
}
_OPERATORS = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "=>", "<=>",
              "in", "notin", "subset", "|", "&", "\\", "..", "~>", "at", ".", "["}


def _terminal_word(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for t in _lark().terminals:
        if t.name == name:
            if t.pattern.type == "str":
                return f"`{t.pattern.value}`"
            return name.lower()
    return name.lower()


def _expected_words(expected: set[str]) -> str:
    words = sorted({_terminal_word(e) for e in expected})
    ops = [w for w in words if w.strip("`") in _OPERATORS]
    rest = [w for w in words if w.strip("`") not in _OPERATORS]
    if len(ops) > 3:
        rest.append("an operator")
    else:
        rest.extend(ops)
    rest = sorted(rest, key=lambda w: (not w.startswith("a"), w))
    if len(rest) > 10:
        rest = rest[:10] + ["..."]
    return ", ".join(rest)


def _accepts(exc: UnexpectedToken) -> set[str]:
    """The tokens the parser would really accept here. LALR merges look-ahead sets of similar
    states (a `var` at top level and one in a variant block), so ``exc.expected`` may list
    tokens that would fail a moment later; the interactive parser tries each one."""
    try:
        accepted = exc.interactive_parser.accepts() if exc.interactive_parser is not None else None
    except Exception:  # pragma: no cover - fall back to LALR's own set
        accepted = None
    return set(accepted) if accepted else set(exc.expected)


def _expected_phrase(expected: set[str]) -> str:
    if {"NAME", "INT", "LPAR"} <= expected:
        return "expected an expression"
    words = _expected_words(expected)
    return f"expected one of {words}" if ", " in words else f"expected {words}"


def _token_word(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "STRING":
        return f"string {tok}"
    if tok.type == "INT":
        return f"number `{tok}`"
    if tok.type == "NAME":
        return f"`{tok}`"
    return f"`{tok}`"


def _unclosed(text: str) -> tuple[str, int, int] | None:
    """The innermost bracket left open at the end of ``text`` (ignores strings and comments)."""
    stack: list[tuple[str, int, int]] = []
    pairs = {"}": "{", ")": "(", "]": "["}
    i, line, col, n = 0, 1, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line, col, i = line + 1, 1, i + 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            col += j - i
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = text[i:j]
            nl = chunk.count("\n")
            if nl:
                line += nl
                col = len(chunk) - chunk.rfind("\n")
            else:
                col += len(chunk)
            i = j
            continue
        if c == '"':
            m = re.compile(r'"([^"\\\n]|\\.)*"?').match(text, i)
            col += m.end() - i
            i = m.end()
            continue
        if c in "{([":
            stack.append((c, line, col))
        elif c in pairs and stack and stack[-1][0] == pairs[c]:
            stack.pop()
        i += 1
        col += 1
    return stack[-1] if stack else None


def _eof_span(path: str, text: str) -> Span:
    lines = text.split("\n")
    # the last non-empty line, after its last character
    for idx in range(len(lines) - 1, -1, -1):
        if lines[idx].strip():
            return Span(path, idx + 1, len(lines[idx]) + 1, idx + 1, len(lines[idx]) + 2)
    return Span(path, 1, 1, 1, 2)


def _syntax_diagnostic(exc: UnexpectedInput, path: str, text: str) -> Diagnostic:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        span = _eof_span(path, text)
        expected = exc.expected if isinstance(exc, UnexpectedEOF) else _accepts(exc)
        open_ = _unclosed(text)
        hint = (f"the `{open_[0]}` opened at line {open_[1]}, column {open_[2]} is never closed"
                if open_ else "the file ends in the middle of a declaration")
        return error(f"unexpected end of file: {_expected_phrase(set(expected))}", span, hint,
                     "syntax")
    if isinstance(exc, UnexpectedCharacters):
        line, col = exc.line, exc.column
        ch = text[exc.pos_in_stream] if 0 <= exc.pos_in_stream < len(text) else ""
        if ch == '"':
            end = text.find("\n", exc.pos_in_stream)
            end = len(text) if end < 0 else end
            return error("unterminated string", Span(path, line, col, line, col + end - exc.pos_in_stream),
                         'close the string with `"` on the same line', "syntax")
        if text.startswith("/*", exc.pos_in_stream):
            return error("unterminated comment", Span(path, line, col, line, col + 2),
                         "close the comment with `*/`", "syntax")
        shown = ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"U+{ord(ch):04X}"
        hint = "remove it: names are letters, digits and `_`; the operators are listed in docs/language.md"
        if ch in "'`":
            hint = 'strings are written in double quotes: "text"'
        return error(f"unexpected character `{shown}`", Span(path, line, col, line, col + 1), hint, "syntax")
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    if tok.start_pos is not None and text.startswith("/*", tok.start_pos):
        return error("unterminated comment", Span(path, tok.line, tok.column, tok.line, tok.column + 2),
                     "close the comment with `*/`", "syntax")
    span = Span(path, tok.line, tok.column, tok.end_line or tok.line,
                tok.end_column or tok.column + max(1, len(str(tok))))
    exp = _accepts(exc)
    hint = None
    line_text = text.split("\n")[tok.line - 1] if tok.line and tok.line >= 1 else ""
    before = text[:tok.start_pos] if tok.start_pos is not None else text
    keywords = [w.strip("`") for w in (_terminal_word(e) for e in exp)
                if w.startswith("`") and w.strip("`").isidentifier()]
    close = did_you_mean(str(tok), keywords) if tok.type == "NAME" else None
    prev = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", before)
    if close:
        hint = close
    elif {"`=`", "`(`", "`+=`"} <= {_terminal_word(e) for e in exp} and prev:
        # the state after a name that starts a statement
        kw = did_you_mean(prev.group(1), _STMT_WORDS)
        hint = (f"`{prev.group(1)}` is not a statement; {kw}" if kw else
                "a statement starting with a name is an assignment `x = ...` or a macro call `m(...)`")
    elif exp == {"STRING"}:
        hint = 'write the text in double quotes, e.g. "message"'
    elif exp == {"COMMA"} and re.search(r"\bassert\b", line_text):
        hint = 'an assert needs a message: `assert cond, "message"`'
    elif "RBRACE" in exp and (open_ := _unclosed(before)) and open_[0] == "{" \
            and str(tok) in _DECL_WORDS:
        hint = f"is a `}}` missing? the `{{` at line {open_[1]}, column {open_[2]} is still open"
    elif {"NAME", "INT", "LPAR"} <= exp:
        hint = f"`{tok}` cannot start an expression: write a value (a name, a number, `{{...}}`, `(...)`) before it, or remove it"
    elif exp == {"NAME"}:
        hint = "a name is expected here (letters, digits and `_`, not starting with a digit)"
    else:
        words = _expected_words(exp).split(", ")
        if len(words) <= 3:
            hint = f"write {' or '.join(words)} before `{tok}`"
        else:
            hint = "see docs/language.md for the syntax of this construct"
    return error(f"unexpected {_token_word(tok)}: {_expected_phrase(exp)}", span, hint, "syntax")


_STMT_WORDS = ["if", "any", "await", "either", "goto", "assert", "call", "unload", "skip"]
_DECL_WORDS = {"step", "local", "actor", "fair", "var", "const", "enum", "struct", "module", "def",
               "macro", "invariant", "assertion", "leadsto", "allow", "variant", "expect", "model",
               "replace", "insert", "remove"}


def _unterminated_comment(text: str) -> int | None:
    """The offset of a `/*` that is never closed (strings and line comments skipped)."""
    for m in re.finditer(r'"([^"\\\n]|\\.)*"|//[^\n]*|/\*(.|\n)*?\*/|(/\*)', text):
        if m.group(3):
            return m.start()
    return None


def _too_deep(tree: Tree, path: str) -> tuple[Span, str] | None:
    """The span of the first subtree deeper than MAX_DEPTH, found without recursion."""
    stack = [(tree, 1, 0)]
    while stack:
        node, depth, nstmt = stack.pop()
        if isinstance(node, Tree) and (node.data.endswith("_stmt") or node.data == "block"):
            nstmt += 1
        if depth > MAX_DEPTH:
            m = node.meta if isinstance(node, Tree) else None
            what = "statements" if nstmt > MAX_DEPTH // 2 else "expression"
            if m is not None and not m.empty:
                return Span(path, m.line, m.column, m.line, m.column + 1), what
            return Span(path, node.line, node.column, node.line, node.column + 1), what
        if isinstance(node, Tree):
            stack.extend((c, depth + 1, nstmt) for c in reversed(node.children) if isinstance(c, (Tree, Token)))
    return None


def parse(text: str, path: str = "<string>") -> tuple[A.File | None, list[Diagnostic]]:
    """Parse one file's text. Returns the tree, or None and the diagnostics."""
    pos = _unterminated_comment(text) if "/*" in text else None
    if pos is not None:
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return None, [error("unterminated comment", Span(path, line, col, line, col + 2),
                            "close the comment with `*/`", "syntax")]
    with gc_paused():
        return _parse(text, path)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a parse builds its trees: they hold no cycles,
    and a collection traverses every object alive, so collections during the parse of a large
    file made its time grow with the square of its size."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _parse(text: str, path: str) -> tuple[A.File | None, list[Diagnostic]]:
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        return None, [_syntax_diagnostic(exc, path, text)]
    deep = _too_deep(tree, path)
    if deep is not None:
        span, what = deep
        return None, [error(f"{what} nested too deeply", span,
                            ("split it into `def`s" if what == "expression" else "split it into macros or steps")
                            + f"; at most {MAX_DEPTH} levels of nesting are supported",
                            "too-deep")]
    try:
        decls = _ToAst(path, text).transform(tree)
    except VisitError as exc:
        orig = exc.orig_exc
        if isinstance(orig, _DslError):
            return None, [orig.diagnostic]
        if isinstance(orig, RecursionError):
            return None, [error("expression nested too deeply", Span(path, 1, 1, 1, 2),
                                "split it into `def`s", "too-deep")]
        raise orig
    except RecursionError:
        return None, [error("expression nested too deeply", Span(path, 1, 1, 1, 2),
                            "split it into `def`s", "too-deep")]
    decls = _attach_notes(decls, text)
    return A.File(path, tuple(decls), Span(path, 1, 1, 1, 1)), []


def _attach_notes(decls: list, text: str) -> list:
    """An ``expect`` keeps the comment lines right above it as its note."""
    if not any(isinstance(d, A.ExpectD) for d in decls):
        return decls
    by_last = {last: (first, body) for first, last, body in comments(text, own_line=True)}
    out = []
    for d in decls:
        if isinstance(d, A.ExpectD) and d.span is not None:
            parts = []
            line = d.span.line - 1
            while line in by_last:
                first, body = by_last[line]
                parts.insert(0, body)
                line = first - 1
            if parts:
                d = replace(d, note="\n".join(parts))
        out.append(d)
    return out


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (a BOM is dropped); undecodable bytes become a diagnostic at their place."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [error(f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
                            Span(path, line, col, line, col + 1),
                            "movspec files are UTF-8 text; is this the right file?", "encoding")]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        idx = text.index("\x00")
        line = text.count("\n", 0, idx) + 1
        col = idx - (text.rfind("\n", 0, idx) + 1) + 1
        return None, [error("binary data (a NUL byte) in a movspec file", Span(path, line, col, line, col + 1),
                            "movspec files are UTF-8 text; is this the right file?", "encoding")]
    return text, []


def comments(text: str, own_line: bool = False) -> list[tuple[int, int, str]]:
    """Every comment as (first line, last line, text without the comment markers); with
    ``own_line``, only comments with nothing but blanks before them on their line."""
    out = []
    lexer_text = text
    for m in re.finditer(r'"([^"\\\n]|\\.)*"|//[^\n]*|/\*(.|\n)*?\*/', lexer_text):
        s = m.group(0)
        if s.startswith('"'):
            continue
        if own_line and text[text.rfind("\n", 0, m.start()) + 1:m.start()].strip():
            continue
        first = lexer_text.count("\n", 0, m.start()) + 1
        last = first + s.count("\n")
        if s.startswith("//"):
            body = s[2:].strip()
        else:
            body = "\n".join(l.strip().lstrip("*").strip() for l in s[2:-2].split("\n")).strip()
        out.append((first, last, body))
    return out
