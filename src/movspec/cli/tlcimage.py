"""CLI: ``movspec tlc image``, the TLC image of the Docker backend, and the Docker part of
``movspec doctor``."""

from __future__ import annotations


import click

from .common import exit_status
from .jsonmode import JsonCommand, fail, print_json


@click.command("image", cls=JsonCommand, epilog=exit_status(
    "built (or a current image is there)", "Docker cannot build it (no daemon, a failed build)").replace(
        "an output that cannot be written", "a --jar that is not the pinned release"))
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
@click.option("--json", "as_json", is_flag=True,
              help="Print the image (or, with --print-dockerfile, the Dockerfile) as JSON on stdout, the "
                   "build log on stderr; errors too.")
def image_command(jar: str | None, base: str | None, force: bool, print_dockerfile: bool, as_json: bool) -> None:
    """Build the Docker image TLC runs in (the Docker backend builds it on first use)."""
    from ..tlc.backend import BackendUnavailable
    from ..tlc.docker import DockerTLC
    from ..tlc.dockerimage import JarMismatch, local_verified_jar, verified_jar

    log = (lambda line: click.echo(line, err=True)) if as_json else click.echo
    backend = DockerTLC(base=base, log=log)
    try:
        path = verified_jar(jar, backend.release) if jar else local_verified_jar(backend.release)[0]
    except JarMismatch as exc:
        fail(f"--jar {exc}", status=2)
    if print_dockerfile:
        spec = backend.spec(path)
        if as_json:
            print_json({"ok": True, "tag": spec.tag, "base": spec.base, "jar": str(path) if path else None,
                        "dockerfile": spec.dockerfile()})
            return
        click.echo(spec.dockerfile(), nl=False)
        return
    try:
        built, why = False, None
        tag = None
        if not force:
            tag, why = backend.find_image()
        if not tag:
            tag, built = backend.build(path, force=force), True
    except BackendUnavailable as exc:
        text = str(exc)
        fail(text[len("error: "):] if text.startswith("error: ") else text, status=1, code="docker")
    if as_json:
        print_json({"ok": True, "tag": tag, "built": built, "reason": why})
    elif built:
        click.echo(f"built {tag}")
    else:
        click.echo(f"{why}; nothing to do (--force builds it again)")


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
