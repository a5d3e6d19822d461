"""TLC's distributed mode for real (marked ``tlc``): a TLCServer and two TLCWorker JVMs over
loopback agree with one TLC process (distinct states, depth, verdicts, counterexample
lengths); both workers take part; a worker that dies leaves the run to the other; workers
that all die fail the run instead of hanging it; no Java is left behind, also on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from movspec.api import restrict_properties
from movspec.load import load_files
from movspec.result import Verdict
from movspec.tlc import check_model
from movspec.tlc.distributed import Distributed, registered_workers
from tests.emit import handmade
from tests.tlc.test_signals import _procs

ROOT = Path(__file__).resolve().parents[2]
WALK = ROOT / "tests" / "fixtures" / "tlc" / "distributed" / "walk.mspec"
TWO = Distributed(workers=2)

pytestmark = pytest.mark.tlc


def walk(max_: int = 120, properties=None):
    text = WALK.read_text().replace("const Max = 120", f"const Max = {max_}")
    res = load_files([(str(WALK), text)])
    assert res.ok
    (model,) = res.models.values()
    return restrict_properties(model, properties) if properties else model


def summary(res) -> tuple:
    """What the distributed run must share with one TLC process. Not the depth: TLC's server
    reports the level of the last state it wrote, which can be below the breadth-first depth
    (14 against 15 on the nolock model, varying from run to run): ``depth_agrees``."""
    return (res.stats.distinct, res.complete, res.error,
            {p.name: (p.verdict, len(p.trace) if p.trace else None) for p in res.properties})


def depth_agrees(dist, one) -> None:
    assert 0 < dist.stats.depth <= one.stats.depth


def distributed_runs(d: Path) -> list[str]:
    """The outputs of the runs TLC's distributed server decided, in run order."""
    runs = sorted(d.glob("run*.args"), key=lambda p: int(p.stem[3:]))
    return [(d / f"{p.stem}.out").read_text() for p in runs if p.read_text().startswith("distributed ")]


def java_in(path: Path) -> list[str]:
    return [c for _, c in _procs().values() if "java" in c and str(path) in c]


@pytest.mark.parametrize("name", ["nolock", "leaky"])
def test_two_workers_agree_with_one_process(tmp_path, name):
    # the safety properties: TLC's server does not check liveness (those runs are single-process anyway)
    model = handmade.model(name)
    model = restrict_properties(model, [n for n in model.property_names if n != "EventualUnlock"])
    one = check_model(model)
    dist = check_model(model, distributed=TWO, keep_dir=tmp_path)
    assert summary(dist) == summary(one)
    depth_agrees(dist, one)
    assert any(p.verdict is Verdict.VIOLATED for p in dist.properties)
    outs = distributed_runs(tmp_path)
    # the full exploration that gives the statistics is the distributed server's
    assert outs and "No error has been found" in outs[-1] and registered_workers(outs[-1]) >= 1
    assert not java_in(tmp_path)


def test_both_workers_share_a_search_with_a_deep_violation(tmp_path):
    model = walk(120)
    one = check_model(model)
    dist = check_model(model, distributed=TWO, keep_dir=tmp_path)
    assert summary(dist) == summary(one)
    depth_agrees(dist, one)
    assert dist.property("Low").verdict is Verdict.VIOLATED and len(dist.property("Low").trace) == 121
    assert (dist.stats.distinct, one.stats.depth) == (121 * 121, 241)
    last = distributed_runs(tmp_path)[-1]
    assert registered_workers(last) == 2
    sent = [int(l.split("Sent: ")[1].split()[0]) for l in last.splitlines() if l.startswith("Worker: rmi://")]
    assert len(sent) == 2 and all(n > 0 for n in sent), sent
    assert not java_in(tmp_path)


def _kill_workers(d: Path, count: int, done: threading.Event) -> None:
    """Kill ``count`` of the worker JVMs of the run in ``d`` once each has joined the search."""
    seen, killed = set(), set()
    me = f"{d.resolve()}/.tmp"
    while not done.is_set() and len(seen) < count:
        for f in d.glob("run*.worker*.out"):
            if f in seen or "threads ready" not in f.read_text(errors="replace"):
                continue
            time.sleep(1.0)  # well into the search
            pids = [pid for pid, (_, c) in _procs().items() if "TLCWorker" in c and me in c and pid not in killed]
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.add(pids[0])
            seen.add(f)
            break
        time.sleep(0.1)


def test_a_dead_worker_leaves_the_search_to_the_other(tmp_path):
    model = walk(250, ["InRange"])
    done = threading.Event()
    killer = threading.Thread(target=_kill_workers, args=(tmp_path, 1, done))
    killer.start()
    try:
        dist = check_model(model, distributed=TWO, keep_dir=tmp_path)
    finally:
        done.set()
        killer.join()
    assert dist.error is None and dist.complete
    assert (dist.stats.distinct, dist.verdict("InRange")) == (251 * 251, Verdict.HOLDS)
    assert not java_in(tmp_path)


def test_workers_that_all_die_fail_the_run(tmp_path):
    model = walk(250, ["InRange"])
    done = threading.Event()
    killer = threading.Thread(target=_kill_workers, args=(tmp_path, 2, done))
    killer.start()
    try:
        t0 = time.monotonic()
        dist = check_model(model, distributed=TWO, keep_dir=tmp_path, timeout=600)
    finally:
        done.set()
        killer.join()
    if dist.error is None:  # both finished before the second was killed: nothing to test
        pytest.skip("the search ended before both workers could be killed")
    assert "every TLC worker stopped before the server finished" in dist.error
    assert dist.verdict("InRange") is Verdict.ERROR
    assert time.monotonic() - t0 < 300  # not the 600 s timeout: the run was given up
    assert not java_in(tmp_path)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the Java processes")
def test_sigterm_stops_server_and_workers(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "COLUMNS": "200"}
    exe = Path(sys.executable).parent / "movspec"
    slow = ROOT / "tests" / "fixtures" / "tlc" / "runtime" / "slow.mspec"
    proc = subprocess.Popen([str(exe), "check", str(slow), "--backend", "tlc", "--tlc-distributed", "2", "-q",
                             "--no-cache"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 300  # a bound for a loaded machine, not a measurement
        while len([c for c in java_in(scratch) if "TLCWorker" in c]) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, out + err
    assert "Traceback" not in err
    assert not java_in(scratch)
    assert [p.name for p in scratch.iterdir() if p.name.startswith("movspec-tlc-")] == []
