"""A ``leadsto`` binding over symmetric sets is checked once per orbit, and only when the model
is symmetric.

``forall c in Cpus: P(c) ~> Q(c)`` over a ``symmetric`` set: a permutation of the set maps the
model's fair behaviours to fair behaviours, so the property holds for ``C2`` exactly when it
holds for ``C1``, and ``explore.check`` asks ``check_liveness`` for one binding per orbit.
Where something names an element of the set (the model is not symmetric), every binding is
checked: the test below has a violation for ``C2`` only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.explore import check, explore_graph
from movspec.explore.liveness import _bindings, check_liveness
from movspec.ir import nodes as ir
from movspec.ir.lower import lower_functions
from movspec.ir.symmetry import symmetric_consts
from movspec.load import load, load_text
from movspec.result import Verdict

ROOT = Path(__file__).resolve().parents[2]

SPINLOCK = """
model spinlock
const Cpus = {C1, C2, C3} symmetric
const Pages = {P1, P2} symmetric
enum Owner { nobody }
var lock: Cpus | Owner = nobody
var page: Pages | Owner = nobody
FAIRNESS actor cpu(self in Cpus) {
    step acquire { await lock == nobody  lock = self }
    step enter { any x in Pages { page = x } }
    step release { lock = nobody  goto acquire }
}
leadsto Progress: forall c in Cpus: cpu[c] at acquire ~> cpu[c] at enter
leadsto Pairs: forall c in Cpus, d in Cpus: cpu[c] at enter && cpu[d] at acquire ~> cpu[d] at enter
leadsto Mixed: forall x in Pages, c in Cpus: cpu[c] at enter && page == x ~> cpu[c] at release
"""

# C2 waits for a flag nobody sets: only the binding c = C2 is violated. Naming C2 in a step
# makes the model asymmetric, so no binding may be skipped.
ASYMMETRIC = """
model asym
const Cpus = {C1, C2} symmetric
var flag: bool = false
fair actor cpu(self in Cpus) {
    step wait { if self == C2 { await flag } }
    step go { skip }
}
leadsto Go: forall c in Cpus: cpu[c] at wait ~> cpu[c] at go
"""


def _model(text: str, name: str) -> ir.Model:
    res = load_text(text, "orbits.mspec")
    assert res.ok, [d.render() for d in res.diagnostics]
    return res.models[name]


def _leadsto(model: ir.Model) -> list[ir.LeadsTo]:
    return [p for p in model.properties if isinstance(p, ir.LeadsTo)]


def test_one_binding_per_orbit_of_the_symmetric_sets():
    model = _model(SPINLOCK.replace("FAIRNESS", "fair"), "spinlock")
    g = explore_graph(model)
    props = {p.name: p for p in _leadsto(model)}
    sym = ("Cpus", "Pages")
    assert len(_bindings(g, props["Progress"])) == 3
    assert _bindings(g, props["Progress"], sym) == [{"c": "C1"}]
    # c = d and c != d: two orbits of the nine pairs
    assert len(_bindings(g, props["Pairs"])) == 9
    assert _bindings(g, props["Pairs"], sym) == [{"c": "C1", "d": "C1"}, {"c": "C1", "d": "C2"}]
    # two sets permuted independently: one orbit of the six pairs
    assert _bindings(g, props["Mixed"], sym) == [{"x": "P1", "c": "C1"}]
    # a set the model is not symmetric in: every binding
    assert len(_bindings(g, props["Mixed"], ("Cpus",))) == 6


@pytest.mark.parametrize("fairness", ["fair", "fair+", ""])
def test_orbit_verdicts_are_the_verdicts_of_every_binding(fairness):
    model = _model(SPINLOCK.replace("FAIRNESS", fairness), "spinlock")
    g = explore_graph(model)
    sets = tuple(c.name for c in symmetric_consts(model))
    assert sets == ("Cpus", "Pages")
    every = check_liveness(model, _leadsto(model), g)
    orbits = check_liveness(model, _leadsto(model), g, symmetric=sets)
    assert {n: r.verdict for n, r in orbits.items()} == {n: r.verdict for n, r in every.items()}
    # the verdicts are not all alike: the comparison can tell a difference
    if fairness == "fair":
        assert every["Progress"].verdict is Verdict.VIOLATED
    if fairness == "fair+":
        assert every["Progress"].verdict is Verdict.HOLDS


def test_a_model_naming_an_element_checks_every_binding():
    model = _model(ASYMMETRIC, "asym")
    assert symmetric_consts(model) == ()  # `self == C2` names an element
    res = check(model).property("Go")
    assert res.verdict is Verdict.VIOLATED, res.message
    assert "c = C2" in res.message
    # what the guard prevents: claimed symmetric, the orbit of C1 alone would say it holds
    g = explore_graph(model)
    wrong = check_liveness(model, _leadsto(model), g, symmetric=("Cpus",))["Go"]
    assert wrong.verdict is Verdict.HOLDS


@pytest.mark.slow
def test_spec_liveness_is_the_same_per_orbit_and_per_binding():
    res = load([str(ROOT / "spec"), str(ROOT / "proofs")])
    assert res.ok, [d.message for d in res.errors]
    seen = set()
    for name, source in res.models.items():
        model = lower_functions(source)
        sets = tuple(c.name for c in symmetric_consts(model))
        assert sets, name  # spec/'s pages and CPUs are symmetric in every variant
        g = explore_graph(model)
        every = check_liveness(model, _leadsto(model), g)
        orbits = check_liveness(model, _leadsto(model), g, symmetric=sets)
        for prop, r in every.items():
            assert orbits[prop].verdict is r.verdict, (name, prop)
            assert orbits[prop].message == r.message, (name, prop)
            seen.add(r.verdict)
    assert seen == {Verdict.HOLDS, Verdict.VIOLATED}
