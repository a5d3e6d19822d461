"""Syntax errors in the user's words: which token was unexpected, what would have been
accepted, and a hint (an unclosed bracket, a statement outside a step, an unterminated
comment); plus the nesting-depth guard of the parser.
"""

from __future__ import annotations

import re

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..diagnostics import Diagnostic, Related, did_you_mean, error
from ..span import Span
from .grammar import lark_parser

MAX_DEPTH = 200  # parse-tree levels; real models stay far below


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
    for t in lark_parser().terminals:
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


def _unclosed_by_indent(text: str) -> tuple[int, int, int | None] | None:
    """The `{` most likely left open before the end of ``text``, as (line, column): a `}` that
    starts its line closes the open `{` whose line is indented as much, and the `{`s it passes
    over are the ones never closed (the last one passed, else the innermost still open).
    Returns its line and column, and the line of the `}` that passed over it (or None).
    Strings and comments are skipped."""
    stack: list[tuple[int, int, int]] = []  # (line, col, indent of its line)
    passed: tuple[int, int, int | None] | None = None
    lines = text.split("\n")

    def indent(n: int) -> int:
        t = lines[n - 1].expandtabs(4)
        return len(t) - len(t.lstrip())

    clean = re.sub(r'"([^"\\\n]|\\.)*"?|//[^\n]*|/\*(.|\n)*?(\*/|$)',
                   lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    line, col = 1, 1
    for c in clean:
        if c == "\n":
            line, col = line + 1, 1
            continue
        if c == "{":
            stack.append((line, col, indent(line)))
        elif c == "}" and stack:
            first = not lines[line - 1][:col - 1].strip()
            at = indent(line)
            k = len(stack) - 1
            if first and stack[k][2] != at:
                match = [i for i in range(k, -1, -1) if stack[i][2] == at]
                if match:
                    passed = (stack[k][0], stack[k][1], line)
                    k = match[0]
            del stack[k:]
        col += 1
    if passed is not None:
        return passed
    return (stack[-1][0], stack[-1][1], None) if stack else None


def _eof_span(path: str, text: str) -> Span:
    lines = text.split("\n")
    # the last non-empty line, after its last character
    for idx in range(len(lines) - 1, -1, -1):
        if lines[idx].strip():
            return Span(path, idx + 1, len(lines[idx]) + 1, idx + 1, len(lines[idx]) + 2)
    return Span(path, 1, 1, 1, 2)


def syntax_diagnostic(exc: UnexpectedInput, path: str, text: str) -> Diagnostic:
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
    stmt_start = {"`=`", "`(`", "`+=`"} <= {_terminal_word(e) for e in exp}
    if stmt_start and prev and prev.group(1) in _DECL_WORDS and (open_ := _unclosed(before[:prev.start(1)])) \
            and open_[0] == "{":
        # `step x {` read as a statement: the block before it was left open (a block whose
        # last statement is a call `m(...)` reads on into the next declaration's keyword)
        at = prev.start(1)
        kw_line = before.count("\n", 0, at) + 1
        kw_col = at - before.rfind("\n", 0, at)
        kw_span = Span(path, kw_line, kw_col, kw_line, kw_col + len(prev.group(1)))
        return _missing_brace(path, before[:at], prev.group(1), kw_line, kw_span, open_)
    brace_left_open = "RBRACE" in exp and str(tok) in _DECL_WORDS and (_unclosed(before) or ("",))[0] == "{"
    if tok.type != "NAME" and str(tok).isidentifier() and "NAME" in exp and not close and not brace_left_open:
        # a keyword where a name could come: the user's name for something is a keyword
        return error(f"`{tok}` is a keyword of the language and cannot be a name here: {_expected_phrase(exp)}",
                     span, f"rename it (for example `{tok}_`), here and where it is declared", "syntax")
    glued = _glued_keyword(before, tok, stmt_start)
    if glued is not None:
        word, kw, at = glued
        w_line = before.count("\n", 0, at) + 1
        w_col = at - before.rfind("\n", 0, at)
        return error(f"unexpected `{word}`: no such keyword", Span(path, w_line, w_col, w_line, w_col + len(word)),
                     f"did you mean `{kw}`?", "syntax")
    if close:
        hint = close
    elif stmt_start and prev:
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
        # the root cause is the block left open, not the declaration the parser stopped at
        return _missing_brace(path, before, str(tok), tok.line, span, open_)
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


def _glued_keyword(before: str, tok, stmt_start: bool):
    """``(word, keyword, offset)`` when the parser stopped just after a mistyped keyword at
    the start of a line (``stepp inc @ ...``): where a name cannot come, the lexer reads
    ``stepp`` as ``step`` and a name ``p``, and the error lands on the next word. None when
    the word before ``tok`` is not such a glued keyword."""
    if stmt_start:
        return None  # a name starting a statement: the word is a name, not a split keyword
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]+$", before)
    if m is None:
        return None
    word = m.group(1)
    lead = before[:m.start(1)].rsplit("\n", 1)[-1].strip()
    if lead:
        # after a step's fairness mark or an `insert after a.s`, only `step` can come
        if _STEP_LEAD.fullmatch(lead) and word.startswith("step") and word != "step":
            return word, "step", m.start(1)
        return None  # not the first word on its line
    if word in _GLUE_WORDS:
        return None
    for kw in _GLUE_WORDS:
        if word.startswith(kw):
            return word, kw, m.start(1)
    return None


def _missing_brace(path: str, before: str, word: str, word_line: int, word_span: Span, open_) -> Diagnostic:
    """The error for a block left open, found where declaration ``word`` starts inside it."""
    line, col, closer = _unclosed_by_indent(before) or (open_[1], open_[2], None)
    what = "a declaration" if word not in ("step", "local", "unfair") else "a step"
    where = (f"before the `}}` of line {closer}, which lines up with an outer block" if closer
             else f"before line {word_line}")
    return error("a `}` is probably missing: this `{` is never closed", Span(path, line, col, line, col + 1),
                 f"close the block with `}}` {where}", "syntax",
                 (Related(f"`{word}` starts {what} here, inside that block", word_span),))


_STMT_WORDS = ["if", "any", "await", "either", "goto", "assert", "call", "unload", "skip"]
_DECL_WORDS = {"step", "local", "actor", "fair", "unfair", "var", "const", "enum", "struct", "module", "def",
               "macro", "invariant", "assertion", "leadsto", "allow", "variant", "expect", "model",
               "replace", "insert", "remove"}
# what may come before `step` on its line: `insert after|before a.s`, a fairness mark, or both
_STEP_LEAD = re.compile(r"(insert\s+(after|before)\s+[A-Za-z_]\w*\s*\.\s*[A-Za-z_]\w*)?\s*(unfair|fair\s*\+)?")
# keywords that start a declaration or a step at the start of a line, longest first
_GLUE_WORDS = sorted(_DECL_WORDS | {"func", "irq", "flags", "abstract", "refinement", "inductive", "for",
                                    "action"}, key=len, reverse=True)


def unterminated_comment(text: str) -> int | None:
    """The offset of a `/*` that is never closed (strings and line comments skipped)."""
    for m in re.finditer(r'"([^"\\\n]|\\.)*"|//[^\n]*|/\*(.|\n)*?\*/|(/\*)', text):
        if m.group(3):
            return m.start()
    return None


def too_deep(tree: Tree, path: str) -> tuple[Span, str] | None:
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
