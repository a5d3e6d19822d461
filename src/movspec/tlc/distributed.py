"""TLC's distributed mode: one ``tlc2.tool.distributed.TLCServer`` and ``TLCWorker`` JVMs
that join it over Java RMI, for state spaces that outgrow one machine.

``run_distributed(backend, args, workdir, timeout, dist)`` runs one TLC run that way and
returns the server's output as a ``RunResult``, like ``LocalJava.run`` does for ``tlc2.TLC``:

* the server's RMI registry listens on ``dist.port`` (a free port chosen per run when none
  is given; TLC's own default is 10997), and advertises ``dist.host`` (``java.rmi.server.hostname``:
  the address a worker calls back; loopback for local workers);
* once the server prints that it is ready (message 7000, after SANY and the initial states),
  ``dist.workers`` local ``TLCWorker`` JVMs are started (``dist.threads`` threads each),
  their output kept next to the run (``run<N>.worker<i>.out``); remote workers join by
  themselves (``join_command``); a worker joining late only finds less work left;
* a worker that dies is TLC's business: the server puts its block of states back in the
  queue and the others go on. When every local worker has ended and the server is still
  running with none expected from elsewhere, nothing would ever finish the run: the server
  is stopped and the run fails with the workers' last lines (``WorkersLost``);
* every JVM (server and workers) runs in a process group of its own, is killed with the
  parent (``PR_SET_PDEATHSIG``), and is killed at the end of the run, on the timeout, and on
  KeyboardInterrupt/SIGTERM (the CLI turns SIGTERM into one), as ``LocalJava.run`` does.

What TLC 2.18 (tla2tools 2023-03-20) does in this mode, as observed here, and what
``tlc.session`` makes of it: the server accepts ``-tool -config -metadir -deadlock`` (not
``-workers``, ``-continue``; ``-coverage`` is ignored with a warning); it checks invariants,
``Assert`` and deadlock but not temporal properties (a ``PROPERTIES`` line is silently
ignored) and not ``TLCGet``/``TLCSet``; when a worker finds a violation, the server prints
neither which property failed nor the path to it (the parent of the violating state comes
out as if it were initial). Its distinct-state count is exact; its depth is the level of the
last state it wrote, which can be below the breadth-first depth (14 against 15 on a model of
192 states, varying from run to run); its states-generated count is counted its own way
(662 against 488 on the same model).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .backend import BackendUnavailable, LocalJava, RunResult, _die_with_parent, _kill

SERVER = "tlc2.tool.distributed.TLCServer"
WORKER = "tlc2.tool.distributed.TLCWorker"
PORT_PROPERTY = "tlc2.tool.distributed.TLCServer.port"
THREADS_PROPERTY = "tlc2.tool.distributed.TLCWorker.threadCount"
DEFAULT_PORT = 10997  # TLC's own default
READY = "@!@!@STARTMSG 7000:"  # TLC_DISTRIBUTED_SERVER_RUNNING
REGISTERED = "@!@!@STARTMSG 7001:"  # TLC_DISTRIBUTED_WORKER_REGISTERED
WORKER_STATS = "@!@!@STARTMSG 7003:"  # printed per worker once the search is over
LOOPBACK = "127.0.0.1"
# TLCWorker reads its RMI port through sun.rmi internals; without these it calls every worker
# "port 0" (Java 17: "VM does not allow to get the UnicastRef port"), harmless but confusing
_OPENS = ["--add-opens", "java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-opens", "java.rmi/sun.rmi.transport=ALL-UNNAMED"]
_GRACE = 3.0  # seconds the server may outlive its last local worker before the run is given up
_PORT_TRIES = 3


class WorkersLost(Exception):
    """Every local worker ended while the server still had work and none can join."""


@dataclass(frozen=True)
class Distributed:
    """How to run TLC distributed: ``workers`` local worker JVMs (0: remote ones only) of
    ``threads`` threads each; the server reachable at ``host`` on ``port`` (None: a free
    port per run, for local workers only)."""

    workers: int = 2
    host: str = LOOPBACK
    port: int | None = None
    threads: int = 1

    @property
    def remote(self) -> bool:
        """Whether workers from other hosts are expected (the server is not on loopback)."""
        return not is_loopback(self.host)

    def check(self) -> None:
        """Raise ``ValueError`` for settings with which no worker could ever join."""
        if self.workers < 0 or self.threads < 1:
            raise ValueError("the worker and thread counts must be at least 0 and 1")
        if self.workers == 0 and not self.remote:
            raise ValueError("no local worker and a loopback server: no worker could join "
                             "(give local workers, or the host name remote workers reach this machine at)")
        if self.remote and self.port is None:
            raise ValueError("remote workers need a fixed port")
        if self.port is not None and not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} is out of range")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port free now (another program may take it before TLC does: see ``_bind_failed``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host if is_loopback(host) else "", 0))
        return s.getsockname()[1]


def join_command(dist: Distributed, jar: str = "tla2tools.jar", worker_host: str = "<this-worker's-address>") -> str:
    """The command line a worker on another host joins the server with."""
    port = dist.port or DEFAULT_PORT
    return (f"java -Djava.rmi.server.hostname={worker_host} -D{PORT_PROPERTY}={port} "
            f"-D{THREADS_PROPERTY}={dist.threads} -cp {jar} {WORKER} {dist.host}")


def _jvm(be: LocalJava, main: str, args: list[str], tmp: Path, props: list[str]) -> list[str]:
    cmd = be.command(main, args, tmp)
    at = cmd.index("-cp")
    return cmd[:at] + _OPENS + props + cmd[at:]


def _bind_failed(output: str) -> bool:
    return "ExportException" in output and ("Port already in use" in output or "Address already in use" in output)


class _Reader(threading.Thread):
    """Collects a process's output and notes when the server is ready."""

    def __init__(self, proc: subprocess.Popen):
        super().__init__(daemon=True)
        self.proc, self.chunks, self.ready = proc, [], threading.Event()
        self.finishing = threading.Event()  # the search is over: the server dismisses its workers

    def run(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace")
            self.chunks.append(line)
            if line.startswith(READY):
                self.ready.set()
            elif line.startswith(WORKER_STATS):
                self.finishing.set()

    def text(self) -> str:
        return "".join(self.chunks)


def run_distributed(be: LocalJava, args: list[str], workdir: Path, timeout: float | None,
                    dist: Distributed, name: str = "run") -> RunResult:
    """One TLC run by a TLCServer and its workers (see the module docstring). ``args`` are
    the server's (``-tool -config ... module.tla``); ``name`` prefixes the workers' output
    files. Raises ``WorkersLost``, ``BackendUnavailable`` (no Java), KeyboardInterrupt."""
    if not isinstance(be, LocalJava):
        raise BackendUnavailable("TLC's distributed mode runs with local Java only (--tlc-jar or "
                                 "$MOVSPEC_TLA2TOOLS), not in Docker")
    t0 = time.monotonic()
    for attempt in range(_PORT_TRIES):
        port = dist.port or free_port(dist.host)
        res = _attempt(be, args, workdir, timeout, dist, port, name, t0)
        if not (dist.port is None and res.returncode != 0 and _bind_failed(res.output)) or attempt == _PORT_TRIES - 1:
            return res
    raise AssertionError("unreachable")


def _attempt(be: LocalJava, args, workdir: Path, timeout, dist: Distributed, port: int, name: str,
             t0: float) -> RunResult:
    tmp = Path(workdir) / ".tmp"
    tmp.mkdir(exist_ok=True)
    props = [f"-Djava.rmi.server.hostname={dist.host}", f"-D{PORT_PROPERTY}={port}"]
    server_cmd = _jvm(be, SERVER, args, tmp.resolve(), props)
    # a local worker looks the server up where it advertises itself, and is called back on loopback
    worker_cmd = _jvm(be, WORKER, [dist.host], tmp.resolve(),
                      [f"-Djava.rmi.server.hostname={LOOPBACK}",
                       f"-D{PORT_PROPERTY}={port}", f"-D{THREADS_PROPERTY}={dist.threads}"])
    procs: list[subprocess.Popen] = []
    files = []

    def start(cmd, out):
        try:
            p = subprocess.Popen(cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        except OSError as exc:
            raise BackendUnavailable(f"could not start Java ({cmd[0]}): {exc.strerror or exc}") from None
        procs.append(p)
        return p

    deadline = None if timeout is None else t0 + timeout
    timed_out = False
    try:
        server = start(server_cmd, subprocess.PIPE)
        reader = _Reader(server)
        reader.start()
        workers: list[subprocess.Popen] = []
        started, lost_since = False, None
        while server.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                timed_out = True
                break
            if not started:
                if reader.ready.wait(0.1):
                    started = True
                    for i in range(dist.workers):
                        f = open(Path(workdir) / f"{name}.worker{i + 1}.out", "wb")
                        files.append(f)
                        workers.append(start(worker_cmd, f))
                continue
            time.sleep(0.1)
            if dist.remote or reader.finishing.is_set() or any(w.poll() is None for w in workers):
                continue
            # every local worker is gone while the search goes on: none will finish it
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > _GRACE and not reader.finishing.is_set() and server.poll() is None:
                raise WorkersLost(_lost_message(workdir, name, workers))
    finally:
        for p in procs:
            if p.poll() is None:
                _kill(p)
        for p in procs:
            p.wait()
        for f in files:
            f.close()
    reader.join(5)
    return RunResult(server.returncode, reader.text(), timed_out, time.monotonic() - t0)


def _lost_message(workdir: Path, name: str, workers) -> str:
    parts = []
    for i, w in enumerate(workers, 1):
        path = Path(workdir) / f"{name}.worker{i}.out"
        try:
            lines = [l for l in path.read_text(errors="replace").splitlines() if l.strip()]
        except OSError:
            lines = []
        tail = lines[-1].strip() if lines else "no output"
        parts.append(f"worker {i} exited with code {w.returncode}: {tail}")
    return ("every TLC worker stopped before the server finished; " + "; ".join(parts))


def registered_workers(output: str) -> int:
    """How many worker threads registered with the server in a run's output."""
    return sum(1 for l in output.splitlines() if l.startswith(REGISTERED))
