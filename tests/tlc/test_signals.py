"""SIGINT and SIGTERM to a real ``movspec check --backend tlc`` process (marked ``tlc``):
TLC's Java goes with it, no scratch directory is left behind, and the JSON and JUnit
written say the check is incomplete rather than passing with no results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLOW = ROOT / "tests" / "fixtures" / "tlc" / "runtime" / "slow.mspec"

pytestmark = pytest.mark.tlc


def _procs() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, command line)."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out[int(d.name)] = (ppid, cmd)
    return out


def _wait_for_tlc(parent: int, proc: subprocess.Popen) -> int:
    """The pid of the TLC model checker (not pcal.trans) that ``parent`` started."""
    deadline = time.monotonic() + 300  # a generous bound for a loaded machine, not a measurement
    while time.monotonic() < deadline:
        for pid, (ppid, cmd) in _procs().items():
            if ppid == parent and "tlc2.TLC" in cmd:
                return pid
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("TLC never started")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the Java process")
@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_java_and_leaves_nothing_behind(tmp_path, sig, code):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "COLUMNS": "200"}
    exe = Path(sys.executable).parent / "movspec"
    proc = subprocess.Popen([str(exe), "check", str(SLOW), "--backend", "tlc", "-q",
                             "--json", str(tmp_path / "r.json"), "--junit", str(tmp_path / "r.xml")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        java = _wait_for_tlc(proc.pid, proc)
        workdirs = [p for p in scratch.iterdir() if p.name.startswith("movspec-tlc-")]
        assert len(workdirs) == 1  # the scratch directory of the run, while it runs
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, out + err
    assert "Traceback" not in err
    # Java is gone (not re-parented to init), and so is anything running in the scratch dir
    assert java not in _procs()
    assert not [c for _, c in _procs().values() if str(scratch) in c]
    # no scratch directory left (the parser's grammar cache file may stay: it is meant to)
    assert [p.name for p in scratch.iterdir() if p.is_dir() or p.name.startswith("movspec")] == []
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["ok"] is False
    (res,) = doc["results"]
    assert res["backend"] == "tlc" and res["complete"] is False and res["reason"] == "interrupted"
    assert {p["verdict"] for p in res["properties"]} == {"incomplete"}
    assert "interrupted" in (tmp_path / "r.xml").read_text()
