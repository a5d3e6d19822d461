"""Helpers shared by the CLI commands: load a model, render its diagnostics, exit on errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import click
from rich.console import Console
from rich.text import Text

from .. import api
from ..diagnostics import Diagnostic, Severity, SourceMap
from ..load import LoadResult, load
from .jsonmode import fail, fail_json, json_mode

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


def require_paths(paths: Sequence[str | Path] | None) -> None:
    """A path that does not exist is a usage error (exit 2), the same for every command; with
    no paths, ``spec/`` must exist."""
    for p in (list(paths) if paths else [DEFAULT_SPEC]):
        if not Path(p).exists():
            usage_error(f"no such file or directory: `{p}`",
                        "check the path" if paths else
                        f"without paths movspec reads `{DEFAULT_SPEC}/`: pass the model's .mspec files or directory")


def load_or_exit(paths: Sequence[str | Path] | None, console: Console | None = None,
                 consts: Sequence = (), note_consts: bool = True) -> LoadResult:
    """Load the model at ``paths`` (default ``spec/``); print every diagnostic to stderr and exit
    with status 1 if any is an error (in JSON mode: the error document, with every
    diagnostic, on stdout). Warnings are printed and loading goes on. ``consts``
    (``--const``): a name no variant declares, or a value that does not fit its declaration,
    is a usage error (exit 2)."""
    err = console if console is not None and console.stderr else stderr_console()
    require_paths(paths)
    try:
        result = api.load(list(paths) if paths else [DEFAULT_SPEC], consts)
    except api.ConstError as exc:
        usage_error(str(exc), exc.hint)
    if consts and note_consts and result.models:
        _note_fixed_ints(consts, next(iter(result.models.values())), err)
    if not result.ok and json_mode():
        fail_json(1, result.diagnostics)
    if result.diagnostics:
        render_diagnostics(result.diagnostics, result.sources, err)
    if not result.ok:
        sys.exit(1)
    return result


def _note_fixed_ints(consts, model, err: Console) -> None:
    """A set resized by --const while integer constants keep their declared values: say so,
    since a bound such as MaxRef (one reference per CPU, plus one) may depend on the size."""
    given = {o.name for o in consts}
    resized = [c.name for c in model.consts if c.atoms is not None and c.name in given]
    kept = [c for c in model.consts if c.atoms is None and c.name not in given]
    if resized and kept:
        c = kept[0]
        where = f" at {c.span}" if c.span else ""
        err.print(Text(f"note: {', '.join(f'{k.name} = {k.value}' for k in kept)} as declared{where}; "
                       f"if it depends on the sizes, set it too, e.g. --const {c.name}={resized[0]}+1 (any expression "
                       f"over the constants: {', '.join(k.name for k in model.consts if k.atoms is not None)})",
                       style="dim"))


# ---------------------------------------------------------------------- conventions

USAGE = 2  # exit status of a usage error: unknown option, variant or property, unwritable output

EXIT_STATUS = ("Exit status: 0 {ok}; 1 {fail}; 2 usage error (an unknown option, variant "
               "or property, a path that does not exist, an output that cannot be written); 130 interrupted.")


def exit_status(ok: str, fail: str) -> str:
    """The exit-status paragraph of a command's help (``\\b`` keeps click from rewrapping it)."""
    return EXIT_STATUS.format(ok=ok, fail=fail)


def usage_error(message: str, hint: str | None = None) -> None:
    """Print ``error: message`` (and ``hint: ...``) to stderr and exit with status 2 (in JSON
    mode: the error document on stdout; ``jsonmode``)."""
    fail(message, hint, USAGE)


def timeout_option(help: str = "Stop each variant's check after this many seconds (its verdicts "
                                "are then incomplete)."):
    """``--timeout SECONDS``, with ``--max-seconds`` kept as a hidden, deprecated alias (it
    warns). The value reaches the command as ``timeout``."""
    import functools

    def deco(f):
        @functools.wraps(f)
        def wrapper(*args, max_seconds=None, **kwargs):
            if max_seconds is not None:
                stderr_console().print(Text("warning: --max-seconds is deprecated; use --timeout", style="yellow"))
                if kwargs.get("timeout") is None:
                    kwargs["timeout"] = max_seconds
            return f(*args, **kwargs)

        seconds = click.FloatRange(min=0, min_open=True)
        wrapper = click.option("--max-seconds", "max_seconds", type=seconds, hidden=True)(wrapper)
        return click.option("--timeout", "timeout", type=seconds, metavar="SECONDS", help=help)(wrapper)
    return deco


def complete_variants(ctx, param, incomplete: str) -> list[str]:
    """Shell completion of a variant name: the variants of the model at the command's PATHS
    (default spec/), loaded quietly; nothing when it does not load."""
    try:
        result = load(list(ctx.params.get("paths") or ()) or [DEFAULT_SPEC])
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
        return []
    return [v for v in result.models if v.startswith(incomplete)]


def complete_properties(ctx, param, incomplete: str) -> list[str]:
    """Shell completion of a property name, from the same model as ``complete_variants``."""
    try:
        result = load(list(ctx.params.get("paths") or ()) or [DEFAULT_SPEC])
    except Exception:  # noqa: BLE001
        return []
    names = {n for m in result.models.values() for n in m.property_names}
    return sorted(n for n in names if n.startswith(incomplete))
