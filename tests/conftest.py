"""Shared pytest set-up: tests marked ``tlc`` or ``docker`` skip, with the reason, when this
machine has no TLC backend (tla2tools.jar with Java, or Docker) or no Docker daemon."""

from __future__ import annotations

import functools

import pytest


@functools.lru_cache(maxsize=None)
def _tlc() -> tuple[bool, str]:
    from movspec.tlc import available
    return available()


@functools.lru_cache(maxsize=None)
def _docker() -> tuple[bool, str]:
    from movspec.tlc.backend import DockerTLC
    return DockerTLC().available()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("tlc") is not None:
            ok, why = _tlc()
            if not ok:
                item.add_marker(pytest.mark.skip(reason=f"no TLC backend: {why}"))
        if item.get_closest_marker("docker") is not None:
            ok, why = _docker()
            if not ok:
                item.add_marker(pytest.mark.skip(reason=why))
