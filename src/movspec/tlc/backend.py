"""Where TLC runs: one interface, two implementations.

``LocalJava`` runs ``java -cp tla2tools.jar <main> ...`` with the jar found, in order, from
``--tlc-jar``, ``$MOVSPEC_TLA2TOOLS`` or the user cache (``movspec tlc install``), and Java
from ``$JAVA_HOME`` or ``PATH``. ``DockerTLC`` (``tlc.docker``) runs the same command in a
container of the TLC image (``tlc.dockerimage``), one container per scratch directory.
``select_backend`` picks one; ``$MOVSPEC_TLC_BACKEND`` (``local``, ``docker``, ``auto``)
overrides the choice. Every "not available" answer says what
to set or install.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from .release import cached_jar, pinned

ENV_JAR = "MOVSPEC_TLA2TOOLS"
ENV_BACKEND = "MOVSPEC_TLC_BACKEND"
ENV_JAVA_OPTS = "MOVSPEC_JAVA_OPTS"


class BackendUnavailable(Exception):
    """No TLC backend can run; the message says why and what to do."""


@dataclass(frozen=True)
class RunResult:
    returncode: int
    output: str
    timed_out: bool
    seconds: float


class Backend(ABC):
    name: str

    def describe(self) -> str:
        """The runner in a few words, for the results it produced (``CheckResult.runner``)."""
        return self.name

    @abstractmethod
    def available(self) -> tuple[bool, str]:
        """(usable, a sentence saying what it uses or why it cannot run)."""

    @abstractmethod
    def run(self, main: str, args: list[str], workdir: Path, timeout: float | None = None) -> RunResult:
        """Run Java class ``main`` of tla2tools with ``args`` in ``workdir`` (paths in ``args``
        are relative to it); stdout and stderr together."""


def java_opts() -> list[str]:
    return shlex.split(os.environ.get(ENV_JAVA_OPTS, ""))


_JVM_FAILED = ("Error: Could not create the Java Virtual Machine", "Error occurred during initialization of VM")


def jvm_start_failure(output: str) -> str | None:
    """When ``output`` says the JVM itself did not start (a bad ``-Xmx``, an unknown option),
    a sentence saying so and what to change; else None."""
    if not any(m in output for m in _JVM_FAILED):
        return None
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    detail = next((l for l in lines if not l.startswith(_JVM_FAILED) and not l.startswith("Error: A fatal")), "")
    if not detail and len(lines) > 1:
        detail = lines[1]
    opts = os.environ.get(ENV_JAVA_OPTS, "")
    where = f" (${ENV_JAVA_OPTS}={opts!r})" if opts else ""
    return (f"Java could not start{where}: {detail or lines[0]}; fix or unset ${ENV_JAVA_OPTS}"
            if opts else f"Java could not start: {detail or lines[0]}")


def _die_with_parent() -> None:
    """In the child, before exec: start a session of its own (a Ctrl-C in the terminal goes to
    movspec, which stops the child itself) and, on Linux, be killed if movspec dies."""
    os.setsid()
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux, or no prctl: the parent's cleanup still runs
        pass


# --------------------------------------------------------------------------- local Java

def find_jar(explicit: str | os.PathLike | None = None) -> tuple[Path | None, str]:
    """The tla2tools.jar to use and where it came from, or None and why not."""
    for given, where in ((explicit, "--tlc-jar "), (os.environ.get(ENV_JAR), f"${ENV_JAR}=")):
        if given:
            p = Path(given).expanduser().absolute()  # TLC runs in a scratch directory
            return (p, f"{where}{p}") if p.is_file() else (None, f"{where}{p}: no such file")
    p = cached_jar()
    if p.is_file():
        return p, f"user cache {p}"
    return None, (f"no tla2tools.jar: pass --tlc-jar, set ${ENV_JAR}, or run `movspec tlc install` "
                  f"(it downloads tla2tools {pinned().version} to {p})")


def find_java() -> tuple[str | None, str]:
    home = os.environ.get("JAVA_HOME")
    if home:
        cand = Path(home) / "bin" / "java"
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand), f"$JAVA_HOME/bin/java ({cand})"
    found = shutil.which("java")
    if found:
        return found, f"java on PATH ({found})"
    return None, "no Java runtime: install Java 11 or later (e.g. openjdk-17-jre-headless) or set $JAVA_HOME"


class LocalJava(Backend):
    name = "local"

    def __init__(self, jar: str | os.PathLike | None = None, java: str | None = None):
        self._jar_arg = jar
        self._java_arg = java

    @property
    def jar(self) -> Path | None:
        return find_jar(self._jar_arg)[0]

    def describe(self) -> str:
        return f"local Java, {self.jar}"

    def available(self) -> tuple[bool, str]:
        jar, jwhy = find_jar(self._jar_arg)
        java, why = (self._java_arg, f"java {self._java_arg}") if self._java_arg else find_java()
        if jar is None:
            return False, jwhy
        if java is None:
            return False, why
        return True, f"{jwhy} with {why}"

    def command(self, main: str, args: list[str], tmpdir: str | os.PathLike | None = None) -> list[str]:
        jar, why = find_jar(self._jar_arg)
        java, jwhy = (self._java_arg, "") if self._java_arg else find_java()
        if jar is None:
            raise BackendUnavailable(why)
        if java is None:
            raise BackendUnavailable(jwhy)
        # TLC unpacks its standard modules (Integers.tla, ...) into java.io.tmpdir; a private
        # one keeps concurrent runs from reading each other's half-written copies.
        tmp = [f"-Djava.io.tmpdir={tmpdir}"] if tmpdir else []
        # -XX:-UsePerfData: no /tmp/hsperfdata_<user>/<pid> file left behind by a killed JVM
        return [java, "-XX:+UseParallelGC", "-XX:-UsePerfData", *tmp, *java_opts(), "-cp", str(jar), main, *args]

    def run(self, main: str, args: list[str], workdir: Path, timeout: float | None = None) -> RunResult:
        tmp = Path(workdir) / ".tmp"
        tmp.mkdir(exist_ok=True)
        cmd = self.command(main, args, tmp.resolve())
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        except OSError as exc:
            raise BackendUnavailable(f"could not start Java ({cmd[0]}): {exc.strerror or exc}") from None
        try:
            out, _ = proc.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill(proc)
            out, _ = proc.communicate()
            timed_out = True
        except BaseException:  # Ctrl-C, SIGTERM (raised by the CLI's handler): stop Java first
            _kill(proc)
            proc.wait()
            raise
        return RunResult(proc.returncode, out.decode("utf-8", "replace"), timed_out, time.monotonic() - t0)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------- Docker
