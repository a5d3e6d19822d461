"""Text -> syntax tree (``ast.File``), or diagnostics; never an exception.

Contract: ``parse(text, path)`` returns ``(File | None, diagnostics)``. A file with a syntax
error yields ``None`` and exactly one error (LALR stops at the first one) whose span points at
the offending token, with the expected tokens in user terms and a hint. ``parse_bytes`` also
turns undecodable input into a diagnostic.

A file is parsed in one pass over Lark's tables (``onepass``); one that pass cannot take as it
is (any problem to report) goes through Lark's own path (its tree, the depth guard, ``ToAst``),
which gives every diagnostic.

Known limits: one syntax error per file; expressions nested deeper than ``MAX_DEPTH`` parse-tree
levels are refused (the later stages recurse over expressions).
"""

from __future__ import annotations

import re
from dataclasses import replace

from lark.exceptions import UnexpectedInput, VisitError

from ..diagnostics import Diagnostic, error
from ..gcpause import gc_paused
from ..span import Span
from . import ast as A
from .grammar import lark_parser
from .onepass import parse_decls
from .syntax_errors import MAX_DEPTH, syntax_diagnostic, too_deep, unterminated_comment
from .tree import DslError, ToAst


def parse(text: str, path: str = "<string>") -> tuple[A.File | None, list[Diagnostic]]:
    """Parse one file's text. Returns the tree, or None and the diagnostics."""
    pos = unterminated_comment(text) if "/*" in text else None
    if pos is not None:
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return None, [error("unterminated comment", Span(path, line, col, line, col + 2),
                            "close the comment with `*/`", "syntax")]
    with gc_paused():
        return _parse(text, path)


def _parse(text: str, path: str) -> tuple[A.File | None, list[Diagnostic]]:
    decls = parse_decls(text, path)  # one pass over Lark's tables; None: something to report
    if decls is None:
        return _parse_lark(text, path)
    return A.File(path, tuple(_attach_notes(decls, text)), Span(path, 1, 1, 1, 1)), []


def _parse_lark(text: str, path: str) -> tuple[A.File | None, list[Diagnostic]]:
    """Lark's own path: its tree, the depth guard, then ``ToAst``; the one that reports."""
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput as exc:
        return None, [syntax_diagnostic(exc, path, text)]
    deep = too_deep(tree, path)
    if deep is not None:
        span, what = deep
        return None, [error(f"{what} nested too deeply", span,
                            ("split it into `def`s" if what == "expression" else "split it into macros or steps")
                            + f"; at most {MAX_DEPTH} levels of nesting are supported",
                            "too-deep")]
    try:
        decls = ToAst(path, text).transform(tree)
    except VisitError as exc:
        orig = exc.orig_exc
        if isinstance(orig, DslError):
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
