"""The `@ "file:function"` anchors a model's text carries, with where each is written.

Anchors are read from the syntax trees ``load`` returns (``LoadResult.files``), so every
anchor counts: those of steps, macros, replaced and inserted steps, in the base and in every
variant, including declarations whose anchors never reach a resolved model (a macro's anchor
is dropped when the macro is expanded). The walk is generic: any syntax node with a string
``anchor`` field is an anchored declaration.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..dsl import ast as A
from ..span import Span

__all__ = ["AnchorUse", "collect", "split_anchor"]


@dataclass(frozen=True)
class AnchorUse:
    text: str  # the anchor as written: "mm/migrate.c:isolate_movable_page"
    what: str  # "step compactor.scan", "macro put_page", "replace compactor.isolate"
    variant: str | None  # the variant whose deltas hold it; None: the base model
    span: Span | None

    def to_json(self) -> dict:
        return {"what": self.what, "variant": self.variant,
                "span": self.span.to_json() if self.span is not None else None}


def split_anchor(text: str) -> tuple[str, str] | None:
    """``"mm/migrate.c:isolate_movable_page"`` -> (file, function); None if it is not of that
    form (no colon, an empty side, a function part that is not a C identifier)."""
    path, sep, func = text.rpartition(":")
    path, func = path.strip(), func.strip()
    if not sep or not path or not func:
        return None
    if not (func[0].isalpha() or func[0] == "_") or not all(c.isalnum() or c == "_" for c in func):
        return None
    return path, func


def _describe(node, actor: str | None) -> str:
    kind = type(node).__name__
    kind = kind[:-1] if kind.endswith("D") else kind
    kind = {"Macro": "macro", "Step": "step", "ReplaceStep": "replace"}.get(kind, kind.lower())
    if isinstance(node, A.ReplaceStepD):
        return f"replace {node.actor}.{node.step}"
    name = getattr(node, "name", None)
    if isinstance(node, A.StepD) and actor:
        return f"step {actor}.{name}"
    return f"{kind} {name}" if name else kind


def collect(files: list[A.File]) -> list[AnchorUse]:
    """Every anchor of ``files``, in text order."""
    out: list[AnchorUse] = []

    def walk(node, actor: str | None, variant: str | None) -> None:
        if isinstance(node, (list, tuple)):
            for x in node:
                walk(x, actor, variant)
            return
        if not dataclasses.is_dataclass(node) or isinstance(node, (type, Span)):
            return
        if isinstance(node, A.VariantD):
            variant = node.name
        elif isinstance(node, A.ActorD):
            actor = node.name
        elif isinstance(node, A.InsertStepD):
            actor = node.actor
        anchor = getattr(node, "anchor", None)
        if isinstance(anchor, str):
            out.append(AnchorUse(anchor, _describe(node, actor), variant, getattr(node, "span", None)))
        for f in dataclasses.fields(node):
            if f.name in ("span", "name_span", "anchor"):
                continue
            value = getattr(node, f.name)
            if isinstance(value, (list, tuple)) or dataclasses.is_dataclass(value):
                walk(value, actor, variant)

    for f in files:
        walk(f.decls, None, None)
    return out
