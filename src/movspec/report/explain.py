"""``movspec explain``: a counterexample told step by step in kernel terms.

The story is built from the same ``TraceView`` as the lanes. Each step names the process,
the model step, the kernel function it stands for (the step's anchor) with its file, where
the step is written, what it changed, and where the process goes next when it jumps. The
ending says what went wrong (the failed check, or the property no longer true), where every
other process stands at that moment, and which steps on the path the variant introduced or
changed relative to its base, which is usually where the design differs.

``explain_lines`` returns Markdown-flavoured plain text (backticks around names), readable
in a terminal and usable verbatim in the generated docs. Every string from the model in it
(names, values, anchors, descriptions, messages) is escaped with ``mdtext.md`` or put in a
``mdtext.code`` span, so it cannot inject HTML or break the Markdown around it.
"""

from __future__ import annotations

from ..ir.nodes import DONE, Invariant, LeadsTo, Model
from ..result import PropertyResult, Verdict
from .evaluate import why_false
from .mdtext import code, md, md_value
from .trace_view import Row, TraceView, _pc, anchor_file, anchor_function, initial_pcs, shown_value, view


def _who(row: Row, v: TraceView) -> str:
    return md(v.lanes[row.lane].label if row.lane is not None else (row.proc or "?"))


def _where(row: Row) -> str:
    fn = anchor_function(row.anchor)
    if not fn:
        return ""
    f = anchor_file(row.anchor)
    return f" in {code(fn + '()')}" + (f" ({md(f)})" if f else "")


def _changes(row: Row) -> str:
    parts = []
    for c in row.changes:
        if c.old is None or c.old == "defaultInitValue":
            parts.append(f"{code(c.path)} = {_value(c.new)}")
        else:
            parts.append(f"{code(c.path)} {_value(c.old)} → {_value(c.new)}")
    return ", ".join(parts)


def _value(v) -> str:
    return md_value(shown_value(v))


def _state_line(state: dict, keys) -> str:
    return ", ".join(f"{code(k)} = {_value(state[k])}" for k in keys if k in state)


def _called(row: Row, model: Model | None) -> str | None:
    """The function ``row``'s step calls: its next step is a step of a function (``f.s``)
    and the step is not one of that function's own."""
    if model is None or not row.jump or "." not in row.jump:
        return None
    name = row.jump.split(".", 1)[0]
    if not any(f.name == name for f in model.functions) or (row.step or "").startswith(name + "."):
        return None
    return name


def step_sentence(row: Row, v: TraceView, model: Model | None) -> str:
    who = _who(row, v)
    s = f"**{who}** runs {code(row.step)}{_where(row)}"
    if row.file and row.line:
        s += f" [{md(f'{row.file}:{row.line}')}]"
    if model is not None and row.actor:
        step = _step_of(model, row)
        if step is not None and step.origin and step.origin == model.variant:
            s += f" (as changed by variant {code(model.variant)})"
        elif step is not None and step.origin:
            s += f" (from variant {code(step.origin)})"
    if row.failure:
        return s + f" and fails: {md(row.failure)}."
    ch = _changes(row)
    called = _called(row, model)
    if called:
        # the step calls a function: its parameters (if any) are what changes
        s += f"; it calls {code(called + '()')}" + (f": {ch}" if ch else "")
        return s + "."
    s += (": " + ch) if ch else "; it changes nothing"
    if row.next == DONE:
        s += f"; {who} is done"
    elif row.jump:
        s += f"; next it goes to {code(row.jump)}"
    return s + "."


def explain_lines(prop: PropertyResult, model: Model | None, variant: str | None = None) -> list[str]:
    """The story of ``prop``'s counterexample, one paragraph per list item."""
    parts = explain_parts(prop, model, variant)
    steps = [f"{i}. " + ("(the loop starts here) " if loop else "") + s for i, loop, s in parts["steps"]]
    return parts["intro"] + steps + parts["ending"]


