"""Inductive invariants: checked over every type-correct state, not only the reachable ones.

Contract
--------
``check_inductive(model, *, max_states=..., timeout=None, graph=None)
-> dict[name, PropertyResult]`` decides every ``ir.Inductive`` property ``Inv`` of ``model``
(kind ``"inductive"``) within the model's bounds: its constants (how many pages, CPUs) and the
declared types of its variables, locals and program counters. With ``TypeOK`` the built-in
type invariant, it holds when

* every initial state satisfies ``TypeOK /\\ Inv``, and
* every step from every state satisfying ``TypeOK /\\ Inv`` leads to a state satisfying
  ``TypeOK /\\ Inv`` (and can be evaluated: a step that applies a function outside its
  domain from such a state means ``Inv`` does not rule that state out).

Together the two say that ``TypeOK /\\ Inv`` holds in every reachable state whatever the
search depth, and that it is closed under the model's steps: the stepping stone to a proof for
all sizes. It proves nothing beyond the bounds (two pages are not three).

How: the states satisfying ``TypeOK /\\ Inv`` are enumerated, not the whole type-correct space
(10^11 states for the movable-page model). ``Inv`` is split into conjuncts (top-level ``&&``
and ``forall`` over constant sets, unrolled); each conjunct reads a few *leaves* of the state
(one bool, integer, atom, set or program counter each, the embedded checker's layout), found
by a conservative static analysis. Leaves are assigned one at a time, and a conjunct is
evaluated (compiled, on the packed state) as soon as every leaf it reads has a value, which
prunes the search. Each complete assignment is a state satisfying ``TypeOK /\\ Inv``; its
successors come from the compiled successor function. More than ``max_states`` such states,
or more than ``timeout`` seconds, give INCOMPLETE with the count reached, never HOLDS.

A counterexample to induction is two rows: a state satisfying ``Inv`` (not necessarily
reachable: the message says whether it is, when the reachable graph is given) and the step
from it to a state that violates ``Inv`` (the message names the first conjunct violated) or
``TypeOK``. No symmetry reduction.
"""

from __future__ import annotations

import time
from dataclasses import replace
from itertools import combinations

from ..ir import nodes as ir
from ..ir.printer import expr_str
from ..ir.walk import literal, substitute
from ..result import PropertyResult, Trace, TraceStep, Verdict, diff_states
from .compile import compile_model
from .layout import CompileError, EvalError, default_sentinel
from .reference import Env, RefError, ev
from .graph import StateGraph

KIND = "inductive"
DEFAULT_MAX_STATES = 2_000_000


def inductive_states(model: ir.Model, name: str, limit: int | None = None) -> list[dict]:
    """The type-correct states satisfying inductive property ``name``, as plain states
    (``result.State``), in enumeration order; at most ``limit``. For tests and inspection."""
    prop = model.get_property(name)
    ind = _Induction(model, prop, None, None, None)
    out = []
    for _W, s in ind.candidates():
        out.append(ind.layout.state(ind.comp.dec(s)))
        if limit is not None and len(out) >= limit:
            break
    return out


def check_inductive(model: ir.Model, *, max_states: int | None = DEFAULT_MAX_STATES,
                    timeout: float | None = None, graph: StateGraph | None = None,
                    names: list[str] | None = None) -> dict[str, PropertyResult]:
    props = [p for p in model.properties if isinstance(p, ir.Inductive)
             and (names is None or p.name in names)]
    out = {}
    for p in props:
        try:
            out[p.name] = _Induction(model, p, max_states, timeout, graph).run()
        except (CompileError, RefError) as err:
            out[p.name] = PropertyResult(p.name, KIND, Verdict.ERROR, f"cannot check {p.name}: {err}")
    return out


# --------------------------------------------------------------------------- expressions


def _static(e) -> bool:
    """True when ``e`` reads no state and no bound variable."""
    if isinstance(e, (ir.VarRef, ir.LocalRef, ir.At, ir.BoundRef, ir.SelfRef)):
        return False
    if isinstance(e, tuple):
        return all(_static(x) for x in e)
    if hasattr(e, "__dataclass_fields__") and not isinstance(e, (ir.RecordType, ir.FuncType, ir.SetType,
                                                                  ir.AtomType, ir.IntType, ir.BoolType)):
        return all(_static(getattr(e, f)) for f in e.__dataclass_fields__ if f != "span")
    return True


