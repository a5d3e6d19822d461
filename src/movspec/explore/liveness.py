"""Liveness: ``leadsto`` properties under the actors' fairness, on the explored state graph.

Contract
--------
``check_liveness(model, props, graph=None) -> dict[name, PropertyResult]`` decides
``forall b in S: P ~> Q`` for every binding of the bound variables, with the meaning TLC gives
the emitted module: the behaviours are those of ``Init /\\ [][Next]_vars`` plus, per process
of a ``fair`` actor, ``WF_vars(step of that process)`` (``fair+``: ``SF_vars``). A process of
an actor without fairness may stop at any time, and any behaviour may stutter forever once no
fair process is enabled (this is how a finished or deadlocked run ends).

``P ~> Q`` is violated when some reachable state satisfies ``P /\\ ~Q`` and a fair behaviour
goes on from it through ``~Q`` states only. The search is the classic one on the graph:
restrict it to the ``~Q`` states, split that into strongly connected components, keep those
in which a fair cycle exists (every weakly fair process is taken in the component or disabled
somewhere in it; every strongly fair process is taken, or the component is cut down to the
states where it is disabled and searched again), plus the single states where every fair
process is disabled (stuttering). The counterexample is a lasso: the shortest path from an
initial state to a ``P /\\ ~Q`` state, a path inside ``~Q`` to a fair component, and a cycle
in it through one step of every fair process taken there (``Trace.loop_start`` is the index
of the state the cycle returns to; a cycle of no steps means the last state stutters).

Known limits: the graph is explored without symmetry reduction (fairness is per process,
which a permutation would move), and a graph cut short by ``max_states`` makes every
liveness verdict INCOMPLETE.
"""

from __future__ import annotations

from collections import deque
from itertools import product

from ..ir import nodes as ir
from ..ir.walk import literal, substitute
from ..result import PropertyResult, Trace, TraceStep, Verdict, diff_states
from .graph import StateGraph, explore_graph
from .layout import RUNTIME_ERRORS, error_text

def check_liveness(model: ir.Model, props: list[ir.LeadsTo], graph: StateGraph | None = None, *,
                   max_states: int | None = None) -> dict[str, PropertyResult]:
    """Decide ``props`` on ``graph``, the reachable graph of ``model`` without symmetry
    (``explore.graph``; explored here, up to ``max_states``, when not given). Both sides of
    every binding are compiled with the model, so evaluating them is as fast as the successor
    function."""
    if not props:
        return {}
    g = graph if graph is not None else explore_graph(model, max_states=max_states)
    if not g.complete:
        why = f"liveness needs the whole state graph; the search stopped at {len(g.states):,} states"
        return {p.name: PropertyResult(p.name, "leadsto", Verdict.INCOMPLETE, why) for p in props}
    lv = _Graph(model, g)
    out = {}
    for prop in props:
        try:
            out[prop.name] = lv.check(prop)
        except RUNTIME_ERRORS as err:
            out[prop.name] = PropertyResult(prop.name, "leadsto", Verdict.ERROR,
                                            f"cannot evaluate {prop.name}: {error_text(err)}")
    return out


def _bindings(g: StateGraph, prop: ir.LeadsTo) -> list[dict]:
    """Every assignment of values to the bound variables (their domains are constant)."""
    doms = []
    for var, dom in prop.bound:
        doms.append([(var, v) for v in sorted(g.comp.value(dom), key=repr)])
    return [dict(c) for c in product(*doms)] if doms else [{}]


def _bind(model: ir.Model, e, binding: dict):
    for var, v in binding.items():
        e = substitute(e, var, literal(model, v))
    return e


