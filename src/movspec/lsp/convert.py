"""DSL positions <-> LSP positions, and movspec diagnostics as LSP diagnostics.

A DSL span has 1-based lines and columns counted in characters, ``end_col`` exclusive; an
LSP position is 0-based, its character counted in the negotiated encoding's code units
(UTF-16 unless the client offers another).
"""

from __future__ import annotations

from lsprotocol import types as T

from ..diagnostics import Diagnostic, Severity
from ..span import Span

SEVERITY = {
    Severity.ERROR: T.DiagnosticSeverity.Error,
    Severity.WARNING: T.DiagnosticSeverity.Warning,
    Severity.NOTE: T.DiagnosticSeverity.Information,
}


def _units(s: str, encoding: str) -> int:
    if encoding == T.PositionEncodingKind.Utf32:
        return len(s)
    if encoding == T.PositionEncodingKind.Utf8:
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


class Lines:
    """A file's text split at ``\\n`` (as the DSL counts lines) for position conversion."""

    def __init__(self, text: str, encoding: str = T.PositionEncodingKind.Utf16):
        self.lines = text.split("\n")
        self.encoding = encoding

    def line(self, lineno: int) -> str:
        """The text of a 1-based line ('' past the end)."""
        return self.lines[lineno - 1] if 1 <= lineno <= len(self.lines) else ""

    def to_lsp(self, line: int, col: int) -> T.Position:
        """1-based (line, character column) -> LSP position."""
        line = max(1, min(line, len(self.lines)))
        s = self.line(line)
        chars = max(0, min(col - 1, len(s)))
        return T.Position(line=line - 1, character=_units(s[:chars], self.encoding))

    def from_lsp(self, pos: T.Position) -> tuple[int, int]:
        """LSP position -> 1-based (line, character column)."""
        s = self.line(pos.line + 1)
        if self.encoding == T.PositionEncodingKind.Utf32:
            return pos.line + 1, min(pos.character, len(s)) + 1
        units = 0
        for i, c in enumerate(s):
            if units >= pos.character:
                return pos.line + 1, i + 1
            units += _units(c, self.encoding)
        return pos.line + 1, len(s) + 1

    def range(self, span: Span) -> T.Range:
        start = self.to_lsp(span.line, span.col)
        end = self.to_lsp(span.end_line, span.end_col)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return T.Range(start=start, end=end)


def diagnostic(d: Diagnostic, lines: Lines) -> T.Diagnostic:
    """One movspec diagnostic as LSP reports it: the message as `movspec lint` prints it, its
    hint on a second line (`hint: ...`, as lint prints it, and in ``data``), the code."""
    if d.span is not None:
        rng = lines.range(d.span)
    else:
        rng = T.Range(start=T.Position(line=0, character=0), end=T.Position(line=0, character=0))
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return T.Diagnostic(
        range=rng,
        message=message,
        severity=SEVERITY.get(d.severity, T.DiagnosticSeverity.Error),
        code=d.code or None,
        source="movspec",
        data={"hint": d.hint, "message": d.message} if d.hint else {"message": d.message},
    )
