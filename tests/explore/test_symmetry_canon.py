"""The signature canonical form (``compile_sym``, the default) against trying every
permutation: the same number of orbits, the same verdicts and counterexample lengths, on the
protocol at sizes where ties are common, and on random models with symmetric sets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from movspec.explore.compile import compile_model
from movspec.explore.search import Budget, Search
from movspec.ir.symmetry import symmetry_off_reason
from movspec.load import load

from .differential import load_gen
from .randmodels import generate

ROOT = Path(__file__).resolve().parents[2]


def _run(m, canon):
    comp = compile_model(m, symmetry=True, canon=canon)
    r = Search(comp, Budget(max_states=200_000), symmetry=comp.canon is not None,
               check_deadlock=not m.allow_deadlock).run()
    return r.complete, r.stats.distinct, {p.name: (p.verdict, p.trace and len(p.trace)) for p in r.properties}


@pytest.mark.parametrize("pages,cpus,variant", [(3, 2, "v4_8"), (3, 2, "per_driver_locking")])
def test_protocol_orbits_equal_the_permutation_method(tmp_path, pages, cpus, variant):
    for f in (ROOT / "spec").glob("*.mspec"):
        shutil.copy(f, tmp_path / f.name)
    ps = ", ".join(f"P{i + 1}" for i in range(pages))
    cs = ", ".join(f"C{i + 1}" for i in range(cpus))
    (tmp_path / "zz_size.mspec").write_text(
        f'variant sized extends {variant} "size" {{\n const Pages = {{{ps}}} symmetric\n'
        f' const Cpus = {{{cs}}} symmetric\n const MaxRef = {cpus + 1}\n}}\n')
    res = load([str(tmp_path)])
    assert res.ok
    m = res.models["sized"]
    assert _run(m, "sort") == _run(m, "min")


@pytest.mark.slow
def test_random_symmetric_models_orbits_equal_the_permutation_method():
    compared = 0
    for seed in range(250):
        for m in (load_gen(generate(seed)) or {}).values():
            if symmetry_off_reason(m) is not None or not any(c.symmetric and c.atoms and len(c.atoms) > 1
                                                              for c in m.consts):
                continue
            a, b = _run(m, "sort"), _run(m, "min")
            if a[0] and b[0]:
                assert a == b, (seed, m.variant)
                compared += 1
    assert compared >= 60, compared
