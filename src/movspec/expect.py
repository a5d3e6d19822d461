"""Expected verdicts versus results, and results of two back ends versus each other.

``mismatches(result, model)`` lists every way ``result`` fails ``model.expectations``, with a
message a CI log can show as is. The rule is the one every report uses
(``movspec.report.expect``):

* ``expect V violates P``: P must be VIOLATED; ``expect V holds P`` / ``holds all``: the named
  (or every) property must HOLD; a ``violates`` line wins over ``holds all``;
* a property no line mentions is not judged, except that ERROR always fails;
* INCOMPLETE never meets an expectation (a cut-short search proves nothing);
* an expectation naming a property the result does not report fails.

``disagreements(a, b)`` lists where two back ends' results on the same variant differ:
verdicts, and distinct-state counts when both searches completed with the same symmetry
setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir.nodes import Model
from .result import CheckResult, Verdict

HOLDS = "holds"
VIOLATES = "violates"


def expected_verdict(model: Model, prop: str) -> str | None:
    """``"holds"``, ``"violates"`` or None for ``prop`` under ``model.expectations``."""
    holds = False
    for e in model.expectations:
        if e.verdict == VIOLATES and prop in e.properties:
            return VIOLATES
        if e.verdict == HOLDS and (prop in e.properties or not e.properties):
            holds = True
    return HOLDS if holds else None


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


def mismatches(result: CheckResult, model: Model) -> list[Mismatch]:
    """Every expectation of ``model`` that ``result`` does not meet (see module docstring)."""
    out: list[Mismatch] = []
    v = result.variant
    for p in result.properties:
        exp = expected_verdict(model, p.name)
        if p.verdict is Verdict.ERROR:
            why = p.message or result.error or "the back end could not check it"
            out.append(Mismatch(v, p.name, exp, p.verdict, "error", f"{v}: {p.name}: error: {why}"))
            continue
        if exp is None:
            continue
        if p.verdict is Verdict.INCOMPLETE:
            why = p.message or result.reason or "search incomplete"
            out.append(Mismatch(v, p.name, exp, p.verdict, "unconfirmed",
                                f"{v}: {p.name}: expected to {'hold' if exp == HOLDS else 'be violated'}, "
                                f"but the check is incomplete ({why})"))
            continue
        got_holds = p.verdict is Verdict.HOLDS
        if got_holds != (exp == HOLDS):
            if exp == HOLDS:
                msg = f"{v}: {p.name}: expected to hold, but it is violated"
                if p.trace is not None:
                    msg += f" ({len(p.trace) - 1}-step counterexample)"
            else:
                msg = f"{v}: {p.name}: expected to be violated, but it holds"
            out.append(Mismatch(v, p.name, exp, p.verdict, "unexpected", msg))
    reported = {p.name for p in result.properties}
    for e in model.expectations:
        for name in e.properties:
            if name not in reported:
                reported.add(name)
                out.append(Mismatch(v, name, e.verdict, None, "missing",
                                    f"{v}: {name}: expected to {'hold' if e.verdict == HOLDS else 'be violated'}, "
                                    f"but the model has no property {name}"))
    return out


def disagreements(a: CheckResult, b: CheckResult) -> list[str]:
    """Where back ends ``a`` and ``b`` disagree on one variant (empty when they agree).
    Properties either side could not decide (INCOMPLETE, ERROR) are not compared."""
    out: list[str] = []
    decided = (Verdict.HOLDS, Verdict.VIOLATED)
    bv = {p.name: p.verdict for p in b.properties}
    for p in a.properties:
        other = bv.get(p.name)
        if other is None:
            continue
        if p.verdict in decided and other in decided and p.verdict is not other:
            out.append(f"{a.variant}: {p.name}: {a.backend} says {p.verdict.value}, "
                       f"{b.backend} says {other.value}")
    if (a.complete and b.complete and not a.error and not b.error and a.symmetry == b.symmetry
            and a.stats.distinct != b.stats.distinct):
        out.append(f"{a.variant}: distinct states: {a.backend} found {a.stats.distinct}, "
                   f"{b.backend} found {b.stats.distinct}"
                   + (" (symmetry on)" if a.symmetry else ""))
    return out
