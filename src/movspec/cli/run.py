"""Running the checks of ``movspec check``: every variant with the chosen back end(s), in
worker processes for the builtin checker, results from the result cache where the variant and
the settings did not change (``movspec.cache``), interrupts turned into incomplete results.

``run_models(models, options, console, progress, cache)`` returns an ``Outcome``: the results
in the models' order (for ``--backend both``, the builtin half; ``api.Referee`` pairs beside), whether the
run was interrupted, and which results came from the cache.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

from .. import api
from ..api import Options
from ..ir.nodes import Model
from ..result import CheckResult, Verdict
from .progress import CheckProgress


@dataclass
class RunOptions:
    backend: str  # builtin | tlc | both
    check: Options = field(default_factory=Options)  # the budgets and settings of each check
    jobs: int = 1
    quiet: bool = False
    consts: tuple[str, ...] = ()  # the --const values, as written after parsing (for the key)

    def settings(self, backend: str) -> dict:
        """What besides the model decides a result: the cache key's settings."""
        return {**self.check.settings(backend), "consts": list(self.consts)}


@dataclass
class Outcome:
    results: list[CheckResult] = field(default_factory=list)
    pairs: list[api.Referee] = field(default_factory=list)  # --backend both: each variant's two results
    partial: list[CheckResult] = field(default_factory=list)  # --backend both: the half an interrupt cut
    interrupted: bool = False
    cached: list[tuple[str, str]] = field(default_factory=list)  # (variant, backend) taken from the cache


# ---------------------------------------------------------------------- signals and interrupts


def stop_on_sigterm() -> list:
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


def restore_sigterm() -> None:
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:
        pass


def interrupted_result(model: Model, backend: str, symmetry: bool) -> CheckResult:
    from ..result import PropertyResult
    props = tuple(PropertyResult(n, model.property_kind(n), Verdict.INCOMPLETE, "interrupted")
                  for n in model.property_names)
    return CheckResult(model.name, model.variant, backend, props, complete=False, reason="interrupted",
                       symmetry=symmetry)


def done_text(r: CheckResult) -> str:
    how = "done" if r.complete else f"stopped ({r.reason or 'incomplete'})"
    return f"{how}, {r.stats.distinct:,} distinct states"


_PHASES = None  # where worker processes report their phases; set before they are forked


def _reporter(model: Model):
    queue = _PHASES
    return (lambda phase: queue.put((model.variant, phase))) if queue is not None else None


def _safety_reporting(model: Model, options: Options) -> CheckResult:
    """In a worker process: the first half of the builtin check (the search), each phase
    sent to the parent."""
    return api.check_builtin_safety(model, options, phase=_reporter(model))


def _graph_reporting(model: Model, safety: CheckResult, options: Options) -> CheckResult:
    """In a worker process: the second half (the checks on the reachable graph)."""
    return api.check_builtin_on_graph(model, safety, options, phase=_reporter(model))


def _worker_signals() -> None:
    """In a worker process: Ctrl-C is the parent's to handle (it stops the workers), and
    SIGTERM ends the worker at once. Without this, a worker inherits the parent's SIGTERM
    handler and a terminate() became a KeyboardInterrupt that a check could outlive."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _check_in_parallel(models: dict[str, Model], jobs: int, console: Console, quiet: bool,
                       options: Options, progress: CheckProgress, store) -> tuple[list[CheckResult], bool]:
    """The builtin checker on every variant, ``jobs`` processes at a time; results in the
    models' order. Each variant is checked in two halves (``api.check_builtin_safety``, then,
    when there is liveness, refinement or an inductive invariant, ``api.check_builtin_on_graph``),
    each a task for the next free worker: the searches first, in the models' order, then the
    checks on the graph, the largest search first, so that the longest task does not start
    last. An interrupt stops the workers; the variants not finished are reported as
    interrupted (incomplete), not dropped. The phase of each running variant is shown (a live
    line each on a terminal, a line when it changes otherwise), each variant is reported when
    it finishes, and (not on a terminal) a line every few seconds says where each unfinished
    one is. ``store(result)`` is called as each finishes."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    global _PHASES
    ctx = multiprocessing.get_context("fork")
    done: dict[str, CheckResult] = {}
    phases: dict[str, tuple[str, float]] = {}
    interrupted = False
    order = {name: k for k, name in enumerate(models)}
    searches = list(models)  # the variants whose search is still to start
    on_graph: list[tuple[int, int, str, CheckResult]] = []  # (-distinct, order, name, search result)
    futures: dict = {}
    _PHASES = ctx.SimpleQueue()
    workers = min(jobs, len(models))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_signals)

    def start_next() -> None:
        if searches:
            name = searches.pop(0)
            futures[pool.submit(_safety_reporting, models[name], options)] = ("search", name)
        elif on_graph:
            on_graph.sort()
            _, _, name, safety = on_graph.pop(0)
            futures[pool.submit(_graph_reporting, models[name], safety, options)] = ("graph", name)

    def finished_variant(name: str, r: CheckResult) -> None:
        nonlocal interrupted
        done[name] = r
        store(r)
        progress.hide(f"{name} (builtin)")
        if not quiet and console.is_terminal:
            console.print(Text(f"  {name}: {r.stats.distinct:,} states, {r.stats.seconds:.1f}s", style="dim"))
        elif not quiet:
            progress.note(f"{name} (builtin): {done_text(r)} ({r.stats.seconds:.1f} s)")
        if r.reason == "interrupted":
            interrupted = True

    try:
        for _ in range(workers):
            start_next()
        progress.note(f"checking {len(models)} variants, {workers} at a time (builtin)")
        t0 = last_beat = time.monotonic()
        while futures:
            finished, _ = wait(set(futures), timeout=min(progress.interval, 0.25), return_when=FIRST_COMPLETED)
            now = time.monotonic()
            while not _PHASES.empty():
                name, phase = _PHASES.get()
                if name in done or quiet:
                    continue
                phases[name] = (phase, now)
                progress.show(f"{name} (builtin)", phase)
                progress.note_only_piped(f"{name} (builtin): {phase}")
            for fut in finished:
                kind, name = futures.pop(fut)
                r = fut.result()
                if kind == "search" and api.needs_graph(models[name], r):
                    on_graph.append((-r.stats.distinct, order[name], name, r))
                else:
                    # a search with nothing left to decide is only finished (no cost)
                    finished_variant(name, api.check_builtin_on_graph(models[name], r, options)
                                     if kind == "search" else r)
                start_next()
            unfinished = [n for n in models if n not in done]
            if unfinished and not quiet and now - last_beat >= progress.interval:
                last_beat = now
                running = {n for _, n in futures.values()}
                where = [f"{n} ({phases[n][0]}, {now - phases[n][1]:.0f} s)" if n in phases and n in running
                         else f"{n} (waiting)" for n in sorted(unfinished)]
                progress.note_only_piped(f"{len(done)} of {len(models)} variants done; {', '.join(where)}; "
                                         f"{now - t0:.0f} s in all")
    except KeyboardInterrupt:
        interrupted = True
        for p in list(getattr(pool, "_processes", {}).values()):
            p.terminate()
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        _PHASES = None
    results = [done.get(name) or interrupted_result(model, "builtin", options.symmetry)
               for name, model in models.items()]
    return results, interrupted


