"""The Docker backend against a real daemon (fixture ``docker_engine`` in conftest.py: a
private dockerd started for the session when none is reachable): the image built offline
from the local jar and base, checks equal to local Java's, one container per variant, files
through the archive API, OOM, timeouts, a container removed mid-run, signals, and pruning of
what a killed movspec leaves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.tlc import check_model
from movspec.tlc.backend import LocalJava
from movspec.tlc.docker import DockerTLC
from movspec.tlc.dockerimage import L_BASE, L_RECIPE, L_SHA, image_tag
from movspec.tlc.release import pinned
from tests.emit import handmade

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("docker_engine")]

# a state space TLC needs minutes for: the runs the signal tests interrupt
LONG = textwrap.dedent("""\
    ---- MODULE Long ----
    EXTENDS Naturals
    VARIABLES x, y
    Init == x = 0 /\\ y = 0
    Next == \\/ x < 100000 /\\ x' = x + 1 /\\ UNCHANGED y
            \\/ y < 100000 /\\ y' = y + 1 /\\ UNCHANGED x
    ====
    """)


def _ours(api, pid: int | None = None) -> list[dict]:
    label = ["org.movspec.role=tlc-run"]
    if pid is not None:
        label.append(f"org.movspec.owner={socket.gethostname()}:{pid}")
    return api.containers(all=True, filters={"label": label})


@pytest.fixture(scope="module")
def image(docker_engine):
    """The TLC image, built once by `movspec tlc image --jar --base` (the offline path)."""
    args = ["tlc", "image", "--jar", str(docker_engine.jar)]
    if docker_engine.base:
        args += ["--base", docker_engine.base]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    tag = image_tag(base=docker_engine.base or pinned().java_image)
    assert f"built {tag}" in res.output or f"image {tag} is ready" in res.output, res.output
    return tag


@pytest.fixture
def backend(image):
    d = DockerTLC(log=lambda line: None)
    yield d
    d.close()


def test_image_labels_and_reuse(docker_engine, image):
    api = docker_engine.api()
    labels = api.inspect_image(image)["Config"]["Labels"]
    assert labels[L_SHA] == pinned().sha256
    assert labels[L_BASE] == (docker_engine.base or pinned().java_image)
    assert len(labels[L_RECIPE]) == 64
    lines = []
    d = DockerTLC(log=lines.append)
    assert d.ensure_image() == image and lines == []  # current: not rebuilt
    res = CliRunner().invoke(cli, ["doctor"])
    assert f"backend docker: available: image {image} is ready" in res.output, res.output


def test_check_in_docker_equals_local_java(backend, docker_engine):
    model = handmade.model("nolock")
    res = check_model(model, backend=backend)
    assert res.error is None, res.error
    assert res.verdict("NoUseAfterUnload").value == "violated"
    assert res.verdict("FreeHygiene").value == "holds"
    assert (res.stats.distinct, res.stats.depth) == (192, 15)
    # one container for the variant's translate and TLC runs, no bind mount
    assert backend.started == 1 and backend.execs >= 3
    (cid,) = backend.containers()
    info = docker_engine.api().inspect_container(cid)
    assert info["Mounts"] == [] and not info["HostConfig"].get("Binds")
    loc = check_model(model, backend=LocalJava(docker_engine.jar))
    assert [(p.name, p.verdict, p.message) for p in loc.properties] == \
           [(p.name, p.verdict, p.message) for p in res.properties]
    assert (loc.stats.generated, loc.stats.distinct, loc.stats.depth) == \
           (res.stats.generated, res.stats.distinct, res.stats.depth)
    assert loc.coverage == res.coverage
    assert [p.trace for p in loc.properties] == [p.trace for p in res.properties]
    # each result names its runner: the image, or the jar
    assert res.runner.startswith("TLC ") and ", Docker, image movspec-tlc:" in res.runner, res.runner
    assert loc.runner.endswith(f", local Java, {docker_engine.jar}"), loc.runner
    backend.close()
    assert _ours(docker_engine.api(), os.getpid()) == []


def test_oom_kill_is_reported_with_how_to_give_more_memory(image, docker_engine, monkeypatch):
    monkeypatch.setenv("MOVSPEC_JAVA_OPTS", "-Xms512m -XX:+AlwaysPreTouch")  # touches more than the limit
    d = DockerTLC(memory="128m", log=lambda line: None)
    res = check_model(handmade.model("nolock"), backend=d)
    assert res.error and "\n" not in res.error, res.error
    assert "ran out of memory" in res.error and "128 MiB" in res.error and "--tlc-memory 256m" in res.error
    assert {p.verdict.value for p in res.properties} == {"error"}
    assert d.containers() == [] and _ours(docker_engine.api(), os.getpid()) == []


def test_timeout_stops_and_removes_the_container(backend, docker_engine, tmp_path):
    (tmp_path / "Long.tla").write_text(LONG)
    (tmp_path / "Long.cfg").write_text("INIT Init\nNEXT Next\n")
    res = backend.run("tlc2.TLC", ["-config", "Long.cfg", "-metadir", "st", "Long.tla"], tmp_path, timeout=8)
    assert res.timed_out
    assert backend.containers() == [] and _ours(docker_engine.api(), os.getpid()) == []


def test_a_container_removed_mid_run_is_an_error_verdict(backend, docker_engine):
    api = docker_engine.api()
    stop = threading.Event()

    def remover():
        while not stop.is_set():
            for c in _ours(api, os.getpid()):
                api.remove_container(c["Id"], force=True)
                return
            time.sleep(0.05)

    t = threading.Thread(target=remover)
    t.start()
    try:
        res = check_model(handmade.model("nolock"), backend=backend)
    finally:
        stop.set()
        t.join()
    assert res.error and "\n" not in res.error and "Traceback" not in res.error, res.error
    assert "Docker" in res.error or "docker" in res.error
    assert {p.verdict.value for p in res.properties} == {"error"}
    assert _ours(api, os.getpid()) == []


CHILD = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from movspec.tlc.docker import DockerTLC
    w = Path(sys.argv[1])
    DockerTLC(log=lambda line: None).run("tlc2.TLC", ["-config", "Long.cfg", "-metadir", "st", "Long.tla"], w)
    """)


