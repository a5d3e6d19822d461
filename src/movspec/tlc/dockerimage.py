"""The TLC image of the Docker backend: its Dockerfile, its build context, its labels, and
whether an image on the daemon is the one the pin describes.

The image is a Java runtime (the *base*) plus the pinned tla2tools.jar, checked against its
SHA-256 inside the build. The base is ``eclipse-temurin:17-jre`` pinned by the digest of its
multi-platform index (``java_image`` of ``release.json``), or any local image with a JRE the user names (``--base`` of
``movspec tlc image``, ``$MOVSPEC_DOCKER_BASE``). The jar comes from one of two places:

* a local jar (``--jar``, ``$MOVSPEC_TLA2TOOLS``, the user cache) whose SHA-256 is the pin's:
  it is sent as the build context next to the Dockerfile and ``COPY``-ed; nothing is
  downloaded, so this works offline and behind a proxy (``docker/Dockerfile.local``);
* otherwise the release URL, fetched by the daemon (``ADD``; ``docker/Dockerfile``).

Both recipes give the same image. Every image carries labels: the tla2tools version and
SHA-256 (in the Dockerfile), the *recipe* digest (the context Dockerfile and the base
reference), the base reference and the base's image ID at build time. An image is current
when its tla2tools SHA-256 is the pin's, its recipe is what this version of movspec would
build, and, for a base named by tag, the base still has the same ID; otherwise it is rebuilt.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

from .backend import find_jar
from .release import Release, pinned, sha256_of

ENV_BASE = "MOVSPEC_DOCKER_BASE"

JAR_IN_IMAGE = "/opt/tla2tools/tla2tools.jar"
L_ROLE = "org.movspec.role"
ROLE_IMAGE = "tlc-image"
L_VERSION = "org.movspec.tla2tools.version"
L_SHA = "org.movspec.tla2tools.sha256"
L_RECIPE = "org.movspec.recipe"
L_BASE = "org.movspec.base"
L_BASE_ID = "org.movspec.base-id"


def dockerfile_text(release: Release | None = None, *, source: str = "url") -> str:
    """The Dockerfile of the TLC image. ``source`` is ``url`` (the daemon downloads the jar;
    committed as ``docker/Dockerfile``) or ``context`` (the jar is in the build context;
    ``docker/Dockerfile.local``). The base is the build argument ``BASE``."""
    r = release or pinned()
    if source == "url":
        fetch = f"ADD {r.url} {JAR_IN_IMAGE}"
        how = ("the daemon downloads tla2tools.jar from its release URL:\n"
               "#   docker build -t movspec-tlc docker/")
    elif source == "context":
        fetch = f"COPY tla2tools.jar {JAR_IN_IMAGE}"
        how = ("tla2tools.jar comes from the build context (offline builds):\n"
               "#   docker build -t movspec-tlc -f docker/Dockerfile.local "
               "--build-arg BASE=IMAGE DIR_WITH_THE_JAR")
    else:
        raise ValueError(f"unknown jar source {source!r}")
    return f"""\
# TLC for movspec: a Java runtime and the official tla2tools.jar, pinned by version and
# SHA-256, the base image pinned by digest. Generated from src/movspec/tlc/release.json
# (movspec.tlc.dockerimage.dockerfile_text); `movspec tlc image` builds it, and the Docker
# backend builds it on first use. Here {how}
ARG BASE={r.java_image}
FROM ${{BASE}}
ARG TLA2TOOLS_VERSION={r.version}
ARG TLA2TOOLS_SHA256={r.sha256}
{fetch}
RUN echo "${{TLA2TOOLS_SHA256}}  {JAR_IN_IMAGE}" | sha256sum -c - \\
 && chmod 0644 {JAR_IN_IMAGE} \\
 && mkdir -p /work /scratch && chmod 1777 /work /scratch
