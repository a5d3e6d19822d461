"""TLC backends without running TLC: jar and Java discovery, the pinned release,
`movspec tlc install`, doctor (the Docker backend's own tests are in test_docker*.py)."""

from __future__ import annotations

import hashlib
import io
import urllib.error

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.tlc import available, check_model
from movspec.tlc import backend as B
from movspec.tlc import select as S
from movspec.tlc.docker import DockerTLC
from movspec.tlc.release import InstallError, Release, install, pinned
from tests.emit import handmade


@pytest.fixture
def no_tlc(monkeypatch, tmp_path):
    """No jar anywhere, no Docker daemon."""
    monkeypatch.delenv(B.ENV_JAR, raising=False)
    monkeypatch.delenv(B.ENV_BACKEND, raising=False)
    monkeypatch.setenv("MOVSPEC_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(DockerTLC, "available", lambda self: (False, "no reachable Docker daemon (test)"))


# --------------------------------------------------------------------------- discovery

def test_jar_lookup_order(monkeypatch, tmp_path):
    jar = tmp_path / "a.jar"
    jar.write_bytes(b"x")
    env = tmp_path / "env.jar"
    env.write_bytes(b"y")
    monkeypatch.setenv(B.ENV_JAR, str(env))
    assert B.find_jar(jar) == (jar, f"--tlc-jar {jar}")
    assert B.find_jar(None)[0] == env
    monkeypatch.delenv(B.ENV_JAR)
    monkeypatch.setenv("MOVSPEC_CACHE", str(tmp_path))
    assert B.find_jar(None)[0] is None
    cached = tmp_path / f"tla2tools-{pinned().version}.jar"
    cached.write_bytes(b"z")
    assert B.find_jar(None)[0] == cached
    path, why = B.find_jar(tmp_path / "missing.jar")
    assert path is None and "no such file" in why


def test_relative_jar_paths_are_made_absolute(monkeypatch, tmp_path):
    # TLC runs in a scratch directory: a jar named relative to where movspec was started
    # must still be found there.
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "t.jar").write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(B.ENV_JAR, "tools/t.jar")
    assert B.find_jar(None)[0] == tmp_path / "tools" / "t.jar"
    assert B.find_jar("tools/t.jar")[0] == tmp_path / "tools" / "t.jar"


def test_nothing_available_says_what_to_do(no_tlc):
    ok, why = available()
    assert not ok
    assert "movspec tlc install" in why and "MOVSPEC_TLA2TOOLS" in why and "Docker" in why
    with pytest.raises(B.BackendUnavailable):
        S.select_backend("local")
    with pytest.raises(B.BackendUnavailable, match="unknown TLC backend"):
        S.select_backend("podman")


def test_missing_java_is_reported(monkeypatch, tmp_path):
    jar = tmp_path / "t.jar"
    jar.write_bytes(b"x")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(B.shutil, "which", lambda name: None)
    ok, why = B.LocalJava(jar).available()
    assert not ok and "no Java runtime" in why


def test_check_model_without_backend_is_an_error_result(no_tlc):
    res = check_model(handmade.model("locked"))
    assert res.backend == "tlc" and not res.complete
    assert "no TLC backend available" in res.error
    assert {p.verdict.value for p in res.properties} == {"error"}
    assert [p.name for p in res.properties] == list(handmade.model("locked").property_names)


def test_local_command_line(monkeypatch, tmp_path):
    jar = tmp_path / "tla2tools.jar"
    jar.write_bytes(b"x")
    monkeypatch.setenv(B.ENV_JAVA_OPTS, "-Xmx2g")
    cmd = B.LocalJava(jar, java="/opt/java").command("tlc2.TLC", ["-tool", "M.tla"], tmpdir="/s/.tmp")
    assert cmd == ["/opt/java", "-XX:+UseParallelGC", "-XX:-UsePerfData", "-Djava.io.tmpdir=/s/.tmp", "-Xmx2g", "-cp", str(jar),
                   "tlc2.TLC", "-tool", "M.tla"]


# --------------------------------------------------------------------------- release, install

def _opener(payload: bytes):
    class Resp(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False
    return lambda url, timeout=None: Resp(payload)


def _release(payload: bytes) -> Release:
    r = pinned()
    return Release(r.version, r.tlc_version, r.url, hashlib.sha256(payload).hexdigest(), len(payload), r.java_image)


def test_install_verifies_the_checksum(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVSPEC_CACHE", str(tmp_path))
    payload = b"PK fake jar"
    path = install(release=_release(payload), opener=_opener(payload))
    assert path.read_bytes() == payload and path.name == f"tla2tools-{pinned().version}.jar"
    # cached and verified: no second download
    assert install(release=_release(payload), opener=_opener(b"other")) == path
    with pytest.raises(InstallError, match="checksum mismatch"):
        install(force=True, release=_release(payload), opener=_opener(b"tampered"))
    assert path.read_bytes() == payload
    assert not list(tmp_path.glob("*.part"))


def test_install_offline_fails_clearly(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVSPEC_CACHE", str(tmp_path))

    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    with pytest.raises(InstallError) as exc:
        install(opener=offline)
    msg = str(exc.value)
    assert "could not download" in msg and "offline" in msg and pinned().sha256 in msg
    assert not list(tmp_path.iterdir()) or not list(tmp_path.glob("*.jar"))


def test_cli_install_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVSPEC_CACHE", str(tmp_path))

    def offline(url, timeout=None):
        raise urllib.error.URLError("no network")
    monkeypatch.setattr("urllib.request.urlopen", offline)
    res = CliRunner().invoke(cli, ["tlc", "install"])
    assert res.exit_code == 1
    assert "could not download tla2tools" in res.output and "hint:" in res.output


def test_cli_doctor_without_backends(no_tlc):
    res = CliRunner().invoke(cli, ["doctor"])
    assert res.exit_code == 0  # the builtin checker works; TLC is optional
    assert "builtin checker: available" in res.output
    assert "backend local: unavailable" in res.output
    assert "backend docker: unavailable" in res.output
    assert "movspec tlc install" in res.output


def test_cli_doctor_with_a_jar(no_tlc, tmp_path, monkeypatch):
    jar = tmp_path / "t.jar"
    jar.write_bytes(b"not the release")
    monkeypatch.setattr(B, "find_java", lambda: ("/bin/true", "java on PATH (/bin/true)"))
    res = CliRunner().invoke(cli, ["doctor", "--tlc-jar", str(jar)])
    assert res.exit_code == 0, res.output
    assert "backend local: available" in res.output
    assert "is not the pinned release" in res.output
