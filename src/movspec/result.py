"""Check results: the one vocabulary shared by both checkers and every report.

A ``CheckResult`` is what a back end (the embedded checker, TLC) returns for one variant.
Verdicts per property are ``HOLDS | VIOLATED | INCOMPLETE | ERROR``; a search cut short by a
budget is never ``HOLDS``. Statistics use TLC's words (states generated, distinct states,
depth, where depth counts the initial state as 1).

State values in traces use one plain representation whichever checker produced them:
``int``, ``bool``, ``str`` (atoms: model values, enum members, pc step names, ``"Done"``,
``"defaultInitValue"``), ``Rec`` (records), ``Fn`` (functions, also per-process locals and
``pc``), ``frozenset`` (sets) and ``Seq`` (lists). A state is a dict from state-variable key to value; keys
are global variable names, ``"<actor>.<local>"`` for actor locals (an ``Fn`` over process
ids) and ``"pc"`` (an ``Fn`` from process id to step name or ``"Done"``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Union

from .span import Span

SCHEMA_VERSION = 1


class Verdict(str, Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    INCOMPLETE = "incomplete"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Rec:
    """A record value; fields in declaration order."""

    fields: tuple[tuple[str, "Value"], ...]

    def get(self, name: str) -> "Value":
        for k, v in self.fields:
            if k == name:
                return v
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Fn:
    """A function value; pairs in domain order."""

    pairs: tuple[tuple["Value", "Value"], ...]

    def get(self, key: "Value") -> "Value":
        for k, v in self.pairs:
            if k == key:
                return v
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Seq:
    """A list value (``list of T``): its elements, head first."""

    items: tuple["Value", ...] = ()


Value = Union[int, bool, str, Rec, Fn, frozenset, Seq]
State = dict[str, Value]


def format_value(v: Value) -> str:
    """A compact DSL-flavoured rendering: ``{P1, P2}``, ``[P1 |-> 1]``, ``{ref: 1}``, a list
    ``[P2, P1]`` (head first)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, str)):
        return str(v)
    if isinstance(v, Rec):
        return "{" + ", ".join(f"{k}: {format_value(x)}" for k, x in v.fields) + "}"
    if isinstance(v, Fn):
        return "[" + ", ".join(f"{format_value(k)} |-> {format_value(x)}" for k, x in v.pairs) + "]"
    if isinstance(v, frozenset):
        return "{" + ", ".join(sorted(format_value(x) for x in v)) + "}"
    if isinstance(v, Seq):
        return "[" + ", ".join(format_value(x) for x in v.items) + "]"
    return repr(v)


def value_to_json(v: Value) -> Any:
    """JSON form, the ITF conventions for maps and sets: ``{"#map": [[k, v], ...]}``,
    ``{"#set": [...]}``; records as plain objects, lists as arrays."""
    if isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, Rec):
        return {k: value_to_json(x) for k, x in v.fields}
    if isinstance(v, Fn):
        return {"#map": [[value_to_json(k), value_to_json(x)] for k, x in v.pairs]}
    if isinstance(v, frozenset):
        return {"#set": sorted((value_to_json(x) for x in v), key=lambda j: json.dumps(j, sort_keys=True))}
    if isinstance(v, Seq):
        return [value_to_json(x) for x in v.items]
    raise TypeError(f"not a state value: {v!r}")


def diff_values(path: str, old: Value | None, new: Value) -> list[tuple[str, Value | None, Value]]:
    """The leaf-level changes between two values, as ``(path, old, new)``:
    ``page[P1].ref: 1 -> 2`` rather than the whole ``page`` function."""
    if old == new:
        return []
    if isinstance(old, Rec) and isinstance(new, Rec) and [k for k, _ in old.fields] == [k for k, _ in new.fields]:
        out = []
        for (k, a), (_, b) in zip(old.fields, new.fields):
            out += diff_values(f"{path}.{k}", a, b)
        return out
    if isinstance(old, Fn) and isinstance(new, Fn) and [k for k, _ in old.pairs] == [k for k, _ in new.pairs]:
        out = []
        for (k, a), (_, b) in zip(old.pairs, new.pairs):
            out += diff_values(f"{path}[{format_value(k)}]", a, b)
        return out
    return [(path, old, new)]


def diff_states(old: State | None, new: State) -> tuple[tuple[str, Value | None, Value], ...]:
    out: list = []
    for key in new:
        out += diff_values(key, None if old is None else old.get(key), new[key])
    return tuple(out)


