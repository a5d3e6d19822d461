"""The check stage: semantic checks over the resolved models (types, label rules, unused
declarations). Name resolution errors come from ``movspec.ir.build``; this stage reports what
resolves but is wrong. A finding that holds in some variants only says which."""

from __future__ import annotations

from dataclasses import replace

from ..diagnostics import Diagnostic


def check_models(built, files) -> list[Diagnostic]:
    """Every semantic finding for the built models (``ir.build.BuildResult``)."""
    from .flow import check_assert_before_await, check_flow
    from .labels import check_labels
    from .symmetry import check_symmetry
    from .types import check_types
    from .unused import check_unused

    found: dict[tuple, tuple[Diagnostic, list[str]]] = {}
    for name, model in built.models.items():
        for d in (check_types(model) + check_labels(model) + check_flow(model) + check_symmetry(model)
                  + check_assert_before_await(model)):
            key = (d.severity, d.message, d.span)
            if key not in found:
                found[key] = (d, [])
            if name not in found[key][1]:
                found[key][1].append(name)
    base = built.models.get(getattr(built, "base_variant", None) or "")
    for spec in getattr(built, "unused_abstracts", ()) if base is not None else ():
        # an abstract no refinement uses is still checked, in the base variant's constants
        from .types import check_abstract
        for d in check_abstract(base, spec):
            found.setdefault((d.severity, d.message, d.span), (d, list(built.models)))
    out: list[Diagnostic] = []
    every = list(built.models)
    for d, variants in found.values():
        if len(every) > 1 and len(variants) < len(every):
            which = ", ".join(f"`{v}`" for v in variants)
            d = replace(d, message=f"{d.message} (in variant{'s' if len(variants) > 1 else ''} {which})")
        out.append(d)
    if not any(d.severity.value == "error" for d in built.diagnostics + out):
        # with errors around, "never used" is often their echo (a misspelt call)
        out.extend(check_unused(built, files))
    return out


__all__ = ["check_models"]
