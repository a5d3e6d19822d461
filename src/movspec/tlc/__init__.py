"""The tlc stage: check a model with TLC (``pcal.trans`` then ``tlc2.TLC -tool``).

Public API::

    available() -> (bool, str)          # can a TLC backend run here, and which / why not
    check_model(model, *, workers=1, timeout=None, symmetry=True, jar=None) -> CheckResult

Backends (local Java with tla2tools.jar, Docker) live in ``backend``; the pinned release and
``movspec tlc install`` in ``release``; the ``-tool`` output parser in ``output``; the mapping
of TLC states back to DSL states and steps in ``trace``; the run loop in ``runner``.
"""

from __future__ import annotations

import os

from .backend import BackendUnavailable
from .select import select_backend
from .runner import check_model

__all__ = ["available", "check_model", "BackendUnavailable"]


def available(jar: str | os.PathLike | None = None, backend: str | None = None) -> tuple[bool, str]:
    """Whether a TLC backend can run, with a sentence saying which one or why none can."""
    try:
        b = select_backend(backend, jar=jar)
    except BackendUnavailable as exc:
        return False, str(exc)
    ok, why = b.available()
    return ok, f"{b.name}: {why}"
