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
from ..ir import nodes as ir
from ..span import Span

__all__ = ["AnchorUse", "collect", "in_variants", "split_anchor"]


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


_STEP_KINDS = (A.StepD, A.ReplaceStepD, A.InsertStepD)


def in_variants(uses: list[AnchorUse], files: list[A.File], models: dict[str, ir.Model]) -> list[AnchorUse]:
    """The uses of ``uses`` that the resolved ``models`` (variants) are made of, so that a
    variant of one kernel era is checked against that era's tree alone. A step, replaced or
    inserted step counts when a step of a variant was resolved from it (a step a variant
    replaces or removes no longer does); any other anchored declaration (a macro, a function)
    when some statement or step of a variant was resolved from its text (a macro no step
    expands does not count)."""
    step_at: set[tuple] = set()
    text_at: set[tuple] = set()
    for m in models.values():
        for a in (*m.actors, *m.functions):
            for st in a.steps:
                if st.span is not None:
                    step_at.add((st.span.file, st.span.line, st.span.col))
        _spans(m, text_at)
    kinds: dict[tuple, bool] = {}

    def note(node) -> None:
        if isinstance(node, (list, tuple)):
            for x in node:
                note(x)
            return
        if not dataclasses.is_dataclass(node) or isinstance(node, (type, Span)):
            return
        sp = getattr(node, "span", None)
        if isinstance(getattr(node, "anchor", None), str) and sp is not None:
            kinds[(sp.file, sp.line, sp.col)] = isinstance(node, _STEP_KINDS)
        for f in dataclasses.fields(node):
            if f.name not in ("span", "name_span", "anchor"):
                note(getattr(node, f.name))

    for f in files:
        note(f.decls)
    out = []
    for u in uses:
        sp = u.span
        if sp is None:
            continue
        key = (sp.file, sp.line, sp.col)
        if kinds.get(key, False):
            if key in step_at:
                out.append(u)
        elif any(f == sp.file and (sp.line, sp.col) <= (line, col) <= (sp.end_line, sp.end_col)
                 for f, line, col in text_at):
            out.append(u)
    return out


def _spans(model: ir.Model, out: set) -> None:
    """The start of every span in ``model``'s actors and functions."""
    seen: set[int] = set()
    stack: list = [model.actors, model.functions]
    while stack:
        n = stack.pop()
        if isinstance(n, (list, tuple)):
            stack.extend(n)
            continue
        if isinstance(n, Span):
            out.add((n.file, n.line, n.col))
            continue
        if not dataclasses.is_dataclass(n) or isinstance(n, type) or id(n) in seen:
            continue
        seen.add(id(n))
        stack.extend(getattr(n, f.name) for f in dataclasses.fields(n))
