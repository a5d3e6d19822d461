"""Atoms and types of one variant (``TypeResolver``, a part of ``resolve.Resolver``): the atoms
every constant set, enum and inline atom set declares, declared types as IR types, the set of a
type's values and its default value."""

from __future__ import annotations

from ..diagnostics import did_you_mean
from ..dsl import ast as A
from ..span import Span
from . import nodes as N
from .scope import Scope, has_default
from .variants import KIND_WORD


class TypeResolver:
    # atoms -------------------------------------------------------------------------
    def _collect_atoms(self) -> None:
        for c in self.consts.values():
            for a in c.atoms or ():
                self._atom(a, "model", f"constant `{c.name}`", c.name_span)
        for e in self.enums.values():
            for m in e.members:
                self._atom(m, "enum", f"enum `{e.name}`", e.name_span)
        types = [f.type for s in self.structs.values() for f in s.fields]
        types += [v.type for v in self.vars.values()]
        types += [l.type for a in self.env.actors.values() for l in a.locals]
        for t in types:
            for at in _inline_atoms(t):
                for n in at.names:
                    self._atom(n, "enum", "an inline atom set", at.span)

    def _atom(self, name: str, kind: str, origin: str, span: Span | None) -> None:
        prev = self.atoms.get(name)
        if prev is not None and prev != kind:
            self.d.err(f"atom `{name}` is both a model value and an enum member or inline atom", span,
                       f"it also appears in {self.atom_origin[name]}; rename one", "atom-clash")
            return
        if name in self.env.decls and prev is None:
            k = self.env.decls[name][0]
            self.d.err(f"atom `{name}` has the same name as a {KIND_WORD[k]}", span,
                       "rename the atom or the declaration", "atom-clash")
        self.atoms.setdefault(name, kind)
        self.atom_origin.setdefault(name, origin)

    def _use_atom(self, n: str) -> None:
        for c in self.consts.values():
            if c.atoms and n in c.atoms:
                self.used.add(c.name)
        for e in self.enums.values():
            if n in e.members:
                self.used.add(e.name)

    # types ---------------------------------------------------------------------------
    def int_bound(self, b: int | str, span: Span | None) -> int:
        if isinstance(b, int):
            return b
        c = self.consts.get(b)
        if c is not None and c.value is not None:
            self.used.add(b)
            return c.value
        hint = did_you_mean(b, [n for n, c in self.consts.items() if c.value is not None])
        self.d.err(f"`{b}` is not an integer constant", span,
                   hint or "range bounds are integer literals or integer constants", "undefined-name")
        return 0

    def type(self, t: A.TypeExpr, _seen: tuple[str, ...] = ()) -> N.Type:
        if isinstance(t, A.BoolT):
            return N.BoolType()
        if isinstance(t, A.RangeT):
            lo, hi = self.int_bound(t.lo, t.span), self.int_bound(t.hi, t.span)
            if lo > hi:
                self.d.err(f"empty range {lo}..{hi}", t.span, "the low end must not exceed the high end",
                           "type")
            return N.IntType(lo, hi)
        if isinstance(t, A.AtomsT):
            return N.AtomType(tuple(dict.fromkeys(t.names)))
        if isinstance(t, A.SetT):
            elem = self.type(t.elem, _seen)
            if isinstance(elem, N.ListType):
                self.d.err(f"a set cannot hold lists (`{elem}`)", t.elem.span,
                           "an object is on a list: keep one list per owner, e.g. `[Cpus -> list of Pages]`",
                           "type")
            return N.SetType(elem)
        if isinstance(t, A.ListT):
            elem = self.type(t.elem, _seen)
            if not isinstance(elem, N.AtomType):
                self.d.err(f"a list holds objects named by a constant set or an enum, not `{elem}`",
                           t.elem.span, "write e.g. `list of Pages` with `const Pages = {P1, P2}`", "type")
                return N.ListType(N.AtomType(()))
            return N.ListType(elem)
        if isinstance(t, A.FuncT):
            dom = self.type(t.domain, _seen)
            if not isinstance(dom, (N.AtomType, N.IntType, N.BoolType)):
                self.d.err(f"a function's domain must be finite and flat, not `{dom}`", t.domain.span,
                           "use a constant set, an enum, an atom set or an integer range", "type")
            return N.FuncType(dom, self.type(t.range, _seen))
        if isinstance(t, A.UnionT):
            atoms: list[str] = []
            for p in t.parts:
                pt = self.type(p, _seen)
                if not isinstance(pt, N.AtomType):
                    self.d.err(f"only atom types can be joined with `|`, not `{pt}`", p.span,
                               "unions are of constant sets, enums and `{a, b}` atom sets", "type")
                    continue
                atoms.extend(pt.atoms)
            return N.AtomType(tuple(dict.fromkeys(atoms)))
        assert isinstance(t, A.NamedT)
        n = t.name
        if n in self.enums:
            self.used.add(n)
            return N.AtomType(self.enums[n].members, n)
        if n in self.consts and self.consts[n].atoms is not None:
            self.used.add(n)
            return N.AtomType(self.consts[n].atoms, n)
        if n in self.structs:
            self.used.add(n)
            if n in _seen:
                self.d.err(f"struct `{n}` contains itself", t.span, "a struct cannot be recursive", "type")
                return N.BoolType()
            return self.record_type(n, _seen + (n,))
        if n in ("waitqueue", "spinlock"):  # the processes waiting on it, holding it (ir.waitqueues, ir.irq)
            return N.SetType(self.pid_type())
        cands = list(self.enums) + list(self.structs) + [c for c in self.consts if self.consts[c].atoms]
        hint = did_you_mean(n, cands + ["bool", "waitqueue", "spinlock"])
        if n in self.consts:
            hint = f"`{n}` is an integer constant; write a range such as `0..{n}`"
        self.d.err(f"unknown type `{n}`", t.span,
                   hint or "types are bool, lo..hi, enums, structs, constant sets, [D -> R], set of T, list of T",
                   "undefined-name")
        return N.BoolType()

    def record_type(self, name: str, _seen: tuple[str, ...] = ()) -> N.RecordType:
        if name in self.record_types:
            return self.record_types[name]
        s = self.structs[name]
        fields = []
        for f in self.d.distinct(s.fields, f"struct `{name}`", "fields"):
            ft = self.type(f.type, _seen or (name,))
            if f.default is not None:
                dv = self.expr(f.default, Scope())
            else:
                dv = self.default(ft, f.span, f"field `{name}.{f.name}`")
            fields.append(N.FieldDecl(f.name, ft, dv, f.doc, f.span))
        rt = N.RecordType(name, tuple(fields))
        self.record_types[name] = rt
        return rt

    def set_of(self, t: N.Type) -> N.Expr:
        """An expression for the set of values of a finite flat type."""
        if isinstance(t, N.AtomType):
            if t.name is not None and t.name in self.consts:
                return N.ConstRef(t.name)
            return N.SetLit(tuple(N.AtomLit(a, self.atoms.get(a, "enum")) for a in t.atoms))
        if isinstance(t, N.IntType):
            return N.RangeLit(N.IntLit(t.lo), N.IntLit(t.hi))
        if isinstance(t, N.BoolType):
            return N.SetLit((N.BoolLit(False), N.BoolLit(True)))
        return N.SetLit(())

    def type_default(self, t: N.Type) -> N.Expr | None:
        """The default value of type ``t`` (``false``, the low end of a range, ``{}``, the
        struct's field defaults, a function to its range's default), or None for a type that
        has none (atoms of constant sets and enums, and functions to them)."""
        if isinstance(t, N.BoolType):
            return N.BoolLit(False)
        if isinstance(t, N.IntType):
            return N.IntLit(t.lo)
        if isinstance(t, N.SetType):
            return N.SetLit(())
        if isinstance(t, N.ListType):
            return N.SeqLit(())
        if isinstance(t, N.RecordType):
            return N.RecordLit(t, tuple((f.name, f.default) for f in t.fields))
        if isinstance(t, N.FuncType) and has_default(t.range):
            var = self.fresh("x")
            return N.FuncLit(var, self.set_of(t.domain), self.type_default(t.range))
        return None

    def default(self, t: N.Type, span: Span | None, what: str) -> N.Expr:
        d = self.type_default(t)
        if d is not None:
            return d
        if isinstance(t, N.FuncType):  # a function to atoms: the error is its range's
            var = self.fresh("x")
            return N.FuncLit(var, self.set_of(t.domain), self.default(t.range, span, what))
        self.d.err(f"{what} has an atom type `{t}` and no default value", span,
                   f"give one, e.g. `= {t.atoms[0]}`" if t.atoms else "give a default value", "no-default")
        return N.AtomLit(t.atoms[0], self.atoms.get(t.atoms[0], "enum")) if t.atoms else N.BoolLit(False)


def _inline_atoms(t: A.TypeExpr):
    if isinstance(t, A.AtomsT):
        yield t
    elif isinstance(t, A.UnionT):
        for p in t.parts:
            yield from _inline_atoms(p)
    elif isinstance(t, (A.SetT, A.ListT)):
        yield from _inline_atoms(t.elem)
    elif isinstance(t, A.FuncT):
        yield from _inline_atoms(t.domain)
        yield from _inline_atoms(t.range)
