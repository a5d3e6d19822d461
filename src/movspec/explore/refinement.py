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

The mapping is compiled against the model (``Compiled.plain_function``) and evaluated once per
distinct projection of the state onto the leaves it reads. The abstract specification is
compiled too, as a model of its own (``abstract_model``: one single-process actor per action
and choice of parameters, whose one step is the action's body), and its successors are
cached per abstract state. A graph cut short by ``max_states`` gives INCOMPLETE unless a
violation was found in the part explored.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from ..ir import nodes as ir
from ..ir.walk import literal, substitute
from ..result import PropertyResult, Trace, TraceStep, Verdict, diff_states, format_value
from .codegen import Ctx
from .compile import Compiled, Expressions, compile_model
from .reads import read_mask
from .domains import RUNTIME_ERRORS, CompileError, all_values
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
        except (CompileError, *RUNTIME_ERRORS) as err:
            out[p.name] = PropertyResult(p.name, KIND, Verdict.ERROR, f"cannot evaluate {p.name}: {err}")
    return out


def _static(e) -> bool:
    return not any(isinstance(x, (ir.VarRef, ir.LocalRef, ir.At, ir.BoundRef, ir.SelfRef))
                   for x in _nodes(e))


def _nodes(e):
    if isinstance(e, tuple):
        for x in e:
            yield from _nodes(x)
    elif hasattr(e, "__dataclass_fields__"):
        yield e
        for f in e.__dataclass_fields__:
            if f != "span":
                yield from _nodes(getattr(e, f))


def abstract_model(model: ir.Model, spec: ir.AbstractSpec) -> tuple[ir.Model, list[str]]:
    """``spec`` as a model to compile: its variables, and one actor per action and choice of
    parameter values (``"isolate(pg = P1, cpu = C1)"``, the second list, in actor order) with
    one step, the action's body with the parameters replaced by the values. A parameter whose
    domain is constant ranges over its elements (in the order of their printed form); one
    whose domain reads the abstract state ranges over the elements of the domain's type, and
    the body starts with ``await value in domain``."""
    consts = Expressions(replace(model, vars=spec.vars, actors=(), properties=(), modules=(), functions=()))
    actors: list[ir.Actor] = []
    labels: list[str] = []

    def expand(params, body, guards, chosen, action):
        if not params:
            args = ", ".join(f"{var} = {format_value(v)}" for var, v in chosen)
            labels.append(f"{action.name}({args})")
            actors.append(ir.Actor(f"abstract_{len(actors)}", None, (),
                                   (ir.Step(action.name, tuple(guards) + tuple(body)),)))
            return
        (var, dom), rest = params[0], params[1:]
        if _static(dom):
            vals, guard = consts.value(dom), None
        else:
            t = consts.compiler.expr(dom, Ctx(W="W")).type
            lay = consts.layout
            vals, guard = [lay.plain(v, t.elem) for v in all_values(consts.atoms, t.elem)], dom
        for v in sorted(vals, key=repr):
            lit = literal(model, v)
            if lit is None:
                raise CompileError(f"parameter {var} of action {action.name} ranges over values "
                                   f"that are not scalars")
            more = [] if guard is None else [ir.Await(ir.Binary("in", lit, guard))]
            expand([(x, substitute(d, var, lit)) for x, d in rest], substitute(body, var, lit),
                   guards + more, chosen + [(var, v)], action)

    for a in spec.actions:
        expand(list(a.params), a.body, [], [], a)
    return replace(model, vars=spec.vars, modules=(), actors=tuple(actors), properties=(),
                   functions=(), expectations=()), labels


class Abstract:
    """A compiled abstract specification. Abstract states are packed ints of its layout
    restricted to its variables (every actor's pc at its one step)."""

    def __init__(self, model: ir.Model, spec: ir.AbstractSpec):
        self.spec = spec
        amodel, self.labels = abstract_model(model, spec)
        self.comp: Compiled = compile_model(amodel, symmetry=False)
        lay = self.comp.layout
        self.names = [v.name for v in spec.vars]
        first_pc = min(lay.pc_base.values(), default=len(lay.leaves))
        self.n_vars = first_pc
        self.mask = (1 << (lay.leaves[first_pc].offset if first_pc < len(lay.leaves) else lay.bits)) - 1
        self.label_of = {a.name: lab for a, lab in zip(amodel.actors, self.labels)}
        self._succ: dict[int, dict[int, str]] = {}

    @property
    def initial(self) -> int:
        return self.comp.init_states[0] & self.mask

    def state(self, values: dict) -> int:
        """The abstract state of plain variable values (KeyError, ValueError, Overflow: not one)."""
        lay = self.comp.layout
        W = [0] * len(lay.leaves)
        for v in self.spec.vars:
            lay.store(W, lay.var_base[v.name], v.type, lay.internal(values[v.name], v.type))
        return lay.pack(W)

    def plain(self, a: int) -> dict:
        lay = self.comp.layout
        W = self.comp.dec(a)
        return {v.name: lay.plain(lay.read(W, lay.var_base[v.name], v.type), v.type) for v in self.spec.vars}

    def successors(self, a: int) -> dict[int, str]:
        """Every abstract state one action goes to from ``a``, with the action that does it."""
        s = self._succ.get(a)
        if s is None:
            comp = self.comp
            out: list = []
            comp.succ_labeled(a, comp.dec(a), out, [], [0] * len(comp.steps))
            s = {}
            for t, sid in out:
                s.setdefault(t & self.mask, self.label_of[comp.steps[sid].actor.name])
            self._succ[a] = s
        return s


def abstract_initial(model: ir.Model, spec: ir.AbstractSpec) -> dict:
    ab = Abstract(model, spec)
    return ab.plain(ab.initial)


def abstract_successors(model: ir.Model, spec: ir.AbstractSpec, state: dict) -> dict[tuple, str]:
    """Every abstract state one action goes to from ``state`` (frozen as a tuple of values in
    variable order), with the action that does it: ``"isolate(p = P1, c = C1)"``."""
    ab = Abstract(model, spec)
    return {tuple(ab.plain(t).values()): lab for t, lab in ab.successors(ab.state(state)).items()}


def mapped_state(model: ir.Model, prop: ir.Refinement, state: dict) -> dict:
    """The abstract state a concrete (plain) state maps to."""
    ex = Expressions(model)
    W = ex.layout.leaves_of(state)
    return {v: ex.plain_function(e)(W) for v, e in prop.mapping}


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
        self.abstract = Abstract(model, prop.abstract)
        self._fns = [g.comp.plain_function(e) for _, e in prop.mapping]
        self._internal = [g.comp.function(e) for _, e in prop.mapping]
        self._by_values: dict[tuple, object] = {}  # the mapping's internal values -> mapped state
        self._by_leaves: dict[tuple, object] = {}
        # the mapping reads few parts of the state: evaluate it once per distinct value of
        # those bits (all of them when that is not known)
        mask = read_mask(g.comp.layout, [e for _, e in prop.mapping])
        self._proj = -1 if mask is None else mask

    def plain(self, i: int) -> dict:
        comp = self.g.comp
        return comp.layout.state(comp.dec(self.g.states[i]))

    def mapped(self, i: int):
        """The abstract state concrete state ``i`` maps to: a packed abstract state, or
        ``("outside", values)`` when the values are not a state of the abstract's types."""
        s = self.g.states[i]
        proj = s & self._proj
        m = self._by_leaves.get(proj)
        if m is None:
            W = self.g.comp.dec(s)
            # many projections map to one abstract state: converted once, by internal value
            key = tuple(f(W) for f in self._internal)
            try:
                m = self._by_values.get(key)
            except TypeError:  # an unhashable internal value: no sharing
                key = None
            if m is None:
                values = tuple(f(W) for f in self._fns)
                try:
                    m = self.abstract.state(dict(zip(self.names, values)))
                except (KeyError, *RUNTIME_ERRORS):
                    m = ("outside", values)
                if key is not None:
                    self._by_values[key] = m
            self._by_leaves[proj] = m
        return m

    def successors(self, a) -> dict:
        return {} if isinstance(a, tuple) else self.abstract.successors(a)

    def as_state(self, a) -> dict:
        if isinstance(a, tuple):
            return dict(zip(self.names, a[1]))
        values = self.abstract.plain(a)
        return {n: values[n] for n in self.names}

    def check(self) -> PropertyResult:
        p, g = self.prop, self.g
        init = self.abstract.initial
        for i in g.init:
            a = self.mapped(i)
            if a != init:
                msg = init_message(p, self.as_state(init), self.as_state(a))
                return PropertyResult(p.name, KIND, Verdict.VIOLATED, msg, self._trace([i], None))
        # every state's mapped state once, by the bits the mapping reads
        by_leaves, proj = self._by_leaves, self._proj
        mapped = []
        for i, s in enumerate(g.states):
            m = by_leaves.get(s & proj)
            mapped.append(self.mapped(i) if m is None else m)
        for i, row in enumerate(g.edges):
            a = mapped[i]
            nexts = None
            for j, sid in row:
                b = mapped[j]
                if b == a:
                    continue
                if nexts is None:
                    nexts = self.successors(a)
                if b in nexts:
                    continue
                return self._violation(i, j, sid, a, b)
        if not g.complete:
            return PropertyResult(p.name, KIND, Verdict.INCOMPLETE,
                                  f"not violated in the {len(g.states):,} states explored (state budget reached)")
        return PropertyResult(p.name, KIND, Verdict.HOLDS,
                              f"every step between the {len(g.states):,} reachable states maps to an action of "
                              f"abstract {self.spec.name} or leaves the mapped state unchanged")

    # ------------------------------------------------------------------ reporting
    def _violation(self, i: int, j: int, sid: int, a, b) -> PropertyResult:
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
