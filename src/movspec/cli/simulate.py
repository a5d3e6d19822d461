"""CLI command: simulate.

``movspec simulate [PATHS] [--variant V] [--runs N] [--depth D] [--seed S]``: seeded random
walks through each variant (``explore.simulate``), for models too large to check exhaustively.
Violations are printed with their (minimized) counterexamples; nothing is ever reported as
holding. Exit 1 when a property expected to hold (``expect ... holds``) is found violated, or
the simulation met an evaluation error; 0 otherwise (a simulation cannot confirm a ``holds``,
and a ``violates`` it did not hit is not a failure: it may need a longer or luckier run).
"""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.text import Text

from ..expect import HOLDS, expected_verdict
from ..result import CheckResult, Verdict
from .common import complete_variants, exit_status, load_or_exit, stderr_console
from .jsonmode import JsonCommand
from .progress import CheckProgress


def _failures(result: CheckResult, model) -> list[str]:
    out = []
    for p in result.properties:
        if p.verdict is Verdict.ERROR:
            out.append(f"{result.variant}: {p.name}: error: {p.message or result.error}")
        elif p.verdict is Verdict.VIOLATED and expected_verdict(model, p.name) == HOLDS:
            steps = len(p.trace) - 1 if p.trace is not None else 0
            out.append(f"{result.variant}: {p.name}: expected to hold, but a random run violates it "
                       f"({steps}-step counterexample)")
    return out


@click.command("simulate", cls=JsonCommand, epilog=exit_status(
    "no property expected to hold was violated", "one was, a run met an evaluation error, or the model has errors"))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-v", "--variant", "variants", multiple=True, metavar="V", shell_complete=complete_variants,
              help="Simulate only this variant (repeatable). Default: every variant.")
@click.option("--runs", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Random runs per variant.")
@click.option("--depth", type=click.IntRange(min=1), default=100, show_default=True,
              help="Steps per run at most.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random choices.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop each variant's simulation after this long.")
@click.option("--no-minimize", is_flag=True, help="Report counterexamples as walked, not shortened.")
@click.option("--json", "json_path", metavar="[FILE]", is_flag=False, flag_value="-",
              help="Write the results as JSON to FILE; alone (or '-'): on stdout, as every command's --json.")
@click.option("--traces", type=click.Choice(["all", "unexpected", "none"]), default="all", show_default=True,
              help="Which counterexamples to print.")
@click.option("--full", is_flag=True, help="Show whole states in counterexamples.")
def simulate_cmd(paths, variants, runs, depth, seed, timeout, no_minimize, json_path, traces, full) -> None:
    """Random simulation of every variant of the model at PATHS (default: spec/).

    Finds violations in models too large to check exhaustively; a property it does not
    violate is reported incomplete, never as holding.
    """
    from ..api import simulate
    from ..report.terminal import print_results
    from .results import select_models

    console = Console(highlight=False, stderr=json_path == "-")
    err = stderr_console()
    loaded = load_or_exit(paths, err)
    models = select_models(loaded.models, variants, None)
    console.print(Text(f"simulation: {runs:,} runs of at most {depth} steps per variant, seed {seed}",
                       style="dim"))
    results = []
    with CheckProgress(Console(stderr=True, highlight=False)) as pr:
        for m in models.values():
            pr.start(f"{m.variant} (simulate)", "simulating")

            def said(p, pr=pr):
                pr.info([f"{p.runs:,} of {runs:,} runs, {p.steps:,} steps, {p.distinct:,} distinct states",
                         f"{p.runs:,}/{runs:,} runs  {p.distinct:,} states", f"{p.runs:,}/{runs:,}"])

            r = simulate(m, runs=runs, depth=depth, seed=seed, timeout=timeout, minimize=not no_minimize,
                         progress=said)
            pr.stop(f"done, {r.stats.distinct:,} distinct states")
            results.append(r)
    print_results(console, results, models, traces=traces, full=full)
    if json_path:
        from ..outfile import OutputError
        from ..report.outputs import write_outputs
        try:
            write_outputs(results, models, json_path=json_path)
        except OutputError as exc:
            err.print(Text(f"error: {exc}", style="bold red"))
            sys.exit(2)
    failures = [f for r in results for f in _failures(r, models[r.variant])]
    if failures:
        console.print(Text("not as expected:", style="bold red"))
        for f in failures:
            console.print(Text(f"  {f}"))
        sys.exit(1)


commands = [simulate_cmd]
