"""The `movspec` command line. Each command group lives in its own module and exports
``commands``, a list of click commands added to the main group here."""

from __future__ import annotations

import sys

import click

from .. import __version__
from . import anchors, check, docs, gen, init, lint, lsp, simulate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="movspec")
def cli() -> None:
    """Model-check design variants of concurrent kernel protocols.

    Write actors, properties and variants in the movspec DSL (see docs/language.md),
    then lint, check, generate PlusCal/TLA+ and documentation.
    """


for _module in (init, lint, check, simulate, gen, docs, lsp, anchors):
    for _command in _module.commands:
        cli.add_command(_command)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
