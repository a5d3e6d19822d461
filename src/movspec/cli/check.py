"""CLI commands: check.

``movspec check [PATHS] [--variant V] [--backend builtin|tlc|both|auto] [--first]``: check every
variant (or the named ones), print the variant x property matrix and the counterexamples,
and exit non-zero when a verdict does not meet the model's ``expect`` lines, a check failed,
or (``--backend both``) the two back ends disagree.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import click
from rich.console import Console
from rich.text import Text

from ..expect import disagreements, mismatches
from ..ir.nodes import Model
from ..result import CheckResult, Verdict
from ..api import restrict_properties, unknown_properties
from ..diagnostics import did_you_mean
from .common import (complete_properties, complete_variants, exit_status, load_or_exit, stderr_console,
                     usage_error)
from .progress import CheckProgress
from .tlcimage import tlc_memory_option

BACKENDS = ("auto", "builtin", "tlc", "both")


# ---------------------------------------------------------------------- TLC, lazily


def _tlc_status(jar: str | None) -> tuple[bool, str]:
    """Whether the TLC backend can run here, and which one or why not."""
    from .. import tlc
    return tlc.available(jar) if jar else tlc.available()


def _tlc_configured(jar: str | None) -> bool:
    """Did the user set TLC up (jar given, in the environment or in the user cache, or a
    backend chosen)? Docker merely being reachable does not count."""
    if jar or os.environ.get("MOVSPEC_TLA2TOOLS") or os.environ.get("MOVSPEC_TLC_BACKEND"):
        return True
    from ..tlc.backend import find_jar
    return find_jar(None)[0] is not None


def _run_tlc(model: Model, *, jar, workers, timeout, symmetry, max_states=None, max_depth=None) -> CheckResult:
    from .. import tlc
    kw = dict(workers=workers, timeout=timeout, symmetry=symmetry, max_states=max_states, max_depth=max_depth)
    if jar:
        kw["jar"] = jar
    return tlc.check_model(model, **kw)


def _stop_on_sigterm() -> list:
    """SIGTERM stops a check the way Ctrl-C does (KeyboardInterrupt), so that TLC's Java is
    killed, scratch directories are removed and the outputs say what was left undecided.
    The returned list is non-empty once SIGTERM arrived."""
    got: list = []

    def handler(signum, frame):
        got.append(signum)
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (an embedding caller): leave it alone
        pass
    return got


def _restore_sigterm() -> None:
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:
        pass


def _interrupted_result(model: Model, backend: str, symmetry: bool) -> CheckResult:
    from ..result import PropertyResult
    props = tuple(PropertyResult(n, model.property_kind(n), Verdict.INCOMPLETE, "interrupted")
                  for n in model.property_names)
    return CheckResult(model.name, model.variant, backend, props, complete=False, reason="interrupted",
                       symmetry=symmetry)


# ---------------------------------------------------------------------- output


_PHASES = None  # where worker processes report their phases; set before they are forked


def _check_reporting(model: Model, options: dict) -> CheckResult:
    """In a worker process: the builtin check, each phase sent to the parent."""
    from ..explore import check as builtin_check

    queue = _PHASES
    say = (lambda phase: queue.put((model.variant, phase))) if queue is not None else None
    return builtin_check(model, phase=say, **options)


def _check_in_parallel(models: dict[str, Model], jobs: int, console: Console, quiet: bool,
                       options: dict, progress: CheckProgress) -> tuple[list[CheckResult], bool]:
    """The builtin checker on every variant, ``jobs`` processes at a time; results in the
    models' order. An interrupt stops the workers; the variants not finished are reported
    as interrupted (incomplete), not dropped. The phase of each running variant is shown (a
    live line each on a terminal, a line when it changes otherwise), each variant is reported
    when it finishes, and (not on a terminal) a line every few seconds says where each
    unfinished one is."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    global _PHASES
    ctx = multiprocessing.get_context("fork")
    done: dict[str, CheckResult] = {}
    phases: dict[str, tuple[str, float]] = {}
    interrupted = False
    _PHASES = ctx.SimpleQueue()
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(models)), mp_context=ctx)
    try:
        futures = {pool.submit(_check_reporting, model, options): name for name, model in models.items()}
        progress.note(f"checking {len(models)} variants, {min(jobs, len(models))} at a time (builtin)")
        pending = set(futures)
        t0 = last_beat = time.monotonic()
        while pending:
            finished, pending = wait(pending, timeout=min(progress.interval, 0.25), return_when=FIRST_COMPLETED)
            now = time.monotonic()
            while not _PHASES.empty():
                name, phase = _PHASES.get()
                if name in done or quiet:
                    continue
                phases[name] = (phase, now)
                progress.show(f"{name} (builtin)", phase)
                progress.note_only_piped(f"{name} (builtin): {phase}")
            for fut in finished:
                name = futures[fut]
                r = done[name] = fut.result()
                progress.hide(f"{name} (builtin)")
                if not quiet and console.is_terminal:
                    console.print(Text(f"  {name}: {r.stats.distinct:,} states, {r.stats.seconds:.1f}s", style="dim"))
                elif not quiet:
                    progress.note(f"{name} (builtin): {_done(r)} ({r.stats.seconds:.1f} s)")
                if r.reason == "interrupted":
                    interrupted = True
            if pending and not quiet and now - last_beat >= progress.interval:
                last_beat = now
                where = [f"{n} ({phases[n][0]}, {now - phases[n][1]:.0f} s)" if n in phases else f"{n} (waiting)"
                         for n in sorted(futures[f] for f in pending)]
                progress.note_only_piped(f"{len(done)} of {len(models)} variants done; {', '.join(where)}; "
                                         f"{now - t0:.0f} s in all")
    except KeyboardInterrupt:
        interrupted = True
        for p in list(getattr(pool, "_processes", {}).values()):
            p.terminate()
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        _PHASES = None
    results = [done.get(name) or _interrupted_result(model, "builtin", options["symmetry"])
               for name, model in models.items()]
    return results, interrupted


