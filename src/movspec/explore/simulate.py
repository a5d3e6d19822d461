"""Random simulation: many seeded random walks through the compiled successor function, for
models too large to explore exhaustively (TLC's ``-simulate``, ``quint run``).

Contract
--------
``simulate(model, *, runs, depth, seed, timeout, minimize) -> CheckResult`` (backend
``"simulate"``). Each run starts in an initial state and takes up to ``depth`` steps, each
chosen uniformly among the enabled successors (``random.Random(seed)``: the same seed gives
the same walks). Every state visited is checked against the invariants; a failed
``assert``/module call is a violation of its property; a state with no enabled step and a
process not done is a deadlock. The first violation of each property is kept and, with
``minimize``, shortened (below) before it is reported.

A simulation proves nothing about the states it did not visit: a property not violated is
INCOMPLETE ("not violated in N runs of at most D steps"), never HOLDS; ``leadsto``,
refinement and inductive properties are not simulated (INCOMPLETE, with the reason).
Statistics: ``generated`` = steps taken, ``distinct`` = distinct states visited, ``depth`` =
the longest run (states, the initial one counted as 1).

An evaluation error ends the simulation as in the exhaustive search: found violations stand,
every open property is ERROR with the error's trace.

Minimizing a counterexample: the trace is a list of step choices (process and step). The
minimizer drops chunks of choices (halving the chunk size down to one, as in delta debugging)
and replays the rest from the same initial state, keeping a shorter list whenever the replay
still violates the same property; a choice that is no longer enabled is skipped. The result is
a real trace of the model (replayed, never edited), usually much shorter than the walk, but not
necessarily a shortest one (only the exhaustive search promises that).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable

from ..ir import nodes as ir
from ..result import CheckResult, PropertyResult, Stats, Trace, TraceStep, Verdict, diff_states
from ..ir.lower import lower_functions
from .compile import Compiled, compile_model
from .domains import RUNTIME_ERRORS, CompileError, EvalError, Overflow, error_text
from .search import step_error_message

BACKEND = "simulate"


@dataclass
class SimProgress:
    runs: int
    steps: int
    distinct: int
    seconds: float


@dataclass
class _Hit:
    """A violation found at the end of a walk: ``path`` is the list of ``(state, sid)``
    from the initial state (sid None), ``kind`` how the last state or step fails."""

    prop: str
    kind: str  # "invariant" | "assert" | "deadlock" | "error"
    path: list
    message: str
    fail_sid: int | None = None  # the step that failed (assert, error)


class Simulator:
    def __init__(self, comp: Compiled, *, check_deadlock: bool = True):
        self.comp = comp
        self.check_deadlock = check_deadlock
        self.inv_names = [inv.name for inv in comp.invariants]

    # ------------------------------------------------------------------ one state

    def _violations(self, s, W, want: set[str] | None = None) -> tuple[list, list, list]:
        """The invariants ``W`` violates, the successors ``(t, sid)`` and the failed checks
        ``(prop, sid, msg)`` of state ``s``."""
        comp = self.comp
        bad = [self.inv_names[k] for k, f in enumerate(comp.inv_fns)
               if (want is None or self.inv_names[k] in want) and not f(W)]
        out: list = []
        viol: list = []
        comp.succ_labeled(s, W, out, viol, [0] * len(comp.steps))
        fails = [(comp.props[pi], sid, msg) for pi, sid, msg in viol]
        return bad, out, fails

    def _deadlocked(self, W, out) -> bool:
        return self.check_deadlock and not out and not self.comp.alldone(W)

    # ------------------------------------------------------------------ walks

    def walk(self, rng: random.Random, depth: int, found: dict, seen: set) -> tuple[int, object]:
        """One random run; new violations go into ``found``. Returns the number of steps
        taken and an evaluation error (a ``_Hit``) or None."""
        comp = self.comp
        s = rng.choice(comp.init_states)
        path = [(s, None)]
        seen.add(s)
        steps = 0
        while True:
            W = comp.dec(s)
            try:
                bad, out, fails = self._violations(s, W)
            except RUNTIME_ERRORS as err:
                return steps, self._error(path, W, err)
            for name in bad:
                if name not in found:
                    found[name] = _Hit(name, "invariant", list(path), f"invariant {name} is violated")
            for prop, sid, msg in fails:
                if prop not in found:
                    found[prop] = _Hit(prop, "assert", list(path), msg, sid)
            if self._deadlocked(W, out):
                if ir.DEADLOCK not in found:
                    found[ir.DEADLOCK] = _Hit(ir.DEADLOCK, "deadlock", list(path), self._deadlock_message(W))
                return steps, None
            if not out or steps >= depth - 1:
                return steps, None
            s, sid = out[rng.randrange(len(out))]
            path.append((s, sid))
            seen.add(s)
            steps += 1

    def _error(self, path, W, err) -> _Hit:
        hit = self.comp.failing_step(path[-1][0], W)
        if hit is None:
            return _Hit("", "overflow" if isinstance(err, Overflow) else "error", list(path),
                        f"{error_text(err)} evaluating an invariant")
        info, e = hit
        return _Hit("", "overflow" if isinstance(e, Overflow) else "error", list(path),
                    step_error_message(info, e), info.sid)

    def _deadlock_message(self, W) -> str:
        comp = self.comp
        where = []
        for a in comp.model.actors:
            for i, p in enumerate(comp.model.procs(a)):
                code = W[comp.layout.pc_base[a.name] + i]
                if code < len(a.steps):
                    where.append(f"{p} at {a.steps[code].name}" if p != a.name else f"{a.name} at {a.steps[code].name}")
        return "deadlock: no step is enabled (" + ", ".join(where) + ")"

    # ------------------------------------------------------------------ minimizing

    def _replay(self, start, choices: list, hit: _Hit) -> list | None:
        """Replay ``choices`` (sids) from ``start``, skipping those not enabled; the path if
        it ends violating ``hit.prop`` the same way, else None."""
        comp = self.comp
        path = [(start, None)]
        s = start
        for sid in choices:
            _, out, _ = self._violations(s, comp.dec(s), set())
            nxt = next((t for t, k in out if k == sid), None)
            if nxt is None:
                continue
            s = nxt
            path.append((s, sid))
        W = comp.dec(s)
        try:
            bad, out, fails = self._violations(s, W, {hit.prop})
        except RUNTIME_ERRORS:
            return None
        if hit.kind == "invariant" and hit.prop in bad:
            return path
        if hit.kind == "assert" and any(p == hit.prop for p, _, _ in fails):
            return path
        if hit.kind == "deadlock" and self._deadlocked(W, out):
            return path
        return None

    def minimize(self, hit: _Hit, deadline: float | None = None) -> _Hit:
        if hit.kind not in ("invariant", "assert", "deadlock"):
            return hit
        start = hit.path[0][0]
        choices = [sid for _, sid in hit.path[1:]]
        best = choices
        chunk = max(1, len(best) // 2)
        while chunk >= 1:
            i = 0
            shrunk = False
            while i < len(best):
                if deadline is not None and time.perf_counter() > deadline:
                    chunk = 0
                    break
                trial = best[:i] + best[i + chunk:]
                path = self._replay(start, trial, hit)
                if path is not None:
                    best = [sid for _, sid in path[1:]]  # only the choices that ran
                    shrunk = True
                else:
                    i += chunk
            if not shrunk:
                chunk //= 2
        path = self._replay(start, best, hit)
        if path is None:  # pragma: no cover - the full list always replays
            return hit
        msg = hit.message
        if hit.kind == "assert":
            _, _, fails = self._violations(path[-1][0], self.comp.dec(path[-1][0]), set())
            sid, msg = next(((sid, m) for p, sid, m in fails if p == hit.prop), (hit.fail_sid, msg))
            return _Hit(hit.prop, hit.kind, path, msg, sid)
        if hit.kind == "deadlock":
            msg = self._deadlock_message(self.comp.dec(path[-1][0]))
        return _Hit(hit.prop, hit.kind, path, msg, hit.fail_sid)

    # ------------------------------------------------------------------ traces

    def trace(self, hit: _Hit) -> Trace:
        comp = self.comp
        layout = comp.layout
        s0 = hit.path[0][0]
        state = layout.state(comp.dec(s0))
        rows = [TraceStep(None, None, None, None, None, state)]
        for s, sid in hit.path[1:]:
            info = comp.steps[sid]
            new = layout.state(comp.dec(s))
            rows.append(TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor,
                                  info.step.span, new, diff_states(state, new)))
            state = new
        if hit.fail_sid is not None and hit.kind in ("assert", "error", "overflow"):
            info = comp.steps[hit.fail_sid]
            rows.append(TraceStep(info.actor.name, info.proc, info.step.name, info.step.anchor,
                                  info.step.span, None, (), hit.message))
        return Trace(tuple(rows))


def simulate(model: ir.Model, *, runs: int = 1000, depth: int = 100, seed: int = 0,
             timeout: float | None = None, minimize: bool = True,
             progress: Callable[[SimProgress], None] | None = None) -> CheckResult:
    """Random walks through ``model`` (see the module docstring)."""
    t0 = time.perf_counter()
    model = lower_functions(model)  # functions inlined, as the search explores them
    try:
        comp = compile_model(model, symmetry=False)
    except (CompileError, EvalError) as err:
        msg = f"the builtin checker cannot simulate this model: {err}"
        props = tuple(PropertyResult(n, model.property_kind(n), Verdict.ERROR, msg) for n in model.property_names)
        return CheckResult(model.name, model.variant, BACKEND, props, complete=False, reason="error", error=msg)
    sim = Simulator(comp, check_deadlock=not model.allow_deadlock)
    rng = random.Random(seed)
    deadline = t0 + timeout if timeout else None
    found: dict[str, _Hit] = {}
    seen: set = set()
    steps_total = 0
    longest = 0
    done = 0
    error: _Hit | None = None
    stop = None
    last = t0
    try:
        for _ in range(runs):
            steps, error = sim.walk(rng, depth, found, seen)
            done += 1
            steps_total += steps
            longest = max(longest, steps + 1)
            if error is not None:
                break
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                stop = f"time budget of {timeout:g}s reached after {done} runs"
                break
            if progress is not None and now - last >= 0.5:
                last = now
                progress(SimProgress(done, steps_total, len(seen), now - t0))
    except KeyboardInterrupt:
        stop = f"interrupted after {done} runs"
    if minimize:
        until = None if timeout is None else time.perf_counter() + max(1.0, timeout / 4)
        found = {k: sim.minimize(h, until) for k, h in found.items()}
    if error is not None and error.kind == "overflow" and ir.TYPE_OK not in found:
        found[ir.TYPE_OK] = _Hit(ir.TYPE_OK, "overflow", error.path, error.message, error.fail_sid)
    error_trace = sim.trace(error) if error is not None else None
    why = stop or f"not violated in {done:,} random runs of at most {depth} steps"
    results = []
    names = list(model.property_names) + [n for n in comp.props if n not in model.property_names]
    for name in names:
        kind = model.property_kind(name)
        h = found.get(name)
        if h is not None:
            results.append(PropertyResult(name, kind, Verdict.VIOLATED, h.message, sim.trace(h)))
        elif kind in ("leadsto", "refinement", "inductive"):
            results.append(PropertyResult(name, kind, Verdict.INCOMPLETE, f"{kind} properties are not simulated"))
        elif error is not None and error.kind == "error":
            results.append(PropertyResult(name, kind, Verdict.ERROR, error.message, error_trace))
        else:
            results.append(PropertyResult(name, kind, Verdict.INCOMPLETE, why))
    stats = Stats(generated=steps_total, distinct=len(seen), depth=longest, seconds=time.perf_counter() - t0)
    reason = stop or (error.message if error is not None else f"simulation: {done:,} runs of at most {depth} steps")
    return CheckResult(model.name, model.variant, BACKEND, tuple(results), stats, complete=False, reason=reason,
                       error=error.message if error is not None and error.kind == "error" else None)
