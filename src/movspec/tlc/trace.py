"""TLC counterexamples as movspec traces: IR states and DSL steps.

A TLC state assigns every TLA+ variable of the translated module. It becomes a
``result.State`` keyed by DSL names: global variables by name, actor locals as
``"<actor>.<local>"`` (an ``Fn`` over process ids, also for a single actor, whose PlusCal
variable is a plain value), and ``"pc"`` (an ``Fn`` over every process id in actor order,
valued by step name or ``"Done"``). The action TLC names for each state is the PlusCal label,
hence the actor and step; the process is the one of that actor that was at that label and
moved (TLC does not print ``self``).
"""

from __future__ import annotations

from ..emit.module import Emitted
from ..emit.names import field_name
from ..ir import nodes as ir
from ..result import Fn, State, Trace, TraceStep, Value, diff_states
from .output import TlcState
from .values import Raw, convert, plain


class TraceMapper:
    def __init__(self, em: Emitted):
        self.em = em
        m = em.model
        sy = em.symbols
        self.vars = {sy.var(v.name): v for v in m.vars}
        self.locals: dict[str, tuple[ir.Actor, ir.Local]] = {}
        for a in m.actors:
            for l in a.locals:
                self.locals[sy.local(a.name, l.name)] = (a, l)
        self.procs: list[tuple[str, ir.Actor]] = [(p, a) for a in m.actors for p in m.procs(a)]
        self.proc_ids = [p for p, _ in self.procs]
        self.actor_of = {p: a.name for p, a in self.procs}
        # model values and record fields the emitter renamed (``WF_c1`` -> ``xWF_c1``), back
        self.mv_back = {sy.model_value(a): a for c in m.consts for a in (c.atoms or ())}

    # ----------------------------------------------------------------- states
    def state(self, s: TlcState) -> State:
        m = self.em.model
        out: State = {}
        for v in m.vars:
            raw = s.values.get(self.em.symbols.var(v.name))
            if raw is not None:
                out[v.name] = convert(self.dsl_names(raw, v.type), v.type)
        for a in m.actors:
            for l in a.locals:
                raw = s.values.get(self.em.symbols.local(a.name, l.name))
                if raw is None:
                    continue
                raw = self.dsl_names(raw, ir.FuncType(ir.AtomType(tuple(m.procs(a))), l.type)
                                     if a.proc_set is not None else l.type)
                if a.proc_set is None:
                    out[f"{a.name}.{l.name}"] = Fn(((a.name, convert(raw, l.type)),))
                else:
                    got = _fn_pairs(raw)
                    keys = [p for p in m.procs(a) if p in got] or list(got)
                    out[f"{a.name}.{l.name}"] = Fn(tuple((k, convert(got[k], l.type)) for k in keys))
        pc = s.values.get("pc")
        if pc is not None:
            got = _fn_pairs(self.dsl_names(pc, None))
            keys = [p for p in self.proc_ids if p in got] or list(got)
            out["pc"] = Fn(tuple((k, self.step_name(got[k])) for k in keys))
        return out

    def dsl_names(self, raw, t: ir.Type | None):
        """``raw`` with the TLA+ names of model values and record fields replaced by their
        DSL names, guided by the IR type ``t`` (a record's keys are fields, not values)."""
        if isinstance(raw, str):
            return self.mv_back.get(raw, raw)
        if not isinstance(raw, Raw):
            return raw
        if isinstance(t, ir.RecordType) and raw.kind == "fn":
            fields = {field_name(f.name): f for f in t.fields}
            return Raw("fn", tuple((fields[k].name, self.dsl_names(v, fields[k].type)) if k in fields else (k, v)
                                   for k, v in raw.items))
        if isinstance(t, ir.FuncType) and raw.kind == "fn":
            return Raw("fn", tuple((self.dsl_names(k, t.domain), self.dsl_names(v, t.range)) for k, v in raw.items))
        if isinstance(t, ir.FuncType) and raw.kind == "seq":
            return Raw("seq", tuple(self.dsl_names(v, t.range) for v in raw.items))
        if isinstance(t, (ir.SetType, ir.ListType)):
            return Raw(raw.kind, tuple(self.dsl_names(v, t.elem) for v in raw.items))
        if t is None and raw.kind == "fn":
            return Raw("fn", tuple((self.dsl_names(k, None), self.dsl_names(v, None)) for k, v in raw.items))
        return Raw(raw.kind, tuple(self.dsl_names(v, None) for v in raw.items))

    def step_name(self, label) -> Value:
        if label == ir.DONE:
            return ir.DONE
        info = self.em.labels.get(label)
        return self.qualified(info) if info else plain(label)

    def qualified(self, info) -> str:
        """The step a label names as the builtin checker names it: ``step`` of an actor,
        ``function.step`` of a function (run by the process that called it)."""
        return info.step if self.em.model.actor(info.actor) is not None else f"{info.actor}.{info.step}"

    # ----------------------------------------------------------------- traces
    def trace(self, states: list[TlcState], *, loop_to: int | None = None, loop_action: str | None = None,
              stuttering: bool = False, failure: tuple | None = None) -> Trace:
        """``failure`` is ``(site, proc)`` for a failed assertion after the last state. A lasso
        that loops back to state ``loop_to`` by ``loop_action`` ends with that step, back to a
        copy of the state (``loop_start`` is its index), as the builtin checker's lassos do."""
        loop_start = None
        if loop_to is not None:
            idx = [s.num for s in states]
            if loop_to in idx:
                loop_start = idx.index(loop_to)
                if loop_action is not None:
                    back = states[loop_start]
                    states = [*states, TlcState(back.num, loop_action, back.values, back.text)]
        elif stuttering and states:
            loop_start = len(states) - 1
        rows: list[TraceStep] = []
        prev: State | None = None
        for i, s in enumerate(states):
            st = self.state(s)
            if i == 0 or s.action is None:
                rows.append(TraceStep(None, None, None, None, None, st, diff_states(None, st)))
            else:
                info = self.em.labels.get(s.action)
                proc = self._mover(info, prev, st) if info else None
                actor = info.actor if info else None
                if info and self.em.model.actor(actor) is None:  # a function's step: the caller's lane
                    actor = self.actor_of.get(proc, actor)
                rows.append(TraceStep(actor, proc, self.qualified(info) if info else s.action,
                                      info.anchor if info else None, info.span if info else None,
                                      st, diff_states(prev, st)))
            prev = st
        if failure is not None:
            site, proc = failure
            proc = self.mv_back.get(proc, proc) if isinstance(proc, str) else proc
            step = (self.em.model.actor(site.actor) or self.em.model.function(site.actor)).step(site.step)
            rows.append(TraceStep(site.actor, proc, site.step, step.anchor if step else None,
                                  site.span or (step.span if step else None), None, (), site.message))
        return Trace(tuple(rows), loop_start)

    def _mover(self, info, prev: State | None, cur: State) -> str | None:
        m = self.em.model
        actor = m.actor(info.actor)
        if actor is None:  # a function's step: any process may be running it
            procs = [p for a in m.actors for p in m.procs(a)]
            actor = m.function(info.actor)
        else:
            procs = list(m.procs(actor))
        if prev is None or "pc" not in prev:
            return procs[0] if len(procs) == 1 else None
        at = [p for p in procs if _get(prev["pc"], p) == self.qualified(info)]
        if len(at) == 1:
            return at[0]
        if not at:
            return procs[0] if len(procs) == 1 else None
        moved = [p for p in at if _get(prev["pc"], p) != _get(cur.get("pc"), p)]
        if len(moved) == 1:
            return moved[0]
        touched = [p for p in at if any(
            isinstance(prev.get(k), Fn) and _get(prev[k], p) != _get(cur.get(k), p)
            for k in prev if k.startswith(f"{actor.name}."))]
        if len(touched) == 1:
            return touched[0]
        return at[0]


def _fn_pairs(raw) -> dict:
    if isinstance(raw, Raw) and raw.kind in ("fn", "seq"):
        if raw.kind == "seq":
            return {i + 1: v for i, v in enumerate(raw.items)}
        return {plain(k): v for k, v in raw.items}
    return {}


def _get(fn, key):
    if not isinstance(fn, Fn):
        return None
    try:
        return fn.get(key)
    except KeyError:
        return None
