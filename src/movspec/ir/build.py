"""Syntax trees -> one resolved ``ir.Model`` per variant.

Contract: ``build(files)`` takes the parsed files of one model and returns the models (variant
name -> ``Model``, in declaration order), the deltas of every variant as written, and every
diagnostic found on the way (unknown names, bad deltas, duplicate declarations, misuse of
``self``/``at``/``~>``...). It never raises on bad input: an unresolvable piece becomes an
error plus a placeholder, so that one mistake does not hide the next. A model whose build
reported an error must not be checked.

What the builder does, in order, for every variant (bases first):

1. start from the declarations of the variant it extends (the base: the model outside
   variants), apply its deltas in order;
2. resolve types, then the bodies of steps with macros expanded (arguments are resolved in the
   caller's scope, so no capture; a parameter used by ``goto`` takes a step name) and ``def``
   calls inlined; ``x = any S`` becomes ``With``;
3. add one ``<m>_loaded`` variable per module, the ``TypeOK`` invariant, and one
   ``AssertProperty`` for every property that ``assert``/``call`` checks belong to.

Type checking, label rules and unused-declaration warnings live in ``movspec.check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from ..diagnostics import Diagnostic, Severity, did_you_mean, error, warning
from ..dsl import ast as A
from ..span import Span
from . import nodes as N
from .spelling import misspelt_targets

ASSERTIONS = "Assertions"
DEFAULT_GUARD = "NoUseAfterUnload"
_BINOPS = {"|": "union", "&": "inter", "\\": "minus"}


@dataclass(frozen=True)
class Delta:
    """One delta of a variant as written: ``kind`` (replace, insert_after, insert_before, remove,
    remove_property, local, const, enum, struct, var, module, def, macro, actor, invariant,
    assertion, leadsto, allow_deadlock), ``target`` (``actor.step``, a declaration name, or
    ``""``), ``text`` the exact source slice."""

    kind: str
    target: str
    text: str
    span: Span | None = field(default=None, compare=False)


def delta_of(node: A.DeltaNode) -> Delta:
    if isinstance(node, A.ReplaceStepD):
        return Delta("replace", f"{node.actor}.{node.step}", node.text, node.span)
    if isinstance(node, A.InsertStepD):
        return Delta(f"insert_{node.where}", f"{node.actor}.{node.ref}", node.text, node.span)
    if isinstance(node, A.RemoveStepD):
        return Delta("remove", f"{node.actor}.{node.step}", node.text, node.span)
    if isinstance(node, A.RemovePropertyD):
        return Delta("remove_property", node.name, node.text, node.span)
    if isinstance(node, A.AddLocalD):
        return Delta("local", f"{node.actor}.{node.local.name}", node.text, node.span)
    d = node.decl
    kind = _DECL_KIND[type(d)]
    return Delta(kind, getattr(d, "name", ""), node.text, node.span)


_DECL_KIND = {
    A.ConstD: "const", A.EnumD: "enum", A.StructD: "struct", A.VarD: "var", A.ModuleD: "module",
    A.DefD: "def", A.MacroD: "macro", A.ActorD: "actor", A.InvariantD: "invariant",
    A.AssertionD: "assertion", A.LeadsToD: "leadsto", A.AllowDeadlockD: "allow_deadlock",
    A.ModelD: "model", A.VariantD: "variant", A.ExpectD: "expect",
    A.RefinementD: "refinement", A.InductiveD: "inductive", A.AbstractD: "abstract", A.ForD: "for",
}
_KIND_WORD = {
    "const": "constant", "enum": "enum", "struct": "struct", "var": "variable", "module": "module",
    "def": "definition", "macro": "macro", "actor": "actor", "invariant": "property",
    "assertion": "property", "leadsto": "property", "refinement": "property", "inductive": "property",
}
# declarations sharing one namespace: everything an expression or statement can name
_VALUE_KINDS = ("const", "enum", "struct", "var", "module", "def", "macro", "actor")
_PROP_KINDS = ("invariant", "assertion", "leadsto", "refinement", "inductive")


# --------------------------------------------------------------------------- environment


@dataclass
class ActorEnv:
    decl: A.ActorD
    locals: list[A.LocalD]
    steps: list[A.StepD]
    origin: dict[str, str | None]  # step name -> variant that introduced or replaced it


@dataclass
class Env:
    """The declarations of one variant, after its deltas, before resolution."""

    decls: dict[str, tuple[str, object]]  # name -> (kind, decl), declaration order
    actors: dict[str, ActorEnv]
    props: dict[str, A.InvariantD | A.AssertionD | A.LeadsToD | A.RefinementD | A.InductiveD]
    allow_deadlock: bool

    def copy(self) -> "Env":
        return Env(dict(self.decls),
                   {k: ActorEnv(a.decl, list(a.locals), list(a.steps), dict(a.origin))
                    for k, a in self.actors.items()},
                   dict(self.props), self.allow_deadlock)

    def of(self, kind: str) -> dict[str, object]:
        return {n: d for n, (k, d) in self.decls.items() if k == kind}


class Diags:
    def __init__(self):
        self.items: list[Diagnostic] = []
        self.notes: list[Diagnostic] = []

    def err(self, msg: str, span: Span | None, hint: str | None = None, code: str = "") -> None:
        self.items.append(error(msg, span, hint, code))

    def warn(self, msg: str, span: Span | None, hint: str | None = None, code: str = "") -> None:
        self.items.append(warning(msg, span, hint, code))

    def note(self, msg: str, span: Span | None, hint: str | None = None, code: str = "") -> None:
        # what the model means where it is silent: shown by `movspec lint --verbose`
        self.notes.append(Diagnostic(Severity.NOTE, msg, span, hint, code))


def _add_decl(env: Env, d, diags: Diags, override: bool, variant: str | None) -> None:
    kind = _DECL_KIND[type(d)]
    if kind == "allow_deadlock":
        env.allow_deadlock = True
        return
    name = d.name
    span = d.name_span or d.span
    if kind in _PROP_KINDS:
        if name in env.props and not override:
            prev = env.props[name]
            diags.err(f"property `{name}` is declared twice", span,
                      f"the first declaration is at {prev.name_span or prev.span}; rename one", "duplicate")
            return
        if name in (N.TYPE_OK, N.DEADLOCK):
            diags.err(f"`{name}` is a built-in property", span, "choose another name", "duplicate")
            return
        env.props[name] = d
        return
    if name in env.decls:
        pkind, prev = env.decls[name]
        if not override or pkind != kind:
            where = prev.name_span or prev.span
            what = _KIND_WORD[pkind]
            if override:
                diags.err(f"`{name}` is already a {what}, it cannot be redeclared as a {_KIND_WORD[kind]}",
                          span, f"the {what} is declared at {where}; choose another name", "duplicate")
            else:
                diags.err(f"`{name}` is declared twice", span,
                          f"the first declaration (a {what}) is at {where}; rename one", "duplicate")
            return
    env.decls[name] = (kind, d)
    if kind == "actor":
        env.actors[name] = ActorEnv(d, list(d.locals), list(d.steps), {s.name: variant for s in d.steps})


def _apply_delta(env: Env, node: A.DeltaNode, variant: str, diags: Diags) -> None:
    if isinstance(node, A.DeclDelta):
        _add_decl(env, node.decl, diags, override=True, variant=variant)
        return
    if isinstance(node, A.RemovePropertyD):
        if node.name not in env.props:
            diags.err(f"variant `{variant}` removes property `{node.name}`, which does not exist",
                      node.name_span, did_you_mean(node.name, env.props) or
                      "only declared invariants, assertions and leadsto properties can be removed",
                      "unknown-property")
        else:
            del env.props[node.name]
        return
    actor = env.actors.get(node.actor)
    if actor is None:
        diags.err(f"variant `{variant}` names actor `{node.actor}`, which does not exist", node.name_span,
                  did_you_mean(node.actor, env.actors) or f"actors: {', '.join(env.actors) or 'none'}",
                  "unknown-actor")
        return
    if isinstance(node, A.AddLocalD):
        if any(l.name == node.local.name for l in actor.locals):
            diags.err(f"actor `{node.actor}` already has a local `{node.local.name}`", node.local.name_span,
                      "choose another name", "duplicate")
        else:
            actor.locals.append(node.local)
        return
    ref = node.ref if isinstance(node, A.InsertStepD) else node.step
    names = [s.name for s in actor.steps]
    if ref not in names:
        diags.err(f"variant `{variant}` names step `{node.actor}.{ref}`, which does not exist", node.name_span,
                  did_you_mean(ref, names) or f"steps of `{node.actor}`: {', '.join(names) or 'none'}",
                  "unknown-step")
        return
    i = names.index(ref)
    if isinstance(node, A.RemoveStepD):
        del actor.steps[i]
        actor.origin.pop(ref, None)
    elif isinstance(node, A.ReplaceStepD):
        old = actor.steps[i]
        actor.steps[i] = A.StepD(old.name, node.anchor if node.anchor is not None else old.anchor,
                                 node.doc if node.doc is not None else old.doc, node.body, node.span,
                                 old.name_span)
        actor.origin[ref] = variant
    else:
        new = node.step
        if new.name in names:
            diags.err(f"actor `{node.actor}` already has a step `{new.name}`", new.name_span,
                      "choose another name, or use `replace` to change the existing step", "duplicate")
            return
        actor.steps.insert(i + 1 if node.where == "after" else i, new)
        actor.origin[new.name] = variant


# --------------------------------------------------------------------------- resolution context


class _Unresolved(Exception):
    """Raised inside expression resolution after the error has been reported."""


@dataclass
class Scope:
    """What a name can mean at one point of a step or property."""

    actor: ActorEnv | None = None  # inside a step (or local init) of this actor
    names: dict[str, object] = field(default_factory=dict)  # params and bound vars -> N.Expr | _Label
    labels: dict[str, "_Label"] = field(default_factory=dict)
    in_leadsto: bool = False
    bound: frozenset = frozenset()  # IR names of every bound variable around, callers' included

    def bind(self, **kw) -> "Scope":
        s = Scope(self.actor, dict(self.names), dict(self.labels), self.in_leadsto, self.bound)
        s.names.update(kw)
        s.bound = s.bound | {v.name for v in kw.values() if isinstance(v, N.BoundRef)}
        return s


@dataclass
class _Label:
    """A macro argument: a step name for `goto` and/or an expression (resolved lazily)."""

    ast: A.Expr
    resolve: Callable[[], N.Expr]


class Resolver:
    def __init__(self, env: Env, variant: str, diags: Diags, taken: set[str]):
        self.env = env
        self.variant = variant
        self.d = diags
        self.taken = set(taken)
        self._fresh_next: dict[str, int] = {}
        self.enums: dict[str, A.EnumD] = env.of("enum")
        self.structs: dict[str, A.StructD] = env.of("struct")
        self.consts: dict[str, A.ConstD] = env.of("const")
        self.vars: dict[str, A.VarD] = env.of("var")
        self.modules: dict[str, A.ModuleD] = env.of("module")
        self.defs: dict[str, A.DefD] = env.of("def")
        self.macros: dict[str, A.MacroD] = env.of("macro")
        self.atoms: dict[str, str] = {}  # atom -> "model" | "enum"
        self.atom_origin: dict[str, str] = {}
        self.record_types: dict[str, N.RecordType] = {}
        self.used: set[str] = set()  # declarations referred to (for unused warnings)
        self.assert_props: dict[str, Span | None] = {}
        self.assert_spans: dict[str, list[Span | None]] = {}  # every `assert ... as P`, per P
        self.call_counts: dict[str, int] = {}  # calls into modules, per guarded property
        self._expanding: list[str] = []
        self._collect_atoms()

    # fresh names -----------------------------------------------------------------
    def fresh(self, base: str) -> str:
        # the next number to try is remembered per base: linear in the names made, not quadratic
        name, i = base, self._fresh_next.get(base, 1)
        if i > 1:
            name = f"{base}{i}"
        while name in self.taken:
            i += 1
            name = f"{base}{i}"
        self._fresh_next[base] = i
        self.taken.add(name)
        return name

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
            self.d.err(f"atom `{name}` has the same name as a {_KIND_WORD[k]}", span,
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
            return N.SetType(self.type(t.elem, _seen))
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
        cands = list(self.enums) + list(self.structs) + [c for c in self.consts if self.consts[c].atoms]
        hint = did_you_mean(n, cands + ["bool"])
        if n in self.consts:
            hint = f"`{n}` is an integer constant; write a range such as `0..{n}`"
        self.d.err(f"unknown type `{n}`", t.span,
                   hint or "types are bool, lo..hi, enums, structs, constant sets, [D -> R], set of T",
                   "undefined-name")
        return N.BoolType()

    def record_type(self, name: str, _seen: tuple[str, ...] = ()) -> N.RecordType:
        if name in self.record_types:
            return self.record_types[name]
        s = self.structs[name]
        fields = []
        seen: set[str] = set()
        for f in s.fields:
            if f.name in seen:
                self.d.err(f"struct `{name}` has two fields named `{f.name}`", f.name_span,
                           "rename one", "duplicate")
                continue
            seen.add(f.name)
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
        if isinstance(t, N.RecordType):
            return N.RecordLit(t, tuple((f.name, f.default) for f in t.fields))
        if isinstance(t, N.FuncType) and _has_default(t.range):
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

    # expressions --------------------------------------------------------------------------
    def expr(self, e: A.Expr, sc: Scope) -> N.Expr:
        try:
            return self._expr(e, sc)
        except _Unresolved:
            return _placeholder(e.span)

    def _fail(self, msg: str, span: Span | None, hint: str | None = None, code: str = "") -> None:
        self.d.err(msg, span, hint, code)
        raise _Unresolved()

    def _name_candidates(self, sc: Scope) -> list[str]:
        c = list(sc.names) + list(self.vars) + list(self.consts) + list(self.atoms) + list(self.defs)
        c += [m for m in self.modules] + [a for a in self.env.actors]
        if sc.actor is not None:
            c += [l.name for l in sc.actor.locals]
        return c

    def _name(self, e: A.Name, sc: Scope) -> N.Expr:
        n, sp = e.name, e.span
        if n in sc.names:
            v = sc.names[n]
            if isinstance(v, _Label):
                return v.resolve()
            return _respan(v, sp) if isinstance(v, N.BoundRef) else v
        if sc.actor is not None and any(l.name == n for l in sc.actor.locals):
            self.used.add(f"{sc.actor.decl.name}.{n}")
            return N.LocalRef(sc.actor.decl.name, n, None, sp)
        if n in self.vars:
            self.used.add(n)
            return N.VarRef(n, sp)
        if n in self.consts:
            self.used.add(n)
            return N.ConstRef(n, sp)
        if n in self.atoms:
            self._use_atom(n)
            return N.AtomLit(n, self.atoms[n], sp)
        if n in self.defs:
            return self._apply_def(self.defs[n], (), sp, sc)
        if n in self.enums:
            self.used.add(n)
            return N.SetLit(tuple(N.AtomLit(m, "enum", sp) for m in self.enums[n].members), sp)
        if n == "self":
            self._fail("`self` is a keyword", sp)
        if n in self.modules:
            self._fail(f"module `{n}` is not a value", sp, f"write `{n}.loaded` for whether it is loaded",
                       "not-a-value")
        if n in self.env.actors:
            a = self.env.actors[n]
            if a.decl.family is None:
                self._fail(f"actor `{n}` is not a value", sp,
                           f"write `{n} at STEP` or `{n}.LOCAL`", "not-a-value")
            self._fail(f"actor `{n}` is not a value", sp,
                       f"write `{n}[id] at STEP` or `{n}[id].LOCAL`", "not-a-value")
        if n in self.macros:
            self._fail(f"macro `{n}` is not a value", sp, "macros are statements; use a `def` in expressions",
                       "not-a-value")
        if n in self.structs:
            self._fail(f"struct `{n}` is not a value", sp, f"write a struct value as `{n}(field: value)`",
                       "not-a-value")
        if sc.actor is not None:
            for other in self.env.actors.values():
                if other is not sc.actor and any(l.name == n for l in other.locals):
                    self._fail(f"`{n}` is a local of actor `{other.decl.name}`, not of `{sc.actor.decl.name}`",
                               sp, f"declare `local {n}: ...` in `{sc.actor.decl.name}`", "undefined-name")
        else:
            for other in self.env.actors.values():
                if any(l.name == n for l in other.locals):
                    ref = f"{other.decl.name}[id].{n}" if other.decl.family else f"{other.decl.name}.{n}"
                    self._fail(f"`{n}` is a local of actor `{other.decl.name}`", sp,
                               f"outside the actor, name the process: `{ref}`", "undefined-name")
        self._fail(f"unknown name `{n}`", sp, did_you_mean(n, self._name_candidates(sc)) or
                   "declare it as a var, const, local or enum member", "undefined-name")

    def _actor_proc(self, e: A.Expr, sc: Scope) -> tuple[ActorEnv, N.Expr | None, bool] | None:
        """``a`` or ``a[i]`` naming an actor's process: (actor, proc expr, indexed)."""
        if isinstance(e, A.Name) and e.name in self.env.actors and e.name not in sc.names \
                and e.name not in self.vars and e.name not in self.consts:
            return self.env.actors[e.name], None, False
        if isinstance(e, A.IndexE) and isinstance(e.base, A.Name) and e.base.name in self.env.actors \
                and e.base.name not in sc.names and e.base.name not in self.vars:
            return self.env.actors[e.base.name], self._expr(e.index, sc), True
        return None

    def _check_proc_form(self, a: ActorEnv, indexed: bool, span: Span | None) -> None:
        if a.decl.family is not None and not indexed:
            self._fail(f"actor `{a.decl.name}` is a family: say which process", span,
                       f"write `{a.decl.name}[id]`, with id in {a.decl.family}", "actor-ref")
        if a.decl.family is None and indexed:
            self._fail(f"actor `{a.decl.name}` is a single process and takes no index", span,
                       f"write `{a.decl.name}` alone", "actor-ref")

    def _expr(self, e: A.Expr, sc: Scope) -> N.Expr:
        sp = e.span
        if isinstance(e, A.IntE):
            return N.IntLit(e.value, sp)
        if isinstance(e, A.BoolE):
            return N.BoolLit(e.value, sp)
        if isinstance(e, A.Name):
            return self._name(e, sc)
        if isinstance(e, A.SelfE):
            if sc.actor is None:
                self._fail("`self` outside an actor", sp, "`self` is the running process; use it in steps",
                           "self")
            if sc.actor.decl.family is None:
                self._fail(f"`self` in single actor `{sc.actor.decl.name}`", sp,
                           f"only family actors (`actor {sc.actor.decl.name}(self in S)`) have `self`", "self")
            return N.SelfRef(sp)
        if isinstance(e, A.FieldE):
            if isinstance(e.base, A.Name) and e.base.name in self.modules and e.base.name not in sc.names:
                if e.name != "loaded":
                    self._fail(f"module `{e.base.name}` has no `{e.name}`", sp,
                               f"`{e.base.name}.loaded` says whether it is loaded; callbacks are called with "
                               f"`call {e.base.name}.OP(...)`", "field")
                self.used.add(e.base.name)
                return N.VarRef(N.module_loaded_var(e.base.name), sp)
            ap = self._actor_proc(e.base, sc)
            if ap is not None:
                a, proc, indexed = ap
                self._check_proc_form(a, indexed, e.base.span)
                if not any(l.name == e.name for l in a.locals):
                    self._fail(f"actor `{a.decl.name}` has no local `{e.name}`", sp,
                               did_you_mean(e.name, [l.name for l in a.locals]) or
                               f"locals of `{a.decl.name}`: {', '.join(l.name for l in a.locals) or 'none'}",
                               "undefined-name")
                self.used.add(f"{a.decl.name}.{e.name}")
                if proc is None:
                    proc = N.AtomLit(a.decl.name, "enum", e.base.span)
                return N.LocalRef(a.decl.name, e.name, proc, sp)
            return N.Field(self._expr(e.base, sc), e.name, sp)
        if isinstance(e, A.IndexE):
            if self._actor_proc(e, sc) is not None:
                self._fail(f"actor `{e.base.name}` is not a value", sp,
                           f"write `{e.base.name}[id] at STEP` or `{e.base.name}[id].LOCAL`", "not-a-value")
            return N.Index(self._expr(e.base, sc), self._expr(e.index, sc), sp)
        if isinstance(e, A.UnaryE):
            return N.Unary(e.op, self._expr(e.operand, sc), sp)
        if isinstance(e, A.BinaryE):
            if e.op == "~>":
                if not sc.in_leadsto:
                    self._fail("`~>` outside a leadsto property", sp,
                               "write `leadsto NAME: forall x in S: p ~> q`", "leadsto")
                self._fail("`~>` must be the top operator of a leadsto property", sp,
                           "write `leadsto NAME: forall x in S: p ~> q`", "leadsto")
            return N.Binary(_BINOPS.get(e.op, e.op), self._expr(e.left, sc), self._expr(e.right, sc), sp)
        if isinstance(e, A.SetE):
            return N.SetLit(tuple(self._expr(x, sc) for x in e.elems), sp)
        if isinstance(e, A.RangeE):
            return N.RangeLit(self._expr(e.lo, sc), self._expr(e.hi, sc), sp)
        if isinstance(e, A.CardE):
            return N.Card(self._expr(e.set, sc), sp)
        if isinstance(e, A.IfE):
            return N.IfExpr(self._expr(e.cond, sc), self._expr(e.then, sc), self._expr(e.orelse, sc), sp)
        if isinstance(e, A.QuantE):
            return self._quant(e.kind, list(e.binders), e.body, sc, sp)
        if isinstance(e, A.FilterE):
            dom = self._expr(e.domain, sc)
            self._check_binder(e.var, sc, sp)
            var, inner = self._bind_var(sc, e.var)
            return N.SetFilter(var, dom, self._expr(e.cond, inner), sp)
        if isinstance(e, A.FuncE):
            dom = self._expr(e.domain, sc)
            self._check_binder(e.var, sc, sp)
            var, inner = self._bind_var(sc, e.var)
            return N.FuncLit(var, dom, self._expr(e.body, inner), sp)
        if isinstance(e, A.AtE):
            return self._at(e, sc)
        if isinstance(e, A.ApplyE):
            return self._apply(e, sc)
        raise AssertionError(f"unexpected expression {e!r}")

    def _check_binder(self, var: str, sc: Scope, span: Span | None) -> None:
        clash = None
        if var in sc.names and isinstance(sc.names[var], N.BoundRef):
            clash = "an enclosing bound variable"
        elif var in self.vars:
            clash = "a variable"
        elif var in self.consts:
            clash = "a constant"
        elif var in self.atoms:
            clash = "an atom"
        elif sc.actor is not None and any(l.name == var for l in sc.actor.locals):
            clash = "a local"
        if clash:
            self._fail(f"bound variable `{var}` has the name of {clash}", span,
                       "choose another name (TLA+ forbids shadowing)", "shadow")

    def _quant(self, kind, binders, body, sc, sp):
        var, dom = binders[0]
        dom_ir = self._expr(dom, sc)
        self._check_binder(var, sc, sp)
        ir_var, inner = self._bind_var(sc, var)
        if len(binders) > 1:
            b = self._quant(kind, binders[1:], body, inner, sp)
        else:
            b = self._expr(body, inner)
        return N.Quant(kind, ir_var, dom_ir, b, sp)

    def _bind_var(self, sc: Scope, var: str) -> tuple[str, Scope]:
        """Bind ``var`` for a body. Inside an expanded macro or def, a name already bound around
        the call site is renamed, so an argument is never captured and TLA+ sees no shadowing."""
        ir_var = self.fresh(var) if var in sc.bound else var
        self.taken.add(ir_var)
        return ir_var, sc.bind(**{var: N.BoundRef(ir_var)})

    def _at(self, e: A.AtE, sc: Scope) -> N.Expr:
        sp = e.span
        if e.proc is None:
            if sc.actor is None:
                self._fail("`at STEP` without a process outside an actor", sp,
                           "name the process: `actor[id] at STEP` (or `actor at STEP` for a single actor)", "at")
            a, proc = sc.actor, None
        else:
            ap = self._actor_proc(e.proc, sc)
            if ap is None:
                self._fail("`at` needs an actor's process on its left", e.proc.span,
                           "write `actor[id] at STEP`, or `actor at STEP` for a single actor", "at")
            a, proc, indexed = ap
            self._check_proc_form(a, indexed, e.proc.span)
            if a is sc.actor and proc is None:
                proc = None
        names = [s.name for s in a.steps]
        steps = []
        for s in e.steps:
            if s == "done":
                steps.append(N.DONE)
            elif s in names:
                steps.append(s)
            else:
                self._fail(f"actor `{a.decl.name}` has no step `{s}`", sp,
                           did_you_mean(s, names + ["done"]) or f"steps: {', '.join(names)}", "unknown-step")
        return N.At(a.decl.name, proc, tuple(steps), sp)

    def _apply(self, e: A.ApplyE, sc: Scope) -> N.Expr:
        sp = e.span
        if e.name in self.structs and e.name not in self.defs:
            self.used.add(e.name)
            rt = self.record_type(e.name)
            given: dict[str, N.Expr] = {}
            for a in e.args:
                if a.name is None:
                    self._fail(f"struct value `{e.name}(...)` needs named fields", a.span,
                               f"write `{e.name}(field: value, ...)`", "struct-value")
                if rt.field(a.name) is None:
                    self._fail(f"struct `{e.name}` has no field `{a.name}`", a.span,
                               did_you_mean(a.name, [f.name for f in rt.fields]) or
                               f"fields: {', '.join(f.name for f in rt.fields)}", "field")
                if a.name in given:
                    self._fail(f"field `{a.name}` given twice", a.span, "give each field once", "duplicate")
                given[a.name] = self._expr(a.value, sc)
            return N.RecordLit(rt, tuple((f.name, given.get(f.name, f.default)) for f in rt.fields), sp)
        if e.name in self.defs:
            for a in e.args:
                if a.name is not None:
                    self._fail(f"named argument `{a.name}:` in a call of `{e.name}`", a.span,
                               "named arguments are only for struct values", "arguments")
            return self._apply_def(self.defs[e.name], tuple(a.value for a in e.args), sp, sc)
        if e.name in self.macros:
            self._fail(f"macro `{e.name}` used in an expression", sp,
                       "macros are statements; use a `def` for an expression", "not-a-value")
        self._fail(f"unknown definition `{e.name}`", sp,
                   did_you_mean(e.name, list(self.defs) + list(self.structs)) or
                   "declare it with `def NAME(params) = expr`", "undefined-name")

    def _apply_def(self, d: A.DefD, args: tuple[A.Expr, ...], sp, sc: Scope) -> N.Expr:
        self.used.add(d.name)
        params = d.params or ()
        if len(args) != len(params):
            self._fail(f"`{d.name}` takes {len(params)} argument{'s' if len(params) != 1 else ''}, "
                       f"{len(args)} given", sp, f"write `{d.name}({', '.join(params)})`"
                       if params else f"write `{d.name}`", "arguments")
        if d.name in self._expanding:
            chain = " -> ".join(self._expanding[self._expanding.index(d.name):] + [d.name])
            self._fail(f"definition `{d.name}` uses itself ({chain})", sp,
                       "definitions are inlined and cannot be recursive", "recursion")
        vals = {p: self._expr(a, sc) for p, a in zip(params, args)}
        inner = Scope(sc.actor, vals, {}, False, sc.bound)
        self._expanding.append(d.name)
        try:
            return self._expr(d.body, inner)
        finally:
            self._expanding.pop()

    # statements ------------------------------------------------------------------------
    def stmts(self, body: tuple[A.Stmt, ...], sc: Scope, steps: list[str]) -> tuple[N.Stmt, ...]:
        out: list[N.Stmt] = []
        for s in body:
            try:
                out.extend(self._stmt(s, sc, steps))
            except _Unresolved:
                out.append(N.Skip(s.span))
        return tuple(out)

    def _target(self, t: A.Expr, sc: Scope) -> N.Expr:
        root = t
        while isinstance(root, (A.FieldE, A.IndexE)):
            root = root.base
        assert isinstance(root, A.Name)
        n = root.name
        if n in sc.names:
            v = sc.names[n]
            if isinstance(v, _Label):
                v = v.resolve()
            base = v
            r = base
            while isinstance(r, (N.Field, N.Index)):
                r = r.base
            if not (isinstance(r, N.VarRef) or isinstance(r, N.LocalRef) and r.proc is None):
                what = "a bound variable" if isinstance(v, N.BoundRef) else "a macro argument that is not a variable"
                self._fail(f"cannot assign to `{n}`: it is {what}", root.span,
                           "assign to a var or a local of this actor", "assign")
        elif sc.actor is not None and any(l.name == n for l in sc.actor.locals):
            base = N.LocalRef(sc.actor.decl.name, n, None, root.span)
            self.used.add(f"{sc.actor.decl.name}.{n}")
        elif n in self.vars:
            self.used.add(n)
            base = N.VarRef(n, root.span)
        else:
            if n in self.consts or n in self.atoms:
                self._fail(f"cannot assign to `{n}`: it is a {'constant' if n in self.consts else 'atom'}",
                           root.span, "assign to a var or a local of this actor", "assign")
            if n in self.modules:
                self._fail(f"cannot assign to module `{n}`", root.span,
                           f"write `unload {n}` to unload it", "assign")
            self._name(root, sc)  # reports the unknown name with its hint
            raise _Unresolved()
        return self._rebuild_target(t, base, sc)

    def _rebuild_target(self, t: A.Expr, base: N.Expr, sc: Scope) -> N.Expr:
        if isinstance(t, A.FieldE):
            return N.Field(self._rebuild_target(t.base, base, sc), t.name, t.span)
        if isinstance(t, A.IndexE):
            return N.Index(self._rebuild_target(t.base, base, sc), self._expr(t.index, sc), t.span)
        return base

    def _stmt(self, s: A.Stmt, sc: Scope, steps: list[str]) -> list[N.Stmt]:
        sp = s.span
        if isinstance(s, A.AssignS):
            return [N.Assign(self._target(s.target, sc), s.op, self.expr(s.value, sc), sp)]
        if isinstance(s, A.ChooseS):
            dom = self.expr(s.domain, sc)
            tgt = self._target(s.target, sc)
            root = s.target
            while isinstance(root, (A.FieldE, A.IndexE)):
                root = root.base
            var = self.fresh(f"{root.name}_any")
            return [N.With(var, dom, (N.Assign(tgt, "=", N.BoundRef(var, sp), sp),), sp)]
        if isinstance(s, A.WithS):
            dom = self.expr(s.domain, sc)
            self._check_binder(s.var, sc, sp)
            var, inner = self._bind_var(sc, s.var)
            return [N.With(var, dom, self.stmts(s.body, inner, steps), sp)]
        if isinstance(s, A.IfS):
            return [N.If(self.expr(s.cond, sc), self.stmts(s.then, sc, steps),
                         self.stmts(s.orelse or (), sc, steps), sp)]
        if isinstance(s, A.AwaitS):
            return [N.Await(self.expr(s.cond, sc), sp)]
        if isinstance(s, A.EitherS):
            return [N.Either(tuple(self.stmts(b, sc, steps) for b in s.branches), sp)]
        if isinstance(s, A.GotoS):
            return [N.Goto(self._goto_target(s.target, sp, sc, steps), sp)]
        if isinstance(s, A.AssertS):
            prop = s.prop or ASSERTIONS
            self.assert_props.setdefault(prop, sp)
            if s.prop is not None:
                self.assert_spans.setdefault(prop, []).append(sp)
            return [N.Assert(self.expr(s.cond, sc), s.message, prop, sp)]
        if isinstance(s, A.CallS):
            m = self.modules.get(s.module)
            if m is None:
                self._fail(f"unknown module `{s.module}`", sp, did_you_mean(s.module, self.modules) or
                           "declare it with `module NAME { ops ... }`", "undefined-name")
            if s.op not in m.ops:
                self._fail(f"module `{s.module}` has no op `{s.op}`", sp,
                           did_you_mean(s.op, m.ops) or f"add it: `ops {', '.join(m.ops + (s.op,))}`",
                           "undefined-name")
            self.used.add(s.module)
            self.used.add(f"{s.module}.{s.op}")
            prop = m.guards or DEFAULT_GUARD
            self.assert_props.setdefault(prop, sp)
            self.call_counts[prop] = self.call_counts.get(prop, 0) + 1
            return [N.Call(s.module, s.op, tuple(self.expr(a, sc) for a in s.args), prop, sp)]
        if isinstance(s, A.UnloadS):
            if s.module not in self.modules:
                self._fail(f"unknown module `{s.module}`", sp, did_you_mean(s.module, self.modules) or
                           "declare it with `module NAME { ops ... }`", "undefined-name")
            self.used.add(s.module)
            return [N.Assign(N.VarRef(N.module_loaded_var(s.module), sp), "=", N.BoolLit(False, sp), sp)]
        if isinstance(s, A.SkipS):
            return [N.Skip(sp)]
        if isinstance(s, A.MacroS):
            return self._expand(s, sc, steps)
        raise AssertionError(f"unexpected statement {s!r}")

    def _goto_target(self, target: str, sp, sc: Scope, steps: list[str]) -> str:
        if target in sc.labels:
            lab = sc.labels[target]
            if not isinstance(lab.ast, A.Name):
                self._fail(f"`goto {target}`: the argument given for `{target}` is not a step name",
                           lab.ast.span, "pass a step name (or `done`) for a parameter used by `goto`", "goto")
            target = lab.ast.name
            sp = lab.ast.span
        if target == "done":
            return N.DONE
        if sc.actor is None:
            self._fail("`goto` outside an actor", sp, "`goto` jumps to a step of the same actor", "goto")
        if target not in steps:
            self._fail(f"`goto {target}`: actor `{sc.actor.decl.name}` has no step `{target}`", sp,
                       did_you_mean(target, steps + ["done"]) or f"steps: {', '.join(steps)}, done",
                       "unknown-step")
        return target

    def _expand(self, s: A.MacroS, sc: Scope, steps: list[str]) -> list[N.Stmt]:
        m = self.macros.get(s.name)
        if m is None:
            if s.name in self.defs:
                self._fail(f"`{s.name}` is a definition, not a macro", s.span,
                           "a `def` is an expression; use it inside a statement", "not-a-statement")
            self._fail(f"unknown macro `{s.name}`", s.span, did_you_mean(s.name, self.macros) or
                       "declare it with `macro NAME(params) { ... }`", "undefined-name")
        self.used.add(m.name)
        params = m.params or ()
        if len(params) != len(s.args):
            self._fail(f"macro `{m.name}` takes {len(params)} argument{'s' if len(params) != 1 else ''}, "
                       f"{len(s.args)} given", s.span, f"write `{m.name}({', '.join(params)})`", "arguments")
        if m.name in self._expanding:
            chain = " -> ".join(self._expanding[self._expanding.index(m.name):] + [m.name])
            self._fail(f"macro `{m.name}` expands itself ({chain})", s.span,
                       "macros are expanded inline and cannot be recursive", "recursion")
        names: dict[str, object] = {}
        labels: dict[str, _Label] = {}
        for p, a in zip(params, s.args):
            lab = _Label(a, _lazy(lambda a=a: self._expr(a, sc)))
            names[p] = lab
            labels[p] = lab
        inner = Scope(sc.actor, names, labels, False, sc.bound)
        self._expanding.append(m.name)
        try:
            return list(self.stmts(m.body, inner, steps))
        finally:
            self._expanding.pop()


