"""CLI commands: check.

``movspec check [PATHS] [--variant V] [--backend builtin|tlc|both|auto] [--first]``: check every
variant (or the named ones), print the variant x property matrix and the counterexamples,
and exit non-zero when a verdict does not meet the model's ``expect`` lines, a check failed,
or (``--backend both``) the two back ends disagree.
"""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console
from rich.text import Text

from .. import api
from .common import complete_properties, complete_variants, exit_status, load_or_exit, stderr_console
from .distributed import distributed_settings, print_join, tlc_distributed_options
from .jsonmode import JsonCommand
from .progress import CheckProgress
from .results import report, select_models, shown_results
from .run import RunOptions, restore_sigterm, run_models, stop_on_sigterm
from .sizes import cache_options, const_options, open_cache
from .sweep import refuse_outputs, run_sweep
from .tlcimage import tlc_memory_option

BACKENDS = (api.AUTO, "builtin", "tlc", "both")


# ---------------------------------------------------------------------- TLC, lazily


def _tlc_status(jar: str | None) -> tuple[bool, str]:
    """Whether the TLC backend can run here, and which one or why not."""
    return api.tlc_status(jar)


def _tlc_configured(jar: str | None) -> bool:
    """Did the user set TLC up? (``api.tlc_configured``)"""
    return api.tlc_configured(jar)


def _write_outputs(results, models, json_path, junit_path, itf_dir, err: Console, sarif_path=None) -> None:
    """Write --json/--junit/--sarif/--itf; a file that cannot be written is a one-line error,
    exit 2 (each file is replaced atomically, so an old one is left intact)."""
    if not (json_path or junit_path or itf_dir or sarif_path):
        return
    from ..outfile import OutputError
    from ..report.outputs import write_outputs
    try:
        write_outputs(results, models, json_path=json_path, junit_path=junit_path, itf_dir=itf_dir,
                      sarif_path=sarif_path)
    except OutputError as exc:
        err.print(Text(f"error: {exc}", style="bold red"))
        sys.exit(2)


def _preflight_outputs(json_path, junit_path, itf_dir, err: Console, sarif_path=None) -> None:
    """Fail before checking when an output surely cannot be written (exit 2, one line)."""
    from ..outfile import OutputError, preflight
    try:
        for path in (json_path, junit_path, sarif_path):
            if path and path != "-":
                preflight(path)
        if itf_dir:
            preflight(itf_dir, directory=True)
    except OutputError as exc:
        err.print(Text(f"error: {exc}", style="bold red"))
        sys.exit(2)


# ---------------------------------------------------------------------- the command


@click.command("check", cls=JsonCommand, epilog=exit_status(
    "every verdict meets the model's `expect` lines", "a verdict does not, the model has errors, a check "
    "could not run, or --backend both finds a disagreement").replace(
        "130 interrupted.", "130 interrupted, 143 terminated (SIGTERM)."))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--variant", "-v", "variants", multiple=True, metavar="V", shell_complete=complete_variants,
              help="Check only this variant (repeatable). Default: every variant.")
@click.option("--property", "-p", "properties", multiple=True, metavar="NAME", shell_complete=complete_properties,
              help="Check only this property (repeatable; both back ends, like the properties of a TLC "
                   "cfg). TypeOK and the assertions in steps are always checked; Deadlock only when named.")
@click.option("--backend", "-b", type=click.Choice(BACKENDS), default="auto", show_default=True,
              help="builtin: the embedded checker; tlc: TLC; both: run both and fail on any "
                   "disagreement; auto: the embedded checker (TLC only when asked for).")
