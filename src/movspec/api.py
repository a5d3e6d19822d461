"""The public Python API, for scripts, notebooks and CI (``import movspec``).

::

    import movspec

    loaded = movspec.load(["spec/"])              # LoadResult: models per variant, diagnostics
    if not loaded.ok:
        raise SystemExit("\\n".join(d.render(loaded.sources) for d in loaded.errors))
    results = movspec.check(loaded, variants=["v4_8", "v3"])       # builtin checker
    for r in results:
        print(r.variant, {p.name: p.verdict.value for p in r.properties})
    print(movspec.explain(results[1], "NoUseAfterUnload", loaded))  # the counterexample, told
    print(movspec.mismatches(results[1], loaded.models["v3"]))      # against its `expect` lines

``check`` takes a ``LoadResult`` (or a dict variant -> ``Model``, one ``Model``, or the paths to
load) and returns one
``CheckResult`` per variant (``movspec.result``: verdicts, traces, statistics; their JSON form,
``results_to_json``, follows ``report/schemas/result.schema.json``). With ``backend="both"``
each variant is checked by both checkers and ``Referee`` results say where they disagree.
Constants are set as ``movspec check --const`` sets them: ``load(paths, consts={"Pages": 3})``
or ``check(loaded, consts=...)`` (which loads the model's files again with them).
Nothing here prints or exits; a model with errors never raises (see ``load``), and a back end
that cannot run gives ERROR verdicts with the reason. A wrong argument raises: an unknown
variant or property ``UnknownName`` (a ``KeyError``), an unknown back end ``ValueError``, an
unknown constant or a value that does not fit ``ConstError`` (a ``ValueError``), each with the
message and hint ``movspec check`` prints.

``movspec check`` is built on this module: it selects with ``select``, sets its budgets in
``Options``, picks the back end with ``backend_of``, and runs each variant with
``check_builtin`` / ``check_tlc`` (adding the result cache, worker processes and progress).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .diagnostics import did_you_mean
from .expect import Mismatch, disagreements, mismatches
from .ir.nodes import Model
from .ir.overrides import Override, OverrideError, parse_override
from .load import PRELUDE_PREFIX, LoadResult, load_files
from .load import load as _load
from .result import CheckResult, PropertyResult, Verdict, results_to_json

BACKENDS = ("builtin", "tlc", "both", "simulate")
AUTO = "auto"  # the embedded checker: TLC runs only when asked for


# ---------------------------------------------------------------------- wrong arguments


class UnknownName(KeyError):
    """A variant or property the model does not have (``hint``: the nearest name)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return self.message


class ConstError(ValueError):
    """A constant the model does not declare, or a value that does not fit its declaration
    (``hint``: how to write it)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


# ---------------------------------------------------------------------- loading, with constants

ConstValue = int | str | Iterable[str]


def overrides(consts: Mapping[str, ConstValue] | Iterable[str | Override] | None) -> tuple[Override, ...]:
    """``{"Pages": 3, "Cpus": {"C1", "C2"}, "MaxRef": "Cpus+1"}`` (or ``["Pages=3", ...]``, or
    ``Override``s) as the ``--const`` values they are: an integer is a set's size or an integer
    constant's value, a string is written as after ``--const NAME=``, a collection of names is
    the set itself. ``ConstError`` on a value of no such form."""
    if not consts:
        return ()
    out: dict[str, Override] = {}
    items = consts.items() if isinstance(consts, Mapping) else [(None, c) for c in consts]
    for name, value in items:
        try:
            if isinstance(value, Override):
                o = value
            elif name is None and isinstance(value, str):
                o = parse_override(value)
            elif name is None:
                raise ConstError(f"{value!r} is not NAME=VALUE", "pass a dict {name: value} or \"NAME=VALUE\" strings")
            elif isinstance(value, bool) or not isinstance(value, (int, str, list, tuple, set, frozenset)):
                raise ConstError(f"`{name}`: {value!r} is neither an integer, a set of names nor an expression",
                                 f"give {name}=3 (a size or an integer), {{'P1', 'P2'}} or \"Cpus+1\"")
            elif isinstance(value, (int, str)):
                o = parse_override(f"{name}={value}")
            else:  # a set's names: the order given (sorted when a set)
                names = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
                o = parse_override(f"{name}={{{','.join(str(a) for a in names)}}}")
        except OverrideError as exc:
            raise ConstError(str(exc), exc.hint) from None
        if o.name in out:
            raise ConstError(f"`{o.name}` is given twice ({out[o.name]} and {o})", "give each constant once")
        out[o.name] = o
    return tuple(out.values())


def const_problem(result: LoadResult) -> ConstError | None:
    """The first constant of a load that did not apply (a name no variant declares, a value
    that does not fit), as ``ConstError``; None when every one applied."""
    if result.unknown_consts:
        name = result.unknown_consts[0]
        known = sorted(result.const_names)
        return ConstError(f"the model has no constant `{name}` to set",
                          did_you_mean(name, known) or f"its constants: {', '.join(known) or 'none'}")
    if result.override_errors:
        exc = result.override_errors[0]
        return ConstError(str(exc), exc.hint)
    return None


def load(paths: str | Path | Sequence[str | Path], consts: Mapping[str, ConstValue] | Iterable | None = None
         ) -> LoadResult:
    """Load one model from files and/or directories (``*.mspec``, name order): parse, resolve
    and check it (``LoadResult``; model errors are its diagnostics, never raised). ``consts``
    set constants in every variant as ``--const`` does (``overrides``); ``ConstError`` for a
    constant the model lacks or a value that does not fit."""
    result = _load(paths, overrides(consts))
    problem = const_problem(result)
    if problem is not None:
        raise problem
    return result


def reload(loaded: LoadResult, consts: Mapping[str, ConstValue] | Iterable | None) -> LoadResult:
    """``loaded``'s model read again from the texts it was loaded from, with ``consts``."""
    texts = [(name, text) for name, text in loaded.sources.files.items() if not name.startswith(PRELUDE_PREFIX)]
    result = load_files(texts, overrides(consts))
    problem = const_problem(result)
    if problem is not None:
        raise problem
    return result


