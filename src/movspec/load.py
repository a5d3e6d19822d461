"""Files -> resolved, checked models: the front end in one call.

``load(paths)`` reads ``.mspec`` files (a directory means its ``*.mspec`` files in name order),
parses them, builds one ``ir.Model`` per variant and runs the semantic checks. It never raises
on bad input: every problem is a ``Diagnostic`` (missing files, undecodable bytes, syntax,
names, types, label rules...). ``LoadResult.ok`` is False when any error was found; the
models may then be incomplete and must not be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Sequence

from .diagnostics import Diagnostic, Severity, SourceMap, did_you_mean, error
from .dsl import ast as A
from .dsl.parser import decode, parse
from .gcpause import gc_paused
from .ir.build import Delta, build
from .ir.nodes import Model
from .ir.overrides import Override, OverrideError
from .span import Span

__all__ = ["Delta", "LoadResult", "load", "load_text", "load_files"]


@dataclass
class LoadResult:
    models: dict[str, Model] = field(default_factory=dict)  # variant name -> model, declaration order
    diagnostics: list[Diagnostic] = field(default_factory=list)  # sorted by file, line, column
    sources: SourceMap = field(default_factory=SourceMap)
    deltas: dict[str, list[Delta]] = field(default_factory=dict)  # variant -> its deltas as written
    files: list[A.File] = field(default_factory=list)  # the syntax trees (for `show`, docs)
    # what the model means where it is silent (a local's starting value ...): `lint --verbose`
    notes: list[Diagnostic] = field(default_factory=list)
    # constants set by the caller (``consts=``): names no variant declares, values that do not fit
    unknown_consts: list[str] = field(default_factory=list)
    const_names: set[str] = field(default_factory=set)
    override_errors: list[OverrideError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def _sort_key(d: Diagnostic):
    # root causes (a variant delta naming a missing step) first: what follows may be their effects
    s = d.span
    if s is None:
        return (not d.cause, "", 0, 0, d.message)
    return (not d.cause, s.file, s.line, s.col, d.message)


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    # base declarations are resolved once per variant: report each finding once
    # (a mistake in a macro's body found at each of its calls is one finding naming them all)
    seen: dict[tuple, int] = {}
    out: list[Diagnostic] = []
    for d in diags:
        key = (d.severity, d.message, d.span, d.hint)
        if key not in seen:
            seen[key] = len(out)
            out.append(d)
        elif d.related:
            first = out[seen[key]]
            more = tuple(r for r in d.related if r not in first.related)
            if more and len(first.related) < 3:
                out[seen[key]] = replace(first, related=(first.related + more)[:3])
    return sorted(out, key=_sort_key)


def _expand(paths: Sequence[str | Path], diags: list[Diagnostic]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(q for q in path.glob("*.mspec") if q.is_file())
            if not found:
                diags.append(error(f"no .mspec files in directory `{path}`", None,
                                   "a model is one or more `.mspec` files; pass them or their directory",
                                   "no-input"))
            out.extend(found)
        elif path.exists():
            out.append(path)
        else:
            diags.append(error(f"no such file or directory: `{path}`", None,
                               "check the path", "no-input"))
    return out


PRELUDE_PREFIX = "movspec:"  # the file name of a prelude in diagnostics: `movspec:linux/pagemap.mspec`


def load_files(texts: Sequence[tuple[str, str | bytes]], consts: Sequence[Override] = ()) -> LoadResult:
    """Load a model from in-memory ``(filename, text or bytes)`` pairs. ``consts`` set
    constants in every variant (``--const``; see ``ir.overrides``)."""
    res = LoadResult()
    diags: list[Diagnostic] = []
    files: list[A.File] = []
    for name, data in texts:
        if isinstance(data, bytes):
            text, ds = decode(data, name)
            diags.extend(ds)
            if text is None:
                res.sources.add(name, data.decode("utf-8", "replace"))
                continue
        else:
            text = data
        res.sources.add(name, text)
        tree, ds = parse(text, name)
        diags.extend(ds)
        if tree is not None:
            files.append(tree)
    if not diags:
        files = _with_preludes(files, res, diags)
    res.files = files
    if diags:
        # a file that did not parse would make every later finding misleading
        res.diagnostics = _dedupe(diags)
        return res
    if not files:
        res.diagnostics = [error("no model to load", None, "pass .mspec files or a directory", "no-input")]
        return res
    try:
        with gc_paused():  # the IR holds no cycles; collections over it made lint time quadratic
            built = build(files, tuple(consts))
            res.unknown_consts, res.const_names = built.unknown_consts, built.const_names
            res.override_errors = built.override_errors
            diags.extend(built.diagnostics)
            res.models = built.models
            res.deltas = built.deltas
            res.notes = _dedupe(built.notes)
            from .check import check_models
            from .check.macro_sites import with_macro_sites
            diags.extend(with_macro_sites(check_models(built, files), files))
    except RecursionError:
        diags.append(error("expression nested too deeply", Span(files[0].path, 1, 1, 1, 2),
                           "split deep expressions into `def`s", "too-deep"))
        res.models = {}
    # a prelude declares more than one model uses: its unused declarations are not the model's
    res.diagnostics = _dedupe([d for d in diags if not (d.code == "unused" and d.span is not None
                                                      and d.span.file.startswith(PRELUDE_PREFIX))])
    return res


def preludes() -> list[str]:
    """The preludes a model can import (``linux/pagemap``, ...)."""
    root = resources.files("movspec").joinpath("prelude")
    out = []
    for d in root.iterdir():
        if d.is_dir():
            out += [f"{d.name}/{f.name[:-len('.mspec')]}" for f in d.iterdir() if f.name.endswith(".mspec")]
    return sorted(out)


def _with_preludes(files: list[A.File], res: LoadResult, diags: list[Diagnostic]) -> list[A.File]:
    """``files`` without their ``import`` lines, and the preludes they import (each once, and
    what those import), parsed like the model's own files."""
    out: list[A.File] = []
    done: set[str] = set()
    queue = list(files)
    while queue:
        f = queue.pop(0)
        for d in f.decls:
            if not isinstance(d, A.ImportD) or d.path in done:
                continue
            done.add(d.path)
            known = preludes()
            if d.path not in known:
                diags.append(error(f"unknown import `{d.path}`", d.span,
                                   "; ".join(x for x in (did_you_mean(d.path, known),
                                                         f"preludes: {', '.join(known)}") if x),
                                   "unknown-import"))
                continue
            name = f"{PRELUDE_PREFIX}{d.path}.mspec"
            group, stem = d.path.split("/", 1)
            text = resources.files("movspec").joinpath("prelude", group, f"{stem}.mspec").read_text("utf-8")
            res.sources.add(name, text)
            tree, ds = parse(text, name)
            diags.extend(ds)
            if tree is not None:
                queue.append(tree)
        out.append(replace(f, decls=tuple(d for d in f.decls if not isinstance(d, A.ImportD))))
    return out


def load(paths: Sequence[str | Path], consts: Sequence[Override] = ()) -> LoadResult:
    """Load one model from files and/or directories (``*.mspec``, name order)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    diags: list[Diagnostic] = []
    files = _expand(paths, diags)
    texts: list[tuple[str, bytes]] = []
    for f in files:
        try:
            texts.append((str(f), f.read_bytes()))
        except OSError as exc:
            diags.append(error(f"cannot read `{f}`: {exc.strerror or exc}", None,
                               "check the file's permissions", "io"))
    if diags:
        res = LoadResult()
        for name, data in texts:
            text, _ = decode(data, name)
            if text is not None:
                res.sources.add(name, text)
        res.diagnostics = _dedupe(diags)
        return res
    return load_files(texts, consts)


def load_text(text: str, filename: str = "<string>") -> LoadResult:
    """Load a model written in one string."""
    return load_files([(filename, text)])
