"""Counterexamples in the Informal Trace Format (ITF), the JSON trace format of Apalache and
Quint (ADR-015), so that existing trace viewers and test drivers can read them.

Encoding (``to_itf``):

* ``vars`` lists the state variables in state order; each state is an object with every
  variable plus ``"#meta": {"index": i, ...}``;
* integers are ``{"#bigint": "n"}``; booleans and atoms (model values, enum members, step
  names) are JSON booleans and strings; records are objects; functions (arrays, actor locals,
  ``pc``) are ``{"#map": [[k, v], ...]}``; sets are ``{"#set": [...]}``; lists are arrays
  (ADR-015's sequences), head first;
* the action that led to each state is named twice: in the state's ``#meta`` (``actor``,
  ``proc``, ``step``, ``anchor``) and as the variable ``mbt::actionTaken``
  (``"init"``, then ``"compactor.get"``), the convention Quint's model-based testing uses;
* a lasso (liveness counterexample) sets ``loop`` to the index where the cycle starts;
* a final step that failed a check (an ``assert``, a call into an unloaded module) has no
  state after it: it is recorded in the top ``#meta`` as ``violation``.

``read_itf`` is the reverse: it checks the document's structure strictly (an ITF reader
that rejects what ADR-015 does not allow) and returns a ``Trace`` equal to the one written,
state for state.
"""

from __future__ import annotations

import json
from typing import Any

from ..result import Fn, PropertyResult, Rec, Seq, State, Trace, TraceStep, Value

ACTION_VAR = "mbt::actionTaken"
FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"


