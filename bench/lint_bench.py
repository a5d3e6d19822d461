#!/usr/bin/env python3
"""Lint time against model size: a generated model of about 1 MB and 5 MB with one mistake at
the end, linted in-process (``movspec.load.load``, what ``movspec lint`` runs).

    .venv/bin/python bench/lint_bench.py [--sizes 1,5] [--error name|syntax|none] [--repeat 1]
                                         [--shape dense|commented]

The model is one actor family with many steps, many ``def``s and invariants over a struct
function, the shape a large real model takes. ``--error name`` ends it with an invariant that
names an undefined variable (a resolve error), ``syntax`` with a statement that does not parse,
``none`` with nothing wrong. ``--shape commented`` adds the comments a real model carries
(``spec/`` has about 16 bytes per token, the bare declarations about 4). For each size the
script prints the bytes, the seconds (CPU and wall) and the number of diagnostics; lint time
should grow linearly with the size. Timings on a loaded machine vary: compare the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HEADER = '''model big "a large generated model"

const Pages = {P1, P2} symmetric
const Cpus = {C1, C2} symmetric

enum Mapping { null, typeonly, ops }

struct Page {
    ref: 0..3 = 1
    mapping: Mapping = ops
    isolated: bool = false
}

var page: [Pages -> Page]
var count: 0..3 = 0

macro get_page(p, fail) {
    if page[p].ref == 0 { goto fail }
    page[p].ref += 1
}

'''


def chunk(i: int) -> str:
    """One block of declarations, about 600 bytes, numbered ``i``."""
    return (f'def movable_{i}(p) = page[p].mapping == ops && !page[p].isolated && page[p].ref > 0\n'
            f'invariant Hygiene_{i} "no freed page keeps its ops ({i})":\n'
            f'    forall p in Pages: page[p].ref == 0 => page[p].mapping != ops || movable_{i}(p)\n'
            f'actor worker_{i}(self in Cpus) "worker {i}" {{\n'
            f'    local p: Pages\n'
            f'    local m: Mapping = null\n'
            f'    step scan_{i} @ "mm/compaction.c:scan_{i}" {{ p = any Pages }}\n'
            f'    step get_{i} {{ get_page(p, scan_{i}) }}\n'
            f'    step look_{i} {{ if movable_{i}(p) {{ m = page[p].mapping }} else {{ m = null }} }}\n'
            f'    step put_{i} {{ await page[p].ref > 0  page[p].ref -= 1  goto scan_{i} }}\n'
            f'}}\n\n')


COMMENT = ('// The compactor scans the zone for movable pages, takes a reference and the page lock,\n'
           '// rechecks that the page is still movable and isolates it through the driver\'s a_ops;\n'
           '// the driver may release the page concurrently, and the module may be unloaded after\n'
           '// the last page is released (see mm/compaction.c and mm/migrate.c in v4.8).\n')


def commented_chunk(i: int) -> str:
    """The same declarations with the comments a real model carries (spec/ has about 16 bytes
    per token; the plain chunk about 4)."""
    return COMMENT * 3 + chunk(i).replace(f'"worker {i}"', f'"worker {i}: one compaction thread of the zone, '
                                          f'scanning, isolating and putting back pages"')


TAIL = {
    "name": 'invariant Last: forall p in Pages: pgae[p].ref <= 3\n',
    "syntax": 'invariant Last: forall p in Pages page[p].ref <= 3\n',
    "none": '',
}


def model_text(megabytes: float, error: str, shape: str = "dense") -> str:
    target = int(megabytes * 1_000_000)
    parts = [HEADER]
    size = len(HEADER)
    i = 0
    make = chunk if shape == "dense" else commented_chunk
    while size < target:
        c = make(i)
        parts.append(c)
        size += len(c)
        i += 1
    parts.append(TAIL[error])
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,5", help="model sizes in MB, comma-separated")
    ap.add_argument("--error", default="name", choices=sorted(TAIL))
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (the fastest is printed)")
    ap.add_argument("--shape", default="dense", choices=["dense", "commented"],
                    help="dense: declarations only (4 bytes per token); commented: with comments as in "
                         "spec/ (about 16 bytes per token)")
    args = ap.parse_args()
    from movspec.load import load

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    print(f"{'size':>10} {'bytes':>10} {'cpu s':>8} {'wall s':>8} {'diagnostics':>12}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (float(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"big_{mb:g}.mspec"
            path.write_text(model_text(mb, args.error, args.shape), encoding="utf-8")
            best = None
            for _ in range(args.repeat):
                c0, w0 = time.process_time(), time.perf_counter()
                result = load([path])
                c1, w1 = time.process_time(), time.perf_counter()
                if best is None or c1 - c0 < best[0]:
                    best = (c1 - c0, w1 - w0, len(result.diagnostics))
            rows.append((mb, path.stat().st_size) + best)
            print(f"{mb:>8g}MB {path.stat().st_size:>10} {best[0]:>8.2f} {best[1]:>8.2f} {best[2]:>12}",
                  flush=True)
    if len(rows) > 1:
        (mb0, _, c0, _, _), (mb1, _, c1, _, _) = rows[0], rows[-1]
        print(f"cpu time ratio {c1 / c0:.1f} for a size ratio {mb1 / mb0:.1f}")


if __name__ == "__main__":
    main()
