"""Machine-readable outputs: the JSON result, JUnit XML, SARIF and ITF traces.

``write_outputs(results, models, json_path=..., junit_path=..., itf_dir=..., sarif_path=...)``
writes any of them (SARIF: ``report.sarif``). The JSON document (``result_document``) is ``result.results_to_json`` plus, per
property, the expectation and the outcome, and an overall ``ok``; its shape is
``schemas/result.schema.json`` (``schema_version`` says which). ITF files are named
``<variant>.<property>.itf.json``, one per counterexample.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .. import __version__
from ..outfile import OutputError, ensure_dir, write_text
from ..ir.nodes import Model
from ..result import SCHEMA_VERSION, CheckResult, results_to_json
from ..expect import judge
from .itf import dumps as itf_dumps
from .itf import to_itf
from .junit import to_junit_xml
from .sarif import to_sarif_text


def result_document(results: list[CheckResult], models: dict[str, Model]) -> dict:
    doc = results_to_json(results)
    doc["version"] = __version__
    ok = True
    for r, rj in zip(results, doc["results"]):
        model = models.get(r.variant)
        judged = {j.prop.name: j for j in judge(r, model)}
        for pj in rj["properties"]:
            j = judged[pj["name"]]
            pj["expected"] = j.expected
            pj["outcome"] = j.outcome.value
            ok = ok and j.ok
        for name, j in judged.items():  # expected properties the back end did not report
            if not any(pj["name"] == name for pj in rj["properties"]):
                pj = j.prop.to_json()
                pj.update(expected=j.expected, outcome=j.outcome.value)
                rj["properties"].append(pj)
                ok = False
        if model is not None:
            rj["description"] = model.description
            rj["base"] = model.base
    # an interrupted check proves nothing, whatever its expectations say
    doc["ok"] = ok and not any(r.reason == "interrupted" for r in results)
    assert doc["schema_version"] == SCHEMA_VERSION
    return doc


def to_json_text(results: list[CheckResult], models: dict[str, Model]) -> str:
    return json.dumps(result_document(results, models), indent=2, ensure_ascii=False) + "\n"


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def itf_name(variant: str, prop: str, backend: str = "builtin") -> str:
    stem = f"{variant}.{prop}" if backend in ("builtin", "") else f"{variant}.{prop}.{backend}"
    # names are DSL identifiers; the substitution keeps any other string inside the directory
    return (_UNSAFE.sub("_", stem).lstrip(".") or "_") + ".itf.json"


def itf_documents(results: list[CheckResult], models: dict[str, Model]) -> dict[str, dict]:
    """File name -> ITF document, for every property with a counterexample."""
    out = {}
    for r in results:
        model = models.get(r.variant)
        source = None
        if model is not None and model.span is not None:
            source = model.span.file
        for p in r.properties:
            if p.trace is None:
                continue
            out[itf_name(r.variant, p.name, r.backend)] = to_itf(
                p.trace, source=source, prop=p, variant=r.variant,
                description=f"{r.model}: counterexample to {p.name} in variant {r.variant} ({r.backend})")
    return out


def _to_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        raise OutputError("standard output", " ".join((exc.strerror or str(exc)).split())) from None


def write_outputs(results: list[CheckResult], models: dict[str, Model], json_path=None,
                  junit_path=None, itf_dir=None, *, timing: bool = True, sarif_path=None) -> list[Path]:
    """Write the requested outputs; ``"-"`` as a path means standard output. Returns the
    files written. Each file is replaced atomically (``movspec.outfile``); a file that
    cannot be written raises ``OutputError`` (one line: the path and the reason), and the
    file keeps its old contents."""
    written: list[Path] = []
    for path, render in ((json_path, lambda: to_json_text(results, models)),
                         (junit_path, lambda: to_junit_xml(results, models, timing=timing)),
                         (sarif_path, lambda: to_sarif_text(results, models))):
        if path is None:
            continue
        if str(path) == "-":
            _to_stdout(render())
        else:
            write_text(path, render())
            written.append(Path(path))
    if itf_dir is not None:
        d = ensure_dir(itf_dir)
        for name, doc in sorted(itf_documents(results, models).items()):
            write_text(d / name, itf_dumps(doc))
            written.append(d / name)
    return written
