"""Refinements and inductive invariants in a check result.

``with_proofs(model, result, ...) -> CheckResult`` decides the ``ir.Refinement`` and
``ir.Inductive`` properties of ``model`` (``explore.refinement``, ``explore.inductive``) and puts
their verdicts into ``result`` (a ``CheckResult`` of any back end for the same model), in
place of whatever it holds for them, in ``model.property_names`` order. The reachable graph is
explored once (no symmetry) and shared: refinement is decided on it, and it tells whether a
counterexample to induction is reachable. ``result`` is returned unchanged when the model has
no such property or could not be checked at all.

An INCOMPLETE verdict here (a budget) makes the result incomplete, with the reason.
"""

from __future__ import annotations

from dataclasses import replace

from ..ir import nodes as ir
from ..result import CheckResult, PropertyResult, Verdict
from .inductive import DEFAULT_MAX_STATES, check_inductive
from .refinement import check_refinements
from .graph import StateGraph, explore_graph


def proof_properties(model: ir.Model) -> list:
    return [p for p in model.properties if isinstance(p, (ir.Refinement, ir.Inductive))]


def decide_proofs(model: ir.Model, *, graph: StateGraph | None = None, max_states: int | None = None,
                  inductive_states: int | None = DEFAULT_MAX_STATES,
                  timeout: float | None = None) -> dict[str, PropertyResult]:
    props = proof_properties(model)
    if not props:
        return {}
    g = graph or explore_graph(model, max_states=max_states)
    out = check_refinements(model, g)
    out.update(check_inductive(model, max_states=inductive_states, timeout=timeout, graph=g))
    return out


def with_proofs(model: ir.Model, result: CheckResult, **kw) -> CheckResult:
    if result.error or not proof_properties(model):
        return result
    decided = decide_proofs(model, **kw)
    props = {p.name: p for p in result.properties}
    props.update(decided)
    order = list(model.property_names) + [n for n in props if n not in model.property_names]
    merged = tuple(props[n] for n in order if n in props)
    incomplete = [p for p in decided.values() if p.verdict is Verdict.INCOMPLETE]
    if incomplete and result.complete:
        return replace(result, properties=merged, complete=False,
                       reason=f"{incomplete[0].name}: {incomplete[0].message}")
    return replace(result, properties=merged)
