"""What a name at a position refers to: the context of the position (the variant, actor,
macro, abstract or refinement it is written in), the word there and what precedes it
(`goto`, `at`, `actor.`), then a lookup in the model's ``Index``.

Positions here are the DSL's: lines and columns 1-based, columns in characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dsl import ast as A
from .binders import binder_at
from .index import BUILTINS, Index, Sym, _contains

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_GLOBAL_KINDS = ("const", "var", "def", "macro", "func", "enum", "struct", "module", "actor", "property",
                 "variant", "abstract", "atom", "model")


@dataclass
class Context:
    variant: str | None = None  # a variant's name, or "for v1, v2" inside a `for` block
    actor: str | None = None
    owner: str | None = None  # the macro/def whose parameters are in scope
    abstract: str | None = None  # inside `abstract NAME { ... }`
    mapping_of: str | None = None  # on the left of a refinement mapping: the abstract's name
    expect: bool = False  # in an `expect` line: only variants and properties are named there


def _inner(d, line: int, col: int, ctx: Context) -> None:
    if isinstance(d, (A.ActorD, A.FuncD)):
        ctx.actor = d.name
    elif isinstance(d, (A.MacroD, A.DefD)):
        ctx.owner = d.name
    elif isinstance(d, A.AbstractD):
        ctx.abstract = d.name
        for a in d.actions:
            if _contains(a.span, line, col):
                ctx.owner = f"{d.name}.{a.name}"
    elif isinstance(d, A.RefinementD):
        for m in d.mappings:
            if _contains(m.name_span, line, col):
                ctx.mapping_of = d.abstract
    elif isinstance(d, A.ExpectD):
        ctx.expect = True
    elif isinstance(d, A.ForD):
        ctx.variant = "for " + ", ".join(d.variants)
        for x in d.decls:
            if _contains(x.span, line, col):
                _inner(x, line, col, ctx)
    elif isinstance(d, A.VariantD):
        ctx.variant = d.name
        for x in d.deltas or ():
            if not _contains(x.span, line, col):
                continue
            if isinstance(x, (A.ReplaceStepD, A.InsertStepD, A.AddLocalD)):
                ctx.actor = x.actor
            elif isinstance(x, A.DeclDelta):
                _inner(x.decl, line, col, ctx)


def context_at(tree: A.File | None, line: int, col: int) -> Context:
    ctx = Context()
    if tree is None:
        return ctx
    for d in tree.decls:
        if _contains(d.span, line, col):
            _inner(d, line, col, ctx)
            break
    return ctx


@dataclass
class Word:
    name: str
    line: int
    col: int  # 1-based, first character
    before: str  # the line's text before the word
    qual: str | None  # `X` of `X.name` or `X[...].name`


def word_at(text: str, line: int, col: int) -> Word | None:
    """The identifier at (or right before) a position of ``text``."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    s = lines[line - 1]
    i = col - 1
    for m in _IDENT.finditer(s):
        if m.start() <= i <= m.end():
            if m.start() > 0 and s[m.start() - 1].isdigit():
                return None
            before = s[:m.start()]
            if _in_comment_or_string(before):
                return None
            return Word(m.group(), line, m.start() + 1, before, _qualifier(before))
    return None


def _in_comment_or_string(before: str) -> bool:
    """Whether the rest of a line after ``before`` is inside a `//` comment or a string."""
    quoted = False
    i = 0
    while i < len(before):
        c = before[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif before.startswith("//", i):
            return True
        i += 1
    return quoted


def _qualifier(before: str) -> str | None:
    if not before.endswith("."):
        return None
    j = len(before) - 1
    if j > 0 and before[j - 1] == "]":  # `actor[e].x`: skip the bracketed index
        depth, j = 0, j - 1
        while j >= 0:
            if before[j] == "]":
                depth += 1
            elif before[j] == "[":
                depth -= 1
                if depth == 0:
                    break
            j -= 1
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)$", before[:j])
    return m.group(1) if m else None


_GOTO = re.compile(r"\bgoto\s+$")
_AT = re.compile(r"(?:([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\s+)?\bat\s+(?:\{[^}]*)?$")


