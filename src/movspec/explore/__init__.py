"""The explore stage: the embedded explicit-state checker (the ``builtin`` back end).

Public API::

    check(model, *, symmetry=True, max_states=None, max_depth=None, timeout=None,
          max_memory=None, progress=None) -> CheckResult
    explore_graph(model, *, max_states=None) -> StateGraph    # the reachable state graph
    compile_model(model, symmetry=True) -> Compiled            # the generated checker

``compile`` turns the IR into Python source for one successor function (plus invariant
checks and symmetry canonicalisation), exec'd once per model; ``search`` runs the
breadth-first search; ``reference`` is a naive tree-walking interpreter used as the test
oracle. Semantics: see ``movspec.ir.nodes``.
"""

from .compile import Compiled, compile_model
from .layout import CompileError, EvalError
from .search import LIVENESS_NOT_CHECKED, Budget, Progress, StateGraph, check, explore_graph

__all__ = ["check", "explore_graph", "compile_model", "Compiled", "StateGraph", "Progress", "Budget",
           "CompileError", "EvalError", "LIVENESS_NOT_CHECKED"]
