"""Text -> declarations in one pass: Lark's own LALR tables, run with less overhead.

Nothing here knows the syntax: the parse table, the terminals and the lexer of each parser
state, the child filters (anonymous tokens dropped, `_rule`s spliced, `[x]` placeholders) and
the position rules are all taken from the Lark parser built from ``movspec.lark``
(``grammar.lark_parser``). What this pass saves is the work around them: it lexes in the
parse loop (no generator, no per-token line counter object, keywords re-typed by a dict), it
calls ``ToAst``'s method for each rule as the rule is reduced (no Lark tree, no second walk
over it, no depth walk: each node carries its height), and a rule that only hands its one
child through costs a table look-up.

Contract: ``parse_decls(text, path)`` returns the declarations that ``ToAst(path, text)``
makes of Lark's tree, or None whenever anything is out of the ordinary (a syntax error, a
``DslError``, a tree deeper than ``MAX_DEPTH``, any exception): the caller then takes Lark's
own path, so every diagnostic is exactly the one that path gives.
"""

from __future__ import annotations

from functools import lru_cache

from lark import Token
from lark.lexer import UnlessCallback
from lark.parse_tree_builder import maybe_create_child_filter
from lark import visitors as _visitors
from lark.parsers.lalr_analysis import Shift

from .grammar import lark_parser
from .syntax_errors import MAX_DEPTH
from .tree import ToAst


class _Bail(Exception):
    """Leave the one-pass parse: Lark's path decides what to say."""


class _Node:
    """A reduced rule: its ``ToAst`` value, or for a `_rule` the children spliced into its
    parent; its positions (Lark's ``Meta``: ``ToAst`` reads it as the rule's meta) and its
    container positions (including the tokens the filter dropped), and its height."""

    __slots__ = ("value", "children", "empty", "line", "column", "start_pos", "end_line", "end_column",
                 "end_pos", "c_line", "c_column", "c_start", "c_end_line", "c_end_column", "c_end_pos",
                 "height")


_new_token = getattr(Token, "_future_new", Token)  # Token(type, value, start, line, col, end...)


def _positions(node: _Node, raw: list) -> None:
    """Lark's ``PropagatePositions`` for a new node: from the first and the last raw child that
    has a position (a token, or a node that is not empty)."""
    first = last = None
    for c in raw:
        if c.__class__ is _Node:
            if not c.empty:
                first = c
                break
        elif c.__class__ is Token:
            first = c
            break
    if first is None:
        node.empty = True
        return
    for i in range(len(raw) - 1, -1, -1):
        c = raw[i]
        if c.__class__ is _Node:
            if not c.empty:
                last = c
                break
        elif c.__class__ is Token:
            last = c
            break
    node.empty = False
    if first.__class__ is Token:
        node.line = node.c_line = first.line
        node.column = node.c_column = first.column
        node.start_pos = node.c_start = first.start_pos
    else:
        node.line = node.c_line = first.c_line
        node.column = node.c_column = first.c_column
        node.start_pos = node.c_start = first.c_start
    if last.__class__ is Token:
        node.end_line = node.c_end_line = last.end_line
        node.end_column = node.c_end_column = last.end_column
        node.end_pos = node.c_end_pos = last.end_pos
    else:
        node.end_line = node.c_end_line = last.c_end_line
        node.end_column = node.c_end_column = last.c_end_column
        node.end_pos = node.c_end_pos = last.c_end_pos


def _containers(node: _Node, raw: list) -> None:
    """``PropagatePositions`` for a child handed through by a `?rule`: its own positions stay,
    its container grows to the tokens around it (the parentheses of ``(e)``)."""
    probe = _Node()
    _positions(probe, raw)
    if probe.empty:
        return
    if node.empty:
        raise _Bail  # Lark would give it positions after ToAst saw none
    node.c_line, node.c_column, node.c_start = probe.c_line, probe.c_column, probe.c_start
    node.c_end_line, node.c_end_column, node.c_end_pos = probe.c_end_line, probe.c_end_column, probe.c_end_pos