LABEL {L_VERSION}="{r.version}" {L_SHA}="{r.sha256}"
WORKDIR /work
ENTRYPOINT ["java", "-XX:+UseParallelGC", "-cp", "{JAR_IN_IMAGE}"]
"""


def chosen_base(base: str | None = None, release: Release | None = None) -> tuple[str, bool]:
    """The base image and whether the user chose it (argument, then ``$MOVSPEC_DOCKER_BASE``;
    else the pinned one)."""
    if base:
        return base, True
    env = os.environ.get(ENV_BASE)
    if env:
        return env, True
    return (release or pinned()).java_image, False


def by_digest(ref: str) -> bool:
    return "@sha256:" in ref


def recipe_digest(base: str, release: Release | None = None) -> str:
    """What identifies an image: the recipe (context Dockerfile) and the base reference."""
    text = dockerfile_text(release, source="context") + f"\nBASE={base}\n"
    return hashlib.sha256(text.encode()).hexdigest()


def image_tag(release: Release | None = None, base: str | None = None) -> str:
    r = release or pinned()
    return f"movspec-tlc:{r.version}-{recipe_digest(base or chosen_base(None, r)[0], r)[:12]}"


class JarMismatch(Exception):
    """A jar given for the image is not the pinned release."""


def verified_jar(path: str | os.PathLike, release: Release | None = None) -> Path:
    """``path`` if it is the pinned tla2tools.jar (by SHA-256), else ``JarMismatch``."""
    r = release or pinned()
    p = Path(path).expanduser()
    if not p.is_file():
        raise JarMismatch(f"{p}: no such file")
    digest = sha256_of(p)
    if digest != r.sha256:
        raise JarMismatch(f"{p} is not tla2tools {r.version}: its SHA-256 is {digest}, the pin is {r.sha256}\n"
                          f"hint: use the jar from {r.url} (or `movspec tlc install`)")
    return p


def local_verified_jar(release: Release | None = None) -> tuple[Path | None, str]:
    """The jar the local backend would use, if it is the pinned release, and where it is from."""
    path, why = find_jar(None)
    if path is None:
        return None, why
    try:
        return verified_jar(path, release), why
    except JarMismatch:
        return None, f"{why} is not the pinned release"


@dataclass(frozen=True)
class ImageSpec:
    """One image to build: the release, the base, and a verified local jar (or None: URL)."""
    release: Release
    base: str
    jar: Path | None = None

    @property
    def tag(self) -> str:
        return image_tag(self.release, self.base)

    @property
    def recipe(self) -> str:
        return recipe_digest(self.base, self.release)

    def dockerfile(self) -> str:
        return dockerfile_text(self.release, source="context" if self.jar else "url")

    def context(self) -> io.BytesIO:
        """The build context: a tar with the Dockerfile, and the jar when it is local."""
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            data = self.dockerfile().encode()
            info = tarfile.TarInfo("Dockerfile")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
            if self.jar:
                tar.add(str(self.jar), arcname="tla2tools.jar", recursive=False)
        buf.seek(0)
        return buf

    def labels(self, base_id: str | None) -> dict[str, str]:
        return {L_ROLE: ROLE_IMAGE, L_RECIPE: self.recipe, L_BASE: self.base, L_BASE_ID: base_id or ""}

    def build_kwargs(self, base_id: str | None) -> dict:
        """Arguments of the SDK's low-level ``build`` for this image."""
        return {"fileobj": self.context(), "custom_context": True, "tag": self.tag, "rm": True,
                "forcerm": True, "pull": False, "decode": True, "buildargs": {"BASE": self.base},
                "labels": self.labels(base_id)}


def stale_reason(labels: dict | None, release: Release, base: str, base_id: str | None) -> str | None:
    """Why an image with these labels is not the one to use (None: it is current)."""
    labels = labels or {}
    if labels.get(L_SHA) != release.sha256:
        return (f"its tla2tools SHA-256 label is {labels.get(L_SHA) or 'missing'}, "
                f"the pin is {release.sha256}")
    if labels.get(L_RECIPE) != recipe_digest(base, release):
        return "it was built from another Dockerfile or base"
    if not by_digest(base) and base_id and labels.get(L_BASE_ID) and labels[L_BASE_ID] != base_id:
        return f"its base {base} has changed since"
    return None
