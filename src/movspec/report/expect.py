"""Expected verdicts: what a variant's ``expect`` lines say about each property, and whether
a result meets them.

One rule for every report (terminal matrix, JUnit, JSON, docs):

* ``expect V violates P``: P must be VIOLATED;
* ``expect V holds P, Q`` / ``expect V holds all``: the named (or every) property must HOLD;
  a ``violates`` line for the same property wins over ``holds all``;
* a property no line mentions has no expectation: its verdict is reported, not judged,
  except that ERROR is always a failure;
* INCOMPLETE never meets an expectation (a cut-short search proves nothing), and ERROR never
  does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..expect import expected_verdict as _expected_verdict
from ..ir.nodes import Model
from ..result import CheckResult, PropertyResult, Verdict

HOLDS = "holds"
VIOLATES = "violates"


def expected_verdict(model: Model | None, prop: str) -> str | None:
    """``"holds"``, ``"violates"`` or None (no expectation) for ``prop`` in ``model``; the
    rule of ``movspec.expect``, which ``movspec check`` uses for its exit status."""
    if model is None:
        return None
    return _expected_verdict(model, prop)


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
    ERROR = "error"               # the back end could not check
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
    A property the model expects but the result lacks (the back end never reported it) is
    added as ERROR, so a silent omission cannot pass."""
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
                    missing = PropertyResult(name, "unknown", Verdict.ERROR,
                                             message=f"no result for expected property {name}")
                    out.append(Judged(result.variant, missing, expected_verdict(model, name),
                                      Outcome.ERROR))
    return out


def all_ok(results: list[CheckResult], models: dict[str, Model]) -> bool:
    """True when every result meets its variant's expectations (the CI exit status)."""
    return all(j.ok for r in results for j in judge(r, models.get(r.variant)))
