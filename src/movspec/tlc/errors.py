"""TLC's runtime errors in the user's terms: what failed, where in the DSL, and the trace.

TLC stops at the first expression it cannot evaluate (division by zero, a function applied
outside its domain, CHOOSE from an empty set, a value of the wrong kind: its "Attempted to
..." messages). It names the invariant (2111), or gives the positions of the nested
expressions it was evaluating (2103) in the translated module, and prints the behaviour up
to the state it was working on (or that state, for an initial state). ``locate`` turns the
outermost position into the definition around it: a step's PlusCal label (each label is one
definition, ``<label> == ...``), an invariant, or ``Init``; ``runtime_error`` gives the
message and the trace, mapped back to DSL steps like a counterexample, with a last row for
the step that could not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..emit.module import Emitted
from ..result import Trace, TraceStep, format_value
from ..span import Span
from .output import TlcError
from .trace import TraceMapper, _get
from .values import ValueSyntaxError, parse_value, plain


@dataclass(frozen=True)
class RuntimeErrorInfo:
    message: str  # for the user: what, in which step or property, where
    trace: Trace | None
    span: Span | None


def definition_at(lines: list[str], line: int) -> str | None:
    """The TLA+ definition (``Name == ...`` at column 1) that line ``line`` (1-based) is in."""
    for j in range(min(line, len(lines)) - 1, -1, -1):
        m = re.match(r"^(\w+)(?:\(.*?\))?\s*==", lines[j])
        if m:
            return m.group(1)
    return None


def _value(text: str) -> str:
    try:
        return format_value(plain(parse_value(text)))
    except (ValueSyntaxError, TypeError):
        return text


_JAVA_NOISE = ("TLC threw", "This was probably", "See the User", "The exception was",
               "Attempted to apply the operator overridden", "public static", "but it produced the following")
_VALUE_KINDS = {"Int": "an integer", "Bool": "a boolean", "String": "a string", "Model": "a model value",
                "Record": "a record", "FcnRcd": "a function", "FcnLambda": "a function",
                "SetEnum": "a set", "Tuple": "a tuple", "Interval": "an integer range", "Set": "a set"}


def user_terms(message: str) -> str:
    """TLC's exception text without Java class names and stack-trace framing."""
    lines = [l.strip() for l in message.splitlines()]
    body = [l.lstrip(": ").strip() for l in lines if l and not l.startswith(_JAVA_NOISE)]
    text = " ".join(" ".join(body).split())
    text = re.sub(r"tlc2\.value\.impl\.(\w+?)Value\b", lambda m: _VALUE_KINDS.get(m.group(1), "a value"), text)
    text = re.sub(r"Cannot cast (.+?) to (.+?)(\.|$)", r"\1 was used where \2 is needed\3", text)
    text = re.sub(r"\s*\b[Ll]ine \d+, col(?:umn)? \d+ to line \d+, col(?:umn)? \d+ (?:of module|in) \w+\.?", "", text)
    text = re.sub(r"\bjava\.lang\.\w+(Exception|Error):?\s*", "", text)
    return text.strip() or "an internal TLC error"


def describe(message: str) -> str:
    """TLC's message without Java framing, values written as in the DSL."""
    text = re.sub(r"^\s*Evaluating invariant \S+ failed\.?\s*", "", message)
    text = user_terms(text)
    m = re.search(r"Attempted to apply function:?\s*(.+?)\s+to argument\s+(.+?),\s*which is not in the "
                  r"domain of the function\.?", text)
    if m:
        return f"function {_value(m.group(1))} applied to {_value(m.group(2))}, which is not in its domain"
    if re.search(r"second argument of \\(div|%) is 0", text):
        return "division by zero"
    if "CHOOSE" in text and ("no element" in text or "empty" in text):
        return "a choice from an empty set"
    return text


def runtime_error(em: Emitted, translated: list[str] | None, mapper: TraceMapper, err: TlcError) -> RuntimeErrorInfo:
    """Message, trace and DSL span of TLC's runtime error ``err``."""
    what = describe(err.message)
    kind, name = None, None
    defs: list = []
    if err.name and err.name in em.invariant_names:
        kind, name = "invariant", err.name
    elif translated is not None:
        # innermost first: an invariant TLC checks on an initial state is nested in Init, an
        # assertion's condition in MS_Check, inside the step's label
        defs = [definition_at(translated, line) for line, _col, mod in reversed(err.locations) if mod == em.module]
        for d in defs:
            if d in em.labels:
                kind, name = "step", d
                break
            if d in em.invariant_names:
                kind, name = "invariant", d
                break
        else:
            if "Init" in defs:
                kind, name = "init", "Init"
    states = err.trace
    trace = mapper.trace(states) if states else None
    if kind == "step":
        info = em.labels[name]
        span = info.span
        proc = None
        step = mapper.qualified(info)
        actor = em.model.actor(info.actor)
        procs = list(em.model.procs(actor)) if actor is not None else mapper.proc_ids  # a function: any caller
        if trace is not None and trace.steps and trace.steps[-1].state is not None:
            pc = trace.steps[-1].state.get("pc")
            at = [p for p in procs if _get(pc, p) == step]
            proc = at[0] if at else None
        lane = info.actor if actor is not None else mapper.actor_of.get(proc, info.actor)
        who = lane if proc is None or proc == lane else f"{lane}({proc})"
        where = f" ({span})" if span else ""
        msg = f"{what} in step {who}.{step}{where}"
        if trace is not None:
            trace = Trace(trace.steps + (TraceStep(lane, proc, step, info.anchor, span, None, (), msg),))
        return RuntimeErrorInfo(msg, trace, span)
    if kind == "invariant":
        dsl = em.invariant_names[name]
        span = em.definitions.get(name)
        where = f" ({span})" if span else ""
        when = " in the initial state" if "Init" in defs and (trace is None or len(trace) == 1) else ""
        return RuntimeErrorInfo(f"{what} evaluating invariant {dsl}{when}{where}", trace, span)
    if kind == "init":
        return RuntimeErrorInfo(f"{what} computing the initial state", trace, None)
    return RuntimeErrorInfo(what, trace, None)


def is_runtime(err: TlcError) -> bool:
    """An error in evaluating the model (as opposed to TLC failing to start or parse)."""
    return err.kind in ("eval", "other") and bool(err.trace or err.locations or err.name)
