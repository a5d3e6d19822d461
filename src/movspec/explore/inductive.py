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
evaluated as soon as every leaf it reads has a value, which prunes the search. The search is
generated code (``_Induction._enumerator``): one nested loop per leaf, the conjuncts' compiled
sources inlined in the loop of the last leaf each reads, the packed state built up as the
leaves are assigned. Each complete assignment is a state satisfying ``TypeOK /\\ Inv``; its
successors come from the compiled successor function. More than ``max_states`` such states,
or more than ``timeout`` seconds, give INCOMPLETE with the count reached, never HOLDS.

Two orders. The fast one takes a leaf that a conjunct defines (``leaf == e``, ``b <=> e``)
right after the leaves ``e`` reads, computed instead of enumerated; it enumerates the same
states, keeps them, and a successor found among them needs only ``TypeOK``. When it finds
nothing wrong the property holds. Otherwise (or at the state budget) the reference order,
which checks each state's successors as it enumerates, finds the counterexample reported:
the first one in that order, whichever pass found a problem.

A counterexample to induction is two rows: a state satisfying ``Inv`` (not necessarily
reachable: the message says whether it is, when the reachable graph is given) and the step
from it to a state that violates ``Inv`` (the message names the first conjunct violated) or
``TypeOK``. No symmetry reduction.
"""

from __future__ import annotations

import time
from dataclasses import replace
from itertools import combinations

from .listcodes import all_lists
from ..ir import nodes as ir
from ..ir.lower import lower_functions
from ..ir.printer import expr_str
from ..ir.walk import literal, substitute
from ..result import PropertyResult, Trace, TraceStep, Verdict, diff_states
from .codegen import Ctx
from .compile import Compiled, Expressions, compile_model, same_encoding
from .layout import default_sentinel
from .domains import RUNTIME_ERRORS, CompileError, EvalError
from .graph import StateGraph

KIND = "inductive"
DEFAULT_MAX_STATES = 2_000_000
_LOOPS_PER_FUNCTION = 15  # CPython allows 20 statically nested blocks in one function
_MEMO_MAX = 3_000_000  # successor verdicts remembered (cleared beyond)


def inductive_states(model: ir.Model, name: str, limit: int | None = None) -> list[dict]:
    """The type-correct states satisfying inductive property ``name``, as plain states
    (``result.State``), in enumeration order; at most ``limit``. For tests and inspection."""
    prop = model.get_property(name)
    ind = _Induction(model, prop, None, None, None)
    out: list[dict] = []

    def visit(s) -> bool:
        out.append(ind.layout.state(ind.comp.dec(s)))
        return limit is not None and len(out) >= limit

    ind.enumerate(ind.order(fast=False), visit)
    return out


def check_inductive(model: ir.Model, *, max_states: int | None = DEFAULT_MAX_STATES,
                    timeout: float | None = None, graph: StateGraph | None = None,
                    names: list[str] | None = None) -> dict[str, PropertyResult]:
    model = lower_functions(model)  # itself when it has none; the frames come with it
    props = [p for p in model.properties if isinstance(p, ir.Inductive)
             and (names is None or p.name in names)]
    out = {}
    for p in props:
        try:
            out[p.name] = _Induction(model, p, max_states, timeout, graph).run()
        except (CompileError, EvalError) as err:
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


def _unroll(model: ir.Model, value, e, body_of) -> list | None:
    """``[body[var := v] for v in domain]`` for a binder over a static domain of scalars;
    ``value``: the plain value of a constant expression (``Compiled.value``)."""
    if not _static(e.domain):
        return None
    vals = sorted(value(e.domain), key=repr)
    lits = [literal(model, v) for v in vals]
    if any(l is None for l in lits):
        return None
    return [substitute(body_of(e), e.var, l) for l in lits]


def conjuncts(model: ir.Model, e, value=None) -> list:
    """``e`` split at ``&&`` and at ``forall`` over constant sets (bound variables replaced by
    literals). ``value``: how constant domains are evaluated (default: compiled for ``model``)."""
    value = value or Expressions(model).value
    if isinstance(e, ir.Binary) and e.op == "&&":
        return conjuncts(model, e.left, value) + conjuncts(model, e.right, value)
    if isinstance(e, ir.Quant) and e.kind == "forall":
        parts = _unroll(model, value, e, lambda q: q.body)
        if parts is not None:
            return [c for p in parts for c in conjuncts(model, p, value)]
    return [e]


class _Deps:
    """Which leaves of the layout an expression may read (over-approximated)."""

    def __init__(self, model: ir.Model, layout, atoms, value):
        self.model = model
        self.layout = layout
        self.atoms = atoms
        self.value = value
        self.by_root: dict[str, list] = {}
        for leaf in layout.leaves:
            self.by_root.setdefault(leaf.root, []).append(leaf)

    def code(self, e):
        v = self.value(e)
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
        if isinstance(e, (ir.Field, ir.Index, ir.VarRef)):
            chain = []
            x = e
            extra: set[int] = set()
            while isinstance(x, (ir.Field, ir.Index)):
                if isinstance(x, ir.Field):
                    chain.append(("f", x.name))
                else:
                    extra |= self.of(x.index)
                    chain.append(("k", self.code(x.index)) if _static(x.index) else None)
                x = x.base
            chain.reverse()
            if isinstance(x, ir.VarRef):
                return extra | self._select(self.by_root.get(x.name, []), chain)
            return extra | self.of(x) | set()
        if isinstance(e, ir.LocalRef):
            leaves = self.by_root.get(f"{e.actor}.{e.name}", [])
            if e.proc is not None and _static(e.proc):
                return self._select(leaves, [("k", self.code(e.proc))])
            return {l.index for l in leaves} | (self.of(e.proc) if e.proc is not None else set())
        if isinstance(e, ir.At):
            leaves = [l for l in self.by_root.get("pc", []) if l.actor == e.actor]
            if e.proc is not None and _static(e.proc):
                return self._select(leaves, [("k", self.code(e.proc))])
            return {l.index for l in leaves} | (self.of(e.proc) if e.proc is not None else set())
        if isinstance(e, (ir.Quant, ir.SetFilter, ir.FuncLit)):
            body = e.body if not isinstance(e, ir.SetFilter) else e.cond
            parts = _unroll(self.model, self.value, e, lambda q: body)
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


def frame_conditions(model: ir.Model) -> ir.Expr:
    """The conjunction of ``model.frames``: in each process, a function's parameter, local or
    kept result holds its between-calls value unless the process is where it is live. They
    hold in every reachable state (``ir.Frame``) and are closed under every step, so an
    inductive invariant is checked together with them: a type-correct state in which a
    function's parameter has a value while the process is outside the function is no state
    of the model, and would otherwise multiply the states to enumerate (and offer
    counterexamples to induction that no process can be in)."""
    parts: list[ir.Expr] = []
    for fr in model.frames:
        a = model.actor(fr.actor)
        procs = [ir.AtomLit(a.name, "enum")] if a.proc_set is None else [
            literal(model, v) for v in model.const(a.proc_set).atoms]
        for proc in procs:
            keep = ir.Binary("==", ir.LocalRef(a.name, fr.local, proc), fr.rest)
            parts.append(ir.Binary("||", ir.At(a.name, proc, fr.live), keep) if fr.live else keep)
    out = parts[0]
    for x in parts[1:]:
        out = ir.Binary("&&", out, x)
    return out


class _Induction:
    def __init__(self, model: ir.Model, prop: ir.Inductive, max_states, timeout, graph):
        self.model = model
        self.prop = prop
        self.framed = bool(model.frames)
        if model.frames:  # checked with the frame conditions of the inlined functions
            prop = replace(prop, expr=ir.Binary("&&", prop.expr, frame_conditions(model)))
        self.max_states = max_states
        self.timeout = timeout
        self.graph = graph
        type_ok = model.get_property(ir.TYPE_OK)
        invs = (ir.Invariant(ir.TYPE_OK, type_ok.expr), ir.Invariant("_inv", prop.expr))
        aux = replace(model, properties=invs + tuple(
            p for p in model.properties if isinstance(p, ir.AssertProperty)))
        # the atoms coded as in the model's own compilation, so that a state packs into the
        # same int here as in the reachable graph (``_usable_graph``)
        self.comp: Compiled = compile_model(aux, symmetry=False, atoms_like=model)
        self.layout = self.comp.layout
        self.parts = conjuncts(model, prop.expr, self.comp.value)
        self.part_fns = [self.comp.predicate(c) for c in self.parts]
        self.domains = [self._domain(l) for l in self.layout.leaves]
        dd = _Deps(model, self.layout, self.comp.atoms, self.comp.value)
        self.deps = [dd.of(c) for c in self.parts]
        self.defs = self._definitions(dd)

    # ---------------------------------------------------------------- leaf values
    def _domain(self, leaf) -> list:
        lay, atoms, model = self.layout, self.comp.atoms, self.comp.model
        no_init = False
        if leaf.kind != "pc" and "." in leaf.root:
            actor, name = leaf.root.split(".", 1)
            loc = model.actor(actor).local(name)
            no_init = loc is not None and loc.init is None
        t = leaf.type
        if leaf.kind == "pc":
            return list(range(len(model.actor(leaf.actor).steps) + 1))
        if leaf.kind == "bool":
            return [False, True] + ([2] if no_init else [])
        if leaf.kind == "int":
            return list(range(t.lo, t.hi + 1)) + ([default_sentinel(t)] if no_init else [])
        if leaf.kind == "atom":
            return [atoms.code(a) for a in t.atoms] + ([atoms.code(ir.DEFAULT_INIT)] if no_init else [])
        if leaf.kind in ("set", "list"):
            elems = [u for u in leaf.universe if not (isinstance(t.elem, ir.AtomType)
                                                      and u == atoms.code(ir.DEFAULT_INIT)
                                                      and ir.DEFAULT_INIT not in t.elem.atoms)]
            if leaf.kind == "list":  # every order of every subset: the lists of distinct elements
                return all_lists(elems)
            return [frozenset(c) for n in range(len(elems) + 1) for c in combinations(elems, n)]
        raise CompileError(f"cannot enumerate leaf {lay.leaf_name(leaf)}")

    def _definitions(self, dd: _Deps) -> dict[int, tuple]:
        """Leaves that a conjunct defines: ``leaf == e`` (or ``e == leaf``), and ``leaf <=> e``
        for a boolean leaf that holds only ``false``/``true``, with ``e`` not reading the leaf.
        In every state satisfying the conjunct the leaf's value is then ``e``'s (``==`` is
        Python's equality in the compiled code, ``<=>`` compares truth values), so once the
        leaves ``e`` reads are assigned the leaf needs no enumeration. Leaf index ->
        (source giving the value, the leaves that source reads, ``id`` of the conjunct)."""
        out: dict[int, tuple] = {}
        for c in self.parts:
            if not (isinstance(c, ir.Binary) and c.op in ("==", "<=>")):
                continue
            for side, other in ((c.left, c.right), (c.right, c.left)):
                d = dd.of(side)
                if len(d) != 1:
                    continue
                i = next(iter(d))
                if i in out or i in dd.of(other):
                    continue
                if self.comp.compiler.expr(side, Ctx(W="W")).src != f"W[{i}]":
                    continue
                if c.op == "<=>" and self.domains[i] != [False, True]:
                    continue
                x = self.comp.compiler.expr(other, Ctx(W="W"))
                src = x.src if not x.static else self.comp.compiler.lit(x.val)
                out[i] = (f"bool({src})" if c.op == "<=>" else src, dd.of(other), id(c))
                break
        return out

    def order(self, fast: bool) -> tuple[list[int], set[int]]:
        """The leaves in enumeration order, and which of them are computed from a definition.
        Repeatedly: (``fast``) a defined leaf whose definition can be computed; otherwise the
        leaf (not a defined one, when ``fast``) that completes the most conjuncts, then the
        one read by the most unfinished ones. ``fast=False`` is the reference order whose
        first counterexample to induction is the one reported."""
        defs = self.defs if fast else {}
        n = len(self.layout.leaves)
        left = set(range(n))
        placed: set[int] = set()
        remaining = [set(d) for d in self.deps]
        order: list[int] = []
        computed: set[int] = set()
        while left:
            ready = [i for i in left if i in defs and defs[i][1] <= placed]
            if ready:
                best = min(ready)
                computed.add(best)
            else:
                def score(i):
                    done = sum(1 for r in remaining if r == {i})
                    touch = sum(1 for r in remaining if i in r)
                    return (done, touch, -len(self.domains[i]), -i)
                best = max([i for i in left if i not in defs] or left, key=score)
            order.append(best)
            left.discard(best)
            placed.add(best)
            for r in remaining:
                r.discard(best)
        return order, computed

    def _enumerator(self, order: list[int], computed: set[int]):
        """Generated code for the depth-first search over the leaves in ``order``: one nested
        loop per leaf (its values with their share of the packed state), each conjunct
        checked in the loop of the last leaf it reads, ``visit(packed)`` called for every
        complete assignment (True stops the search). Returns ``enum(W, visit) -> stopped``."""
        comp, lay = self.comp, self.layout
        ns = comp.namespace
        tag = comp.compiler.fresh("enum")
        pos = {leaf: k for k, leaf in enumerate(order)}
        checks: list[list[str]] = [[] for _ in order]
        # a conjunct that defines a computed leaf holds by construction there: not checked
        defining = {self.defs[i][2] for i in computed}
        for c, d in zip(self.parts, self.deps):
            if d and id(c) not in defining:
                x = comp.compiler.expr(c, Ctx(W="W"))
                if x.static and bool(x.val):
                    continue  # always true
                checks[max(pos[i] for i in d)].append(x.src if not x.static else repr(bool(x.val)))
        fns: list[list[str]] = []
        lines: list[str] = []
        ind = 1
        for k, i in enumerate(order):
            leaf = lay.leaves[i]
            if k % _LOOPS_PER_FUNCTION == 0:
                if k:
                    lines.append("    " * ind + f"if {tag}_{len(fns) + 1}(W, a{k - 1}, visit): return True")
                    lines.append("    return False")
                    fns.append(lines)
                lines = [f"def {tag}_{len(fns)}(W, a{k - 1 if k else 'x'}, visit):"]
                ind = 1
            pairs = [(v, lay.leaf_code(leaf, v) << leaf.offset) for v in self.domains[i]]
            prev = f"a{k - 1}" if k else "0"
            if i in computed:
                table = comp.compiler.const({v: ((v, c),) for v, c in pairs})
                lines.append("    " * ind + f"for v{k}, c{k} in {table}.get({self.defs[i][0]}, ()):")
            else:
                lines.append("    " * ind + f"for v{k}, c{k} in {comp.compiler.const(tuple(pairs))}:")
            ind += 1
            lines.append("    " * ind + f"W[{i}] = v{k}")
            lines.append("    " * ind + f"a{k} = {prev} | c{k}")
            for src in checks[k]:
                lines.append("    " * ind + f"if not ({src}): continue")
        last = f"a{len(order) - 1}" if order else "0"
        if not order:
            lines = [f"def {tag}_0(W, ax, visit):"]
        lines.append("    " * ind + f"if visit({last}): return True")
        lines.append("    return False")
        fns.append(lines)
        src = "\n\n".join("\n".join(f) for f in fns) + "\n"
        exec(compile(src, f"<movspec {tag}>", "exec"), ns)
        first = ns[f"{tag}_0"]
        return lambda W, visit: first(W, 0, visit)

    def enumerate(self, order_computed, visit, W: list | None = None) -> bool:
        """Call ``visit(packed)`` for every type-correct state satisfying the property, in the
        order given; the leaf list ``W`` (default: a new one) holds that state meanwhile.
        True when ``visit`` stopped it."""
        comp = self.comp
        if W is None:
            W = list(comp.dec(comp.init_states[0]))
        else:
            W[:] = comp.dec(comp.init_states[0])
        if any(not f(W) for f, d in zip(self.part_fns, self.deps) if not d):
            return False
        return self._enumerator(*order_computed)(W, visit)

    def run(self) -> PropertyResult:
        p, comp, lay = self.prop, self.comp, self.layout
        t0 = time.perf_counter()
        typeok, inv = comp.inv_fns[0], comp.inv_fns[1]
        # the initial states
        for s in comp.init_states:
            W = comp.dec(s)
            if not typeok(W) or not inv(W):
                which = self._failed_part(W)
                msg = f"{p.name} does not hold in the initial state: {which}"
                return PropertyResult(p.name, KIND, Verdict.VIOLATED, msg,
                                      Trace((TraceStep(None, None, None, None, None, lay.state(W)),)))
        deadline = None if self.timeout is None else t0 + self.timeout
        # the fast pass decides when nothing is found; otherwise the reference order finds
        # the counterexample (or reaches the budget) that it has always reported
        try:
            count, found, stop = self._fast(deadline)
        except RUNTIME_ERRORS:
            count, found, stop = 0, True, None
        if found or (stop and not stop.startswith("time")):
            count, found, stop = self._scan(deadline)
        secs = time.perf_counter() - t0
        if found:
            return self._cti(found, count)
        if stop:
            return PropertyResult(p.name, KIND, Verdict.INCOMPLETE,
                                  f"{count:,} states satisfying {p.name} checked, no counterexample to "
                                  f"induction so far ({stop}; {secs:.1f}s)")
        framed = (" (with the frame conditions of the functions' parameters and locals: each holds its "
                  "between-calls value outside the function)") if self.framed else ""
        return PropertyResult(p.name, KIND, Verdict.HOLDS,
                              f"{p.name} is inductive within the model's bounds{framed}: the initial state "
                              f"satisfies it, and every step from each of the {count:,} type-correct states "
                              f"satisfying it leads to such a state ({secs:.1f}s)")

    def _budget(self, count: int, deadline) -> str | None:
        if self.max_states is not None and count >= self.max_states:
            return f"state budget of {self.max_states:,} states satisfying {self.prop.name} reached"
        if deadline is not None and count & 1023 == 0 and time.perf_counter() > deadline:
            return f"time budget of {self.timeout:g}s reached"
        return None

    def _good(self, t) -> bool:
        """``TypeOK /\\ Inv`` in packed state ``t`` (an evaluation error: no)."""
        try:
            Wt = self.comp.dec(t)
            return bool(self.comp.inv_fns[0](Wt) and self.comp.inv_fns[1](Wt))
        except RUNTIME_ERRORS:
            return False

    def _fast(self, deadline):
        """Whether anything is wrong, quickly: ``(count, found, stop)`` with ``found`` True
        (not a counterexample: the reference order finds that) when a step leaves the states
        or cannot be evaluated. The states are enumerated in the fast order and kept with
        whether ``TypeOK`` holds there, each one's successors taken as it is enumerated (its
        leaves are at hand: no decoding). A successor among the states satisfies every
        conjunct, hence ``Inv``, so only its ``TypeOK`` counts; any other is evaluated.

        With the reachable graph (``_usable_graph``), an enumerated state that is reachable
        has its successors put off: once every reachable state is known to be among the
        states and type-correct, the successors of a reachable state, reachable themselves,
        are good and are never taken. Otherwise they are taken then."""
        comp = self.comp
        succ, typeok = comp.succ_labeled, comp.inv_fns[0]
        cov = [0] * len(comp.steps)
        reach = self._usable_graph()
        states: dict = {}  # packed state -> TypeOK holds there
        later: dict = {}  # successors not yet enumerated when found
        put_off: list = []  # reachable states whose successors are not taken yet
        out: list = []
        stop = None
        found = False

        def take(s, W) -> bool:
            succ(s, W, out, [], cov)
            for t, _sid in out:
                ok = states.get(t)
                if ok is None:
                    later[t] = None
                elif not ok:
                    out.clear()
                    return True
            out.clear()
            return False

        def collect(s) -> bool:
            nonlocal stop, found
            states[s] = bool(typeok(W))
            if s in reach:
                put_off.append(s)
            elif take(s, W):
                found = True
                return True
            stop = self._budget(len(states), deadline)
            return stop is not None

        W: list = []
        self.enumerate(self.order(fast=True), collect, W)
        if found:
            return len(states), True, None
        if stop:
            return len(states), None, stop
        if put_off and not all(states.get(s) for s in reach):
            for s in put_off:  # the reachable states tell nothing: their successors after all
                if take(s, comp.dec(s)):
                    return len(states), True, None
        for t in later:
            ok = states.get(t)
            if not (ok if ok is not None else self._good(t)):  # not enumerated: Inv is false there
                return len(states), True, None
        return len(states), None, None

    def _usable_graph(self) -> dict:
        """The reachable graph's state index when it speaks of this model's states: complete,
        of the same steps and packed as here (else empty)."""
        g = self.graph
        if g is None or not g.complete or not same_encoding(g.comp, self.comp):
            return {}
        mine, theirs = self.comp.model, g.comp.model
        if (mine.actors, mine.vars, mine.consts, mine.modules) != (theirs.actors, theirs.vars, theirs.consts,
                                                                    theirs.modules):
            return {}
        return g.index

    def _scan(self, deadline):
        """Every step from every state enumerated in the reference order, up to the first
        counterexample to induction: ``(count, found, stop)``."""
        comp = self.comp
        succ, good_of = comp.succ_labeled, self._good
        memo: dict = {}
        cov = [0] * len(comp.steps)
        count, found, stop = 0, None, None

        def visit(s) -> bool:
            nonlocal count, found, stop
            count += 1
            out: list = []
            try:
                succ(s, W, out, [], cov)
            except RUNTIME_ERRORS as err:
                found = ("error", s, None, None, err)
                return True
            for t, sid in out:
                good = memo.get(t)
                if good is None:
                    good = good_of(t)
                    if len(memo) >= _MEMO_MAX:
                        memo.clear()
                    memo[t] = good
                if not good:
                    found = ("step", s, t, sid, None)
                    return True
            stop = self._budget(count, deadline)
            return stop is not None

        W: list = []
        self.enumerate(self.order(fast=False), visit, W)
        return count, found, stop

    # ---------------------------------------------------------------- reporting
    def _failed_part(self, W) -> str:
        if not self.comp.inv_fns[0](W):
            return "`TypeOK` is false"
        for k, f in enumerate(self.part_fns):
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
