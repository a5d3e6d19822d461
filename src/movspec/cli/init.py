"""CLI command: init (write a starter model into a directory).

The starter (``templates/starter.mspec``) is one small model with a correct and a buggy
variant and argued expectations, so that ``movspec check DIR`` right after ``init`` shows
both kinds of verdict, all as expected. ``init`` never overwrites: it refuses a directory
that already holds a ``.mspec`` file (a second model header would make the directory an
invalid model) or the starter's file name, and writes atomically (``outfile``).
"""

from __future__ import annotations

import shlex
from importlib import resources
from pathlib import Path

import click
from ..outfile import OutputError, preflight, write_text
from .jsonmode import JsonCommand, fail, print_json

STARTER = "counter.mspec"
REFUSED = 2  # the exit status of a usage error


def _refuse(message: str, hint: str | None = None) -> None:
    fail(message, hint, REFUSED, code="refused")


def starter_text() -> str:
    return resources.files("movspec.cli").joinpath("templates/starter.mspec").read_text(encoding="utf-8")


def _existing_models(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.suffix == ".mspec")
    except OSError:  # missing (it will be created) or unreadable (writing will say why)
        return []


@click.command("init", cls=JsonCommand)
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the file written, its variants and the next commands as JSON on stdout; errors too.")
def init_cmd(directory: Path, as_json: bool) -> None:
    """Write a starter model into DIRECTORY (default: the current directory).

    One file, counter.mspec: two CPUs counting events in a shared counter, with a variant
    that uses an atomic increment (every property holds) and one that loads and stores
    separately (an update can be lost), and the expected verdict of each. `movspec check
    DIRECTORY` then checks both, all as expected.

    Nothing is overwritten: a DIRECTORY that already holds a .mspec file is refused.

    \b
    Exit status: 0 written; 2 refused (a model is already there) or the file cannot be written.
    """
    target = directory / STARTER
    if target.exists() or target.is_symlink():
        _refuse(f"{target} already exists; movspec init never overwrites a file",
                "move it away, or give another directory: movspec init DIR")
    existing = _existing_models(directory)
    if existing:
        names = ", ".join(p.name for p in existing[:3]) + (", ..." if len(existing) > 3 else "")
        _refuse(f"{directory} already holds a model ({names}); a starter there would be a second "
                "`model` header", "give an empty or new directory: movspec init DIR")
    text = starter_text()
    try:
        preflight(target)
        write_text(target, text)
    except OutputError as e:
        _refuse(str(e))
    shown = shlex.quote(str(directory))
    steps = [(f"movspec check {shown}", "both variants, against their expectations"),
             (f"movspec explain plain_increment NoLostUpdate {shown}", "the lost update, step by step")]
    if as_json:
        from ..load import load_text
        print_json({"ok": True, "directory": str(directory), "written": str(target),
                    "variants": list(load_text(text, str(target)).models),
                    "next": [{"command": c, "does": d} for c, d in steps]})
        return
    click.echo(f"wrote {target}: a starter model with a correct and a buggy variant")
    click.echo("next steps:")
    width = max(len(c) for c, _ in steps) + 2
    for c, d in steps:
        click.echo(f"  {c:<{width}}{d}")


commands = [init_cmd]
