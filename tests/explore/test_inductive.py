"""Inductive invariants (``movspec.explore.inductive``).

The enumeration of the states satisfying an invariant (conjuncts evaluated as soon as the
leaves they read are assigned) is compared with brute force: every type-correct state of a
small model, filtered by the reference interpreter, and its successors computed by the
reference interpreter too.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from movspec.explore.inductive import check_inductive, conjuncts, inductive_states
from movspec.explore.reference import Env, ev, mkfn, successors, type_values
from movspec.ir import nodes as ir
from movspec.ir.lower import lower_functions
from movspec.load import load, load_text
from movspec.result import Fn, Verdict

ROOT = Path(__file__).resolve().parents[2]

COUNTER = """
model counter "two workers each add one to a shared counter, atomically"
const W = {w1, w2}
var n: 0..3 = 0
var done: [W -> bool] = [x in W |-> false]
actor worker(self in W) {
    step add { n = n + 1  done[self] = true }
}
// n counts the finished workers: inductive
inductive Counted: n == |{x in W where done[x]}| && (forall x in W: done[x] <=> worker[x] at done)
// true in every reachable state, but not inductive: n == 2 with a worker still to run
inductive Bounded: n <= 2
// false initially
inductive Started: n > 0
"""

TOKEN = """
model token "a token passed around two holders and a spare slot; a local with no initial value"
const H = {h1, h2} symmetric
enum Slot { empty, full }
var slot: [H -> Slot] = [x in H |-> empty]
var free: set of H = {}
actor mover {
    local pos: H
    step take { pos = any H  await slot[pos] == empty }
    step put { slot[pos] = full  free = free | {pos} }
    step drop { slot[pos] = empty  free = free \\ {pos}  goto take }
}
// the local is only a holder while the mover is past `take`; `free` records what is full
inductive Tracked: (forall x in H: slot[x] == full <=> x in free)
    && (mover at {put, drop} => mover.pos in H)
    && (mover at drop => slot[mover.pos] == full)
    && (mover at put => slot[mover.pos] == empty)
    && (forall x in H: slot[x] == full => mover at drop && mover.pos == x)
