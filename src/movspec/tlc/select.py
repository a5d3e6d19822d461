"""Which TLC runner to use: local Java (``backend.LocalJava``) or Docker (``docker.DockerTLC``),
by name, by ``$MOVSPEC_TLC_BACKEND`` or by what is available; and what ``doctor`` says of
each."""

from __future__ import annotations

import os

from .backend import ENV_BACKEND, Backend, BackendUnavailable, LocalJava
from .docker import DockerTLC


def select_backend(name: str | None = None, *, jar: str | os.PathLike | None = None) -> Backend:
    """The backend to use: ``name`` (or ``$MOVSPEC_TLC_BACKEND``) is ``local``, ``docker`` or
    ``auto`` (local Java when a jar is found, else Docker). Raises ``BackendUnavailable``."""
    name = name or os.environ.get(ENV_BACKEND) or "auto"
    if name not in ("auto", "local", "docker"):
        raise BackendUnavailable(f"unknown TLC backend {name!r} (${ENV_BACKEND}): use local, docker or auto")
    reasons = []
    if name in ("auto", "local"):
        local = LocalJava(jar)
        ok, why = local.available()
        if ok:
            return local
        reasons.append(f"local Java: {why}")
    if name in ("auto", "docker") and not (name == "auto" and jar):
        docker_ = DockerTLC()
        ok, why = docker_.available()
        if ok:
            return docker_
        reasons.append(f"Docker: {why}")
    raise BackendUnavailable("no TLC backend available:\n  " + "\n  ".join(reasons))


def describe_backends(jar: str | os.PathLike | None = None) -> list[tuple[str, bool, str]]:
    """For ``movspec doctor``: each backend, whether it can run, and why (not); for Docker,
    what the first run will do (use the image, or build it from what)."""
    out = []
    for b in (LocalJava(jar), DockerTLC()):
        ok, why = b.available()
        if ok and isinstance(b, DockerTLC):
            try:
                why = b.plan()
            except BackendUnavailable as exc:
                ok, why = False, str(exc).removeprefix("error: ")
        out.append((b.name, ok, why))
    return out