class _Graph:
    def __init__(self, model: ir.Model, g: StateGraph):
        self.model = model
        self.g = g
        comp = g.comp
        self.n = len(g.states)
        # which process each step id belongs to, and the fair processes
        self.proc_of = [(info.actor.name, info.proc) for info in comp.steps]
        self.fair: list[tuple[tuple[str, str], str]] = []
        for a in model.actors:
            if a.fairness:
                for p in model.procs(a):
                    self.fair.append(((a.name, p), a.fairness))
        # the processes enabled in each state: those with a step that changes the state
        # (a step that leaves every variable as it was is a stutter, as in <<A>>_vars)
        self.enabled: list[frozenset] = []
        for i, row in enumerate(g.edges):
            self.enabled.append(frozenset(self.proc_of[sid] for j, sid in row if j != i))
        self._parents: list[int] | None = None

    # -------------------------------------------------------------- evaluation
    def _plain(self, i: int) -> dict:
        comp = self.g.comp
        return comp.layout.state(comp.dec(self.g.states[i]))

    def check(self, prop: ir.LeadsTo) -> PropertyResult:
        bindings = _bindings(self.g, prop)
        comp = self.g.comp
        fns = [(comp.predicate(_bind(self.model, prop.p, b)), comp.predicate(_bind(self.model, prop.q, b)))
               for b in bindings]
        pvals = [[False] * self.n for _ in bindings]
        qvals = [[False] * self.n for _ in bindings]
        dec, states = comp.dec, self.g.states
        for i in range(self.n):
            W = dec(states[i])
            for k, (pf, qf) in enumerate(fns):
                q = qvals[k][i] = qf(W)
                if not q:
                    pvals[k][i] = pf(W)
        best = None
        for k, b in enumerate(bindings):
            found = self._violation(pvals[k], qvals[k])
            if found is not None and (best is None or _size(found) < _size(best[1])):
                best = (b, found)
        if best is None:
            return PropertyResult(prop.name, "leadsto", Verdict.HOLDS)
        b, (prefix, cycle) = best
        where = ", ".join(f"{k} = {v}" for k, v in b.items())
        msg = (f"{prop.name}{' (' + where + ')' if where else ''}: a state satisfying the left side is "
               f"followed by a fair behaviour in which the right side never holds")
        return PropertyResult(prop.name, "leadsto", Verdict.VIOLATED, msg, self._trace(prefix, cycle))

    # -------------------------------------------------------------- search
    def _violation(self, P: list[bool], Q: list[bool]):
        n = self.n
        inN = [not q for q in Q]
        fair_nodes, witness = self._fair_components(inN)
        if not fair_nodes:
            return None
        # states of ~Q from which a fair component is reachable inside ~Q
        good = bytearray(n)
        rev: list[list[int]] = [[] for _ in range(n)]
        for i in range(n):
            if inN[i]:
                for j, _ in self.g.edges[i]:
                    if inN[j]:
                        rev[j].append(i)
        dq = deque()
        for i in fair_nodes:
            good[i] = 1
            dq.append(i)
        while dq:
            j = dq.popleft()
            for i in rev[j]:
                if not good[i]:
                    good[i] = 1
                    dq.append(i)
        # the shallowest P /\ ~Q state that can go on forever in ~Q: states are in BFS order
        start = next((i for i in range(n) if P[i] and good[i]), None)
        if start is None:
            return None
        parents = self._bfs_parents()
        prefix = []
        i = start
        while i != -1:
            prefix.append(i)
            i = parents[i]
        prefix.reverse()  # state indexes, initial first
        # inside ~Q, the shortest path from start to a fair-component state
        path = self._path(start, lambda j: j in fair_nodes, lambda j: inN[j])
        entry = path[-1][0] if path else start
        cycle = self._cycle(entry, witness[entry])
        edges_prefix = self._edges_along(prefix) + path
        return edges_prefix, (prefix[0], cycle)

    def _bfs_parents(self) -> list[int]:
        if self._parents is None:
            par = [-2] * self.n
            dq = deque()
            for i in self.g.init:
                par[i] = -1
                dq.append(i)
            while dq:
                i = dq.popleft()
                for j, _ in self.g.edges[i]:
                    if par[j] == -2:
                        par[j] = i
                        dq.append(j)
            self._parents = par
        return self._parents

    def _edges_along(self, states: list[int]) -> list[tuple[int, int]]:
        """``(state, sid)`` pairs for consecutive states (a step from each to the next)."""
        out = []
        for a, b in zip(states, states[1:]):
            sid = next(s for j, s in self.g.edges[a] if j == b)
            out.append((b, sid))
        return out

    def _path(self, src: int, goal, allowed) -> list[tuple[int, int]]:
        """Shortest path of ``(state, sid)`` steps from ``src`` to a goal state."""
        if goal(src):
            return []
        par = {src: None}
        dq = deque([src])
        while dq:
            i = dq.popleft()
            for j, sid in self.g.edges[i]:
                if j not in par and allowed(j):
                    par[j] = (i, sid)
                    if goal(j):
                        out = []
                        while par[j] is not None:
                            pi, psid = par[j]
                            out.append((j, psid))
                            j = pi
                        return out[::-1]
                    dq.append(j)
        raise AssertionError("no path to a fair component")

    def _fair_components(self, allowed: list[bool]):
        """States lying in a fair component of the subgraph on ``allowed`` states, each mapped
        to its component's witness: (component set, edges to take) or None for stuttering."""
        fair_nodes: set[int] = set()
        witness: dict[int, object] = {}
        fair = self.fair
        for i in range(self.n):
            if allowed[i] and not any(p in self.enabled[i] for p, _ in fair):
                fair_nodes.add(i)
                witness[i] = None  # stutter here forever
        work = [c for c in _sccs([i for i in range(self.n) if allowed[i]], self.g.edges)]
        while work:
            comp = work.pop()
            cset = set(comp)
            internal = [(i, j, sid) for i in comp for j, sid in self.g.edges[i] if j in cset and j != i]
            if not internal:
                continue  # a single state with no proper cycle (stuttering handled above)
            taken = {}
            for i, j, sid in internal:
                taken.setdefault(self.proc_of[sid], (i, j, sid))
            ok = True
            cut = None
            visits = []  # states the cycle must pass: where a weakly fair process is disabled
            for p, kind in fair:
                if p in taken:
                    continue
                en = [i for i in comp if p in self.enabled[i]]
                if not en:
                    continue
                if kind == "weak":
                    if len(en) == len(comp):
                        ok = False
                        break
                    visits.append(next(i for i in comp if p not in self.enabled[i]))
                else:  # strong: only cycles avoiding the states where p is enabled are fair
                    cut = set(en)
                    break
            if not ok:
                continue
            if cut is not None:
                rest = [i for i in comp if i not in cut]
                work.extend(_sccs(rest, self.g.edges))
                continue
            for i in comp:
                if i not in witness:
                    fair_nodes.add(i)
                    witness[i] = (cset, [("edge",) + e for _, e in sorted(taken.items())]
                                  + [("state", w) for w in visits])
        return fair_nodes, witness

    def _cycle(self, entry: int, wit) -> list[tuple[int, int]]:
        """A cycle of ``(state, sid)`` steps from ``entry`` back to it that takes one step of
        every process stepping in the component and passes every state in ``visits``; empty
        for stuttering."""
        if wit is None:
            return []
        cset, targets = wit
        inside = lambda j: j in cset  # noqa: E731
        out: list[tuple[int, int]] = []
        cur = entry
        seen, stepped = {entry}, set()
        for t in targets:  # the first target is always an edge: the component has one
            if t[0] == "edge":
                _, i, j, sid = t
                if self.proc_of[sid] in stepped:
                    continue
                leg = self._path(cur, lambda x, i=i: x == i, inside) + [(j, sid)]
                cur = j
            else:
                if t[1] in seen:
                    continue
                leg = self._path(cur, lambda x, w=t[1]: x == w, inside)
                cur = t[1]
            out += leg
            seen.update(x for x, _ in leg)
            stepped.update(self.proc_of[s] for _, s in leg)
        out += self._path(cur, lambda x: x == entry, inside)
        return out

    # -------------------------------------------------------------- traces
    def _trace(self, prefix: list[tuple[int, int]], cyc) -> Trace:
        first, cycle = cyc
        comp = self.g.comp
        steps = []
        prev = self._plain(first)
        steps.append(TraceStep(None, None, None, None, None, prev))
        loop_at = None

        def add(j, sid):
            nonlocal prev
            info = comp.steps[sid]
            st = self._plain(j)
            steps.append(TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor,
                                   info.step.span, st, diff_states(prev, st)))
            prev = st

        for j, sid in prefix:
            add(j, sid)
        loop_at = len(steps) - 1
        for j, sid in cycle:
            add(j, sid)
        return Trace(tuple(steps), loop_start=loop_at)


def _size(found) -> int:
    prefix, (_, cycle) = found
    return len(prefix) + len(cycle)


def _sccs(nodes: list[int], edges: list) -> list[list[int]]:
    """Tarjan's strongly connected components of the subgraph on ``nodes`` (iterative)."""
    allowed = set(nodes)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, k = work[-1]
            row = edges[v]
            if k < len(row):
                work[-1] = (v, k + 1)
                w = row[k][0]
                if w not in allowed:
                    continue
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, 0))
                elif w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out
