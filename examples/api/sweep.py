#!/usr/bin/env python3
"""Sweep a constant and tabulate the verdicts, with the public Python API.

    .venv/bin/python examples/api/sweep.py [--variant v4_8] [--const MaxRef] [--values 1,2,3,4]

For each value the script checks the chosen variant with the constant set to it (``consts=``,
as ``movspec check --const C=<v>``) with the builtin checker, and prints one row per property:
which values make it hold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import movspec

ROOT = Path(__file__).resolve().parents[2]


def sweep(spec: Path, variant: str, const: str, values: list[int]) -> list[movspec.CheckResult]:
    loaded = movspec.load([spec])
    if not loaded.ok:
        raise SystemExit("\n".join(d.render(loaded.sources) for d in loaded.errors))
    try:
        return [movspec.check(loaded, variants=[variant], consts={const: v})[0] for v in values]
    except (movspec.ConstError, movspec.UnknownName) as exc:  # a constant or variant the model lacks
        raise SystemExit(f"error: {exc}" + (f"\nhint: {exc.hint}" if exc.hint else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=str(ROOT / "spec"))
    ap.add_argument("--variant", default="v4_8")
    ap.add_argument("--const", default="MaxRef")
    ap.add_argument("--values", default="1,2,3,4")
    a = ap.parse_args()
    values = [int(v) for v in a.values.split(",")]
    results = sweep(Path(a.spec), a.variant, a.const, values)
    names = [p.name for p in results[0].properties]
    width = max(len(n) for n in names)
    print(f"{'':{width}}  " + "  ".join(f"{a.const}={v:<3}" for v in values))
    for n in names:
        print(f"{n:{width}}  " + "  ".join(f"{r.verdict(n).value:<{len(a.const) + 4}}" for r in results))
    sys.exit(0)


if __name__ == "__main__":
    main()
