"""A counterexample arranged for reading: one lane per process, one row per step.

Every trace rendering (terminal lanes, ``explain``, Mermaid diagrams, the HTML viewer) is
built from the ``TraceView`` made here, so they all say the same thing:

* lanes are the model's processes in declaration order (a family gives one lane per member:
  ``compactor C1``, ``compactor C2``; a single actor gives one lane named after it);
* row 0 is the initial state; each later row is one atomic step by one process, with the
  step name, its kernel anchor, the leaf-level variables it changed, and where the process
  goes next when that is not simply the following step;
* a step that failed a check (``assert``, a call into an unloaded module) has no state
  after it; its row carries the failure message.

Changes are recomputed from consecutive states when both are present (so the view does not
depend on a back end filling ``TraceStep.changes``); otherwise the back end's are used.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from ..ir.nodes import DEFAULT_INIT, DONE, Model
from ..result import Fn, Rec, Seq, State, Trace, TraceStep, Value, diff_values, format_value


@dataclass(frozen=True)
class Lane:
    actor: str
    proc: str
    label: str  # "compactor C1", or "loader" for a single actor


@dataclass(frozen=True)
class Change:
    """One leaf that changed. ``path`` is shown relative to the acting process for its own
    locals (``p``), otherwise absolute (``page[P1].ref``)."""

    path: str
    old: Value | None
    new: Value
    local: bool = False

    def text(self) -> str:
        if self.old is None or self.old == DEFAULT_INIT:
            return f"{self.path} = {shown_value(self.new)}"
        return f"{self.path}: {shown_value(self.old)} → {shown_value(self.new)}"


@dataclass(frozen=True)
class Row:
    index: int
    lane: int | None  # None for the initial state
    actor: str | None
    proc: str | None
    step: str | None
    anchor: str | None
    changes: tuple[Change, ...] = ()
    jump: str | None = None  # the next step when it is not the fall-through one ("Done" too)
    next: str | None = None  # where the process is after the step (its pc), when known
    failure: str | None = None
    loop_start: bool = False
    state: State | None = None
    line: int | None = None  # DSL line of the step
    file: str | None = None

    @property
    def function(self) -> str | None:
        """The kernel function of the anchor (``isolate_movable_page``)."""
        return anchor_function(self.anchor)


@dataclass(frozen=True)
class TraceView:
    lanes: tuple[Lane, ...]
    rows: tuple[Row, ...]
    loop_start: int | None = None
    globals: tuple[str, ...] = field(default=())  # global variable keys, in state order
    start: str = "initial"  # what row 0 is (see result.Trace.start)


def anchor_function(anchor: str | None) -> str | None:
    if not anchor:
        return None
    return anchor.rsplit(":", 1)[-1]


def anchor_file(anchor: str | None) -> str | None:
    if not anchor or ":" not in anchor:
        return None
    return anchor.rsplit(":", 1)[0]


def _lanes(trace: Trace, model: Model | None) -> tuple[Lane, ...]:
    lanes: list[Lane] = []
    if model is not None:
        for actor in model.actors:
            for proc in model.procs(actor):
                label = actor.name if actor.proc_set is None else f"{actor.name} {proc}"
                lanes.append(Lane(actor.name, proc, label))
    known = {l.proc for l in lanes}
    # Processes the model does not list (no model, or a result from another model version):
    # take them from pc, then from the steps, so no row is left without a lane.
    first = trace.steps[0].state if trace.steps else None
    extra: list[tuple[str | None, str]] = []
    if first and isinstance(first.get("pc"), Fn):
        extra += [(None, str(k)) for k, _ in first["pc"].pairs]
    extra += [(s.actor, s.proc) for s in trace.steps if s.proc is not None]
    actor_of = {s.proc: s.actor for s in trace.steps if s.proc is not None}
    for actor, proc in extra:
        if proc not in known:
            known.add(proc)
            a = actor or actor_of.get(proc) or proc
            lanes.append(Lane(a, proc, a if a == proc else f"{a} {proc}"))
    return tuple(lanes)


def _is_local_key(key: str, model: Model | None, state: State) -> bool:
    if "." not in key:
        return False
    if model is not None:
        actor, local = key.split(".", 1)
        a = model.actor(actor)
        return a is not None and a.local(local) is not None
    return isinstance(state.get(key), Fn)


def _changes(prev: State | None, step: TraceStep, model: Model | None) -> tuple[Change, ...]:
    if step.state is None or prev is None:
        raw = step.changes
        out = []
        for path, old, new in raw:
            if path == "pc" or path.startswith("pc["):
                continue
            out.append(_relativize(path, old, new, step))
        return tuple(out)
    out = []
    for key, new in step.state.items():
        if key == "pc":
            continue
        old = prev.get(key)
        if _is_local_key(key, model, step.state) and isinstance(new, Fn) and isinstance(old, Fn):
            local = key.split(".", 1)[1]
            for (proc, a), (_, b) in zip(old.pairs, new.pairs):
                for path, o, n in diff_values(local, a, b):
                    if str(proc) == step.proc:
                        out.append(Change(path, o, n, local=True))
                    else:  # another process's local: say whose
                        out.append(Change(f"{key}[{format_value(proc)}]{path[len(local):]}", o, n))
        else:
            out += [Change(p, o, n) for p, o, n in diff_values(key, old, new)]
    return tuple(out)


def _relativize(path: str, old, new, step: TraceStep) -> Change:
    if step.actor and step.proc and path.startswith(step.actor + "."):
        rest = path[len(step.actor) + 1:]
        marker = f"[{step.proc}]"
        name, _, tail = rest.partition("[")
        if ("[" + tail).startswith(marker):
            return Change(name + ("[" + tail)[len(marker):], old, new, local=True)
    return Change(path, old, new)


def _pc(state: State | None, proc: str | None) -> str | None:
    if state is None or proc is None:
        return None
    pc = state.get("pc")
    if isinstance(pc, Fn):
        for k, v in pc.pairs:
            if str(k) == proc:
                return str(v)
    return None


def _fallthrough(model: Model | None, actor: str | None, step: str | None) -> str | None:
    if model is None or actor is None or step is None:
        return None
    a = model.actor(actor)
    if a is None:
        return None
    names = [s.name for s in a.steps]
    if step not in names:
        return None
    i = names.index(step)
    return names[i + 1] if i + 1 < len(names) else DONE


def printable(s: str | None) -> str | None:
    """A model string (an anchor, an assertion message) fit for a terminal: control and
    format characters other than line feed and tab written as ``\\uXXXX``, so none can
    move the cursor, recolour the screen or reorder text."""
    if s is None:
        return None
    return "".join(c if c in "\n\t" or not unicodedata.category(c).startswith("C") else f"\\u{ord(c):04x}"
                   for c in s)


def _anchor(model: Model | None, step: TraceStep) -> str | None:
    return printable(_raw_anchor(model, step))


def _raw_anchor(model: Model | None, step: TraceStep) -> str | None:
    if step.anchor:
        return step.anchor
    if model is not None and step.actor and step.step:
        a = model.actor(step.actor)
        s = a.step(step.step) if a else None
        if s is not None:
            return s.anchor
    return None


def view(trace: Trace, model: Model | None = None) -> TraceView:
    """Arrange ``trace`` in lanes; ``model`` (the variant's IR) orders the lanes, fills
    anchors the trace lacks and tells jumps from fall-throughs."""
    lanes = _lanes(trace, model)
    index = {l.proc: i for i, l in enumerate(lanes)}
    rows: list[Row] = []
    prev: State | None = None
    for i, step in enumerate(trace.steps):
        span = step.span
        if model is not None and span is None and step.actor and step.step:
            a = model.actor(step.actor)
            s = a.step(step.step) if a else None
            span = s.span if s is not None else None
        if step.proc is None:
            rows.append(Row(i, None, None, None, None, None, state=step.state,
                            loop_start=trace.loop_start == i))
        else:
            jump = None
            after = _pc(step.state, step.proc)
            if after is not None and after != _fallthrough(model, step.actor, step.step):
                jump = after
            rows.append(Row(
                i, index.get(step.proc), step.actor, step.proc, step.step, _anchor(model, step),
                changes=_changes(prev, step, model), jump=jump, next=after, failure=printable(step.failure),
                loop_start=trace.loop_start == i, state=step.state,
                line=span.line if span else None, file=span.file if span else None,
            ))
        if step.state is not None:
            prev = step.state
    first = trace.steps[0].state if trace.steps and trace.steps[0].state else {}
    glob = tuple(k for k in first if k != "pc" and not _is_local_key(k, model, first))
    return TraceView(lanes, tuple(rows), trace.loop_start, glob, trace.start)


def initial_pcs(v: TraceView) -> dict[str, str]:
    """Where each process starts (from the initial state's ``pc``)."""
    if not v.rows or v.rows[0].state is None:
        return {}
    out = {}
    for lane in v.lanes:
        pc = _pc(v.rows[0].state, lane.proc)
        if pc is not None:
            out[lane.proc] = pc
    return out


def proc_state(state: State, lane: Lane, model: Model | None) -> list[tuple[str, Value]]:
    """The locals and pc of one process in ``state``: ``[("p", "P1"), ("pc", "get")]``."""
    out = []
    for key, val in state.items():
        if key == "pc" or not key.startswith(lane.actor + ".") or not isinstance(val, Fn):
            continue
        if not _is_local_key(key, model, state):
            continue
        for k, x in val.pairs:
            if str(k) == lane.proc:
                out.append((key.split(".", 1)[1], x))
    pc = _pc(state, lane.proc)
    if pc is not None:
        out.append(("pc", pc))
    return out


UNSET = "unset"  # how a report shows PlusCal's defaultInitValue: a local not assigned yet


def _unset(v: Value) -> Value:
    if v == DEFAULT_INIT:
        return UNSET
    if isinstance(v, Rec):
        return Rec(tuple((k, _unset(x)) for k, x in v.fields))
    if isinstance(v, Fn):
        return Fn(tuple((k, _unset(x)) for k, x in v.pairs))
    if isinstance(v, frozenset):
        return frozenset(_unset(x) for x in v)
    if isinstance(v, Seq):
        return Seq(tuple(_unset(x) for x in v.items))
    return v


def shown_value(v: Value) -> str:
    """A state value as the report shows it: ``format_value``, with the value of a local
    that has none yet (``defaultInitValue``) written ``unset``."""
    return format_value(_unset(v))