def _unroll(model: ir.Model, e, body_of) -> list | None:
    """``[body[var := v] for v in domain]`` for a binder over a static domain of scalars."""
    if not _static(e.domain):
        return None
    vals = sorted(ev(e.domain, Env(model, {})), key=repr)
    lits = [literal(model, v) for v in vals]
    if any(l is None for l in lits):
        return None
    return [substitute(body_of(e), e.var, l) for l in lits]


def conjuncts(model: ir.Model, e) -> list:
    """``e`` split at ``&&`` and at ``forall`` over constant sets (bound variables replaced by
    literals)."""
    if isinstance(e, ir.Binary) and e.op == "&&":
        return conjuncts(model, e.left) + conjuncts(model, e.right)
    if isinstance(e, ir.Quant) and e.kind == "forall":
        parts = _unroll(model, e, lambda q: q.body)
        if parts is not None:
            return [c for p in parts for c in conjuncts(model, p)]
    return [e]


class _Deps:
    """Which leaves of the layout an expression may read (over-approximated)."""

    def __init__(self, model: ir.Model, layout, atoms):
        self.model = model
        self.layout = layout
        self.atoms = atoms
        self.by_root: dict[str, list] = {}
        for leaf in layout.leaves:
            self.by_root.setdefault(leaf.root, []).append(leaf)

    def code(self, v):
        if isinstance(v, str):
            return self.atoms.code(v)
        return v

    def _select(self, leaves, path: list) -> set[int]:
        out = set()
        for leaf in leaves:
            ok = True
            for k, sel in enumerate(path):
                if sel is None:
                    break
                if k >= len(leaf.path):
                    break
                step = leaf.path[k]
                if sel[0] != step[0] or step[1] != sel[1]:
                    ok = False
                    break
            if ok:
                out.add(leaf.index)
        return out

    def of(self, e) -> set[int]:
        env = Env(self.model, {})
        if isinstance(e, (ir.Field, ir.Index, ir.VarRef)):
            chain = []
            x = e
            extra: set[int] = set()
            while isinstance(x, (ir.Field, ir.Index)):
                if isinstance(x, ir.Field):
                    chain.append(("f", x.name))
                else:
                    extra |= self.of(x.index)
                    chain.append(("k", self.code(ev(x.index, env))) if _static(x.index) else None)
                x = x.base
            chain.reverse()
            if isinstance(x, ir.VarRef):
                return extra | self._select(self.by_root.get(x.name, []), chain)
            return extra | self.of(x) | set()
        if isinstance(e, ir.LocalRef):
            leaves = self.by_root.get(f"{e.actor}.{e.name}", [])
            if e.proc is not None and _static(e.proc):
                return self._select(leaves, [("k", self.code(ev(e.proc, env)))])
            return {l.index for l in leaves} | (self.of(e.proc) if e.proc is not None else set())
        if isinstance(e, ir.At):
            leaves = [l for l in self.by_root.get("pc", []) if l.actor == e.actor]
            if e.proc is not None and _static(e.proc):
                return self._select(leaves, [("k", self.code(ev(e.proc, env)))])
            return {l.index for l in leaves} | (self.of(e.proc) if e.proc is not None else set())
        if isinstance(e, (ir.Quant, ir.SetFilter, ir.FuncLit)):
            body = e.body if not isinstance(e, ir.SetFilter) else e.cond
            parts = _unroll(self.model, e, lambda q: body)
            if parts is not None:
                return self.of(e.domain) | set().union(*(self.of(p) for p in parts)) if parts else set()
            return self.of(e.domain) | self.of(body)
        if isinstance(e, tuple):
            return set().union(*(self.of(x) for x in e)) if e else set()
        if isinstance(e, (ir.RecordType, ir.FuncType, ir.SetType, ir.AtomType, ir.IntType, ir.BoolType)):
            return set()
        if hasattr(e, "__dataclass_fields__"):
            out: set[int] = set()
            for f in e.__dataclass_fields__:
                if f != "span":
                    out |= self.of(getattr(e, f))
            return out
        return set()


# --------------------------------------------------------------------------- the check


