"""Check one variant with TLC: translate, run, read, and repeat until every property has a
verdict.

Contract (the checking semantics of ``ir.nodes``, so TLC and the embedded checker agree):

* a violated invariant stops TLC (with one worker, at the first violating state in
  breadth-first order: a shortest counterexample). It is recorded, removed from the .cfg,
  and TLC runs again. (``-continue`` would keep exploring instead, but it prints a full trace
  for every violating state: 6,160 traces and 172 MB of output for one variant of the
  movable model. Removing the invariant gives the same verdicts, traces and counts.)
* a failed ``assert``/``call`` stops TLC. Its property is recorded as violated, switched off
  through the ``MS_Checks`` constant of the .cfg (the step then completes as if the check had
  held), and TLC runs again;
* TLC leaves the violating state out of an invariant's trace when an ``Assert`` fails while
  the same state's successors are generated; an invariant found in a run with checks on is
  traced again in a run with them off (same states: a check that is off completes its step);
* a deadlock stops TLC. ``Deadlock`` is recorded as violated and TLC runs again with
  ``-deadlock``;
* the run that explores the whole state space (every violated check off) gives the
  statistics, so distinct states and depth are those of the full exploration;
* the step coverage (how often each step ran) is TLC's per-action count of generated states
  (``-coverage``) in that run;
* each ``leadsto`` property is checked in a run of its own (TLC does not say which temporal
  property failed), without symmetry (unsound for liveness) and without the safety checks;
* each refinement is checked in a run of its own (``tlc.refinement``): ``PROPERTY R`` with
  ``R == R_map!Spec`` and ``R_map == INSTANCE A WITH ...`` added to the module, the abstract
  module written next to it, without symmetry and without the safety checks (the state graph
  the builtin checker decides it on);
* inductive invariants are not a question about reachable states: the builtin checker decides
  them (``explore.inductive``) and their message says so;
* once ``TypeOK`` is found violated, the re-runs (and the liveness and refinement runs) are
  bounded by a state constraint (``tlc.bounds``): a counter past its range cannot make them
  endless. A run cut there, or by ``max_states``/``max_depth`` (state constraints too) or the
  timeout (Java is killed), leaves what it did not decide INCOMPLETE, never HOLDS;
* a runtime error (division by zero, a function applied outside its domain, ...) stops TLC:
  it decides the properties still open, ERROR with the step or invariant, its DSL location
  and the trace that reaches it (``tlc.errors``); violations found before keep theirs.

Errors are reported in the user's terms: translator, SANY and evaluation errors point at the
DSL line through the emitter's line map; a missing Java or jar, or a JVM that cannot start
(``$MOVSPEC_JAVA_OPTS``), says what to install or set.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..emit.module import EmitError, Emitted, emit
from ..ir import nodes as ir
from ..ir.symmetry import symmetry_off_reason
from ..result import CheckResult, PropertyResult, Stats, Trace, Verdict
from . import bounds
from .backend import Backend, BackendUnavailable
from .distributed import Distributed
from .select import select_backend
from .errors import is_runtime, runtime_error, user_terms
from .output import INVARIANT_INITIAL, TlcError, TlcOutput
from .session import LineMap, TlcFailure, TlcSession
from .trace import TraceMapper

__all__ = ["check_model", "TlcFailure", "TlcSession", "LineMap", "user_terms"]

BACKEND_NAME = "tlc"


@dataclass
class _Verdict:
    verdict: Verdict
    message: str | None = None
    trace: Trace | None = None


FIRST = "stopped at the first violation (--first)"  # as the builtin checker says it
NOT_CHECKED = ("not checked by the TLC backend (inductive invariants are checked by the builtin "
               "checker: --backend builtin)")


# --------------------------------------------------------------------------- line mapping


def _dsl_invariant(em: Emitted, tla_name: str | None) -> str | None:
    return em.invariant_names.get(tla_name) if tla_name else None


def check_model(model: ir.Model, *, workers: int = 1, timeout: float | None = None,
                symmetry: bool = True, jar: str | os.PathLike | None = None,
                backend: Backend | str | None = None, keep_dir: str | os.PathLike | None = None,
                max_states: int | None = None, max_depth: int | None = None,
                distributed: Distributed | None = None, first: bool = False) -> CheckResult:
    """Check ``model`` with TLC; see the module docstring for how verdicts are obtained.
    With ``distributed``, the safety runs go to TLC's distributed server and its workers
    (``tlc.distributed``; see ``TlcSession.tlc`` for what still runs in one process).
    With ``first``, the check ends with the first run that finds a violation, as TLC does by
    default (no re-runs, no liveness or refinement runs): the rest is INCOMPLETE.
    ``max_states``/``max_depth``/``timeout`` are the builtin checker's budgets, applied to
    TLC (``tlc.bounds``); a run they cut leaves what it did not decide INCOMPLETE. A
    KeyboardInterrupt (Ctrl-C, or SIGTERM turned into one by the CLI) stops Java, removes
    the scratch directory and gives an INCOMPLETE result (reason ``"interrupted"``)."""
    t0 = time.monotonic()
    names = model.property_names
    off = symmetry_off_reason(model) if symmetry else None  # the emitted cfg has no SYMMETRY then
    sym_on = symmetry and off is None and any(c.symmetric and c.atoms for c in model.consts)
    budget = bounds.Budget(max_states, max_depth)

    def failed(msg: str) -> CheckResult:
        msg = _clean(msg)
        return CheckResult(model.name, model.variant, BACKEND_NAME,
                           tuple(PropertyResult(n, model.property_kind(n), Verdict.ERROR, msg) for n in names),
                           Stats(seconds=time.monotonic() - t0), complete=False, error=msg, symmetry=sym_on)

    try:
        be = backend if isinstance(backend, Backend) else select_backend(backend, jar=jar)
    except BackendUnavailable as exc:
        return failed(str(exc))
    try:
        em = emit(model)
    except EmitError as exc:
        return failed(str(exc))
    run = _Checker(em, be, workers, timeout, sym_on, t0, budget, failed, distributed)
    run.first = first
    if keep_dir is not None:
        Path(keep_dir).mkdir(parents=True, exist_ok=True)
        result = run.check(Path(keep_dir))
    else:
        with tempfile.TemporaryDirectory(prefix="movspec-tlc-") as d:
            result = run.check(Path(d))
    from dataclasses import replace
    result = replace(result, runner=run.runner())
    try:
        result = _with_refinements(model, result, be, timeout, t0, keep_dir, budget)
    except KeyboardInterrupt:
        return _interrupted(model, result)
    return replace(_with_inductive(model, result, timeout), symmetry_note=off)


def _clean(msg: str) -> str:
    """No bare ``error:`` at the front: the reports say "error" themselves."""
    return re.sub(r"^(error:\s*)+", "", msg.strip())


def _interrupted(model: ir.Model, result: CheckResult) -> CheckResult:
    from dataclasses import replace
    props = tuple(p if p.verdict in (Verdict.VIOLATED, Verdict.ERROR)
                  else replace(p, verdict=Verdict.INCOMPLETE, message="interrupted", trace=None)
                  for p in result.properties)
    return replace(result, properties=props, complete=False, reason="interrupted")


def _with_inductive(model: ir.Model, result: CheckResult, timeout: float | None) -> CheckResult:
    """Inductive invariants are a question about every type-correct state satisfying them,
    reachable or not, which TLC could only answer by enumerating the whole typed state space;
    the builtin checker's constraint-driven enumeration decides them, and the message says so."""
    if result.error or not any(isinstance(p, ir.Inductive) for p in model.properties):
        return result
    from dataclasses import replace

    from ..explore.inductive import check_inductive

    decided = check_inductive(model, timeout=timeout)
    props = []
    for p in result.properties:
        d = decided.get(p.name)
        if d is None:
            props.append(p)
            continue
        note = "decided by the builtin checker (TLC checks reachable states only)"
        props.append(replace(d, message=f"{d.message}; {note}" if d.message else note))
    return replace(result, properties=tuple(props))


