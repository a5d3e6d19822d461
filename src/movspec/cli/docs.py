"""CLI commands: ``docs`` (Markdown site and HTML report), ``explain`` (a counterexample told
step by step) and ``diff`` (two variants compared).

Each loads the model with the front end, checks the variants it needs with the embedded
checker, and hands the results to ``movspec.report``. Mistakes in the model are reported as
diagnostics (``file:line:col``, the source line, a caret); unknown variant or property names
get a hint naming the closest one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.text import Text

from ..diagnostics import did_you_mean
from ..ir.nodes import Model
from ..result import CheckResult, Verdict
from .common import USAGE, complete_properties, complete_variants, exit_status, timeout_option
from .jsonmode import JsonCommand, fail, print_json
from .progress import CheckProgress

# --------------------------------------------------------------------------- shared plumbing


@dataclass
class Loaded:
    models: dict[str, Model]
    deltas: dict[str, tuple]
    sources: dict[str, str]


def _fail(message: str, hint: str | None = None, code: int = USAGE) -> None:
    fail(message, hint, code, code="usage" if code == USAGE else "failed")


def load_models(paths) -> Loaded:
    """Load and resolve the model (default spec/); exit with diagnostics on mistakes."""
    from .common import load_or_exit, stderr_console

    result = load_or_exit(list(paths) if paths else None, stderr_console())
    deltas = {k: tuple(v) for k, v in (result.deltas or {}).items()}
    return Loaded(dict(result.models), deltas, dict(result.sources.files))


def check_model(model: Model, progress: CheckProgress | None = None, **options) -> CheckResult:
    """Check one variant with the embedded checker, saying how it goes on stderr (a live line
    on a terminal, progress lines when piped; ``progress`` to share one display). ``options``:
    the budgets of ``api.Options``."""
    from ..api import Options, check_builtin

    def run(pr: CheckProgress) -> CheckResult:
        pr.start(f"{model.variant} (builtin)")
        try:
            r = check_builtin(model, Options(**options), progress=pr.update, phase=pr.phase)
        except KeyboardInterrupt:
            pr.stop("interrupted")
            raise
        pr.stop(f"done, {r.stats.distinct:,} distinct states" if r.complete else
                f"stopped ({r.reason or 'incomplete'}), {r.stats.distinct:,} distinct states")
        return r

    if progress is not None:
        return run(progress)
    with CheckProgress(Console(stderr=True, highlight=False)) as pr:
        return run(pr)


def pluscal_of(model: Model) -> str | None:
    """The generated PlusCal/TLA+ module of ``model``, or None when the emitter cannot
    express it (the docs then leave the section out)."""
    from ..emit import EmitError, emit
    try:
        return emit(model).tla
    except EmitError:  # an emitter limit must not stop the docs; the check still reports
        return None


def _variant(loaded: Loaded, name: str) -> Model:
    if name not in loaded.models:
        known = ", ".join(loaded.models)
        _fail(f"no variant `{name}` in the model (variants: {known})", did_you_mean(name, loaded.models))
    return loaded.models[name]


def _budget_options(f):
    f = timeout_option()(f)
    f = click.option("--max-states", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Stop after this many distinct states (the verdict is then incomplete).")(f)
    return f


def _options(max_states, timeout) -> dict:
    opts = {}
    if max_states is not None:
        opts["max_states"] = max_states
    if timeout is not None:
        opts["timeout"] = timeout
    return opts


def _console() -> Console:
    return Console(highlight=False)


# --------------------------------------------------------------------------- docs


@click.command("docs", cls=JsonCommand, epilog=exit_status("the files were written", "the model has errors"))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "-o", "out", default="out/docs", show_default=True, type=click.Path(file_okay=False),
              help="Directory to write the site into.")
@click.option("--markdown/--no-markdown", default=True, show_default=True, help="Write the Markdown site.")
@click.option("--html/--no-html", default=True, show_default=True, help="Write the single-file HTML report.")
@click.option("--check/--no-check", "run_check", default=True, show_default=True,
              help="Check every variant (without it, the docs show no verdicts).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the files written and each variant's verdicts as JSON on stdout; errors too.")
@_budget_options
def docs_command(paths, out, markdown, html, run_check, as_json, max_states, timeout) -> None:
    """Generate documentation from the model: a Markdown site and an HTML report.

    Per variant: description and design source, actors and steps with their kernel
    anchors, the delta from its base, the generated PlusCal, the verdicts, and every
    counterexample (a Mermaid sequence diagram in Markdown, a step-through viewer in HTML).
    The output is deterministic: generating twice gives identical files.
    """
    from ..outfile import OutputError, ensure_dir, preflight, write_text
    from ..report.context import Site, VariantDoc
    from ..report.html import render_html
    from ..report.markdown import render_site

    loaded = load_models(paths)
    try:  # a file where the directory goes: say so before checking every variant
        preflight(out, directory=True)
    except OutputError as exc:
        fail(str(exc), status=2, code="output")
    variants = []
    with CheckProgress(Console(stderr=True, highlight=False)) as progress:
        for name, model in loaded.models.items():
            result = check_model(model, progress, **_options(max_states, timeout)) if run_check else None
            variants.append(VariantDoc(model, result, loaded.deltas.get(name, ()), pluscal_of(model)))
        site = Site(variants, loaded.sources)
        outdir = Path(out)
        pages: dict[str, str] = {}
        if markdown:
            progress.note("rendering the Markdown site")
            pages.update(render_site(site))
        if html:
            progress.note("rendering the HTML report")
            pages["report.html"] = render_html(site)
        progress.note(f"writing {len(pages)} files to {outdir}")
    written = []
    try:  # every page is rendered before the first is written; each replaces its file atomically
        ensure_dir(outdir)
        for rel, text in pages.items():
            path = outdir / rel
            if not path.resolve().is_relative_to(outdir.resolve()):  # page names come from slugs
                raise OutputError(path, "outside the output directory")
            write_text(path, text)
            written.append(path)
    except OutputError as exc:
        fail(str(exc), status=2, code="output")
    if as_json:
        print_json({"ok": True, "out": str(outdir), "files": [str(p) for p in written],
                    "report": str(outdir / "report.html") if html else None,
                    "variants": [{"variant": v.model.variant, "checker": v.result.checker if v.result else None,
                                  "verdicts": {p.name: p.verdict.value for p in v.result.properties}
                                  if v.result else None} for v in variants]})
        return
    click.echo(f"wrote {len(written)} files to {outdir}" + (f" (open {outdir / 'report.html'})" if html else ""))


# --------------------------------------------------------------------------- explain


@click.command("explain", cls=JsonCommand, epilog=exit_status("the counterexample was told, or the property holds",
                                             "the model has errors, or the check was incomplete or failed"))
@click.argument("variant", shell_complete=complete_variants)
@click.argument("prop", metavar="PROPERTY", shell_complete=complete_properties)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--full", is_flag=True, help="Show every process's locals and the globals after each step.")
@click.option("--lanes/--no-lanes", default=True, show_default=True, help="Also show the trace as lanes.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the verdict, the explanation and the trace as JSON on stdout.")
@_budget_options
def explain_command(variant, prop, paths, full, lanes, as_json, max_states, timeout) -> None:
    """Tell the counterexample of PROPERTY in VARIANT step by step, in kernel terms.

    PATHS are the model's files or directory (default: spec/)."""
    from ..report.explain import explain_lines
    from ..report.lanes import lanes_table

    loaded = load_models(paths)
    model = _variant(loaded, variant)
    names = list(model.property_names)
    if prop not in names:
        _fail(f"variant `{variant}` has no property `{prop}` (properties: {', '.join(names)})",
              did_you_mean(prop, names))
    result = check_model(model, **_options(max_states, timeout))
    p = result.property(prop)
    console = _console()
    if p is None:
        _fail(f"the checker reported nothing on `{prop}`" + (f": {result.error}" if result.error else ""), code=1)
    status = 0 if p.verdict in (Verdict.HOLDS, Verdict.VIOLATED) else 1
    why = None
    if p.verdict is not Verdict.VIOLATED:
        why = {Verdict.HOLDS: "there is no counterexample to explain",
               Verdict.INCOMPLETE: f"the search stopped early ({result.reason or 'budget'}); no counterexample was found",
               Verdict.ERROR: f"the check failed: {p.message or result.error}"}[p.verdict]
    if as_json:
        print_json({"variant": variant, "property": prop, "kind": p.kind, "backend": result.backend,
                     "checker": result.checker,
                     "verdict": p.verdict.value, "message": p.message, "reason": why,
                     "explanation": list(explain_lines(p, model, variant)) if why is None else [],
                     "trace": p.trace.to_json() if p.trace is not None else None,
                     "stats": result.stats.to_json()})
        sys.exit(status)
    checked = Text(f"checked by {result.checker}, {result.stats.distinct:,} distinct states", style="dim")
    if why is not None:
        console.print(f"`{prop}` {p.verdict.value} in `{variant}`: {why}.")
        console.print(checked)
        sys.exit(status)
    console.print(Markdown("\n\n".join(explain_lines(p, model, variant))))
    if lanes and p.trace is not None:
        console.print()
        console.print(lanes_table(p.trace, model, full=full, title=f"{variant} · {prop} as lanes"))
    console.print(checked)