class _Induction:
    def __init__(self, model: ir.Model, prop: ir.Inductive, max_states, timeout, graph):
        self.model = model
        self.prop = prop
        self.max_states = max_states
        self.timeout = timeout
        self.graph = graph
        self.parts = conjuncts(model, prop.expr)
        type_ok = model.get_property(ir.TYPE_OK)
        invs = [ir.Invariant(ir.TYPE_OK, type_ok.expr), ir.Invariant("_inv", prop.expr)]
        invs += [ir.Invariant(f"_c{k}", c) for k, c in enumerate(self.parts)]
        aux = replace(model, properties=tuple(invs) + tuple(
            p for p in model.properties if isinstance(p, ir.AssertProperty)))
        self.comp = compile_model(aux, symmetry=False)
        self.fns = self.comp.inv_fns
        self.layout = self.comp.layout

    # ---------------------------------------------------------------- leaf values
    def _domain(self, leaf) -> list:
        lay, atoms = self.layout, self.comp.atoms
        no_init = False
        if leaf.kind != "pc" and "." in leaf.root:
            actor, name = leaf.root.split(".", 1)
            loc = self.model.actor(actor).local(name)
            no_init = loc is not None and loc.init is None
        t = leaf.type
        if leaf.kind == "pc":
            return list(range(len(self.model.actor(leaf.actor).steps) + 1))
        if leaf.kind == "bool":
            return [False, True] + ([2] if no_init else [])
        if leaf.kind == "int":
            return list(range(t.lo, t.hi + 1)) + ([default_sentinel(t)] if no_init else [])
        if leaf.kind == "atom":
            return [atoms.code(a) for a in t.atoms] + ([atoms.code(ir.DEFAULT_INIT)] if no_init else [])
        if leaf.kind == "set":
            elems = [u for u in leaf.universe if not (isinstance(t.elem, ir.AtomType)
                                                      and u == atoms.code(ir.DEFAULT_INIT)
                                                      and ir.DEFAULT_INIT not in t.elem.atoms)]
            return [frozenset(c) for n in range(len(elems) + 1) for c in combinations(elems, n)]
        raise CompileError(f"cannot enumerate leaf {lay.leaf_name(leaf)}")

    def _order(self, deps: list[set[int]]) -> list[int]:
        """Leaves in an order that completes conjuncts early: repeatedly the leaf that
        completes the most conjuncts, then the one read by the most unfinished ones."""
        n = len(self.layout.leaves)
        left = set(range(n))
        remaining = [set(d) for d in deps]
        order = []
        while left:
            def score(i):
                done = sum(1 for r in remaining if r == {i})
                touch = sum(1 for r in remaining if i in r)
                return (done, touch, -len(self.domains[i]), -i)
            best = max(left, key=score)
            order.append(best)
            left.discard(best)
            for r in remaining:
                r.discard(best)
        return order

    def run(self) -> PropertyResult:
        p, comp, lay = self.prop, self.comp, self.layout
        t0 = time.perf_counter()
        typeok, inv = self.fns[0], self.fns[1]
        # the initial states
        for s in comp.init_states:
            W = comp.dec(s)
            if not typeok(W) or not inv(W):
                which = self._failed_part(W)
                msg = f"{p.name} does not hold in the initial state: {which}"
                return PropertyResult(p.name, KIND, Verdict.VIOLATED, msg,
                                      Trace((TraceStep(None, None, None, None, None, lay.state(W)),)))
        count = 0
        deadline = None if self.timeout is None else t0 + self.timeout
        cov = [0] * len(comp.steps)
        found = None
        stop = None
        dec = comp.dec
        for W, s in self.candidates():
            count += 1
            Ws = dec(s)
            out: list = []
            try:
                comp.succ_labeled(s, Ws, out, [], cov)
            except (EvalError, ArithmeticError, TypeError, KeyError, IndexError, ValueError) as err:
                found = ("error", s, None, None, err)
                break
            for t, sid in out:
                try:
                    Wt = dec(t)
                    good = typeok(Wt) and inv(Wt)
                except (EvalError, ArithmeticError, TypeError, KeyError, IndexError, ValueError):
                    good = False
                if not good:
                    found = ("step", s, t, sid, None)
                    break
            if found:
                break
            if self.max_states is not None and count >= self.max_states:
                stop = f"state budget of {self.max_states:,} states satisfying {p.name} reached"
                break
            if deadline is not None and count & 1023 == 0 and time.perf_counter() > deadline:
                stop = f"time budget of {self.timeout:g}s reached"
                break
        secs = time.perf_counter() - t0
        if found:
            return self._cti(found, count)
        if stop:
            return PropertyResult(p.name, KIND, Verdict.INCOMPLETE,
                                  f"{count:,} states satisfying {p.name} checked, no counterexample to "
                                  f"induction so far ({stop}; {secs:.1f}s)")
        return PropertyResult(p.name, KIND, Verdict.HOLDS,
                              f"{p.name} is inductive within the model's bounds: the initial state satisfies "
                              f"it, and every step from each of the {count:,} type-correct states satisfying "
                              f"it leads to such a state ({secs:.1f}s)")

    def candidates(self):
        """Every type-correct state satisfying the property, as ``(W, s)``: the leaf list (the
        same list object, refilled: copy it to keep it) and the packed state, built up leaf by
        leaf along the search (each leaf's code is added once per value, not packed anew per
        state), in a fixed order."""
        comp, lay = self.comp, self.layout
        self.domains = [self._domain(l) for l in lay.leaves]
        dd = _Deps(self.model, lay, comp.atoms)
        deps = [dd.of(c) for c in self.parts]
        order = self._order(deps)
        pos = {leaf: k for k, leaf in enumerate(order)}
        cfns = self.fns[2:]
        checks: list[list] = [[] for _ in order]
        constant = []
        for k, d in enumerate(deps):
            if not d:
                constant.append(cfns[k])
            else:
                checks[max(pos[i] for i in d)].append(cfns[k])
        W = list(comp.dec(comp.init_states[0]))
        if any(not f(W) for f in constant):
            return
        n = len(order)
        domains = [self.domains[i] for i in order]
        lens = [len(d) for d in domains]
        # each value's share of the packed state
        codes = [[lay.leaf_code(lay.leaves[order[k]], v) << lay.leaves[order[k]].offset for v in domains[k]]
                 for k in range(n)]
        acc = [0] * (n + 1)  # acc[k + 1]: the packed bits of the leaves order[0..k]
        last = n - 1
        # iterative depth-first search over the leaves in `order`
        idx = [0] * n
        k = 0
        while k >= 0:
            i = idx[k]
            if i >= lens[k]:
                idx[k] = 0
                k -= 1
                if k >= 0:
                    idx[k] += 1
                continue
            W[order[k]] = domains[k][i]
            acc[k + 1] = acc[k] | codes[k][i]
            for f in checks[k]:
                if not f(W):
                    break
            else:
                if k < last:
                    k += 1
                    continue
                yield W, acc[n]
            idx[k] = i + 1

    # ---------------------------------------------------------------- reporting
    def _failed_part(self, W) -> str:
        if not self.fns[0](W):
            return "`TypeOK` is false"
        for k, f in enumerate(self.fns[2:]):
            try:
                if not f(W):
                    return f"`{expr_str(self.parts[k], self.model)}` is false"
            except Exception:  # noqa: BLE001 - locating the failing piece
                return f"`{expr_str(self.parts[k], self.model)}` cannot be evaluated"
        return f"`{self.prop.name}` is false"

    def _reachable(self, s) -> str:
        g = self.graph
        if g is None:
            return "not known to be reachable"
        return ("reachable: the property is also violated as an invariant" if s in g.index
                else "not reachable: strengthen the invariant to exclude it")

    def _cti(self, found, count: int) -> PropertyResult:
        kind, s, t, sid, err = found
        p, comp, lay = self.prop, self.comp, self.layout
        first = lay.state(comp.dec(s))
        rows = [TraceStep(None, None, None, None, None, first)]
        if kind == "error":
            msg = (f"{p.name} is not inductive: a step cannot be evaluated from a state satisfying it "
                   f"({err}); the state ({self._reachable(s)}) is shown")
            return PropertyResult(p.name, KIND, Verdict.VIOLATED, msg, Trace(tuple(rows), start="assumed"))
        info = comp.steps[sid]
        who = info.proc if info.proc == info.actor.name else f"{info.actor.name}({info.proc})"
        try:
            Wt = comp.dec(t)
            after = lay.state(Wt)
            why = self._failed_part(Wt)
        except (EvalError, ArithmeticError, TypeError, KeyError, IndexError, ValueError) as e:
            after, why = None, f"a value is beyond the model's types ({e})"
        rows.append(TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor, info.step.span,
                              after, diff_states(first, after) if after is not None else ()))
        msg = (f"{p.name} is not inductive: from a state satisfying it ({self._reachable(s)}), step "
               f"{who}.{info.step.name} leads to a state where {why} "
               f"(counterexample to induction found after {count:,} states)")
        return PropertyResult(p.name, KIND, Verdict.VIOLATED, msg, Trace(tuple(rows), start="assumed"))