# ---------------------------------------------------------------------- what to check


def restrict_properties(model: Model, names: Iterable[str]) -> Model:
    """``model`` checking only the properties ``names`` (as TLC checks only what its cfg
    lists): the other invariants, ``leadsto``, refinement and inductive properties are
    dropped, and ``Deadlock`` is not reported unless named. ``TypeOK`` and the assertion
    properties stay whatever is asked: they bound every search and are part of the steps.
    Expectations keep only what they say about the properties left (``holds all`` stays).
    Names the model lacks are ignored (see ``unknown_properties``)."""
    from dataclasses import replace

    from .ir.nodes import DEADLOCK, TYPE_OK, AssertProperty, Expectation

    want = set(names)
    keep = tuple(p for p in model.properties
                 if p.name in want or p.name == TYPE_OK or isinstance(p, AssertProperty))
    kept = {p.name for p in keep} | ({DEADLOCK} if DEADLOCK in want and not model.allow_deadlock else set())
    expectations: list[Expectation] = []
    for e in model.expectations:
        if not e.properties:
            expectations.append(e)
            continue
        left = tuple(n for n in e.properties if n in kept)
        if left:
            expectations.append(replace(e, properties=left))
    return replace(model, properties=keep, expectations=tuple(expectations),
                   allow_deadlock=model.allow_deadlock or DEADLOCK not in want)


def unknown_properties(models: Mapping[str, Model], names: Iterable[str]) -> list[str]:
    """The ``names`` that no model of ``models`` has as a property."""
    known = {n for m in models.values() for n in m.property_names}
    return [n for n in names if n not in known]


def _as_models(models) -> dict[str, Model]:
    if isinstance(models, LoadResult):
        models = models.models
    if isinstance(models, Model):
        models = {models.variant: models}
    return dict(models)


def select(models: LoadResult | Mapping[str, Model] | Model, variants: Iterable[str] | None = None,
           properties: Iterable[str] | None = None) -> dict[str, Model]:
    """The variants asked for (every one when ``variants`` is None or empty), in the order
    asked, each checking only ``properties`` when given (``restrict_properties``).
    ``UnknownName`` for a variant or property the model does not have, or no variant at all."""
    models = _as_models(models)
    want = list(variants or ())
    if want:
        unknown = [v for v in want if v not in models]
        if unknown:
            raise UnknownName(f"no variant {', '.join(unknown)} (the model has: {', '.join(sorted(models))})",
                              did_you_mean(unknown[0], models))
        models = {v: models[v] for v in want}
    if not models:
        raise UnknownName("the model has no variant to check")
    if properties:
        names = list(properties)
        unknown = unknown_properties(models, names)
        if unknown:
            known = sorted({n for m in models.values() for n in m.property_names})
            raise UnknownName(f"no property {', '.join(unknown)} in the variants checked (they have: "
                              f"{', '.join(known)})", did_you_mean(unknown[0], known))
        models = {v: restrict_properties(m, names) for v, m in models.items()}
    return models


# ---------------------------------------------------------------------- how to check


