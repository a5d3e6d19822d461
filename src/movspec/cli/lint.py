"""CLI commands: lint (check a model, report every diagnostic) and show (print one variant
resolved, after its deltas, in DSL form)."""

from __future__ import annotations

import json
import sys

import click

from ..ir.printer import model_str
from ..load import load
from .common import (DEFAULT_SPEC, complete_variants, exit_status, load_or_exit, render_diagnostics, require_paths,
                     stderr_console, usage_error)
from .jsonmode import JsonCommand


@click.command("lint", cls=JsonCommand, epilog=exit_status("no errors", "errors (with --strict: or warnings)"))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print diagnostics as JSON on stdout.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit status 1).")
@click.option("--verbose", "-v", is_flag=True,
              help="Also print notes: what the model means where it is silent (a local's starting value).")
def lint_cmd(paths: tuple[str, ...], as_json: bool, strict: bool, verbose: bool) -> None:
    """Check the model in PATHS (files or directories; default: spec/).

    Parses every .mspec file, resolves every variant and runs the semantic checks (names,
    types, label rules, variant deltas, expectations). Exits 1 if any error is found.
    """
    require_paths(paths)
    result = load(list(paths) or [DEFAULT_SPEC])
    failed = not result.ok or (strict and bool(result.warnings))
    if as_json:
        doc = {
            "ok": not failed,
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "variants": list(result.models) if result.ok else [],
            "diagnostics": [d.to_json() for d in result.diagnostics],
            "notes": [d.to_json() for d in result.notes],
        }
        click.echo(json.dumps(doc, indent=2, sort_keys=True))
    else:
        err = stderr_console()
        shown = result.diagnostics
        if verbose:
            key = lambda d: (d.span.file, d.span.line, d.span.col) if d.span else ("", 0, 0)  # noqa: E731
            shown = sorted(result.diagnostics + result.notes, key=key)
        render_diagnostics(shown, result.sources, err)
        if result.ok and failed:
            n = len(result.warnings)
            err.print(f"--strict: the {n} warning{'s' if n != 1 else ''} count{'' if n != 1 else 's'} as errors")
        elif result.ok:
            n = len(result.models)
            click.echo(f"ok: {n} variant{'s' if n != 1 else ''} ({', '.join(result.models)})")
    sys.exit(1 if failed else 0)


@click.command("show", cls=JsonCommand, epilog=exit_status("the variant was printed", "the model has errors"))
@click.argument("variant", shell_complete=complete_variants)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True,
              help="Print the variant's outline as JSON: constants, variables, actors and their steps, "
                   "properties and expectations, with their source locations, and the resolved text.")
def show_cmd(variant: str, paths: tuple[str, ...], as_json: bool) -> None:
    """Print VARIANT of the model in PATHS (default: spec/) as resolved: deltas applied,
    macros and definitions expanded, in DSL form."""
    result = load_or_exit(list(paths))
    model = result.models.get(variant)
    if model is None:
        from ..diagnostics import did_you_mean

        hint = did_you_mean(variant, result.models) or f"variants: {', '.join(result.models)}"
        usage_error(f"no variant `{variant}`", hint)
    if as_json:
        click.echo(json.dumps(model_outline(model), indent=2, sort_keys=True, ensure_ascii=False))
        return
    click.echo(model_str(model), nl=False)


def _where(node) -> dict | None:
    span = getattr(node, "span", None)
    return {"file": span.file, "line": span.line, "col": span.col} if span else None


def model_outline(model) -> dict:
    """One variant as JSON: what ``show`` prints, and its parts with their source locations."""
    return {
        "model": model.name, "variant": model.variant, "base": model.base,
        "description": model.description, "source": model.source,
        "constants": [{"name": c.name, "atoms": list(c.atoms) if c.atoms is not None else None,
                       "value": c.value if c.atoms is None else None, "symmetric": c.symmetric,
                       "at": _where(c)} for c in model.consts],
        "variables": [{"name": v.name, "type": str(v.type), "at": _where(v)} for v in model.vars],
        "actors": [{"name": a.name, "processes": list(model.procs(a)),
                    "locals": [{"name": loc.name, "type": str(loc.type)} for loc in a.locals],
                    "steps": [{"name": s.name, "anchor": s.anchor, "at": _where(s)} for s in a.steps],
                    "at": _where(a)} for a in model.actors],
        "properties": [{"name": n, "kind": model.property_kind(n), "at": _where(model.get_property(n))}
                       for n in model.property_names],
        "expectations": [{"verdict": e.verdict, "properties": list(e.properties) or "all", "at": _where(e)}
                         for e in model.expectations],
        "allow_deadlock": model.allow_deadlock,
        "text": model_str(model),
    }


commands: list[click.Command] = [lint_cmd, show_cmd]