# ---------------------------------------------------------------------- the run


def run_models(models: dict[str, Model], opts: RunOptions, console: Console, progress: CheckProgress,
               cache=None) -> Outcome:
    """Check ``models`` (see the module docstring), each variant with ``api.check_builtin`` /
    ``api.check_tlc``. ``cache``: a ``cache.ResultCache`` or None."""
    out = Outcome()
    backends = ("builtin", "tlc") if opts.backend == "both" else (opts.backend,)
    keys: dict[tuple[str, str], str | None] = {}
    hits: dict[tuple[str, str], CheckResult] = {}
    if cache is not None:
        from ..cache import variant_key
        for name, model in models.items():
            for be in backends:
                k = keys[name, be] = variant_key(model, be, opts.settings(be))
                r = cache.get(k)
                if r is not None and r.variant == name and r.backend == be:
                    hits[name, be] = r

    def store(r: CheckResult) -> None:
        if cache is not None:
            cache.put(keys.get((r.variant, r.backend)), r)

    def hit(name: str, be: str) -> CheckResult | None:
        r = hits.get((name, be))
        if r is not None:
            out.cached.append((name, be))
            if not opts.quiet:
                label = "TLC" if be == "tlc" else be
                progress.note(f"{name} ({label}): from the cache ({r.stats.distinct:,} distinct states, "
                              f"checked in {r.stats.seconds:.1f} s)")
        return r

    todo = {n: m for n, m in models.items() if (n, "builtin") not in hits}
    parallel = opts.backend == "builtin" and opts.jobs > 1 and len(todo) > 1
    if parallel:
        cached = {n: hit(n, "builtin") for n in models if n not in todo}
        progress.stop()
        got, out.interrupted = _check_in_parallel(todo, opts.jobs, console, opts.quiet, opts.check,
                                                  progress, store)
        fresh = dict(zip(todo, got))
        out.results = [cached.get(n) or fresh[n] for n in models]
        return out
    for name, model in models.items():
        current = "builtin"
        try:
            if opts.backend in ("builtin", "both"):
                b = hit(name, "builtin")
                if b is None:
                    progress.start(f"{name} (builtin)")
                    b = api.check_builtin(model, opts.check, progress=progress.update, phase=progress.phase)
                    progress.stop(done_text(b))
                    store(b)
                out.results.append(b)
                if b.reason == "interrupted":
                    out.interrupted = True
                    out.partial.append(b)
                    break
            if opts.backend in ("tlc", "both"):
                current = "tlc"
                t = hit(name, "tlc")
                if t is None:
                    progress.start(f"{name} (TLC)", phase="running TLC")
                    t = api.check_tlc(model, opts.check)
                    progress.stop(done_text(t))
                    store(t)
                if opts.backend == "both":
                    out.pairs.append(api.Referee(out.results[-1], t))
                else:
                    out.results.append(t)
                if t.reason == "interrupted":
                    out.interrupted = True
                    break
        except KeyboardInterrupt:
            out.interrupted = True
            progress.stop("interrupted")
            # the variant being checked is reported, as incomplete, not dropped
            cut = interrupted_result(model, current, opts.check.symmetry)
            if opts.backend == "both":
                if current == "tlc":
                    out.pairs.append(api.Referee(out.results[-1], cut))
                else:
                    out.partial.append(cut)
            else:
                out.results.append(cut)
            break
    return out
