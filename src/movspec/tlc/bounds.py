"""State constraints movspec adds to a TLC run, never to the committed ``gen/`` files.

Each is a TLA+ definition appended to the translated module in the run's scratch directory
and named by a ``CONSTRAINT`` line of that run's .cfg. A constraint that cuts the search
prints a marker (``PrintT("movspec:<what>")``, read by ``output.parse_output``), so the
runner knows the run did not explore everything: TLC itself still reports "No error has
been found".

* ``bound``: once ``TypeOK`` is found violated it is no longer an invariant of the re-runs,
  and a counter past its range could then grow for ever (``n += 1`` in a loop). The re-runs
  keep every integer within its declared range widened by the range's size plus 8 on each
  side, the headroom the builtin checker explores past a TypeOK violation
  (``explore.layout``), and every element of a set of integers within its declared range
  (the builtin checker stores a set as a bit mask over its type). A state beyond it stops the search (``TLCSet("exit", TRUE)``), as in
  the builtin checker; what is undecided then is INCOMPLETE, never HOLDS. Runs that check
  ``TypeOK`` as an invariant need no bound: TLC stops at the first state outside the types.
* ``max-states``: ``--max-states N``; the search stops once N distinct states are found.
* ``max-depth``: ``--max-depth N``; states of level N (the initial states are level 1) are
  not expanded. TLC evaluates a constraint before it knows whether a state is new, so when
  a level-N state has successors the runner asks one more, exploration-only run that admits
  level N+1 (``max-depth-probe``): the same distinct-state count means no successor was new
  and the search was complete, as the builtin checker decides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..emit.module import Emitted
from ..ir import nodes as ir
from ..ir.walk import types_in

HEADROOM_EXTRA = 8  # as explore.layout: the range's size plus this on each side

BOUND = "bound"
MAX_STATES = "max-states"
MAX_DEPTH = "max-depth"
DEPTH_PROBE = "max-depth-probe"

_NAMES = {BOUND: "MS_TypeBound", MAX_STATES: "MS_MaxStates", MAX_DEPTH: "MS_MaxDepth",
          DEPTH_PROBE: "MS_MaxDepthProbe"}


@dataclass(frozen=True)
class Budget:
    max_states: int | None = None
    max_depth: int | None = None

    def __bool__(self) -> bool:
        return self.max_states is not None or self.max_depth is not None


def headroom(t: ir.IntType) -> tuple[int, int]:
    head = (t.hi - t.lo + 1) + HEADROOM_EXTRA
    return t.lo - head, t.hi + head


def _has_int(t: ir.Type) -> bool:
    return any(isinstance(x, ir.IntType) for x in types_in(t))


class _Render:
    def __init__(self, em: Emitted):
        self.sy = em.symbols
        self.n = 0

    def fresh(self) -> str:
        self.n += 1
        return f"MS_b{self.n}"

    def within(self, e: str, t: ir.Type, margin: bool = True) -> str | None:
        """A TLA+ formula: every integer in value ``e`` of type ``t`` is within headroom (an
        element of a set: within its declared range, as the builtin checker stores sets)."""
        if isinstance(t, ir.IntType):
            lo, hi = headroom(t) if margin else (t.lo, t.hi)
            return f"{e} \\in {lo}..{hi}"
        if isinstance(t, ir.RecordType):
            parts = [self.within(f"{e}.{self.sy.field(f.name)}", f.type, margin) for f in t.fields
                     if _has_int(f.type)]
            return " /\\ ".join(f"({p})" for p in parts) if parts else None
        if isinstance(t, ir.FuncType) and _has_int(t.range):
            k = self.fresh()
            return f"\\A {k} \\in DOMAIN {e}: {self.within(f'{e}[{k}]', t.range, margin)}"
        if isinstance(t, ir.SetType) and _has_int(t.elem):
            x = self.fresh()
            return f"\\A {x} \\in {e}: {self.within(x, t.elem, False)}"
        return None


def type_bound(em: Emitted) -> str | None:
    """The body of the ``bound`` constraint (None when no state variable holds an integer:
    the state space is finite whatever the steps do)."""
    m = em.model
    r = _Render(em)
    parts: list[str] = []
    for v in m.vars:
        if _has_int(v.type):
            parts.append(r.within(em.symbols.var(v.name), v.type))
    for a in m.actors:
        for l in a.locals:
            if not _has_int(l.type):
                continue
            name = em.symbols.local(a.name, l.name)
            if a.proc_set is None:
                body = r.within(name, l.type)
                if l.init is None:
                    body = f"{name} = defaultInitValue \\/ ({body})"
                parts.append(body)
            else:
                p = r.fresh()
                body = r.within(f"{name}[{p}]", l.type)
                if l.init is None:
                    body = f"{name}[{p}] = defaultInitValue \\/ ({body})"
                parts.append(f"\\A {p} \\in DOMAIN {name}: {body}")
    if not parts:
        return None
    return " /\\ ".join(f"({p})" for p in parts)


def _definition(what: str, cond: str, *, stop: bool) -> str:
    exit_ = ' /\\ TLCSet("exit", TRUE)' if stop else ""
    return f'{_NAMES[what]} == ({cond}) \\/ (PrintT("movspec:{what}"){exit_} /\\ FALSE)'


def definitions(em: Emitted, budget: Budget) -> tuple[str, dict[str, str]]:
    """The TLA+ definitions to append to the translated module, and the constraint name of
    each kind available (``bound`` only when the model has integers)."""
    lines = ["\\* State constraints movspec adds to this run (not part of the model)."]
    names: dict[str, str] = {}
    tb = type_bound(em)
    if tb is not None:
        lines.append(_definition(BOUND, tb, stop=True))
        names[BOUND] = _NAMES[BOUND]
    if budget.max_states is not None:
        lines.append(_definition(MAX_STATES, f'TLCGet("distinct") <= {budget.max_states}', stop=True))
        names[MAX_STATES] = _NAMES[MAX_STATES]
    if budget.max_depth is not None:
        lines.append(_definition(MAX_DEPTH, f'TLCGet("level") < {budget.max_depth}', stop=False))
        names[MAX_DEPTH] = _NAMES[MAX_DEPTH]
        lines.append(_definition(DEPTH_PROBE, f'TLCGet("level") < {budget.max_depth + 1}', stop=False))
        names[DEPTH_PROBE] = _NAMES[DEPTH_PROBE]
    return ("\n".join(lines) if names else ""), names


def cfg_lines(names: dict[str, str], kinds) -> str:
    """``CONSTRAINT`` lines for the constraints of ``kinds`` that exist."""
    chosen = [names[k] for k in kinds if k in names]
    return "".join(f"CONSTRAINT {n}\n" for n in chosen)


def cut_reason(markers: set[str], budget: Budget) -> str | None:
    """Why a run with these markers did not explore everything (None: it did)."""
    if MAX_STATES in markers:
        return f"state budget of {budget.max_states} distinct states reached"
    if MAX_DEPTH in markers:
        return f"depth budget of {budget.max_depth} reached"
    if BOUND in markers:
        return ("a value went past its type by more than the headroom explored past a TypeOK "
                "violation (an integer beyond its range's size plus 8, or a set element outside its "
                "range); the search stops there")
    return None
