"""The `movspec` command line. Each command group lives in its own module and exports
``commands``, a list of click commands added to the main group here."""

from __future__ import annotations

import sys

import click

from .. import __version__
from . import anchors, check, docs, gen, init, lint, lsp, simulate
from .jsonmode import JsonGroup


EPILOG = """\b
Exit status of every command: 0 success; 1 the model has errors or the command found a
problem (each command's --help says which); 2 usage error: an unknown option, variant or
property, or an output that cannot be written; 130 interrupted (143 on SIGTERM).

\b
Shell completion (commands, options, variant and property names):
  bash: eval "$(_MOVSPEC_COMPLETE=bash_source movspec)"   in ~/.bashrc
  zsh:  eval "$(_MOVSPEC_COMPLETE=zsh_source movspec)"    in ~/.zshrc
  fish: _MOVSPEC_COMPLETE=fish_source movspec | source     in ~/.config/fish/completions/movspec.fish
"""


@click.group(cls=JsonGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
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
        # one name, also for `python -m movspec`: usage lines, and the completion variable
        cli(standalone_mode=True, prog_name="movspec")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
