"""CLI commands: gen (PlusCal/TLA+ modules), tlc install, tlc image, doctor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from rich.console import Console

from .common import exit_status, load_or_exit, stderr_console
from .jsonmode import JsonCommand, JsonGroup, fail, print_json
from .sizes import const_options


@click.command("gen", cls=JsonCommand, epilog=exit_status("the files were written (with --check: are up to date)",
                                                       "the model has errors (with --check: gen/ is stale)"))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "-o", "out", default="gen", show_default=True, type=click.Path(file_okay=False),
              help="Directory of the generated <Variant>.tla and <Variant>.cfg files.")
@click.option("--check", "check", is_flag=True,
              help="Write nothing; exit 1 when the directory is not what the specs produce.")
@const_options(sweep=False)
@click.option("--json", "as_json", is_flag=True,
              help="Print what was written (with --check: what is stale) as JSON on stdout; errors too.")
def gen_command(paths: tuple[str, ...], out: str, check: bool, consts, as_json: bool) -> None:
    """Generate a PlusCal module and TLC configuration for every variant.

    PATHS are .mspec files or directories (default: spec/). Each step becomes a PlusCal label
    commented with its DSL line and kernel function; the output is byte-stable, so gen/ can
    be committed and checked in CI with --check. With --const, the modules are those of the
    given sizes (as `check --const` checks them): write them to another --out than gen/.
    """
    from ..emit import EmitError, compare_files, render_files, write_files

    err = stderr_console()
    result = load_or_exit(paths, err, consts=consts)
    try:
        # comments name DSL files relative to the directory holding gen/ (the project root)
        files = render_files(result.models.values(), root=str(Path(out).resolve().parent))
    except EmitError as exc:
        fail(str(exc), status=1, code="emit")
    target = Path(out)
    hint = (f"run `movspec gen{' ' + ' '.join(paths) if paths else ''}"
            f"{' --out ' + out if out != 'gen' else ''}` and commit {target}/")
    if check:
        rep = compare_files(files, target)
        if as_json:
            _gen_json(target, True, result.models, rep, files, hint if not rep.clean else None)
            sys.exit(0 if rep.clean else 1)
        if rep.clean:
            click.echo(f"{target}/ is up to date ({len(files)} files)")
            return
        for name in rep.missing:
            err.print(f"{target / name}: missing", highlight=False)
        for name in rep.stale:
            err.print(f"{target / name}: differs from what the specs produce", highlight=False)
        for name in rep.extra:
            err.print(f"{target / name}: generated for a variant that no longer exists", highlight=False)
        err.print(f"hint: {hint}", highlight=False)
        sys.exit(1)
    from ..outfile import OutputError
    try:
        rep = write_files(files, target)
    except OutputError as exc:  # one line: the path and the reason; files keep their contents
        fail(str(exc), status=2, code="output")
    if as_json:
        _gen_json(target, False, result.models, rep, files, None)
        return
    for name in rep.written:
        click.echo(f"wrote {target / name}")
    for name in rep.extra:
        click.echo(f"removed {target / name}")
    if not rep.written and not rep.extra:
        click.echo(f"{target}/ is up to date ({len(files)} files)")


def _gen_json(target: Path, check: bool, models, rep, files, hint: str | None) -> None:
    """``gen --json``: each file the specs produce, and each one left over, with its status."""
    status = {**{n: "unchanged" for n in files}, **{n: "missing" for n in rep.missing},
              **{n: "stale" for n in rep.stale}}
    if not check:  # written: created or changed; an extra file was removed
        status.update({n: "written" for n in rep.written})
    rows = [{"name": n, "path": str(target / n), "status": status[n]} for n in sorted(files)]
    rows += [{"name": n, "path": str(target / n), "status": "extra" if check else "removed"} for n in rep.extra]
    print_json({"ok": not check or rep.clean, "check": check, "out": str(target), "variants": list(models),
                "files": rows, "hint": hint})


@click.group("tlc", cls=JsonGroup)
def tlc_group() -> None:
    """Manage the TLC model checker (tla2tools.jar)."""


@tlc_group.command("install", cls=JsonCommand, epilog=exit_status(
    "installed (or already there, verified)", "the download or the check of its SHA-256 failed"))
@click.option("--force", is_flag=True, help="Download again even if a verified jar is cached.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the release and the installed jar's path as JSON on stdout; errors too.")
def tlc_install(force: bool, as_json: bool) -> None:
    """Download the pinned tla2tools.jar into the user cache and verify its SHA-256."""
    from ..tlc.release import InstallError, cached_jar, install, pinned

    rel = pinned()
    if not as_json:
        click.echo(f"tla2tools {rel.version} (TLC {rel.tlc_version}) from {rel.url}")
    try:
        path = install(force=force)
    except InstallError as exc:
        fail(str(exc), status=1, code="install")
    if as_json:
        print_json({"ok": True, "version": rel.version, "tlc_version": rel.tlc_version, "url": rel.url,
                    "sha256": rel.sha256, "path": str(path)})
        return
    click.echo(f"verified sha256 {rel.sha256}")
    click.echo(f"installed {path}")
    if path != cached_jar(rel):  # pragma: no cover - install returns the cache path
        click.echo(f"note: expected {cached_jar(rel)}")


from .tlcimage import image_command  # noqa: E402 - the Docker image command of the group

tlc_group.add_command(image_command)


_PROBE = """model probe "two processes take turns on a lock"
const Procs = {P1, P2}
var locked: bool = false
var inside: 0..2 = 0
actor worker(self in Procs) {
    step take {
        await !locked
        locked = true
        inside += 1
    }
    step give {
        inside -= 1
        locked = false
    }
}
invariant Mutex "at most one process holds the lock": inside <= 1
variant base "the probe"
expect base holds all
"""


def _probe_builtin() -> tuple[bool, str]:
    """Check a two-process model with the builtin checker: whether it works, and how it went."""
    from ..api import check_builtin
    from ..expect import mismatches
    from ..load import load_text

    loaded = load_text(_PROBE, "<doctor probe>")
    if not loaded.ok:  # pragma: no cover - the probe is part of the program
        return False, "; ".join(d.message for d in loaded.errors)
    model = loaded.models["base"]
    try:
        res = check_builtin(model)
    except Exception as exc:  # noqa: BLE001 - doctor reports whatever goes wrong
        return False, f"the probe model could not be checked: {type(exc).__name__}: {exc}"
    bad = mismatches(res, model)
    if bad or not res.complete:
        return False, f"the probe model gave wrong verdicts: {'; '.join(m.message for m in bad) or res.reason}"
    return True, f"checked a probe model ({res.stats.distinct} states, {res.stats.seconds * 1000:.0f} ms)"


TLC_ADDS = ("TLC would add a second, independent checker: `--backend tlc` checks the generated "
            "PlusCal/TLA+ with the reference tool, `--backend both` cross-checks every verdict")


@click.command("doctor", cls=JsonCommand, epilog=exit_status("the builtin checker works (TLC is optional)",
                                            "the builtin checker does not work here"))
@click.option("--tlc-jar", "jar", type=click.Path(dir_okay=False), default=None,
              help="A tla2tools.jar to use instead of $MOVSPEC_TLA2TOOLS or the user cache.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
def doctor_command(jar: str | None, as_json: bool) -> None:
    """Say whether the builtin checker works here, which TLC backends can run, and why the
    others cannot."""
    from ..tlc.backend import find_jar, find_java
    from ..tlc.select import describe_backends
    from ..tlc.release import pinned, sha256_of

    out = Console(highlight=False, soft_wrap=True, stderr=as_json)
    doc: dict = {}
    builtin_ok, builtin_how = _probe_builtin()
    doc["builtin"] = {"available": builtin_ok, "reason": builtin_how}
    rel = pinned()
    doc["pinned"] = {"version": rel.version, "tlc_version": rel.tlc_version, "sha256": rel.sha256}
    java, jwhy = find_java()
    ver = _java_version(java) if java else None
    doc["java"] = {"path": java, "reason": jwhy, "version": ver}
    path, why = find_jar(jar)
    note = None
    if path:
        digest = sha256_of(path)
        note = "matches the pinned release" if digest == rel.sha256 else \
            f"sha256 {digest[:16]}... is not the pinned release (results may differ from CI)"
    doc["jar"] = {"path": str(path) if path else None, "reason": why, "pinned": note == "matches the pinned release"}
    backends = describe_backends(jar)
    doc["tlc_backends"] = [{"name": n, "available": ok, "reason": r} for n, ok, r in backends]
    any_tlc = any(ok for _, ok, _ in backends)
    doc["ok"] = builtin_ok
    if as_json:
        print_json(doc)
        sys.exit(0 if builtin_ok else 1)
    mark = "[green]available[/green]" if builtin_ok else "[red]NOT WORKING[/red]"
    out.print(f"builtin checker: {mark}: {builtin_how} (no TLC needed)")
    out.print(f"pinned release: tla2tools {rel.version} (TLC {rel.tlc_version}), sha256 {rel.sha256}")
    out.print(f"java: {jwhy}" + (f", {ver}" if ver else ""))
    out.print(f"tla2tools.jar: {why}" + (f"; {note}" if note else ""))
    for name, ok, reason in backends:
        mark = "[green]available[/green]" if ok else "[red]unavailable[/red]"
        out.print(f"backend {name}: {mark}: {reason}")
    if any_tlc:
        out.print(f"TLC: ready. {TLC_ADDS}.")
    else:
        out.print(f"TLC: not set up (optional). {TLC_ADDS}; set it up with `movspec tlc install` "
                  "(needs Java) or a Docker daemon.")
    if not builtin_ok:
        sys.exit(1)


def _java_version(java: str) -> str | None:
    try:
        res = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (res.stderr or res.stdout).strip().splitlines()
    return first[0] if first else None


commands: list[click.Command] = [gen_command, tlc_group, doctor_command]
