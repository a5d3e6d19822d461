"""TLC and the builtin checker agree on refinement verdicts: ``PROPERTY R`` with
``R == R_map!Spec`` and ``R_map == INSTANCE A WITH ...`` in the emitted module, against
``explore.refinement``. Same verdict, same counterexample length and offending step, and for a
refinement that holds, the same number of distinct states. Skipped without a TLC backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.emit.module import emit
from movspec.emit.refinement import abstract_module, with_refinements
from movspec.explore import explore_graph
from movspec.explore.refinement import check_refinements
from movspec.load import load, load_text
from movspec.result import Verdict
from movspec.tlc.refinement import check_refinements_tlc

ROOT = Path(__file__).resolve().parents[2]

COUNTER = ROOT / "tests" / "fixtures" / "explore" / "refine_counter.mspec"  # as in the builtin tests


def _counter_models():
    res = load_text(COUNTER.read_text(), "counter.mspec")
    assert res.ok
    return res.models


def _agree(model, tlc, builtin):
    assert tlc.verdict is builtin.verdict, (model.variant, tlc.message, builtin.message)
    if builtin.verdict is Verdict.VIOLATED:
        assert tlc.message == builtin.message  # the same step, the same mapped states
        assert len(tlc.trace) == len(builtin.trace)
        t, b = tlc.trace.steps[-1], builtin.trace.steps[-1]
        assert (t.actor, t.proc, t.step) == (b.actor, b.proc, b.step)


@pytest.mark.tlc
@pytest.mark.parametrize("variant", ["racy", "atomic", "off_by_one"])
def test_tlc_agrees_on_small_models(variant):
    m = _counter_models()[variant]
    tlc = check_refinements_tlc(m)["RefinesCount"]
    builtin = check_refinements(m)["RefinesCount"]
    _agree(m, tlc, builtin)


@pytest.fixture(scope="module")
def protocol():
    res = load([str(ROOT / "spec"), str(ROOT / "proofs")])
    assert res.ok
    return res.models


@pytest.mark.tlc
@pytest.mark.parametrize("variant", ["v3", "put_page_hook", "per_driver_locking"])
def test_tlc_agrees_on_the_protocol(protocol, variant):
    m = protocol[variant]
    g = explore_graph(m)
    tlc = check_refinements_tlc(m)["RefinesOwnership"]
    builtin = check_refinements(m, g)["RefinesOwnership"]
    _agree(m, tlc, builtin)
    if builtin.verdict is Verdict.HOLDS:
        assert f"{len(g.states):,} reachable states" in tlc.message


# ------------------------------------------------------------------ the generated text (no TLC needed)


def test_generated_instance_and_abstract_module():
    m = _counter_models()["racy"]
    tla, modules, names = with_refinements(emit(m))
    assert names == {"RefinesCount": "RefinesCount"}
    assert "RefinesCount_map == INSTANCE Count WITH" in tla
    assert "RefinesCount == RefinesCount_map!Spec" in tla
    assert tla.rstrip().endswith("=" * 76)
    name, text = abstract_module(m, m.get_property("RefinesCount").abstract)
    assert name == "Count" and modules == {"Count.tla": text}
    assert "VARIABLES k, finished" in text
    assert ("inc(w) ==\n    ((w \\notin finished) /\\ (k' = (k + 1) /\\ finished' = (finished \\cup {w})))"
            in text)
    assert "Next ==\n    \\/ \\E w \\in W: inc(w)" in text
    assert "Spec == Init /\\ [][Next]_vars" in text