def _done(r: CheckResult) -> str:
    how = "done" if r.complete else f"stopped ({r.reason or 'incomplete'})"
    return f"{how}, {r.stats.distinct:,} distinct states"


def _print(console: Console, results, models, traces: str, full: bool) -> None:
    from ..report.terminal import print_results
    print_results(console, results, models, traces=traces, full=full)


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


def _print_comparison(console: Console, pairs) -> None:
    from rich import box
    from rich.table import Table
    t = Table(box=box.SIMPLE, title="builtin vs TLC", title_justify="left")
    # two-line headers keep the table within 80 columns beside a long variant name
    for c in ("variant", "builtin\ndistinct", "TLC\ndistinct", "builtin\ntime", "TLC\ntime", "agree"):
        t.add_column(c, justify="left" if c in ("variant", "agree") else "right",
                     no_wrap=c != "variant", overflow="fold")
    for b, r in pairs:
        ok = not disagreements(b, r)
        t.add_row(b.variant, f"{b.stats.distinct:,}", f"{r.stats.distinct:,}", f"{b.stats.seconds:.2f}s",
                  f"{r.stats.seconds:.2f}s", Text("yes", style="green") if ok else Text("NO", style="bold red"))
    console.print(t)


# ---------------------------------------------------------------------- the command


@click.command("check", epilog=exit_status(
    "every verdict meets the model's `expect` lines", "a verdict does not, the model has errors, a check "
    "could not run, or --backend both finds a disagreement").replace(
        "130 interrupted.", "130 interrupted, 143 terminated (SIGTERM)."))
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--variant", "-v", "variants", multiple=True, metavar="V", shell_complete=complete_variants,
              help="Check only this variant (repeatable). Default: every variant.")
@click.option("--property", "-p", "properties", multiple=True, metavar="NAME", shell_complete=complete_properties,
              help="Check only this property (repeatable; both back ends, like the properties of a TLC "
                   "cfg). TypeOK and the assertions in steps are always checked; Deadlock only when named.")
