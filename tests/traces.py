"""Replaying a counterexample, from either back end, through the reference interpreter (the
test oracle): the check that a trace is an execution of the model and, for a lasso, that it
loops back to the state it says."""

from __future__ import annotations

import re

from movspec.ir.lower import lower_functions
from movspec.result import Fn, Rec

_COPY = re.compile(r"#\d+$")  # the copy of a function's step per return site (ir/lower.py)


def _norm(v):
    if isinstance(v, Fn):
        return ("fn", tuple(sorted(((repr(_norm(k)), _norm(x)) for k, x in v.pairs))))
    if isinstance(v, Rec):
        return ("rec", tuple((k, _norm(x)) for k, x in v.fields))
    if isinstance(v, frozenset):
        return ("set", tuple(sorted(repr(_norm(x)) for x in v)))
    if isinstance(v, str):
        return _COPY.sub("", v)
    return v


def _nstate(st, keys=None):
    """``st`` normalised, on ``keys`` only when given (a TLC state names no function local)."""
    return {k: _norm(v) for k, v in st.items() if keys is None or k in keys}


def _step(name):
    return None if name is None else _COPY.sub("", name)


def assert_trace_is_an_execution(model, prop) -> list:
    """The first row is an initial state, and each row follows from the previous one by the
    actor, process and step it names (a failing last row by a step that fails that
    property). Functions are replayed on the model with its functions inlined, as the
    builtin checker explores it. A lasso's last state is the state it loops back to.
    Returns the reference's whole states along the trace (a TLC row leaves the function
    locals out: of the replays that match, one whose loop closes on whole states)."""
    from movspec.explore import reference
    rows = prop.trace.steps
    m = lower_functions(model) if model.functions else model
    keys = set(rows[0].state)
    assert _nstate(rows[0].state) == _nstate(reference.initial_state(m), keys)
    # the replays that match so far, each the whole states from the first row
    paths = [(reference.initial_state(m),)]
    loop = prop.trace.loop_start
    for n, row in enumerate(rows[1:], 1):
        want = (row.actor, row.proc, _step(row.step))
        if row.state is None:
            assert any((a, p, _step(s)) == want and any(f[0] == prop.name for f in fails)
                       for path in paths for a, p, s, _new, fails in reference.successors(m, path[-1])), \
                (prop.name, n, row.step)
            continue
        # one path per distinct last state: which replay reached it matters only for the loop
        # check below, and only through the state at the loop's start
        nxt: dict = {}
        for path in paths:
            for a, p, s, new, _f in reference.successors(m, path[-1]):
                if (a, p, _step(s)) == want and new is not None and _nstate(new, keys) == _nstate(row.state):
                    start = path[loop] if loop is not None and loop < len(path) else None
                    nxt.setdefault(repr(sorted(_nstate(new).items())) + repr(start and sorted(_nstate(start).items())),
                                   path + (new,))
        paths = list(nxt.values())
        assert paths, (prop.name, n, row.actor, row.proc, row.step)
    if loop is not None:
        assert _nstate(rows[loop].state) == _nstate(rows[-1].state), (prop.name, "the lasso does not close")
        closed = [path for path in paths if _nstate(path[loop]) == _nstate(path[-1])]
        paths = closed or paths
    return list(paths[0])


def lasso_problems(model, prop, result) -> list[str]:
    """What is wrong with the counterexample ``result`` gives for the ``leadsto`` property
    ``prop`` (empty: nothing), judged by the reference interpreter alone: it must be an
    execution; for some binding of the bound variables, a state satisfying the left side
    must be followed by right-side-false states to the end; the loop must be fair to each
    fairness unit (a process of a fair actor and the kind of its steps, ``unfair`` steps in
    none): a weakly fair unit takes a step in it or is disabled at one of its states, a
    strongly fair one takes a step in it or is disabled at all of them (a loop of no steps,
    stuttering, needs every fair unit disabled there)."""
    from itertools import product

    from movspec.explore import reference
    from movspec.explore.reference import Env, ev
    got = result.property(prop.name)
    trace = got.trace
    if trace is None or trace.loop_start is None:
        return [f"{prop.name}: the counterexample is not a lasso"]
    try:
        states = assert_trace_is_an_execution(model, got)
    except AssertionError as err:
        return [f"{prop.name}: not an execution of the model: {err}"]
    m = lower_functions(model) if model.functions else model
    env0 = Env(m, states[0])
    doms = [[(var, x) for x in ev(dom, env0)] for var, dom in prop.bound]

    def holds(e, st, binding):
        env = Env(m, st)
        for var, x in binding:
            env = env.bind(var, x)
        return bool(ev(e, env))

    if not any(any(holds(prop.p, states[k], b) and not any(holds(prop.q, st, b) for st in states[k:])
                   for k in range(len(states)))
               for b in product(*doms)):
        return [f"{prop.name}: no state satisfies the left side with the right side false from there on"]
    loop = trace.loop_start
    cycle_states = states[loop:]
    steps = {(a.name, _step(s.name)): (a, s) for a in m.actors for s in a.steps}

    def unit(actor, proc, step):
        """The fairness unit of a step (``ir.Actor.fair_unit``): generated and function steps
        carry their step's mark, copies of a function's step (``#k``) the same one."""
        a, s = steps[(actor, _step(step))]
        return a.fair_unit(s, proc)

    taken = {unit(row.actor, row.proc, row.step) for row in trace.steps[loop + 1:]}
    out = []
    for u, kind in m.fair_units():
        if u in taken:
            continue
        off = [not any(unit(sa, sp, sn) == u and new is not None and _nstate(new) != _nstate(st)
                       for sa, sp, sn, new, _fails in reference.successors(m, st))
               for st in cycle_states]
        strong = kind != "weak" and len(cycle_states) > 1
        if not (all(off) if strong else any(off)):
            out.append(f"{prop.name}: the loop is not fair to {u[0]}({u[1]}) ({kind} fairness of its "
                       f"{'steps' if kind == m.actor(u[0]).fairness else 'fair+ steps'})")
    return out
