"""The explore stage: the embedded explicit-state checker (the ``builtin`` back end).

Public API::

    check(model, *, symmetry=True, max_states=None, max_depth=None, timeout=None,
          max_memory=None, progress=None) -> CheckResult
    check_safety(model, **same) -> CheckResult; check_on_graph(model, that, **same)
                                                   # the same check in two halves
    explore_graph(model, *, max_states=None) -> StateGraph    # the reachable state graph
    compile_model(model, symmetry=True) -> Compiled            # the generated checker

``check`` is the entry point: ``compile`` turns the IR into Python source for one successor
function (plus invariant checks and symmetry canonicalisation), exec'd once per model;
``search`` runs the breadth-first search; ``graph`` explores the reachable graph once for
``liveness`` and ``proofs`` (``refinement``, ``inductive``); ``reference`` is a naive
tree-walking interpreter, the test oracle. Semantics: see ``movspec.ir.nodes``.
"""

from .compile import Compiled, compile_model
from .domains import CompileError, EvalError
from .check import check, check_on_graph, check_safety, needs_graph
from .graph import StateGraph, explore_graph
from .search import LIVENESS_NOT_CHECKED, Budget, Progress

__all__ = ["check", "check_safety", "check_on_graph", "needs_graph", "explore_graph", "compile_model", "Compiled", "StateGraph", "Progress", "Budget",
           "CompileError", "EvalError", "LIVENESS_NOT_CHECKED"]