class _Tables:
    """What one parse needs from Lark's parser, prepared once."""

    def __init__(self) -> None:
        lk = lark_parser()
        front = lk.parser
        table = front.parser._parse_table
        self.start = table.start_states["start"]
        self.end = table.end_states["start"]
        self.rules: list[tuple] = []  # per rule: what its reduction needs
        index: dict = {}
        for rule in lk.rules:
            o = rule.options
            name = rule.alias or o.template_source or rule.origin.name
            f = maybe_create_child_filter(rule.expansion, o.keep_all_tokens, False,
                                          o.empty_indices if lk.options.maybe_placeholders else None)
            plan = None
            if f is not None:
                cf = f(None)
                include = getattr(cf, "to_include", None)
                if include and len(include[0]) == 2:  # the no-placeholder filter
                    include = [(i, x, 0) for i, x in include]
                plan = (include, getattr(cf, "append_none", 0))
            inline = str(rule.origin.name).startswith("_")
            expand1 = bool(o.expand1) and not rule.alias  # `?r: x -> name` builds its node
            if inline and expand1:
                raise _Bail
            # a `?rule` with one symbol that the filter keeps as it is: the child passes through
            through = expand1 and len(rule.expansion) == 1 and (
                plan is None or plan == ([(0, False, 0)], 0))
            index[rule] = len(self.rules)
            self.rules.append((len(rule.expansion), str(rule.origin.name), name, plan, expand1,
                               inline, through))
        self.actions: dict[int, dict] = {}
        self.gotos: dict[int, dict] = {}
        for st, row in table.states.items():
            acts, gotos = {}, {}
            for sym, (action, arg) in row.items():
                if action is Shift:  # a terminal's shift, or a rule's goto (their names differ)
                    acts[sym] = (True, arg)
                    gotos[sym] = arg
                else:
                    acts[sym] = (False, index[arg])
            self.actions[st] = acts
            self.gotos[st] = gotos
        lexers: dict[int, tuple] = {}
        by_id: dict[int, tuple] = {}
        for st, lx in front.lexer.lexers.items():
            if id(lx) not in by_id:
                scanner = lx.scanner
                keywords: dict[str, dict[str, str]] = {}
                for type_, cb in lx.callback.items():
                    if type(cb) is not UnlessCallback:
                        raise _Bail
                    words = {}
                    for t in cb.scanner.terminals:
                        if t.pattern.type != "str" or t.pattern.flags:
                            raise _Bail
                        words[t.pattern.value] = t.name
                    keywords[type_] = words
                by_id[id(lx)] = (tuple(scanner._mres), lx.ignore_types, lx.newline_types, keywords)
            lexers[st] = by_id[id(lx)]
        self.lexers = lexers
        if lk.options.lexer_callbacks or lk.options.postlex is not None:
            raise _Bail  # callbacks on tokens: the one pass would skip them
        # ToAst's methods for tokens (none today) would run in Lark's path only
        self.terminals = {t.name for t in lk.terminals}


@lru_cache(maxsize=1)
def _tables() -> _Tables | None:
    try:
        return _Tables()
    except (_Bail, AttributeError, KeyError, TypeError, ValueError):  # another Lark: its own path
        return None


def _callbacks(tables: _Tables, toast: ToAst) -> list:
    """The reduction of each rule: (size, goto name, None for a child handed through, or a
    function of the raw children)."""
    if any(hasattr(toast, t) for t in tables.terminals):
        raise _Bail
    out = []
    for size, origin, name, plan, expand1, inline, through in tables.rules:
        out.append((size, origin, None if through else _reducer(toast, name, plan, expand1, inline)))
    return out


def _caller(toast: ToAst, name: str):
    """``ToAst``'s method for rule ``name`` as a function of (items, meta), called the way
    Lark's ``Transformer`` calls it (its ``v_args`` wrapper, or ``__default__``)."""
    method = getattr(toast, name, None)
    if method is None:
        default = toast.__default__
        return lambda items, meta: default(name, items, meta)
    wrapper = getattr(method, "visit_wrapper", None)
    if wrapper is None:
        return lambda items, meta: method(items)
    # Lark's wrappers for `v_args(meta=True, inline=True)` and the like, called directly
    base = getattr(method, "base_func", None)
    if base is not None and wrapper is getattr(_visitors, "_vargs_meta_inline", None):
        return lambda items, meta: base(meta, *items)
    if base is not None and wrapper is getattr(_visitors, "_vargs_meta", None):
        return lambda items, meta: base(meta, items)
    if base is not None and wrapper is getattr(_visitors, "_vargs_inline", None):
        return lambda items, meta: base(*items)
    return lambda items, meta: wrapper(method, name, items, meta)