@dataclass(frozen=True)
class Options:
    """The budgets and settings of a check. ``None`` is no limit; ``max_memory`` is in bytes
    (builtin; None: 85% of what is free); ``fingerprints``: the builtin checker keeps a 64-bit
    fingerprint per state; ``workers``, ``tlc_jar`` and ``tlc_distributed`` are TLC's."""

    symmetry: bool = True
    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    first: bool = False
    fingerprints: bool = False
    workers: int = 1
    tlc_jar: str | None = None
    tlc_distributed: Any = None  # tlc.distributed.Distributed

    def settings(self, backend: str) -> dict:
        """What besides the model decides a result of ``backend`` (the result cache's key)."""
        s: dict = dict(symmetry=self.symmetry, max_states=self.max_states, max_depth=self.max_depth,
                       timeout=self.timeout)
        if backend == "builtin":
            s.update(first=self.first, max_memory=self.max_memory, fingerprints=self.fingerprints)
        else:
            s.update(workers=self.workers, tlc=tlc_identity(self.tlc_jar), first=self.first)
            if self.tlc_distributed is not None:  # no step coverage in that mode
                s.update(distributed=True)
        return s


def backend_of(backend: str) -> str:
    """The back end ``backend`` names: ``auto`` is the builtin checker; ``ValueError`` for a
    name that is none of ``BACKENDS``."""
    if backend == AUTO:
        return "builtin"
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (one of {', '.join((AUTO,) + BACKENDS)})")
    return backend


def tlc_status(jar: str | None = None) -> tuple[bool, str]:
    """Whether TLC can run here, and which runner or why not."""
    from .tlc import available
    return available(jar) if jar else available()


def tlc_configured(jar: str | None = None) -> bool:
    """Did the user set TLC up (a jar given, in the environment or in the user cache, or a
    backend chosen)? Docker merely being reachable does not count."""
    if jar or os.environ.get("MOVSPEC_TLA2TOOLS") or os.environ.get("MOVSPEC_TLC_BACKEND"):
        return True
    from .tlc.backend import find_jar
    return find_jar(None)[0] is not None


def tlc_identity(jar: str | None) -> str:
    """Which TLC would run: the jar's path, size and time (a new jar is a new checker)."""
    from .tlc.backend import find_jar
    found = find_jar(jar)[0]
    path = str(found) if found else (jar or os.environ.get("MOVSPEC_TLA2TOOLS")
                                     or os.environ.get("MOVSPEC_TLC_BACKEND", "docker"))
    try:
        st = os.stat(path)
        return f"{path}:{st.st_size}:{int(st.st_mtime)}"
    except OSError:
        return path


def _builtin_options(options: Options) -> dict:
    return dict(symmetry=options.symmetry, max_states=options.max_states, max_depth=options.max_depth,
                timeout=options.timeout, max_memory=options.max_memory, first=options.first,
                fingerprints=options.fingerprints)


def check_builtin(model: Model, options: Options = Options(), *, progress: Callable | None = None,
                  phase: Callable[[str], None] | None = None) -> CheckResult:
    """One variant with the embedded checker. ``progress`` is called with the search's
    ``explore.Progress``, ``phase`` with what the check does next (``exploring``, ``liveness``...)."""
    from .explore import check as builtin_check
    return builtin_check(model, progress=progress, phase=phase, **_builtin_options(options))


def check_builtin_safety(model: Model, options: Options = Options(), *,
                         phase: Callable[[str], None] | None = None) -> CheckResult:
    """The first half of ``check_builtin``: the search. Its result goes to
    ``check_builtin_on_graph`` (same options), perhaps in another process; together they
    give ``check_builtin``'s result. ``needs_graph`` says whether the second half has work."""
    from .explore import check_safety
    return check_safety(model, phase=phase, **_builtin_options(options))


def check_builtin_on_graph(model: Model, safety: CheckResult, options: Options = Options(), *,
                           phase: Callable[[str], None] | None = None) -> CheckResult:
    """The second half of ``check_builtin``: liveness, refinement and inductive properties on
    the reachable graph, after ``safety`` (``check_builtin_safety``'s result)."""
    from .explore import check_on_graph
    return check_on_graph(model, safety, phase=phase, **_builtin_options(options))


def needs_graph(model: Model, safety: CheckResult) -> bool:
    """Whether ``check_builtin_on_graph`` has work to do after ``safety`` (leadsto, refinement
    or inductive properties, and a complete search without error); if not it only finishes
    the result, at no cost."""
    from .explore import needs_graph as needs
    return needs(model, safety)


def check_tlc(model: Model, options: Options = Options()) -> CheckResult:
    """One variant with TLC (ERROR verdicts with the reason when TLC cannot run)."""
    from .tlc import check_model
    kw = {"jar": options.tlc_jar} if options.tlc_jar else {}
    return check_model(model, workers=options.workers, timeout=options.timeout, symmetry=options.symmetry,
                       max_states=options.max_states, max_depth=options.max_depth,
                       distributed=options.tlc_distributed, first=options.first, **kw)


