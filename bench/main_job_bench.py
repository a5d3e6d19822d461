#!/usr/bin/env python3
"""The main job, ``movspec check spec/ proofs/``, measured: whole processes and per phase.

    .venv/bin/python bench/main_job_bench.py [--paths spec proofs] [--repeat 3] [--jobs 1,2]
        [--baseline DIR [--baseline-paths ...]] [--phases]

Whole process: ``movspec check PATHS --no-cache -q -j N`` in a child process per run, its CPU
(user + sys of it and its workers, from ``os.wait4``) and wall time, min/median/max over the
repeats. With ``--baseline DIR`` (another checkout of movspec, e.g. ``git worktree add /tmp/old
<commit>``) the same command runs from that checkout's ``src`` on its own model files, in turn
with this one (this, baseline, this, ...), and the ratio this/baseline is printed per pair's
median, so a machine whose speed drifts still gives a fair ratio.

``--phases``: one in-process run of every variant with the CPU of each phase (the search, the
reachable graph, liveness, refinement, inductive invariants), as a share of the whole.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(src: Path, cwd: Path, paths: list[str], jobs: int) -> tuple[float, float, int]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "movspec", "check", *paths, "--no-cache", "-q", "-j", str(jobs)],
                         cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return ru.ru_utime + ru.ru_stime, wall, os.waitstatus_to_exitcode(status)


def mmm(xs: list[float]) -> str:
    return f"{min(xs):.2f}/{statistics.median(xs):.2f}/{max(xs):.2f}"


def phases(paths: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import movspec.explore.check as ck_mod  # noqa: F401 - the module, not the function
    ck = sys.modules["movspec.explore.check"]
    import movspec.explore.proofs as pr
    from movspec.explore import search
    from movspec.load import load

    spent: dict[str, float] = {}

    def timed(mod, name, key):
        f = getattr(mod, name)

        def g(*a, **k):
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                spent[key] = spent.get(key, 0.0) + time.process_time() - t
        setattr(mod, name, g)

    timed(ck, "explore_graph", "reachable graph")
    timed(ck, "check_liveness", "liveness")
    timed(pr, "check_refinements", "refinement")
    timed(pr, "check_inductive", "inductive")
    run_search = search.Search.run

    def srun(self):
        t = time.process_time()
        try:
            return run_search(self)
        finally:
            spent["search"] = spent.get("search", 0.0) + time.process_time() - t
    search.Search.run = srun
    res = load([str(ROOT / p) for p in paths])
    t0 = time.process_time()
    for m in res.models.values():
        ck.check(m)
    total = time.process_time() - t0
    print(f"phases, in one process, {len(res.models)} variants, {total:.2f} s CPU in all:")
    for k, v in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {k:16s} {v:6.2f} s  {v / total:6.1%}")
    print(f"  {'the rest':16s} {total - sum(spent.values()):6.2f} s  (compiling, labels, traces)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", nargs="+", default=["spec", "proofs"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--baseline", type=Path)
    ap.add_argument("--baseline-paths", nargs="+")
    ap.add_argument("--phases", action="store_true")
    a = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}; {os.cpu_count()} cores; python "
          f"{platform.python_version()}; load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"command: movspec check {' '.join(a.paths)} --no-cache -q -j N; repeat {a.repeat}; CPU = user+sys "
          "of the process and its workers; figures min/median/max")
    for jobs in [int(j) for j in a.jobs.split(",")]:
        ours: list[tuple[float, float]] = []
        base: list[tuple[float, float]] = []
        for _ in range(a.repeat):
            cpu, wall, code = run(ROOT / "src", ROOT, a.paths, jobs)
            if code != 0:
                print(f"  !!! exit status {code}: not every verdict as expected")
            ours.append((cpu, wall))
            if a.baseline:
                cpu, wall, code = run(a.baseline / "src", a.baseline, a.baseline_paths or a.paths, jobs)
                if code != 0:
                    print(f"  !!! baseline exit status {code}")
                base.append((cpu, wall))
        print(f"-j {jobs}: CPU {mmm([c for c, _ in ours])} s  wall {mmm([w for _, w in ours])} s")
        if base:
            print(f"  baseline: CPU {mmm([c for c, _ in base])} s  wall {mmm([w for _, w in base])} s")
            rc = statistics.median(o[0] / b[0] for o, b in zip(ours, base))
            rw = statistics.median(o[1] / b[1] for o, b in zip(ours, base))
            print(f"  ratio this/baseline (median of the pairs): CPU {rc:.3f}, wall {rw:.3f}")
    if a.phases:
        phases(a.paths)


if __name__ == "__main__":
    main()
