"""The seam between the Docker backend and the docker SDK: importing the SDK lazily (it is
optional: ``pip install 'movspec[docker]'``), bounded client timeouts, every SDK and transport
error as one line, and the archive API's tar streams (files into and out of a container).
"""

from __future__ import annotations

import io
import os
import re
import tarfile
import time
from contextlib import contextmanager
from pathlib import Path

from .backend import BackendUnavailable

ENV_MEMORY = "MOVSPEC_TLC_MEMORY"
ENV_TIMEOUT = "MOVSPEC_DOCKER_TIMEOUT"
ENV_BUILD_TIMEOUT = "MOVSPEC_DOCKER_BUILD_TIMEOUT"
INSTALL_HINT = "the Docker backend needs the docker Python package: pip install 'movspec[docker]'"
USER = "65534:65534"  # nobody: /work and /scratch are world-writable in the image


def import_sdk():
    try:
        import docker  # the SDK is slow to import and optional
    except ImportError:
        raise BackendUnavailable(INSTALL_HINT) from None
    return docker


def first_line(exc: BaseException) -> str:
    expl = getattr(exc, "explanation", None)
    text = str(expl or exc).strip().splitlines()
    return " ".join(text[0].split())[:200] if text else type(exc).__name__


def client_timeout() -> float:
    return env_seconds(ENV_TIMEOUT, 120.0)


def env_seconds(env: str, default: float) -> float:
    raw = os.environ.get(env)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BackendUnavailable(f"${env}={raw!r} is not a number of seconds") from None
    if value <= 0:
        raise BackendUnavailable(f"${env}={raw!r} must be positive")
    return value


def parse_memory(text: str | None) -> int | None:
    """``512m``, ``2g``, ``1048576`` -> bytes; None or empty -> no limit."""
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", text.lower())
    if not m or float(m.group(1)) <= 0:
        raise BackendUnavailable(f"memory limit {text!r} is not a size: write e.g. 512m or 4g")
    return int(float(m.group(1)) * {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[m.group(2)])


def mib(n: int) -> str:
    return f"{n / 2**30:g} GiB" if n >= 2**30 else f"{n / 2**20:g} MiB"


@contextmanager
def sdk_errors(doing: str):
    """Turn every SDK and transport error raised while ``doing`` into a one-line
    ``BackendUnavailable``."""
    try:
        yield
    except BackendUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - the SDK raises docker, requests and OS errors
        raise BackendUnavailable(describe_error(exc, doing)) from None


def describe_error(exc: BaseException, doing: str) -> str:
    """One line for an error of the SDK (docker.errors, requests, urllib3, OS)."""
    name = type(exc).__name__
    mod = type(exc).__module__ or ""
    text = first_line(exc)
    if name in ("ImageNotFound", "NotFound") and mod.startswith("docker"):
        return f"error: Docker: not found while {doing}: {text}"
    if name in ("ReadTimeout", "ConnectTimeout", "Timeout", "TimeoutError", "ReadTimeoutError") or \
            (name == "ConnectionError" and "timed out" in text.lower()):
        return (f"error: the Docker daemon did not answer within {client_timeout():g} s while {doing}; "
                f"if its storage is slow, raise ${ENV_TIMEOUT}")
    if name == "APIError" or (mod.startswith("docker") and "APIError" in [c.__name__ for c in type(exc).__mro__]):
        return f"error: the Docker daemon refused {doing}: {text}"
    if name == "ConnectionError" or isinstance(exc, OSError) or \
            (name == "DockerException" and "fetching server API version" in text):
        return (f"error: lost the connection to the Docker daemon while {doing} ({text}); is it running? "
                f"(DOCKER_HOST={os.environ.get('DOCKER_HOST', 'the default socket')})")
    return f"error: Docker failed while {doing}: {name}: {text}"


# --------------------------------------------------------------------------- the archive API

def tar_of(workdir: Path, names: list[str]) -> bytes:
    buf = io.BytesIO()
    uid, gid = (int(x) for x in USER.split(":"))
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in names:
            data = (workdir / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), 0o644, uid, gid
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class _Chunks(io.RawIOBase):
    """A file object over an iterator of byte chunks (the archive API's stream)."""

    def __init__(self, chunks):
        self._it = iter(chunks)
        self._buf = b""

    def readable(self):
        return True

    def readinto(self, b):
        while not self._buf:
            try:
                self._buf = next(self._it)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n], self._buf = self._buf[:n], self._buf[n:]
        return n


def read_tar(chunks, top: str | None):
    """(name, bytes) of the regular files at the top of the archive (under ``top/``)."""
    with tarfile.open(fileobj=io.BufferedReader(_Chunks(chunks)), mode="r|") as tar:
        for m in tar:
            parts = m.name.strip("/").split("/")
            if top is not None:
                if len(parts) != 2 or parts[0] != top:
                    continue
                name = parts[1]
            else:
                name = parts[-1]
            if not m.isreg() or name.startswith(".") or name in ("", "..", "."):
                continue
            f = tar.extractfile(m)
            yield name, f.read() if f else b""


def write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def signature(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns
