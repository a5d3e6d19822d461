"""The check stage: semantic checks over the resolved models (types, label rules, unused
declarations). Name resolution errors come from ``movspec.ir.build``; this stage assumes the
models were built and reports what is legal syntax but wrong meaning."""

from __future__ import annotations

from ..diagnostics import Diagnostic


def check_models(built, files) -> list[Diagnostic]:
    """Every semantic finding for the built models (``ir.build.BuildResult``)."""
    from .labels import check_labels
    from .types import check_types
    from .unused import check_unused

    out: list[Diagnostic] = []
    for model in built.models.values():
        out.extend(check_types(model))
        out.extend(check_labels(model))
    out.extend(check_unused(built, files))
    return out


__all__ = ["check_models"]
