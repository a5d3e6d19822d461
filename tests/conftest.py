"""Shared pytest set-up: tests marked ``tlc`` skip, with the reason, when this machine has no
TLC backend (tla2tools.jar with Java, or Docker); docker-marked tests get their daemon from
the ``docker_engine`` fixture of tests/tlc/conftest.py."""

from __future__ import annotations

import functools

import pytest


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