def _reducer(toast: ToAst, name: str, plan, expand1: bool, inline: bool):
    """The reduction of one rule: Lark's child filter, its positions, the node's height, and
    ``ToAst``'s method on the children's values. A `_rule`'s node keeps its children for the
    parent to splice (the list of a left-recursive `x*` grows in place, as in Lark) and, as its
    height, the largest of theirs."""
    call = None if inline else _caller(toast, name)
    include, trailing, keep = None, 0, None
    if plan is not None:
        include, trailing = plan
        if not trailing and all(not x and not k for _, x, k in include):
            keep = tuple(i for i, _, _ in include)  # only tokens dropped: pick the rest
            include = None

    def reduce(raw: list):
        h = 0
        if include is not None:
            kids: list = []
            for i, expand, nones in include:
                if nones:
                    kids += [None] * nones
                c = raw[i]
                if expand:
                    if c.height > h:
                        h = c.height
                    if kids:
                        kids += c.children
                    else:
                        kids = c.children
                else:
                    kids.append(c)
                    if c.__class__ is _Node:
                        if c.height > h:
                            h = c.height
                    elif h < 1 and c is not None:
                        h = 1
            if trailing:
                kids += [None] * trailing
        else:
            kids = raw if keep is None else [raw[i] for i in keep]
            for c in kids:
                if c.__class__ is _Node:
                    if c.height > h:
                        h = c.height
                elif h < 1 and c is not None:
                    h = 1
        if expand1 and len(kids) == 1:
            child = kids[0]
            if child.__class__ is _Node:
                _containers(child, raw)
            return child
        node = _Node()
        _positions(node, raw)
        if inline:
            node.children = kids
            node.height = h
            node.value = None
        else:
            node.height = h + 1
            node.value = call([c.value if c.__class__ is _Node else c for c in kids], node)
        return node

    return reduce


def parse_decls(text: str, path: str) -> list | None:
    """The declarations of ``text``, or None: then Lark's own path must parse it."""
    tables = _tables()
    if tables is None:
        return None
    try:
        root = _run(tables, _callbacks(tables, ToAst(path, text)), text)
    except Exception:  # a syntax error, a DslError, anything: Lark's path says what it is
        return None
    if root.__class__ is not _Node or root.height > MAX_DEPTH:
        return None
    return root.value


def _run(tables: _Tables, reductions: list, text: str):
    """Lark's LALR loop (``ParserState.feed_token``) with its contextual lexer inlined: the
    next token is matched with the regexes of the state on top, after the previous shift."""
    gotos, lexers = tables.gotos, tables.lexers
    acts = {st: {sym: a if a[0] else (False, reductions[a[1]]) for sym, a in row.items()}
            for st, row in tables.actions.items()}
    states = [tables.start]
    values: list = []
    pos, line, line_start, n = 0, 1, 0, len(text)
    tok = None
    end_state = tables.end
    chains: dict[tuple, int] = {}
    while True:
        if pos < n:
            mres, ignore, newline, keywords = lexers[states[-1]]
            for mre in mres:
                m = mre.match(text, pos)
                if m is not None:
                    break
            else:
                raise _Bail
            type_ = m.lastgroup
            value = m.group(0)
            end = m.end()
            if type_ in ignore:
                if type_ in newline:
                    k = value.count("\n")
                    if k:
                        line += k
                        line_start = pos + value.rindex("\n") + 1
                pos = end
                continue
            l0, c0 = line, pos - line_start + 1
            if type_ in newline:
                k = value.count("\n")
                if k:
                    line += k
                    line_start = pos + value.rindex("\n") + 1
            tok = _new_token(type_, value, pos, l0, c0, line, end - line_start + 1, end)
            words = keywords.get(type_)
            if words is not None:
                kw = words.get(value)
                if kw is not None:
                    tok.type = type_ = kw
            pos = end
            is_end = False
        else:
            tok = Token.new_borrow_pos("$END", "", tok) if tok is not None else Token("$END", "", 0, 1, 1)
            type_ = "$END"
            is_end = True
        while True:
            act = acts[states[-1]].get(type_)
            if act is None:
                raise _Bail
            if act[0]:
                if is_end:
                    raise _Bail
                states.append(act[1])
                values.append(tok)
                break
            size, origin, reduce = act[1]
            if reduce is None:
                # a `?rule` handing its one child through: the child stays where it is, and
                # the chain of them (each level of the expression grammar) ends in a state that
                # only depends on the state below, the state on top and the next token
                key = (states[-2], states[-1], type_)
                top = chains.get(key)
                if top is None:
                    top = states[-1]
                    below = gotos[states[-2]]
                    while True:
                        a = acts[top].get(type_)
                        if a is None or a[0] or a[1][2] is not None:
                            break
                        top = below[a[1][1]]
                    chains[key] = top
                states[-1] = top
                continue
            else:
                if size:
                    raw = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    raw = []
                values.append(reduce(raw))
                states.append(gotos[states[-1]][origin])
            if is_end and states[-1] == end_state:
                return values[-1]
