"""The TLC agreement check the driver models' tests share (tests/spec/test_*.py)."""

from __future__ import annotations

from movspec.expect import disagreements, mismatches
from tests.conftest import tlc_check


def assert_tlc_agrees(model, builtin, *, traces: bool = True, lassos: bool = True):
    """TLC on ``model`` (symmetry on; one run a session) against ``builtin``, the embedded
    checker's result: complete, every expectation met, the same verdicts and distinct
    states; with ``traces``, a counterexample for the same properties and of the same length
    (``lassos=False``: not comparing the length of a ``leadsto`` lasso). Returns TLC's result."""
    by_tlc = tlc_check(model, symmetry=True)
    assert by_tlc.complete and by_tlc.error is None
    assert mismatches(by_tlc, model) == []
    assert disagreements(by_tlc, builtin) == []
    assert by_tlc.stats.distinct == builtin.stats.distinct
    if traces:
        for p in by_tlc.properties:
            q = builtin.property(p.name)
            assert (p.trace is None) == (q.trace is None), p.name
            if p.trace is not None and (lassos or p.kind != "leadsto"):
                assert len(p.trace) == len(q.trace), p.name
    return by_tlc
