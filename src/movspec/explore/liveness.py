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
from .domains import RUNTIME_ERRORS, error_text
from .reads import read_mask

def check_liveness(model: ir.Model, props: list[ir.LeadsTo], graph: StateGraph | None = None, *,
                   max_states: int | None = None, symmetric: tuple[str, ...] = ()) -> dict[str, PropertyResult]:
    """Decide ``props`` on ``graph``, the reachable graph of ``model`` without symmetry
    (``explore.graph``; explored here, up to ``max_states``, when not given). Both sides of
    every binding are compiled with the model, so evaluating them is as fast as the successor
    function; every state is decoded once for all the properties.

    ``symmetric``: names of constant sets whose permutations map the model to itself (its
    initial states, steps and fairness; ``ir.symmetry.symmetric_consts``, the sets the safety
    search reduces by). A binding over them is then checked only once per orbit: with ``p``
    ranging over such a set, ``P(p) ~> Q(p)`` holds for one value exactly when it holds for
    each (a permutation carries every fair behaviour violating one to a fair behaviour
    violating the other). See ``_bindings``."""
    if not props:
        return {}
    g = graph if graph is not None else explore_graph(model, max_states=max_states)
    if not g.complete:
        why = f"liveness needs the whole state graph; the search stopped at {len(g.states):,} states"
        return {p.name: PropertyResult(p.name, "leadsto", Verdict.INCOMPLETE, why) for p in props}
    lv = _Graph(model, g)
    out = {}
    labels = lv.label(props, symmetric)
    for prop in props:
        lab = labels[prop.name]
        if isinstance(lab, BaseException):
            out[prop.name] = PropertyResult(prop.name, "leadsto", Verdict.ERROR,
                                            f"cannot evaluate {prop.name}: {error_text(lab)}")
            continue
        out[prop.name] = lv.check(prop, *lab)
    return out