@click.option("--backend", "-b", type=click.Choice(BACKENDS), default="auto", show_default=True,
              help="builtin: the embedded checker; tlc: TLC; both: run both and fail on any "
                   "disagreement; auto: the embedded checker (TLC only when asked for).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Builtin: check up to N variants at once, one process each (default: one per "
                   "core). Output order is unchanged.")
@click.option("--first", is_flag=True,
              help="Stop each variant's search at its first violation (builtin; the properties "
                   "not decided by then are incomplete): a red-or-green answer for CI.")
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
              help="TLC worker threads.")
@click.option("--tlc-jar", type=click.Path(dir_okay=False), metavar="JAR",
              help="tla2tools.jar to run TLC with (else $MOVSPEC_TLA2TOOLS or the user cache).")
@tlc_memory_option
@click.option("--json", "json_path", metavar="FILE", help="Write the results as JSON ('-': stdout).")
@click.option("--junit", "junit_path", metavar="FILE", help="Write JUnit XML for CI.")
@click.option("--sarif", "sarif_path", metavar="FILE",
              help="Write SARIF 2.1.0 for code scanning: each expectation not met, and each error, at its "
                   "DSL line (a violation at its failing step, with the counterexample as a code flow).")
@click.option("--itf", "itf_dir", metavar="DIR", help="Write each counterexample as an ITF trace.")
@click.option("--traces", type=click.Choice(["all", "unexpected", "none"]), default="unexpected",
              show_default=True, help="Which counterexamples to print.")
