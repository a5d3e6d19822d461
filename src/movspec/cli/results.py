"""How check results are selected and shown: the variants and properties asked for, the
verdict matrix, the builtin-vs-TLC comparison and the expectations not met (used by
``check`` and by its ``--sizes`` sweep)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..api import UnknownName, select
from ..expect import mismatches
from ..ir.nodes import Model
from ..result import CheckResult
from .common import usage_error
from .run import Outcome


def select_models(models: dict[str, Model], variants, properties) -> dict[str, Model]:
    """The variants and properties asked for (``api.select``; usage error, exit 2, for a name
    not there)."""
    try:
        return select(models, variants, properties)
    except UnknownName as exc:
        usage_error(exc.message, exc.hint)


def print_results_matrix(console: Console, results, models, traces: str, full: bool) -> None:
    from ..report.terminal import print_results
    print_results(console, results, models, traces=traces, full=full)
    for r in results:
        if r.stats.fingerprints:
            console.print(Text(fingerprint_note(r), style="dim"))


def fingerprint_note(r) -> str:
    """The line a fingerprinted result is printed with (next to its verdicts)."""
    s = r.stats
    if s.collision_bound == 0.0:
        return (f"{r.variant}: fingerprints: exact here (its states fit in 63 bits, and such a state "
                f"is its own fingerprint)")
    return (f"{r.variant}: fingerprints: the probability that two of the {s.distinct:,} states were "
            f"merged (which could hide a violation) is at most {s.collision_bound:.2g}; TLC's optimistic "
            f"estimate: {s.collision_optimistic:.2g}")


def print_comparison(console: Console, pairs) -> None:
    from rich import box
    from rich.table import Table
    t = Table(box=box.SIMPLE, title="builtin vs TLC", title_justify="left")
    # two-line headers keep the table within 80 columns beside a long variant name
    for c in ("variant", "builtin\ndistinct", "TLC\ndistinct", "builtin\ntime", "TLC\ntime", "agree"):
        t.add_column(c, justify="left" if c in ("variant", "agree") else "right",
                     no_wrap=c != "variant", overflow="fold")
    for ref in pairs:
        b, r, ok = ref.builtin, ref.tlc, ref.agree
        t.add_row(b.variant, f"{b.stats.distinct:,}", f"{r.stats.distinct:,}", f"{b.stats.seconds:.2f}s",
                  f"{r.stats.seconds:.2f}s", Text("yes", style="green") if ok else Text("NO", style="bold red"))
    console.print(t)


def shown_results(out: Outcome, chosen: str) -> list[CheckResult]:
    if chosen == "both":
        return [p.builtin for p in out.pairs] + [p.tlc for p in out.pairs] + out.partial
    return out.results


def report(console: Console, out: Outcome, models: dict[str, Model], chosen: str, traces: str, full: bool,
           print_matrix: bool = True, label: str = "") -> bool:
    """Print the results (unless ``print_matrix`` is False), what came from the cache, the
    expectations not met and (``both``) the disagreements; True when any of those failed."""
    pairs = out.pairs
    if print_matrix and chosen == "both":
        for name, group in (("builtin", [p.builtin for p in pairs]), ("TLC", [p.tlc for p in pairs])):
            console.rule(Text(name, style="bold"))
            print_results_matrix(console, group, models, traces if name == "builtin" else "none", full)
        print_comparison(console, pairs)
    elif print_matrix:
        print_results_matrix(console, out.results, models, traces, full)
    if out.cached:
        names = ", ".join(f"{v} ({'TLC' if b == 'tlc' else b})" for v, b in out.cached)
        console.print(Text(f"{label}from the cache: {names}; --no-cache checks them again", style="dim"))
    failed = False
    problems = []
    for r in shown_results(out, chosen):
        model = models.get(r.variant)
        if model is not None:
            problems += [f"[{r.backend}] {m.message}" for m in mismatches(r, model)]
    if problems:
        failed = True
        console.print(Text(f"{label}expectations not met:", style="bold red"))
        for p in problems:
            console.print(Text(f"  {p}"))
    if chosen == "both":
        dis = [d for p in pairs for d in p.disagreements]
        if dis:
            failed = True
            console.print(Text(f"{label}the builtin checker and TLC disagree:", style="bold red"))
            for d in dis:
                console.print(Text(f"  {d}"))
        elif pairs:
            console.print(Text(f"{label}builtin and TLC agree on {len(pairs)} variant{'s' if len(pairs) != 1 else ''}",
                               style="green"))
    return failed
