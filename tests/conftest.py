"""Shared pytest set-up: tests marked ``tlc`` skip, with the reason, when this machine has no
TLC backend (tla2tools.jar with Java, or Docker); docker-marked tests get their daemon from
the ``docker_engine`` fixture of tests/tlc/conftest.py.

Golden files: ``golden(path, text)`` (the ``golden`` fixture, or ``check_golden``) compares
``text`` with the file at ``path``; ``MOVSPEC_UPDATE_GOLDEN=1`` rewrites the files instead
(review the diff by eye before keeping it). Every golden comparison of the suite goes through
it, so one variable updates them all.

Builtin against TLC: ``assert_backends_agree(model, variant, symmetry=...)`` checks a model
with both (TLC's run shared by the session, ``tlc_check``) and asserts the same distinct
states, depth, verdicts and counterexample lengths, naming the variant, what differs and both
values; ``backend_differences`` is its comparison of two results.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

UPDATE_GOLDEN = os.environ.get("MOVSPEC_UPDATE_GOLDEN") == "1"


def check_golden(path: str | os.PathLike, text: str) -> None:
    """Compare ``text`` with the golden file ``path`` (see the module docstring)."""
    path = Path(path)
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden file {path} missing; run with MOVSPEC_UPDATE_GOLDEN=1 to create it")
    assert text == path.read_text(encoding="utf-8"), \
        f"output differs from {path}; rerun with MOVSPEC_UPDATE_GOLDEN=1 if the change is intended"


@pytest.fixture(autouse=True)
def _result_cache(tmp_path_factory, monkeypatch):
    """Each test has its own, empty result cache (``movspec check`` caches by default): no
    test reads what another stored, and none writes into the user's cache."""
    monkeypatch.setenv("MOVSPEC_RESULT_CACHE", str(tmp_path_factory.mktemp("result-cache")))


@pytest.fixture
def golden():
    return check_golden


_TLC_RESULTS: dict = {}


def tlc_check(model, **options):
    """``movspec.tlc.check_model(model, **options)``, run once per test session for equal
    models and options (IR models are frozen and compare by value), so that the test files
    that check the same variants with TLC share one run. Results are immutable."""
    from movspec.tlc import check_model
    key = (model, tuple(sorted(options.items())))
    hit = _TLC_RESULTS.get(key)
    if hit is None:
        hit = _TLC_RESULTS[key] = check_model(model, **options)
    return hit


@pytest.fixture(scope="session")
def tlc_results():
    """The session's shared TLC runs (``tlc_check``)."""
    return tlc_check


def backend_differences(ours, tlc, *, verdicts: bool = True, traces: bool = True,
                        leadsto: bool = True) -> list[str]:
    """What differs between the builtin checker's result ``ours`` and TLC's ``tlc`` of one
    model, a line each: an error on either side, the distinct states and the depth; with
    ``verdicts``, each property's verdict (a property only one side reports differs too);
    with ``traces``, the length of the counterexample of each property the builtin checker
    finds violated, but leadsto ones (a lasso's length depends on where each closes its
    loop). ``leadsto=False`` leaves the leadsto properties out of the verdicts."""
    from movspec.result import Verdict
    out = [f"{side} failed: {res.error}" for side, res in (("builtin", ours), ("TLC", tlc))
           if res.error is not None]
    if out:
        return out
    for what, field in (("distinct states", "distinct"), ("depth", "depth")):
        a, b = getattr(ours.stats, field), getattr(tlc.stats, field)
        if a != b:
            out.append(f"{what}: builtin {a}, TLC {b}")
    mine = {p.name: p for p in ours.properties}
    theirs = {p.name: p for p in tlc.properties}
    if verdicts:
        for name in sorted(set(mine) | set(theirs)):
            a, b = mine.get(name), theirs.get(name)
            if not leadsto and "leadsto" in (a and a.kind, b and b.kind):
                continue
            va, vb = (p.verdict.value if p else "not reported" for p in (a, b))
            if va != vb:
                out.append(f"verdict of {name}: builtin {va}, TLC {vb}")
    if traces:
        for p in ours.properties:
            if p.verdict is not Verdict.VIOLATED or p.kind == "leadsto":
                continue
            q = theirs.get(p.name)
            la, lb = (len(t.trace) if t is not None and t.trace is not None else "none" for t in (p, q))
            if la != lb:
                out.append(f"counterexample length of {p.name}: builtin {la}, TLC {lb}")
    return out


def assert_backends_agree(model, variant: str | None = None, *, symmetry: bool, **compare):
    """Check ``model`` with the builtin checker and with TLC (``tlc_check``: one run a session)
    and assert that they agree (``backend_differences``, whose keywords ``compare`` takes);
    the message names ``variant`` (the model's variant by default) and each difference with
    both values. Returns the builtin result and TLC's."""
    from movspec.explore import check
    tlc = tlc_check(model, symmetry=symmetry)
    ours = check(model, symmetry=symmetry)
    diffs = backend_differences(ours, tlc, **compare)
    where = f"{variant or model.variant} (symmetry {'on' if symmetry else 'off'})"
    assert not diffs, f"{where}: the builtin checker and TLC differ:\n  " + "\n  ".join(diffs)
    return ours, tlc


@functools.lru_cache(maxsize=None)
def _tlc() -> tuple[bool, str]:
    from movspec.tlc import available
    return available()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("tlc") is not None:
            ok, why = _tlc()
            if not ok:
                item.add_marker(pytest.mark.skip(reason=f"no TLC backend: {why}"))
        # docker-marked tests use the ``docker_engine`` fixture (tests/tlc/conftest.py): it
        # starts a private daemon when none is reachable, and skips with the reason otherwise