@const_options(sweep=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Builtin: check up to N variants at once, one process each (default: one per "
                   "core). Output order is unchanged.")
@click.option("--first", is_flag=True,
              help="Stop each variant's search at its first violation (both back ends; the properties "
                   "not decided by then are incomplete): a red-or-green answer for CI.")
@click.option("--fingerprints", is_flag=True,
              help="Builtin: keep a 64-bit fingerprint per state instead of the state itself "
                   "(less memory for wide states; a 'holds' is then only as sure as the "
                   "printed bound on the probability that two states were merged).")
@click.option("--max-states", type=click.IntRange(min=1), metavar="N",
              help="Stop after N distinct states (the result is then incomplete; both back ends).")
@click.option("--max-depth", type=click.IntRange(min=1), metavar="N",
              help="Explore at most N levels (the initial state is level 1; both back ends).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop each variant's search after this long (both back ends; TLC's Java is killed).")
@click.option("--max-memory", type=click.IntRange(min=16), metavar="MIB",
              help="Builtin: stop when resident memory exceeds this (default: 85% of what is free).")
@click.option("--no-symmetry", is_flag=True,
              help="Do not reduce by the sets declared `symmetric` (both back ends).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="TLC worker threads (with --tlc-distributed: threads of each worker JVM).")
@tlc_distributed_options
@click.option("--tlc-jar", type=click.Path(dir_okay=False), metavar="JAR",
              help="tla2tools.jar to run TLC with (else $MOVSPEC_TLA2TOOLS or the user cache).")
@tlc_memory_option
@cache_options
@click.option("--json", "json_path", metavar="[FILE]", is_flag=False, flag_value="-",
              help="Write the results as JSON to FILE; alone (or '-'): on stdout, as every command's --json.")
@click.option("--junit", "junit_path", metavar="FILE", help="Write JUnit XML for CI.")
@click.option("--sarif", "sarif_path", metavar="FILE",
              help="Write SARIF 2.1.0 for code scanning: each expectation not met, and each error, at its "
                   "DSL line (a violation at its failing step, with the counterexample as a code flow).")
@click.option("--itf", "itf_dir", metavar="DIR", help="Write each counterexample as an ITF trace.")
@click.option("--traces", type=click.Choice(["all", "unexpected", "none"]), default="unexpected",
              show_default=True, help="Which counterexamples to print.")
@click.option("--full", is_flag=True, help="Show whole states in counterexamples.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
def check_cmd(paths, variants, properties, backend, consts, sizes, jobs, first, fingerprints, max_states,
              max_depth, timeout,
              max_memory, no_symmetry, workers, tlc_distributed, tlc_host, tlc_port, tlc_jar, no_cache, cache_dir,
              json_path, junit_path, sarif_path, itf_dir, traces, full, quiet) -> None:
    """Model-check every variant of the model at PATHS (default: spec/).

    Prints the variant x property matrix, the counterexamples and what did not go as the
    model's `expect` lines say. With --sizes, checks every combination of sizes and prints,
    per property, the smallest sizes at which it is violated.
    """
    to_stdout = "-" in (json_path, junit_path, sarif_path)
    console = Console(stderr=to_stdout, highlight=False)
    err = stderr_console()
    if sizes:
        refuse_outputs(junit_path=junit_path, sarif_path=sarif_path, itf_dir=itf_dir)
    loaded = load_or_exit(paths, err, consts=consts + (sizes[0] if sizes else ()))
    models = select_models(loaded.models, variants, properties)
    _preflight_outputs(json_path, junit_path, itf_dir, err, sarif_path)
    dist = distributed_settings(tlc_distributed, tlc_host, tlc_port, threads=workers, backend=backend,
                                max_states=max_states, max_depth=max_depth)
    chosen = _choose_backend(backend, tlc_jar, console)
    print_join(console, dist, tlc_jar)
    budgets = api.Options(symmetry=not no_symmetry, max_states=max_states, max_depth=max_depth, timeout=timeout,
                          max_memory=max_memory * 2**20 if max_memory else None, first=first,
                          fingerprints=fingerprints, workers=workers, tlc_jar=tlc_jar, tlc_distributed=dist)
    opts = RunOptions(chosen, budgets, jobs=jobs or os.cpu_count() or 1, quiet=quiet,
                      consts=tuple(str(o) for o in consts))
    cache = open_cache(no_cache, cache_dir)
    if sizes:
        run_sweep(paths, loaded, sizes, consts, variants, properties, opts, cache, console, err, json_path)
        return
    terminated = stop_on_sigterm()
    with CheckProgress(console, not quiet) as progress:
        out = run_models(models, opts, console, progress, cache)
    restore_sigterm()
    failed = report(console, out, models, chosen, traces, full)
    shown = shown_results(out, chosen)
    _write_outputs(shown, models, json_path, junit_path, itf_dir, err, sarif_path)
    if out.interrupted:
        console.print(Text("interrupted: the results above are partial", style="yellow"))
        sys.exit(143 if terminated else 130)
    sys.exit(1 if failed else 0)


def _choose_backend(backend: str, tlc_jar, console: Console) -> str:
    chosen = api.backend_of(backend)
    if backend == api.AUTO:
        # the embedded checker, always: a configured TLC is used only when asked for, so that
        # setting $MOVSPEC_TLA2TOOLS never changes what a plain `movspec check` costs
        hint = ("; TLC is configured: --backend tlc, or --backend both to cross-check"
                if _tlc_configured(tlc_jar) else "")
        console.print(Text(f"backend: builtin (the embedded checker{hint})", style="dim"))
    else:
        console.print(Text(f"backend: {chosen}", style="dim"))
    if chosen in ("tlc", "both"):
        ok, why = _tlc_status(tlc_jar)
        if not ok:
            stderr_console().print(Text(f"error: the TLC backend is not available: {why}", style="bold red"))
            sys.exit(2)
    return chosen


commands: list[click.Command] = [check_cmd]
