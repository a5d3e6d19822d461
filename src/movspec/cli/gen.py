"""CLI commands: gen (PlusCal/TLA+ modules), tlc install, tlc image, doctor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from rich.console import Console

from .common import load_or_exit, stderr_console


@click.command("gen")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "out", default="gen", show_default=True, type=click.Path(file_okay=False),
              help="Directory of the generated <Variant>.tla and <Variant>.cfg files.")
@click.option("--check", "check", is_flag=True,
              help="Write nothing; exit 1 when the directory is not what the specs produce.")
def gen_command(paths: tuple[str, ...], out: str, check: bool) -> None:
    """Generate a PlusCal module and TLC configuration for every variant.

    PATHS are .mspec files or directories (default: spec/). Each step becomes a PlusCal label
    commented with its DSL line and kernel function; the output is byte-stable, so gen/ can
    be committed and checked in CI with --check.
    """
    from ..emit import EmitError, compare_files, render_files, write_files

    err = stderr_console()
    result = load_or_exit(paths, err)
    try:
        # comments name DSL files relative to the directory holding gen/ (the project root)
        files = render_files(result.models.values(), root=str(Path(out).resolve().parent))
    except EmitError as exc:
        err.print(f"error: {exc}", highlight=False)
        sys.exit(1)
    target = Path(out)
    if check:
        rep = compare_files(files, target)
        if rep.clean:
            click.echo(f"{target}/ is up to date ({len(files)} files)")
            return
        for name in rep.missing:
            err.print(f"{target / name}: missing", highlight=False)
        for name in rep.stale:
            err.print(f"{target / name}: differs from what the specs produce", highlight=False)
        for name in rep.extra:
            err.print(f"{target / name}: generated for a variant that no longer exists", highlight=False)
        err.print(f"hint: run `movspec gen{' ' + ' '.join(paths) if paths else ''}"
                  f"{' --out ' + out if out != 'gen' else ''}` and commit {target}/", highlight=False)
        sys.exit(1)
    from ..outfile import OutputError
    try:
        rep = write_files(files, target)
    except OutputError as exc:  # one line: the path and the reason; files keep their contents
        err.print(f"error: {exc}", highlight=False)
        sys.exit(2)
    for name in rep.written:
        click.echo(f"wrote {target / name}")
    for name in rep.extra:
        click.echo(f"removed {target / name}")
    if not rep.written and not rep.extra:
        click.echo(f"{target}/ is up to date ({len(files)} files)")


@click.group("tlc")
def tlc_group() -> None:
    """Manage the TLC model checker (tla2tools.jar)."""


@tlc_group.command("install")
@click.option("--force", is_flag=True, help="Download again even if a verified jar is cached.")
def tlc_install(force: bool) -> None:
    """Download the pinned tla2tools.jar into the user cache and verify its SHA-256."""
    from ..tlc.release import InstallError, cached_jar, install, pinned

    rel = pinned()
    click.echo(f"tla2tools {rel.version} (TLC {rel.tlc_version}) from {rel.url}")
    try:
        path = install(force=force)
    except InstallError as exc:
        stderr_console().print(f"error: {exc}", highlight=False)
        sys.exit(1)
    click.echo(f"verified sha256 {rel.sha256}")
    click.echo(f"installed {path}")
    if path != cached_jar(rel):  # pragma: no cover - install returns the cache path
        click.echo(f"note: expected {cached_jar(rel)}")


from .tlcimage import image_command  # noqa: E402 - the Docker image command of the group

tlc_group.add_command(image_command)


@click.command("doctor")
@click.option("--tlc-jar", "jar", type=click.Path(dir_okay=False), default=None,
              help="A tla2tools.jar to use instead of $MOVSPEC_TLA2TOOLS or the user cache.")
def doctor_command(jar: str | None) -> None:
    """Say which TLC backends can run here, and why the others cannot."""
    from ..tlc.backend import find_jar, find_java
    from ..tlc.select import describe_backends
    from ..tlc.release import pinned, sha256_of

    out = Console(highlight=False, soft_wrap=True)
    rel = pinned()
    out.print(f"pinned release: tla2tools {rel.version} (TLC {rel.tlc_version}), sha256 {rel.sha256}")
    java, jwhy = find_java()
    if java:
        ver = _java_version(java)
        out.print(f"java: {jwhy}" + (f", {ver}" if ver else ""))
    else:
        out.print(f"java: {jwhy}")
    path, why = find_jar(jar)
    if path:
        digest = sha256_of(path)
        note = "matches the pinned release" if digest == rel.sha256 else \
            f"sha256 {digest[:16]}... is not the pinned release (results may differ from CI)"
        out.print(f"tla2tools.jar: {why}; {note}")
    else:
        out.print(f"tla2tools.jar: {why}")
    any_ok = False
    for name, ok, reason in describe_backends(jar):
        mark = "[green]available[/green]" if ok else "[red]unavailable[/red]"
        out.print(f"backend {name}: {mark}: {reason}")
        any_ok = any_ok or ok
    out.print("builtin checker: available (no TLC needed)")
    if not any_ok:
        sys.exit(1)


def _java_version(java: str) -> str | None:
    try:
        res = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (res.stderr or res.stdout).strip().splitlines()
    return first[0] if first else None


commands: list[click.Command] = [gen_command, tlc_group, doctor_command]