# --------------------------------------------------------------------------- diff


@click.command("diff", cls=JsonCommand, epilog=exit_status("the comparison was printed", "the model has errors"))
@click.argument("variant_a", shell_complete=complete_variants)
@click.argument("variant_b", shell_complete=complete_variants)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check/--no-check", "run_check", default=True, show_default=True,
              help="Check both variants and compare verdicts (and replay A's counterexamples on B).")
@click.option("--lanes", is_flag=True, help="Show each replayed counterexample as lanes, up to where B departs.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the differences, the verdicts and the replays as JSON on stdout.")
@_budget_options
def diff_command(variant_a, variant_b, paths, run_check, lanes, as_json, max_states, timeout) -> None:
    """Show how VARIANT_B differs from VARIANT_A: the deltas side by side (stacked when the
    terminal is too narrow), the verdicts, and where B blocks each of A's counterexamples.

    PATHS are the model's files or directory (default: spec/)."""
    from dataclasses import asdict

    from ..report.diff import model_diff, replay_on, verdict_diff
    from ..report.diff_view import DiffView, verdict_table

    loaded = load_models(paths)
    a = _variant(loaded, variant_a)
    b = _variant(loaded, variant_b)
    console = _console()
    items = model_diff(a, b, loaded.sources)
    doc: dict = {"a": variant_a, "b": variant_b, "differences": [asdict(it) for it in items]}
    if not as_json:
        if items:
            console.print(DiffView(items, variant_a, variant_b))
        else:
            console.print(f"`{variant_a}` and `{variant_b}` are the same model.")
    if not run_check:
        if as_json:
            print_json(doc)
        return
    ra = check_model(a, **_options(max_states, timeout))
    rb = check_model(b, **_options(max_states, timeout))
    rows = verdict_diff(ra, rb)
    doc["verdicts"] = [{"property": r.prop, "a": r.a.value if r.a else None, "b": r.b.value if r.b else None,
                        "same": r.same} for r in rows]
    doc["distinct"] = {"a": ra.stats.distinct, "b": rb.stats.distinct}
    doc["checker"] = ra.checker
    doc["replays"] = []
    if not as_json:
        console.print(verdict_table(rows, ra, rb))
        console.print(Text(f"checked by {ra.checker}", style="dim"))
    for p in ra.properties:
        if p.verdict is not Verdict.VIOLATED or p.trace is None:
            continue
        rep = replay_on(p.trace, b, variant_a, variant_b)
        doc["replays"].append({"property": p.name, "steps": len(p.trace) - 1, "reproduced": rep.reproduced,
                               "blocked_at": rep.blocked_at, "reason": rep.reason})
        if as_json:
            continue
        head = Text(f"{variant_a}'s counterexample to {p.name} ({len(p.trace) - 1} steps) on {variant_b}: ",
                    style="bold")
        head.append(rep.reason, style="green" if not rep.reproduced else "red")
        console.print(head)
        if lanes:
            from dataclasses import replace as _replace

            from ..report.lanes import lanes_table
            upto = len(p.trace.steps) if rep.blocked_at is None else rep.blocked_at + 1
            shown = _replace(p.trace, steps=p.trace.steps[:upto])
            title = (f"{variant_a} · {p.name}: the steps {variant_b} can follow"
                     + (f", then step {rep.blocked_at}, where it departs" if rep.blocked_at is not None else ""))
            console.print(lanes_table(shown, a, title=title))
    if as_json:
        print_json(doc)


commands: list[click.Command] = [docs_command, explain_command, diff_command]
