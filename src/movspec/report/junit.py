"""JUnit XML: one ``<testsuite>`` per variant, one ``<testcase>`` per variant x property.

A testcase passes when the verdict meets the variant's expectation (``movspec/expect.py``):
an expected violation is a passing testcase whose ``<system-out>`` holds the trace. It
fails (``<failure>``) when the verdict contradicts the expectation, the failure text being
the counterexample as lanes; an incomplete search for a property with an expectation is a
failure of type ``incomplete``; a back-end error is ``<error>``. A property without
expectation passes and says its verdict in ``<system-out>``; incomplete there, it is
``<skipped>``.

One search checks all of a variant's properties at once, so the suite's time is the search
time and each testcase gets an equal share of it. The document validates against
``schemas/junit.xsd``, whatever the model's strings hold (characters XML cannot carry are
written ``\\uXXXX``). With ``timing=False`` every time is 0, which makes the file
byte-stable for a given result.
"""

from __future__ import annotations

import re
from importlib import resources
from xml.etree import ElementTree as ET

from ..ir.nodes import Model
from ..result import CheckResult, PropertyResult, Verdict
from ..expect import Judged, Outcome, judge
from .lanes import render_text


# Characters XML 1.0 cannot carry at all, escaped or not (C0 controls but tab, line feed and
# carriage return; lone surrogates; U+FFFE, U+FFFF). Model strings may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(s: str) -> str:
    """``s`` with every character XML cannot hold written as ``\\uXXXX``."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", s)


def _make_xml_safe(root: ET.Element) -> None:
    for el in root.iter():
        if el.text:
            el.text = xml_text(el.text)
        if el.tail:
            el.tail = xml_text(el.tail)
        for k, v in el.attrib.items():
            el.attrib[k] = xml_text(v)


def schema_path() -> str:
    return str(resources.files("movspec.report") / "schemas" / "junit.xsd")


def suite_name(r: CheckResult) -> str:
    """``model.variant``, with the back end appended when it is not the default one (so
    ``--backend both`` gives two distinct suites)."""
    name = f"{r.model}.{r.variant}"
    return name if r.backend in ("builtin", "") else f"{name}.{r.backend}"


def _trace_text(p: PropertyResult, model: Model | None) -> str:
    if p.trace is None:
        return ""
    return render_text(p.trace, model, width=160)


def _testcase(r: CheckResult, j: Judged, model: Model | None, timing: bool, share: float) -> tuple[ET.Element, str]:
    p = j.prop
    tc = ET.Element("testcase", {
        "name": p.name,
        "classname": f"movspec.{suite_name(r)}",
        "time": f"{share:.3f}" if timing else "0",
    })
    prop = model.get_property(p.name) if model is not None else None
    span = getattr(prop, "span", None)
    if span is not None:
        tc.set("file", span.file)
        tc.set("line", str(span.line))
    expected = {"holds": "hold", "violates": "be violated"}.get(j.expected or "", "")
    trace = _trace_text(p, model)
    head = f"{r.variant}: {p.name} {p.verdict.value}"
    if p.message:
        head += f": {p.message}"
    kind = "fail"
    if j.outcome is Outcome.UNEXPECTED:
        msg = f"{p.name} is {p.verdict.value} in {r.variant}, expected to {expected}"
        if p.message:
            msg += f" ({p.message})"
        f = ET.SubElement(tc, "failure", {"type": p.verdict.value, "message": msg})
        f.text = "\n" + head + "\n\n" + (trace or "(no trace)\n")
    elif j.outcome is Outcome.UNCONFIRMED:
        reason = r.reason or "the search was cut short"
        f = ET.SubElement(tc, "failure", {"type": "incomplete",
                                          "message": f"{p.name} not confirmed in {r.variant}: {reason}"})
        f.text = f"expected to {expected}; the search stopped before it could tell: {reason}\n"
    elif j.outcome is Outcome.ERROR:
        why = r.error or p.message or "the back end could not check this property"
        e = ET.SubElement(tc, "error", {"type": "error", "message": why})
        e.text = why + "\n"
        kind = "error"
    elif j.outcome is Outcome.UNJUDGED and p.verdict is Verdict.INCOMPLETE:
        ET.SubElement(tc, "skipped", {"message": f"incomplete: {r.reason or 'cut short'}; no expectation declared"})
        kind = "skipped"
    else:
        kind = "pass"
        note = "as expected" if j.outcome is Outcome.AS_EXPECTED else "no expectation declared"
        out = ET.SubElement(tc, "system-out")
        out.text = f"{head} ({note})\n" + (("\n" + trace) if trace else "")
    return tc, kind


def junit_tree(results: list[CheckResult], models: dict[str, Model], *, timing: bool = True) -> ET.ElementTree:
    root = ET.Element("testsuites", {"name": "movspec"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for r in results:
        model = models.get(r.variant)
        suite = ET.SubElement(root, "testsuite", {"name": suite_name(r)})
        props = ET.SubElement(suite, "properties")
        for name, value in (("backend", r.backend), ("complete", str(r.complete).lower()),
                            ("distinct", str(r.stats.distinct)), ("generated", str(r.stats.generated)),
                            ("depth", str(r.stats.depth)), ("symmetry", str(r.symmetry).lower())):
            ET.SubElement(props, "property", {"name": name, "value": value})
        if r.runner:
            ET.SubElement(props, "property", {"name": "runner", "value": r.runner})
        if r.reason:
            ET.SubElement(props, "property", {"name": "reason", "value": r.reason})
        if model is not None and model.description:
            ET.SubElement(props, "property", {"name": "description", "value": model.description})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        judged = judge(r, model)
        # one search checks every property at once: its time is shared among the testcases
        share = r.stats.seconds / len(judged) if judged else 0.0
        for j in judged:
            tc, kind = _testcase(r, j, model, timing, share)
            suite.append(tc)
            counts["tests"] += 1
            if kind == "fail":
                counts["failures"] += 1
            elif kind == "error":
                counts["errors"] += 1
            elif kind == "skipped":
                counts["skipped"] += 1
        if r.error:
            err = ET.SubElement(suite, "system-err")
            err.text = r.error + "\n"
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", f"{r.stats.seconds:.3f}" if timing else "0")
        total_time += r.stats.seconds
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{total_time:.3f}" if timing else "0")
    _make_xml_safe(root)
    ET.indent(root, space="  ")
    return ET.ElementTree(root)


def to_junit_xml(results: list[CheckResult], models: dict[str, Model], *, timing: bool = True) -> str:
    tree = junit_tree(results, models, timing=timing)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree.getroot(), encoding="unicode") + "\n"


def validate(xml_text: str) -> None:
    """Raise ``xmlschema.XMLSchemaValidationError`` unless ``xml_text`` matches the schema.
    Needs the ``xmlschema`` package (the test extra)."""
    import xmlschema

    xmlschema.XMLSchema(schema_path()).validate(xml_text)
