"""Unused declarations: warnings, not errors (a model under construction has some).

A declaration counts as used when some variant refers to it: a constant in a type, an
expression or an actor family; an enum or constant set by name or through one of its atoms;
a struct as a type or a value; a variable, local, ``def``, macro or module anywhere.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, warning
from ..dsl import ast as A

_WORD = {A.ConstD: "constant", A.EnumD: "enum", A.StructD: "struct", A.VarD: "variable",
         A.ModuleD: "module", A.DefD: "definition", A.MacroD: "macro"}


def _decls(files):
    for f in files:
        for d in f.decls:
            if isinstance(d, A.VariantD):
                for delta in d.deltas or ():
                    if isinstance(delta, A.DeclDelta):
                        yield delta.decl
                    elif isinstance(delta, A.AddLocalD):
                        yield (delta.actor, delta.local)
                    elif isinstance(delta, A.InsertStepD):
                        pass
            else:
                yield d


def check_unused(built, files) -> list[Diagnostic]:
    used = built.used
    out: list[Diagnostic] = []
    for d in _decls(files):
        if isinstance(d, tuple):
            actor, local = d
            if f"{actor}.{local.name}" not in used:
                out.append(warning(f"local `{local.name}` of actor `{actor}` is never used", local.name_span,
                                   "remove it, or use it in a step", "unused"))
            continue
        if isinstance(d, A.ActorD):
            for l in d.locals:
                if f"{d.name}.{l.name}" not in used:
                    out.append(warning(f"local `{l.name}` of actor `{d.name}` is never used", l.name_span,
                                       "remove it, or use it in a step", "unused"))
            continue
        if isinstance(d, A.FuncD):
            for i, l in enumerate(d.params + d.locals):
                if f"{d.name}.{l.name}" not in used:
                    what = "parameter" if i < len(d.params) else "local"
                    out.append(warning(f"{what} `{l.name}` of function `{d.name}` is never used", l.name_span,
                                       "remove it, or use it in a step", "unused"))
            if d.name not in used:
                out.append(warning(f"function `{d.name}` is never called", d.name_span,
                                   f"remove it, or call it: `call {d.name}(...)`", "unused"))
            continue
        word = _WORD.get(type(d))
        if word is None:
            continue
        if d.name not in used:
            out.append(warning(f"{word} `{d.name}` is never used", d.name_span, "remove it, or use it",
                               "unused"))
    return out
