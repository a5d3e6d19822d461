"""The builtin back end's entry point: compile, search, then the checks on the state graph.

``check(model, ...) -> CheckResult`` (backend ``"builtin"``) decides every property of one
variant:

1. safety (invariants, assertions, module calls, deadlock, ``TypeOK``) by the breadth-first
   search of ``explore.search``, with symmetry reduction when asked for and sound;
2. when the model has ``leadsto``, refinement or inductive properties and the search was
   complete, the reachable graph without symmetry (``explore.graph``) is explored once and
   handed to ``liveness`` and to ``proofs`` (refinement, reachability of counterexamples to
   induction), the way TLC's workers feed its liveness checker.

A search that was cut short leaves those properties undecided (INCOMPLETE with the reason);
an evaluation error decides every property still open as ERROR, with the error's trace (TLC
stops the same way). Never HOLDS.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Callable

from ..gcpause import gc_paused
from ..ir import nodes as ir
from ..ir.lower import lower_functions
from ..ir.symmetry import symmetric_consts, symmetry_off_reason
from ..result import CheckResult, PropertyResult, Verdict
from .compile import Compiled, compile_model
from .graph import StateGraph, explore_graph
from .domains import CompileError, EvalError
from .liveness import check_liveness
from .proofs import proof_properties, with_proofs
from .search import BACKEND, Budget, Progress, Search


def error_result(model: ir.Model, message: str, *, symmetry: bool = False) -> CheckResult:
    """A result saying the model could not be checked at all."""
    props = tuple(PropertyResult(n, model.property_kind(n), Verdict.ERROR, message) for n in model.property_names)
    return CheckResult(model.name, model.variant, BACKEND, props, complete=False, reason="error",
                       error=message, symmetry=symmetry)


class _SharedGraph:
    """The reachable graph without symmetry, explored at most once per check."""

    def __init__(self, model: ir.Model, comp: Compiled | None, max_states: int | None):
        self.model, self.comp, self.max_states = model, comp, max_states
        self._graph: StateGraph | None = None

    def get(self) -> StateGraph:
        if self._graph is None:
            self._graph = explore_graph(self.model, max_states=self.max_states, comp=self.comp)
        return self._graph


@gc_paused()  # millions of state tuples, no garbage cycles: a collection would find nothing
def check(model: ir.Model, *, symmetry: bool = True, max_states: int | None = None,
          max_depth: int | None = None, timeout: float | None = None, max_memory: int | None = None,
          progress: Callable[[Progress], None] | None = None, first: bool = False,
          phase: Callable[[str], None] | None = None, fingerprints: bool = False) -> CheckResult:
    """Check every property of ``model`` with the embedded checker. ``first``: stop at the
    first violation, for a red-or-green answer (the properties not decided by then are
    INCOMPLETE). ``fingerprints``: the search keeps 64-bit fingerprints instead of exact
    states (``explore.visited``; the stats then carry the collision bound). ``phase``, for a
    progress display, is called with what the check does next:
    ``"exploring"`` (the search; ``progress`` reports on it), then, when there are such
    properties, ``"liveness"``, ``"refinement"``, ``"inductive"`` or ``"refinement and
    inductive"``.

    The two halves, ``check_safety`` then ``check_on_graph``, may run apart (in two worker
    processes: ``movspec check --jobs``); the result is the same."""
    t0 = time.perf_counter()
    lowered, comp, result = _search(model, symmetry=symmetry, max_states=max_states, max_depth=max_depth,
                                    timeout=timeout, max_memory=max_memory, progress=progress, first=first,
                                    phase=phase, fingerprints=fingerprints)
    if comp is None:
        return result
    result = _on_graph(lowered, comp, result, max_states=max_states, timeout=timeout, phase=phase,
                       symmetry=symmetry)
    return _finish(model, lowered, result, symmetry, time.perf_counter() - t0)


@gc_paused()
def check_safety(model: ir.Model, *, symmetry: bool = True, max_states: int | None = None,
                 max_depth: int | None = None, timeout: float | None = None, max_memory: int | None = None,
                 progress: Callable[[Progress], None] | None = None, first: bool = False,
                 phase: Callable[[str], None] | None = None, fingerprints: bool = False) -> CheckResult:
    """The first half of ``check``: the search, every property but those decided on the
    graph (``needs_graph``) decided; hand the result to ``check_on_graph`` (same options)."""
    t0 = time.perf_counter()
    _, comp, result = _search(model, symmetry=symmetry, max_states=max_states, max_depth=max_depth,
                              timeout=timeout, max_memory=max_memory, progress=progress, first=first,
                              phase=phase, fingerprints=fingerprints)
    if comp is None:
        return result
    return replace(result, stats=replace(result.stats, seconds=time.perf_counter() - t0))


def needs_graph(model: ir.Model, safety: CheckResult) -> bool:
    """Whether ``check_on_graph`` has work to do after ``safety`` (``check_safety``'s result):
    ``leadsto``, refinement or inductive properties, and a complete search without error.
    Otherwise it only finishes the result, at no cost."""
    has = any(isinstance(p, ir.LeadsTo) for p in model.properties) or bool(proof_properties(model))
    return has and safety.complete and not safety.error


@gc_paused()
def check_on_graph(model: ir.Model, safety: CheckResult, *, symmetry: bool = True,
                   max_states: int | None = None, timeout: float | None = None,
                   phase: Callable[[str], None] | None = None, **_search_options) -> CheckResult:
    """The second half of ``check``: ``safety`` (``check_safety``'s result, same options)
    with the liveness, refinement and inductive properties decided on the reachable graph
    (compiled again here, without symmetry). The seconds are both halves'."""
    if safety.reason == "error":
        return safety  # the model could not be compiled (``error_result``)
    t0 = time.perf_counter()
    lowered = lower_functions(model)
    result = _on_graph(lowered, None, safety, max_states=max_states, timeout=timeout, phase=phase,
                       symmetry=symmetry)
    return _finish(model, lowered, result, symmetry, safety.stats.seconds + time.perf_counter() - t0)


def _search(model: ir.Model, *, symmetry, max_states, max_depth, timeout, max_memory, progress, first,
            phase, fingerprints) -> tuple[ir.Model, Compiled | None, CheckResult]:
    """``model`` with its functions inlined (the states of PlusCal's procedures), its
    compilation and the search's result; no compilation and an error result when the model
    cannot be compiled."""
    lowered = lower_functions(model)
    try:
        comp = compile_model(lowered, symmetry=symmetry)
    except (CompileError, EvalError) as err:
        return lowered, None, error_result(lowered, f"the builtin checker cannot check this model: {err}",
                                           symmetry=symmetry)
    search = Search(comp, Budget(max_states, max_depth, timeout, max_memory), progress,
                    check_deadlock=not model.allow_deadlock, symmetry=symmetry and comp.canon is not None,
                    first=first, fingerprints=fingerprints)
    (phase or (lambda _: None))("exploring")
    return lowered, comp, search.run()


def _on_graph(model: ir.Model, comp: Compiled | None, result: CheckResult, *, max_states, timeout,
              phase, symmetry: bool) -> CheckResult:
    say = phase or (lambda _: None)
    # the graph reuses the search's compilation when there is one (symmetry adds only
    # ``canon``, which it does not call); it is explored only if a property needs it
    graph = _SharedGraph(model, comp, max_states)
    live = {p.name for p in model.properties if isinstance(p, ir.LeadsTo)}
    proofs = {p.name for p in proof_properties(model)}
    undecided = live | proofs
    try:
        if result.complete and not result.error and live:
            say("liveness")
        result = _with_liveness(model, result, graph, symmetry)
        undecided = proofs
        kinds = [k for k, t in (("refinement", ir.Refinement), ("inductive", ir.Inductive))
                 if any(isinstance(p, t) for p in proof_properties(model))]
        if kinds and result.complete and not result.error:
            say(" and ".join(kinds))
        result = _with_proofs(model, result, graph, max_states, timeout)
    except KeyboardInterrupt:
        # Ctrl-C in a check on the graph: what was decided stands, the rest is left
        # undecided and no further check runs
        result = replace(result, complete=False, reason="interrupted", properties=tuple(
            replace(p, verdict=Verdict.INCOMPLETE, message="interrupted", trace=None) if p.name in undecided else p
            for p in result.properties))
    return result


def _finish(source: ir.Model, model: ir.Model, result: CheckResult, symmetry: bool,
            seconds: float) -> CheckResult:
    # the flag says whether reduction was asked for and possible, as TLC's backend reports it;
    # compile time is part of what the user waits for
    off = symmetry_off_reason(model) if symmetry else None
    sym_on = symmetry and off is None and any(c.symmetric and c.atoms for c in model.consts)
    if source.functions:
        result = replace(result, coverage=source_coverage(source, result.coverage))
    return replace(result, symmetry=sym_on, symmetry_note=off,
                   stats=replace(result.stats, seconds=seconds))


def source_coverage(source: ir.Model, coverage) -> tuple[tuple[str, int], ...]:
    """Step coverage of the model with its functions inlined, told on ``source``'s steps: an
    actor's own steps as ``actor.step``, a function's as ``function.step`` summed over its
    callers and its copies per return site (``f.s#2``), as TLC counts the procedure's labels."""
    totals = {f"{a.name}.{s.name}": 0 for a in source.actors for s in a.steps}
    totals.update({f"{f.name}.{s.name}": 0 for f in source.functions for s in f.steps})
    for key, n in coverage:
        if key in totals:
            totals[key] += n
            continue
        _actor, _, step = key.partition(".")
        step = re.sub(r"#\d+$", "", step)
        if step in totals:
            totals[step] += n
    return tuple(totals.items())


def _undecided(result: CheckResult, names: set[str]) -> CheckResult:
    why = f"not checked: the search was cut short ({result.reason})"
    return replace(result, properties=tuple(
        replace(p, verdict=Verdict.INCOMPLETE, message=why, trace=None) if p.name in names else p
        for p in result.properties))


def _with_proofs(model: ir.Model, result: CheckResult, graph: _SharedGraph, max_states: int | None,
                 timeout: float | None) -> CheckResult:
    """Decide refinements and inductive invariants (``proofs``): the search does not, so they
    are never left with its default verdict."""
    names = {p.name for p in proof_properties(model)}
    if not names or result.error:
        return result
    if not result.complete:
        return _undecided(result, names)
    return with_proofs(model, result, graph=graph.get(), max_states=max_states, timeout=timeout)


def _with_liveness(model: ir.Model, result: CheckResult, graph: _SharedGraph, symmetry: bool) -> CheckResult:
    """Decide the ``leadsto`` properties on the graph without symmetry (fairness is per
    process, which a permutation would move). With ``symmetry`` asked for and sound (the sets
    the search reduces by), a binding over those sets is checked once per orbit."""
    props = [p for p in model.properties if isinstance(p, ir.LeadsTo)]
    if not props or result.error:
        return result
    if not result.complete:
        return _undecided(result, {p.name for p in props})
    sets = tuple(c.name for c in symmetric_consts(model)) if symmetry else ()
    decided = check_liveness(model, props, graph.get(), symmetric=sets)
    merged = tuple(decided.get(p.name, p) if p.kind == "leadsto" else p for p in result.properties)
    complete = result.complete and all(p.verdict is not Verdict.INCOMPLETE for p in decided.values())
    return replace(result, properties=merged, complete=complete,
                   reason=result.reason if complete or result.reason else "liveness check incomplete")
