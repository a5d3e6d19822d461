"""TLC on the models in spec/: the variant x property matrix and the distinct-state counts
agree with the embedded checker's. Skipped when no TLC backend is available."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec import tlc
from movspec.expect import disagreements, mismatches
from movspec.explore import check
from movspec.load import load
from tests.conftest import tlc_check
from tests.traces import lasso_problems

SPEC = Path(__file__).resolve().parents[2] / "spec"

pytestmark = pytest.mark.tlc


@pytest.fixture(scope="module")
def models():
    ok, why = tlc.available()
    if not ok:
        pytest.skip(f"no TLC backend: {why}")
    r = load([SPEC, SPEC / "pageflags"])
    assert r.ok, "\n".join(str(d) for d in r.diagnostics)
    return r.models


@pytest.mark.parametrize("variant", ["v4_8", "v3", "per_driver_locking", "per_driver_locking_modref",
                                     "per_driver_locking_rcu", "put_page_hook", "v6_0", "v4_8_pageflags",
                                     "v4_10_pageflags", "v5_18_pageflags"])
def test_tlc_agrees_with_builtin(models, variant):
    model = models[variant]
    by_tlc = tlc_check(model, symmetry=True)
    builtin = check(model, symmetry=True)
    assert by_tlc.complete and by_tlc.error is None
    assert mismatches(by_tlc, model) == []
    assert disagreements(by_tlc, builtin) == []
    assert by_tlc.stats.distinct == builtin.stats.distinct
    # both report the shortest counterexample to a safety property: the same length; a
    # leadsto lasso is a fair lasso on both (judged by the reference interpreter), and the
    # builtin's is no longer than TLC's
    for p in by_tlc.properties:
        q = builtin.property(p.name)
        assert (p.trace is None) == (q.trace is None), p.name
        if p.trace is None:
            continue
        if p.kind == "leadsto":
            prop = next(x for x in model.properties if x.name == p.name)
            assert lasso_problems(model, prop, by_tlc) == []
            assert lasso_problems(model, prop, builtin) == []
            assert len(q.trace) <= len(p.trace), p.name
        else:
            assert len(p.trace) == len(q.trace), p.name
