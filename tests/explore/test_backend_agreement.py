"""The comparison behind every builtin-against-TLC test (``backend_differences`` and
``assert_backends_agree`` of tests/conftest.py): each field it compares, when it differs,
is a line naming what differs with both values, and the assertion names the variant."""

from __future__ import annotations

import dataclasses

import pytest

import tests.conftest as shared
from movspec.load import load_text
from movspec.result import CheckResult, PropertyResult, Stats, Trace, TraceStep, Verdict
from tests.conftest import assert_backends_agree, backend_differences


def _trace(rows: int) -> Trace:
    return Trace(tuple(TraceStep(None, None, None, None, None, {}) for _ in range(rows)))


def _result(backend="builtin", distinct=10, depth=4, error=None, **verdicts) -> CheckResult:
    """A result whose properties are ``name=(kind, verdict, trace rows or None)``."""
    props = tuple(PropertyResult(n, kind, v, trace=None if rows is None else _trace(rows))
                  for n, (kind, v, rows) in verdicts.items())
    return CheckResult("m", "v", backend, props, stats=Stats(distinct=distinct, depth=depth), error=error)


PROPS = {"Inv": ("invariant", Verdict.VIOLATED, 3), "Live": ("leadsto", Verdict.VIOLATED, 5),
         "Deadlock": ("deadlock", Verdict.HOLDS, None)}


def test_equal_results_have_no_difference():
    assert backend_differences(_result(**PROPS), _result("tlc", **PROPS)) == []


def test_each_compared_field_is_named_with_both_values():
    theirs = dict(PROPS, Inv=("invariant", Verdict.VIOLATED, 4), Deadlock=("deadlock", Verdict.VIOLATED, 2))
    got = backend_differences(_result(**PROPS), _result("tlc", distinct=11, depth=5, **theirs))
    assert got == ["distinct states: builtin 10, TLC 11", "depth: builtin 4, TLC 5",
                   "verdict of Deadlock: builtin holds, TLC violated",
                   "counterexample length of Inv: builtin 3, TLC 4"]


def test_a_property_one_side_lacks_or_a_missing_trace_differs():
    theirs = {"Inv": ("invariant", Verdict.VIOLATED, None), "Other": ("invariant", Verdict.HOLDS, None)}
    got = backend_differences(_result(Inv=PROPS["Inv"]), _result("tlc", **theirs))
    assert got == ["verdict of Other: builtin not reported, TLC holds",
                   "counterexample length of Inv: builtin 3, TLC none"]


def test_an_error_on_either_side_is_the_difference():
    assert backend_differences(_result(), _result("tlc", error="boom", distinct=0)) == ["TLC failed: boom"]
    assert backend_differences(_result(error="bad"), _result("tlc")) == ["builtin failed: bad"]


def test_what_is_left_out_is_not_compared():
    theirs = dict(PROPS, Live=("leadsto", Verdict.HOLDS, None), Inv=("invariant", Verdict.HOLDS, None))
    ours, tlc = _result(**PROPS), _result("tlc", **theirs)
    assert backend_differences(ours, tlc, leadsto=False, traces=False) == \
        ["verdict of Inv: builtin violated, TLC holds"]
    assert backend_differences(ours, tlc, verdicts=False) == ["counterexample length of Inv: builtin 3, TLC none"]
    assert backend_differences(ours, tlc, verdicts=False, traces=False) == []
    # a leadsto counterexample's length is never compared (the lasso may close elsewhere)
    longer = dict(PROPS, Live=("leadsto", Verdict.VIOLATED, 9))
    assert backend_differences(_result(**PROPS), _result("tlc", **longer)) == []


MODEL = """model m
var n: 0..2 = 0
actor a { step s { n = 1 } step t { n = 2 } }
invariant Small: n < 2
"""


def test_the_assertion_names_the_variant_and_both_values(monkeypatch):
    res = load_text(MODEL, "m.mspec")
    model = next(iter(res.models.values()))
    from movspec.explore import check
    real = check(model, symmetry=False)
    more = dataclasses.replace(real.stats, distinct=real.stats.distinct + 1)
    off = dataclasses.replace(real, backend="tlc", stats=more)
    monkeypatch.setattr(shared, "tlc_check", lambda m, **options: off)
    with pytest.raises(AssertionError) as err:
        assert_backends_agree(model, "tiny", symmetry=False)
    text = str(err.value)
    assert "tiny (symmetry off)" in text
    assert f"distinct states: builtin {real.stats.distinct}, TLC {real.stats.distinct + 1}" in text
    same = dataclasses.replace(real, backend="tlc")
    monkeypatch.setattr(shared, "tlc_check", lambda m, **options: same)
    ours, tlc = assert_backends_agree(model, symmetry=False)
    assert tlc is same and ours.properties == real.properties