def simulate(model: Model, *, runs: int = 1000, depth: int = 100, seed: int = 0, timeout: float | None = None,
             minimize: bool = True, progress: Callable | None = None) -> CheckResult:
    """Random walks through one variant (``explore.simulate``): ``runs`` walks of at most
    ``depth`` steps from ``seed``, counterexamples shortened unless ``minimize`` is False. It
    finds violations; what it does not violate is INCOMPLETE, never HOLDS."""
    from .explore.simulate import simulate as walks
    return walks(model, runs=runs, depth=depth, seed=seed, timeout=timeout, minimize=minimize, progress=progress)


@dataclass(frozen=True)
class Referee:
    """Both checkers on one variant: ``disagreements`` is empty when they agree on every
    verdict, counterexample length and (same space searched) distinct-state count."""

    builtin: CheckResult
    tlc: CheckResult

    @property
    def disagreements(self) -> list[str]:
        return disagreements(self.builtin, self.tlc)

    @property
    def agree(self) -> bool:
        return not self.disagreements


def check_variant(model: Model, backend: str, options: Options = Options()) -> CheckResult | Referee:
    """One variant with ``backend`` (``both``: a ``Referee``; ``simulate``: random walks,
    ``max_depth`` long, ``max_states`` of them)."""
    backend = backend_of(backend)
    if backend == "simulate":
        return simulate(model, runs=options.max_states or 1000, depth=options.max_depth or 100,
                        timeout=options.timeout)
    if backend == "builtin":
        return check_builtin(model, options)
    if backend == "tlc":
        return check_tlc(model, options)
    return Referee(check_builtin(model, options), check_tlc(model, options))


def check(models: LoadResult | Mapping[str, Model] | Model | str | Path | Sequence[str | Path], *,
          variants: Iterable[str] | None = None, backend: str = "builtin", symmetry: bool = True,
          max_states: int | None = None, max_depth: int | None = None, timeout: float | None = None,
          first: bool = False, tlc_jar: str | None = None, workers: int = 1,
          properties: Iterable[str] | None = None, consts: Mapping[str, ConstValue] | Iterable | None = None,
          max_memory: int | None = None, fingerprints: bool = False) -> list:
    """Check every variant (or ``variants``) of ``models``; one ``CheckResult`` per variant, in
    order (``backend="both"``: one ``Referee`` per variant). ``backend="simulate"`` runs random
    walks (``explore.simulate``; ``max_depth`` is the walk length, ``max_states`` the number of
    runs). ``properties``: check only these (``restrict_properties``). ``consts``: as
    ``--const`` (see ``load``); ``models`` is then a ``LoadResult`` (its files are read again)
    or the paths. Given paths, a model with errors raises ``ValueError`` with the first.
    ``UnknownName`` (a ``KeyError``) for an unknown variant or property, ``ValueError`` for an
    unknown back end, ``ConstError`` for a constant that does not apply."""
    backend = backend_of(backend)
    if isinstance(models, (str, Path)) or (isinstance(models, (list, tuple))
                                           and all(isinstance(p, (str, Path)) for p in models)):
        models = load(models, consts)
        if not models.ok:
            raise ValueError(models.errors[0].render(models.sources))
    elif consts:
        if not isinstance(models, LoadResult):
            raise TypeError("constants are set when a model is loaded: pass the LoadResult or the paths")
        models = reload(models, consts)
    options = Options(symmetry=symmetry, max_states=max_states, max_depth=max_depth, timeout=timeout,
                      max_memory=max_memory, first=first, fingerprints=fingerprints, workers=workers,
                      tlc_jar=tlc_jar)
    return [check_variant(m, backend, options) for m in select(models, variants, properties).values()]


def explain(result: CheckResult, prop: str, models: LoadResult | Mapping[str, Model] | Model | None = None) -> str:
    """The counterexample of ``prop`` in ``result`` told step by step in kernel terms (what
    ``movspec explain`` prints), or why there is none."""
    from .report.explain import explain_text

    model = None
    if models is not None:
        model = _as_models(models).get(result.variant)
    p = result.property(prop)
    if p is None:
        raise KeyError(f"{result.variant} has no property {prop}")
    return explain_text(p, model, result.variant)


__all__ = ["AUTO", "BACKENDS", "CheckResult", "ConstError", "LoadResult", "Mismatch", "Model", "Options",
           "PropertyResult", "Referee", "UnknownName", "Verdict", "backend_of", "check", "check_builtin",
           "check_builtin_on_graph", "check_builtin_safety", "check_tlc", "check_variant", "const_problem",
           "disagreements", "explain", "load", "mismatches", "needs_graph", "overrides", "reload",
           "restrict_properties", "results_to_json", "select", "simulate", "tlc_configured",
           "tlc_identity", "tlc_status", "unknown_properties"]
