"""CLI command: lsp (the language server, for editors)."""

from __future__ import annotations

import sys

import click

from .common import exit_status

_NEEDS = ("pygls", "lsprotocol", "cattrs", "attrs")


@click.command("lsp", epilog=exit_status("the editor ended the session", "the server failed").replace(
    "an output that cannot be written", "the lsp extra is not installed"))
@click.option("--stdio", is_flag=True,
              help="Talk LSP on stdin/stdout (the default and only transport; accepted because "
                   "some editors pass it).")
def lsp_cmd(stdio: bool) -> None:
    """Run the movspec language server on stdin/stdout, for an editor.

    It publishes the `movspec lint` diagnostics as you type (a model is every .mspec file in
    the directory of the open file), and answers hover, go-to-definition and document
    symbols. See docs/editor.md for VS Code and Neovim set-ups. Needs the `lsp` extra:
    pip install 'movspec[lsp]'.
    """
    try:
        from ..lsp.server import serve
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _NEEDS:
            raise
        click.echo(f"error: the language server needs the `{exc.name}` package, which is not installed\n"
                   "hint: install the `lsp` extra: pip install 'movspec[lsp]' "
                   "(or pip install pygls lsprotocol)", err=True)
        sys.exit(2)
    serve()


commands: list[click.Command] = [lsp_cmd]
