"""The Docker engine of the docker-marked tests (fixture ``docker_engine``, session scope).

* The daemon: the one ``$DOCKER_HOST`` (or the default socket) reaches; else, when the tests
  run as root and ``dockerd`` is installed, a private one started for the session (its own
  socket, data and exec roots in a temporary directory; overlay2; no bridge, no iptables),
  stopped by its PID at the end.
* The jar: ``$MOVSPEC_TLA2TOOLS``, which must be the pinned tla2tools.jar; the image is built
  from it as build context, so nothing is downloaded.
* The base image: ``$MOVSPEC_DOCKER_BASE`` if set; else ``local/debian-jre:bookworm``, a
  Debian bookworm with openjdk-17-jre-headless made offline with ``debootstrap`` from the
  machine's Debian mirror, cached as ``.cache/debian-jre-bookworm.rootfs.tar.gz`` and
  imported into the daemon when missing; without debootstrap, the pinned base (pulled).

The tests skip, with the reason, only when no daemon can be reached or started, or no jar is
given. At the end no TLC container may be left on the daemon.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL_BASE = "local/debian-jre:bookworm"
ROOTFS = ROOT / ".cache" / "debian-jre-bookworm.rootfs.tar.gz"


@dataclass
class Engine:
    host: str | None
    base: str | None
    jar: Path
    pid: int | None  # of the private dockerd, or None

    def api(self):
        import docker
        return docker.APIClient(base_url=self.host, timeout=120) if self.host else docker.from_env(timeout=120).api


def _ping(host: str | None) -> str | None:
    """None when a daemon answers at ``host``, else why not."""
    try:
        import docker
        client = docker.APIClient(base_url=host, timeout=10) if host else docker.from_env(timeout=10).api
        client.ping()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
        return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _start_dockerd(d: Path) -> tuple[int, str]:
    sock = f"unix://{d}/docker.sock"
    log = open(d / "dockerd.log", "wb")
    proc = subprocess.Popen(
        ["dockerd", "--host", sock, "--data-root", str(d / "root"), "--exec-root", str(d / "exec"),
         "--pidfile", str(d / "dockerd.pid"), "--storage-driver=overlay2", "--iptables=false",
         "--bridge=none", "--ip-masq=false"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    log.close()
    for _ in range(120):
        if proc.poll() is not None:
            break
        if _ping(sock) is None:
            return proc.pid, sock
        time.sleep(0.5)
    tail = (d / "dockerd.log").read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
    _stop(proc.pid)
    raise RuntimeError(f"dockerd did not start: {tail[0][:300]}")


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(60):
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            return
        time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _local_base(api) -> str | None:
    """``local/debian-jre:bookworm`` on the daemon (imported, or built with debootstrap and
    imported), or None when it cannot be made here."""
    try:
        api.inspect_image(LOCAL_BASE)
        return LOCAL_BASE
    except Exception:  # noqa: BLE001 - not there yet
        pass
    ROOTFS.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOTFS.parent / "debian-jre-bookworm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one debootstrap at a time on this machine
        if not ROOTFS.is_file():
            if not shutil.which("debootstrap") or os.geteuid() != 0:
                return None
            mirror = "http://deb.debian.org/debian"
            src = Path("/etc/apt/sources.list.d/debian.sources")
            if src.is_file():
                for line in src.read_text().splitlines():
                    if line.startswith("URIs:"):
                        mirror = line.split()[1]
                        break
            with tempfile.TemporaryDirectory(prefix="movspec-rootfs-") as tmp:
                subprocess.run(["debootstrap", "--variant=minbase", "--include=openjdk-17-jre-headless",
                                "bookworm", f"{tmp}/rootfs", mirror], check=True, capture_output=True)
                part = ROOTFS.with_suffix(".part")
                subprocess.run(f"tar -C {tmp}/rootfs -c . | gzip -1 > {part}", shell=True, check=True)
                os.replace(part, ROOTFS)
    repo, tag = LOCAL_BASE.split(":")
    api.import_image(src=str(ROOTFS), repository=repo, tag=tag)
    return LOCAL_BASE


@pytest.fixture(scope="session")
def docker_engine():
    jar = os.environ.get("MOVSPEC_TLA2TOOLS")
    if not jar or not Path(jar).is_file():
        pytest.skip("no tla2tools.jar for the TLC image: set MOVSPEC_TLA2TOOLS to the pinned jar")
    from movspec.tlc.dockerimage import JarMismatch, verified_jar
    try:
        verified_jar(jar)
    except JarMismatch as exc:
        pytest.skip(f"MOVSPEC_TLA2TOOLS: {exc}".splitlines()[0])
    try:
        import docker  # noqa: F401
    except ImportError:
        pytest.skip("the docker Python package is not installed: pip install -e '.[test]'")

    saved = {k: os.environ.get(k) for k in ("DOCKER_HOST", "MOVSPEC_DOCKER_BASE")}
    host, pid, tmp = os.environ.get("DOCKER_HOST"), None, None
    why = _ping(host)
    if why is not None:
        if os.geteuid() != 0 or not shutil.which("dockerd"):
            pytest.skip(f"no reachable Docker daemon ({why}) and none can be started here "
                        "(that needs root and dockerd: apt-get install docker.io)")
        tmp = Path(tempfile.mkdtemp(prefix="movspec-dockerd-"))
        try:
            pid, host = _start_dockerd(tmp)
        except RuntimeError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            pytest.skip(str(exc))
    engine = Engine(host, None, Path(jar), pid)
    try:
        os.environ["DOCKER_HOST"] = host or os.environ.get("DOCKER_HOST", "")
        if not os.environ["DOCKER_HOST"]:
            del os.environ["DOCKER_HOST"]
        api = engine.api()
        engine.base = os.environ.get("MOVSPEC_DOCKER_BASE") or _local_base(api)
        if engine.base:
            os.environ["MOVSPEC_DOCKER_BASE"] = engine.base
        yield engine
        left = api.containers(all=True, filters={"label": "org.movspec.role=tlc-run"})
        for c in left:
            api.remove_container(c["Id"], force=True)
        assert not left, f"TLC containers left after the tests: {[c['Names'] for c in left]}"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if pid is not None:
            _stop(pid)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
