"""Liveness: ``leadsto`` properties under the actors' fairness, on the explored state graph.

Contract
--------
``check_liveness(model, props, graph=None) -> dict[name, PropertyResult]`` decides
``forall b in S: P ~> Q`` for every binding of the bound variables, with the meaning TLC gives
the emitted module: the behaviours are those of ``Init /\\ [][Next]_vars`` plus, per process
of a ``fair`` actor, ``WF_vars(step of that process)`` (``fair+``: ``SF_vars``) over its steps
but the ``unfair`` ones, and ``SF_vars`` of each ``fair+`` step. The labels of one process
are enabled at disjoint values of its ``pc``, so this is fairness per unit ``(actor, process,
kind)`` (``ir.Actor.fair_unit``): where the text below says process, read unit. A process of
an actor without fairness may stop at any time, and any behaviour may stutter forever once no
fair unit is enabled (this is how a finished or deadlocked run ends).

``P ~> Q`` is violated when some reachable state satisfies ``P /\\ ~Q`` and a fair behaviour
goes on from it through ``~Q`` states only. The search is the classic one on the graph:
restrict it to the ``~Q`` states, split that into strongly connected components, keep those
in which a fair cycle exists (every weakly fair process is taken in the component or disabled
somewhere in it; every strongly fair process is taken, or the component is cut down to the
states where it is disabled and searched again), plus the single states where every fair
process is disabled (stuttering). The counterexample is a lasso: a shortest path from an
initial state through a ``P /\\ ~Q`` state and on inside ``~Q`` to a state of a fair component,
and a fair cycle through that state, chosen to make the whole short (``_violation``;
``Trace.loop_start`` is the index of the state the cycle returns to; a cycle of no steps
means the last state stutters).

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
        # the fairness unit each step id belongs to (``ir.Actor.fair_unit``: the process and
        # the kind of its steps, None for a step under no fairness), and the fair units
        self.unit_of = [info.actor.fair_unit(info.step, info.proc) for info in comp.steps]
        self.fair: list[tuple[tuple, str]] = list(dict.fromkeys(
            (u, u[2]) for u in self.unit_of if u is not None))
        # the units enabled in each state: those with a step that changes the state
        # (a step that leaves every variable as it was is a stutter, as in <<A>>_vars)
        self.enabled: list[frozenset] = []
        for i, row in enumerate(g.edges):
            self.enabled.append(frozenset(u for j, sid in row if j != i and (u := self.unit_of[sid]) is not None))
        self._parents: list[int] | None = None
        self._depth: list[int] = []
        self._work = 0  # steps looked at by the lasso search (``_LASSO_WORK``)

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
        """The shortest lasso found for ``P ~> Q`` (None when it holds): a path from an
        initial state to a ``P /\\ ~Q`` state, on through ``~Q`` states to a state ``s`` of a
        fair component, and a fair cycle through ``s``. The path to each ``s`` is the shortest
        one (``_approach``); the cycles of the closest candidates are built and the shortest
        lasso kept, so the length is minimal in the path and short, not always minimal, in the
        cycle."""
        inN = [not q for q in Q]
        fair_nodes, witness = self._fair_components(inN)
        if not fair_nodes:
            return None
        dist, via = self._approach(P, inN)
        cands = sorted((dist[s], s) for s in fair_nodes if dist[s] >= 0)
        if not cands:
            return None
        best = None
        self._work = 0
        for d, s in cands:
            if best is not None and d >= best[0]:
                break
            if witness[s] is None:  # stutters here: no cycle to add
                best = (d, s, [])
                continue
            if best is not None and self._work > _LASSO_WORK:
                continue  # enough searched: only a stuttering end can still be shorter
            limit = None if best is None else best[0] - d - 1  # a cycle must be shorter than that
            if limit is not None and limit < 1:
                continue
            cycle = self._cycle(s, witness[s], limit)
            if cycle is not None and (best is None or d + len(cycle) < best[0]):
                best = (d + len(cycle), s, cycle)
        _, s, cycle = best
        # the path: BFS parents back from the P state where it enters ~Q, then ``via`` on to s
        tail = []
        i = s
        while via[i] != -1:
            tail.append(i)
            i = via[i]
        parents = self._bfs_parents()
        prefix = []
        while i != -1:
            prefix.append(i)
            i = parents[i]
        prefix.reverse()
        states = prefix + tail[::-1]
        return self._edges_along(states), (states[0], cycle)

    def _approach(self, P: list[bool], inN: list[bool]) -> tuple[list[int], list[int]]:
        """For every ``~Q`` state ``s``: the length of the shortest path from an initial state
        to a ``P /\\ ~Q`` state and from there through ``~Q`` states to ``s`` (-1: none), and
        ``via[s]``, the state before ``s`` on it after the ``P`` state (-1 at that state).
        Breadth-first with the ``P /\\ ~Q`` states as sources entering at their depth."""
        self._bfs_parents()
        depth = self._depth
        n = self.n
        dist = [-1] * n
        via = [-1] * n
        buckets: dict[int, list[tuple[int, int]]] = {}
        for i in range(n):
            if P[i] and inN[i] and depth[i] >= 0:
                buckets.setdefault(depth[i], []).append((i, -1))
        d, top = 0, max(buckets, default=-1)
        edges = self.g.edges
        while d <= top:
            for i, frm in buckets.pop(d, ()):
                if dist[i] >= 0:
                    continue
                dist[i], via[i] = d, frm
                for j, _ in edges[i]:
                    if inN[j] and dist[j] < 0:
                        buckets.setdefault(d + 1, []).append((j, i))
                        top = max(top, d + 1)
            d += 1
        return dist, via

    def _bfs_parents(self) -> list[int]:
        if self._parents is None:
            # and the length of the shortest path from an initial state to each (-1: none)
            par = [-2] * self.n
            depth = [-1] * self.n
            dq = deque()
            for i in self.g.init:
                if par[i] == -2:
                    par[i], depth[i] = -1, 0
                    dq.append(i)
            while dq:
                i = dq.popleft()
                for j, _ in self.g.edges[i]:
                    if par[j] == -2:
                        par[j], depth[j] = i, depth[i] + 1
                        dq.append(j)
            self._parents, self._depth = par, depth
        return self._parents

    def _edges_along(self, states: list[int]) -> list[tuple[int, int]]:
        """``(state, sid)`` pairs for consecutive states (a step from each to the next)."""
        out = []
        for a, b in zip(states, states[1:]):
            sid = next(s for j, s in self.g.edges[a] if j == b)
            out.append((b, sid))
        return out

    def _path(self, src: int, goal, allowed, *, edge_goal=None, proper: bool = False,
              limit: int | None = None) -> list[tuple[int, int]] | None:
        """Shortest path of ``(state, sid)`` steps from ``src`` through ``allowed`` states to a
        state satisfying ``goal``, or ending with a step whose ``sid`` satisfies ``edge_goal``.
        ``proper``: at least one step (a cycle back to ``src`` when the goal is ``src``); a
        step that leaves the state as it was is never taken. With ``limit``: of at most that
        many steps, else None."""
        if not proper and goal(src):
            return []
        if limit is not None and limit < 1:
            return None
        par: dict = {src: None}
        level = {src: 0}
        dq = deque([src])

        def unwind(j, last):
            out = [last]
            while par[j] is not None:
                pi, psid = par[j]
                out.append((j, psid))
                j = pi
            return out[::-1]

        while dq:
            i = dq.popleft()
            row = self.g.edges[i]
            self._work += len(row)
            for j, sid in row:
                if j == i or not allowed(j):
                    continue
                if goal(j) or (edge_goal is not None and edge_goal(sid)):
                    return unwind(i, (j, sid))
                if j not in par and (limit is None or level[i] + 1 < limit):
                    par[j] = (i, sid)
                    level[j] = level[i] + 1
                    dq.append(j)
        if limit is not None:
            return None
        raise AssertionError("no path to a fair component")

    def _fair_components(self, allowed: list[bool]):
        """States lying in a fair component of the subgraph on ``allowed`` states, each mapped
        to its component's states, or None for stuttering."""
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
            taken = {self.unit_of[sid] for _i, _j, sid in internal}
            ok = True
            cut = None
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
                    witness[i] = cset
        return fair_nodes, witness

    def _cycle(self, entry: int, cset, limit: int | None = None) -> list[tuple[int, int]] | None:
        """A fair cycle of ``(state, sid)`` steps from ``entry`` back to it inside its
        component (empty for stuttering). Every fair process enabled somewhere in the
        component is served: a weakly fair one is taken or disabled at a state of the cycle,
        a strongly fair one taken (or disabled on the whole cycle). The shortest cycle through
        ``entry`` when that one is fair; else, from ``entry``, a shortest leg to the nearest
        step or state serving a process not yet served, until all are, and the shortest way
        back."""
        if cset is None:
            return []
        inside = lambda j: j in cset  # noqa: E731
        need = {p: kind for p, kind in self.fair if any(p in self.enabled[i] for i in cset)}
        first = self._path(entry, lambda x: x == entry, inside, proper=True, limit=limit)
        if first is None or not self._unserved(need, entry, first):
            return first
        out: list[tuple[int, int]] = []
        cur = entry
        while True:
            left = self._unserved(need, entry, out)
            if not left:
                break
            weak_off = [p for p in left if left[p] == "weak"]
            leg = self._path(cur, lambda x: any(p not in self.enabled[x] for p in weak_off), inside,
                             edge_goal=lambda sid: self.unit_of[sid] in left,
                             limit=None if limit is None else limit - len(out) - 1)
            if leg is None:
                return None
            out += leg
            cur = out[-1][0] if out else entry
        back = self._path(cur, lambda x: x == entry, inside, proper=not out,
                          limit=None if limit is None else limit - len(out))
        return None if back is None else out + back

    def _unserved(self, need: dict, entry: int, cycle: list[tuple[int, int]]) -> dict:
        """The processes of ``need`` that ``cycle`` (from ``entry``) does not serve yet."""
        states = [entry] + [j for j, _ in cycle]
        taken = {self.unit_of[sid] for _, sid in cycle}
        left = {}
        for p, kind in need.items():
            if p in taken:
                continue
            off = [p not in self.enabled[i] for i in states]
            if (kind == "weak" and any(off)) or (kind != "weak" and cycle and all(off)):
                continue
            left[p] = kind
        return left

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


# how many steps the search for a short lasso may look at (beyond the first lasso found)
# before it keeps the shortest found so far: the search stays linear in the graph's size
_LASSO_WORK = 2_000_000


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