def _placeholder(span: Span | None) -> N.Expr:
    """Stands for an expression that could not be resolved (already reported): of no type,
    so the checks that follow add no noise about it."""
    return N.AtomLit("<unresolved>", "default", span)


def _lazy(f: Callable[[], N.Expr]) -> Callable[[], N.Expr]:
    cache: list[N.Expr] = []

    def get() -> N.Expr:
        if not cache:
            try:
                cache.append(f())
            except _Unresolved:
                cache.append(_placeholder(None))
                raise
        return cache[0]
    return get


def _respan(e: N.Expr, sp: Span | None) -> N.Expr:
    return replace(e, span=sp) if sp is not None else e


def _inline_atoms(t: A.TypeExpr):
    if isinstance(t, A.AtomsT):
        yield t
    elif isinstance(t, A.UnionT):
        for p in t.parts:
            yield from _inline_atoms(p)
    elif isinstance(t, A.SetT):
        yield from _inline_atoms(t.elem)
    elif isinstance(t, A.FuncT):
        yield from _inline_atoms(t.domain)
        yield from _inline_atoms(t.range)


# --------------------------------------------------------------------------- model assembly


def _model(header: A.ModelD | None, v: A.VariantD | None, vname: str, env: Env, diags: Diags,
           expectations: tuple[N.Expectation, ...], used: set[str] | None = None,
           abstracts: dict[str, A.AbstractD] | None = None) -> N.Model:
    taken = set(env.decls) | set(env.props)
    for a in env.actors.values():
        taken |= {l.name for l in a.locals} | {s.name for s in a.steps}
    r = Resolver(env, vname, diags, taken)

    consts = []
    for c in r.consts.values():
        consts.append(N.Const(c.name, c.atoms, c.value, c.symmetric, c.doc, c.span))
        if c.atoms is not None and not c.atoms:
            diags.err(f"constant set `{c.name}` is empty", c.span, "give it at least one model value", "empty-set")
        if c.atoms is not None and len(set(c.atoms)) != len(c.atoms):
            diags.err(f"constant set `{c.name}` lists a model value twice", c.span, "list each once", "duplicate")
    for e in r.enums.values():
        if len(set(e.members)) != len(e.members):
            diags.err(f"enum `{e.name}` lists a member twice", e.span, "list each once", "duplicate")
        if not e.members:
            diags.err(f"enum `{e.name}` has no members", e.span, "give it at least one member", "empty-set")
    for s in r.structs:
        r.record_type(s)
    for what, decls in (("macro", r.macros), ("definition", r.defs)):
        for d in decls.values():
            params = d.params or ()
            twice = [p for i, p in enumerate(params) if p in params[:i]]
            if twice:
                diags.err(f"{what} `{d.name}` has two parameters named `{twice[0]}`", d.name_span or d.span,
                          "rename one: each parameter stands for its own argument", "duplicate")

    vars_ = []
    for vd in r.vars.values():
        t = r.type(vd.type)
        init = r.expr(vd.init, Scope()) if vd.init is not None else r.default(t, vd.span, f"variable `{vd.name}`")
        vars_.append(N.Var(vd.name, t, init, vd.doc, vd.span))
    modules = []
    for md in r.modules.values():
        if len(set(md.ops)) != len(md.ops):
            diags.err(f"module `{md.name}` lists an op twice", md.span, "list each once", "duplicate")
        modules.append(N.Module(md.name, md.ops, md.guards or DEFAULT_GUARD, md.doc, md.span))
        lv = N.module_loaded_var(md.name)
        if lv in r.vars:
            diags.err(f"variable `{lv}` clashes with the loaded flag of module `{md.name}`",
                      r.vars[lv].name_span, "rename the variable", "duplicate")
        vars_.append(N.Var(lv, N.BoolType(), N.BoolLit(True), f"module {md.name} is loaded", md.span))

    actors = []
    for a in env.actors.values():
        ad = a.decl
        if ad.family is not None:
            c = r.consts.get(ad.family)
            if c is None or c.atoms is None:
                diags.err(f"actor `{ad.name}`: `{ad.family}` is not a constant set", ad.span,
                          did_you_mean(ad.family, [n for n, c in r.consts.items() if c.atoms is not None]) or
                          "a family ranges over a constant set: `const S = {a, b}`", "undefined-name")
            else:
                r.used.add(ad.family)
        sc = Scope(actor=a)
        locals_ = []
        seen: set[str] = set()
        for l in a.locals:
            if l.name in seen:
                diags.err(f"actor `{ad.name}` has two locals named `{l.name}`", l.name_span, "rename one",
                          "duplicate")
                continue
            seen.add(l.name)
            for what, names in (("variable", r.vars), ("constant", r.consts)):
                if l.name in names:
                    diags.err(f"local `{l.name}` of `{ad.name}` has the name of a {what}", l.name_span,
                              "rename the local", "shadow")
            t = r.type(l.type)
            if l.init is not None:
                init = r.expr(l.init, sc)
            else:
                # like a variable, a local without an initial value starts at its type's
                # default; only a type without one starts unset (PlusCal's defaultInitValue)
                init = r.type_default(t)
                diags.note(f"local `{l.name}` of `{ad.name}` has no initial value: "
                           f"{_starts(t, init)}", l.name_span or l.span,
                           "write `= value` to give it another one" if init is not None else
                           "`TypeOK` admits the unset value for it; give it a value if a step may read "
                           "it before assigning it", "initial-value")
            locals_.append(N.Local(l.name, t, init, l.span))
        step_names = [s.name for s in a.steps]
        seen = set()
        steps = []
        if not a.steps:
            diags.err(f"actor `{ad.name}` has no steps", ad.name_span, "add at least one `step`", "empty-actor")
        for s in a.steps:
            if s.name in seen:
                diags.err(f"actor `{ad.name}` has two steps named `{s.name}`", s.name_span, "rename one",
                          "duplicate")
                continue
            if s.name in ("done", "Done"):
                diags.err(f"`{s.name}` cannot name a step", s.name_span,
                          "`done` is where a finished process is; choose another name", "reserved")
            seen.add(s.name)
            body = r.stmts(s.body, sc, step_names)
            steps.append(N.Step(s.name, body, s.anchor, s.doc, a.origin.get(s.name), s.span))
        actors.append(N.Actor(ad.name, ad.family, tuple(locals_), tuple(steps), ad.fairness, ad.doc, ad.span))

    # properties
    props: list[N.Property] = []
    declared_assertions = {}
    for p in env.props.values():
        if isinstance(p, A.InvariantD):
            props.append(N.Invariant(p.name, r.expr(p.expr, Scope()), p.doc, p.span))
        elif isinstance(p, A.AssertionD):
            declared_assertions[p.name] = p
            props.append(N.AssertProperty(p.name, p.doc, p.span))
        elif isinstance(p, A.InductiveD):
            props.append(N.Inductive(p.name, r.expr(p.expr, Scope()), p.doc, p.span))
        elif isinstance(p, A.RefinementD):
            ref = _refinement(r, p, env, abstracts or {}, diags)
            if ref is not None:
                props.append(ref)
        else:
            lt = _leadsto(r, p)
            if lt is not None:
                props.append(lt)
    for name, sp in r.assert_props.items():
        if name in env.props and not isinstance(env.props[name], A.AssertionD):
            diags.err(f"`{name}` is {_prop_word(env.props[name])}"
                      f", not an assertion", sp, "an `assert ... as P` or a module's `guards P` needs an "
                      "assertion property or a new name", "property-kind")
            continue
        if name == N.TYPE_OK or name == N.DEADLOCK:
            diags.err(f"`{name}` is a built-in property", sp, "choose another property name", "property-kind")
            continue
        if name not in declared_assertions:
            doc = None
            if name == ASSERTIONS:
                doc = "every `assert` without `as` holds"
            else:
                mods = [m.name for m in modules if m.guards == name]
                if mods:
                    doc = f"no call into module{'s' if len(mods) > 1 else ''} {', '.join(mods)} after unload"
            props.append(N.AssertProperty(name, doc, sp))
    _check_targets(r, env, diags)
    for name, p in declared_assertions.items():
        if name not in r.assert_props:
            diags.warn(f"assertion `{name}` is never checked", p.name_span,
                       f"write `assert COND, \"message\" as {name}` in a step, or remove it", "unused")
    props.insert(0, N.Invariant(N.TYPE_OK, _type_ok(r, vars_, actors), "every variable and local stays "
                                "within its declared type", None))

    if not actors and header is not None:
        diags.warn("the model has no actors", header.name_span or header.span,
                   "add an `actor` with at least one `step`; there is nothing to check", "empty-model")
    if used is not None:
        used |= r.used
    m = N.Model(
        name=header.name if header else "model",
        title=header.title if header else None,
        variant=vname,
        description=v.doc if v else None,
        source=v.source if v else None,
        base=v.extends if v else None,
        consts=tuple(consts),
        vars=tuple(vars_),
        modules=tuple(modules),
        actors=tuple(actors),
        properties=tuple(props),
        expectations=expectations,
        allow_deadlock=env.allow_deadlock,
        span=v.span if v else (header.span if header else None),
    )
    return m