def _with_refinements(model: ir.Model, result: CheckResult, be: Backend, timeout: float | None, t0: float,
                      keep_dir, budget: bounds.Budget) -> CheckResult:
    """The refinement verdicts, one TLC run each (``tlc.refinement``), in ``result``."""
    if result.error or not result.complete or not any(isinstance(p, ir.Refinement) for p in model.properties):
        return result
    from dataclasses import replace

    from .refinement import with_refinements_tlc

    left = None if timeout is None else max(1.0, timeout - (time.monotonic() - t0))
    sub = None if keep_dir is None else Path(keep_dir) / "refinement"
    type_ok = result.property(ir.TYPE_OK)
    bound = type_ok is None or type_ok.verdict is not Verdict.HOLDS
    out = with_refinements_tlc(model, result, backend=be, timeout=left, keep_dir=sub, budget=budget, bound=bound)
    return replace(out, stats=replace(out.stats, seconds=time.monotonic() - t0))


class _Checker:
    """The run loop of one variant (see the module docstring)."""

    def __init__(self, em: Emitted, be: Backend, workers: int, timeout: float | None, sym_on: bool,
                 t0: float, budget: bounds.Budget, failed, distributed: Distributed | None = None):
        self.em, self.be, self.workers, self.timeout = em, be, workers, timeout
        self.distributed = distributed
        self.first = False
        self.sym_on, self.t0, self.budget, self.failed = sym_on, t0, budget, failed
        self.verdicts: dict[str, _Verdict] = {}
        self.constraints: dict[str, str] = {}
        self.stats = Stats()

    def runner(self) -> str:
        """TLC's version (from its output) and the runner, for ``CheckResult.runner``."""
        version = getattr(getattr(self, "sess", None), "version", None)
        return f"TLC {version}, {self.be.describe()}" if version else f"TLC, {self.be.describe()}"

    def check(self, workdir: Path) -> CheckResult:
        deadline = None if self.timeout is None else self.t0 + self.timeout
        self.sess = TlcSession(self.em, self.be, workdir, workers=self.workers, deadline=deadline,
                               distributed=self.distributed)
        self.mapper = TraceMapper(self.em)
        try:
            return self._check()
        except BackendUnavailable as exc:
            return self.failed(str(exc))
        except TlcFailure as exc:
            return self.failed(str(exc))
        except TimeoutError:
            return self.incomplete(self._timeout())
        except KeyboardInterrupt:
            return self.incomplete("interrupted")

    def _cfg(self, cfg: str, kinds) -> str:
        return cfg + bounds.cfg_lines(self.constraints, kinds)

    def _timeout(self) -> str:
        return f"time budget of {self.timeout:g}s reached" if self.timeout is not None else "TLC timed out"

    def type_ok_holds(self) -> bool:
        """TypeOK holds in every reachable state: then no run can leave the declared types
        (TypeOK is closed under the symmetry permutations), and none needs the bound."""
        v = self.verdicts.get(ir.TYPE_OK)
        return v is not None and v.verdict is Verdict.HOLDS

    def _check(self) -> CheckResult:
        em, model, sess, verdicts = self.em, self.em.model, self.sess, self.verdicts
        sess.translate()
        defs, self.constraints = bounds.definitions(em, self.budget)
        sess.append(defs)
        budget_kinds = (bounds.MAX_STATES, bounds.MAX_DEPTH)
        invariants = list(em.invariants)
        checks = list(em.check_props)
        deadlock_on = not model.allow_deadlock
        type_ok = em.symbols.prop(ir.TYPE_OK) if ir.TYPE_OK in model.property_names else None
        final: TlcOutput | None = None
        # TLC leaves the violating state out of an invariant's trace when an Assert fails while
        # the same state's successors are generated: it prints the path to the parent only. An
        # invariant reported by a run with checks on is therefore traced again by a run with
        # them off (the reachable states are the same: a switched-off check completes the step).
        retrace = False
        short: dict[str, TlcError] = {}  # invariants whose trace TLC cut one state short
        for _ in range(2 * len(invariants) + len(checks) + 3):
            # without TypeOK as an invariant, a value past its range may grow for ever: bound it
            kinds = budget_kinds if type_ok in invariants else budget_kinds + (bounds.BOUND,)
            run_checks = () if retrace else tuple(checks)
            retrace = False
            cfg = em.render_cfg(invariants=tuple(invariants), properties=(), checks=run_checks,
                                symmetry=self.sym_on, check_deadlock=deadlock_on)
            out, res = sess.tlc(self._cfg(cfg, kinds), deadlock=deadlock_on, coverage=True)
            self.stats = _stats(out, self.t0)
            if res.timed_out:
                return self.incomplete(self._timeout())
            progress = stopped = False
            for err in out.errors:
                if err.kind in ("invariant", "assert", "deadlock") and stopped:
                    continue  # TLC reports a spurious deadlock after a failed Assert
                if err.kind == "invariant":
                    stopped = True
                    if run_checks:
                        retrace = progress = True
                        continue
                    if err.name in invariants and not self._ends_in_violation(err):
                        # the trace stops at the state whose successors TLC was generating when
                        # an evaluation error cut it short: the invariant stays open, and the
                        # next run stops at that error, which decides it (as on the builtin)
                        invariants.remove(err.name)
                        short[err.name] = err
                        progress = True
                        continue
                    dsl = _dsl_invariant(em, err.name)
                    if dsl is None:
                        return self.failed(f"TLC reported a violation of unknown invariant {err.name}")
                    depth = self.budget.max_depth
                    if depth is not None and len(err.trace) > depth:
                        # found in a state TLC checked but the depth budget does not reach
                        verdicts.setdefault(dsl, _Verdict(Verdict.INCOMPLETE, (
                            f"not violated within the depth budget of {depth} "
                            f"(TLC found a violation at depth {len(err.trace)})")))
                    else:
                        verdicts.setdefault(dsl, _Verdict(Verdict.VIOLATED, f"invariant {dsl} is violated",
                                                          self.mapper.trace(err.trace)))
                    if err.name in invariants:
                        invariants.remove(err.name)
                        progress = True
                elif err.kind == "assert":
                    stopped = True
                    site, proc = _site(em, err.info)
                    if site is None:
                        return self.failed(str(sess.failure(out, err, res)))
                    verdicts.setdefault(site.prop, _Verdict(Verdict.VIOLATED, site.message,
                                                            self.mapper.trace(err.trace, failure=(site, proc))))
                    if site.prop in checks:
                        checks.remove(site.prop)
                        progress = True
                elif err.kind == "deadlock":
                    stopped = True
                    verdicts.setdefault(ir.DEADLOCK, _Verdict(
                        Verdict.VIOLATED, "deadlock: no step is enabled and not every process is done",
                        self.mapper.trace(err.trace)))
                    deadlock_on = False
                    progress = True
                elif is_runtime(err):
                    return self.errored(err)
                else:
                    return self.failed(str(sess.failure(out, err, res)))
            if stopped:
                if not progress:
                    return self.failed("TLC keeps stopping at the same violation; see the generated module")
                if self.first and any(v.verdict is Verdict.VIOLATED for v in verdicts.values()):
                    return self.incomplete(FIRST)
                continue
            if out.markers == {bounds.MAX_DEPTH} and out.finished and self._depth_was_enough(out, kinds):
                out.markers.clear()  # every successor of the last level had been seen
            cut = bounds.cut_reason(out.markers, self.budget)
            if cut is not None:
                return self.incomplete(cut)
            if out.complete:
                final = out
                break
            tail = "\n".join(res.output.strip().splitlines()[-5:])
            return self.failed(f"TLC stopped unexpectedly (exit code {res.returncode}):\n{tail}")
        if final is None:
            return self.incomplete("TLC did not finish")

        for n, err in short.items():  # violated one step past TLC's trace (never HOLDS)
            verdicts.setdefault(em.invariant_names[n], _Verdict(
                Verdict.VIOLATED, f"invariant {em.invariant_names[n]} is violated in a successor of "
                "the last state shown (TLC printed the trace one state short)", self.mapper.trace(err.trace)))
        for n in em.invariants:
            verdicts.setdefault(em.invariant_names[n], _Verdict(Verdict.HOLDS))
        for c in em.check_props:
            verdicts.setdefault(c, _Verdict(Verdict.HOLDS))
        if not model.allow_deadlock:
            verdicts.setdefault(ir.DEADLOCK, _Verdict(Verdict.HOLDS))
        stats = _stats(final, self.t0)
        self._liveness()
        for n in model.property_names:
            verdicts.setdefault(n, _Verdict(Verdict.INCOMPLETE, NOT_CHECKED))
        self.stats = Stats(stats.generated, stats.distinct, stats.depth, time.monotonic() - self.t0)
        # complete: every reachable state was explored (a liveness run cut by a budget leaves
        # its own property INCOMPLETE)
        return CheckResult(model.name, model.variant, BACKEND_NAME, self._props(), self.stats,
                           complete=True, symmetry=self.sym_on, coverage=_coverage(em, final))

    def _depth_was_enough(self, out: TlcOutput, kinds) -> bool:
        """Whether the depth budget cut only successors already seen: the same distinct-state
        count when level N+1 is admitted too (an exploration-only run)."""
        kinds = tuple(bounds.DEPTH_PROBE if k == bounds.MAX_DEPTH else k for k in kinds)
        cfg = self.em.render_cfg(invariants=(), properties=(), checks=(), symmetry=self.sym_on,
                                 check_deadlock=False)
        probe, res = self.sess.tlc(self._cfg(cfg, kinds), deadlock=False)
        if res.timed_out:
            raise TimeoutError
        return (not probe.errors and probe.finished and probe.markers <= {bounds.DEPTH_PROBE}
                and probe.distinct == out.distinct)

    def _liveness(self) -> None:
        """Each leadsto property in a run of its own, without symmetry or safety checks."""
        em, verdicts = self.em, self.verdicts
        kinds = (bounds.MAX_STATES, bounds.MAX_DEPTH) + (() if self.type_ok_holds() else (bounds.BOUND,))
        for p in em.model.properties:
            if not isinstance(p, ir.LeadsTo):
                continue
            cfg = em.render_cfg(invariants=(), properties=(em.symbols.prop(p.name),), checks=(),
                                symmetry=False, check_deadlock=False)
            out, res = self.sess.tlc(self._cfg(cfg, kinds), deadlock=False, cont=False)
            if res.timed_out:
                raise TimeoutError
            temporal = out.first("temporal")
            others = [e for e in out.errors if e.kind != "temporal"]
            cut = bounds.cut_reason(out.markers, self.budget)
            if others:
                err = others[0]
                if is_runtime(err):
                    info = runtime_error(em, self.sess.translated, self.mapper, err)
                    verdicts[p.name] = _Verdict(Verdict.ERROR, info.message, info.trace)
                else:
                    verdicts[p.name] = _Verdict(Verdict.ERROR, _clean(str(self.sess.failure(out, err, res))))
            elif temporal is not None and cut is None:
                verdicts[p.name] = _Verdict(Verdict.VIOLATED, f"{p.name} is violated",
                                            self.mapper.trace(temporal.trace, loop_to=temporal.loop_to,
                                                              loop_action=temporal.loop_action,
                                                              stuttering=temporal.stuttering))
            elif cut is not None:
                # a lasso in a cut graph may end where the cut is: not a counterexample
                verdicts[p.name] = _Verdict(Verdict.INCOMPLETE, f"liveness not decided: {cut}")
            elif out.complete:
                verdicts[p.name] = _Verdict(Verdict.HOLDS)
            else:
                verdicts[p.name] = _Verdict(Verdict.INCOMPLETE, "TLC did not finish the liveness check")

    def _props(self, default: _Verdict | None = None) -> tuple[PropertyResult, ...]:
        model = self.em.model
        out = []
        for n in model.property_names:
            v = self.verdicts.get(n)
            if default is not None and (v is None or v.verdict is Verdict.HOLDS):
                v = default  # cut short: nothing holds; what was found stands
            out.append(PropertyResult(n, model.property_kind(n), v.verdict, v.message, v.trace))
        return tuple(out)

    def incomplete(self, reason: str) -> CheckResult:
        """Cut short (budget, timeout, interrupt): violations found stand, the rest is open."""
        model = self.em.model
        stats = replace_seconds(self.stats, time.monotonic() - self.t0)
        return CheckResult(model.name, model.variant, BACKEND_NAME, self._props(_Verdict(Verdict.INCOMPLETE, reason)),
                           stats, complete=False, reason=reason, symmetry=self.sym_on)

    def _ends_in_violation(self, err: TlcError) -> bool:
        """Whether the last state of TLC's trace to a violated invariant violates it, asked of
        TLC with that state as the only initial state. TLC leaves the violating state out of
        the trace when generating the same state's successors then fails (a failed Assert, an
        evaluation error)."""
        if err.code == INVARIANT_INITIAL or not err.trace or not err.trace[-1].text:
            return True
        n = self.sess.runs + 1
        last, stay = f"MS_Last{n}", f"MS_Stay{n}"
        self.sess.append("\n".join([f"{last} ==", *(f"    /\\ {t}" for t in err.trace[-1].text),
                                    f"{stay} == UNCHANGED vars"]))
        cfg = self.em.render_cfg(invariants=(err.name,), properties=(), checks=(), symmetry=False,
                                 check_deadlock=False)
        cfg = cfg.replace("SPECIFICATION Spec", f"INIT {last}\nNEXT {stay}")
        out, res = self.sess.tlc(cfg, deadlock=False, single=True)
        if res.timed_out:
            raise TimeoutError
        if out.first("invariant") is not None:
            return True
        if not out.finished:
            raise TlcFailure("TLC could not evaluate the invariant on the last state of its trace")
        return False

    def errored(self, err: TlcError) -> CheckResult:
        """A runtime error: it decides the properties still open (ERROR, with its trace);
        violations found before it keep their counterexamples."""
        info = runtime_error(self.em, self.sess.translated, self.mapper, err)
        model = self.em.model
        stats = replace_seconds(self.stats, time.monotonic() - self.t0)
        if not stats.depth and err.trace:  # TLC prints no depth when it stops at an error
            stats = Stats(stats.generated, stats.distinct, len(err.trace), stats.seconds)
        return CheckResult(model.name, model.variant, BACKEND_NAME,
                           self._props(_Verdict(Verdict.ERROR, info.message, info.trace)), stats,
                           complete=False, reason="evaluation error", error=info.message, symmetry=self.sym_on)