// drops the facts about the local: `put` may then index `slot` with defaultInitValue
inductive Loose: forall x in H: slot[x] == full <=> x in free
"""


def model(text: str):
    res = load_text(text, "m.mspec")
    assert res.ok, [d.message for d in res.diagnostics]
    return next(iter(res.models.values()))


# ------------------------------------------------------------------ brute force oracle


def _all_states(m: ir.Model):
    """Every type-correct state (locals without an initial value may hold defaultInitValue)."""
    keys, choices = [], []
    for v in m.vars:
        keys.append(v.name)
        choices.append(_values(m, v.type))
    for a in m.actors:
        procs = m.procs(a)
        for loc in a.locals:
            vals = _values(m, loc.type) + ([ir.DEFAULT_INIT] if loc.init is None else [])
            keys.append(f"{a.name}.{loc.name}")
            choices.append([mkfn(zip(procs, c)) for c in product(vals, repeat=len(procs))])
    pcs = [(p, [s.name for s in a.steps] + [ir.DONE]) for a in m.actors for p in m.procs(a)]
    keys.append("pc")
    choices.append([mkfn(zip([p for p, _ in pcs], c)) for c in product(*[v for _, v in pcs])])
    for combo in product(*choices):
        yield dict(zip(keys, combo))


def _values(m, t):
    if isinstance(t, ir.FuncType):
        dom = type_values(m, t.domain)
        return [mkfn(zip(dom, c)) for c in product(_values(m, t.range), repeat=len(dom))]
    if isinstance(t, ir.SetType):
        elems = type_values(m, t.elem)
        return [frozenset(e for e, bit in zip(elems, bits) if bit) for bits in product((0, 1), repeat=len(elems))]
    return type_values(m, t)


def _canon(v):
    if isinstance(v, frozenset):
        return ("set", tuple(sorted(repr(_canon(x)) for x in v)))
    if isinstance(v, Fn):
        return ("fn", tuple((repr(_canon(k)), _canon(x)) for k, x in v.pairs))
    return v


def _freeze(state):
    return repr(sorted((k, _canon(v)) for k, v in state.items()))


def _oracle(m: ir.Model, name: str):
    """(states satisfying TypeOK /\\ Inv, is it closed under steps)."""
    inv = m.get_property(name).expr
    type_ok = m.get_property(ir.TYPE_OK).expr

    def holds(st):
        try:
            return ev(type_ok, Env(m, st)) and ev(inv, Env(m, st))
        except Exception:  # noqa: BLE001 - a state outside every function's domain
            return False

    good = [st for st in _all_states(m) if holds(st)]
    closed = True
    for st in good:
        try:
            for *_, new, _fails in successors(m, st):
                if new is not None and not holds(new):
                    closed = False
        except Exception:  # noqa: BLE001 - a step that cannot be evaluated from st
            closed = False
    return good, closed


@pytest.mark.parametrize("text, name", [(COUNTER, "Counted"), (COUNTER, "Bounded"), (TOKEN, "Tracked"),
                                        (TOKEN, "Loose")])
def test_enumeration_agrees_with_brute_force(text, name):
    m = model(text)
    expected, closed = _oracle(m, name)
    got = inductive_states(m, name)
    assert sorted(map(_freeze, got)) == sorted(map(_freeze, expected))
    verdict = check_inductive(m, names=[name])[name].verdict
    initial_ok = name != "Started"
    assert verdict is (Verdict.HOLDS if closed and initial_ok else Verdict.VIOLATED)


def test_inductive_invariant_holds():
    res = check_inductive(model(COUNTER))["Counted"]
    assert res.verdict is Verdict.HOLDS and res.kind == "inductive"
    assert "each of the 4 type-correct states" in res.message


def test_counterexample_to_induction():
    res = check_inductive(model(COUNTER))["Bounded"]
    assert res.verdict is Verdict.VIOLATED
    assert "step worker(w1).add leads to a state where `n <= 2` is false" in res.message
    first, step = res.trace.steps
    assert first.state["n"] == 2 and first.state["pc"] == Fn((("w1", "add"), ("w2", "add")))
    assert (step.proc, step.step, step.state["n"]) == ("w1", "add", 3)


def test_cti_says_whether_it_is_reachable():
    from movspec.explore import explore_graph

    m = model(COUNTER)
    res = check_inductive(m, graph=explore_graph(m))["Bounded"]
    assert "not reachable: strengthen the invariant to exclude it" in res.message


def test_initial_state_violation():
    res = check_inductive(model(COUNTER))["Started"]
    assert res.verdict is Verdict.VIOLATED
    assert res.message == "Started does not hold in the initial state: `n > 0` is false"


def test_step_that_cannot_be_evaluated_is_a_counterexample():
    res = check_inductive(model(TOKEN))["Loose"]
    assert res.verdict is Verdict.VIOLATED
    assert "a step cannot be evaluated from a state satisfying it" in res.message


def test_state_budget_gives_incomplete():
    res = check_inductive(model(COUNTER), max_states=2)["Counted"]
    assert res.verdict is Verdict.INCOMPLETE
    assert "2 states satisfying Counted checked" in res.message


def test_conjuncts_unroll_foralls_over_constants():
    m = model(COUNTER)
    parts = conjuncts(m, m.get_property("Counted").expr)
    assert len(parts) == 3  # the count, then the forall unrolled for w1 and w2
    assert all(isinstance(p, ir.Binary) for p in parts)


# ------------------------------------------------------------------ the protocol model


@pytest.fixture(scope="module")
def v4_8():
    res = load([str(ROOT / "spec"), str(ROOT / "proofs")])
    assert res.ok, [d.message for d in res.errors]
    return res.models["v4_8"]


@pytest.mark.slow
def test_locked_protocol_is_inductive_for_v4_8(v4_8):
    from movspec.explore import explore_graph

    res = check_inductive(v4_8)["LockedProtocol"]
    assert res.verdict is Verdict.HOLDS, res.message
    assert "67,832 type-correct states" in res.message
    # a consequence to cross-check: every reachable state satisfies it
    low = lower_functions(v4_8)
    g = explore_graph(low)
    expr = low.get_property("LockedProtocol").expr
    for s in g.states[::97]:
        assert ev(expr, Env(low, g.comp.layout.state(g.comp.dec(s))))


def test_weakened_locked_protocol_has_a_counterexample_at_rel_put(v4_8):
    from dataclasses import replace

    prop = v4_8.get_property("LockedProtocol")
    parts = conjuncts(v4_8, prop.expr)
    # drop `owner at rel_put => !owned[owner.q]`
    keep = [p for p in parts if not (isinstance(p, ir.Binary) and p.op == "=>" and isinstance(p.left, ir.At)
                                     and p.left.steps == ("rel_put",))]
    assert len(keep) == len(parts) - 1
    expr = keep[0]
    for p in keep[1:]:
        expr = ir.Binary("&&", expr, p)
    weak = replace(v4_8, properties=(v4_8.get_property(ir.TYPE_OK), ir.Inductive("Weak", expr)))
    res = check_inductive(weak)["Weak"]
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.steps[-1].step == "rel_put"
    assert res.trace.steps[0].state["pc"].get("owner") == "rel_put"


def test_counterexample_to_induction_is_not_told_as_a_run_from_the_initial_state():
    from rich.console import Console

    from movspec.report.explain import explain_text
    from movspec.report.lanes import lanes_table

    m = model(COUNTER)
    res = check_inductive(m)["Bounded"]
    assert res.trace.start == "assumed"
    console = Console(width=120, record=True, color_system=None)
    console.print(lanes_table(res.trace, m))
    lanes = console.export_text()
    assert "assumed" in lanes and "initial" not in lanes
    story = explain_text(res, m)
    assert "counterexample to induction" in story and "Initially" not in story


# ------------------------------------------------------------------ the reachable graph as a shortcut

# An atom (`zz`, of an enum only a property names) that the inductive check's own compilation
# (TypeOK and the invariant alone) would not see: its codes, and the packed states, would then
# differ from the reachable graph's unless the atoms are coded as in the whole model.
SHIFTED = """
model shifted "a property-only enum shifts the atom codes"
const W = {w1, w2}
enum Other { zz, yy }
var st: [W -> 0..2] = [x in W |-> 0]
var mode: {on, off} = off
actor worker(self in W) {
    step go { st[self] = 1 }
}
actor flip {
    step f { mode = on }
}
invariant Named: forall o in Other: o != zz || mode == off || mode == on
inductive Ok: (forall x in W: st[x] == 0 <=> worker[x] at go) && (mode == on <=> flip at done)
inductive Loose: forall x in W: st[x] <= 1
// false in a reachable state: both workers done
inductive Early: |{x in W where st[x] == 1}| <= 1
"""


def _counting(m, name, graph):
    """The check of ``name`` with the successor function counted: (verdict, message, calls)."""
    from movspec.explore.inductive import _Induction

    ind = _Induction(m, m.get_property(name), None, None, graph)
    succ, calls = ind.comp.succ_labeled, [0]

    def counted(*a):
        calls[0] += 1
        return succ(*a)
    ind.comp.succ_labeled = counted
    res = ind.run()
    return res.verdict, res.message, calls[0]


def test_the_graph_and_the_inductive_check_pack_states_alike():
    from movspec.explore import explore_graph
    from movspec.explore.compile import compile_model, same_encoding
    from movspec.explore.inductive import _Induction
    from dataclasses import replace

    m = model(SHIFTED)
    g = explore_graph(m)
    alone = compile_model(replace(m, properties=(m.get_property(ir.TYPE_OK), m.get_property("Ok"))))
    assert not same_encoding(g.comp, alone)  # the case the shared atom codes are for
    ind = _Induction(m, m.get_property("Ok"), None, None, g)
    assert same_encoding(g.comp, ind.comp)
    assert ind._usable_graph() is g.index


@pytest.mark.parametrize("name", ["Ok", "Loose", "Early"])
def test_the_graph_changes_no_verdict_and_spares_the_reachable_states(name):
    from movspec.explore import explore_graph

    m = model(SHIFTED)
    g = explore_graph(m)
    without = _counting(m, name, None)
    with_graph = _counting(m, name, g)
    expected, closed = _oracle(m, name)
    assert without[0] is with_graph[0] is (Verdict.HOLDS if closed else Verdict.VIOLATED)
    if name == "Ok":
        # every reachable state satisfies Ok: only the unreachable ones are stepped from
        assert without[2] == len(expected)
        assert with_graph[2] == len(expected) - len(g.states)
        assert len(g.states) < len(expected)
    if name == "Early":  # reachable states outside the invariant: the same counterexample as without
        assert with_graph[1] == without[1].replace("not known to be reachable",
                                                   "not reachable: strengthen the invariant to exclude it")


def test_an_incomplete_graph_is_no_shortcut():
    from movspec.explore import explore_graph

    m = model(SHIFTED)
    full, cut = explore_graph(m), explore_graph(m, max_states=3)
    assert not cut.complete
    assert _counting(m, "Ok", cut)[2] == _counting(m, "Ok", None)[2] > _counting(m, "Ok", full)[2]
