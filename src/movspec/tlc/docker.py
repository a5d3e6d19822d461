"""TLC in Docker: the ``DockerTLC`` backend.

Each scratch directory (one variant's translate and TLC runs; a refinement check has its
own) gets one long-lived container of the TLC image (``tlc.dockerimage``) running ``sleep``;
every tla2tools invocation is an ``exec`` in it. Files go in and come back through the
archive API (``put_archive``/``get_archive``), never a bind mount, so a remote
``$DOCKER_HOST`` or a docker-in-docker CI service works: before a run, the files of the
scratch directory that changed are copied in; after it, the files at the top of ``/work``
that changed come back (TLC's state directories stay in the container).

Containers carry labels (``org.movspec.role=tlc-run``, the owner's host and PID). They are
removed when their scratch directory is gone, when the backend is garbage-collected, at
exit, on SIGTERM/SIGHUP (SIGINT raises KeyboardInterrupt, which removes the running one);
containers left by a movspec that was killed are pruned at the next start.

Every failure of the daemon or the SDK (``APIError``, ``ConnectionError``, ``ReadTimeout``,
``ImageNotFound``, ...) is a ``BackendUnavailable`` with a one-line reason, which the runner
turns into an error verdict. A container killed by the kernel's OOM killer (exit 137, its
cgroup's ``oom_kill`` counter up) is reported as such, with how to raise the limit
(``--tlc-memory``/``$MOVSPEC_TLC_MEMORY``). Client calls are bounded by
``$MOVSPEC_DOCKER_TIMEOUT`` (default 120 s), the image build by
``$MOVSPEC_DOCKER_BUILD_TIMEOUT`` (default 900 s).

The docker SDK is an optional dependency (``pip install 'movspec[docker]'``), imported only
when this backend is used (``tlc.dockersdk``: the SDK seam, error wording, the tar streams);
the image itself is ``tlc.dockerimage``.
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import signal
import socket
import sys
import threading
import time
import uuid
import weakref
from pathlib import Path

from .backend import Backend, BackendUnavailable, RunResult, java_opts
from .dockerimage import (JAR_IN_IMAGE, L_BASE, L_BASE_ID, L_ROLE, L_SHA, ROLE_IMAGE, ImageSpec, by_digest,
                          chosen_base, local_verified_jar, stale_reason)
from .dockersdk import (ENV_BUILD_TIMEOUT, ENV_MEMORY, ENV_TIMEOUT, INSTALL_HINT, USER, client_timeout,
                        describe_error, env_seconds, first_line, import_sdk, mib, parse_memory, read_tar,
                        sdk_errors, signature, tar_of, write_if_changed)
from .release import Release, pinned

__all__ = ["DockerTLC", "ENV_BUILD_TIMEOUT", "ENV_MEMORY", "ENV_TIMEOUT", "INSTALL_HINT", "client_timeout",
           "describe_error", "parse_memory", "prune", "remove_all_live", "sdk_errors"]

L_OWNER = "org.movspec.owner"
L_WORKDIR = "org.movspec.workdir"
ROLE_RUN = "tlc-run"
SCRATCH = "/scratch"


# --------------------------------------------------------------------------- live containers

_LIVE: dict[str, object] = {}  # container id -> api client, for signal and exit cleanup
_LIVE_LOCK = threading.Lock()
_PREVIOUS: dict[int, object] = {}


def _remove(api, cid: str) -> bool:
    """Remove container ``cid`` (id or name); False when the daemon did not."""
    try:
        api.remove_container(cid, force=True)
        done = True
    except Exception:  # noqa: BLE001 - best effort; pruned at the next start otherwise
        done = False
    with _LIVE_LOCK:
        _LIVE.pop(cid, None)
    return done


def remove_all_live() -> None:
    with _LIVE_LOCK:
        items = list(_LIVE.items())
    for cid, api in items:
        _remove(api, cid)


def _on_signal(signum, frame):
    remove_all_live()
    prev = _PREVIOUS.get(signum, signal.SIG_DFL)
    if callable(prev):
        prev(signum, frame)
        return
    if prev == signal.SIG_IGN:
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_signal_handlers() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is None or signal.getsignal(sig) is _on_signal:
            continue
        try:
            _PREVIOUS[sig] = signal.getsignal(sig)
            signal.signal(sig, _on_signal)
        except (ValueError, OSError):  # pragma: no cover - not the main interpreter
            pass


atexit.register(remove_all_live)


def owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune(api) -> list[str]:
    """Remove TLC containers whose owner is gone: on this host, a dead PID; elsewhere, any
    that is no longer running. Returns their ids."""
    host = socket.gethostname()
    gone = []
    for c in api.containers(all=True, filters={"label": f"{L_ROLE}={ROLE_RUN}"}):
        owner = (c.get("Labels") or {}).get(L_OWNER, "")
        h, _, pid = owner.rpartition(":")
        if h == host and pid.isdigit():
            dead = int(pid) != os.getpid() and not _pid_alive(int(pid))
        else:
            dead = c.get("State") != "running"
        if dead:
            _remove(api, c["Id"])
            gone.append(c["Id"])
    return gone


# --------------------------------------------------------------------------- the backend

class _Box:
    """The container of one scratch directory."""

    def __init__(self, cid: str, workdir: Path):
        self.cid = cid
        self.workdir = workdir
        self.sent: dict[str, tuple[int, int]] = {}
        self.execs = 0
        self.oom_seen = 0


class DockerTLC(Backend):
    name = "docker"

    def __init__(self, client=None, release: Release | None = None, *, base: str | None = None,
                 memory: str | None = None, log=None):
        self._client = client
        self.release = release or pinned()
        self.base, self.base_chosen = chosen_base(base, self.release)
        self._memory = memory
        self.log = log if log is not None else _stderr_log
        self._boxes: dict[str, _Box] = {}
        self._image: str | None = None
        self._pruned = False
        self.started = 0  # containers started by this backend (one per scratch directory)
        self.execs = 0  # tla2tools invocations
        self._finalizer = weakref.finalize(self, DockerTLC._close_boxes, self._boxes, None)
        _install_signal_handlers()  # here too: runs may come from worker threads, which cannot

    # ------------------------------------------------------------------ client
    def client(self):
        if self._client is None:
            docker = import_sdk()
            with sdk_errors("connecting to the Docker daemon"):
                self._client = docker.from_env(timeout=int(client_timeout()))
        return self._client

    @property
    def api(self):
        c = self.client()
        return getattr(c, "api", c)

    @property
    def memory(self) -> int | None:
        return parse_memory(self._memory if self._memory is not None else os.environ.get(ENV_MEMORY))

    def available(self) -> tuple[bool, str]:
        try:
            with sdk_errors("connecting"):
                self.api.ping()
        except BackendUnavailable as exc:
            if str(exc) == INSTALL_HINT:
                return False, INSTALL_HINT
            cause = exc.__context__ or exc  # the SDK's error, without our wording around it
            where = os.environ.get("DOCKER_HOST") or "the default socket"
            return False, f"no reachable Docker daemon at {where} ({first_line(cause)}); start Docker or use a local jar"
        return True, f"Docker daemon, image {self.spec().tag}"

    def describe(self) -> str:
        return f"Docker, image {self._image or self.spec().tag}"

    # ------------------------------------------------------------------ image
    def spec(self, jar: Path | None = None) -> ImageSpec:
        return ImageSpec(self.release, self.base, jar)

    def _base_id(self) -> str | None:
        try:
            return self.api.inspect_image(self.base)["Id"]
        except Exception as exc:  # noqa: BLE001
            if type(exc).__name__ in ("ImageNotFound", "NotFound"):
                return None
            raise

    def find_image(self) -> tuple[str | None, str]:
        """The tag of a current image and a sentence about it, or None and what is wrong."""
        api = self.api
        spec = self.spec()
        with sdk_errors(f"inspecting the image {spec.tag}"):
            base_id = self._base_id()
            try:
                img = api.inspect_image(spec.tag)
            except Exception as exc:  # noqa: BLE001
                if type(exc).__name__ not in ("ImageNotFound", "NotFound"):
                    raise
                img = None
            if img is not None:
                why = stale_reason(img["Config"].get("Labels"), self.release, self.base, base_id)
                if why is None:
                    return spec.tag, f"image {spec.tag} is ready (base {self.base})"
                stale = f"image {spec.tag} is stale ({why})"
            else:
                stale = f"no image {spec.tag}"
            if not self.base_chosen:  # a current image built from another base (`tlc image --base`)
                for other in api.images(filters={"label": [f"{L_ROLE}={ROLE_IMAGE}", f"{L_SHA}={self.release.sha256}"]}):
                    labels = other.get("Labels") or {}
                    obase = labels.get(L_BASE)
                    tags = [t for t in other.get("RepoTags") or [] if t.startswith("movspec-tlc:")]
                    if not obase or not tags:
                        continue
                    oid = None
                    if not by_digest(obase):
                        try:
                            oid = api.inspect_image(obase)["Id"]
                        except Exception:  # noqa: BLE001 - the base is gone: the image still works
                            oid = labels.get(L_BASE_ID)
                    if stale_reason(labels, self.release, obase, oid) is None:
                        return tags[0], f"image {tags[0]} is ready (base {obase})"
        return None, stale

    def plan(self) -> str:
        """What the first run will do (for ``movspec doctor``)."""
        tag, why = self.find_image()
        if tag:
            return f"{why}; the first run starts a container of it"
        jar, jwhy = local_verified_jar(self.release)
        with sdk_errors("inspecting the base image"):
            base_here = self._base_id() is not None
        src = (f"tla2tools.jar from {jwhy} (SHA-256 verified) as build context" if jar else
               f"tla2tools.jar downloaded by the daemon from {self.release.url} (needs network access; "
               f"offline, give a local jar: {jwhy})")
        base = (f"base {self.base} (present)" if base_here else
                f"base {self.base}, pulled from its registry (needs network access; offline, build a base "
                "with a JRE and pass `movspec tlc image --base IMAGE` or set $MOVSPEC_DOCKER_BASE)")
        return f"{why}: the first run will build {self.spec().tag} from {base} with {src}"

    def build(self, jar: Path | None = None, *, force: bool = False) -> str:
        """Build the image (``jar``: a verified local jar, else the one the local backend
        would use if it is the pin's, else the URL). Streams the log to ``self.log``."""
        if jar is None:
            jar = local_verified_jar(self.release)[0]
        spec = self.spec(jar)
        api = self.api
        deadline = time.monotonic() + env_seconds(ENV_BUILD_TIMEOUT, 900.0)
        with sdk_errors(f"building the TLC image {spec.tag}"):
            base_id = self._base_id()
            self.log(f"building the TLC image {spec.tag} from {self.base} with "
                     + (f"{jar} (SHA-256 verified)" if jar else self.release.url))
            kw = spec.build_kwargs(base_id)
            if force:
                kw["nocache"] = True
            stream = api.build(**kw)
            error = None
            try:
                for chunk in stream:
                    if time.monotonic() > deadline:
                        raise BackendUnavailable(f"error: building the TLC image took longer than "
                                                 f"{env_seconds(ENV_BUILD_TIMEOUT, 900.0):g} s "
                                                 f"(${ENV_BUILD_TIMEOUT}); stopped")
                    if not isinstance(chunk, dict):
                        continue
                    if "error" in chunk:
                        error = " ".join(str(chunk["error"]).split())
                    elif chunk.get("stream", "").strip():
                        self.log(chunk["stream"].rstrip())
                    elif chunk.get("status") and not chunk.get("progress"):  # pulls: each layer's steps
                        self.log(f"{chunk.get('id', '')} {chunk['status']}".strip())
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()
        if error:
            hint = ""
            if base_id is None:
                hint = (f"; hint: the base {self.base} is not on the daemon and could not be pulled; "
                        "offline, build a base with a JRE and pass --base IMAGE (or set $MOVSPEC_DOCKER_BASE)")
            elif not jar:
                hint = ("; hint: the build downloads tla2tools.jar; offline, give a verified local jar "
                        "(`movspec tlc image --jar PATH` or $MOVSPEC_TLA2TOOLS)")
            raise BackendUnavailable(f"error: building the TLC image {spec.tag} failed: {error}{hint}")
        self._image = spec.tag
        return spec.tag

    def ensure_image(self) -> str:
        if self._image is None:
            tag, why = self.find_image()
            if tag is None:
                self.log(f"{why}: building it (first use)")
                self.build()
                tag, why = self.find_image()  # its labels, as the daemon has them
                if tag is None:
                    raise BackendUnavailable(f"error: the TLC image just built is not the pinned one: {why}")
            self._image = tag
        return self._image

    # ------------------------------------------------------------------ containers
    def _box(self, workdir: Path) -> _Box:
        key = str(workdir.resolve())
        box = self._boxes.get(key)
        if box is not None:
            return box
        api = self.api
        image = self.ensure_image()
        name = f"movspec-tlc-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        host_config = {"NetworkMode": "none"}
        mem = self.memory
        if mem:
            host_config.update(Memory=mem, MemorySwap=mem)
        _install_signal_handlers()
        try:
            with sdk_errors("creating the TLC container"):
                created = api.create_container(
                    image, command=["infinity"], entrypoint=["sleep"], name=name, user=USER,
                    working_dir="/work", labels={L_ROLE: ROLE_RUN, L_OWNER: owner_label(), L_WORKDIR: key},
                    host_config=host_config)
            cid = created["Id"]
            with _LIVE_LOCK:
                _LIVE[cid] = api
            with sdk_errors("starting the TLC container"):
                api.start(cid)
        except BackendUnavailable:
            if not _remove(api, name):  # a create that timed out may still make it: retried at exit
                with _LIVE_LOCK:
                    _LIVE[name] = api
            raise
        self.started += 1
        box = self._boxes[key] = _Box(cid, Path(key))
        return box

    def _push(self, box: _Box, workdir: Path) -> None:
        changed = []
        for p in sorted(workdir.iterdir()):
            if p.is_file() and not p.name.startswith(".") and box.sent.get(p.name) != signature(p):
                changed.append(p.name)
        if changed:
            data = tar_of(workdir, changed)
            with sdk_errors("copying the model into the TLC container"):
                self.api.put_archive(box.cid, "/work", data)
            for n in changed:
                box.sent[n] = signature(workdir / n)

    def _pull(self, box: _Box, workdir: Path) -> None:
        with sdk_errors("copying TLC's files out of the container"):
            stream, _stat = self.api.get_archive(box.cid, "/work")
            files = list(read_tar(stream, "work"))
        for name, data in files:
            write_if_changed(workdir / name, data)
            box.sent[name] = signature(workdir / name)

    def _output(self, box: _Box, n: int) -> str:
        with sdk_errors("reading TLC's output from the container"):
            stream, _stat = self.api.get_archive(box.cid, f"{SCRATCH}/out{n}")
            data = b"".join(d for _, d in read_tar(stream, None))
        return data.decode("utf-8", "replace")

    def _oom_kills(self, box: _Box) -> int:
        """The container cgroup's ``oom_kill`` counter (cgroup v1 or v2)."""
        cmd = ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events 2>/dev/null"]
        try:
            res = self.api.exec_start(self.api.exec_create(box.cid, cmd)["Id"])
        except Exception:  # noqa: BLE001
            return 0
        text = res.decode("utf-8", "replace") if isinstance(res, bytes) else str(res)
        return sum(int(m) for m in re.findall(r"^oom_kill (\d+)", text, re.M))

    def command(self, main: str, args: list[str], n: int) -> list[str]:
        java = ["java", "-XX:+UseParallelGC", "-XX:-UsePerfData", f"-Djava.io.tmpdir={SCRATCH}/tmp{n}",
                *java_opts(), "-cp", JAR_IN_IMAGE, main, *args]
        return ["sh", "-c", f"mkdir -p {SCRATCH}/tmp{n} && exec {shlex.join(java)} > {SCRATCH}/out{n} 2>&1"]

    def run(self, main: str, args: list[str], workdir: Path, timeout: float | None = None) -> RunResult:
        workdir = Path(workdir)
        self._gc()
        if not self._pruned:
            with sdk_errors("listing leftover TLC containers"):
                prune(self.api)
            self._pruned = True
        box = self._box(workdir)
        t0 = time.monotonic()
        done = False
        try:
            self._push(box, workdir)
            box.execs += 1
            self.execs += 1
            n = box.execs
            api = self.api
            with sdk_errors("starting TLC in its container"):
                eid = api.exec_create(box.cid, self.command(main, args, n), user=USER, workdir="/work")["Id"]
                api.exec_start(eid, detach=True)
            timed_out, code = False, None
            pause = 0.02
            with sdk_errors("waiting for TLC in its container"):
                while True:
                    info = api.exec_inspect(eid)
                    if not info.get("Running") and info.get("ExitCode") is not None:
                        code = int(info["ExitCode"])
                        break
                    if timeout is not None and time.monotonic() - t0 > timeout:
                        timed_out = True
                        break
                    time.sleep(pause)
                    pause = min(pause * 1.5, 0.5)
            out = self._output(box, n)
            if timed_out:
                self._discard(box)
                return RunResult(137, out, True, time.monotonic() - t0)
            if code in (137, -9):
                self._killed(box, out)
            self._pull(box, workdir)
            done = True
            return RunResult(code, out, False, time.monotonic() - t0)
        finally:
            if not done and str(box.workdir) in self._boxes:
                self._discard(box)  # an error or an interrupt: the container goes with it

    def _killed(self, box: _Box, out: str) -> None:
        kills = self._oom_kills(box)
        oom, box.oom_seen = kills > box.oom_seen, kills
        mem = self.memory
        limit = f"its limit of {mib(mem)}" if mem else "the memory Docker gives it"
        more = f"{2 * mem // 2**20}m" if mem else "8g"
        if oom:
            raise BackendUnavailable(
                f"error: TLC ran out of memory in its Docker container: the kernel killed Java (exit 137) at "
                f"{limit}; give it more with --tlc-memory {more} (or ${ENV_MEMORY}={more}), keep Java's heap "
                "below it (MOVSPEC_JAVA_OPTS=-Xmx...), or shrink the model's constants")
        raise BackendUnavailable("error: TLC was killed (SIGKILL, exit 137) in its Docker container; "
                                 "was the container stopped or the daemon restarted?")

    def _discard(self, box: _Box) -> None:
        self._boxes.pop(str(box.workdir), None)
        _remove(self.api, box.cid)

    def _gc(self) -> None:
        for key, box in list(self._boxes.items()):
            if not Path(key).is_dir():
                self._discard(box)

    def containers(self) -> list[str]:
        """Ids of the containers this backend keeps (one per live scratch directory)."""
        return [b.cid for b in self._boxes.values()]

    def close(self) -> None:
        """Remove every container of this backend."""
        for box in list(self._boxes.values()):
            self._discard(box)

    @staticmethod
    def _close_boxes(boxes: dict, _unused) -> None:
        for box in list(boxes.values()):
            with _LIVE_LOCK:
                api = _LIVE.get(box.cid)
            if api is not None:
                _remove(api, box.cid)
        boxes.clear()


def _stderr_log(line: str) -> None:
    print(f"docker: {line}", file=sys.stderr, flush=True)
