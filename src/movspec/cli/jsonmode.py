"""``--json`` on every command: one way to print a JSON document, and errors as JSON.

A command built with ``cls=JsonCommand`` notes, before its options are parsed, whether JSON
goes to stdout: its ``--json`` flag is given, or (``check``, ``simulate``: ``--json [FILE]``)
no file or ``-`` is. From then on every error the command reports through ``common.usage_error``,
``common.load_or_exit`` or ``fail`` (and click's own usage errors: an unknown option, a bad
value) is printed on stdout as one JSON document instead of ``error:``/``hint:`` lines on
stderr, with the same exit status::

    {"ok": false, "exit_status": 2, "error": "no variant `v9`", "hint": "did you mean `v3`?",
     "diagnostics": [{"severity": "error", "code": "usage", "message": ..., "hint": ..., "span": null}]}

``diagnostics`` are those of ``lint --json`` (a model with errors lists every one, with its
span). The shape is ``report/schemas/cli.schema.json`` (``error``), with the documents of
``gen``, ``init``, ``docs`` and ``tlc install``/``tlc image``.
"""

from __future__ import annotations

import json
import sys
from typing import NoReturn, Sequence

import click

from ..diagnostics import Diagnostic, Severity, error

JSON_MODE = "movspec.json"  # the click context's meta key: JSON goes to stdout


def json_mode() -> bool:
    """Does the running command print JSON on stdout (so its errors are JSON too)?"""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.meta.get(JSON_MODE):
            return True
        ctx = ctx.parent
    return False


def print_json(doc: dict) -> None:
    click.echo(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False))


def error_document(status: int, diagnostics: Sequence[Diagnostic]) -> dict:
    """The JSON form of a failed command: the first error's message and hint, and every
    diagnostic."""
    first = next((d for d in diagnostics if d.severity is Severity.ERROR), diagnostics[0] if diagnostics else None)
    return {"ok": False, "exit_status": status, "error": first.message if first else "failed",
            "hint": first.hint if first else None, "diagnostics": [d.to_json() for d in diagnostics]}


def fail_json(status: int, diagnostics: Sequence[Diagnostic]) -> NoReturn:
    print_json(error_document(status, diagnostics))
    sys.exit(status)


def fail(message: str, hint: str | None = None, status: int = 2, code: str = "usage") -> NoReturn:
    """Report an error and exit with ``status``: ``error: message`` and ``hint: ...`` on stderr,
    or, in JSON mode, the error document on stdout. ``code`` names the kind of error in JSON
    (``usage``; ``output``: a file that cannot be written; a command's own otherwise)."""
    if json_mode():
        fail_json(status, [error(message, None, hint, code)])
    from rich.console import Console
    from rich.text import Text
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(Text(f"error: {message}", style="bold red"))
    if hint:
        err.print(Text(f"hint: {hint}"))
    sys.exit(status)


def _wants_json(command: click.Command, args: Sequence[str]) -> bool:
    opt = next((p for p in command.params if isinstance(p, click.Option) and "--json" in p.opts), None)
    if opt is None:
        return False
    if opt.is_flag:
        return "--json" in args
    # --json [FILE]: stdout when alone (last, or before another option) or `-`
    return "--json=-" in args or any(
        a == "--json" and (i + 1 == len(args) or args[i + 1] == "-" or args[i + 1].startswith("-"))
        for i, a in enumerate(args))


class JsonCommand(click.Command):
    """A command whose errors are JSON when it prints JSON (see the module docstring)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if _wants_json(self, args):
            ctx.meta[JSON_MODE] = True
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if not ctx.meta.get(JSON_MODE):
                raise
            fail_json(exc.exit_code, [error(exc.format_message(), None, None, "usage")])


class JsonGroup(click.Group):
    """A group that takes ``--json`` before its subcommand as well (``movspec tlc --json
    install``, ``movspec --json lint spec/``): the flag is handed to the subcommand, and the
    group's own usage errors (no such command, none given) are JSON too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        cut = next((i for i, a in enumerate(args[:end]) if not a.startswith("-")), end)
        if "--json" in args[:cut]:
            ctx.meta[JSON_MODE] = True
            rest = [a for a in args[:cut] if a != "--json"] + args[cut:]
            # after the subcommand's own arguments, so that `check`'s `--json [FILE]` takes no
            # path as its file: before a `--` if there is one
            end = rest.index("--") if "--" in rest else len(rest)
            if cut == len(args) and not {"-h", "--help"} & set(rest):
                fail_json(2, [error(f"a command is needed after `{ctx.command_path}`", None,
                                    "one of: " + ", ".join(self.list_commands(ctx)), "usage")])
            args = rest[:end] + ["--json"] + rest[end:]
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if not ctx.meta.get(JSON_MODE):
                raise
            fail_json(exc.exit_code, [error(exc.format_message(), None, None, "usage")])

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            if not json_mode():
                raise
            fail_json(exc.exit_code, [error(exc.format_message(), None, None, "usage")])
