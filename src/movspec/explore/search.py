"""Breadth-first search over the compiled successor function.

Contract
--------
``Search(compiled, budget, ...).run() -> CheckResult`` (backend ``"builtin"``), one
``PropertyResult`` per name in ``model.property_names`` (plus any ``Assert``/``Call`` property
the IR forgot to declare), following the checking semantics of ``ir.nodes``; ``leadsto``,
refinement and inductive properties are left INCOMPLETE here and decided by ``explore.check``:

* violations never prune: an invariant-violating state is expanded, a failed
  ``Assert``/``Call`` is recorded and its step completes; a deadlocked state (no step
  enabled, not every process ``Done``) has no successors; all-``Done`` states stutter;
* each property's counterexample is the first found in breadth-first order, so a shortest
  one; invariants are checked on every reachable state;
* depth counts the initial state as 1; ``generated`` counts the initial states and every
  successor computed (duplicates included).

Budgets (``max_states`` distinct states, ``max_depth``, ``timeout`` seconds, ``max_memory``
bytes) and Ctrl-C stop the search early; the result is then ``complete=False`` with the
reason, and a property not violated so far is INCOMPLETE, never HOLDS.

With ``symmetry`` on, every state is replaced by the least packed state of its orbit under
the permutations of the symmetric constant sets: the distinct count is the number of
reachable orbits, as with TLC's ``SYMMETRY``. Counterexamples are rebuilt as concrete
traces (forward replay that follows the orbits).

The seen-set (``explore.visited``) numbers the distinct states in breadth-first order and
keeps, in flat arrays, each one's key (its packed bits, or with ``fingerprints`` a 64-bit
fingerprint) and its parent's number, which is all a trace needs: steps are recovered by
replaying the successor function. The frontier is the range of numbers of one level. With
fingerprints, the result's stats carry the bound on the probability that two states were
merged (``Stats.collision_bound``): a HOLDS is then only as sure as that bound says, while
a counterexample is always a real trace (replay checks it ends at the violating state).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ..ir import nodes as ir
from ..result import (CheckResult, PropertyResult, Stats, Trace, TraceStep, Verdict,
                      diff_states)
from .compile import Compiled
from .domains import RUNTIME_ERRORS, Overflow, error_text
from .visited import NO_PARENT, SPILL, DictStates, TableFull, make_visited, optimistic_estimate

BACKEND = "builtin"
LIVENESS_NOT_CHECKED = "not decided by the search: liveness is decided on the state graph after it"
FIRST = "stopped at the first violation (--first)"


@dataclass
class Progress:
    distinct: int
    generated: int
    depth: int
    queue: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.distinct / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Budget:
    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory: int | None = None  # bytes of resident memory; None: 85% of what is available


class _Stop(Exception):
    def __init__(self, reason: str):
        self.reason = reason


@dataclass
class _Found:
    """The first violation of one property."""

    kind: str  # "invariant" | "assert" | "deadlock"
    state: int  # the (canonical) state: violating, failing the step from, or deadlocked
    message: str | None = None
    prop_index: int | None = None


def _rss() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _available() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def default_memory_limit() -> int | None:
    """Resident memory the search may grow to: what it uses now plus 85% of what is free."""
    now, free = _rss(), _available()
    if now is None or free is None:
        return None
    return now + int(free * 0.85)


@dataclass
class Search:
    """One breadth-first exploration (see the module docstring)."""

    comp: Compiled
    budget: Budget = field(default_factory=Budget)
    progress: Callable[[Progress], None] | None = None
    progress_interval: float = 0.5
    check_deadlock: bool = True
    symmetry: bool = False
    first: bool = False  # stop at the first violation found (the rest is then INCOMPLETE)
    fingerprints: bool = False  # 64-bit fingerprints instead of exact states (``visited``)
    fingerprint_seed: int = 0  # which fingerprint prime
    fingerprint_modulus: int | None = None  # replaces the prime (tests force collisions)

    def run(self) -> CheckResult:
        comp = self.comp
        model = comp.model
        t0 = time.perf_counter()
        dec, succ, alldone = comp.dec, comp.succ, comp.alldone
        canon = comp.canon if self.symmetry else None
        inv_fns = comp.inv_fns
        props = comp.props
        budget = self.budget
        max_states = budget.max_states
        first = self.first
        max_depth = budget.max_depth
        deadline = t0 + budget.timeout if budget.timeout else None
        mem_limit = budget.max_memory if budget.max_memory is not None else default_memory_limit()

        visited = self._visited()
        vadd = visited.add
        for s in comp.init_states:
            vadd(canon(s, dec(s)) if canon else s, NO_PARENT)
        generated = len(comp.init_states)
        lo, hi = 0, len(visited)  # the frontier: the states numbered lo .. hi - 1
        depth = 1 if hi else 0
        found: dict[str, _Found] = {}
        live = list(range(len(inv_fns)))
        inv_all = comp.make_inv_all(live)
        cov = [0] * len(comp.steps)
        out: list = []
        viol: list = []
        stop: str | None = None
        error: _Error | None = None
        checked_upto = 0  # states of the current frontier already expanded
        last_report = t0 - self.progress_interval  # the first level reports at once
        ticks = 0

        try:
            while lo < hi:
                # the states found at this level, as ints: most duplicates are among them
                # (two orders of the same two steps), and a set answers at C speed
                nset: set = set()
                rset: set = set()  # the raw successors met at this level (symmetry)
                at_limit = max_depth is not None and depth >= max_depth
                checked_upto = 0
                snum = lo - 1
                for s in visited.level(lo, hi):
                    snum += 1
                    if first and found:
                        raise _Stop(FIRST)
                    W = dec(s)
                    try:
                        if inv_all is not None and not inv_all(W):
                            for k in live:
                                if not inv_fns[k](W):
                                    found[comp.invariants[k].name] = _Found("invariant", s)
                            live = [k for k in live if comp.invariants[k].name not in found]
                            inv_all = comp.make_inv_all(live)
                    except RUNTIME_ERRORS as err:
                        error = self._invariant_error(s, W, live, err)
                        raise _Stop("evaluation error")
                    try:
                        succ(s, W, out, viol, cov)
                    except RUNTIME_ERRORS as err:  # Overflow among them
                        # a check that failed in this state's steps before the error (or the
                        # value beyond the type) stays found
                        for pi, sid, msg in viol:
                            found.setdefault(props[pi], _Found("assert", s, msg, pi))
                        viol.clear()
                        error = self._step_error(s, W, err)
                        raise _Stop(error.message if isinstance(err, Overflow) else "evaluation error")
                    if viol:
                        for pi, sid, msg in viol:
                            name = props[pi]
                            if name not in found:
                                found[name] = _Found("assert", s, msg, pi)
                        viol.clear()
                    checked_upto += 1
                    if not out:
                        if self.check_deadlock and ir.DEADLOCK not in found and not alldone(W):
                            found[ir.DEADLOCK] = _Found("deadlock", s)
                        continue
                    generated += len(out)
                    if at_limit:
                        for t in out:
                            if (canon(t, dec(t)) if canon else t) not in visited:
                                stop = stop or f"depth budget of {max_depth} reached"
                                break
                    elif canon is not None:
                        # canonicalising costs more than a look-up: a successor met before
                        # at this level, or one that is itself a known (so canonical) state,
                        # is skipped uncanonicalised
                        for t in out:
                            if t in rset:
                                continue
                            rset.add(t)
                            if t in nset or t in visited:
                                continue
                            t = canon(t, dec(t))
                            if t not in nset and vadd(t, snum):
                                nset.add(t)
                    else:
                        for t in out:
                            if t not in nset and vadd(t, snum):
                                nset.add(t)
                    out.clear()
                    ticks += 1
                    if ticks & 1023 == 0:
                        now = time.perf_counter()
                        if deadline is not None and now >= deadline:
                            raise _Stop(f"time budget of {budget.timeout:g}s reached")
                        if mem_limit is not None and ticks & 65535 == 0:
                            rss = _rss()
                            if rss is not None and rss > mem_limit:
                                raise _Stop(f"memory guard: resident memory {rss >> 20} MiB over "
                                            f"the limit of {mem_limit >> 20} MiB")
                        if self.progress is not None and now - last_report >= self.progress_interval:
                            last_report = now
                            self.progress(Progress(len(visited), generated, depth, len(visited) - hi,
                                                   now - t0))
                    if max_states is not None and len(visited) > max_states:
                        raise _Stop(f"state budget of {max_states} distinct states reached")
                nset = set()
                rset = set()
                if at_limit:
                    lo = hi
                    break
                lo, hi = hi, len(visited)
                if isinstance(visited, DictStates) and hi > SPILL:
                    visited = visited.exact()  # many states: the compact table from here on
                    vadd = visited.add
                visited.drop_below(lo)
                checked_upto = 0
                if lo < hi:
                    depth += 1
                    if self.progress is not None:
                        now = time.perf_counter()
                        if now - last_report >= self.progress_interval:
                            last_report = now
                            self.progress(Progress(len(visited), generated, depth, hi - lo, now - t0))
                    if deadline is not None and time.perf_counter() >= deadline:
                        raise _Stop(f"time budget of {budget.timeout:g}s reached")
        except TableFull as err:
            stop = str(err)
            self._check_unexpanded(list(visited.level(lo + checked_upto, len(visited))), found, live)
        except _Stop as st:
            stop = st.reason
            # invariants are checked when a state is first found: check the states found
            # but not expanded (cheap next to the search itself); the state that failed has
            # been checked already
            if stop != FIRST:
                rest = list(visited.level(lo + checked_upto, len(visited)))
                if error is not None:
                    rest = [t for t in rest if t != error.state]
                self._check_unexpanded(rest, found, live)
        except KeyboardInterrupt:
            stop = "interrupted"

        seconds = time.perf_counter() - t0
        stats = Stats(generated=generated, distinct=len(visited), depth=depth, seconds=seconds,
                      fingerprints=visited.fingerprints)
        if visited.fingerprints:
            stats = replace(stats, collision_bound=visited.collision_bound(),
                            collision_optimistic=optimistic_estimate(len(visited), generated))
        coverage = self._coverage(cov)
        error_trace = None
        if error is not None:
            error_trace = self._trace(visited, error.state)
            if error.row is not None:
                error_trace = Trace(error_trace.steps + (error.row,))
            if error.overflow and ir.TYPE_OK not in found:
                # the step left TypeOK's ranges: that is a TypeOK violation, with this trace
                found[ir.TYPE_OK] = _Found("error", error.state, error.message)
        complete = stop is None
        results = []
        names = list(model.property_names)
        for name in props:
            if name not in names:
                names.append(name)
        for name in names:
            kind = model.property_kind(name)
            if kind == "leadsto":
                # decided on the whole graph afterwards, unless an evaluation error stopped the
                # search: then it is open, and the error decides it as TLC's stop does
                if error is not None and not error.overflow:
                    results.append(PropertyResult(name, kind, Verdict.ERROR, error.message, error_trace))
                else:
                    results.append(PropertyResult(name, kind, Verdict.INCOMPLETE, LIVENESS_NOT_CHECKED))
                continue
            f = found.get(name)
            if f is not None:
                trace = error_trace if f.kind == "error" else self._counterexample(visited, name, f)
                results.append(PropertyResult(name, kind, Verdict.VIOLATED, self._message(name, f), trace))
            elif error is not None and not error.overflow:
                # an evaluation error decides only what is still open; found violations stand
                results.append(PropertyResult(name, kind, Verdict.ERROR, error.message, error_trace))
            elif complete:
                results.append(PropertyResult(name, kind, Verdict.HOLDS))
            else:
                results.append(PropertyResult(name, kind, Verdict.INCOMPLETE,
                                              f"not violated in the {len(visited)} states explored ({stop})"))
        return CheckResult(model.name, model.variant, BACKEND, tuple(results), stats, complete=complete,
                           reason=stop, symmetry=self.symmetry, coverage=coverage,
                           error=error.message if error is not None and not error.overflow else None)

    # ------------------------------------------------------------------ helpers

    def _check_unexpanded(self, states, found, live) -> None:
        comp = self.comp
        for s in states:
            if not live:
                return
            W = comp.dec(s)
            try:
                for k in list(live):
                    if not comp.inv_fns[k](W):
                        found[comp.invariants[k].name] = _Found("invariant", s)
                        live.remove(k)
            except Exception:  # an evaluation error here is found again on the next run
                return

    def _coverage(self, cov) -> tuple[tuple[str, int], ...]:
        totals: dict[str, int] = {}
        for a in self.comp.model.actors:
            for st in a.steps:
                totals[f"{a.name}.{st.name}"] = 0
        for info in self.comp.steps:
            totals[f"{info.actor.name}.{info.step.name}"] += cov[info.sid]
        return tuple(totals.items())

    def _invariant_error(self, s, W, live, err) -> "_Error":
        """An invariant could not be evaluated in reachable state ``s``."""
        comp = self.comp
        for k in live:
            try:
                comp.inv_fns[k](W)
            except RUNTIME_ERRORS as e:
                inv = comp.invariants[k]
                where = f" ({inv.span})" if getattr(inv, "span", None) else ""
                return _Error(s, f"{error_text(e)} evaluating invariant {inv.name}{where}")
        return _Error(s, f"{error_text(err)} evaluating an invariant")

    def _step_error(self, s, W, err) -> "_Error":
        """A step enabled in reachable state ``s`` could not be evaluated: find which one,
        and the trace row that shows it."""
        hit = self.comp.failing_step(s, W)
        if hit is None:
            return _Error(s, error_text(err), None, isinstance(err, Overflow))
        info, e = hit
        msg = step_error_message(info, e)
        row = TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor, info.step.span, None, (), msg)
        return _Error(s, msg, row, isinstance(e, Overflow))

    def _message(self, name: str, f: _Found) -> str:
        if f.kind == "invariant":
            return f"invariant {name} is violated"
        if f.kind in ("assert", "error"):
            return f.message
        W = self.comp.dec(f.state)
        where = []
        layout = self.comp.layout
        for a in self.comp.model.actors:
            for i, p in enumerate(self.comp.model.procs(a)):
                code = W[layout.pc_base[a.name] + i]
                if code < len(a.steps):
                    where.append(f"{p} at {a.steps[code].name}" if p != a.name else f"{a.name} at {a.steps[code].name}")
        return "deadlock: no step is enabled (" + ", ".join(where) + ")"

    def _visited(self):
        bits = self.comp.layout.bits
        return make_visited(bits, fingerprints=self.fingerprints, seed=self.fingerprint_seed,
                            modulus=self.fingerprint_modulus, compact=False)

    def _trace(self, visited, s, failing_prop: int | None = None) -> Trace:
        """The concrete trace from an initial state to ``s`` (canonical), and with
        ``failing_prop`` one more row: the step that fails that property from ``s``."""
        comp = self.comp
        layout = comp.layout
        steps = self._replay(visited, s)
        cur = steps[0][0]
        W = comp.dec(cur)
        state = layout.state(W)
        rows = [TraceStep(None, None, None, None, None, state)]
        cov = [0] * len(comp.steps)
        for cur, sid in steps[1:]:
            W = comp.dec(cur)
            new = layout.state(W)
            info = comp.steps[sid]
            rows.append(TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor,
                                  info.step.span, new, diff_states(state, new)))
            state = new
        if failing_prop is not None:
            out, viol = [], []
            try:
                comp.succ_labeled(cur, W, out, viol, cov)
            except RUNTIME_ERRORS:  # a later step of this state fails to evaluate
                pass
            hit = next(((sid, msg) for pi, sid, msg in viol if pi == failing_prop), None)
            if hit is not None:
                sid, msg = hit
                info = comp.steps[sid]
                rows.append(TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor,
                                      info.step.span, None, (), msg))
        return Trace(tuple(rows))

    def _replay(self, visited, s) -> list[tuple[int, int | None]]:
        """The concrete states (and the steps between them) of the path to ``s`` along the
        parent links, found by replaying the successor function. Each state is matched
        against the key stored for its number: exactly, or by fingerprint, where a
        successor of the same fingerprint may lead astray; then the replay backtracks
        (the path it recorded exists), and only a path that ends at ``s`` itself is taken."""
        comp = self.comp
        dec = comp.dec
        canon = comp.canon if self.symmetry else None

        def key(t):
            return canon(t, dec(t)) if canon else t

        path = visited.path(visited.number(s))
        cov = [0] * len(comp.steps)
        chosen: list = []
        stack = [iter([(i, None) for i in comp.init_states if visited.matches(key(i), path[0])])]
        while stack:
            k = len(stack) - 1  # the position being chosen
            del chosen[k:]
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                continue
            chosen.append(nxt)
            if k + 1 == len(path):
                if key(nxt[0]) == s:
                    return chosen
                continue
            out: list = []
            comp.succ_labeled(nxt[0], dec(nxt[0]), out, [], cov)
            target = path[k + 1]
            stack.append(iter([(t, sid) for t, sid in out if visited.matches(key(t), target)]))
        raise RuntimeError("trace replay lost the path")  # pragma: no cover - a successor-function bug

    def _counterexample(self, visited, name, f: _Found) -> Trace:
        if f.kind == "assert":
            return self._trace(visited, f.state, f.prop_index)
        return self._trace(visited, f.state)


@dataclass
class _Error:
    """The first evaluation error: in reachable state ``state``, evaluating an invariant
    (``row`` None) or a step (``row`` is the trace row of the failing step)."""

    state: int
    message: str
    row: TraceStep | None = None
    overflow: bool = False  # a value beyond the layout's headroom (see ``layout.Overflow``)


def step_error_message(info, e: BaseException) -> str:
    """``division by zero in step compactor(C1).isolate (spec/x.mspec:12:5)``."""
    who = info.actor.name if info.proc == info.actor.name else f"{info.actor.name}({info.proc})"
    where = f" ({info.step.span})" if info.step.span else ""
    return f"{error_text(e)} in step {who}.{info.step.name}{where}"
