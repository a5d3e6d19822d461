"""Shared pytest set-up: tests marked ``tlc`` skip, with the reason, when this machine has no
TLC backend (tla2tools.jar with Java, or Docker); docker-marked tests get their daemon from
the ``docker_engine`` fixture of tests/tlc/conftest.py.

Golden files: ``golden(path, text)`` (the ``golden`` fixture, or ``check_golden``) compares
``text`` with the file at ``path``; ``MOVSPEC_UPDATE_GOLDEN=1`` rewrites the files instead
(review the diff by eye before keeping it). Every golden comparison of the suite goes through
it, so one variable updates them all.
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
