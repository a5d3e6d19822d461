"""``movspec diff A B``: how two variants differ, and how their verdicts differ.

Three parts, each a pure function:

* ``model_diff(a, b)``: the structural differences of the two resolved models (constants,
  variables, actors, steps added, removed or changed, properties, expectations), with the
  source text of changed steps side by side when the sources are at hand;
* ``verdict_diff(ra, rb)``: property by property, the two verdicts;
* ``replay(trace, successors, initial)``: A's counterexample walked on B. Each step of the
  trace is looked for among B's successors of the current state: the same process running
  the step of the same name, leading to a state that agrees with A's on the variables both
  models have. The first step B cannot take in that way is where B blocks the trace, and the
  result says why (the process is elsewhere, the step is not enabled, the step leads to
  different values, or the failing check passes in B).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..ir.nodes import Actor, Model, Step
from ..result import CheckResult, Fn, State, Trace, Verdict, diff_values, format_value


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True)
class Item:
    """One difference. ``kind``: added | removed | changed. ``what``: const, var, actor,
    step, local, property, expectation, setting."""

    kind: str
    what: str
    name: str
    a: str | None = None  # A's side (text), None when absent
    b: str | None = None
    a_where: str | None = None  # file:line of A's side
    b_where: str | None = None


def _span_text(node, sources: dict[str, str] | None) -> str | None:
    span = getattr(node, "span", None)
    if span is None or sources is None:
        return None
    text = sources.get(span.file)
    if text is None:
        return None
    lines = text.splitlines()
    if not (1 <= span.line <= len(lines)):
        return None
    chunk = lines[span.line - 1: max(span.end_line, span.line)]
    if not chunk:
        return None
    if span.end_line == span.line:
        return chunk[0][span.col - 1: span.end_col - 1] or chunk[0].strip()
    chunk[0] = chunk[0][span.col - 1:]
    chunk[-1] = chunk[-1][: span.end_col - 1]
    # continuation lines lose the indentation the first line had in the file
    pad = span.col - 1
    body = [chunk[0]] + [l[pad:] if l[:pad].strip() == "" else l.lstrip() for l in chunk[1:]]
    return "\n".join(body)


def _where(node) -> str | None:
    span = getattr(node, "span", None)
    return f"{span.file}:{span.line}" if span else None


def _step_summary(s: Step) -> str:
    return f"step {s.name}" + (f' @ "{s.anchor}"' if s.anchor else "")


def _steps_diff(actor: str, a: Actor, b: Actor, sources) -> list[Item]:
    out = []
    names_a = [s.name for s in a.steps]
    names_b = [s.name for s in b.steps]
    for s in a.steps:
        if s.name not in names_b:
            out.append(Item("removed", "step", f"{actor}.{s.name}", _span_text(s, sources) or _step_summary(s),
                            None, _where(s), None))
    for s in b.steps:
        t = a.step(s.name)
        if t is None:
            after = names_b[names_b.index(s.name) - 1] if names_b.index(s.name) > 0 else None
            summary = _step_summary(s) + (f"  (after {after})" if after else "  (first)")
            out.append(Item("added", "step", f"{actor}.{s.name}", None, _span_text(s, sources) or summary,
                            None, _where(s)))
        elif (t.body, t.anchor) != (s.body, s.anchor):
            out.append(Item("changed", "step", f"{actor}.{s.name}",
                            _span_text(t, sources) or _step_summary(t) + " (body differs)",
                            _span_text(s, sources) or _step_summary(s) + " (body differs)",
                            _where(t), _where(s)))
    common = [n for n in names_a if n in names_b]
    if common != [n for n in names_b if n in names_a]:
        out.append(Item("changed", "step", f"{actor} (order)", ", ".join(names_a), ", ".join(names_b)))
    return out


def model_diff(a: Model, b: Model, sources: dict[str, str] | None = None) -> list[Item]:
    out: list[Item] = []
    if a.allow_deadlock != b.allow_deadlock:
        out.append(Item("changed", "setting", "allow deadlock", str(a.allow_deadlock).lower(),
                        str(b.allow_deadlock).lower()))
    for kind, xs, ys, show in (
        ("const", a.consts, b.consts, lambda c: ("{" + ", ".join(c.atoms) + "}" if c.atoms is not None else str(c.value))
         + (" symmetric" if c.symmetric else "")),
        ("var", a.vars, b.vars, lambda v: str(v.type)),
        ("property", a.properties, b.properties, lambda p: type(p).__name__.lower()),
        ("module", a.modules, b.modules, lambda m: "ops " + ", ".join(m.ops)),
    ):
        ya = {x.name: x for x in xs}
        yb = {y.name: y for y in ys}
        for n, x in ya.items():
            if n not in yb:
                out.append(Item("removed", kind, n, _span_text(x, sources) or show(x), None, _where(x)))
            elif x != yb[n]:
                out.append(Item("changed", kind, n, _span_text(x, sources) or show(x),
                                _span_text(yb[n], sources) or show(yb[n]), _where(x), _where(yb[n])))
        for n, y in yb.items():
            if n not in ya:
                out.append(Item("added", kind, n, None, _span_text(y, sources) or show(y), None, _where(y)))
    aa = {x.name: x for x in a.actors}
    ab = {x.name: x for x in b.actors}
    for n, x in aa.items():
        if n not in ab:
            out.append(Item("removed", "actor", n, f"actor {n} ({len(x.steps)} steps)", None, _where(x)))
            continue
        y = ab[n]
        if x.proc_set != y.proc_set or x.fairness != y.fairness:
            out.append(Item("changed", "actor", n, f"{x.fairness or ''} in {x.proc_set}".strip(),
                            f"{y.fairness or ''} in {y.proc_set}".strip()))
        la = {l.name: l for l in x.locals}
        lb = {l.name: l for l in y.locals}
        for ln in sorted(set(la) | set(lb)):
            if la.get(ln) != lb.get(ln):
                kind = "added" if ln not in la else "removed" if ln not in lb else "changed"
                out.append(Item(kind, "local", f"{n}.{ln}", str(la[ln].type) if ln in la else None,
                                str(lb[ln].type) if ln in lb else None))
        out += _steps_diff(n, x, y, sources)
    for n, y in ab.items():
        if n not in aa:
            out.append(Item("added", "actor", n, None, f"actor {n} ({len(y.steps)} steps)", None, _where(y)))
    ea = {(e.verdict, e.properties) for e in a.expectations}
    eb = {(e.verdict, e.properties) for e in b.expectations}
    show_e = lambda e: f"expect {e[0]} " + (", ".join(e[1]) if e[1] else "all")
    for e in sorted(ea - eb):
        out.append(Item("removed", "expectation", show_e(e), show_e(e), None))
    for e in sorted(eb - ea):
        out.append(Item("added", "expectation", show_e(e), None, show_e(e)))
    return out


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class VerdictRow:
    prop: str
    a: Verdict | None
    b: Verdict | None

    @property
    def same(self) -> bool:
        return self.a == self.b


def verdict_diff(ra: CheckResult, rb: CheckResult) -> list[VerdictRow]:
    names = [p.name for p in ra.properties] + [p.name for p in rb.properties if ra.property(p.name) is None]
    return [VerdictRow(n, ra.verdict(n), rb.verdict(n)) for n in names]


# --------------------------------------------------------------------------- replay

# A successor: (actor, proc, step, next state or None when the step fails a check, failure message)
Successor = tuple[str, str, str, "State | None", "str | None"]


@dataclass(frozen=True)
class ReplayStep:
    index: int
    proc: str | None
    step: str | None
    status: str  # "same" | "blocked" | "reproduced"
    note: str = ""


@dataclass(frozen=True)
class Replay:
    steps: tuple[ReplayStep, ...]
    reproduced: bool  # B reaches A's violation along the same steps
    blocked_at: int | None  # the trace index where B departs
    reason: str
    shared: tuple[str, ...] = field(default=())  # the variables compared

    def summary(self) -> str:
        return self.reason


def _project(state: State, keys: Iterable[str]) -> dict:
    return {k: state[k] for k in keys if k in state}


def _mismatch(sa: State, sb: State, keys, a: str = "A", b: str = "B") -> list[str]:
    out = []
    for k in keys:
        if k in sa and k in sb and sa[k] != sb[k]:
            for path, x, y in diff_values(k, sa[k], sb[k]):
                out.append(f"{path} is {format_value(y)} in {b}, {format_value(x)} in {a}")
    return out


def _pc(state: State, proc: str):
    pc = state.get("pc")
    if isinstance(pc, Fn):
        for k, v in pc.pairs:
            if str(k) == proc:
                return v
    return None


def replay(trace: Trace, successors: Callable[[object], Iterable[Successor]],
           initial: Iterable[object], to_state: Callable[[object], State] = lambda s: s,
           a: str = "A", b: str = "B") -> Replay:
    """Walk ``trace`` (A's counterexample) on B, given B's initial states, its
    ``successors`` function (``state -> (actor, proc, step, next, failure)``) and
    ``to_state`` (B's state representation -> a state dict). Variables are compared where
    both models have them."""
    init_a = trace.steps[0].state
    inits = list(initial)
    if not inits or init_a is None:
        return Replay((), False, 0, f"{b} has no initial state to start from")
    first_b = to_state(inits[0])
    shared = tuple(k for k in init_a if k in first_b)
    match = [s for s in inits if _project(to_state(s), shared) == _project(init_a, shared)]
    done: list[ReplayStep] = [ReplayStep(0, None, None, "same", "initial state")]
    if not match:
        why = "; ".join(_mismatch(init_a, first_b, shared, a, b)[:3])
        return Replay((ReplayStep(0, None, None, "blocked", why),), False, 0,
                      f"{b} starts from a different state: {why}", shared)
    current = match[0]
    for i, st in enumerate(trace.steps[1:], start=1):
        succ = [s for s in successors(current) if s[1] == st.proc]
        named = [s for s in succ if s[2] == st.step]
        if not named:
            pc = _pc(to_state(current), st.proc)
            if succ:
                why = f"{st.proc} cannot run `{st.step}` in {b}; it is at `{pc}` and can run " + \
                      ", ".join(sorted({f'`{s[2]}`' for s in succ}))
            elif pc is not None and pc != st.step:
                why = f"{st.proc} is at `{pc}` in {b}, not at `{st.step}`"
            else:
                why = f"`{st.step}` of {st.proc} is not enabled in {b} here (it waits)"
            done.append(ReplayStep(i, st.proc, st.step, "blocked", why))
            return Replay(tuple(done), False, i, f"{b} blocks the trace at step {i}: {why}", shared)
        if st.state is None:  # A's violation: a failing check
            failing = [s for s in named if s[4]]
            if failing:
                msg = failing[0][4]
                done.append(ReplayStep(i, st.proc, st.step, "reproduced", msg))
                return Replay(tuple(done), True, None, f"{b} reproduces the violation at step {i}: {msg}", shared)
            why = f"`{st.step}` of {st.proc} runs in {b} without the failure ({st.failure})"
            done.append(ReplayStep(i, st.proc, st.step, "blocked", why))
            return Replay(tuple(done), False, i, f"{b} blocks the trace at step {i}: {why}", shared)
        target = _project(st.state, shared)
        exact = [s for s in named if _project(to_state(s[3]), shared) == target]
        if not exact:
            got = to_state(named[0][3])
            diffs = [k for k in shared if k != "pc" and st.state.get(k) != got.get(k)]
            pc_a, pc_b = _pc(st.state, st.proc), _pc(got, st.proc)
            if not diffs and pc_a != pc_b:
                why = f"after `{st.step}`, {st.proc} goes on to `{pc_b}` in {b} (to `{pc_a}` in {a})"
            else:
                why = f"`{st.step}` of {st.proc} leads elsewhere in {b}: " + \
                      "; ".join(_mismatch(st.state, got, shared, a, b)[:3])
            done.append(ReplayStep(i, st.proc, st.step, "blocked", why))
            return Replay(tuple(done), False, i, f"{b} blocks the trace at step {i}: {why}", shared)
        current = exact[0][3]
        done.append(ReplayStep(i, st.proc, st.step, "same"))
    return Replay(tuple(done), True, None,
                  f"{b} follows every step of the trace to the same state", shared)


def replay_on(trace: Trace, model: Model, a: str = "A", b: str = "B") -> Replay:
    """Replay ``trace`` on ``model`` with the embedded checker's successor function
    (without symmetry reduction, so processes keep their names)."""
    from ..explore.compile import compile_model

    comp = compile_model(model, symmetry=False)
    cov = [0] * len(comp.steps)

    def to_state(s):
        return comp.layout.state(comp.dec(s))

    def successors(s):
        W = comp.dec(s)
        pcs = to_state(s)["pc"]
        for info in comp.steps:
            # a step function runs its step unconditionally: only the one each process is at
            if _pc({"pc": pcs}, str(info.proc)) != info.step.name:
                continue
            out: list = []
            viol: list = []
            comp.step_fns[info.sid](s, W, out, viol, cov)
            failure = viol[0][2] if viol else None
            for t in out:
                yield info.actor.name, str(info.proc), info.step.name, t, failure

    return replay(trace, successors, comp.init_states, to_state, a=a, b=b)
