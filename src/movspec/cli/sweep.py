"""``movspec check --sizes Pages=2..3,Cpus=2..3``: the model checked at every combination of
sizes, smallest first, each combination as ``check --const`` would check it (same back ends,
budgets, cache and expectations), then a table saying, per violated property, the smallest
sizes at which it is violated: the combinations with a violation that no smaller combination
with a violation lies under (sizes compared one constant at a time).

``--json`` writes ``{"sweep": [{"consts": {...}, <the check document>}, ...], "smallest":
[...]}``; JUnit, SARIF and ITF outputs are for one size (``--const``) and refused here.
"""

from __future__ import annotations

import json
from dataclasses import replace
import sys

from rich.console import Console
from rich.text import Text

from ..ir.overrides import Override
from ..result import Verdict
from .common import load_or_exit, usage_error
from .progress import CheckProgress
from .results import report, select_models, shown_results
from .run import RunOptions, restore_sigterm, run_models, stop_on_sigterm


def refuse_outputs(**paths) -> None:
    given = [k.replace("_path", "").replace("_dir", "") for k, v in paths.items() if v]
    if given:
        usage_error(f"--{given[0]} writes the results of one size, not of a --sizes sweep",
                    "use --json for the sweep, or --const NAME=N to check one size")


def label(combo: tuple[Override, ...]) -> str:
    return ", ".join(str(o) for o in combo)


def smallest(violations: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The minimal elements of ``violations`` (componentwise order), in their order."""
    def under(a, b):
        return a != b and all(x <= y for x, y in zip(a, b))
    return [v for v in violations if not any(under(w, v) for w in violations)]


def run_sweep(paths, first_loaded, combos: list[tuple[Override, ...]], consts: tuple[Override, ...], variants,
              properties, opts: RunOptions, cache, console: Console, err: Console, json_path) -> None:

    failed = False
    runs = []  # (combo, models, shown results)
    violated: dict[tuple[str, str], list[tuple[int, ...]]] = {}
    order: dict[tuple[str, str], int] = {}  # rows in variant, then property order
    incomplete: dict[tuple[str, str], list[tuple[int, ...]]] = {}
    interrupted = False
    terminated = stop_on_sigterm()
    try:
        for i, combo in enumerate(combos):
            console.rule(Text(f"sizes {label(combo)}", style="bold"))
            loaded = first_loaded if i == 0 else load_or_exit(paths, err, consts=consts + combo, note_consts=False)
            models = select_models(loaded.models, variants, properties)
            o = replace(opts, consts=tuple(str(x) for x in consts + combo))
            with CheckProgress(console, not opts.quiet) as progress:
                out = run_models(models, o, console, progress, cache)
            failed |= report(console, out, models, opts.backend, "none", False, label=f"[{label(combo)}] ")
            shown = shown_results(out, opts.backend)
            runs.append((combo, models, shown))
            sizes = tuple(x.size for x in combo if x.expr is None)
            for r in shown:
                for p in r.properties:
                    order.setdefault((r.variant, p.name), len(order))
                    if p.verdict is Verdict.VIOLATED:
                        violated.setdefault((r.variant, p.name), []).append(sizes)
                    elif p.verdict is not Verdict.HOLDS:
                        incomplete.setdefault((r.variant, p.name), []).append(sizes)
            if out.interrupted:
                interrupted = True
                break
    finally:
        restore_sigterm()
    names = [o.name for o in combos[0] if o.expr is None]
    violated = dict(sorted(violated.items(), key=lambda kv: order[kv[0]]))
    table = _summary(console, names, violated, incomplete, len(runs), len(combos))
    if json_path:
        _write_json(json_path, runs, table, names)
    if interrupted:
        console.print(Text("interrupted: the sweep above is partial", style="yellow"))
        sys.exit(143 if terminated else 130)
    sys.exit(1 if failed else 0)


def _summary(console: Console, names, violated, incomplete, done: int, total: int) -> list[dict]:
    from rich import box
    from rich.table import Table

    def show(s):
        return ", ".join(f"{n}={v}" for n, v in zip(names, s))

    rows = []
    t = Table(box=box.SIMPLE, title=f"smallest sizes with a violation ({done} of {total} size combinations "
                                    "checked)", title_justify="left")
    for c in ("variant", "property", "smallest sizes violated", "not decided at"):
        t.add_column(c, overflow="fold", no_wrap=c in ("variant", "property"))
    for (variant, prop), found in violated.items():
        least = smallest(found)
        # an undecided combination not above a smallest violation may hide a smaller one
        undecided = [s for s in incomplete.get((variant, prop), [])
                     if not any(all(x <= y for x, y in zip(m, s)) for m in least)]
        rows.append({"variant": variant, "property": prop,
                     "smallest": [dict(zip(names, s)) for s in least],
                     "undecided": [dict(zip(names, s)) for s in undecided]})
        t.add_row(variant, prop, "; ".join(show(s) for s in least), "; ".join(show(s) for s in undecided))
    if rows:
        console.print(t)
    else:
        console.print(Text(f"no violation at any of the {done} size combinations checked", style="green"))
    undecided_only = [(v, p) for (v, p) in incomplete if (v, p) not in violated]
    if undecided_only:
        console.print(Text("not decided (incomplete or error) at some size, never violated: "
                           + ", ".join(f"{v}.{p}" for v, p in undecided_only), style="yellow"))
    return rows


def _write_json(path: str, runs, table, names) -> None:
    from .. import __version__
    from ..outfile import OutputError, write_text
    from ..report.outputs import result_document
    from ..result import SCHEMA_VERSION

    doc = {"schema_version": SCHEMA_VERSION, "tool": "movspec", "version": __version__, "constants": names,
           "sweep": [{"consts": {o.name: o.size if o.expr is None else o.expr for o in combo},
                      **result_document(shown, models)}
                     for combo, models, shown in runs],
           "smallest": table}
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        write_text(path, text)
    except OutputError as exc:
        usage_error(str(exc))