def explain_parts(prop: PropertyResult, model: Model | None, variant: str | None = None) -> dict:
    """The story in parts: ``intro`` (paragraphs), ``initially`` (the paragraph on the
    initial state, also the last of ``intro``; None without a trace), ``steps``
    (``(index, loop_start, sentence)``) and ``ending`` (paragraphs)."""
    variant = variant or (model.variant if model else "?")
    out: list[str] = []
    phrase = {Verdict.HOLDS: "holds", Verdict.VIOLATED: "is violated",
              Verdict.INCOMPLETE: "is unconfirmed (the search stopped early)",
              Verdict.ERROR: "could not be checked"}[prop.verdict]
    head = f"{code(prop.name)} {phrase} in variant {code(variant)}"
    if model is not None and model.description:
        head += f" ({md(model.description)})"
    out.append(head + ".")
    decl = model.get_property(prop.name) if model is not None else None
    if decl is not None and getattr(decl, "doc", None):
        out.append(f"The property: {md(decl.doc)}.")
    if prop.verdict is not Verdict.VIOLATED or prop.trace is None:
        if prop.message:
            out.append(md(prop.message))
        if prop.verdict is Verdict.VIOLATED:
            out.append("No counterexample was recorded.")
        return {"intro": out, "initially": None, "steps": [], "ending": []}
    v = view(prop.trace, model)
    n = len(v.rows) - 1
    procs = md(", ".join(l.label for l in v.lanes))
    assumed = prop.trace.start == "assumed"
    if assumed:
        out.append(f"A counterexample to induction: {n} step{'s' if n != 1 else ''} from a state that satisfies "
                   f"the invariant but need not be reachable; the processes are {procs}.")
    else:
        out.append(f"A shortest counterexample takes {n} step{'s' if n != 1 else ''}; the processes are {procs}.")
    first = v.rows[0]
    if first.state is not None:
        starts = initial_pcs(v)
        line = ("Start from " if assumed else "Initially ") + _state_line(first.state, v.globals)
        if starts:
            line += "; " + ", ".join(f"{md(l.label)} is at {code(starts[l.proc])}" for l in v.lanes if l.proc in starts)
        out.append(line + ".")
    initially = out[-1] if first.state is not None else None
    steps = [(row.index, row.loop_start, step_sentence(row, v, model)) for row in v.rows[1:]]
    last = v.rows[-1]
    end = []
    if last.failure is None:
        if isinstance(decl, Invariant):
            why = why_false(decl, last.state, model) if last.state is not None and model is not None else None
            end.append(f"After step {last.index} the invariant {code(prop.name)} is false" +
                       (f" {why}." if why and why.startswith("for ") else f": {why}." if why else "."))
        elif isinstance(decl, LeadsTo):
            if v.loop_start is None:
                end.append(f"{code(prop.name)} never gets its promised outcome.")
            elif v.loop_start == last.index:  # a lasso with no steps in its cycle
                end.append(f"After step {last.index} nothing happens any more (no process has a fair "
                           f"step it can take), so {code(prop.name)} never gets its promised outcome.")
            else:
                end.append(f"From step {v.loop_start} on the steps repeat forever, so {code(prop.name)} never "
                           "gets its promised outcome.")
        elif prop.kind == "deadlock":
            end.append(f"After step {last.index} no process can take a step, yet not all are done: a deadlock.")
        elif prop.message:
            end.append(md(prop.message) + ".")
    state = last.state if last.state is not None else next(
        (r.state for r in reversed(v.rows) if r.state is not None), None)
    if state is not None:
        others = []
        for lane in v.lanes:
            if last.lane is not None and v.lanes[last.lane].proc == lane.proc and last.failure:
                continue
            pc = _pc(state, lane.proc)
            if pc is not None:
                others.append(f"{md(lane.label)} " + ("is done" if pc == DONE else f"is at {code(pc)}"))
        if others:
            end.append("At that point " + ", ".join(others) + ".")
    if model is not None and model.base:
        changed = sorted({(r.actor, r.step) for r in v.rows[1:] if r.actor and _changed_here(model, r)})
        if changed:
            names = ", ".join(code(f"{a}.{s}") for a, s in changed)
            end.append(f"Steps on this path that {code(model.variant)} changes relative to {code(model.base)}: {names}.")
    return {"intro": out, "initially": initially, "steps": steps, "ending": end}


def _step_of(model: Model, row: Row):
    """The step ``row`` ran: its actor's, or a function's (``f.s``) the actor called."""
    a = model.actor(row.actor)
    step = a.step(row.step) if a else None
    if step is None and row.step and "." in row.step:
        fname, sname = row.step.split(".", 1)
        f = next((f for f in model.functions if f.name == fname), None)
        step = next((s for s in f.steps if s.name == sname), None) if f else None
    return step


def _changed_here(model: Model, row: Row) -> bool:
    s = _step_of(model, row)
    return s is not None and s.origin == model.variant


def explain_text(prop: PropertyResult, model: Model | None, variant: str | None = None) -> str:
    return "\n\n".join(explain_lines(prop, model, variant)) + "\n"
