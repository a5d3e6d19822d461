"""``check`` in two halves (``check_safety``, then ``check_on_graph``), as ``movspec check
--jobs`` runs them in separate worker processes: the same result as one ``check``, on models
with liveness, refinement, inductive invariants, a violation, an evaluation error, a model
the checker cannot compile, and a search cut short."""

from __future__ import annotations

import pickle
import re
from dataclasses import replace
from pathlib import Path

import pytest

from movspec.explore import check, check_on_graph, check_safety, needs_graph
from movspec.load import load

from .conftest import load_one

ROOT = Path(__file__).resolve().parents[2]


def _untimed(r):
    # everything but the time taken (an inductive verdict's message ends with its seconds)
    props = tuple(replace(p, message=re.sub(r"\d+\.\ds\)$", "s)", p.message or "") or None) for p in r.properties)
    return replace(r, properties=props, stats=replace(r.stats, seconds=0))


def _same(a, b) -> None:
    assert _untimed(a) == _untimed(b)


def _halves(model, **opts):
    first = check_safety(model, **opts)
    first = pickle.loads(pickle.dumps(first))  # it crosses a process boundary
    return first, check_on_graph(model, first, **opts)


@pytest.fixture(scope="module")
def examples():
    out = {}
    for name in ("wakeup.mspec", "seqcount.mspec", "rcu_lookup.mspec", "functions.mspec"):
        res = load([str(ROOT / "examples" / name)])
        assert res.ok, [d.message for d in res.errors]
        out.update({f"{name}:{v}": m for v, m in res.models.items()})
    return out


def test_examples_give_the_same_result_in_two_halves(examples):
    assert len(examples) >= 6
    graph_work = 0
    for name, m in examples.items():
        for sym in (True, False):
            whole = check(m, symmetry=sym)
            first, second = _halves(m, symmetry=sym)
            _same(whole, second)
            graph_work += needs_graph(m, first)
    assert graph_work > 0  # some of them have leadsto properties


@pytest.mark.slow
def test_spec_with_proofs_gives_the_same_result_in_two_halves():
    res = load([str(ROOT / "spec"), str(ROOT / "proofs")])
    assert res.ok
    for v in ("v3", "v4_8"):  # violations with lassos and refinement traces; inductive holds
        m = res.models[v]
        first, second = _halves(m)
        assert needs_graph(m, first)
        _same(check(m), second)


MODEL = """
model m "m"
const Ids = {I1, I2}
var x: 0..3 = 0
var got: [Ids -> bool] = [i in Ids |-> false]
fair actor w(self in Ids) "w" {
    step a { x = x + 1 }
    step b { got[self] = true }
}
invariant Small "x stays small": x <= 1
leadsto Gets "each gets": forall i in Ids: x == 1 ~> got[i]
expect m violates Small
"""


@pytest.mark.parametrize("opts", [{}, {"max_states": 3}, {"max_depth": 2}, {"first": True}])
def test_budgets_and_first_give_the_same_result(opts):
    m = load_one(MODEL)
    whole = check(m, **opts)
    first, second = _halves(m, **opts)
    _same(whole, second)
    if opts:
        assert not needs_graph(m, first)  # cut short: nothing to decide on the graph


def test_an_evaluation_error_gives_the_same_result():
    m = load_one(MODEL.replace("step b { got[self] = true }", "step b { x = 10 / (x - 2) }"))
    whole = check(m)
    first, second = _halves(m)
    assert whole.error is not None
    assert not needs_graph(m, first)
    _same(whole, second)