def _check_targets(r: "Resolver", env: Env, diags: Diags) -> None:
    """An `assert ... as P` or `guards P` target that is not declared may be a new property,
    unless its name is a misspelling of a declared property or of a target used more often:
    then it is an error (a typo would otherwise silently make a new property)."""
    guards = [(m.guards, m.name, m.name_span or m.span) for m in env.of("module").values() if m.guards]
    for sp, msg, hint in misspelt_targets(guards, r.assert_spans, r.call_counts, list(env.props),
                                          {ASSERTIONS, N.TYPE_OK, N.DEADLOCK}):
        diags.err(msg, sp, hint, "unknown-property")


def _has_default(t: N.Type) -> bool:
    if isinstance(t, N.AtomType):
        return False
    if isinstance(t, N.FuncType):
        return _has_default(t.range)
    return True


def _starts(t: N.Type, init: N.Expr | None) -> str:
    """What a local without an initial value starts as, in words."""
    from .printer import expr_str

    if init is None:
        return "it starts unset (PlusCal's `defaultInitValue`) until a step assigns it"
    if isinstance(t, N.IntType):
        return f"it starts at {t.lo}, the low end of {t}"
    if isinstance(t, N.RecordType):
        return f"it starts with the field defaults of `{t.name}`"
    return f"it starts as `{expr_str(init)}`, the default of {t}"


