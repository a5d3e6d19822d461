"""Refinement checking with TLC: ``PROPERTY R`` with ``R == R_map!Spec`` and
``R_map == INSTANCE A WITH ...`` (``emit.refinement``).

Contract
--------
``check_refinements_tlc(model, *, backend=None, jar=None, timeout=None, keep_dir=None)
-> dict[name, PropertyResult]`` gives the verdict of every ``ir.Refinement`` of ``model``
(kind ``"refinement"``), one TLC run per refinement, in the setting the builtin checker uses
(``explore.refinement``): no symmetry reduction, no invariant, assertion or deadlock checks
(a failed ``assert`` lets its step complete, as in the builtin checker's graph), so both
explore the same state graph. TLC checks ``[][Next_A]_vars_A`` under the mapping as an action
property of every step and ``Init_A`` on every initial state; it stops at the first violation
in breadth-first order (one worker), so its counterexample is a shortest one, like the
builtin checker's. The counterexample is mapped back to DSL steps and states; its last step is
the offending one.

A TLC failure (no Java, a SANY error) is an ERROR verdict with TLC's message in user terms;
a run that ends without exploring everything (timeout, a budget, the bound past a TypeOK
violation: ``tlc.bounds``) is INCOMPLETE unless it found a violation.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from ..emit.module import EmitError, emit
from ..emit.refinement import with_refinements
from ..ir import nodes as ir
from ..explore.refinement import abstract_initial, init_message, mapped_state, step_message
from ..result import PropertyResult, Verdict
from . import bounds
from .backend import Backend, BackendUnavailable
from .select import select_backend
from .output import parse_state
from .values import ValueSyntaxError
from .errors import user_terms
from .session import TlcFailure, TlcSession
from .trace import TraceMapper

KIND = "refinement"


def check_refinements_tlc(model: ir.Model, *, backend: Backend | str | None = None,
                          jar: str | os.PathLike | None = None, timeout: float | None = None,
                          keep_dir: str | os.PathLike | None = None,
                          budget: bounds.Budget | None = None, bound: bool = True) -> dict[str, PropertyResult]:
    refs = [p for p in model.properties if isinstance(p, ir.Refinement)]
    if not refs:
        return {}

    def failed(msg: str) -> dict[str, PropertyResult]:
        return {r.name: PropertyResult(r.name, KIND, Verdict.ERROR, msg) for r in refs}

    try:
        be = backend if isinstance(backend, Backend) else select_backend(backend, jar=jar)
    except BackendUnavailable as exc:
        return failed(str(exc))
    try:
        em = emit(model)
        tla, modules, names = with_refinements(em)
    except EmitError as exc:
        return failed(f"error: {exc}")
    em = replace(em, tla=tla)
    if keep_dir is not None:
        Path(keep_dir).mkdir(parents=True, exist_ok=True)
        return _check_in(em, modules, names, refs, be, Path(keep_dir), timeout, failed, budget or bounds.Budget(), bound)
    with tempfile.TemporaryDirectory(prefix="movspec-refine-") as d:
        return _check_in(em, modules, names, refs, be, Path(d), timeout, failed, budget or bounds.Budget(), bound)


def _check_in(em, modules, names, refs, be, workdir: Path, timeout, failed, budget, bound) -> dict[str, PropertyResult]:
    deadline = None if timeout is None else time.monotonic() + timeout
    sess = TlcSession(em, be, workdir, deadline=deadline)
    for fname, text in modules.items():
        (workdir / fname).write_text(text)
    try:
        sess.translate()
    except (TlcFailure, BackendUnavailable) as exc:
        return failed(str(exc))
    except TimeoutError:
        return {r.name: PropertyResult(r.name, KIND, Verdict.INCOMPLETE, "TLC timed out") for r in refs}
    defs, constraints = bounds.definitions(em, budget)
    sess.append(defs)
    extra = bounds.cfg_lines(constraints, (bounds.MAX_STATES, bounds.MAX_DEPTH) + ((bounds.BOUND,) if bound else ()))
    mapper = TraceMapper(em)
    out: dict[str, PropertyResult] = {}
    for r in refs:
        prop = names[r.name]
        cfg = em.render_cfg(invariants=(), properties=(prop,), checks=(), symmetry=False, check_deadlock=False)
        cfg += extra
        try:
            res_out, res = sess.tlc(cfg, deadlock=False)
        except BackendUnavailable as exc:
            out[r.name] = PropertyResult(r.name, KIND, Verdict.ERROR, str(exc))
            continue
        if res.timed_out:
            out[r.name] = PropertyResult(r.name, KIND, Verdict.INCOMPLETE, "TLC timed out")
            continue
        viol = next((e for e in res_out.errors if e.kind in ("temporal", "other") and _is_property(e.message)), None)
        if viol is not None:
            states = viol.trace or _initial_state(viol.message)
            trace = mapper.trace(states) if states else None
            msg = _message(em.model, r, trace)
            out[r.name] = PropertyResult(r.name, KIND, Verdict.VIOLATED, msg, trace)
            continue
        bad = next((e for e in res_out.errors if e.kind in ("sany", "eval", "memory", "other", "assert",
                                                            "invariant", "deadlock", "temporal")), None)
        if bad is not None:
            out[r.name] = PropertyResult(r.name, KIND, Verdict.ERROR, str(sess.failure(res_out, bad, res)))
            continue
        cut = bounds.cut_reason(res_out.markers, budget)
        if cut is not None:
            out[r.name] = PropertyResult(r.name, KIND, Verdict.INCOMPLETE, f"refinement not decided: {cut}")
            continue
        if res_out.complete:
            out[r.name] = PropertyResult(r.name, KIND, Verdict.HOLDS,
                                         f"TLC: every step between the {res_out.distinct:,} reachable states "
                                         f"maps to a step of abstract {r.abstract.name} or a stutter")
        else:
            out[r.name] = PropertyResult(r.name, KIND, Verdict.INCOMPLETE,
                                         "TLC did not explore the whole state space: "
                                         + user_terms(res.output[-300:]))
    return out


def _message(model: ir.Model, r: ir.Refinement, trace) -> str:
    """The builtin checker's message, from the mapped states of the trace's last step."""
    generic = f"{r.name}: TLC reports that the mapped behaviour is not one of abstract {r.abstract.name}"
    if trace is None:
        return generic
    try:
        if len(trace.steps) == 1:
            return init_message(r, abstract_initial(model, r.abstract),
                                mapped_state(model, r, trace.steps[0].state))
        last = trace.steps[-1]
        who = last.proc if last.proc == last.actor else f"{last.actor}({last.proc})"
        return step_message(r, who, last.step, last.anchor, mapped_state(model, r, trace.steps[-2].state),
                            mapped_state(model, r, last.state))
    except Exception:  # noqa: BLE001 - a state TLC printed that the evaluator cannot read
        return generic


def _initial_state(message: str) -> list:
    """The state printed in TLC's "violated by the initial state" message (2108)."""
    head, _, rest = message.partition("\n")
    if "initial state" not in head or not rest.strip():
        return []
    try:
        return [parse_state("1: <Initial predicate>\n" + rest.strip("\n"))]
    except ValueSyntaxError:
        return []


def _is_property(message: str) -> bool:
    """TLC's words for a violated action property or implied initial predicate."""
    text = message.lower()
    return ("action property" in text or "is violated" in text or "temporal properties were violated" in text
            or "property" in text and "initial state" in text)


def with_refinements_tlc(model: ir.Model, result, **kw):
    """``result`` (a TLC ``CheckResult`` of ``model``) with its refinement verdicts decided by
    ``check_refinements_tlc`` (``kw`` passed on); other properties are left as they are."""
    from ..result import CheckResult

    assert isinstance(result, CheckResult)
    if result.error or not any(isinstance(p, ir.Refinement) for p in model.properties):
        return result
    decided = check_refinements_tlc(model, **kw)
    props = tuple(decided.get(p.name, p) for p in result.properties)
    props += tuple(v for k, v in decided.items() if result.property(k) is None)
    return replace(result, properties=props)
