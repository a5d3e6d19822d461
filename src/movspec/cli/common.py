"""Helpers shared by the CLI commands: load a model, render its diagnostics, exit on errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

from rich.console import Console
from rich.text import Text

from ..diagnostics import Diagnostic, Severity, SourceMap
from ..load import LoadResult, load

DEFAULT_SPEC = "spec"
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.NOTE: "bold cyan"}


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def render_diagnostic(d: Diagnostic, sources: SourceMap | None, console: Console) -> None:
    """Print one diagnostic as ``file:line:col: error: msg``, source line, caret, hint."""
    text = d.render(sources)
    first, _, rest = text.partition("\n")
    line = Text(first)
    label = f"{d.severity.value}:"
    at = first.find(label)
    if at >= 0:
        line.stylize(_STYLE.get(d.severity, ""), at, at + len(label))
    console.print(line)
    if rest:
        console.print(Text(rest))


def render_diagnostics(diags: Sequence[Diagnostic], sources: SourceMap | None, console: Console) -> None:
    for d in diags:
        render_diagnostic(d, sources, console)
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    if errors or warnings:
        parts = []
        if errors:
            parts.append(f"{errors} error{'s' if errors != 1 else ''}")
        if warnings:
            parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        console.print(Text(", ".join(parts)))


def load_or_exit(paths: Sequence[str | Path] | None, console: Console | None = None) -> LoadResult:
    """Load the model at ``paths`` (default ``spec/``); print every diagnostic to stderr and exit
    with status 1 if any is an error. Warnings are printed and loading goes on."""
    err = console if console is not None and console.stderr else stderr_console()
    result = load(list(paths) if paths else [DEFAULT_SPEC])
    if result.diagnostics:
        render_diagnostics(result.diagnostics, result.sources, err)
    if not result.ok:
        sys.exit(1)
    return result
