from movspec.ir.nodes import Expectation
from movspec.expect import Outcome, all_ok, expected_verdict, judge, outcome
from movspec.result import CheckResult, PropertyResult, Verdict

from . import handbuilt as hb


def test_expected_verdict_rules():
    m = hb.model("per_driver_locking")
    assert expected_verdict(m, "NoUseAfterUnload") == "violates"
    assert expected_verdict(m, "TypeOK") == "holds"
    assert expected_verdict(m, "Deadlock") is None
    base = hb.model("v4_8")  # holds all
    assert expected_verdict(base, "Deadlock") == "holds"
    assert expected_verdict(None, "TypeOK") is None


def test_violates_wins_over_holds_all():
    from dataclasses import replace
    m = replace(hb.model("v4_8"), expectations=(Expectation("holds", ()), Expectation("violates", ("TypeOK",))))
    assert expected_verdict(m, "TypeOK") == "violates"
    assert expected_verdict(m, "NoUseAfterUnload") == "holds"


def test_outcomes():
    assert outcome(Verdict.HOLDS, "holds") is Outcome.AS_EXPECTED
    assert outcome(Verdict.VIOLATED, "violates") is Outcome.AS_EXPECTED
    assert outcome(Verdict.VIOLATED, "holds") is Outcome.UNEXPECTED
    assert outcome(Verdict.HOLDS, "violates") is Outcome.UNEXPECTED
    assert outcome(Verdict.INCOMPLETE, "holds") is Outcome.UNCONFIRMED
    assert outcome(Verdict.INCOMPLETE, None) is Outcome.UNJUDGED
    assert outcome(Verdict.ERROR, None) is Outcome.ERROR
    assert not Outcome.UNCONFIRMED.ok and not Outcome.ERROR.ok and Outcome.UNJUDGED.ok


def test_missing_expected_property_is_an_error():
    m = hb.model("per_driver_locking")
    r = CheckResult("movable", "per_driver_locking", "builtin", (PropertyResult("TypeOK", "invariant", Verdict.HOLDS),))
    judged = judge(r, m)
    missing = [j for j in judged if j.prop.name == "NoUseAfterUnload"]
    assert missing and missing[0].outcome is Outcome.ERROR
    assert not all_ok([r], {"per_driver_locking": m})
    assert all_ok(hb.results(), hb.models())
