"""The name index of a model: every declaration of every file, with where it is written.

Built from the syntax trees alone (``movspec.load``'s ``LoadResult.files``, or the last trees
that parsed), so it answers hover and go-to-definition while the model has errors. A symbol
is one declaration: a constant, an atom, a type, a variable, a macro, a step, a property...;
names declared inside a variant block (overrides, inserted steps, added locals) carry that
variant's name, so a lookup from inside a variant sees its own declarations first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..dsl import ast as A
from ..dsl.printer import expr, type_
from ..dsl.tree import quote
from ..gcpause import gc_paused
from ..span import Span

PROPERTY_KINDS = {
    A.InvariantD: "invariant", A.AssertionD: "assertion", A.LeadsToD: "leadsto",
    A.InductiveD: "inductive", A.RefinementD: "refinement",
}

# names every model has without declaring them
BUILTINS = {
    "TypeOK": "property `TypeOK` (builtin): every variable and local stays within its declared type",
    "Deadlock": "property `Deadlock` (builtin): some step is enabled in every state, "
                "unless `allow deadlock` is declared",
    "Assertions": "property `Assertions` (builtin): every `assert` without `as` holds",
    "NoUseAfterUnload": "property `NoUseAfterUnload` (builtin default of `guards`): "
                        "no module operation is called after `unload`",
    "done": "`done`: the state of a process that has finished (`goto done`, or past its last step)",
    "self": "`self`: the id of the running process",
}


@dataclass
class Sym:
    kind: str  # model const atom enum struct field var module op def macro param actor local
    # step action property abstract variant
    name: str
    span: Span  # the name as declared (go-to-definition target)
    full: Span  # the whole declaration (document symbols)
    container: str | None = None  # actor of a step/local, struct of a field, enum/const of an atom
    variant: str | None = None  # declared inside this variant's block (None: the base)
    detail: str = ""  # the declaration's head, as written in DSL form
    doc: str | None = None
    anchor: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "replaced in variant `v3`"

    @property
    def qualname(self) -> str:
        return f"{self.container}.{self.name}" if self.container and self.kind in ("step", "local") \
            else self.name


def _contains(span: Span | None, line: int, col: int) -> bool:
    if span is None:
        return False
    if (line, col) < (span.line, span.col):
        return False
    return (line, col) <= (span.end_line, span.end_col)


def _find_word(lines: list[str] | None, within: Span, word: str, after: Span | None = None) -> Span | None:
    """The first ``word`` (as a whole identifier) inside ``within`` (in a file's ``lines``),
    past ``after`` if given."""
    if not lines:
        return None
    start_line, start_col = (after.end_line, after.end_col) if after else (within.line, within.col)
    pat = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")
    for ln in range(start_line, min(within.end_line, len(lines)) + 1):
        s = lines[ln - 1]
        lo = start_col - 1 if ln == start_line else 0
        hi = within.end_col - 1 if ln == within.end_line else len(s)
        # skip comments and strings crudely: only the code part before `//`
        m = pat.search(s, lo, hi)
        if m and "//" not in s[:m.start()]:
            return Span(within.file, ln, m.start() + 1, ln, m.end() + 1)
    return None


def _params(p) -> str:
    return "" if p is None else f"({', '.join(p)})"


def _anchor(a: str | None) -> str:
    return f" @ {quote(a)}" if a is not None else ""


class Index:
    """Every symbol of a model's syntax trees, by name."""

    def __init__(self, files: list[A.File], sources: dict[str, str]):
        self.files = {f.path: f for f in files}
        self.sources = sources
        self._lines: dict[str, list[str]] = {}
        self.symbols: list[Sym] = []
        self.by_name: dict[str, list[Sym]] = {}
        self.by_line: dict[tuple[str, int], list[Sym]] = {}  # (file, line of the name) -> symbols
        self.extends: dict[str, str | None] = {}  # variant -> the variant it extends
        self.variant_props: dict[str, set[str]] = {}  # `for` blocks: property -> variants
        for f in files:
            for d in f.decls:
                self._decl(d, None)

    # ------------------------------------------------------------------ building

    def _add(self, sym: Sym | None) -> Sym | None:
        if sym is not None and sym.span is not None:
            self.symbols.append(sym)
            self.by_name.setdefault(sym.name, []).append(sym)
            self.by_line.setdefault((sym.span.file, sym.span.line), []).append(sym)
            return sym
        return None

    def _text(self, span: Span | None) -> list[str] | None:
        """The lines of the file of ``span`` (split once per file)."""
        return self.lines(span.file) if span else None

    def lines(self, path: str) -> list[str] | None:
        got = self._lines.get(path)
        if got is None and path in self.sources:
            got = self._lines[path] = self.sources[path].split("\n")
        return got

    def _atoms(self, names, within: Span | None, after: Span | None, container: str, how: str,
               variant: str | None) -> None:
        if within is None:
            return
        text = self._text(within)
        prev = after
        for a in names:
            at = _find_word(text, within, a, prev)
            if at is None:
                continue
            prev = at
            self._add(Sym("atom", a, at, at, container, variant, f"atom {a}", None, None, [how]))

    def _decl(self, d, variant: str | None) -> None:
        name_span = getattr(d, "name_span", None) or d.span
        if isinstance(d, A.ModelD):
            self._add(Sym("model", d.name, name_span, d.span, None, variant, f"model {d.name}", d.title))
        elif isinstance(d, A.ConstD):
            if d.atoms is not None:
                head = f"const {d.name} = {{{', '.join(d.atoms)}}}" + (" symmetric" if d.symmetric else "")
            else:
                head = f"const {d.name} = {d.value}"
            self._add(Sym("const", d.name, name_span, d.span, None, variant, head, d.doc))
            if d.atoms:
                self._atoms(d.atoms, d.span, name_span, d.name, f"a model value of the constant set `{d.name}`",
                            variant)
        elif isinstance(d, A.EnumD):
            word = "enum" if d.bits is None else "flags"
            members = d.members if d.bits is None else [f"{m} = {b}" for m, b in zip(d.members, d.bits)]
            self._add(Sym("enum", d.name, name_span, d.span, None, variant,
                          f"{word} {d.name} {{ {', '.join(members)} }}", d.doc))
            self._atoms(d.members, d.span, name_span, d.name,
                        f"a member of enum `{d.name}`" if d.bits is None else f"a bit of flags `{d.name}`", variant)
        elif isinstance(d, A.StructD):
            self._add(Sym("struct", d.name, name_span, d.span, None, variant, f"struct {d.name}", d.doc))
            for f in d.fields:
                default = f" = {expr(f.default)}" if f.default is not None else ""
                self._add(Sym("field", f.name, f.name_span or f.span, f.span, d.name, variant,
                              f"{d.name}.{f.name}: {type_(f.type)}{default}", f.doc))
                self._inline_atoms(f.type, d.name)
        elif isinstance(d, A.VarD):
            init = f" = {expr(d.init)}" if d.init is not None else ""
            self._add(Sym("var", d.name, name_span, d.span, None, variant,
                          f"var {d.name}: {type_(d.type)}{init}", d.doc))
            self._inline_atoms(d.type, None)
        elif isinstance(d, A.ModuleD):
            guards = f" guards {d.guards}" if d.guards else ""
            self._add(Sym("module", d.name, name_span, d.span, None, variant, f"module {d.name}{guards}", d.doc,
                          notes=[f"operations: {', '.join(d.ops)}"] if d.ops else []))
            prev = name_span
            for op in d.ops:
                at = _find_word(self._text(d.span), d.span, op, prev)
                if at is not None:
                    prev = at
                    self._add(Sym("op", op, at, at, d.name, variant, f"call {d.name}.{op}(...)", None,
                                  notes=[f"an operation of module `{d.name}`"]))
        elif isinstance(d, A.DefD):
            self._add(Sym("def", d.name, name_span, d.span, None, variant, f"def {d.name}{_params(d.params)}",
                          d.doc))
            self._param_syms(d.params or (), d, name_span, variant)
        elif isinstance(d, A.MacroD):
            self._add(Sym("macro", d.name, name_span, d.span, None, variant,
                          f"macro {d.name}{_params(d.params)}{_anchor(d.anchor)}", d.doc, d.anchor))
            self._param_syms(d.params or (), d, name_span, variant)
        elif isinstance(d, A.ActorD):
            self._actor(d, variant)
        elif isinstance(d, A.FuncD):  # a function: its parameters and locals, steps as an actor's
            params = ", ".join(f"{l.name}: {type_(l.type)}" for l in d.params)
            result = f" -> {type_(d.result)}" if d.result is not None else ""
            self._add(Sym("func", d.name, name_span, d.span, None, variant,
                          f"func {d.name}({params}){result}{_anchor(d.anchor)}", d.doc, d.anchor))
            for l in d.params + d.locals:
                self._local(d.name, l, variant)
            for st in d.steps:
                self._step(d.name, st, variant)
        elif type(d) in PROPERTY_KINDS:
            kind = PROPERTY_KINDS[type(d)]
            head = f"{kind} {d.name}" + (f" of {d.abstract}" if isinstance(d, A.RefinementD) else "")
            sym = self._add(Sym("property", d.name, name_span, d.span, kind, variant, head, d.doc))
            if sym is not None and variant and variant.startswith("for "):
                sym.notes.append(f"checked in variants {variant[4:]} only")
        elif isinstance(d, A.AbstractD):
            self._add(Sym("abstract", d.name, name_span, d.span, None, variant, f"abstract {d.name}", d.doc))
            for v in d.vars:
                init = f" = {expr(v.init)}" if v.init is not None else ""
                self._add(Sym("avar", v.name, v.name_span or v.span, v.span, d.name, variant,
                              f"var {d.name}.{v.name}: {type_(v.type)}{init}", v.doc,
                              notes=[f"a variable of the abstract specification `{d.name}`"]))
                self._inline_atoms(v.type, d.name)
            for a in d.actions:
                params = ", ".join(f"{n} in {expr(dom)}" for n, dom in a.params)
                self._add(Sym("action", a.name, a.name_span or a.span, a.span, d.name, variant,
                              f"action {d.name}.{a.name}({params})", a.doc))
                self._param_syms([n for n, _ in a.params], a, a.name_span, variant,
                                 f"{d.name}.{a.name}", {n: dom for n, dom in a.params})
        elif isinstance(d, A.ForD):
            tag = "for " + ", ".join(d.variants)
            for x in d.decls:
                self._decl(x, tag)
        elif isinstance(d, A.VariantD):
            self.extends[d.name] = d.extends
            notes = [f"extends `{d.extends}`"] if d.extends else ["the base variant (the model as written)"]
            if d.source:
                notes.append(f"source: {d.source}")
            self._add(Sym("variant", d.name, name_span, d.span, None, None,
                          f"variant {d.name}" + (f" extends {d.extends}" if d.extends else ""), d.doc,
                          notes=notes))
            for x in d.deltas or ():
                self._delta(x, d.name)

    def _inline_atoms(self, t, container) -> None:
        if isinstance(t, A.AtomsT) and t.span is not None:
            self._atoms(t.names, t.span, None, container or "", "an atom declared in a type", None)
        elif isinstance(t, A.UnionT):
            for p in t.parts:
                self._inline_atoms(p, container)
        elif isinstance(t, A.FuncT):
            self._inline_atoms(t.domain, container)
            self._inline_atoms(t.range, container)
        elif isinstance(t, A.SetT):
            self._inline_atoms(t.elem, container)

    def _param_syms(self, params, d, name_span, variant, owner: str | None = None,
                    domains: dict | None = None) -> None:
        prev = name_span
        owner = owner or d.name
        for p in params:
            at = _find_word(self._text(d.span), d.span, p, prev)
            if at is not None:
                prev = at
                dom = (domains or {}).get(p)
                self._add(Sym("param", p, at, at, owner, variant,
                              f"{p} in {expr(dom)}" if dom is not None else p, None,
                              notes=[f"a parameter of `{owner}`"]))

    def _local(self, actor: str, l: A.LocalD, variant: str | None) -> None:
        init = f" = {expr(l.init)}" if l.init is not None else ""
        self._add(Sym("local", l.name, l.name_span or l.span, l.span, actor, variant,
                      f"local {actor}.{l.name}: {type_(l.type)}{init}", None))
        self._inline_atoms(l.type, actor)

    def _step(self, actor: str, s: A.StepD, variant: str | None) -> Sym | None:
        return self._add(Sym("step", s.name, s.name_span or s.span, s.span, actor, variant,
                             f"step {actor}.{s.name}{_anchor(s.anchor)}", s.doc, s.anchor))

    def _actor(self, d: A.ActorD, variant: str | None) -> None:
        fair = {"weak": "fair ", "strong": "fair+ ", None: ""}.get(d.fairness, "")
        fam = f"(self in {d.family})" if d.family else ""
        steps = ", ".join(s.name for s in d.steps)
        self._add(Sym("actor", d.name, d.name_span or d.span, d.span, None, variant,
                      f"{fair}actor {d.name}{fam}", d.doc, notes=[f"steps: {steps}"] if steps else []))
        for l in d.locals:
            self._local(d.name, l, variant)
        for s in d.steps:
            self._step(d.name, s, variant)

    def _delta(self, x, variant: str) -> None:
        if isinstance(x, A.InsertStepD):
            sym = self._step(x.actor, x.step, variant)
            if sym is not None:
                sym.notes.append(f"inserted {x.where} `{x.actor}.{x.ref}` by variant `{variant}`")
        elif isinstance(x, A.AddLocalD):
            self._local(x.actor, x.local, variant)
        elif isinstance(x, A.DeclDelta):
            self._decl(x.decl, variant)

    def finish(self) -> "Index":
        """Notes that need the whole model: where steps are replaced or removed."""
        for f in self.files.values():
            for d in f.decls:
                if not isinstance(d, A.VariantD):
                    continue
                for x in d.deltas or ():
                    if isinstance(x, (A.ReplaceStepD, A.RemoveStepD)):
                        how = "replaced" if isinstance(x, A.ReplaceStepD) else "removed"
                        anchor = f" (@ {quote(x.anchor)})" if getattr(x, "anchor", None) else ""
                        for s in self.lookup(x.step, kinds=("step",), container=x.actor, variant=d.name):
                            s.notes.append(f"{how} in variant `{d.name}`{anchor}")
        return self

    # ------------------------------------------------------------------ queries

    def chain(self, variant: str | None) -> list[str | None]:
        """The variant, the ones it extends, then the base (None)."""
        out: list[str | None] = []
        v = variant
        while v is not None and v not in out and v in self.extends:
            out.append(v)
            v = self.extends[v]
        if variant is not None and variant.startswith("for "):
            out.append(variant)
        out.append(None)
        return out

    def lookup(self, name: str, kinds=None, container: str | None = None, variant: str | None = None,
               strict: bool = True) -> list[Sym]:
        """The declarations of ``name`` seen from ``variant``: that variant's own first, then
        those of the variants it extends, then the base; ``strict=False`` adds every other
        declaration of the name (in other variants) after those."""
        found = [s for s in self.by_name.get(name, ())
                 if (kinds is None or s.kind in kinds)
                 and (container is None or s.container == container)]
        if not found:
            return []
        order = self.chain(variant)
        rank = {v: i for i, v in enumerate(order)}
        seen = sorted((s for s in found if s.variant in rank or (s.variant or "").startswith("for ")),
                      key=lambda s: rank.get(s.variant, len(order)))
        if seen:
            best = rank.get(seen[0].variant, len(order))
            near = [s for s in seen if rank.get(s.variant, len(order)) == best]
        else:
            near = []
        if strict:
            return near or found
        return near + [s for s in found if s not in near]

    def at(self, path: str, line: int, col: int) -> Sym | None:
        """The symbol whose declared name is at this position."""
        for s in self.by_line.get((path, line), ()):
            if _contains(s.span, line, col):
                return s
        return None


def build_index(files: list[A.File], sources: dict[str, str]) -> Index:
    with gc_paused():  # many small objects and no cycles: collections made it quadratic
        return Index(files, sources).finish()
