"""Document symbols: the outline of one file (model, constants, types, variables, modules,
definitions, macros, actors with their locals and steps, properties, abstract
specifications, variants with their deltas, expectations)."""

from __future__ import annotations

from lsprotocol import types as T

from ..dsl import ast as A
from ..dsl.printer import type_
from .convert import Lines
from .index import PROPERTY_KINDS

K = T.SymbolKind


def _sym(lines: Lines, name: str, kind: T.SymbolKind, span, name_span=None, detail: str | None = None,
         children: list[T.DocumentSymbol] | None = None) -> T.DocumentSymbol | None:
    if span is None:
        return None
    rng = lines.range(span)
    sel = lines.range(name_span) if name_span is not None else rng
    # the selection must lie inside the range (spans of a stale tree may not quite)
    if (sel.start.line, sel.start.character) < (rng.start.line, rng.start.character) or \
            (sel.end.line, sel.end.character) > (rng.end.line, rng.end.character):
        sel = T.Range(start=rng.start, end=rng.start)
    return T.DocumentSymbol(name=name or "?", kind=kind, range=rng, selection_range=sel, detail=detail,
                            children=[c for c in (children or []) if c is not None] or None)


def _doc(d) -> str | None:
    doc = getattr(d, "doc", None)
    return doc if doc else None


def _local(lines: Lines, l: A.LocalD, prefix: str = "") -> T.DocumentSymbol | None:
    return _sym(lines, prefix + l.name, K.Variable, l.span, l.name_span, type_(l.type))


def _step(lines: Lines, s: A.StepD, prefix: str = "") -> T.DocumentSymbol | None:
    return _sym(lines, prefix + s.name, K.Method, s.span, s.name_span, s.anchor or _doc(s))


def decl_symbol(lines: Lines, d) -> T.DocumentSymbol | None:
    ns = getattr(d, "name_span", None)
    if isinstance(d, A.ModelD):
        return _sym(lines, d.name, K.Namespace, d.span, ns, d.title)
    if isinstance(d, A.ConstD):
        value = "{" + ", ".join(d.atoms) + "}" if d.atoms is not None else str(d.value)
        return _sym(lines, d.name, K.Constant, d.span, ns, value)
    if isinstance(d, A.EnumD):
        return _sym(lines, d.name, K.Enum, d.span, ns, "{ " + ", ".join(d.members) + " }")
    if isinstance(d, A.StructD):
        fields = [_sym(lines, f.name, K.Field, f.span, f.name_span, type_(f.type)) for f in d.fields]
        return _sym(lines, d.name, K.Struct, d.span, ns, _doc(d), fields)
    if isinstance(d, A.VarD):
        return _sym(lines, d.name, K.Variable, d.span, ns, type_(d.type))
    if isinstance(d, A.ModuleD):
        return _sym(lines, d.name, K.Module, d.span, ns, _doc(d))
    if isinstance(d, A.DefD):
        params = "(" + ", ".join(d.params) + ")" if d.params is not None else ""
        return _sym(lines, d.name + params, K.Function, d.span, ns, _doc(d))
    if isinstance(d, A.MacroD):
        params = "(" + ", ".join(d.params) + ")" if d.params is not None else ""
        return _sym(lines, d.name + params, K.Function, d.span, ns, d.anchor or _doc(d))
    if isinstance(d, A.ActorD):
        kids = [_local(lines, l) for l in d.locals] + [_step(lines, s) for s in d.steps]
        return _sym(lines, d.name, K.Class, d.span, ns, _doc(d), kids)
    if type(d) in PROPERTY_KINDS:
        return _sym(lines, d.name, K.Property, d.span, ns, PROPERTY_KINDS[type(d)])
    if isinstance(d, A.AbstractD):
        kids = [_sym(lines, v.name, K.Variable, v.span, v.name_span, type_(v.type)) for v in d.vars]
        kids += [_sym(lines, a.name, K.Method, a.span, a.name_span, _doc(a)) for a in d.actions]
        return _sym(lines, d.name, K.Interface, d.span, ns, _doc(d), kids)
    if isinstance(d, A.ForD):
        kids = [decl_symbol(lines, x) for x in d.decls]
        return _sym(lines, "for " + ", ".join(d.variants), K.Namespace, d.span, None, None, kids)
    if isinstance(d, A.VariantD):
        kids = [_delta(lines, x) for x in d.deltas or ()]
        detail = f"extends {d.extends}" if d.extends else "base"
        return _sym(lines, d.name, K.Object, d.span, ns, detail, kids)
    if isinstance(d, A.ExpectD):
        props = ", ".join(d.properties) if d.properties else "all"
        return _sym(lines, f"expect {d.variant} {d.verdict} {props}", K.Event, d.span, ns)
    return None


def _delta(lines: Lines, x) -> T.DocumentSymbol | None:
    if isinstance(x, A.ReplaceStepD):
        return _sym(lines, f"replace {x.actor}.{x.step}", K.Method, x.span, x.name_span, x.anchor)
    if isinstance(x, A.InsertStepD):
        return _sym(lines, f"{x.actor}.{x.step.name}", K.Method, x.span, x.step.name_span,
                    f"inserted {x.where} {x.ref}")
    if isinstance(x, A.RemoveStepD):
        return _sym(lines, f"remove {x.actor}.{x.step}", K.Operator, x.span, x.name_span)
    if isinstance(x, A.RemovePropertyD):
        return _sym(lines, f"remove property {x.name}", K.Operator, x.span, x.name_span)
    if isinstance(x, A.AddLocalD):
        return _local(lines, x.local, x.actor + ".")
    if isinstance(x, A.DeclDelta):
        return decl_symbol(lines, x.decl)
    return None


def document_symbols(tree: A.File, lines: Lines) -> list[T.DocumentSymbol]:
    return [s for s in (decl_symbol(lines, d) for d in tree.decls) if s is not None]
