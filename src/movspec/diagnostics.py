"""Diagnostics: one object, two forms (a human rendering and structured fields).

Every stage that finds a mistake in the user's model reports a ``Diagnostic`` with a span.
Stages return them in a list (they never raise on bad input: ``load.load`` collects every
stage's); the CLI renders them as::

    spec/movable.ms:12:5: error: unknown variable `pgae`
       12 |     pgae[p].ref += 1
          |     ^^^^
    hint: did you mean `page`?

A diagnostic may carry related locations (``related``): the call site of the macro an error
is in, the variant whose broken delta an error follows from. Each is rendered after the main
location as ``file:line:col: note: ...`` with its source line. A diagnostic that is a root
cause (``cause``: a variant delta naming a step that does not exist) is listed before the
others, which may only be its knock-on effects.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

from .span import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Related:
    """A second location of a diagnostic, with what it is (``called here``)."""

    message: str
    span: Span

    def to_json(self) -> dict:
        return {"message": self.message, "span": self.span.to_json()}


def _quote(span: Span, sources: "SourceMap | None") -> list[str]:
    """The source line of ``span`` with carets under it (nothing when the text is unknown)."""
    text = sources.line(span.file, span.line) if sources is not None else None
    if text is None:
        return []
    num = str(span.line)
    pad = " " * len(num)
    text = text.expandtabs(1)
    if span.end_line == span.line:
        width = max(1, span.end_col - span.col)
    else:
        width = max(1, len(text) - span.col + 1)
    return [f" {num} | {text}", f" {pad} | {' ' * (span.col - 1)}{'^' * width}"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    message: str
    span: Span | None = None
    hint: str | None = None
    code: str = ""  # a short stable identifier, e.g. "undefined-name"
    related: tuple[Related, ...] = ()
    cause: bool = False  # a root cause: listed before the diagnostics that may follow from it

    def render(self, sources: "SourceMap | None" = None) -> str:
        where = f"{self.span}: " if self.span else ""
        out = [f"{where}{self.severity.value}: {self.message}"]
        if self.span:
            out.extend(_quote(self.span, sources))
        for r in self.related:
            out.append(f"{r.span}: note: {r.message}")
            out.extend(_quote(r.span, sources))
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)

    def to_json(self) -> dict:
        out = {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "span": self.span.to_json() if self.span else None,
        }
        if self.related:
            out["related"] = [r.to_json() for r in self.related]
        return out


def error(message: str, span: Span | None = None, hint: str | None = None, code: str = "",
          related: tuple[Related, ...] = (), cause: bool = False) -> Diagnostic:
    return Diagnostic(Severity.ERROR, message, span, hint, code, related, cause)


def warning(message: str, span: Span | None = None, hint: str | None = None, code: str = "") -> Diagnostic:
    return Diagnostic(Severity.WARNING, message, span, hint, code)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or None."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


@dataclass
class SourceMap:
    """The text of every file read, so diagnostics can quote the offending line."""

    files: dict[str, str] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def add(self, path: str, text: str) -> None:
        self.files[path] = text
        self._lines.pop(path, None)

    def line(self, path: str, lineno: int) -> str | None:
        text = self.files.get(path)
        if text is None:
            return None
        lines = self._lines.get(path)
        if lines is None:  # split once: quoting many diagnostics of a large file stays linear
            lines = self._lines[path] = text.splitlines()
        if 1 <= lineno <= len(lines):
            return lines[lineno - 1]
        return None