def _child_running_tlc(api, tmp_path):
    """A movspec process in the middle of a TLC run in Docker, and its container."""
    (tmp_path / "Long.tla").write_text(LONG)
    (tmp_path / "Long.cfg").write_text("INIT Init\nNEXT Next\n")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], env=os.environ.copy())
    for _ in range(600):  # until java runs in the child's container (bounded: 120 s)
        mine = [c for c in _ours(api, proc.pid) if c["State"] == "running"]
        if mine and any("java" in " ".join(p) for p in api.top(mine[0]["Id"]).get("Processes") or []):
            return proc, mine[0]["Id"]
        assert proc.poll() is None, "the child stopped before TLC ran"
        time.sleep(0.2)
    proc.kill()
    pytest.fail("TLC did not start in the child's container")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_movspec_removes_its_container(image, docker_engine, tmp_path, sig):
    api = docker_engine.api()
    proc, _cid = _child_running_tlc(api, tmp_path)
    proc.send_signal(sig)
    code = proc.wait(timeout=120)
    assert code != 0
    if sig == signal.SIGTERM:
        assert code == -signal.SIGTERM  # cleaned up, then died of the signal as it would have
    assert _ours(api, proc.pid) == []


def test_leftovers_of_a_killed_movspec_are_pruned_at_the_next_start(backend, docker_engine, tmp_path):
    api = docker_engine.api()
    killed = tmp_path / "killed"
    killed.mkdir()
    proc, cid = _child_running_tlc(api, killed)
    proc.kill()  # SIGKILL: no cleanup can run
    proc.wait(timeout=60)
    assert [c["Id"] for c in _ours(api, proc.pid)] == [cid]  # left behind, still running TLC
    (tmp_path / "M.tla").write_text("---- MODULE M ----\n====\n")
    backend.run("tla2sany.SANY", ["M.tla"], tmp_path)
    assert _ours(api, proc.pid) == []
