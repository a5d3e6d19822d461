#!/usr/bin/env python3
"""CPU and wall time of the builtin checker against TLC with one worker, paired, in one run.

    .venv/bin/python bench/explore_bench.py [--spec spec] [--variant v4_8]
        [--sizes 2x2,2x3,3x2,3x3] [--symmetry on,off] [--repeat 3] [--no-tlc]
        [--timeout S] [--markdown]

Every figure is measured on whole child processes: each check runs in a fresh worker process
(this script with ``--worker``) that loads the model, compiles and checks it, and the parent
reads the worker's CPU time (user + sys, including every process it waited for, e.g. TLC's
JVMs) and peak RSS from ``os.wait4``, and its wall time around the process. The builtin worker
checks like ``movspec check --backend builtin`` (``explore.compile`` + ``explore.search``),
with symmetry on twice: canonicalisation by signatures (``canon="sort"``, the default) and by
every permutation (``canon="min"``). The TLC worker runs the TLC back end
(``movspec.tlc.check_model``, ``-workers 1``, same invariants, assertions, deadlock check and
symmetry) in a kept scratch directory; TLC's own search time ("Finished in ...", summed over
its runs) is parsed from its output there and printed beside the whole-process time.

A size ``PxC`` overrides ``Pages`` (P elements), ``Cpus`` (C elements) and ``MaxRef = C + 1``
(a page can reach refcount Cpus + 1) in a variant that extends the base; the verdicts are
judged against the base variant's ``expect`` lines (``movspec.expect``).

``bytes/state`` is (peak RSS - RSS after load and compile) / distinct states, printed only at
100,000 distinct states or more (below that it is noise).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MIN_STATES_FOR_BYTES = 100_000


# --------------------------------------------------------------------------- model sizes

def size_variant(spec: Path, variant: str, pages: int, cpus: int, tmp: Path) -> tuple[list[str], str]:
    """Copy the model to ``tmp`` and add a variant of ``variant`` at the given size."""
    files = sorted(spec.glob("*.mspec")) if spec.is_dir() else [spec]
    for f in files:
        shutil.copy(f, tmp / f.name)
    name = f"bench_{pages}x{cpus}"
    ps = ", ".join(f"P{i + 1}" for i in range(pages))
    cs = ", ".join(f"C{i + 1}" for i in range(cpus))
    (tmp / "zz_bench.mspec").write_text(
        f"variant {name} extends {variant} \"benchmark size {pages}x{cpus}\" {{\n"
        f"    const Pages = {{{ps}}} symmetric\n"
        f"    const Cpus = {{{cs}}} symmetric\n"
        f"    const MaxRef = {cpus + 1}\n}}\n", encoding="utf-8")
    return [str(tmp)], name


def load_models(paths: list[str]):
    from movspec.load import load
    res = load(paths)
    if not res.ok:
        for d in res.diagnostics:
            print(d.render(res.sources), file=sys.stderr)
        raise SystemExit(f"cannot load {paths}")
    return res.models


# --------------------------------------------------------------------------- workers

def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _props(r) -> list[list[str]]:
    return [[p.name, p.kind, p.verdict.value] for p in r.properties]


def worker_builtin(paths, name, symmetry, canon, timeout) -> dict:
    from movspec.explore.compile import compile_model
    from movspec.explore.search import Budget, Search
    model = load_models(paths)[name]
    t0 = time.perf_counter()
    comp = compile_model(model, symmetry=symmetry, canon=canon)
    t_compile = time.perf_counter() - t0
    after_load = _rss()
    t1 = time.perf_counter()
    r = Search(comp, Budget(timeout=timeout), check_deadlock=not model.allow_deadlock,
               symmetry=symmetry and comp.canon is not None).run()
    return {"distinct": r.stats.distinct, "depth": r.stats.depth, "complete": r.complete,
            "reason": r.reason, "compile_s": t_compile, "search_s": time.perf_counter() - t1,
            "rss_after_load": after_load, "props": _props(r)}


_FINISHED = re.compile(r"Finished in (?:(\d+)h )?(?:(\d+)min )?(?:(\d+)s)?(?:(\d+)ms)?")


def tlc_search_seconds(text: str) -> float | None:
    """TLC's own time for one run, from its "Finished in ..." line (None if absent)."""
    m = None
    for m in _FINISHED.finditer(text):
        pass
    if m is None or not any(m.groups()):
        return None
    h, mi, s, ms = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000


