"""The Docker backend without a daemon: the image recipe and labels, one container per
scratch directory fed through the archive API, and every SDK error turned into a one-line
reason, against a fake low-level docker client (``FakeAPI``). The real daemon is exercised
by test_docker.py."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import docker.errors
import pytest
import requests.exceptions
from click.testing import CliRunner

from movspec.cli import cli
from movspec.tlc import backend as B
from movspec.tlc import check_model
from movspec.tlc import docker as D
from movspec.tlc.dockerimage import (L_BASE, L_BASE_ID, L_RECIPE, L_ROLE, L_SHA, ROLE_IMAGE, ImageSpec,
                                     JarMismatch, dockerfile_text, image_tag, recipe_digest, stale_reason,
                                     verified_jar)
from movspec.tlc.release import pinned
from tests.emit import handmade

ROOT = Path(__file__).resolve().parents[2]
BASE = "local/jre:1"
TLC_OUT = b"@!@!@STARTMSG 2262:0 @!@!@\nTLC2 Version 2.18\n@!@!@ENDMSG 2262 @!@!@\n"


def _tar(files: dict[str, bytes], top: str | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        if top:
            d = tarfile.TarInfo(top)
            d.type = tarfile.DIRTYPE
            tar.addfile(d)
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class FakeAPI:
    """The subset of ``docker.APIClient`` the backend uses. ``fail[method] = exc`` makes that
    call raise; ``script`` lists what each TLC exec does: (exit code, output, files written
    into /work)."""

    def __init__(self, base_present=True):
        self.images_: dict[str, dict] = {}
        if base_present:
            self.images_[BASE] = {"Id": "sha256:base1", "Config": {"Labels": {}}, "RepoTags": [BASE]}
        self.boxes: dict[str, dict] = {}
        self.fail: dict[str, Exception] = {}
        self.script: list[tuple[int, bytes, dict[str, bytes]]] = []
        self.execs: dict[str, dict] = {}
        self.builds: list[dict] = []
        self.created: list[dict] = []
        self.oom_kills = 0
        self.running_forever = False

    def _f(self, name):
        if name in self.fail:
            raise self.fail[name]

    def ping(self):
        self._f("ping")
        return True

    def inspect_image(self, ref):
        self._f("inspect_image")
        if ref not in self.images_:
            raise docker.errors.ImageNotFound(f"No such image: {ref}")
        return self.images_[ref]

    def images(self, filters=None):
        want = dict(x.split("=", 1) for x in filters["label"])
        return [dict(Id=i["Id"], Labels=i["Config"]["Labels"], RepoTags=i["RepoTags"])
                for i in self.images_.values() if all(i["Config"]["Labels"].get(k) == v for k, v in want.items())]

    def build(self, **kw):
        self._f("build")
        self.builds.append(kw)
        tar = tarfile.open(fileobj=kw["fileobj"])
        dockerfile = tar.extractfile("Dockerfile").read().decode()
        labels = {L_SHA: pinned().sha256, **kw["labels"]}
        self.images_[kw["tag"]] = {"Id": f"sha256:img{len(self.builds)}", "Config": {"Labels": labels},
                                   "RepoTags": [kw["tag"]], "names": tar.getnames(), "dockerfile": dockerfile}
        yield {"stream": "Step 1/13 : ARG BASE\n"}
        yield {"stream": f"Successfully tagged {kw['tag']}\n"}

    def create_container(self, image, **kw):
        self.created.append(dict(image=image, **kw))
        cid = f"c{len(self.created)}"
        self.boxes[cid] = {"name": kw["name"], "labels": kw["labels"], "work": {}, "scratch": {}, "state": "created"}
        self._f("create_container")  # a create that times out has still made the container
        return {"Id": cid}

    def _box(self, cid):
        for k, b in self.boxes.items():
            if cid in (k, b["name"]):
                return k, b
        raise docker.errors.NotFound(f"No such container: {cid}")

    def start(self, cid):
        self._f("start")
        self._box(cid)[1]["state"] = "running"

    def remove_container(self, cid, force=False):
        k, _ = self._box(cid)
        del self.boxes[k]

    def containers(self, all=False, filters=None):
        k, v = filters["label"].split("=", 1)
        return [{"Id": cid, "Labels": b["labels"], "State": b["state"]} for cid, b in self.boxes.items()
                if b["labels"].get(k) == v]

    def put_archive(self, cid, path, data):
        self._f("put_archive")
        assert path == "/work"
        box = self._box(cid)[1]
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for m in tar:
                assert m.uid == 65534  # owned by the container's user
                box["work"][m.name] = tar.extractfile(m).read()
        return True

    def get_archive(self, cid, path):
        self._f("get_archive")
        box = self._box(cid)[1]
        if path == "/work":
            return iter([_tar(box["work"], "work")]), {}
        name = path.rsplit("/", 1)[1]
        return iter([_tar({name: box["scratch"][name]})]), {}

    def exec_create(self, cid, cmd, **kw):
        self._f("exec_create")
        self._box(cid)
        eid = f"e{len(self.execs)}"
        self.execs[eid] = {"cid": cid, "cmd": cmd, "kw": kw}
        return {"Id": eid}

    def exec_start(self, eid, detach=False):
        self._f("exec_start")
        ex = self.execs[eid]
        box = self._box(ex["cid"])[1]
        if not detach:  # the cgroup counter
            return f"oom_kill_disable 0\nunder_oom 0\noom_kill {self.oom_kills}\n".encode()
        code, out, files = self.script.pop(0) if self.script else (0, TLC_OUT, {})
        n = ex["cmd"][2].split("> /scratch/out")[1].split()[0]
        box["scratch"][f"out{n}"] = out
        box["work"].update(files)
        ex["code"] = code

    def exec_inspect(self, eid):
        self._f("exec_inspect")
        if self.running_forever:
            return {"Running": True, "ExitCode": None}
        return {"Running": False, "ExitCode": self.execs[eid]["code"]}


class Client:
    def __init__(self, api):
        self.api = api


def backend(api, **kw) -> D.DockerTLC:
    return D.DockerTLC(client=Client(api), base=kw.pop("base", BASE), log=kw.pop("log", lambda line: None), **kw)


@pytest.fixture
def jar(tmp_path, monkeypatch):
    """No verified local jar: the image is built from the release URL."""
    monkeypatch.delenv(B.ENV_JAR, raising=False)
    monkeypatch.setenv("MOVSPEC_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(D.ENV_MEMORY, raising=False)
    monkeypatch.delenv("MOVSPEC_DOCKER_BASE", raising=False)


# --------------------------------------------------------------------------- the image

def test_committed_dockerfiles_are_generated_from_the_pin():
    assert (ROOT / "docker" / "Dockerfile").read_text() == dockerfile_text(source="url"), \
        "docker/Dockerfile is stale: regenerate it (movspec.tlc.dockerimage.dockerfile_text)"
    assert (ROOT / "docker" / "Dockerfile.local").read_text() == dockerfile_text(source="context")
    r = pinned()
    text = dockerfile_text()
    assert f"ARG TLA2TOOLS_SHA256={r.sha256}" in text and "sha256sum -c" in text
    assert f"ADD {r.url} " in text and "COPY tla2tools.jar" in dockerfile_text(source="context")
    assert "ARG BASE=eclipse-temurin:17-jre@sha256:" in text  # the base is pinned by digest
    assert len(r.java_image.split("@sha256:")[1]) == 64


def test_tag_and_recipe_follow_the_base_and_the_pin():
    assert image_tag(base=BASE) != image_tag(base="other/jre:2")
    assert image_tag(base=BASE).startswith(f"movspec-tlc:{pinned().version}-")
    assert recipe_digest(BASE) == recipe_digest(BASE) != recipe_digest("other/jre:2")


def test_stale_reasons():
    r = pinned()
    good = {L_SHA: r.sha256, L_RECIPE: recipe_digest(BASE), L_BASE_ID: "sha256:base1"}
    assert stale_reason(good, r, BASE, "sha256:base1") is None
    assert "SHA-256" in stale_reason({**good, L_SHA: "0" * 64}, r, BASE, "sha256:base1")
    assert "SHA-256" in stale_reason({}, r, BASE, None)
    assert "another Dockerfile" in stale_reason({**good, L_RECIPE: "x"}, r, BASE, "sha256:base1")
    assert "has changed" in stale_reason(good, r, BASE, "sha256:base2")


def test_a_local_jar_is_the_build_context_and_must_be_the_pinned_one(tmp_path):
    bad = tmp_path / "tla2tools.jar"
    bad.write_bytes(b"not the release")
    with pytest.raises(JarMismatch, match="is not tla2tools"):
        verified_jar(bad)
    with pytest.raises(JarMismatch, match="no such file"):
        verified_jar(tmp_path / "missing.jar")
    spec = ImageSpec(pinned(), BASE, bad)  # (the spec itself does not re-check)
    names = tarfile.open(fileobj=spec.context()).getnames()
    assert names == ["Dockerfile", "tla2tools.jar"]
    assert "COPY tla2tools.jar" in spec.dockerfile()
    kw = spec.build_kwargs("sha256:base1")
    assert kw["buildargs"] == {"BASE": BASE} and kw["custom_context"] and not kw["pull"]
    assert kw["labels"][L_BASE] == BASE and kw["labels"][L_ROLE] == ROLE_IMAGE


def test_image_is_built_once_and_rebuilt_when_its_label_is_not_the_pin(jar):
    api = FakeAPI()
    tag = image_tag(base=BASE)
    api.images_[tag] = {"Id": "sha256:old", "RepoTags": [tag],
                        "Config": {"Labels": {L_SHA: "0" * 64, L_RECIPE: recipe_digest(BASE)}}}
    lines = []
    d = backend(api, log=lines.append)
    assert d.ensure_image() == tag
    assert len(api.builds) == 1 and api.builds[0]["tag"] == tag
    assert any("SHA-256 label" in line for line in lines)  # says why it rebuilds
    assert any("Successfully tagged" in line for line in lines)  # the build log is streamed
    assert api.images_[tag]["names"] == ["Dockerfile"]  # no local jar: the daemon downloads it
    assert backend(api).ensure_image() == tag and len(api.builds) == 1  # current now


def test_an_image_built_from_a_chosen_base_is_used_without_choosing_it_again(jar):
    api = FakeAPI()
    backend(api).build()
    d = D.DockerTLC(client=Client(api), log=lambda line: None)  # the pinned base, not on the daemon
    tag, why = d.find_image()
    assert tag == image_tag(base=BASE) and BASE in why


def test_build_errors_are_one_line_with_a_hint(jar):
    api = FakeAPI(base_present=False)

    def failing(**kw):
        yield {"stream": "Step 2/13 : FROM ${BASE}\n"}
        yield {"error": "pull access denied for local/jre, repository does not exist"}
    api.build = failing
    with pytest.raises(B.BackendUnavailable) as exc:
        backend(api).build()
    msg = str(exc.value)
    assert "\n" not in msg and "pull access denied" in msg and "--base IMAGE" in msg


# --------------------------------------------------------------------------- containers

def test_one_container_per_scratch_directory_through_the_archive_api(jar, tmp_path):
    api = FakeAPI()
    d = backend(api)
    w = tmp_path / "w"
    w.mkdir()
    (w / "M.tla").write_text("untranslated")
    api.script = [(0, b"translated\n", {"M.tla": b"translated module"}), (0, TLC_OUT, {"M_TTrace.tla": b"t"})]
    r1 = d.run("pcal.trans", ["-nocfg", "M.tla"], w)
    assert (w / "M.tla").read_text() == "translated module"  # came back through get_archive
    (w / "run1.cfg").write_text("INIT Init")
    r2 = d.run("tlc2.TLC", ["-tool", "-config", "run1.cfg", "M.tla"], w, timeout=60)
    assert (r1.returncode, r1.output, r2.output) == (0, "translated\n", TLC_OUT.decode())
    assert (w / "M_TTrace.tla").read_text() == "t"
    assert len(api.created) == 1 and d.started == 1  # both runs in one container
    created = api.created[0]
    assert "volumes" not in created and "Binds" not in created["host_config"]
    assert created["host_config"]["NetworkMode"] == "none"
    assert created["entrypoint"] == ["sleep"] and created["user"] == "65534:65534"
    assert created["labels"]["org.movspec.owner"] == f"{socket.gethostname()}:{os.getpid()}"
    box = next(iter(api.boxes.values()))
    assert box["work"]["run1.cfg"] == b"INIT Init"
    cmd = list(api.execs.values())[1]["cmd"]
    assert cmd[:2] == ["sh", "-c"] and "-cp /opt/tla2tools/tla2tools.jar tlc2.TLC -tool" in cmd[2]
    other = tmp_path / "refinement"
    other.mkdir()
    d.run("tlc2.TLC", ["M.tla"], other)
    assert len(api.boxes) == 2
    import shutil
    shutil.rmtree(other)
    d.run("tlc2.TLC", ["M.tla"], w)  # the container of a directory that is gone is removed
    assert len(api.boxes) == 1 and len(api.created) == 2
    d.close()
    assert api.boxes == {}


def test_memory_limit_and_oom_kill_are_reported(jar, tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_MEMORY, "256m")
    api = FakeAPI()
    api.script = [(137, b"", {})]
    api.oom_kills = 1
    with pytest.raises(B.BackendUnavailable) as exc:
        backend(api).run("tlc2.TLC", ["M.tla"], tmp_path)
    msg = str(exc.value)
    assert api.created[0]["host_config"]["Memory"] == 256 * 2**20 == api.created[0]["host_config"]["MemorySwap"]
    assert "ran out of memory" in msg and "256 MiB" in msg and "--tlc-memory 512m" in msg and "\n" not in msg
    assert api.boxes == {}
    api.script, api.oom_kills = [(137, b"", {})], 0
    with pytest.raises(B.BackendUnavailable, match=r"killed \(SIGKILL, exit 137\)"):
        backend(api).run("tlc2.TLC", ["M.tla"], tmp_path)


def test_a_timeout_removes_the_container(jar, tmp_path):
    api = FakeAPI()
    api.running_forever = True
    d = backend(api)
    d.run("pcal.trans", ["M.tla"], tmp_path, timeout=0.0)  # (exec still "running": out file is the fake's)
    assert api.boxes == {} and d.containers() == []


def test_parse_memory():
    assert D.parse_memory("512m") == 512 * 2**20
    assert D.parse_memory("2G") == 2 * 2**30
    assert D.parse_memory("1.5g") == int(1.5 * 2**30)
    assert D.parse_memory("4096") == 4096
    assert D.parse_memory(None) is None
    for bad in ("lots", "-1g", "0"):
        with pytest.raises(B.BackendUnavailable, match="is not a size"):
            D.parse_memory(bad)


# --------------------------------------------------------------------------- errors

ERRORS = [
    ("create_container", requests.exceptions.ReadTimeout("Read timed out. (read timeout=120)"), "did not answer"),
    ("start", docker.errors.APIError("500 Server Error", explanation="OCI runtime create failed"), "refused"),
    ("put_archive", requests.exceptions.ConnectionError("Connection aborted."), "lost the connection"),
    ("exec_create", docker.errors.NotFound("No such container: c1"), "not found"),
    ("exec_inspect", requests.exceptions.ConnectionError(
        "('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))"), "lost the connection"),
    ("get_archive", docker.errors.APIError("404", explanation="Could not find the file /scratch/out1"), "refused"),
    ("inspect_image", requests.exceptions.ReadTimeout("timed out"), "did not answer"),
    ("build", docker.errors.APIError("500", explanation="no space left on device"), "refused"),
]


@pytest.mark.parametrize("method,exc,words", ERRORS, ids=[e[0] for e in ERRORS])
def test_sdk_errors_are_one_line_and_leave_no_container(jar, tmp_path, method, exc, words):
    api = FakeAPI()
    api.fail[method] = exc
    (tmp_path / "M.tla").write_text("---- MODULE M ----")
    with pytest.raises(B.BackendUnavailable) as info:
        backend(api).run("pcal.trans", ["M.tla"], tmp_path)
    msg = str(info.value)
    assert msg.startswith("error: ") and "\n" not in msg and words in msg, msg
    assert "Traceback" not in msg
    assert api.boxes == {}  # not even one in Created state


def test_a_daemon_error_is_an_error_verdict_for_every_property(jar, monkeypatch):
    api = FakeAPI()
    api.fail["exec_inspect"] = requests.exceptions.ConnectionError("Connection aborted.")
    model = handmade.model("nolock")
    res = check_model(model, backend=backend(api))
    assert res.error and "\n" not in res.error and "lost the connection to the Docker daemon" in res.error
    assert {p.verdict.value for p in res.properties} == {"error"}
    assert api.boxes == {}


def test_missing_sdk_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "docker", None)
    ok, why = D.DockerTLC().available()
    assert not ok and "pip install 'movspec[docker]'" in why
    with pytest.raises(B.BackendUnavailable, match=r"movspec\[docker\]"):
        D.DockerTLC().run("tlc2.TLC", [], Path("."))


def test_unreachable_daemon_is_explained():
    api = FakeAPI()
    api.fail["ping"] = requests.exceptions.ConnectionError("Error while fetching server API version")
    ok, why = backend(api).available()
    assert not ok and "no reachable Docker daemon" in why and "fetching server API" in why


# --------------------------------------------------------------------------- cleanup

def test_leftovers_of_dead_owners_are_pruned(jar, tmp_path):
    api = FakeAPI()
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host = socket.gethostname()
    for cid, owner, state in [("dead", f"{host}:{proc.pid}", "running"), ("mine", f"{host}:{os.getpid()}", "running"),
                              ("far-exited", "elsewhere:1", "exited"), ("far-running", "elsewhere:1", "running")]:
        api.boxes[cid] = {"name": cid, "labels": {L_ROLE: "tlc-run", "org.movspec.owner": owner}, "state": state,
                          "work": {}, "scratch": {}}
    backend(api).run("tlc2.TLC", ["M.tla"], tmp_path)
    assert {"dead", "far-exited"}.isdisjoint(api.boxes) and {"mine", "far-running"} <= set(api.boxes)


def test_sigterm_removes_live_containers_then_runs_the_previous_handler(monkeypatch):
    api = FakeAPI()
    api.boxes["c9"] = {"name": "c9", "labels": {}, "state": "running", "work": {}, "scratch": {}}
    monkeypatch.setitem(D._LIVE, "c9", api)
    seen = []
    monkeypatch.setitem(D._PREVIOUS, signal.SIGTERM, lambda signum, frame: seen.append(signum))
    D._on_signal(signal.SIGTERM, None)
    assert api.boxes == {} and "c9" not in D._LIVE and seen == [signal.SIGTERM]


# --------------------------------------------------------------------------- CLI

def test_doctor_says_what_the_first_run_will_do(jar, monkeypatch):
    api = FakeAPI()
    monkeypatch.setenv("MOVSPEC_DOCKER_BASE", BASE)
    monkeypatch.setattr(D.DockerTLC, "client", lambda self: Client(api))
    monkeypatch.setattr(B, "find_java", lambda: (None, "no Java runtime (test)"))
    out = CliRunner().invoke(cli, ["doctor"]).output
    assert "backend docker: available" in out
    assert f"will build {image_tag(base=BASE)} from base {BASE} (present)" in out
    assert "downloaded by the daemon" in out and "needs network access" in out
    backend(api).build()
    out = CliRunner().invoke(cli, ["doctor"]).output
    assert f"image {image_tag(base=BASE)} is ready" in out


def test_cli_image_rejects_a_jar_that_is_not_the_pin(tmp_path):
    bad = tmp_path / "t.jar"
    bad.write_bytes(b"x")
    res = CliRunner().invoke(cli, ["tlc", "image", "--jar", str(bad)])
    assert res.exit_code == 2 and "is not tla2tools" in res.output and pinned().sha256 in res.output


def test_cli_image_prints_the_context_dockerfile(tmp_path, monkeypatch):
    jar = tmp_path / "tla2tools.jar"
    jar.write_bytes(b"x")
    monkeypatch.setattr("movspec.tlc.dockerimage.sha256_of", lambda p: pinned().sha256)
    res = CliRunner().invoke(cli, ["tlc", "image", "--jar", str(jar), "--print-dockerfile"])
    assert res.exit_code == 0 and res.output == dockerfile_text(source="context")


def test_the_build_is_bounded_in_time(jar, monkeypatch):
    monkeypatch.setenv(D.ENV_BUILD_TIMEOUT, "60")
    clock = iter(range(0, 10**6, 50))  # every reading of the clock is 50 s later
    monkeypatch.setattr(D.time, "monotonic", lambda: next(clock))
    api = FakeAPI()
    closed = []

    class Stream:
        def __iter__(self):
            for i in range(100):
                yield {"stream": f"Step {i}\n"}

        def close(self):
            closed.append(True)
    api.build = lambda **kw: Stream()
    with pytest.raises(B.BackendUnavailable, match=r"took longer than 60 s \(\$MOVSPEC_DOCKER_BUILD_TIMEOUT\)"):
        backend(api).build()
    assert closed == [True]  # the build request is dropped, which stops the daemon's build
