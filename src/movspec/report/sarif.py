"""SARIF 2.1.0 output (``movspec check --sarif FILE``), for code scanning on pull requests.

``to_sarif(results, models)`` gives one SARIF log with one run. Each result is one failed
judgement of ``expect.judge`` (what also fails the exit status), located in the DSL:

* a property expected to hold but violated, or an ERROR verdict with a trace: at the failing
  step, the counterexample's last step (its span), with the whole counterexample as a code
  flow (one location per step, "compactor C1 runs isolate");
* a property expected to be violated that holds, or an incomplete search that leaves an
  expectation unconfirmed (level ``warning``): at the ``expect`` line, else the property's
  declaration;
* an ERROR verdict without a trace, or an expected property no back end reported: at the
  property's declaration, else the ``expect`` line, else the variant.

Rules are the properties (``ruleId`` = property name, described by its doc string). With
both back ends, a finding they agree on is one result (``properties.backends`` names both). File
paths are relative to ``root`` (default: the working directory, the repository root in CI)
under ``uriBaseId`` ``%SRCROOT%``, as GitHub code scanning expects; the log does not say where
``%SRCROOT%`` is on this machine, so it is the same wherever it is written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..expect import HOLDS, MISSING, Judged, Outcome, judge
from ..ir.nodes import Model
from ..result import CheckResult, Trace, Verdict
from ..span import Span

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"


def _uri(file: str, root: Path) -> str:
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(root.resolve())
        except ValueError:
            return p.resolve().as_uri()
    return quote(p.as_posix())


def _location(span: Span, root: Path, message: str | None = None) -> dict:
    region = {"startLine": span.line, "startColumn": span.col}
    if span.end_line >= span.line:
        region["endLine"] = span.end_line
        if span.end_line > span.line or span.end_col > span.col:
            region["endColumn"] = span.end_col
    loc: dict = {"physicalLocation": {"artifactLocation": {"uri": _uri(span.file, root), "uriBaseId": SRCROOT},
                                      "region": region}}
    if message:
        loc["message"] = {"text": message}
    return loc


def _step_text(step) -> str:
    who = f"{step.actor} {step.proc}" if step.proc and step.proc != step.actor else (step.actor or "")
    text = f"{who} runs {step.step}".strip()
    if step.failure:
        text += f" and fails: {step.failure}"
    return text


def _code_flow(trace: Trace, root: Path) -> dict | None:
    locations = [{"location": _location(s.span, root, f"{i}. {_step_text(s)}")}
                 for i, s in enumerate(trace.steps) if s.span is not None and s.step]
    return {"threadFlows": [{"locations": locations}]} if locations else None


def _expect_span(model: Model | None, prop: str, verdict: str | None) -> Span | None:
    if model is None:
        return None
    for e in model.expectations:
        if e.span is not None and e.verdict == verdict and (prop in e.properties or not e.properties):
            return e.span
    return None


def _decl_span(model: Model | None, prop: str) -> Span | None:
    if model is None:
        return None
    p = model.get_property(prop)
    return getattr(p, "span", None)


def _message(j: Judged, r: CheckResult) -> str:
    p, v = j.prop, r.variant
    steps = f" ({len(p.trace) - 1}-step counterexample)" if p.trace is not None else ""
    detail = f": {p.message}" if p.message else ""
    if p.kind == MISSING:
        return f"{v}: {p.name}: expected to {'hold' if j.expected == HOLDS else 'be violated'}, but no check reported it"
    if j.outcome is Outcome.ERROR:
        return f"{v}: {p.name}: the check failed: {p.message or r.error or 'no reason given'}"
    if j.outcome is Outcome.UNCONFIRMED:
        return (f"{v}: {p.name}: expected to {'hold' if j.expected == HOLDS else 'be violated'}, but the search "
                f"was incomplete ({p.message or r.reason or 'cut short'})")
    if j.expected == HOLDS:
        return f"{v}: {p.name} is violated{steps}{detail} (the variant expects it to hold)"
    return f"{v}: {p.name} holds, but the variant expects it to be violated"


def _result(j: Judged, r: CheckResult, model: Model | None, root: Path) -> dict:
    p = j.prop
    trace = p.trace if p.verdict in (Verdict.VIOLATED, Verdict.ERROR) else None
    failing = trace.steps[-1].span if trace is not None and trace.steps else None
    if failing is not None:
        span = failing
    elif p.kind == MISSING:
        span = _expect_span(model, p.name, j.expected) or _decl_span(model, p.name)
    elif j.outcome is Outcome.ERROR:
        span = _decl_span(model, p.name) or _expect_span(model, p.name, j.expected)
    else:
        span = _expect_span(model, p.name, j.expected) or _decl_span(model, p.name)
    if span is None and model is not None:
        span = model.span
    out: dict = {
        "ruleId": p.name,
        "level": "warning" if j.outcome is Outcome.UNCONFIRMED else "error",
        "message": {"text": _message(j, r)},
        "locations": [_location(span, root)] if span is not None else [],
        "properties": {"variant": r.variant, "verdict": p.verdict.value,
                       "expected": j.expected, "outcome": j.outcome.value},
    }
    flow = _code_flow(trace, root) if trace is not None else None
    if flow is not None:
        out["codeFlows"] = [flow]
    return out


def _rules(results: list[CheckResult], models: dict[str, Model]) -> list[dict]:
    rules: dict[str, dict] = {}
    for r in results:
        model = models.get(r.variant)
        for j in judge(r, model):
            name = j.prop.name
            if name in rules:
                continue
            decl = model.get_property(name) if model is not None else None
            doc = getattr(decl, "doc", None)
            kind = model.property_kind(name) if model is not None else j.prop.kind
            rule: dict = {"id": name, "shortDescription": {"text": doc or f"{kind} {name}"},
                          "properties": {"kind": kind}}
            if doc:
                rule["fullDescription"] = {"text": f"{kind} {name}: {doc}"}
            rules[name] = rule
    return list(rules.values())


def to_sarif(results: list[CheckResult], models: dict[str, Model], root: str | os.PathLike | None = None) -> dict:
    """The SARIF 2.1.0 log of ``results`` (see the module docstring)."""
    base = Path(root) if root is not None else Path.cwd()
    rules = _rules(results, models)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    out: list[dict] = []
    seen: dict[str, dict] = {}
    for r in results:
        model = models.get(r.variant)
        for j in judge(r, model):
            if j.ok:
                continue
            res = _result(j, r, model, base)
            res["ruleIndex"] = index[j.prop.name]
            # --backend both: the same finding from both checkers is one result naming both
            key = json.dumps([res["ruleId"], res["message"], res["locations"]], sort_keys=True)
            if key in seen:
                seen[key]["properties"]["backends"].append(r.backend)
                continue
            res["properties"]["backends"] = [r.backend]
            seen[key] = res
            out.append(res)
    run = {
        "tool": {"driver": {"name": "movspec", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "results": out,
        "invocations": [{"executionSuccessful": not any(r.error for r in results)}],
        "properties": {"variants": [r.variant for r in results],
                       "backends": sorted({r.backend for r in results}),
                       "checkers": list(dict.fromkeys(r.checker for r in results))},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def to_sarif_text(results: list[CheckResult], models: dict[str, Model], root=None) -> str:
    return json.dumps(to_sarif(results, models, root), indent=2, ensure_ascii=False) + "\n"