def _prop_word(p) -> str:
    return {A.InvariantD: "an invariant", A.LeadsToD: "a leadsto property", A.RefinementD: "a refinement",
            A.InductiveD: "an inductive invariant"}.get(type(p), "a property")


def _abstract(r: Resolver, ad: A.AbstractD, env: Env, diags: Diags) -> tuple[N.AbstractSpec, dict[str, str]]:
    """Resolve an abstract specification in the constants, enums and structs of one variant:
    its own variables, not the model's, are what ``VarRef`` names in its actions. Returns the
    spec and its atoms (name -> kind), which the refinement mapping may use."""
    decls = {n: (k, d) for n, (k, d) in env.decls.items() if k in ("const", "enum", "struct")}
    own: set[str] = set()
    for vd in ad.vars:
        if vd.name in own:
            diags.err(f"abstract `{ad.name}` declares variable `{vd.name}` twice", vd.name_span, "rename one",
                      "duplicate")
            continue
        if vd.name in decls:
            diags.err(f"abstract variable `{vd.name}` has the name of a {_KIND_WORD[decls[vd.name][0]]}",
                      vd.name_span, "rename the abstract variable", "duplicate")
            continue
        own.add(vd.name)
        decls[vd.name] = ("var", vd)
    aenv = Env(decls, {}, {}, False)
    ar = Resolver(aenv, r.variant, diags, set(decls) | r.taken)
    vars_ = []
    for vd in ar.vars.values():
        t = ar.type(vd.type)
        init = ar.expr(vd.init, Scope()) if vd.init is not None else ar.default(t, vd.span, f"abstract variable `{vd.name}`")
        vars_.append(N.Var(vd.name, t, init, vd.doc, vd.span))
    actions = []
    seen: set[str] = set()
    for a in ad.actions:
        if a.name in seen:
            diags.err(f"abstract `{ad.name}` has two actions named `{a.name}`", a.name_span, "rename one", "duplicate")
            continue
        seen.add(a.name)
        sc = Scope()
        params = []
        try:
            for var, dom in a.params:
                d = ar._expr(dom, sc)
                ar._check_binder(var, sc, a.span)
                ir_var, sc = ar._bind_var(sc, var)
                params.append((ir_var, d))
        except _Unresolved:
            continue
        body = ar.stmts(a.body, sc, [])
        for bad in _walk_stmts(body):
            if isinstance(bad, (N.Assert, N.Call, N.Goto)):
                word = {N.Assert: "`assert`", N.Call: "`call`", N.Goto: "`goto`"}[type(bad)]
                diags.err(f"{word} in action `{a.name}` of abstract `{ad.name}`", bad.span,
                          "an abstract action is a guard (`await`) and updates of the abstract variables",
                          "abstract")
        actions.append(N.AbstractAction(a.name, tuple(params), body, a.doc, a.span))
    r.used |= ar.used
    return N.AbstractSpec(ad.name, tuple(vars_), tuple(actions), ad.doc, ad.span), dict(ar.atoms)