@dataclass(frozen=True)
class TraceStep:
    """One row of a counterexample. The first row of a trace is the initial state
    (``actor``, ``proc`` and ``step`` None). ``state`` is the state after the step; for a
    step that failed an assertion it is None and ``failure`` says why."""

    actor: str | None
    proc: str | None
    step: str | None
    anchor: str | None
    span: Span | None
    state: State | None
    changes: tuple[tuple[str, Value | None, Value], ...] = ()
    failure: str | None = None

    def to_json(self) -> dict:
        return {
            "actor": self.actor,
            "proc": self.proc,
            "step": self.step,
            "anchor": self.anchor,
            "span": self.span.to_json() if self.span else None,
            "changes": [{"path": p, "old": None if o is None else value_to_json(o), "new": value_to_json(n)}
                        for p, o, n in self.changes],
            "state": None if self.state is None else {k: value_to_json(v) for k, v in self.state.items()},
            "failure": self.failure,
        }


@dataclass(frozen=True)
class Trace:
    """A counterexample. ``loop_start`` is set for a lasso (liveness): the steps from that
    index on repeat forever. ``start`` says what the first row is: ``"initial"`` (an initial
    state) or ``"assumed"`` (any state satisfying an inductive invariant, reachable or not:
    a counterexample to induction)."""

    steps: tuple[TraceStep, ...]
    loop_start: int | None = None
    start: str = "initial"

    def __len__(self) -> int:
        return len(self.steps)

    def to_json(self) -> dict:
        return {"steps": [s.to_json() for s in self.steps], "loop_start": self.loop_start,
                "start": self.start}


@dataclass(frozen=True)
class PropertyResult:
    name: str
    kind: str  # "invariant" | "assert" | "deadlock" | "leadsto" | "refinement"
    verdict: Verdict
    message: str | None = None
    trace: Trace | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "verdict": self.verdict.value,
                "message": self.message, "trace": self.trace.to_json() if self.trace else None}


@dataclass(frozen=True)
class Stats:
    generated: int = 0
    distinct: int = 0
    depth: int = 0
    seconds: float = 0.0
    # the builtin search kept 64-bit fingerprints, not exact states: a bound on the probability
    # that two distinct states were merged (which could hide a violation), and TLC's
    # "calculated (optimistic)" estimate for comparison (``explore.visited``)
    fingerprints: bool = False
    collision_bound: float = 0.0
    collision_optimistic: float = 0.0

    def to_json(self) -> dict:
        out = {"generated": self.generated, "distinct": self.distinct, "depth": self.depth,
               "seconds": round(self.seconds, 3)}
        if self.fingerprints:
            out["fingerprints"] = {"collision_bound": float(f"{self.collision_bound:.3g}"),
                                   "optimistic": float(f"{self.collision_optimistic:.3g}")}
        return out


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one variant with one back end.

    ``complete`` is False when the search was cut short (budget, interrupt); then no property
    may be HOLDS. ``error`` is set when the back end could not check at all (then every
    verdict is ERROR). ``symmetry`` says whether symmetry reduction was on (distinct counts
    are comparable between back ends only at equal settings)."""

    model: str
    variant: str
    backend: str
    properties: tuple[PropertyResult, ...]
    stats: Stats = field(default_factory=Stats)
    complete: bool = True
    reason: str | None = None  # why incomplete
    error: str | None = None
    symmetry: bool = False
    # why symmetry reduction was off although it was asked for and a set is `symmetric`
    # (the model names one of its elements: see ``ir.symmetry``); None otherwise
    symmetry_note: str | None = None
    # How often each step ran, keyed "actor.step" (every step of the model is present; a 0
    # means the step was never enabled in the states reached: a sign of a vacuous model).
    # Empty when the back end does not measure it.
    coverage: tuple[tuple[str, int], ...] = ()
    # What ran the back end, for TLC: its version and runner ("TLC 2.18, local Java, /x.jar");
    # empty for the builtin checker.
    runner: str = ""

    @property
    def checker(self) -> str:
        """Which checker produced this: the builtin one, or TLC with its version and runner."""
        if self.backend in ("builtin", ""):
            return "the builtin checker"
        return self.runner or self.backend

    def verdict(self, prop: str) -> Verdict | None:
        for p in self.properties:
            if p.name == prop:
                return p.verdict
        return None

    def property(self, prop: str) -> PropertyResult | None:
        return next((p for p in self.properties if p.name == prop), None)

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "variant": self.variant,
            "backend": self.backend,
            "complete": self.complete,
            "reason": self.reason,
            "error": self.error,
            "symmetry": self.symmetry,
            "symmetry_note": self.symmetry_note,
            "stats": self.stats.to_json(),
            "properties": [p.to_json() for p in self.properties],
            "coverage": {k: n for k, n in self.coverage},
            "runner": self.runner,
        }


def results_to_json(results: list[CheckResult]) -> dict:
    """The ``--json`` document shared by every back end."""
    return {"schema_version": SCHEMA_VERSION, "tool": "movspec", "results": [r.to_json() for r in results]}
