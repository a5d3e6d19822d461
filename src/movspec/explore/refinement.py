"""Refinement: does each step of a model map to a step of an abstract specification?

Contract
--------
``check_refinements(model, graph=None, *, max_states=None) -> dict[name, PropertyResult]``
decides every ``ir.Refinement`` property of ``model`` (kind ``"refinement"``) on the reachable
state graph (``explore_graph``: no symmetry reduction, every step of every process). With
``f`` the refinement mapping (one expression per abstract variable, evaluated in a concrete
state), the property holds when

* every initial state ``s`` maps to an initial state of the abstract specification
  (``f(s)`` equals the abstract variables' initial values), and
* every step ``s -> t`` of the graph maps to a stutter (``f(s) = f(t)``) or to a step of the
  abstract specification: some action, for some values of its parameters, can go from
  ``f(s)`` to ``f(t)``.

That is TLA+'s ``Spec => Abs!Spec`` with ``Abs == INSTANCE A WITH v <- f(v)`` for the
safety part (``Init /\\ [][Next]_vars``): what TLC checks with ``PROPERTY Abs!Spec`` on the
emitted module. The counterexample is the shortest path (breadth-first) from an initial
state to the first offending step, that step included; the message names the step and shows
the mapped abstract states before and after it.

Abstract successors are computed by interpreting the abstract actions (``reference.run``)
and cached per abstract state; mapping values are cached per concrete state. A graph cut short
by ``max_states`` gives INCOMPLETE unless a violation was found in the part explored.
"""

from __future__ import annotations

from collections import deque
from itertools import product

from ..ir import nodes as ir
from ..result import PropertyResult, Trace, TraceStep, Verdict, diff_states, format_value
from .reference import BLOCKED, Env, RefError, ev, run
from .graph import StateGraph, explore_graph

KIND = "refinement"


def check_refinements(model: ir.Model, graph: StateGraph | None = None, *,
                      max_states: int | None = None) -> dict[str, PropertyResult]:
    props = [p for p in model.properties if isinstance(p, ir.Refinement)]
    if not props:
        return {}
    g = graph or explore_graph(model, max_states=max_states)
    out = {}
    for p in props:
        try:
            out[p.name] = _Checker(model, g, p).check()
        except RefError as err:
            out[p.name] = PropertyResult(p.name, KIND, Verdict.ERROR, f"cannot evaluate {p.name}: {err}")
    return out


def abstract_initial(model: ir.Model, spec: ir.AbstractSpec) -> dict:
    env = Env(model, {})
    return {v.name: ev(v.init, env) for v in spec.vars}


def abstract_successors(model: ir.Model, spec: ir.AbstractSpec, state: dict) -> dict[tuple, str]:
    """Every abstract state one action goes to from ``state`` (frozen as a tuple of values in
    variable order), with the action that does it: ``"isolate(p = P1, c = C1)"``."""
    out: dict[tuple, str] = {}
    names = [v.name for v in spec.vars]
    base = Env(model, state)
    for a in spec.actions:
        doms = []
        for var, dom in a.params:
            doms.append(sorted(ev(dom, base), key=repr))
        for combo in product(*doms):
            env = base
            for (var, _), val in zip(a.params, combo):
                env = env.bind(var, val)
            for new, target, _fails in run(a.body, env, ()):
                if new is None or target is BLOCKED:
                    continue
                key = tuple(new[n] for n in names)
                if key not in out:
                    args = ", ".join(f"{var} = {format_value(v)}" for (var, _), v in zip(a.params, combo))
                    out[key] = f"{a.name}({args})"
    return out


def state_keys(e) -> set[str]:
    """The state keys (``result.State``) an expression reads: variable names,
    ``"<actor>.<local>"``, and ``"pc:<actor>"`` for the program counters of an actor."""
    out: set[str] = set()

    def walk(x):
        if isinstance(x, ir.VarRef):
            out.add(x.name)
        elif isinstance(x, ir.LocalRef):
            out.add(f"{x.actor}.{x.name}")
        elif isinstance(x, ir.At):
            out.add(f"pc:{x.actor}")
        if isinstance(x, tuple):
            for y in x:
                walk(y)
        elif hasattr(x, "__dataclass_fields__") and not isinstance(x, ir.RecordType):
            for f in x.__dataclass_fields__:
                if f != "span":
                    walk(getattr(x, f))

    walk(e)
    return out


def mapped_state(model: ir.Model, prop: ir.Refinement, state: dict) -> dict:
    """The abstract state a concrete (plain) state maps to."""
    env = Env(model, state)
    return {v: ev(e, env) for v, e in prop.mapping}


def step_message(prop: ir.Refinement, who: str, step: str, anchor: str | None, a: dict, b: dict) -> str:
    """The message of a step that maps to no abstract action, from the mapped states."""
    changes = diff_states(a, b)
    delta = "; ".join(f"{path}: {format_value(old)} -> {format_value(new)}" for path, old, new in changes)
    before = ", ".join(f"{n} = {format_value(v)}" for n, v in a.items())
    after = ", ".join(f"{n} = {format_value(v)}" for n, v in b.items())
    at = f" @ {anchor}" if anchor else ""
    return (f"{prop.name}: step {who}.{step}{at} maps to no action of abstract {prop.abstract.name}: "
            f"{delta} (abstract state before: {before}; after: {after})")


