"""Warnings where a model names one element of a ``symmetric`` set.

Symmetry reduction is unsound for such a variant, so both checkers run it without reduction
(``ir.symmetry``); lint says so at every place that names an element."""

from __future__ import annotations

from ..diagnostics import Diagnostic, warning
from ..ir import nodes as N
from ..ir.symmetry import named_symmetric_atoms


def check_symmetry(model: N.Model) -> list[Diagnostic]:
    out = []
    for n in named_symmetric_atoms(model):
        out.append(warning(
            f"`{n.atom}` is an element of the symmetric set `{n.const}`; symmetry reduction is off for this "
            f"variant: a search that permutes `{n.const}` cannot tell `{n.atom}` from its other elements "
            f"(named in {n.where})",
            n.span, f"remove `symmetric` from `{n.const}`, or don't name its elements "
            f"(quantify over `{n.const}` instead)", "symmetric-element"))
    return out