def replace_seconds(stats: Stats, seconds: float) -> Stats:
    return Stats(stats.generated, stats.distinct, stats.depth, seconds)


def _coverage(em: Emitted, out: TlcOutput) -> tuple[tuple[str, int], ...]:
    """How often each step ran (TLC's states generated per action), every step present."""
    if not out.coverage:
        return ()
    units = [(a.name, s.name) for a in em.model.actors for s in a.steps]
    units += [(f.name, s.name) for f in em.model.functions for s in f.steps]
    return tuple((f"{a}.{s}", out.coverage.get(em.label_of_step[(a, s)], (0, 0))[1]) for a, s in units)


def _site(em: Emitted, info):
    """The check site and process of a failed ``MS_Check`` (its ``<<prop, site, proc>>``)."""
    from .values import Raw, plain
    if isinstance(info, Raw) and info.kind == "seq" and len(info.items) == 3:
        prop, idx, proc = info.items
        if isinstance(idx, int) and 1 <= idx <= len(em.sites):
            site = em.sites[idx - 1]
            if site.prop == prop:
                return site, plain(proc)
    return None, None


def _stats(out: TlcOutput | None, t0: float) -> Stats:
    if out is None:
        return Stats(seconds=time.monotonic() - t0)
    return Stats(out.generated or 0, out.distinct or 0, out.depth or 0, time.monotonic() - t0)
