"""The pinned tla2tools release: where it comes from, where it is cached, how it is checked.

The pin (version, URL, SHA-256) lives in ``release.json`` next to this file; the Docker image
(``docker/Dockerfile``, rendered by ``dockerimage.dockerfile_text``) and ``movspec tlc install``
both read it, so they can never disagree. The jar itself is never shipped or committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Release:
    version: str
    tlc_version: str
    url: str
    sha256: str
    size: int
    java_image: str


def pinned() -> Release:
    data = json.loads(resources.files("movspec.tlc").joinpath("release.json").read_text())
    return Release(**data)


def cache_dir() -> Path:
    """``$MOVSPEC_CACHE``, else ``$XDG_CACHE_HOME/movspec``, else ``~/.cache/movspec``."""
    if os.environ.get("MOVSPEC_CACHE"):
        return Path(os.environ["MOVSPEC_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "movspec"


def cached_jar(release: Release | None = None) -> Path:
    release = release or pinned()
    return cache_dir() / f"tla2tools-{release.version}.jar"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class InstallError(Exception):
    """``movspec tlc install`` could not produce a verified jar; the message says why."""


def install(*, force: bool = False, release: Release | None = None, opener=None,
            timeout: float = 60.0) -> Path:
    """Download the pinned tla2tools.jar into the user cache and verify its SHA-256.

    Returns the path of the verified jar. A jar already cached with the right checksum is kept
    unless ``force``. Nothing is left behind when the download fails or does not verify."""
    release = release or pinned()
    opener = opener or urllib.request.urlopen
    target = cached_jar(release)
    if target.exists() and not force:
        if sha256_of(target) == release.sha256:
            return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="tla2tools-", suffix=".part", dir=target.parent)
    try:
        try:
            with os.fdopen(fd, "wb") as out, opener(release.url, timeout=timeout) as resp:
                while True:
                    chunk = resp.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InstallError(
                f"could not download tla2tools {release.version} from {release.url}: {reason}\n"
                "hint: this machine may be offline. Download the jar elsewhere, then point movspec "
                "at it with --tlc-jar or MOVSPEC_TLA2TOOLS, or copy it to "
                f"{target} (its SHA-256 must be {release.sha256})") from None
        digest = sha256_of(Path(tmp))
        if digest != release.sha256:
            raise InstallError(
                f"checksum mismatch for {release.url}: got {digest}, expected {release.sha256}\n"
                "hint: the download was corrupted or the release asset changed; nothing was installed")
        os.replace(tmp, target)
        tmp = None
        return target
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)