class Resolver:
    def __init__(self, index: Index):
        self.index = index

    def _steps(self, name: str, actor: str | None, variant: str | None) -> list[Sym]:
        ix = self.index
        if actor is not None:
            found = ix.lookup(name, ("step",), container=actor, variant=variant)
            if found:
                return found
        return ix.lookup(name, ("step",), variant=variant)

    def resolve(self, path: str, text: str, line: int, col: int) -> tuple[list[Sym], str | None]:
        """The declarations the name at this position refers to, best first, and the builtin
        description when the name is a builtin one (``TypeOK``, ``done``, ``self``...)."""
        ix = self.index
        w = word_at(text, line, col)
        if w is None:
            return [], None
        here = ix.at(path, w.line, w.col)
        if here is not None and here.name == w.name:
            return [here], None
        ctx = context_at(ix.files.get(path), line, col)
        name, v = w.name, ctx.variant
        if ctx.mapping_of is not None:
            found = ix.lookup(name, ("avar",), container=ctx.mapping_of)
            if found:
                return found, None
        if ctx.expect:
            return ix.lookup(name, ("variant", "property")), BUILTINS.get(name)
        if w.qual is not None:
            found = self._qualified(w.qual, name, v)
            if found:
                return found, None
        if _GOTO.search(w.before):
            if ctx.owner is not None:
                found = ix.lookup(name, ("param",), container=ctx.owner, variant=v)
                if found:
                    return found, None
            if name == "done":
                return [], BUILTINS["done"]
            return self._steps(name, ctx.actor, v), None
        m = _AT.search(w.before)
        if m is not None:
            actor = m.group(1) if m.group(1) and ix.lookup(m.group(1), ("actor",)) else ctx.actor
            if name == "done":
                return [], BUILTINS["done"]
            found = self._steps(name, actor, v)
            if found:
                return found, None
        bound = binder_at(ix.files.get(path), ix.lines, name, line, col)
        if bound is not None:
            return [bound], None
        if ctx.owner is not None:
            found = ix.lookup(name, ("param",), container=ctx.owner, variant=v)
            if found:
                return found, None
        if ctx.actor is not None:
            found = ix.lookup(name, ("local",), container=ctx.actor, variant=v)
            if found:
                return found, None
        if ctx.abstract is not None:
            found = ix.lookup(name, ("avar", "action"), container=ctx.abstract)
            if found:
                return found, None
        found = ix.lookup(name, _GLOBAL_KINDS, variant=v)
        if found:
            return found, None
        if name in BUILTINS:
            return [], BUILTINS[name]
        found = self._steps(name, ctx.actor, v)
        if found:
            return found, None
        return ix.lookup(name, ("field", "local", "op", "avar", "action"), variant=v), None

    def _qualified(self, qual: str, name: str, variant: str | None) -> list[Sym]:
        ix = self.index
        # `actor.step`, and `f.s` for a function's step (`replace f.s`, `at f.s`): a step
        # before a struct field of the same name
        if ix.lookup(qual, ("actor",)) or ix.lookup(qual, ("func",), variant=variant, strict=False):
            found = (ix.lookup(name, ("step",), container=qual, variant=variant)
                     or ix.lookup(name, ("local",), container=qual, variant=variant))
            if not found and name == "result":  # `actor[p].f.result`: what f returns
                found = ix.lookup(qual, ("func",), variant=variant)
            return found
        mods = ix.lookup(qual, ("module",), variant=variant)
        if mods:
            return ix.lookup(name, ("op",), container=qual, variant=variant) or mods
        if ix.lookup(qual, ("abstract",)):
            return ix.lookup(name, ("avar", "action"), container=qual)
        return ix.lookup(name, ("field",), variant=variant)


_KIND_WORD = {
    "const": "constant", "atom": "atom", "enum": "enum", "struct": "struct", "field": "struct field",
    "var": "variable", "module": "module", "op": "module operation", "def": "definition",
    "macro": "macro", "func": "function", "param": "parameter", "actor": "actor", "local": "local variable",
    "step": "step", "action": "abstract action", "abstract": "abstract specification",
    "variant": "variant", "model": "model", "avar": "abstract variable", "bound": "bound variable",
}


def hover_markdown(sym: Sym, others: int = 0) -> str:
    """A symbol's hover: its declaration head in a code block, its description, its anchor."""
    if sym.kind == "property":
        what = f"{sym.container} property"
    else:
        what = _KIND_WORD.get(sym.kind, sym.kind)
    where = f" (variant `{sym.variant}`)" if sym.variant and not sym.variant.startswith("for ") else ""
    parts = [f"```movspec\n{sym.detail}\n```", f"*{what}*{where}"]
    if sym.kind in ("step", "macro"):
        if sym.anchor:
            file, _, func = sym.anchor.rpartition(":")
            parts.append(f"kernel: `{func}` in `{file}`" if file else f"kernel: `{sym.anchor}`")
        elif sym.kind == "step":
            parts.append("no kernel anchor (`@ \"file:function\"`)")
    if sym.doc:
        parts.append(sym.doc)
    parts.extend(sym.notes)
    if others:
        parts.append(f"({others} more declaration{'s' if others != 1 else ''} of `{sym.name}`)")
    return "\n\n".join(parts)
