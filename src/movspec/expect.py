"""Expected verdicts versus results, and results of two back ends versus each other: the one
judge that the exit status of ``movspec check`` and every report (terminal matrix, JUnit,
JSON, docs) use.

``judge(result, model)`` gives each property its expectation and ``Outcome``; the rule:

* ``expect V violates P``: P must be VIOLATED; ``expect V holds P`` / ``holds all``: the named
  (or every) property must HOLD; a ``violates`` line wins over ``holds all``;
* a property no line mentions is not judged, except that ERROR always fails;
* INCOMPLETE never meets an expectation (a cut-short search proves nothing);
* an expectation naming a property the result does not report fails.

``mismatches(result, model)`` lists every failed judgement with a message a CI log can show
as is.

``disagreements(a, b)`` lists where two back ends' results on the same variant differ: any
verdict (an ERROR or INCOMPLETE against a decided verdict included), counterexample lengths,
and distinct-state counts when both searches completed with the same symmetry setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .ir.nodes import Model
from .result import CheckResult, PropertyResult, Verdict

HOLDS = "holds"
VIOLATES = "violates"


def expected_verdict(model: Model | None, prop: str) -> str | None:
    """``"holds"``, ``"violates"`` or None for ``prop`` under ``model.expectations``."""
    if model is None:
        return None
    holds = False
    for e in model.expectations:
        if e.verdict == VIOLATES and prop in e.properties:
            return VIOLATES
        if e.verdict == HOLDS and (prop in e.properties or not e.properties):
            holds = True
    return HOLDS if holds else None


def expectation_note(model: Model | None, prop: str) -> str | None:
    """The comment kept with the expectation that applies to ``prop``, if any."""
    if model is None:
        return None
    want = expected_verdict(model, prop)
    for e in model.expectations:
        if e.verdict == want and (prop in e.properties or (want == HOLDS and not e.properties)):
            if e.note:
                return e.note
    return None


class Outcome(str, Enum):
    """How a property's verdict compares with its expectation."""

    AS_EXPECTED = "as-expected"   # verdict equals the expectation
    UNEXPECTED = "unexpected"     # a definite verdict that contradicts the expectation
    UNCONFIRMED = "unconfirmed"   # INCOMPLETE: the search stopped before it could tell
    ERROR = "error"               # the back end could not check, or did not report it
    UNJUDGED = "unjudged"         # no expectation declared

    @property
    def ok(self) -> bool:
        return self in (Outcome.AS_EXPECTED, Outcome.UNJUDGED)


def outcome(verdict: Verdict, expected: str | None) -> Outcome:
    if verdict is Verdict.ERROR:
        return Outcome.ERROR
    if expected is None:
        return Outcome.UNJUDGED
    if verdict is Verdict.INCOMPLETE:
        return Outcome.UNCONFIRMED
    if (verdict is Verdict.HOLDS) == (expected == HOLDS):
        return Outcome.AS_EXPECTED
    return Outcome.UNEXPECTED


MISSING = "missing"  # the kind of the stand-in result of an expected property nobody reported


@dataclass(frozen=True)
class Judged:
    """One cell of the variant x property matrix."""

    variant: str
    prop: PropertyResult
    expected: str | None
    outcome: Outcome
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome.ok


def judge(result: CheckResult, model: Model | None) -> list[Judged]:
    """Every property of ``result`` with its expectation and outcome, in result order.
    A property the model expects but the result lacks is added as ERROR (kind ``missing``),
    so a silent omission cannot pass."""
    out = []
    seen = set()
    for p in result.properties:
        seen.add(p.name)
        exp = expected_verdict(model, p.name)
        out.append(Judged(result.variant, p, exp, outcome(p.verdict, exp), expectation_note(model, p.name)))
    if model is not None:
        for e in model.expectations:
            for name in e.properties:
                if name not in seen:
                    seen.add(name)
                    missing = PropertyResult(name, MISSING, Verdict.ERROR,
                                             message=f"no result for expected property {name}")
                    out.append(Judged(result.variant, missing, expected_verdict(model, name), Outcome.ERROR))
    return out


def all_ok(results: list[CheckResult], models: dict[str, Model]) -> bool:
    """True when every result meets its variant's expectations (the CI exit status)."""
    return all(j.ok for r in results for j in judge(r, models.get(r.variant)))


