"""Check every variant of spec/ with TLC and print the figures: TLC runs, states generated,
distinct states, depth, wall seconds, and whether the embedded checker agrees.

    MOVSPEC_TLA2TOOLS=/path/to/tla2tools.jar python bench/tlc_spec.py [spec] [--workers N] [--no-symmetry]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from movspec.explore import check as builtin_check
from movspec.load import load
from movspec.tlc import available, check_model


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", default=["spec"])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--no-symmetry", action="store_true")
    args = ap.parse_args()
    ok, why = available()
    if not ok:
        print(why, file=sys.stderr)
        return 2
    print(f"# {why}")
    res = load(args.paths)
    if not res.ok:
        print("spec does not load", file=sys.stderr)
        return 2
    print(f"{'variant':28} {'runs':>4} {'generated':>10} {'distinct':>9} {'depth':>5} {'seconds':>8}  builtin")
    for name, model in res.models.items():
        with tempfile.TemporaryDirectory() as d:
            t0 = time.monotonic()
            r = check_model(model, workers=args.workers, symmetry=not args.no_symmetry, keep_dir=d)
            secs = time.monotonic() - t0
            runs = len(list(Path(d).glob("run*.cfg")))
        if r.error:
            print(f"{name:28} error: {r.error}")
            continue
        b = builtin_check(model, symmetry=r.symmetry)
        same = (b.stats.distinct, b.stats.depth) == (r.stats.distinct, r.stats.depth) and all(
            p.verdict.value == "incomplete" or r.verdict(p.name) is p.verdict for p in b.properties)
        print(f"{name:28} {runs:>4} {r.stats.generated:>10} {r.stats.distinct:>9} {r.stats.depth:>5} "
              f"{secs:>8.1f}  {'agrees' if same else 'DISAGREES'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
