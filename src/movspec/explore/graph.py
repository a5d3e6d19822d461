"""The reachable state graph, for the checks that need more than a breadth-first search.

``explore_graph(model) -> StateGraph``: every reachable state and every step between states,
without symmetry reduction (fairness and refinement are per process). Liveness, refinement
and the reachability of counterexamples to induction all read one such graph; ``explore.check``
builds it once per variant and hands it to each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import nodes as ir
from .compile import Compiled, compile_model


@dataclass
class StateGraph:
    """The explored state graph. States are packed ints (decode with ``comp.dec`` and
    ``comp.layout.state``); ``edges[i]`` lists ``(j, sid)`` for every step from state ``i`` to
    state ``j`` (``comp.steps[sid]`` says which actor, process and step); ``init`` are the
    indexes of the initial states; ``complete`` is False when ``max_states`` cut it short.
    ``parent[j]`` is the state whose step first reached ``j`` in breadth-first order (-1 for
    an initial state) and ``depth[j]`` the length of the shortest path to ``j`` from an
    initial state: the breadth-first tree, as the exploration found it."""

    comp: Compiled
    states: list
    index: dict
    edges: list
    init: list
    complete: bool
    parent: list = field(default_factory=list)
    depth: list = field(default_factory=list)


def explore_graph(model: ir.Model, *, max_states: int | None = None,
                  comp: Compiled | None = None) -> StateGraph:
    """The full reachable state graph without symmetry reduction (breadth-first order).
    ``comp``: a compilation of ``model`` without symmetry to reuse."""
    comp = comp or compile_model(model, symmetry=False)
    states: list = []
    index: dict = {}
    for s in comp.init_states:
        if s not in index:
            index[s] = len(states)
            states.append(s)
    init = list(range(len(states)))
    parent = [-1] * len(states)
    depth = [0] * len(states)
    add_parent, add_depth = parent.append, depth.append
    edges: list = []
    cov = [0] * len(comp.steps)
    complete = True
    succ, dec = comp.succ_labeled, comp.dec
    look, add_state, add_row = index.get, states.append, edges.append
    n = len(states)
    i = 0
    out: list = []
    no_viol: list = []
    while i < n:
        s = states[i]
        succ(s, dec(s), out, no_viol, cov)
        no_viol.clear()
        row = []
        d = depth[i] + 1
        for t, sid in out:
            j = look(t)
            if j is None:
                if max_states is not None and n >= max_states:
                    complete = False
                    continue
                j = index[t] = n
                n += 1
                add_state(t)
                add_parent(i)
                add_depth(d)
            row.append((j, sid))
        out.clear()
        add_row(row)
        i += 1
    return StateGraph(comp, states, index, edges, init, complete, parent, depth)
