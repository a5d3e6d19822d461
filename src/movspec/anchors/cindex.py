"""The functions a C file defines or declares, read with tree-sitter's C grammar.

``index_source(data)`` parses one file (bytes) and returns a ``FileIndex``: every top-level
symbol that stands for a function, with how it is introduced. What is recognised:

* ``definition``: a function definition, ``static inline`` ones in headers included (kernel
  attributes such as ``__always_inline``, ``__init`` or ``noinline`` confuse the grammar, but it
  recovers the declarator, which is all that is read);
* ``declaration``: a prototype (``extern void f(int);``), not a definition;
* ``macro-defined``: a body introduced by a function-like macro whose first argument is the
  name: ``SYSCALL_DEFINE2(delete_module, ...) { ... }``, ``COMPAT_SYSCALL_DEFINEn``,
  ``BPF_CALL_n`` and any other upper-case macro used the same way;
* ``generated``: a name that a page-flag macro of ``include/linux/page-flags.h`` generates
  (``__PAGEFLAG(Isolated, isolated, PF_ANY)`` gives ``PageIsolated``, ``__SetPageIsolated``,
  ``__ClearPageIsolated``; the table is ``GENERATORS``);
* ``macro``: a ``#define`` of the name (function-like or not).

Definitions inside ``#if``/``#ifdef``/``#else`` blocks are recognised, each with the conditions
it sits under, so a stub in an ``#else`` branch is told apart from the real function. What is
not recognised: names pasted together by other macros (``##``) that are not in the table,
functions defined inside macro bodies, and anything the preprocessor would have to expand
first (an ``#include`` of a generated file, a definition spelt through a macro that is not
called at top level). A file with syntax errors is still indexed: tree-sitter recovers and
the index says how many error regions it met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ts import parser

__all__ = ["Symbol", "FileIndex", "index_source", "GENERATORS", "generator_stems"]


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str  # definition | declaration | macro-defined | generated | macro
    line: int  # 1-based
    via: str | None = None  # the macro that defines or generates it
    conditions: tuple[str, ...] = ()  # enclosing preprocessor conditions, outermost first

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "line": self.line, "via": self.via,
                "conditions": list(self.conditions)}


@dataclass
class FileIndex:
    symbols: dict[str, list[Symbol]] = field(default_factory=dict)
    errors: int = 0  # syntax-error regions tree-sitter recovered from

    def add(self, sym: Symbol) -> None:
        self.symbols.setdefault(sym.name, []).append(sym)

    def lookup(self, name: str) -> list[Symbol]:
        return self.symbols.get(name, [])


# Page-flag generators (include/linux/page-flags.h, v4.x to v6.x): macro -> the names it
# makes, with {u} the first argument (Uname) and {l} the second (lname). A macro that expands
# into others lists all their names.
_TEST = ("Page{u}", "folio_test_{l}")
_SET = ("SetPage{u}", "folio_set_{l}")
_CLEAR = ("ClearPage{u}", "folio_clear_{l}")
_USET = ("__SetPage{u}", "__folio_set_{l}")
_UCLEAR = ("__ClearPage{u}", "__folio_clear_{l}")
_TSET = ("TestSetPage{u}", "folio_test_set_{l}")
_TCLEAR = ("TestClearPage{u}", "folio_test_clear_{l}")
GENERATORS: dict[str, tuple[str, ...]] = {
    "TESTPAGEFLAG": _TEST, "SETPAGEFLAG": _SET, "CLEARPAGEFLAG": _CLEAR,
    "__SETPAGEFLAG": _USET, "__CLEARPAGEFLAG": _UCLEAR,
    "TESTSETFLAG": _TSET, "TESTCLEARFLAG": _TCLEAR,
    "PAGEFLAG": _TEST + _SET + _CLEAR,
    "__PAGEFLAG": _TEST + _USET + _UCLEAR,
    "TESTSCFLAG": _TSET + _TCLEAR,
    "TESTPAGEFLAG_FALSE": _TEST, "SETPAGEFLAG_NOOP": _SET, "CLEARPAGEFLAG_NOOP": _CLEAR,
    "__CLEARPAGEFLAG_NOOP": _UCLEAR, "TESTSETFLAG_FALSE": _TSET, "TESTCLEARFLAG_FALSE": _TCLEAR,
    "PAGEFLAG_FALSE": _TEST + _SET + _CLEAR,
    "TESTSCFLAG_FALSE": _TSET + _TCLEAR,
    "PAGE_TYPE_OPS": ("Page{u}", "__SetPage{u}", "__ClearPage{u}"),
}

# How a generated name looks, so a tree search knows which stem to look for.
_PATTERNS = sorted({t for ts in GENERATORS.values() for t in ts}, key=len, reverse=True)


def generator_stems(name: str) -> set[str]:
    """The macro arguments that could generate ``name`` (``__SetPageIsolated`` -> Isolated):
    the strings a file must contain to generate it."""
    out = set()
    for t in _PATTERNS:
        hole = "{u}" if "{u}" in t else "{l}"
        head, _, tail = t.partition(hole)
        if name.startswith(head) and name.endswith(tail) and len(name) > len(head) + len(tail):
            out.add(name[len(head):len(name) - len(tail)] if tail else name[len(head):])
    return out


_CONTAINERS = {"translation_unit", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
               "preproc_elifdef", "ERROR", "linkage_specification", "declaration_list"}
_WRAPPERS = {"pointer_declarator", "parenthesized_declarator", "attributed_declarator"}


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _is_macro_name(name: str) -> bool:
    return name.upper() == name and any(c.isalpha() for c in name)


def _declared_name(decl) -> tuple[str | None, object | None]:
    """The name a declarator declares as a function, and its function_declarator."""
    node = decl
    while node is not None and node.type in _WRAPPERS:
        node = node.child_by_field_name("declarator") or (node.named_children[-1] if node.named_children else None)
    if node is None or node.type != "function_declarator":
        return None, None
    inner = node.child_by_field_name("declarator")
    while inner is not None and inner.type in _WRAPPERS:
        inner = inner.child_by_field_name("declarator") or (inner.named_children[-1] if inner.named_children else None)
    if inner is not None and inner.type == "identifier":
        return _text(inner), node
    return None, None


def _first_argument(args) -> str | None:
    """The first argument of a macro call or of a parameter list, when it is a bare name."""
    for c in args.named_children:
        if c.type in ("identifier", "type_identifier"):
            return _text(c)
        if c.type == "parameter_declaration":
            kids = c.named_children
            if len(kids) == 1 and kids[0].type in ("identifier", "type_identifier"):
                return _text(kids[0])
        return None
    return None


def _condition(node) -> str:
    if node.type == "preproc_ifdef":
        kw = _text(node.children[0]).strip()
        name = node.child_by_field_name("name")
        return f"{kw} {_text(name) if name is not None else '?'}"
    if node.type in ("preproc_if", "preproc_elif"):
        cond = node.child_by_field_name("condition")
        kw = "#if" if node.type == "preproc_if" else "#elif"
        return f"{kw} {' '.join(_text(cond).split()) if cond is not None else '?'}"
    if node.type == "preproc_elifdef":
        kw = _text(node.children[0]).strip()
        name = node.child_by_field_name("name")
        return f"{kw} {_text(name) if name is not None else '?'}"
    return ""


def _is_guard(node) -> bool:
    """``#ifndef X`` whose first item is ``#define X``: a header's include guard, not a
    configuration condition worth reporting."""
    if node.type != "preproc_ifdef" or not _text(node.children[0]).strip() == "#ifndef":
        return False
    name = node.child_by_field_name("name")
    body = [c for c in node.named_children if name is None or c.id != name.id]
    first = body[0] if body else None
    return (first is not None and first.type == "preproc_def" and name is not None
            and first.child_by_field_name("name") is not None
            and _text(first.child_by_field_name("name")) == _text(name))


class _Indexer:
    def __init__(self) -> None:
        self.index = FileIndex()

    def container(self, node, conds: tuple[str, ...]) -> None:
        kids = node.children
        skip = {n.id for f in ("name", "condition", "alternative")
                if (n := node.child_by_field_name(f)) is not None}
        for i, c in enumerate(kids):
            if c.id in skip or not c.is_named:
                continue
            self.item(c, kids[i + 1] if i + 1 < len(kids) else None, conds)

    def branches(self, node, conds: tuple[str, ...]) -> None:
        """An #if/#ifdef block, then its #elif/#else chain, each under its own conditions."""
        here = _condition(node)
        self.container(node, conds if _is_guard(node) else conds + (here,))
        alt = node.child_by_field_name("alternative")
        if alt is None:
            return
        if alt.type == "preproc_else":
            self.container(alt, conds + (f"#else of {here}",))
        else:
            self.branches(alt, conds + (f"not {here}",))

    def item(self, c, nxt, conds: tuple[str, ...]) -> None:
        t = c.type
        line = c.start_point[0] + 1
        if t in ("preproc_if", "preproc_ifdef"):
            self.branches(c, conds)
        elif t in _CONTAINERS:
            self.container(c, conds)
        elif t == "function_definition":
            self.function(c, conds, line)
        elif t == "declaration":
            for d in c.children_by_field_name("declarator"):
                name, _ = _declared_name(d)
                if name:
                    self.index.add(Symbol(name, "declaration", line, None, conds))
        elif t == "expression_statement":
            self.macro_call(c, nxt, conds, line)
        elif t in ("preproc_function_def", "preproc_def"):
            name = c.child_by_field_name("name")
            if name is not None:
                self.index.add(Symbol(_text(name), "macro", line, None, conds))

    def function(self, c, conds, line) -> None:
        decl = c.child_by_field_name("declarator")
        name, fdecl = _declared_name(decl)
        if name is None:
            # SYSCALL_DEFINE0(name) { ... } reads as type SYSCALL_DEFINE0, declarator (name)
            typ = c.child_by_field_name("type")
            if (typ is not None and typ.type == "type_identifier" and _is_macro_name(_text(typ))
                    and decl is not None and decl.type == "parenthesized_declarator"):
                inner = decl.named_children[0] if decl.named_children else None
                if inner is not None and inner.type == "identifier":
                    self.index.add(Symbol(_text(inner), "macro-defined", line, _text(typ), conds))
            return
        if _is_macro_name(name) and fdecl is not None:
            params = fdecl.child_by_field_name("parameters")
            first = _first_argument(params) if params is not None else None
            if first:
                self.index.add(Symbol(first, "macro-defined", line, name, conds))
                return
        self.index.add(Symbol(name, "definition", line, None, conds))

    def macro_call(self, c, nxt, conds, line) -> None:
        call = c.named_children[0] if c.named_children else None
        if call is None or call.type != "call_expression":
            return
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if fn is None or fn.type != "identifier" or args is None:
            return
        macro = _text(fn)
        if macro in GENERATORS:
            names = [_text(a) for a in args.named_children if a.type == "identifier"]
            if names:
                u, lo = names[0], names[1] if len(names) > 1 else names[0].lower()
                for tmpl in GENERATORS[macro]:
                    self.index.add(Symbol(tmpl.format(u=u, l=lo), "generated", line, macro, conds))
            return
        # SYSCALL_DEFINE2(name, ...) { ... }: tree-sitter reads a call, then a block
        if _is_macro_name(macro) and nxt is not None and nxt.type == "compound_statement":
            first = _first_argument(args)
            if first:
                self.index.add(Symbol(first, "macro-defined", line, macro, conds))


def _count_errors(root) -> int:
    n = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if not node.has_error:
            continue
        if node.type == "ERROR" or node.is_missing:
            n += 1
            continue
        stack.extend(node.children)
    return n


def index_source(data: bytes) -> FileIndex:
    """Index one C file's bytes."""
    tree = parser().parse(data)
    ix = _Indexer()
    ix.container(tree.root_node, ())
    ix.index.errors = _count_errors(tree.root_node)
    return ix.index