def _walk_stmts(stmts):
    for s in stmts:
        yield s
        if isinstance(s, N.If):
            yield from _walk_stmts(s.then)
            yield from _walk_stmts(s.orelse)
        elif isinstance(s, N.Either):
            for b in s.branches:
                yield from _walk_stmts(b)
        elif isinstance(s, N.With):
            yield from _walk_stmts(s.body)


def _refinement(r: Resolver, p: A.RefinementD, env: Env, abstracts: dict[str, A.AbstractD],
                diags: Diags) -> N.Refinement | None:
    ad = abstracts.get(p.abstract)
    if ad is None:
        diags.err(f"refinement `{p.name}` names abstract `{p.abstract}`, which does not exist",
                  p.abstract_span or p.span, did_you_mean(p.abstract, abstracts) or
                  "declare it with `abstract NAME { var ...  action ... }`", "unknown-abstract")
        return None
    spec, atoms = _abstract(r, ad, env, diags)
    # the abstract's atoms are values the mapping may produce; they must not hide the model's names
    saved = dict(r.atoms)
    for a, kind in atoms.items():
        if a in r.atoms:
            continue
        if a in env.decls:
            k = env.decls[a][0]
            diags.err(f"atom `{a}` of abstract `{ad.name}` has the name of a {_KIND_WORD.get(k, k)} of the model",
                      p.name_span or p.span, "rename the atom in the abstract specification", "atom-clash")
            continue
        r.atoms[a] = kind
    given: dict[str, N.Expr] = {}
    try:
        for m in p.mappings:
            if spec.var(m.var) is None:
                diags.err(f"refinement `{p.name}` maps `{m.var}`, which is not a variable of abstract `{ad.name}`",
                          m.name_span or m.span, did_you_mean(m.var, [v.name for v in spec.vars]) or
                          f"variables of `{ad.name}`: {', '.join(v.name for v in spec.vars) or 'none'}",
                          "unknown-name")
                continue
            if m.var in given:
                diags.err(f"refinement `{p.name}` maps `{m.var}` twice", m.name_span or m.span, "keep one", "duplicate")
                continue
            given[m.var] = r.expr(m.expr, Scope())
    finally:
        r.atoms = saved
    missing = [v.name for v in spec.vars if v.name not in given]
    if missing:
        diags.err(f"refinement `{p.name}` does not map abstract variable{'s' if len(missing) > 1 else ''} "
                  f"{', '.join(f'`{m}`' for m in missing)}", p.name_span or p.span,
                  f"add `{missing[0]} = <expression over the model's state>`", "refinement")
        return None
    return N.Refinement(p.name, spec, tuple((v.name, given[v.name]) for v in spec.vars), p.doc, p.span)


