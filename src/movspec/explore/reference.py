"""A deliberately naive reference explorer: a tree-walking interpreter of the IR.

It exists to test the compiled checker (``compile`` + ``search``) against an independent,
obviously-correct reading of the same semantics (``ir.nodes``): states are dicts of the plain
values of ``result.py`` (ints, bools, atom names, ``Rec``, ``Fn``, ``frozenset``, ``Seq``), every
expression is evaluated by walking the IR, and symmetry is handled by using a state's whole
orbit as its key. It is slow by design and meant for models of a few thousand states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import permutations, product

from .. import ops
from ..ir import nodes as ir
from ..ir.lower import function_step_copies, lower_functions
from ..result import Fn, Rec, Seq


class RefError(Exception):
    pass


BLOCKED = "<blocked>"  # a path that failed a check and then blocked on an await


def _key(v):
    """A total order on plain values (function pairs are kept sorted by it)."""
    if isinstance(v, bool):
        return (0, int(v))
    if isinstance(v, int):
        return (1, v)
    if isinstance(v, str):
        return (2, v)
    if isinstance(v, Rec):
        return (3, tuple((k, _key(x)) for k, x in v.fields))
    if isinstance(v, Fn):
        return (4, tuple((_key(k), _key(x)) for k, x in v.pairs))
    if isinstance(v, frozenset):
        return (5, tuple(sorted(_key(x) for x in v)))
    if isinstance(v, Seq):
        return (6, tuple(_key(x) for x in v.items))
    raise RefError(f"not a value: {v!r}")


def mkfn(pairs) -> Fn:
    return Fn(tuple(sorted(pairs, key=lambda kv: _key(kv[0]))))


def fn_get(f: Fn, k):
    for kk, v in f.pairs:
        if kk == k and type(kk) is type(k):
            return v
    raise RefError(f"function applied to {k!r} outside its domain")


def fn_set(f: Fn, k, v) -> Fn:
    if not any(kk == k and type(kk) is type(k) for kk, _ in f.pairs):
        raise RefError(f"function updated at {k!r} outside its domain")
    return Fn(tuple((kk, v if kk == k and type(kk) is type(k) else x) for kk, x in f.pairs))


def rec_set(r: Rec, name, v) -> Rec:
    return Rec(tuple((k, v if k == name else x) for k, x in r.fields))


def type_values(model: ir.Model, t) -> list:
    if isinstance(t, ir.BoolType):
        return [False, True]
    if isinstance(t, ir.IntType):
        return list(range(t.lo, t.hi + 1))
    if isinstance(t, ir.AtomType):
        return list(t.atoms)
    if isinstance(t, ir.SetType):
        return type_values(model, t.elem)
    raise RefError(f"not a finite domain: {t}")


@dataclass
class Env:
    model: ir.Model
    state: dict
    actor: ir.Actor | None = None
    proc: str | None = None
    bound: dict = field(default_factory=dict)
    # every check failed so far while computing successors (kept if an error follows)
    failed: list | None = None

    def bind(self, name, v) -> "Env":
        b = dict(self.bound)
        b[name] = v
        return Env(self.model, self.state, self.actor, self.proc, b, self.failed)

    def at_state(self, state) -> "Env":
        return Env(self.model, state, self.actor, self.proc, self.bound, self.failed)


def ev(e, env: Env):
    m = env.model
    if isinstance(e, ir.IntLit):
        return e.value
    if isinstance(e, ir.BoolLit):
        return bool(e.value)
    if isinstance(e, ir.AtomLit):
        return e.name
    if isinstance(e, ir.VarRef):
        return env.state[e.name]
    if isinstance(e, ir.LocalRef):
        proc = env.proc if e.proc is None else ev(e.proc, env)
        if proc is None:
            proc = e.actor
        return fn_get(env.state[f"{e.actor}.{e.name}"], proc)
    if isinstance(e, ir.ConstRef):
        c = m.const(e.name)
        return frozenset(c.atoms) if c.atoms is not None else c.value
    if isinstance(e, ir.BoundRef):
        return env.bound[e.name]
    if isinstance(e, ir.SelfRef):
        return env.proc
    if isinstance(e, ir.Field):
        return ev(e.base, env).get(e.name)
    if isinstance(e, ir.Index):
        return fn_get(ev(e.base, env), ev(e.index, env))
    if isinstance(e, ir.Unary):
        v = ev(e.operand, env)
        return (not v) if e.op == "!" else -v
    if isinstance(e, ir.Binary):
        o = e.op
        if o == "&&":
            return bool(ev(e.left, env)) and bool(ev(e.right, env))
        if o == "||":
            return bool(ev(e.left, env)) or bool(ev(e.right, env))
        if o == "=>":
            return (not ev(e.left, env)) or bool(ev(e.right, env))
        a, b = ev(e.left, env), ev(e.right, env)
        try:
            return ops.apply(o, a, b)
        except ZeroDivisionError as err:
            raise RefError("division by zero") from err
        except ops.OpError as err:
            raise RefError(str(err)) from err
    if isinstance(e, ir.SetLit):
        return frozenset(ev(x, env) for x in e.elems)
    if isinstance(e, ir.RangeLit):
        return frozenset(range(ev(e.lo, env), ev(e.hi, env) + 1))
    if isinstance(e, ir.Card):
        return len(ev(e.set, env))
    if isinstance(e, ir.Quant):
        dom = ev(e.domain, env)
        results = (bool(ev(e.body, env.bind(e.var, x))) for x in dom)
        return all(results) if e.kind == "forall" else any(results)
    if isinstance(e, ir.SetFilter):
        return frozenset(x for x in ev(e.domain, env) if ev(e.cond, env.bind(e.var, x)))
    if isinstance(e, ir.IfExpr):
        return ev(e.then, env) if ev(e.cond, env) else ev(e.orelse, env)
    if isinstance(e, ir.RecordLit):
        given = dict(e.fields)
        return Rec(tuple((f.name, ev(given.get(f.name, f.default), env)) for f in e.type.fields))
    if isinstance(e, ir.FuncLit):
        return mkfn((x, ev(e.body, env.bind(e.var, x))) for x in ev(e.domain, env))
    if isinstance(e, ir.At):
        proc = e.proc
        if proc is None:
            pid = env.proc if env.actor is not None and env.actor.name == e.actor else e.actor
        else:
            pid = ev(proc, env)
        steps = e.steps if e.func is None else function_step_copies(env.model.actor(e.actor), e.func, e.steps)
        return fn_get(env.state["pc"], pid) in steps
    if isinstance(e, ir.InType):
        return in_type(ev(e.expr, env), e.type)
    if isinstance(e, ir.SeqLit):
        return Seq(tuple(ev(x, env) for x in e.elems))
    if isinstance(e, ir.ListOp):
        return _list_op(e, env)
    raise RefError(f"unknown expression {type(e).__name__}")


def _list_op(e: ir.ListOp, env: Env):
    """``ir.ListOp`` on plain values, by its definition (``ir.nodes_expr``)."""
    items = ev(e.list, env).items
    if e.op == "len":
        return len(items)
    if e.op == "first":
        if not items:
            raise RefError("list_first_entry of an empty list")
        return items[0]
    x = ev(e.elem, env)
    if e.op == "keep":
        return Seq(tuple(y for y in items if any(y == z for z in x)))
    on = any(y == x for y in items)
    if e.op == "has":
        return on
    if e.op == "del":
        return Seq(tuple(y for y in items if y != x))
    if on:
        return Seq(items)
    return Seq((x,) + items if e.op == "add" else items + (x,))


def in_type(v, t) -> bool:
    if isinstance(t, ir.BoolType):
        return isinstance(v, bool)
    if isinstance(t, ir.IntType):
        return isinstance(v, int) and not isinstance(v, bool) and t.lo <= v <= t.hi
    if isinstance(t, ir.AtomType):
        return isinstance(v, str) and v in t.atoms
    if isinstance(t, ir.RecordType):
        return (isinstance(v, Rec) and [k for k, _ in v.fields] == [f.name for f in t.fields]
                and all(in_type(x, f.type) for (_, x), f in zip(v.fields, t.fields)))
    if isinstance(t, ir.FuncType):
        dom = t.domain.elem if isinstance(t.domain, ir.SetType) else t.domain
        keys = sorted(type_values(None, dom), key=_key)
        return (isinstance(v, Fn) and [k for k, _ in v.pairs] == keys
                and all(in_type(x, t.range) for _, x in v.pairs))
    if isinstance(t, ir.SetType):
        return isinstance(v, frozenset) and all(in_type(x, t.elem) for x in v)
    if isinstance(t, ir.ListType):
        return (isinstance(v, Seq) and len(set(v.items)) == len(v.items)
                and all(in_type(x, t.elem) for x in v.items))
    raise RefError(f"unknown type {t}")


# ------------------------------------------------------------------ statements


def _assign_path(target, env: Env):
    """(state key, [("f", name) | ("k", key)], ...) for an assignment target."""
    steps = []
    e = target
    while isinstance(e, (ir.Field, ir.Index)):
        steps.append(("f", e.name) if isinstance(e, ir.Field) else ("k", ev(e.index, env)))
        e = e.base
    steps.reverse()
    if isinstance(e, ir.VarRef):
        return e.name, steps
    if isinstance(e, ir.LocalRef):
        proc = env.proc if e.proc is None else ev(e.proc, env)
        return f"{e.actor}.{e.name}", [("k", proc)] + steps
    raise RefError("bad assignment target")


def _get(v, steps):
    for kind, k in steps:
        v = v.get(k) if kind == "f" else fn_get(v, k)
    return v


def _put(v, steps, new):
    if not steps:
        return new
    (kind, k), rest = steps[0], steps[1:]
    if kind == "f":
        return rec_set(v, k, _put(v.get(k), rest, new))
    return fn_set(v, k, _put(fn_get(v, k), rest, new))


def run(stmts, env: Env, fails: tuple):
    """Every way ``stmts`` can complete from ``env``: ``(state, goto target or None, fails)``."""
    if not stmts:
        yield env.state, None, fails
        return
    s, rest = stmts[0], tuple(stmts[1:])
    if isinstance(s, ir.Skip):
        yield from run(rest, env, fails)
    elif isinstance(s, ir.Assign):
        key, steps = _assign_path(s.target, env)
        val = ev(s.value, env)
        if s.op != "=":
            old = _get(env.state[key], steps)
            val = old + val if s.op == "+=" else old - val
        state = dict(env.state)
        state[key] = _put(state[key], steps, val)
        yield from run(rest, env.at_state(state), fails)
    elif isinstance(s, ir.If):
        branch = s.then if ev(s.cond, env) else s.orelse
        yield from run(tuple(branch) + rest, env, fails)
    elif isinstance(s, ir.Await):
        if ev(s.cond, env):
            yield from run(rest, env, fails)
        elif fails:
            # TLC evaluates the step's conjuncts in order: a failed check before the await
            # is reported although the step is not enabled
            yield None, BLOCKED, fails
    elif isinstance(s, ir.Either):
        for b in s.branches:
            yield from run(tuple(b) + rest, env, fails)
    elif isinstance(s, ir.With):
        dom = ev(s.domain, env)
        if not dom and fails:
            yield None, BLOCKED, fails
        for x in sorted(dom, key=_key):
            inner = env.bind(s.var, x)
            for state, target, f in run(tuple(s.body), inner, fails):
                if target is not None or state is None:
                    yield state, target, f
                else:
                    yield from run(rest, env.at_state(state), f)
    elif isinstance(s, ir.Goto):
        yield env.state, s.target, fails
    elif isinstance(s, ir.Assert):
        f = fails if ev(s.cond, env) else fails + ((s.prop, s.message),)
        if f is not fails and env.failed is not None:
            env.failed.append(s.prop)
        yield from run(rest, env, f)
    elif isinstance(s, ir.Call):
        f = fails if env.state[s.loaded_var] else fails + ((s.prop, s.message),)
        if f is not fails and env.failed is not None:
            env.failed.append(s.prop)
        yield from run(rest, env, f)
    else:
        raise RefError(f"unknown statement {type(s).__name__}")


def initial_state(model: ir.Model) -> dict:
    state: dict = {}
    env = Env(model, state)
    for v in model.vars:
        state[v.name] = ev(v.init, env)
    for a in model.actors:
        for loc in a.locals:
            pairs = []
            for p in model.procs(a):
                pe = Env(model, state, a, p)
                pairs.append((p, ir.DEFAULT_INIT if loc.init is None else ev(loc.init, pe)))
            state[f"{a.name}.{loc.name}"] = mkfn(pairs)
    state["pc"] = mkfn((p, a.steps[0].name if a.steps else ir.DONE)
                       for a in model.actors for p in model.procs(a))
    return state


def successors(model: ir.Model, state: dict, failed: list | None = None):
    """``(actor, proc, step, new state, fails)`` for every enabled step and branch; a path
    that failed a check and then blocked gives ``new state`` None."""
    for a in model.actors:
        for p in model.procs(a):
            pc = fn_get(state["pc"], p)
            if pc == ir.DONE:
                continue
            i = next(k for k, s in enumerate(a.steps) if s.name == pc)
            step = a.steps[i]
            for new, target, fails in run(step.body, Env(model, state, a, p, failed=failed), ()):
                if target is BLOCKED:
                    yield a.name, p, step.name, None, fails
                    continue
                if target is None:
                    target = a.steps[i + 1].name if i + 1 < len(a.steps) else ir.DONE
                new = dict(new)
                new["pc"] = fn_set(new["pc"], p, target)
                yield a.name, p, step.name, new, fails


def freeze(state: dict):
    return tuple(sorted(state.items()))


def _key_state(state: dict):
    """A state as a totally ordered, canonical value (``freeze`` keeps frozensets, whose
    iteration order is not canonical)."""
    return tuple((k, _key(v)) for k, v in sorted(state.items()))


def _perm_value(v, m: dict):
    if isinstance(v, str):
        return m.get(v, v)
    if isinstance(v, Rec):
        return Rec(tuple((k, _perm_value(x, m)) for k, x in v.fields))
    if isinstance(v, Fn):
        return mkfn((_perm_value(k, m), _perm_value(x, m)) for k, x in v.pairs)
    if isinstance(v, frozenset):
        return frozenset(_perm_value(x, m) for x in v)
    if isinstance(v, Seq):
        return Seq(tuple(_perm_value(x, m) for x in v.items))
    return v


def _perms(model: ir.Model) -> list[dict]:
    groups = [c.atoms for c in model.consts if c.symmetric and c.atoms]
    out = []
    for combo in product(*(list(permutations(g)) for g in groups)):
        m = {}
        for g, p in zip(groups, combo):
            m.update(zip(g, p))
        out.append(m)
    return out


@dataclass
class RefResult:
    distinct: int
    depth: int
    violated: dict  # property -> length of the shortest counterexample (rows, as in traces)
    complete: bool
    # an evaluation error (division by zero, a function applied outside its domain, a value of
    # the wrong type): its message; ``violated`` then holds what was found before it
    error: str | None = None
    # leadsto property -> True when violated (only without symmetry, on a complete graph)
    leadsto: dict = field(default_factory=dict)
    states: list = field(default_factory=list, repr=False)  # the reachable states found

    def orbits(self, model: ir.Model) -> int:
        """How many orbits the states found make up under the permutations of the symmetric
        constant sets (the distinct count of a symmetry-reduced search, when the model is
        symmetric: its reachable states are then closed under the permutations)."""
        perms = _perms(model)
        return len({min(_key_state({k: _perm_value(v, m) for k, v in st.items()}) for m in perms)
                    for st in self.states})


_EVAL_ERRORS = (RefError, TypeError, KeyError, ValueError, ZeroDivisionError, AttributeError)


def explore(model: ir.Model, *, symmetry: bool = False, max_states: int = 20000) -> RefResult:
    """Breadth-first exploration by interpretation (see the module docstring). A state's
    invariants are checked when it is expanded, then its steps run in actor, process and
    branch order. An evaluation error ends the search (``RefResult.error``); what was found
    before it stays in ``violated``: the checks that failed in the steps run so far, and the
    invariants of the states found and not yet expanded (not those of the failing state's own
    successors). ``leadsto`` properties are decided on the state graph when ``symmetry`` is
    off."""
    model = lower_functions(model)
    perms = _perms(model) if symmetry else [{}]

    def key(state):
        if not symmetry:
            return freeze(state)
        return frozenset(freeze({k: _perm_value(v, m) for k, v in state.items()}) for m in perms)

    invariants = [p for p in model.properties if isinstance(p, ir.Invariant)]
    live = [p for p in model.properties if isinstance(p, ir.LeadsTo)] if not symmetry else []
    violated: dict = {}
    try:
        init = initial_state(model)
    except _EVAL_ERRORS as err:
        return RefResult(0, 0, violated, False, f"initial state: {err}")
    seen = {key(init): 0}
    states = [init]  # by index, in discovery order (the graph for liveness)
    edges: list = []  # edges[i]: [(j, the fairness unit of the step: (actor, proc, kind) or None)]
    step_of = {(a.name, s.name): (a, s) for a in model.actors for s in a.steps}
    level = [0]
    depth = 1
    while level:
        nxt = []
        for pos, i in enumerate(level):
            st = states[i]
            row = []
            edges.append(row)
            failed: list = []
            before = len(nxt)
            try:
                for inv in invariants:
                    if inv.name not in violated and not ev(inv.expr, Env(model, st)):
                        violated[inv.name] = depth
                any_step = False
                for a, p, sname, new, fails in successors(model, st, failed):
                    for prop, _msg in fails:
                        violated.setdefault(prop, depth + 1)
                    if new is None:
                        continue
                    any_step = True
                    k = key(new)
                    j = seen.get(k)
                    if j is None:
                        j = seen[k] = len(states)
                        states.append(new)
                        nxt.append(j)
                        if len(seen) > max_states:
                            return RefResult(len(seen), depth, violated, False)
                    actor, step = step_of[(a, sname)]
                    row.append((j, actor.fair_unit(step, p)))
            except _EVAL_ERRORS as err:
                # a check that failed before the error (in this state's steps) is a violation
                # found, as TLC reports it (it stops at the first failure)
                for prop in failed:
                    violated.setdefault(prop, depth + 1)
                # invariants hold of every state found: check those found but not expanded
                # (not this state's successors: its expansion did not complete)
                rest = [(j, depth) for j in level[pos + 1:]] + [(j, depth + 1) for j in nxt[:before]]
                _check_found(model, invariants, [(states[j], d) for j, d in rest], violated)
                return RefResult(len(seen), depth, violated, False, f"{type(err).__name__}: {err}")
            if not any_step and not model.allow_deadlock:
                pcs = [v for _, v in st["pc"].pairs]
                if any(v != ir.DONE for v in pcs):
                    violated.setdefault(ir.DEADLOCK, depth)
        level = nxt
        if nxt:
            depth += 1
    res = RefResult(len(seen), depth, violated, True, states=states)
    if live:
        try:
            res.leadsto = {p.name: _leadsto_violated(model, p, states, edges) for p in live}
        except _EVAL_ERRORS as err:
            res.error = f"leadsto: {type(err).__name__}: {err}"
    return res


def _check_found(model: ir.Model, invariants: list, found: list, violated: dict) -> None:
    """Check the invariants not yet violated on ``found`` (``(state, depth)``, in order),
    until an evaluation error (which the search already stopped on)."""
    for st, d in found:
        try:
            for inv in invariants:
                if inv.name not in violated and not ev(inv.expr, Env(model, st)):
                    violated[inv.name] = d
        except _EVAL_ERRORS:
            return


# ------------------------------------------------------------------ liveness


def _leadsto_violated(model: ir.Model, prop: ir.LeadsTo, states: list, edges: list) -> bool:
    """``P ~> Q`` under the actors' fairness (``WF``/``SF`` per fairness unit: a process of a
    fair actor and the kind of its steps, ``ir.Actor.fair_unit``), by the textbook definition
    on the state graph: violated when a reachable ``P && !Q`` state reaches, through ``~Q``
    states, a set of ``~Q`` states that a fair behaviour can stay in forever. Any state may
    stutter; a step that leaves the state unchanged is a stutter."""
    fair = model.fair_units()
    enabled = [frozenset(pr for j, pr in row if j != i and pr is not None) for i, row in enumerate(edges)]
    env0 = Env(model, states[0])
    doms = [[(var, x) for x in sorted(ev(dom, env0), key=_key)] for var, dom in prop.bound]
    for binding in product(*doms):
        def holds(e, st):
            env = Env(model, st)
            for var, x in binding:
                env = env.bind(var, x)
            return bool(ev(e, env))
        notq = {i for i, st in enumerate(states) if not holds(prop.q, st)}
        starts = [i for i in sorted(notq) if holds(prop.p, states[i])]
        if not starts:
            continue
        good = _fair_states(notq, edges, enabled, fair)
        # some P && !Q state reaches a fair set through ~Q states
        todo, seen = list(starts), set(starts)
        while todo:
            i = todo.pop()
            if i in good:
                return True
            for j, _ in edges[i]:
                if j in notq and j not in seen:
                    seen.add(j)
                    todo.append(j)
    return False


def _reach(nodes: set, edges: list, i: int) -> set:
    out, todo = {i}, [i]
    while todo:
        u = todo.pop()
        for v, _ in edges[u]:
            if v in nodes and v not in out:
                out.add(v)
                todo.append(v)
    return out


def _fair_states(nodes: set, edges: list, enabled: list, fair: list) -> set:
    """The states of ``nodes`` that lie in a strongly connected set (within ``nodes``) a fair
    behaviour can stay in forever (Emerson-Lei: a strongly fair process enabled somewhere in
    the set but never taken in it cuts the set to the states where it is disabled)."""
    reach = {i: _reach(nodes, edges, i) for i in nodes}
    out: set = set()
    done: set = set()
    for i in sorted(nodes):
        if i in done:
            continue
        comp = {j for j in reach[i] if i in reach[j]}
        done |= comp
        taken = {pr for u in comp for v, pr in edges[u] if v in comp and v != u}
        ok, cut = True, set()
        for pr, kind in fair:
            if pr in taken:
                continue
            off = {u for u in comp if pr not in enabled[u]}
            if kind == "weak" and not off:
                ok = False
            elif kind == "strong" and off != comp:
                ok = False
                cut.add(pr)
        if ok:
            out |= comp
        elif cut and all(kind == "strong" or pr in taken or any(pr not in enabled[u] for u in comp)
                         for pr, kind in fair):
            # only strong fairness failed: the behaviour may avoid the states enabling it
            rest = {u for u in comp if not (enabled[u] & cut)}
            if rest:
                out |= _fair_states(rest, edges, enabled, fair)
    return out
