"""The small DSL model of tests/fixtures/report/small, loaded by the front end and checked by
the embedded checker (cached per test session)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = "tests/fixtures/report/small"  # relative to ROOT, so spans read the same everywhere


@lru_cache(maxsize=1)
def loaded():
    from movspec.load import load
    from movspec.explore import check

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        r = load([SPEC])
    finally:
        os.chdir(here)
    assert r.ok, [d.render(r.sources) for d in r.errors]
    results = {name: check(m) for name, m in r.models.items()}
    return r, results


def site(pluscal: bool = False):
    from movspec.report.context import Site, VariantDoc

    r, results = loaded()
    variants = []
    for name, m in r.models.items():
        text = None
        if pluscal:
            from movspec.emit.module import emit
            text = emit(m).tla
        variants.append(VariantDoc(m, results[name], tuple(r.deltas.get(name, ())), text))
    return Site(variants, dict(r.sources.files))