def _leadsto(r: Resolver, p: A.LeadsToD) -> N.LeadsTo | None:
    e = p.expr
    binders: list[tuple[str, A.Expr]] = []
    while isinstance(e, A.QuantE) and e.kind == "forall":
        binders.extend(e.binders)
        e = e.body
    if not (isinstance(e, A.BinaryE) and e.op == "~>"):
        r.d.err(f"leadsto `{p.name}` needs the form `forall x in S: p ~> q`", getattr(e, "span", p.span),
                "`~>` (leads to) must be the top operator after the `forall` binders", "leadsto")
        return None
    sc = Scope(in_leadsto=True)
    bound = []
    try:
        for var, dom in binders:
            d = r._expr(dom, sc)
            r._check_binder(var, sc, p.span)
            bound.append((var, d))
            sc = sc.bind(**{var: N.BoundRef(var)})  # leadsto binders are outermost: no clash
    except _Unresolved:
        return None
    return N.LeadsTo(p.name, tuple(bound), r.expr(e.left, sc), r.expr(e.right, sc), p.doc, p.span)


def _type_ok(r: Resolver, vars_: list[N.Var], actors: list[N.Actor]) -> N.Expr:
    parts: list[N.Expr] = [N.InType(N.VarRef(v.name), v.type) for v in vars_]
    for a in actors:
        for l in a.locals:
            if a.proc_set is None:
                ref = N.LocalRef(a.name, l.name, N.AtomLit(a.name, "enum"))
                parts.append(_local_ok(ref, l))
            else:
                var = r.fresh("pid")
                ref = N.LocalRef(a.name, l.name, N.BoundRef(var))
                parts.append(N.Quant("forall", var, N.ConstRef(a.proc_set), _local_ok(ref, l)))
    if not parts:
        return N.BoolLit(True)
    e = parts[0]
    for p in parts[1:]:
        e = N.Binary("&&", e, p)
    return e


