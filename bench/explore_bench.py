#!/usr/bin/env python3
"""Speed and memory of the builtin checker against TLC with one worker, in the same run.

    .venv/bin/python bench/explore_bench.py [--spec spec] [--variant v4_8] [--sizes 2x2,3x3]
                                            [--symmetry] [--no-tlc] [--timeout S]

For each size (pages x CPUs) the script checks the variant (default ``v4_8``) with the
constants ``Pages`` and ``Cpus`` overridden, and prints for each back end the distinct states,
the depth, the seconds and the distinct states per second, then builtin/TLC ratios. Builtin
runs happen in a fresh subprocess so that its peak resident memory can be measured; the
figure ``bytes/state`` is (peak RSS - RSS before the search) / distinct states.

TLC runs only when a TLC backend is available (``$MOVSPEC_TLA2TOOLS`` with Java, see
``movspec check --backend tlc``); its time is what the TLC back end reports for the whole run
(translation, JVM start-up and model checking), so its states/s is a lower bound of TLC's own
search rate; TLC's own search time, when the back end reports it, is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _override(spec: Path, variant: str, pages: int, cpus: int, tmp: Path) -> tuple[list[str], str]:
    """Copy the model to ``tmp`` and add a variant with the sizes overridden."""
    files = sorted(spec.glob("*.mspec")) if spec.is_dir() else [spec]
    for f in files:
        shutil.copy(f, tmp / f.name)
    name = f"bench_{pages}x{cpus}"
    ps = ", ".join(f"P{i + 1}" for i in range(pages))
    cs = ", ".join(f"C{i + 1}" for i in range(cpus))
    (tmp / "zz_bench.mspec").write_text(
        f"variant {name} extends {variant} \"benchmark size\" {{\n"
        f"    const Pages = {{{ps}}} symmetric\n"
        f"    const Cpus = {{{cs}}} symmetric\n}}\n", encoding="utf-8")
    return [str(tmp)], name


def _load(paths: list[str], name: str):
    from movspec.load import load
    res = load(paths)
    if not res.ok:
        for d in res.diagnostics:
            print(d.render(res.sources), file=sys.stderr)
        raise SystemExit(f"cannot load {paths}")
    return res.models[name]


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def worker(paths: list[str], name: str, symmetry: bool, timeout: float | None) -> None:
    """Run in a subprocess: compile and search, print one JSON line."""
    from movspec.explore.compile import compile_model
    from movspec.explore.search import Budget, Search
    model = _load(paths, name)
    t0 = time.perf_counter()
    comp = compile_model(model, symmetry=symmetry)
    t_compile = time.perf_counter() - t0
    before = _rss()
    t1 = time.perf_counter()
    search = Search(comp, Budget(timeout=timeout), check_deadlock=not model.allow_deadlock,
                    symmetry=symmetry and comp.canon is not None)
    r = search.run()
    t_search = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({
        "distinct": r.stats.distinct, "generated": r.stats.generated, "depth": r.stats.depth,
        "complete": r.complete, "reason": r.reason, "compile": t_compile, "search": t_search,
        "bytes_per_state": (peak - before) / max(1, r.stats.distinct), "bits": comp.layout.bits,
        "leaves": len(comp.layout.leaves),
        "verdicts": {p.name: p.verdict.value for p in r.properties},
    }))


def run_builtin(paths, name, symmetry, timeout):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps([paths, name, symmetry, timeout])]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_tlc(paths, name, symmetry, timeout):
    try:
        from movspec import tlc
    except Exception as err:  # noqa: BLE001
        return None, f"TLC backend not importable: {err}"
    ok, why = tlc.available()
    if not ok:
        return None, why
    model = _load(paths, name)
    t0 = time.perf_counter()
    r = tlc.check_model(model, workers=1, timeout=timeout, symmetry=symmetry)
    wall = time.perf_counter() - t0
    if r.error:
        return None, f"TLC failed: {r.error.splitlines()[0]}"
    return {"distinct": r.stats.distinct, "generated": r.stats.generated, "depth": r.stats.depth,
            "seconds": r.stats.seconds, "wall": wall, "complete": r.complete,
            "verdicts": {p.name: p.verdict.value for p in r.properties}}, why


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=str(ROOT / "spec"))
    ap.add_argument("--variant", default="v4_8")
    ap.add_argument("--sizes", default="2x2,3x3")
    ap.add_argument("--symmetry", action="store_true", help="also measure with symmetry reduction")
    ap.add_argument("--no-tlc", action="store_true")
    ap.add_argument("--timeout", type=float, default=None)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        paths, name, symmetry, timeout = json.loads(a.worker)
        worker(paths, name, symmetry, timeout)
        return
    spec = Path(a.spec)
    variant = a.variant
    if not (spec.is_dir() and any(spec.glob("*.mspec"))) and not spec.is_file():
        raise SystemExit(f"no model at {spec}: pass --spec DIR")
    print(f"model: {spec} variant {variant}; python {sys.version.split()[0]}")
    modes = [False, True] if a.symmetry else [False]
    for size in a.sizes.split(","):
        pages, cpus = (int(x) for x in size.split("x"))
        with tempfile.TemporaryDirectory() as tmp:
            paths, name = _override(spec, variant, pages, cpus, Path(tmp))
            for sym in modes:
                label = f"{pages} pages x {cpus} CPUs, symmetry {'on' if sym else 'off'}"
                print(f"\n== {label}")
                b = run_builtin(paths, name, sym, a.timeout)
                rate_b = b["distinct"] / b["search"] if b["search"] else 0.0
                print(f"  builtin: {b['distinct']:>10,} distinct {b['generated']:>11,} generated  depth {b['depth']:>3}  "
                      f"search {b['search']:7.2f}s (+{b['compile']:.2f}s compile)  {rate_b:>10,.0f} states/s  "
                      f"{b['bytes_per_state']:6.1f} bytes/state  ({b['leaves']} leaves, {b['bits']} bits)"
                      + ("" if b["complete"] else f"  INCOMPLETE: {b['reason']}"))
                if a.no_tlc:
                    continue
                t, why = run_tlc(paths, name, sym, a.timeout)
                if t is None:
                    print(f"  TLC: not run ({why})")
                    continue
                rate_t = t["distinct"] / t["seconds"] if t["seconds"] else 0.0
                print(f"  TLC -workers 1: {t['distinct']:>10,} distinct {t['generated']:>11,} generated  depth {t['depth']:>3}  "
                      f"{t['seconds']:7.2f}s (whole run)  {rate_t:>10,.0f} states/s")
                same = "same" if t["distinct"] == b["distinct"] else "DIFFERENT"
                verdicts = "same" if t["verdicts"] == b["verdicts"] else f"DIFFERENT: {t['verdicts']} vs {b['verdicts']}"
                print(f"  distinct states: {same}; verdicts: {verdicts}")
                total_b = b["search"] + b["compile"]
                print(f"  ratio builtin/TLC states/s: search only {rate_b / rate_t if rate_t else float('nan'):.2f}x, "
                      f"end to end {(b['distinct'] / total_b) / rate_t if rate_t else float('nan'):.2f}x")


if __name__ == "__main__":
    main()
