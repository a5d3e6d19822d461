"""Who affects whom in a counterexample: the arrows of the sequence diagrams.

The processes of a model talk only through shared state, so an interaction is a write read
later: a step of process ``A`` changes a global variable (or moves ``A`` to another step)
and a later step of another process ``B`` reads that variable (or asks where ``A`` is, with
``at``) before anyone writes it again. Each such pair is one arrow from ``A``'s step to
``B``'s, labelled with what ``A`` changed. The reads of a step are found in its IR (every
``VarRef``, the ``<module>_loaded`` flag of a ``call``, the ``pc`` of an actor named by
``at``), so the arrows say "this value can have mattered to that step", not that the step
took a branch because of it.

Without the model (a trace read back from a file) there are no arrows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import nodes as ir
from ..ir.walk import walk
from .trace_view import Row, TraceView


@dataclass(frozen=True)
class Arrow:
    source: int  # row index of the writing step
    target: int  # row index of the reading step
    src_lane: int
    dst_lane: int
    label: str  # what the writer changed that the reader reads, e.g. "movable: true → false"


def _reads(model: ir.Model, actor: str | None, step: str | None) -> frozenset[str]:
    """The state a step reads: global variable names, and ``pc:<actor>`` for an ``at``."""
    a = model.actor(actor) if actor else None
    s = a.step(step) if a is not None and step else None
    if s is None:
        return frozenset()
    out: set[str] = set()
    for stmt in s.body:
        for node in walk(stmt):
            if isinstance(node, ir.VarRef):
                out.add(node.name)
            elif isinstance(node, ir.Call):
                out.add(node.loaded_var)
            elif isinstance(node, ir.At):
                out.add("pc:" + node.actor)
    return frozenset(out)


def _writes(row: Row, who: str) -> dict[str, list[str]]:
    """Global roots a step changed, each with the change texts; ``pc:<actor>`` when the
    process moved, as ``pc:<actor>:<proc>`` (it always does, unless the step failed)."""
    out: dict[str, list[str]] = {}
    for c in row.changes:
        if c.local:
            continue
        root = c.path.split("[")[0].split(".")[0]
        out.setdefault(root, []).append(c.text())
    if row.actor and row.failure is None:
        where = f"{who} is done" if row.next == ir.DONE else (f"{who} at {row.next}" if row.next else f"{who} moves on")
        out.setdefault(f"pc:{row.actor}:{row.proc}", []).append(where)
    return out


def _reads_key(reads: frozenset[str], key: str) -> bool:
    if key.startswith("pc:"):  # "pc:<actor>:<proc>" is read by an ``at`` on the actor
        return key.rsplit(":", 1)[0] in reads
    return key in reads


def arrows(v: TraceView, model: ir.Model | None) -> tuple[Arrow, ...]:
    """The interactions of ``v``, in the order of their readers, then of their writers."""
    if model is None:
        return ()
    reads = {r.index: _reads(model, r.actor, r.step) for r in v.rows if r.lane is not None}
    out: list[Arrow] = []
    rows = [r for r in v.rows if r.lane is not None]
    for i, w in enumerate(rows):
        for root, texts in _writes(w, v.lanes[w.lane].label).items():
            for r in rows[i + 1:]:
                if _reads_key(reads[r.index], root) and r.lane != w.lane:
                    out.append(Arrow(w.index, r.index, w.lane, r.lane, ", ".join(texts)))
                    break
                if root in _writes(r, ""):  # written again first: the first write was not read
                    break
    merged: dict[tuple[int, int], Arrow] = {}
    for a in out:  # one arrow per pair of steps, naming everything it carries
        key = (a.source, a.target)
        had = merged.get(key)
        merged[key] = a if had is None else Arrow(a.source, a.target, a.src_lane, a.dst_lane,
                                                  had.label + ", " + a.label)
    return tuple(sorted(merged.values(), key=lambda a: (a.target, a.source)))


def failing_row(v: TraceView) -> int | None:
    """The row to highlight: the step that failed a check, else the step that reached the
    violating state (the last one); None for a lasso (the loop is what is wrong)."""
    for r in v.rows:
        if r.failure is not None:
            return r.index
    if v.loop_start is not None or len(v.rows) < 2:
        return None
    return v.rows[-1].index