class ITFError(ValueError):
    """A document that is not a valid ITF trace; ``path`` says where (``states[3].page``)."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


def encode(v: Value) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {"#bigint": str(v)}
    if isinstance(v, str):
        return v
    if isinstance(v, Rec):
        return {k: encode(x) for k, x in v.fields}
    if isinstance(v, Fn):
        return {"#map": [[encode(k), encode(x)] for k, x in v.pairs]}
    if isinstance(v, frozenset):
        items = [encode(x) for x in v]
        return {"#set": sorted(items, key=lambda j: json.dumps(j, sort_keys=True))}
    if isinstance(v, Seq):
        return [encode(x) for x in v.items]
    raise TypeError(f"not a state value: {v!r}")


def to_itf(trace: Trace, *, source: str | None = None, description: str | None = None,
           prop: PropertyResult | None = None, variant: str | None = None) -> dict:
    steps = [s for s in trace.steps if s.state is not None]
    failed = [s for s in trace.steps if s.state is None]
    if not steps:
        raise ValueError("a trace needs at least one state")
    names = list(steps[0].state.keys())
    meta: dict[str, Any] = {"format": "ITF", "format-description": FORMAT_DESCRIPTION}
    if source:
        meta["source"] = source
    if description:
        meta["description"] = description
    if variant:
        meta["variant"] = variant
    if prop is not None:
        meta["property"] = prop.name
        meta["verdict"] = prop.verdict.value
        if prop.message:
            meta["message"] = prop.message
    if failed:
        f = failed[-1]
        meta["violation"] = {"actor": f.actor, "proc": f.proc, "step": f.step, "anchor": f.anchor,
                             "message": f.failure}
    states = []
    for i, s in enumerate(steps):
        m: dict[str, Any] = {"index": i}
        if s.proc is not None:
            m.update(actor=s.actor, proc=s.proc, step=s.step)
            if s.anchor:
                m["anchor"] = s.anchor
        state = {"#meta": m}
        for k in names:
            state[k] = encode(s.state[k])
        state[ACTION_VAR] = "init" if s.proc is None else f"{s.actor}.{s.step}"
        states.append(state)
    doc: dict[str, Any] = {"#meta": meta, "vars": names + [ACTION_VAR], "states": states}
    if trace.loop_start is not None:
        # loop_start counts trace rows; failed rows never precede it (a lasso has none)
        doc["loop"] = trace.loop_start
    return doc


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- reading


def decode(j: Any, path: str = "") -> Value:
    """An ITF value as a state value. Tuples are read as functions from 1..n (TLA+'s view)."""
    if isinstance(j, bool) or isinstance(j, str):
        return j
    if isinstance(j, int):
        return j
    if isinstance(j, float):
        raise ITFError(path, "numbers must be integers")
    if isinstance(j, list):  # a sequence: a list value, head first
        return Seq(tuple(decode(x, f"{path}[{i + 1}]") for i, x in enumerate(j)))
    if not isinstance(j, dict):
        raise ITFError(path, f"not an ITF value: {j!r}")
    if "#bigint" in j:
        if set(j) != {"#bigint"} or not isinstance(j["#bigint"], str):
            raise ITFError(path, "#bigint must be the only key and hold a string")
        try:
            return int(j["#bigint"])
        except ValueError:
            raise ITFError(path, f"#bigint {j['#bigint']!r} is not an integer") from None
    if "#set" in j:
        if set(j) != {"#set"} or not isinstance(j["#set"], list):
            raise ITFError(path, "#set must be the only key and hold a list")
        return frozenset(decode(x, f"{path}{{}}") for x in j["#set"])
    if "#map" in j:
        if set(j) != {"#map"} or not isinstance(j["#map"], list):
            raise ITFError(path, "#map must be the only key and hold a list of pairs")
        pairs = []
        for i, pair in enumerate(j["#map"]):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ITFError(f"{path}#map[{i}]", "each entry must be a [key, value] pair")
            pairs.append((decode(pair[0], f"{path}#map[{i}].key"), decode(pair[1], f"{path}[{pair[0]!r}]")))
        return Fn(tuple(pairs))
    if "#tup" in j:
        if set(j) != {"#tup"} or not isinstance(j["#tup"], list):
            raise ITFError(path, "#tup must be the only key and hold a list")
        return Fn(tuple((i + 1, decode(x, f"{path}<{i + 1}>")) for i, x in enumerate(j["#tup"])))
    if "#unserializable" in j:
        raise ITFError(path, "an unserializable value cannot be read back")
    for k in j:
        if k.startswith("#"):
            raise ITFError(path, f"unknown ITF tag {k}")
    return Rec(tuple((k, decode(x, f"{path}.{k}")) for k, x in j.items()))


def read_itf(doc: dict | str) -> tuple[Trace, dict]:
    """Read an ITF document (a dict or its JSON text). Returns the trace and the top
    ``#meta``. Raises ``ITFError`` naming the first structural fault."""
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as e:
            raise ITFError("", f"not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise ITFError("", "an ITF trace is a JSON object")
    for k in doc:
        if k not in ("#meta", "params", "vars", "states", "loop"):
            raise ITFError(k, "unknown top-level key")
    meta = doc.get("#meta", {})
    if not isinstance(meta, dict):
        raise ITFError("#meta", "must be an object")
    vars_ = doc.get("vars")
    if not (isinstance(vars_, list) and all(isinstance(v, str) for v in vars_)):
        raise ITFError("vars", "must be a list of variable names")
    if len(set(vars_)) != len(vars_):
        raise ITFError("vars", "variable names repeat")
    params = doc.get("params", [])
    if not (isinstance(params, list) and all(isinstance(v, str) for v in params)):
        raise ITFError("params", "must be a list of names")
    states = doc.get("states")
    if not isinstance(states, list) or not states:
        raise ITFError("states", "must be a non-empty list")
    loop = doc.get("loop")
    if loop is not None and not (isinstance(loop, int) and not isinstance(loop, bool) and 0 <= loop < len(states)):
        raise ITFError("loop", "must be a state index")
    steps = []
    for i, s in enumerate(states):
        where = f"states[{i}]"
        if not isinstance(s, dict):
            raise ITFError(where, "a state is an object")
        keys = [k for k in s if k != "#meta"]
        if set(keys) != set(vars_) | set(params):
            missing = sorted(set(vars_) - set(keys))
            extra = sorted(set(keys) - set(vars_) - set(params))
            raise ITFError(where, f"variables differ from vars (missing {missing}, extra {extra})")
        m = s.get("#meta", {})
        if not isinstance(m, dict):
            raise ITFError(f"{where}.#meta", "must be an object")
        if "index" in m and m["index"] != i:
            raise ITFError(f"{where}.#meta.index", f"is {m['index']}, expected {i}")
        state: State = {k: decode(s[k], f"{where}.{k}") for k in vars_ if k != ACTION_VAR}
        steps.append(TraceStep(m.get("actor"), m.get("proc"), m.get("step"), m.get("anchor"), None, state))
    v = meta.get("violation")
    if isinstance(v, dict):
        steps.append(TraceStep(v.get("actor"), v.get("proc"), v.get("step"), v.get("anchor"), None, None,
                               failure=v.get("message")))
    return Trace(tuple(steps), loop), meta