@dataclass(frozen=True)
class Mismatch:
    variant: str
    prop: str
    expected: str | None
    verdict: Verdict | None
    kind: str  # "unexpected" | "unconfirmed" | "error" | "missing"
    message: str

    def __str__(self) -> str:
        return self.message


def _want(exp: str | None) -> str:
    return "hold" if exp == HOLDS else "be violated"


def mismatches(result: CheckResult, model: Model) -> list[Mismatch]:
    """Every expectation of ``model`` that ``result`` does not meet (see module docstring)."""
    out: list[Mismatch] = []
    v = result.variant
    for j in judge(result, model):
        p, exp = j.prop, j.expected
        if j.ok:
            continue
        if p.kind == MISSING:
            out.append(Mismatch(v, p.name, exp, None, "missing",
                                f"{v}: {p.name}: expected to {_want(exp)}, but the model has no property {p.name}"))
        elif j.outcome is Outcome.ERROR:
            why = p.message or result.error or "the back end could not check it"
            out.append(Mismatch(v, p.name, exp, p.verdict, "error", f"{v}: {p.name}: error: {why}"))
        elif j.outcome is Outcome.UNCONFIRMED:
            why = p.message or result.reason or "search incomplete"
            out.append(Mismatch(v, p.name, exp, p.verdict, "unconfirmed",
                                f"{v}: {p.name}: expected to {_want(exp)}, but the check is incomplete ({why})"))
        elif exp == HOLDS:
            msg = f"{v}: {p.name}: expected to hold, but it is violated"
            if p.trace is not None:
                msg += f" ({len(p.trace) - 1}-step counterexample)"
            out.append(Mismatch(v, p.name, exp, p.verdict, "unexpected", msg))
        else:
            out.append(Mismatch(v, p.name, exp, p.verdict, "unexpected",
                                f"{v}: {p.name}: expected to be violated, but it holds"))
    return out


def _why(p: PropertyResult | None, r: CheckResult) -> str:
    """A short reason for an undecided verdict, for the disagreement line."""
    if p is None or p.verdict in (Verdict.HOLDS, Verdict.VIOLATED):
        return ""
    text = p.message or r.error or r.reason or ""
    text = " ".join(text.split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f" ({text})" if text else ""


def _steps(p: PropertyResult) -> int:
    """Counterexample length in steps (the initial state is not a step)."""
    return len(p.trace) - 1 if p.trace is not None else 0


def disagreements(a: CheckResult, b: CheckResult) -> list[str]:
    """Where back ends ``a`` and ``b`` disagree on one variant (empty when they agree):

    * a verdict that differs, whatever the two are (holds, violated, error, incomplete), or a
      property only one side reports;
    * counterexamples of different lengths for a property both find violated (both searches
      are breadth-first, so both give a shortest one), except for ``leadsto`` lassos, which
      neither checker promises to be shortest;
    * distinct-state counts, when both searched the same space: both complete, no error,
      the same symmetry setting.
    """
    out: list[str] = []
    bp = {p.name: p for p in b.properties}
    seen = set()
    for p in a.properties:
        seen.add(p.name)
        q = bp.get(p.name)
        if q is None:
            out.append(f"{a.variant}: {p.name}: {a.backend} says {p.verdict.value}, "
                       f"{b.backend} does not report it")
            continue
        if p.verdict is not q.verdict:
            out.append(f"{a.variant}: {p.name}: {a.backend} says {p.verdict.value}{_why(p, a)}, "
                       f"{b.backend} says {q.verdict.value}{_why(q, b)}")
            continue
        if (p.verdict is Verdict.VIOLATED and p.kind != "leadsto" and p.trace is not None
                and q.trace is not None and len(p.trace) != len(q.trace)):
            out.append(f"{a.variant}: {p.name}: counterexample of {_steps(p)} steps from {a.backend}, "
                       f"{_steps(q)} from {b.backend}")
    for q in b.properties:
        if q.name not in seen:
            out.append(f"{a.variant}: {q.name}: {b.backend} says {q.verdict.value}, "
                       f"{a.backend} does not report it")
    if (a.complete and b.complete and not a.error and not b.error and a.symmetry == b.symmetry
            and a.stats.distinct != b.stats.distinct):
        out.append(f"{a.variant}: distinct states: {a.backend} found {a.stats.distinct}, "
                   f"{b.backend} found {b.stats.distinct}"
                   + (" (symmetry on)" if a.symmetry else ""))
    return out
