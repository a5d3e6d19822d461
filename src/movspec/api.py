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

``check`` takes a ``LoadResult`` (or a dict variant -> ``Model``, or one ``Model``) and returns one
``CheckResult`` per variant (``movspec.result``: verdicts, traces, statistics; their JSON form,
``results_to_json``, follows ``report/schemas/result.schema.json``). With ``backend="both"``
each variant is checked by both checkers and ``Referee`` results say where they disagree.
Nothing here prints or exits; bad input never raises (see ``load``), and a back end that
cannot run gives ERROR verdicts with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .expect import Mismatch, disagreements, mismatches
from .ir.nodes import Model
from .load import LoadResult, load
from .result import CheckResult, PropertyResult, Verdict, results_to_json

BACKENDS = ("builtin", "tlc", "both", "simulate")


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


def _models(models, variants: Iterable[str] | None) -> dict[str, Model]:
    if isinstance(models, LoadResult):
        models = models.models
    if isinstance(models, Model):
        models = {models.variant: models}
    models = dict(models)
    if variants is None:
        return models
    want = list(variants)
    unknown = [v for v in want if v not in models]
    if unknown:
        raise KeyError(f"no variant {', '.join(unknown)} (the model has: {', '.join(models)})")
    return {v: models[v] for v in want}


def check(models: LoadResult | Mapping[str, Model] | Model, *, variants: Iterable[str] | None = None,
          backend: str = "builtin", symmetry: bool = True, max_states: int | None = None,
          max_depth: int | None = None, timeout: float | None = None, first: bool = False,
          tlc_jar: str | None = None, workers: int = 1, properties: Iterable[str] | None = None) -> list:
    """Check every variant (or ``variants``) of ``models``; one ``CheckResult`` per variant, in
    order (``backend="both"``: one ``Referee`` per variant). ``backend="simulate"`` runs random
    walks (``explore.simulate``; ``max_depth`` is the walk length, ``max_states`` the number of
    runs). ``properties``: check only these (``restrict_properties``). An unknown variant
    or property raises ``KeyError``, an unknown back end ``ValueError``."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (one of {', '.join(BACKENDS)})")
    chosen = _models(models, variants)
    if properties is not None:
        properties = list(properties)
        unknown = unknown_properties(chosen, properties)
        if unknown:
            raise KeyError(f"no property {', '.join(unknown)} in the variants checked")
        chosen = {v: restrict_properties(m, properties) for v, m in chosen.items()}
    out = []
    for m in chosen.values():
        if backend == "simulate":
            from .explore.simulate import simulate
            out.append(simulate(m, runs=max_states or 1000, depth=max_depth or 100, timeout=timeout))
            continue
        b = t = None
        if backend in ("builtin", "both"):
            from .explore import check as builtin_check
            b = builtin_check(m, symmetry=symmetry, max_states=max_states, max_depth=max_depth,
                              timeout=timeout, first=first)
        if backend in ("tlc", "both"):
            from .tlc import check_model
            kw = {"jar": tlc_jar} if tlc_jar else {}
            t = check_model(m, workers=workers, timeout=timeout, symmetry=symmetry, max_states=max_states,
                            max_depth=max_depth, **kw)
        out.append(Referee(b, t) if backend == "both" else (b if b is not None else t))
    return out


def explain(result: CheckResult, prop: str, models: LoadResult | Mapping[str, Model] | Model | None = None) -> str:
    """The counterexample of ``prop`` in ``result`` told step by step in kernel terms (what
    ``movspec explain`` prints), or why there is none."""
    from .report.explain import explain_text

    model = None
    if models is not None:
        model = _models(models, None).get(result.variant)
    p = result.property(prop)
    if p is None:
        raise KeyError(f"{result.variant} has no property {prop}")
    return explain_text(p, model, result.variant)


__all__ = ["BACKENDS", "CheckResult", "LoadResult", "Mismatch", "Model", "PropertyResult", "Referee",
           "Verdict", "check", "disagreements", "explain", "load", "mismatches", "restrict_properties",
           "results_to_json", "unknown_properties"]