def init_message(prop: ir.Refinement, init: dict, got: dict) -> str:
    what = "; ".join(f"{path} is {format_value(new)}, not {format_value(old)}"
                     for path, old, new in diff_states(init, got))
    return (f"{prop.name}: the initial state maps to a state that is not initial in abstract "
            f"{prop.abstract.name} ({what})")


class _Checker:
    def __init__(self, model: ir.Model, g: StateGraph, prop: ir.Refinement):
        self.model = model
        self.g = g
        self.prop = prop
        self.spec = prop.abstract
        self.names = [v for v, _ in prop.mapping]
        self._mapped: dict[int, tuple] = {}
        self._by_leaves: dict[tuple, tuple] = {}
        self._succ: dict[tuple, dict[tuple, str]] = {}
        # the mapping reads few parts of the state: evaluate it once per distinct projection
        keys = set()
        for _, e in prop.mapping:
            keys |= state_keys(e)
        self._leaves = [l.index for l in g.comp.layout.leaves
                        if l.root in keys or (l.root == "pc" and f"pc:{l.actor}" in keys)]

    def plain(self, i: int) -> dict:
        comp = self.g.comp
        return comp.layout.state(comp.dec(self.g.states[i]))

    def mapped(self, i: int) -> tuple:
        m = self._mapped.get(i)
        if m is None:
            W = self.g.comp.dec(self.g.states[i])
            proj = tuple(W[k] for k in self._leaves)
            m = self._by_leaves.get(proj)
            if m is None:
                env = Env(self.model, self.g.comp.layout.state(W))
                m = self._by_leaves[proj] = tuple(ev(e, env) for _, e in self.prop.mapping)
            self._mapped[i] = m
        return m

    def successors(self, a: tuple) -> dict[tuple, str]:
        s = self._succ.get(a)
        if s is None:
            s = self._succ[a] = abstract_successors(self.model, self.spec, dict(zip(self.names, a)))
        return s

    def as_state(self, a: tuple) -> dict:
        return dict(zip(self.names, a))

    def check(self) -> PropertyResult:
        p, g = self.prop, self.g
        init = abstract_initial(self.model, self.spec)
        init_t = tuple(init[n] for n in self.names)
        for i in g.init:
            a = self.mapped(i)
            if a != init_t:
                msg = init_message(p, self.as_state(init_t), self.as_state(a))
                return PropertyResult(p.name, KIND, Verdict.VIOLATED, msg, self._trace([i], None))
        for i, row in enumerate(g.edges):
            a = None
            for j, sid in row:
                if j == i:
                    continue
                if a is None:
                    a = self.mapped(i)
                b = self.mapped(j)
                if a == b or b in self.successors(a):
                    continue
                return self._violation(i, j, sid, a, b)
        if not g.complete:
            return PropertyResult(p.name, KIND, Verdict.INCOMPLETE,
                                  f"not violated in the {len(g.states):,} states explored (state budget reached)")
        return PropertyResult(p.name, KIND, Verdict.HOLDS,
                              f"every step between the {len(g.states):,} reachable states maps to an action of "
                              f"abstract {self.spec.name} or leaves the mapped state unchanged")

    # ------------------------------------------------------------------ reporting
    def _violation(self, i: int, j: int, sid: int, a: tuple, b: tuple) -> PropertyResult:
        info = self.g.comp.steps[sid]
        who = info.proc if info.proc == info.actor.name else f"{info.actor.name}({info.proc})"
        msg = step_message(self.prop, who, info.step.name, info.step.anchor, self.as_state(a), self.as_state(b))
        path = self._path_to(i)
        return PropertyResult(self.prop.name, KIND, Verdict.VIOLATED, msg, self._trace(path, (j, sid)))

    def _path_to(self, target: int) -> list[int]:
        g = self.g
        par = {i: -1 for i in g.init}
        dq = deque(g.init)
        while dq:
            i = dq.popleft()
            if i == target:
                break
            for j, _ in g.edges[i]:
                if j not in par:
                    par[j] = i
                    dq.append(j)
        path = [target]
        while par[path[-1]] != -1:
            path.append(par[path[-1]])
        return path[::-1]

    def _trace(self, path: list[int], last: tuple[int, int] | None) -> Trace:
        comp = self.g.comp
        prev = self.plain(path[0])
        rows = [TraceStep(None, None, None, None, None, prev)]
        pairs = []
        for a, b in zip(path, path[1:]):
            sid = next(s for j, s in self.g.edges[a] if j == b)
            pairs.append((b, sid))
        if last is not None:
            pairs.append(last)
        for j, sid in pairs:
            info = comp.steps[sid]
            st = self.plain(j)
            rows.append(TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor,
                                  info.step.span, st, diff_states(prev, st)))
            prev = st
        return Trace(tuple(rows))
