"""CLI: ``movspec tlc image``, the TLC image of the Docker backend, and the Docker part of
``movspec doctor``."""

from __future__ import annotations

import sys

import click

from .common import stderr_console


@click.command("image")
@click.option("--jar", "jar", type=click.Path(dir_okay=False), metavar="PATH",
              help="A local tla2tools.jar, sent as build context (offline builds); its SHA-256 must "
                   "be the pinned release's. Default: the jar of $MOVSPEC_TLA2TOOLS or the user cache "
                   "when it is the pinned one, else the daemon downloads it.")
@click.option("--base", "base", metavar="IMAGE",
              help="Base image with a Java runtime (default: $MOVSPEC_DOCKER_BASE, else "
                   "eclipse-temurin:17-jre pinned by digest).")
@click.option("--force", is_flag=True, help="Build again even if a current image exists (no cache).")
@click.option("--print-dockerfile", "print_dockerfile", is_flag=True,
              help="Print the Dockerfile that would be used and exit.")
def image_command(jar: str | None, base: str | None, force: bool, print_dockerfile: bool) -> None:
    """Build the Docker image TLC runs in (the Docker backend builds it on first use)."""
    from ..tlc.backend import BackendUnavailable
    from ..tlc.docker import DockerTLC
    from ..tlc.dockerimage import JarMismatch, local_verified_jar, verified_jar

    err = stderr_console()
    backend = DockerTLC(base=base, log=click.echo)
    try:
        path = verified_jar(jar, backend.release) if jar else local_verified_jar(backend.release)[0]
    except JarMismatch as exc:
        err.print(f"error: --jar {exc}", highlight=False)
        sys.exit(2)
    if print_dockerfile:
        click.echo(backend.spec(path).dockerfile(), nl=False)
        return
    try:
        if not force:
            tag, why = backend.find_image()
            if tag:
                click.echo(f"{why}; nothing to do (--force builds it again)")
                return
        tag = backend.build(path, force=force)
    except BackendUnavailable as exc:
        err.print(str(exc) if str(exc).startswith("error:") else f"error: {exc}", highlight=False)
        sys.exit(1)
    click.echo(f"built {tag}")


def _set_tlc_memory(ctx, param, value):
    if value is None:
        return None
    from ..tlc.backend import BackendUnavailable
    from ..tlc.docker import ENV_MEMORY, parse_memory
    try:
        parse_memory(value)
    except BackendUnavailable as exc:
        raise click.BadParameter(str(exc)) from None
    import os
    os.environ[ENV_MEMORY] = value  # read by the Docker backend when it creates a container
    return value


tlc_memory_option = click.option(
    "--tlc-memory", metavar="SIZE", expose_value=False, callback=_set_tlc_memory,
    help="Docker backend: memory limit of the TLC container, e.g. 4g (else $MOVSPEC_TLC_MEMORY; "
         "default: no limit).")
