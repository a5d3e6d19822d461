#!/usr/bin/env python3
"""Sweep a constant and tabulate the verdicts, with the public Python API.

    .venv/bin/python examples/api/sweep.py [--variant v4_8] [--const MaxRef] [--values 1,2,3,4]

For each value the script adds a variant that extends the chosen one with the constant
overridden (``variant sweep_<v> extends V { const C = <v> }``), checks every such variant
with the builtin checker, and prints one row per property: which values make it hold.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import movspec

ROOT = Path(__file__).resolve().parents[2]


def sweep(spec: Path, variant: str, const: str, values: list[int]) -> list[movspec.CheckResult]:
    with tempfile.TemporaryDirectory() as tmp:
        for f in spec.glob("*.mspec"):
            shutil.copy(f, Path(tmp) / f.name)
        (Path(tmp) / "zz_sweep.mspec").write_text("".join(
            f'variant sweep_{v} extends {variant} "{const} = {v}" {{ const {const} = {v} }}\n' for v in values))
        loaded = movspec.load([tmp])
        if not loaded.ok:
            raise SystemExit("\n".join(d.render(loaded.sources) for d in loaded.errors))
        return movspec.check(loaded, variants=[f"sweep_{v}" for v in values])


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