def worker_tlc(paths, name, symmetry, timeout) -> dict:
    from movspec import tlc
    ok, why = tlc.available()
    if not ok:
        return {"error": why}
    model = load_models(paths)[name]
    with tempfile.TemporaryDirectory(prefix="bench-tlc-") as d:
        r = tlc.check_model(model, workers=1, timeout=timeout, symmetry=symmetry, keep_dir=d)
        outs = sorted(Path(d).glob("run*.out"))
        secs = [tlc_search_seconds(o.read_text(errors="replace")) for o in outs]
    return {"distinct": r.stats.distinct, "depth": r.stats.depth, "complete": r.complete,
            "reason": r.reason, "error": r.error, "runs": len(outs),
            "tlc_search_s": None if any(s is None for s in secs) else sum(secs), "props": _props(r)}


def run_worker(kind: str, args: list) -> dict:
    """Run one worker process; its result with its CPU, wall time and peak RSS."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps([kind, *args])]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(proc.pid, 0)  # the child's own rusage, its waited-for children included
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{err.decode(errors='replace')}")
    res = json.loads(out.decode().strip().splitlines()[-1])
    res.update(cpu=ru.ru_utime + ru.ru_stime, wall=wall, peak_rss=ru.ru_maxrss * 1024)
    return res


# --------------------------------------------------------------------------- report

def machine() -> str:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = "no java"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: {cpu}; {os.cpu_count()} cores; python {platform.python_version()}; {java}; "
            f"load average at start {load}")


def mmm(xs: list[float]) -> str:
    if not xs:
        return "-"
    return f"{min(xs):.2f}/{statistics.median(xs):.2f}/{max(xs):.2f}"


def judged(props, base, variant: str) -> tuple[str, list[str]]:
    from movspec.expect import mismatches
    from movspec.result import CheckResult, PropertyResult, Verdict
    r = CheckResult(base.name, variant, "bench",
                    tuple(PropertyResult(n, k, Verdict(v)) for n, k, v in props))
    bad = mismatches(r, base)
    held = sum(1 for _, _, v in props if v == Verdict.HOLDS.value)
    return f"{held}/{len(props)} hold", [str(m) for m in bad]


def med(rows, key):
    xs = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(xs) if xs else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=str(ROOT / "spec"))
    ap.add_argument("--variant", default="v4_8")
    ap.add_argument("--sizes", default="2x2,2x3,3x2,3x3")
    ap.add_argument("--symmetry", default="on,off", help="on, off or on,off")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-tlc", action="store_true")
    ap.add_argument("--timeout", type=float, default=None, help="per check, seconds")
    ap.add_argument("--markdown", action="store_true", help="also print the table for docs/performance.md")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        kind, *args = json.loads(a.worker)
        print(json.dumps(worker_builtin(*args) if kind == "builtin" else worker_tlc(*args)))
        return
    spec = Path(a.spec)
    if not (spec.is_dir() and any(spec.glob("*.mspec"))) and not spec.is_file():
        raise SystemExit(f"no model at {spec}: pass --spec DIR")
    try:
        sizes = [tuple(int(x) for x in s.split("x")) for s in a.sizes.split(",")]
        assert all(len(s) == 2 and min(s) >= 1 for s in sizes)
    except (ValueError, AssertionError):
        raise SystemExit(f"--sizes {a.sizes!r}: give PAGESxCPUS[,...], e.g. 2x2,3x3") from None
    syms = []
    for s in a.symmetry.split(","):
        if s not in ("on", "off"):
            raise SystemExit(f"--symmetry {a.symmetry!r}: give on, off or on,off")
        syms.append(s == "on")
    if a.repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    print(machine())
    print(f"model: {spec} variant {a.variant}; repeat {a.repeat}; CPU = user+sys of the whole worker "
          f"process and its children (wait4); figures min/median/max")
    base_models = load_models([str(spec)])
    if a.variant not in base_models:
        raise SystemExit(f"no variant {a.variant} in {spec}")
    base = base_models[a.variant]
    table = []
    for pages, cpus in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            paths, name = size_variant(spec, a.variant, pages, cpus, Path(tmp))
            for sym in syms:
                print(f"\n== {pages}x{cpus} (Pages={pages}, Cpus={cpus}, MaxRef={cpus + 1}), "
                      f"symmetry {'on' if sym else 'off'}", flush=True)
                arms = [("builtin", "sort")] + ([("builtin", "min")] if sym else [])
                if not a.no_tlc:
                    arms.append(("tlc", None))
                rows: dict[str, list[dict]] = {f"{k}" + (f"/{c}" if c and sym else ""): [] for k, c in arms}
                for _ in range(a.repeat):  # paired: every arm once per round
                    for kind, canon in arms:
                        key = kind + (f"/{canon}" if canon and sym else "")
                        args = ([paths, name, sym, canon, a.timeout] if kind == "builtin"
                                else [paths, name, sym, a.timeout])
                        r = run_worker(kind, args)
                        rows[key].append(r)
                        if r.get("error") and kind == "tlc":
                            break
                for key, rs in rows.items():
                    r0 = rs[0]
                    if r0.get("error") and not r0.get("props"):
                        print(f"  {key:12} not run: {r0['error']}")
                        continue
                    verdicts, bad = judged(r0["props"], base, name)
                    line = (f"  {key:12} distinct {r0['distinct']:>11,} depth {r0['depth']:>3}  "
                            f"CPU {mmm([r['cpu'] for r in rs])} s  wall {mmm([r['wall'] for r in rs])} s")
                    if key.startswith("builtin"):
                        line += f"  (search wall {mmm([r['search_s'] for r in rs])} s)"
                        if r0["distinct"] >= MIN_STATES_FOR_BYTES:
                            bps = [(r["peak_rss"] - r["rss_after_load"]) / r["distinct"] for r in rs]
                            line += f"  {statistics.median(bps):.0f} B/state"
                    else:
                        ts = [r["tlc_search_s"] for r in rs if r.get("tlc_search_s") is not None]
                        line += (f"  (TLC's own wall time, \"Finished in\" summed over {r0['runs']} TLC run(s): {mmm(ts)} s)"
                                 if ts else "  (TLC's own time not found in its output)")
                    print(line)
                    print(f"  {'':12} verdicts: {verdicts}; "
                          + ("as expected" if not bad else "NOT AS EXPECTED:\n    " + "\n    ".join(bad))
                          + ("" if r0["complete"] else f"; INCOMPLETE: {r0['reason']}"))
                    if len({(r['distinct'], tuple(map(tuple, r['props']))) for r in rs}) > 1:
                        print(f"  {'':12} !!! results differ between repeats")
                b = rows.get("builtin/sort" if sym else "builtin")
                t = rows.get("tlc")
                row = {"size": f"{pages}x{cpus}", "sym": "on" if sym else "off",
                       "distinct": b[0]["distinct"], "b_cpu": med(b, "cpu"), "t_cpu": None, "bps": None}
                if b[0]["distinct"] >= MIN_STATES_FOR_BYTES:
                    row["bps"] = statistics.median((r["peak_rss"] - r["rss_after_load"]) / r["distinct"] for r in b)
                if sym:
                    m = rows["builtin/min"]
                    if m[0]["distinct"] != b[0]["distinct"]:
                        print(f"  !!! DISTINCT STATES DIFFER: canon sort {b[0]['distinct']:,} vs min {m[0]['distinct']:,}")
                    print(f"  ratio canon min/sort CPU (medians): {med(m, 'cpu') / med(b, 'cpu'):.2f}")
                if t and t[0].get("props"):
                    row["t_cpu"] = med(t, "cpu")
                    if t[0]["distinct"] != b[0]["distinct"]:
                        print(f"  !!! DISTINCT STATES DIFFER: builtin {b[0]['distinct']:,} vs TLC {t[0]['distinct']:,}")
                        row["distinct"] = f"{b[0]['distinct']:,} (TLC {t[0]['distinct']:,})"
                    if b[0]["props"] != t[0]["props"]:
                        print("  !!! VERDICTS DIFFER between builtin and TLC")
                    print(f"  ratio builtin/TLC (medians): CPU {med(b, 'cpu') / med(t, 'cpu'):.3f}, "
                          f"wall {med(b, 'wall') / med(t, 'wall'):.3f}"
                          + (f", builtin search wall / TLC's own \"Finished in\" wall {med(b, 'search_s') / med(t, 'tlc_search_s'):.3f}"
                             if med(t, "tlc_search_s") else ""))
                table.append(row)
    if a.markdown:
        print("\n| size | symmetry | distinct | builtin CPU s | TLC CPU s | builtin/TLC CPU | builtin B/state |")
        print("|---|---|---|---|---|---|---|")
        for r in table:
            d = f"{r['distinct']:,}" if isinstance(r["distinct"], int) else r["distinct"]
            t = f"{r['t_cpu']:.2f}" if r["t_cpu"] is not None else "(not run)"
            ratio = f"{r['b_cpu'] / r['t_cpu']:.3f}" if r["t_cpu"] else ""
            bps = f"{r['bps']:.0f}" if r["bps"] is not None else "(noise)"
            print(f"| {r['size']} | {r['sym']} | {d} | {r['b_cpu']:.2f} | {t} | {ratio} | {bps} |")


if __name__ == "__main__":
    main()