@click.option("--full", is_flag=True, help="Show whole states in counterexamples.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
def check_cmd(paths, variants, properties, backend, jobs, first, max_states, max_depth, timeout, max_memory, no_symmetry,
              workers, tlc_jar, json_path, junit_path, sarif_path, itf_dir, traces, full, quiet) -> None:
    """Model-check every variant of the model at PATHS (default: spec/).

    Prints the variant x property matrix, the counterexamples and what did not go as the
    model's `expect` lines say.
    """
    to_stdout = "-" in (json_path, junit_path, sarif_path)
    console = Console(stderr=to_stdout, highlight=False)
    err = stderr_console()
    loaded = load_or_exit(paths, err)
    models: dict[str, Model] = dict(loaded.models)
    if variants:
        unknown = [v for v in variants if v not in models]
        if unknown:
            usage_error(f"no variant {', '.join(unknown)} (the model has: {', '.join(sorted(models))})",
                        did_you_mean(unknown[0], models))
        models = {v: models[v] for v in variants}
    if not models:
        usage_error("the model has no variant to check")
    if properties:
        unknown = unknown_properties(models, properties)
        if unknown:
            known = sorted({n for m in models.values() for n in m.property_names})
            usage_error(f"no property {', '.join(unknown)} in the variants checked (they have: {', '.join(known)})",
                        did_you_mean(unknown[0], known))
        models = {v: restrict_properties(m, properties) for v, m in models.items()}

    _preflight_outputs(json_path, junit_path, itf_dir, err, sarif_path)
    symmetry = not no_symmetry
    chosen = backend
    if backend == "auto":
        # the embedded checker, always: a configured TLC is used only when asked for, so that
        # setting $MOVSPEC_TLA2TOOLS never changes what a plain `movspec check` costs
        chosen = "builtin"
        hint = ("; TLC is configured: --backend tlc, or --backend both to cross-check"
                if _tlc_configured(tlc_jar) else "")
        console.print(Text(f"backend: builtin (the embedded checker{hint})", style="dim"))
    else:
        console.print(Text(f"backend: {chosen}", style="dim"))
    if chosen in ("tlc", "both"):
        ok, why = _tlc_status(tlc_jar)
        if not ok:
            err.print(Text(f"error: the TLC backend is not available: {why}", style="bold red"))
            sys.exit(2)

    from ..explore import check as builtin_check

    results: list[CheckResult] = []
    pairs: list[tuple[CheckResult, CheckResult]] = []
    interrupted = False
    partial: list[CheckResult] = []  # --backend both: the half of a pair that an interrupt cut
    terminated = _stop_on_sigterm()
    with CheckProgress(console, not quiet) as progress:
        jobs = jobs or os.cpu_count() or 1
        parallel = chosen == "builtin" and jobs > 1 and len(models) > 1
        if parallel:
            progress.stop()
            results, interrupted = _check_in_parallel(models, jobs, console, quiet, dict(
                symmetry=symmetry, max_states=max_states, max_depth=max_depth, timeout=timeout,
                max_memory=max_memory * 2**20 if max_memory else None, first=first), progress)
        for name, model in ({} if parallel else models).items():
            current = "builtin"
            try:
                if chosen in ("builtin", "both"):
                    progress.start(f"{name} (builtin)")
                    b = builtin_check(model, symmetry=symmetry, max_states=max_states, max_depth=max_depth,
                                      timeout=timeout, max_memory=max_memory * 2**20 if max_memory else None,
                                      progress=progress.update, phase=progress.phase, first=first)
                    progress.stop(_done(b))
                    results.append(b)
                    if b.reason == "interrupted":
                        interrupted = True
                        partial.append(b)
                        break
                if chosen in ("tlc", "both"):
                    current = "tlc"
                    progress.start(f"{name} (TLC)", phase="running TLC")
                    t = _run_tlc(model, jar=tlc_jar, workers=workers, timeout=timeout, symmetry=symmetry,
                                 max_states=max_states, max_depth=max_depth)
                    progress.stop(_done(t))
                    if chosen == "both":
                        pairs.append((results[-1], t))
                    else:
                        results.append(t)
                    if t.reason == "interrupted":
                        interrupted = True
                        break
            except KeyboardInterrupt:
                interrupted = True
                progress.stop("interrupted")
                # the variant being checked is reported, as incomplete, not dropped
                cut = _interrupted_result(model, current, symmetry)
                if chosen == "both":
                    if current == "tlc":
                        pairs.append((results[-1], cut))
                    else:
                        partial.append(cut)
                else:
                    results.append(cut)
                break
    _restore_sigterm()

    if chosen == "both":
        shown = [b for b, _ in pairs] + [t for _, t in pairs] + partial
        for label, group in (("builtin", [b for b, _ in pairs]), ("TLC", [t for _, t in pairs])):
            console.rule(Text(label, style="bold"))
            _print(console, group, models, traces if label == "builtin" else "none", full)
        _print_comparison(console, pairs)
    else:
        shown = results
        _print(console, shown, models, traces, full)
    _write_outputs(shown, models, json_path, junit_path, itf_dir, err, sarif_path)

    failed = False
    problems = []
    for r in shown:
        model = models.get(r.variant)
        if model is not None:
            problems += [f"[{r.backend}] {m.message}" for m in mismatches(r, model)]
    if problems:
        failed = True
        console.print(Text("expectations not met:", style="bold red"))
        for p in problems:
            console.print(Text(f"  {p}"))
        if any("liveness is not checked" in p for p in problems):
            console.print(Text("  hint: the builtin checker does not check leadsto properties yet; "
                               "use --backend tlc for them", style="dim"))
    if chosen == "both":
        dis = [d for b, t in pairs for d in disagreements(b, t)]
        if dis:
            failed = True
            console.print(Text("the builtin checker and TLC disagree:", style="bold red"))
            for d in dis:
                console.print(Text(f"  {d}"))
        elif pairs:
            console.print(Text(f"builtin and TLC agree on {len(pairs)} variant{'s' if len(pairs) != 1 else ''}",
                               style="green"))
    if interrupted:
        console.print(Text("interrupted: the results above are partial", style="yellow"))
        sys.exit(143 if terminated else 130)
    sys.exit(1 if failed else 0)


commands: list[click.Command] = [check_cmd]