def _local_ok(ref: N.LocalRef, l: N.Local) -> N.Expr:
    ok = N.InType(ref, l.type)
    if l.init is None:
        return N.Binary("||", ok, N.Binary("==", ref, N.AtomLit(N.DEFAULT_INIT, "default")))
    return ok


@dataclass
class BuildResult:
    models: dict[str, N.Model]
    deltas: dict[str, list[Delta]]
    diagnostics: list[Diagnostic]
    used: set[str] = field(default_factory=set)  # names referred to in some variant
    base_env: Env | None = None
    notes: list[Diagnostic] = field(default_factory=list)  # what the model means where it is silent
    # abstract specifications no refinement uses, resolved in the base variant (to be type-checked)
    unused_abstracts: list[N.AbstractSpec] = field(default_factory=list)
    base_variant: str | None = None


def build(files: list[A.File]) -> BuildResult:
    diags = Diags()
    header: A.ModelD | None = None
    base = Env({}, {}, {}, False)
    variants: dict[str, A.VariantD] = {}
    expects: list[A.ExpectD] = []
    abstracts: dict[str, A.AbstractD] = {}
    fors: list[A.ForD] = []
    for f in files:
        for d in f.decls:
            if isinstance(d, A.ModelD):
                if header is not None:
                    diags.err("a second `model` header", d.span,
                              f"the model is already named at {header.span}; a model has one header",
                              "duplicate")
                else:
                    header = d
            elif isinstance(d, A.VariantD):
                if d.name in variants:
                    diags.err(f"variant `{d.name}` is declared twice", d.name_span,
                              f"the first is at {variants[d.name].name_span}; rename one", "duplicate")
                else:
                    variants[d.name] = d
            elif isinstance(d, A.ExpectD):
                expects.append(d)
            elif isinstance(d, A.AbstractD):
                if d.name in abstracts:
                    diags.err(f"abstract `{d.name}` is declared twice", d.name_span,
                              f"the first is at {abstracts[d.name].name_span}; rename one", "duplicate")
                else:
                    abstracts[d.name] = d
            elif isinstance(d, A.ForD):
                fors.append(d)
            else:
                _add_decl(base, d, diags, override=False, variant=None)
    if header is None:
        first = files[0].path if files else "<none>"
        diags.err("no `model` header", Span(first, 1, 1, 1, 2),
                  'start the model with `model NAME "what it describes"`', "no-model")

    # variants: exactly one base, no cycles
    roots = [v for v in variants.values() if v.extends is None]
    implicit = False
    if not variants:
        implicit = True
        name = header.name if header else "model"
        variants[name] = A.VariantD(name, None, None, None, None, header.span if header else None,
                                    header.name_span if header else None)
        roots = [variants[name]]
    elif not roots:
        v0 = next(iter(variants.values()))
        diags.err("no base variant: every variant extends another", v0.span,
                  "exactly one variant must have no `extends`: it is the model as written", "base-variant")
    elif len(roots) > 1:
        for v in roots[1:]:
            diags.err(f"variant `{v.name}` is a second base variant (it extends nothing)", v.name_span,
                      f"`{roots[0].name}` is already the base; write `variant {v.name} extends {roots[0].name}`",
                      "base-variant")
    if roots and roots[0].deltas:
        diags.err(f"base variant `{roots[0].name}` has deltas", roots[0].span,
                  "the base variant is the model as written; put declarations outside variants", "base-variant")
    for v in variants.values():
        if v.extends is not None and v.extends not in variants:
            diags.err(f"variant `{v.name}` extends `{v.extends}`, which does not exist", v.extends_span,
                      did_you_mean(v.extends, variants) or f"variants: {', '.join(variants)}", "unknown-variant")

    def chain(v: A.VariantD) -> list[str] | None:
        seen: list[str] = []
        cur: A.VariantD | None = v
        while cur is not None:
            if cur.name in seen:
                return seen[seen.index(cur.name):] + [cur.name]
            seen.append(cur.name)
            cur = variants.get(cur.extends) if cur.extends else None
        return None

    cyclic: set[str] = set()
    for v in variants.values():
        c = chain(v)
        if c and v.name == c[0] and not (set(c) & cyclic):
            cyclic |= set(c)
            diags.err(f"variants extend each other in a cycle: {' -> '.join(c)}", v.extends_span or v.span,
                      "one of them must extend the base variant", "variant-cycle")
        elif c:
            cyclic.add(v.name)

    deltas = {n: [delta_of(d) for d in (v.deltas or ())] for n, v in variants.items()}

    # expectations
    per_variant: dict[str, list[A.ExpectD]] = {n: [] for n in variants}
    for e in expects:
        if e.variant not in variants:
            diags.err(f"`expect` names variant `{e.variant}`, which does not exist", e.name_span,
                      did_you_mean(e.variant, variants) or f"variants: {', '.join(variants)}", "unknown-variant")
        else:
            per_variant[e.variant].append(e)

    for fd in fors:
        for vn, sp in zip(fd.variants, fd.variant_spans or [fd.span] * len(fd.variants)):
            if vn not in variants:
                diags.err(f"`for` names variant `{vn}`, which does not exist", sp,
                          did_you_mean(vn, variants) or f"variants: {', '.join(variants)}", "unknown-variant")

    envs: dict[str, Env] = {}
    models: dict[str, N.Model] = {}
    used: set[str] = set()

    def env_of(name: str) -> Env | None:
        if name in envs:
            return envs[name]
        v = variants[name]
        if name in cyclic:
            return None
        if v.extends is None:
            env = base.copy() if v is roots[0] else None
        else:
            if v.extends not in variants:
                return None
            parent = env_of(v.extends)
            if parent is None:
                return None
            env = parent.copy()
            for d in v.deltas or ():
                _apply_delta(env, d, name, diags)
        if env is not None:
            envs[name] = env
        return env

    for name, v in variants.items():
        env = env_of(name)
        if env is None:
            continue
        own = [fd for fd in fors if name in fd.variants]
        if own:
            # declarations of `for` blocks belong to this variant only: not to variants extending it
            env = env.copy()
            for fd in own:
                for d in fd.decls:
                    _add_decl(env, d, diags, override=True, variant=name)
        model = _model(header, None if implicit else v, name, env, diags, (), used, abstracts)
        exps = []
        for e in per_variant[name]:
            known = set(model.property_names)
            ok = True
            for p, sp in zip(e.properties, e.prop_spans or [e.span] * len(e.properties)):
                if p not in known:
                    ok = False
                    hint = did_you_mean(p, known) or f"properties of `{name}`: {', '.join(model.property_names)}"
                    if p == N.DEADLOCK:
                        hint = "the variant allows deadlock, so `Deadlock` is not checked"
                    diags.err(f"`expect {name}` names property `{p}`, which variant `{name}` does not have",
                              sp, hint, "unknown-property")
            if ok:
                exps.append(N.Expectation(e.verdict, e.properties, e.note, e.span))
        holds: dict[str, A.ExpectD] = {}
        violates: dict[str, A.ExpectD] = {}
        for e in per_variant[name]:
            # `holds all` means "every property no `violates` line names" (the reports' rule)
            for p in e.properties:
                (holds if e.verdict == "holds" else violates).setdefault(p, e)
        for p, ev in violates.items():
            if p in holds:
                eh = holds[p]
                first, second = (eh, ev) if (eh.span.line, eh.span.col) < (ev.span.line, ev.span.col) else (ev, eh)
                diags.err(f"variant `{name}` is expected both to hold and to violate `{p}`", second.span,
                          f"the other expectation is at {first.span}; keep one", "expect-conflict")
        models[name] = replace(model, expectations=tuple(exps))
    unused_specs = _unused_abstracts(files, abstracts, roots[0].name if roots else None, envs, diags, used)
    return BuildResult(models, deltas, diags.items, used, base, diags.notes, unused_specs,
                       roots[0].name if roots else None)


def _unused_abstracts(files: list[A.File], abstracts: dict[str, A.AbstractD], root: str | None,
                      envs: dict[str, Env], diags: Diags, used: set[str]) -> list[N.AbstractSpec]:
    """Resolve, in the base variant, every abstract specification that no refinement names:
    its mistakes are reported even before a refinement uses it."""
    named: set[str] = set()

    def note(d) -> None:
        if isinstance(d, A.DeclDelta):
            d = d.decl
        if isinstance(d, A.RefinementD):
            named.add(d.abstract)
        elif isinstance(d, A.ForD):
            for x in d.decls:
                note(x)
        elif isinstance(d, A.VariantD):
            for x in d.deltas or ():
                note(x)

    for f in files:
        for d in f.decls:
            note(d)
    env = envs.get(root) if root is not None else None
    if env is None:
        return []
    taken = set(env.decls) | set(env.props)
    r = Resolver(env, root, diags, taken)
    specs = []
    for name, ad in abstracts.items():
        if name not in named:
            specs.append(_abstract(r, ad, env, diags)[0])
    used |= r.used
    return specs