def _bindings(g: StateGraph, prop: ir.LeadsTo, symmetric: tuple[str, ...] = ()) -> list[dict]:
    """Every assignment of values to the bound variables (their domains are constant), in
    order; with ``symmetric`` (see ``check_liveness``), when every bound variable ranges over
    one of those sets whole, only the first assignment of each orbit under their permutations:
    two assignments are in one orbit when, set by set, they make the same variables equal
    (``p = P1, c = C2`` and ``p = P2, c = C1``; not ``c = C1, d = C1`` and ``c = C1, d = C2``)."""
    doms = []
    for var, dom in prop.bound:
        doms.append([(var, v) for v in sorted(g.comp.value(dom), key=repr)])
    out = [dict(c) for c in product(*doms)] if doms else [{}]
    sets = [dom.name if isinstance(dom, ir.ConstRef) and dom.name in symmetric else None for _, dom in prop.bound]
    if not out or not sets or None in sets:
        return out
    kept, seen = [], set()
    for b in out:
        values = list(b.values())
        # per set, each value replaced by where it first appears among that set's values
        key = tuple((s, next(k for k, w in enumerate(values) if w == v and sets[k] == s))
                    for s, v in zip(sets, values))
        if key not in seen:
            seen.add(key)
            kept.append(b)
    return kept


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
        # the kind of its steps, None for a step under no fairness), as one bit per unit
        units = [info.actor.fair_unit(info.step, info.proc) for info in comp.steps]
        order = list(dict.fromkeys(u for u in units if u is not None))
        self.bit_of = [0 if u is None else 1 << order.index(u) for u in units]
        self.fair: list[tuple[int, str]] = [(1 << k, u[2]) for k, u in enumerate(order)]
        self.weak_mask = sum(b for b, kind in self.fair if kind == "weak")
        # the units enabled in each state, as a mask: those with a step that changes the
        # state (a step that leaves every variable as it was is a stutter, as in <<A>>_vars);
        # filled in (``_fill_enabled``) for the states a fair-component search looks at,
        # which are all the later uses look at: None until then
        self.enabled: list[int | None] = [None] * self.n
        self._parents: list[int] | None = None
        self._depth: list[int] = []
        self._work = 0  # steps looked at by the lasso search (``_LASSO_WORK``)
        # scratch arrays of the component search (``_sccs``), all back to -1 / 0 between calls
        self._idx = [-1] * self.n
        self._low = [-1] * self.n
        self._mark = [0] * self.n
        self._stamp = 0

    # -------------------------------------------------------------- evaluation
    def _plain(self, i: int) -> dict:
        comp = self.g.comp
        return comp.layout.state(comp.dec(self.g.states[i]))

    def label(self, props: list[ir.LeadsTo], symmetric: tuple[str, ...] = ()) -> dict:
        """Per property: its bindings and, per state, the mask of ``Compiled.sides`` over them;
        or the exception its evaluation raised. A property is evaluated once per distinct
        value of the state bits its sides read (``reads.read_mask``)."""
        comp = self.g.comp
        fns, out = [], {}
        for prop in props:
            bindings = _bindings(self.g, prop, symmetric)
            pairs = [(_bind(self.model, prop.p, b), _bind(self.model, prop.q, b)) for b in bindings]
            mask = read_mask(comp.layout, [e for pair in pairs for e in pair])
            fns.append([prop.name, comp.sides(pairs), [], mask, {}])
            out[prop.name] = (bindings, fns[-1][2])
        dec = comp.dec
        live = fns
        for s in self.g.states:
            W = None
            failed = None
            for entry in live:
                mask = entry[3]
                key = None if mask is None else s & mask
                m = None if key is None else entry[4].get(key)
                if m is None:
                    if W is None:
                        W = dec(s)
                    try:
                        m = entry[1](W)
                    except RUNTIME_ERRORS as err:
                        out[entry[0]] = err
                        failed = (failed or []) + [entry]
                        continue
                    if key is not None:
                        entry[4][key] = m
                entry[2].append(m)
            if failed:
                live = [e for e in live if e not in failed]
        return out

    def check(self, prop: ir.LeadsTo, bindings: list[dict], masks: list[int]) -> PropertyResult:
        best = None
        for k, b in enumerate(bindings):
            qbit, pbit = 1 << 2 * k, 1 << 2 * k + 1
            found = self._violation([m & pbit != 0 for m in masks], [m & qbit != 0 for m in masks])
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
        dist, via = self._approach(P, inN)
        # only the ~Q states reachable from a P /\ ~Q state through ~Q matter; a component of
        # ~Q that holds one of them lies among them whole
        reach = [i for i in range(self.n) if dist[i] >= 0]
        if not reach:
            return None
        fair_nodes, witness = self._fair_components(reach)
        cands = sorted((dist[s], s) for s in fair_nodes)
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
        # the sources by depth (in state order within one), each level's sources ahead of
        # the states the level before leads to
        sources: dict[int, list[tuple[int, int]]] = {}
        for i in range(n):
            if P[i] and inN[i] and depth[i] >= 0:
                sources.setdefault(depth[i], []).append((i, -1))
        levels = sorted(sources)
        edges = self.g.edges
        frontier: list[tuple[int, int]] = []
        k, d = 0, 0
        while frontier or k < len(levels):
            if not frontier:
                d = levels[k]
            if k < len(levels) and levels[k] == d:
                frontier = sources[d] + frontier
                k += 1
            nxt: list[tuple[int, int]] = []
            for i, frm in frontier:
                if dist[i] >= 0:
                    continue
                dist[i] = d
                via[i] = frm
                for j, _ in edges[i]:
                    if inN[j] and dist[j] < 0:
                        nxt.append((j, i))
            frontier = nxt
            d += 1
        return dist, via

    def _bfs_parents(self) -> list[int]:
        if self._parents is None and len(self.g.parent) == self.n:
            # the exploration's own breadth-first tree: the same queue order as below
            self._parents, self._depth = self.g.parent, self.g.depth
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

    def _fair_components(self, nodes: list[int]):
        """States lying in a fair component of the subgraph on ``nodes`` (closed under the
        steps that stay in the subgraph being searched), each mapped to its component's
        states, or None for stuttering."""
        fair_nodes: set[int] = set()
        witness: dict[int, object] = {}
        self._fill_enabled(nodes)
        enabled, edges, bit_of = self.enabled, self.g.edges, self.bit_of
        for i in nodes:
            if not enabled[i]:
                fair_nodes.add(i)
                witness[i] = None  # stutter here forever: no fair unit enabled
        work = self._sccs(nodes)
        while work:
            comp = work.pop()
            if len(comp) == 1:
                continue  # a single state with no proper cycle (stuttering handled above)
            cset = set(comp)
            taken, some, every = 0, 0, -1
            for i in comp:
                for j, sid in edges[i]:
                    if j != i and j in cset:
                        taken |= bit_of[sid]
                e = enabled[i]
                some |= e
                every &= e
            # a weakly fair unit enabled in every state and never taken: no fair cycle here
            if every & self.weak_mask & ~taken:
                continue
            strong = some & ~taken & ~self.weak_mask
            if strong:
                # only cycles avoiding the states where a strongly fair unit that is never
                # taken is enabled are fair: cut them away and search the rest again
                p = strong & -strong
                work.extend(self._sccs([i for i in comp if not enabled[i] & p]))
                continue
            for i in comp:
                if i not in witness:
                    fair_nodes.add(i)
                    witness[i] = cset
        return fair_nodes, witness

    def _fill_enabled(self, nodes: list[int]) -> None:
        """``self.enabled[i]`` for every ``i`` of ``nodes``. The components, cycles and paths
        searched from ``_fair_components(nodes)`` stay among ``nodes``, so nothing else is
        read."""
        enabled, edges, bit_of = self.enabled, self.g.edges, self.bit_of
        for i in nodes:
            if enabled[i] is None:
                m = 0
                for j, sid in edges[i]:
                    if j != i:
                        m |= bit_of[sid]
                enabled[i] = m

    def _sccs(self, nodes: list[int]) -> list[list[int]]:
        """Tarjan's strongly connected components of the subgraph on ``nodes`` (iterative, on
        the scratch arrays, which it leaves as it found them)."""
        self._stamp += 1
        stamp, mark, idx, low, edges = self._stamp, self._mark, self._idx, self._low, self.g.edges
        for i in nodes:
            mark[i] = stamp
        done = self.n  # the index of a state whose component is complete: never lowers a link
        out: list[list[int]] = []
        stack: list[int] = []
        counter = 0
        for root in nodes:
            if idx[root] != -1:
                continue
            idx[root] = low[root] = counter
            counter += 1
            stack.append(root)
            work = [(root, iter(edges[root]), 0)]
            while work:
                v, it, sp = work[-1]
                for w, _ in it:
                    if mark[w] != stamp:
                        continue
                    x = idx[w]
                    if x == -1:
                        idx[w] = low[w] = counter
                        counter += 1
                        work.append((w, iter(edges[w]), len(stack)))
                        stack.append(w)
                        break
                    if x < low[v]:
                        low[v] = x
                else:
                    work.pop()
                    lv = low[v]
                    if work:
                        u = work[-1][0]
                        if lv < low[u]:
                            low[u] = lv
                    if lv == idx[v]:
                        comp = stack[sp:]
                        del stack[sp:]
                        for w in comp:
                            idx[w] = done
                        out.append(comp)
        for i in nodes:
            idx[i] = low[i] = -1
        return out

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
        some = 0
        for i in cset:
            some |= self.enabled[i]
        need = {p: kind for p, kind in self.fair if some & p}
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
            leg = self._path(cur, lambda x: any(not self.enabled[x] & p for p in weak_off), inside,
                             edge_goal=lambda sid: self.bit_of[sid] in left,
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
        taken = 0
        for _, sid in cycle:
            taken |= self.bit_of[sid]
        left = {}
        for p, kind in need.items():
            if taken & p:
                continue
            off = [not self.enabled[i] & p for i in states]
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
