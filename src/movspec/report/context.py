"""What the generated docs say, computed once for the Markdown site and the HTML report.

``site_context(site)`` turns models, results, deltas and generated PlusCal into plain dicts
and strings; the templates only lay them out. Everything is ordered deterministically
(variants in the order given, properties as the checker reported them) and carries no
timestamps or timings, so generating twice gives identical bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..ir.nodes import Invariant, LeadsTo, Model
from ..result import CheckResult, Verdict
from .diff import model_diff
from ..expect import judge
from .explain import explain_parts
from .interactions import arrows, failing_row
from .seqsvg import sequence_svg
from .terminal import property_columns
from .trace_view import anchor_file, anchor_function, initial_pcs, proc_state, shown_value, view


@dataclass
class VariantDoc:
    """One variant to document: its model, and what is known about it."""

    model: Model
    result: CheckResult | None = None
    deltas: tuple = ()  # Delta(kind, target, text, span) from the front end, in order
    pluscal: str | None = None


@dataclass
class Site:
    variants: list[VariantDoc]
    sources: dict[str, str] = field(default_factory=dict)  # file -> text, for quoting steps

    @property
    def models(self) -> dict[str, Model]:
        return {v.model.variant: v.model for v in self.variants}


def slug(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    return s or "x"


LONG_TRACE = 12  # steps: a longer counterexample starts collapsed in the HTML report

OUTCOME_LABEL = {
    "as-expected": "as expected",
    "unexpected": "NOT as expected",
    "unconfirmed": "unconfirmed (search incomplete)",
    "error": "error",
    "unjudged": "no expectation",
}


def _mark(j) -> str:
    return {"as-expected": "✓", "unexpected": "✗", "unconfirmed": "?", "error": "✗", "unjudged": ""}[j.outcome.value]


def _step_rows(model: Model, coverage: dict[str, int]) -> list[dict]:
    """The actors, then the functions (``kind`` says which), each with its steps: kernel
    anchor, where written, the variant that changed it, how often it ran."""
    def steps(owner) -> list[dict]:
        return [{
            "name": s.name,
            "anchor": s.anchor or "",
            "function": anchor_function(s.anchor) or "",
            "file": anchor_file(s.anchor) or "",
            "where": f"{s.span.file}:{s.span.line}" if s.span else "",
            "origin": s.origin or "",
            "doc": s.doc or "",
            "runs": coverage.get(f"{owner.name}.{s.name}"),
        } for s in owner.steps]

    out = []
    for a in model.actors:
        out.append({
            "kind": "actor",
            "name": a.name,
            "family": a.proc_set,
            "procs": list(model.procs(a)),
            "fairness": a.fairness or "",
            "doc": a.doc or "",
            "locals": [{"name": l.name, "type": str(l.type)} for l in a.locals],
            "steps": steps(a),
        })
    for f in model.functions:  # run by the processes that call them: their steps count every caller
        out.append({
            "kind": "function",
            "name": f.name,
            "family": None,
            "procs": [],
            "fairness": "",
            "doc": f.doc or "",
            "locals": [{"name": l.name, "type": str(l.type)} for l in f.locals],
            "steps": steps(f),
        })
    return out


MERMAID_FAIL = "rgb(255, 235, 233)"  # the failing step's background (the HTML report's too)


def _mermaid_text(s: str) -> str:
    # Mermaid statements end at ';' and '#' starts an entity; '<', '>' would be read as HTML.
    table = {"#": "#35;", ";": "#59;", "<": "#lt;", ">": "#gt;", "\n": " "}
    return re.sub(r"[#;<>\n]", lambda m: table[m.group(0)], s)


def mermaid(trace, model: Model | None) -> str:
    """A Mermaid sequence diagram: one participant per process, a note per step, an arrow
    from a step to a later step of another process that reads what it changed
    (``interactions``), and the failing step on a red background."""
    v = view(trace, model)
    ids = {l.proc: f"p{i}" for i, l in enumerate(v.lanes)}
    lines = ["sequenceDiagram"]
    for l in v.lanes:
        lines.append(f"    participant {ids[l.proc]} as {_mermaid_text(l.label)}")
    if not v.lanes:
        return "\n".join(lines) + "\n"
    first, last = ids[v.lanes[0].proc], ids[v.lanes[-1].proc]
    starts = initial_pcs(v)
    if starts:
        init = ", ".join(f"{l.label} at {starts[l.proc]}" for l in v.lanes if l.proc in starts)
        lines.append(f"    Note over {first},{last}: 0. initial: {_mermaid_text(init)}")
    incoming: dict[int, list] = {}
    for a in arrows(v, model):
        incoming.setdefault(a.target, []).append(a)
    bad = failing_row(v)
    in_loop = False
    for row in v.rows[1:]:
        if row.loop_start and not in_loop:
            lines.append("    loop repeats forever")
            in_loop = True
        pid = ids.get(row.proc, first)
        parts = [f"{row.index}. {row.step}"]
        if row.function:
            parts.append(f"{row.function}()")
        parts += [c.text() for c in row.changes]
        if row.jump:
            parts.append(f"goto {row.jump}")
        if row.failure:
            parts.append(f"FAILS: {row.failure}")
        if row.index == bad:
            lines.append(f"    rect {MERMAID_FAIL}")
        for a in incoming.get(row.index, ()):
            src = ids[v.lanes[a.src_lane].proc]
            lines.append(f"    {src}-){pid}: {_mermaid_text(a.label)} (step {a.source})")
        lines.append(f"    Note over {pid}: " + "<br/>".join(_mermaid_text(p) for p in parts))
        if row.index == bad:
            lines.append("    end")
    if in_loop:
        lines.append("    end")
    return "\n".join(lines) + "\n"


def _changed_keys(row, v) -> list[str]:
    """The state-panel keys a step changed: global variables by name, the acting process's
    locals and pc as ``"<lane>: <local>"``."""
    if row.lane is None:
        return []
    lane = v.lanes[row.lane].label
    out = {f"{lane}: pc"}
    for c in row.changes:
        root = c.path.split("[")[0].split(".")[0]
        out.add(f"{lane}: {root}" if c.local else root)
    return sorted(out)


def _viewer(trace, model: Model | None) -> dict:
    """What the HTML viewer shows: ``rows`` and ``lanes`` for the lanes the template draws,
    and ``data``, the page script's part (rendered as JSON): the state panel's keys once,
    then per step the values (``None`` for a key the state lacks; the whole list ``None``
    after a failed step), the indices of the keys the step changed, and its failure."""
    v = view(trace, model)
    rows = []
    keys: list[str] = []
    index: dict[str, int] = {}
    states: list[dict[str, str] | None] = []
    for row in v.rows:
        lines: dict[str, str] | None = None
        if row.state is not None:
            lines = {}
            for key in v.globals:
                if key in row.state:
                    lines[key] = shown_value(row.state[key])
            for lane in v.lanes:
                for name, val in proc_state(row.state, lane, model):
                    lines[f"{lane.label}: {name}"] = shown_value(val)
            for key in lines:
                if key not in index:
                    index[key] = len(keys)
                    keys.append(key)
        states.append(lines)
        rows.append({
            "index": row.index,
            "lane": row.lane,
            "step": row.step,
            "function": row.function,
            "changes": [c.text() for c in row.changes],
            "changed": _changed_keys(row, v),
            "jump": row.jump,
            "failure": row.failure,
            "loop": row.loop_start,
        })
    data = {"keys": keys, "rows": [
        {"values": None if st is None else [st.get(k) for k in keys],
         "changed": sorted(index[k] for k in r["changed"] if k in index),
         "failure": r["failure"]}
        for r, st in zip(rows, states)]}
    starts = initial_pcs(v)
    return {"lanes": [l.label for l in v.lanes], "starts": [starts.get(l.proc, "") for l in v.lanes],
            "rows": rows, "data": data}


def dedent_from(text: str, col: int) -> str:
    """Text cut from a file at column ``col``: its continuation lines lose the indentation
    its first line had there."""
    pad = max(col - 1, 0)
    lines = text.split("\n")
    return "\n".join([lines[0]] + [l[pad:] if l[:pad].strip() == "" else l.lstrip() for l in lines[1:]])


def _deltas(vd: VariantDoc, base: Model | None, sources) -> list[dict]:
    if vd.deltas:
        return [{"kind": d.kind, "target": d.target,
                 "text": dedent_from(d.text, d.span.col) if getattr(d, "span", None) else d.text,
                 "where": f"{d.span.file}:{d.span.line}" if getattr(d, "span", None) else ""}
                for d in vd.deltas]
    if base is None:
        return []
    out = []
    for item in model_diff(base, vd.model, sources):
        text = item.b if item.b is not None else item.a
        out.append({"kind": item.kind if item.kind != "changed" else "replace", "target": f"{item.what} {item.name}",
                    "text": text or "", "where": item.b_where or item.a_where or ""})
    return out


def _property_kind(model: Model, name: str, kind: str) -> str:
    p = model.get_property(name)
    if isinstance(p, Invariant):
        return "invariant"
    if isinstance(p, LeadsTo):
        return "leadsto"
    return kind


def site_context(site: Site) -> dict[str, Any]:
    models = site.models
    first = site.variants[0].model if site.variants else None
    results = [v.result for v in site.variants if v.result is not None]
    props = property_columns(results, models)
    variants = []
    matrix = []
    for vd in site.variants:
        m = vd.model
        r = vd.result
        judged = judge(r, m) if r is not None else []
        by = {j.prop.name: j for j in judged}
        matrix.append({
            "variant": m.variant, "slug": slug(m.variant), "description": m.description or "",
            "cells": [({"verdict": by[p].prop.verdict.value, "outcome": by[p].outcome.value,
                        "mark": _mark(by[p]), "expected": by[p].expected or ""} if p in by else None)
                      for p in props],
            "distinct": r.stats.distinct if r else None,
            "depth": r.stats.depth if r else None,
            "complete": r.complete if r else None,
        })
        verdicts = []
        traces = []
        for j in judged:
            p = j.prop
            decl = m.get_property(p.name)
            verdicts.append({
                "name": p.name, "kind": _property_kind(m, p.name, p.kind), "verdict": p.verdict.value,
                "expected": j.expected or "", "outcome": j.outcome.value,
                "outcome_label": OUTCOME_LABEL[j.outcome.value], "mark": _mark(j),
                "message": p.message or "", "doc": getattr(decl, "doc", None) or "",
                "note": j.note or "", "has_trace": p.trace is not None and p.verdict is Verdict.VIOLATED,
                "id": f"{slug(m.variant)}--{slug(p.name)}",
            })
            if p.trace is not None and p.verdict is Verdict.VIOLATED:
                traces.append({
                    "prop": p.name, "id": f"{slug(m.variant)}--{slug(p.name)}",
                    "outcome_label": OUTCOME_LABEL[j.outcome.value],
                    "steps": len(p.trace) - 1,
                    "explain": explain_parts(p, m, m.variant),
                    "mermaid": mermaid(p.trace, m),
                    "viewer": _viewer(p.trace, m),
                    "svg": sequence_svg(p.trace, m),
                    "long": len(p.trace) - 1 > LONG_TRACE,
                })
        base = models.get(m.base) if m.base else None
        variants.append({
            "name": m.variant, "slug": slug(m.variant), "description": m.description or "",
            "source": m.source or "", "base": m.base or "",
            "base_slug": slug(m.base) if m.base else "",
            "where": f"{m.span.file}:{m.span.line}" if m.span else "",
            "consts": [{"name": c.name, "value": ("{" + ", ".join(c.atoms) + "}") if c.atoms is not None
                        else str(c.value), "symmetric": c.symmetric} for c in m.consts],
            "vars": [{"name": v.name, "type": str(v.type), "doc": v.doc or ""} for v in m.vars],
            "actors": _step_rows(m, dict(r.coverage) if r else {}),
            "deltas": _deltas(vd, base, site.sources),
            "changes": [{"kind": i.kind, "what": i.what, "name": i.name, "a": i.a or "", "b": i.b or "",
                         "a_where": i.a_where or "", "b_where": i.b_where or ""}
                        for i in (model_diff(base, m, site.sources) if base is not None else [])],
            "pluscal": vd.pluscal or "",
            "expectations": [{"verdict": e.verdict, "properties": ", ".join(e.properties) or "all",
                              "note": e.note or ""} for e in m.expectations],
            "checked": r is not None,
            "backend": r.backend if r else "",
            "checker": r.checker if r else "",
            "stats": {"distinct": r.stats.distinct, "generated": r.stats.generated, "depth": r.stats.depth}
            if r else None,
            "complete": r.complete if r else True,
            "reason": (r.reason or "") if r else "",
            "error": (r.error or "") if r else "",
            "verdicts": verdicts,
            "traces": traces,
        })
    all_ok = all(j.ok for vd in site.variants if vd.result for j in judge(vd.result, vd.model))
    return {
        "model": first.name if first else "",
        "title": (first.title or first.name) if first else "movspec",
        "props": props,
        "matrix": matrix,
        "variants": variants,
        "all_ok": all_ok,
        "checked": bool(results),
    }
