"""Variants as deltas: the declarations a variant sees (``Env``: its base's, with its deltas
applied in order), the deltas as written (``Delta``, for ``show`` and the docs), and the
diagnostics collector the builder threads through (``Diags``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..diagnostics import Diagnostic, Related, Severity, did_you_mean, error, warning
from ..dsl import ast as A
from ..span import Span
from . import nodes as N
from .spelling import close_name, edit_distance

ASSERTIONS = "Assertions"
DEFAULT_GUARD = "NoUseAfterUnload"


@dataclass(frozen=True)
class Delta:
    """One delta of a variant as written: ``kind`` (replace, insert_after, insert_before, remove,
    remove_property, local, const, enum, struct, var, module, def, macro, func, actor, invariant,
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
    A.DefD: "def", A.MacroD: "macro", A.FuncD: "func", A.ActorD: "actor", A.InvariantD: "invariant",
    A.AssertionD: "assertion", A.LeadsToD: "leadsto", A.AllowDeadlockD: "allow_deadlock",
    A.ModelD: "model", A.VariantD: "variant", A.ExpectD: "expect",
    A.RefinementD: "refinement", A.InductiveD: "inductive", A.AbstractD: "abstract", A.ForD: "for",
    A.IrqD: "irq",
}
KIND_WORD = {
    "const": "constant", "enum": "enum", "struct": "struct", "var": "variable", "module": "module",
    "def": "definition", "macro": "macro", "func": "function", "actor": "actor", "invariant": "property",
    "assertion": "property", "leadsto": "property", "refinement": "property", "inductive": "property",
    "irq": "interrupt handler",
}
# declarations sharing one namespace: everything an expression or statement can name
_VALUE_KINDS = ("const", "enum", "struct", "var", "module", "def", "macro", "func", "actor")
_PROP_KINDS = ("invariant", "assertion", "leadsto", "refinement", "inductive")


# --------------------------------------------------------------------------- environment


@dataclass
class ActorEnv:
    decl: A.ActorD
    locals: list[A.LocalD]
    steps: list[A.StepD]
    origin: dict[str, str | None]  # step name -> variant that introduced or replaced it
    is_func: bool = False  # a function's body: params and locals as its locals, no process
    renamed: dict[str, str] = field(default_factory=dict)  # `replace a.s as t`: s -> t

    def step_name(self, name: str) -> str:
        """The step a name means now (a renamed step's old name means its new one)."""
        seen = set()
        while name in self.renamed and name not in seen:
            seen.add(name)
            name = self.renamed[name]
        return name


@dataclass
class Env:
    """The declarations of one variant, after its deltas, before resolution."""

    decls: dict[str, tuple[str, object]]  # name -> (kind, decl), declaration order
    actors: dict[str, ActorEnv]
    props: dict[str, A.InvariantD | A.AssertionD | A.LeadsToD | A.RefinementD | A.InductiveD]
    allow_deadlock: bool
    # (actor, step) -> the variants whose deltas add that step (for the error naming it elsewhere)
    added_steps: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # `replace f.s as t` on a function's step: function -> {s: t}
    func_renamed: dict[str, dict[str, str]] = field(default_factory=dict)
    # function -> {step: the variant that introduced or replaced it} (None: the base model)
    func_origin: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def copy(self) -> "Env":
        return Env(dict(self.decls),
                   {k: ActorEnv(a.decl, list(a.locals), list(a.steps), dict(a.origin), False, dict(a.renamed))
                    for k, a in self.actors.items()},
                   dict(self.props), self.allow_deadlock, self.added_steps,
                   {f: dict(m) for f, m in self.func_renamed.items()},
                   {f: dict(m) for f, m in self.func_origin.items()})

    def func_step(self, func: str, name: str) -> str:
        """The step of function ``func`` a name means now (after ``replace func.s as t``)."""
        seen, renamed = set(), self.func_renamed.get(func, {})
        while name in renamed and name not in seen:
            seen.add(name)
            name = renamed[name]
        return name

    def of(self, kind: str) -> dict[str, object]:
        return {n: d for n, (k, d) in self.decls.items() if k == kind}


class Diags:
    """The diagnostics of a build. ``context`` is a stack of related locations (the call site
    of the macro being expanded, the broken delta of the variant being built) added to every
    diagnostic reported while they are on it, except one the diagnostic's own span lies in."""

    def __init__(self):
        self.items: list[Diagnostic] = []
        self.notes: list[Diagnostic] = []
        self.context: list[Related] = []

    def _related(self, span: Span | None) -> tuple[Related, ...]:
        return tuple(r for r in reversed(self.context) if span is None or not _within(span, r.span))

    def err(self, msg: str, span: Span | None, hint: str | None = None, code: str = "",
            cause: bool = False) -> None:
        self.items.append(error(msg, span, hint, code, self._related(span), cause))

    def warn(self, msg: str, span: Span | None, hint: str | None = None, code: str = "") -> None:
        self.items.append(Diagnostic(Severity.WARNING, msg, span, hint, code, self._related(span)))

    def note(self, msg: str, span: Span | None, hint: str | None = None, code: str = "") -> None:
        # what the model means where it is silent: shown by `movspec lint --verbose`
        self.notes.append(Diagnostic(Severity.NOTE, msg, span, hint, code))

    def distinct(self, items, owner: str, plural: str):
        """``items`` (declarations with ``name`` and ``name_span``) without the repeats of a
        name, each repeat reported as ``<owner> has two <plural> named `x```."""
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                self.err(f"{owner} has two {plural} named `{item.name}`", item.name_span, "rename one",
                         "duplicate")
                continue
            seen.add(item.name)
            yield item


def _within(inner: Span, outer: Span) -> bool:
    return (inner.file == outer.file and (outer.line, outer.col) <= (inner.line, inner.col)
            and (inner.end_line, inner.end_col) <= (outer.end_line, outer.end_col))


def add_decl(env: Env, d, diags: Diags, override: bool, variant: str | None) -> None:
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
            what = KIND_WORD[pkind]
            if override:
                diags.err(f"`{name}` is already a {what}, it cannot be redeclared as a {KIND_WORD[kind]}",
                          span, f"the {what} is declared at {where}; choose another name", "duplicate")
            else:
                diags.err(f"`{name}` is declared twice", span,
                          f"the first declaration (a {what}) is at {where}; rename one", "duplicate")
            return
    env.decls[name] = (kind, d)
    if kind == "func":
        env.func_renamed.pop(name, None)  # a function declared anew: its steps' old names are gone
        env.func_origin[name] = {s.name: variant for s in d.steps}
    if kind == "actor":
        env.actors[name] = ActorEnv(d, list(d.locals), list(d.steps), {s.name: variant for s in d.steps})


def _close_hint(name: str, names: list[str], what: str) -> str:
    """``did you mean `x`?`` for the closest of ``names``, else the list of them."""
    close = sorted((n for n in names if close_name(name, n)), key=lambda n: edit_distance(name, n))
    if close:
        return f"did you mean `{close[0]}`?"
    return did_you_mean(name, names) or f"{what}: {', '.join(names) or 'none'}"


def _replaced_mark(node: A.ReplaceStepD, old: A.StepD, actor: A.ActorD, diags: Diags) -> tuple:
    """The fairness mark of a replaced step: its old one, unless the ``replace`` gives one
    (``replace fair a.s``: none, the actor's own fairness). A new mark keeps the span of its
    word, where the checks of marks on steps (``assemble._check_step_fairness``) report it."""
    if node.fairness is None:
        return old.fairness, old.fairness_span
    if node.fairness != "plain":
        return node.fairness, node.fairness_span
    if isinstance(actor, A.FuncD):  # a function's step without a mark runs with its caller's fairness
        return None, None
    if actor.fairness is None:
        diags.err(f"`replace fair {node.actor}.{node.step}` gives the step its actor's fairness, but actor "
                  f"`{node.actor}` is not fair", node.fairness_span or node.span,
                  f"write `fair actor {node.actor}` to make its steps fair, or drop `fair`", "fairness")
    return None, None


def apply_delta(env: Env, node: A.DeltaNode, variant: str, diags: Diags) -> None:
    if isinstance(node, A.DeclDelta):
        add_decl(env, node.decl, diags, override=True, variant=variant)
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
    func = env.decls[node.actor][1] if env.decls.get(node.actor, ("",))[0] == "func" else None
    if actor is None and func is not None:
        # a delta on a function's step: applied to the steps and locals of its declaration
        actor = ActorEnv(func, list(func.params) + list(func.locals), list(func.steps),
                         env.func_origin.setdefault(func.name, {}), True,
                         env.func_renamed.setdefault(func.name, {}))
        _apply_to_steps(env, node, actor, variant, diags, "function")
        params = {id(p) for p in func.params}
        env.decls[func.name] = ("func", replace(func, steps=tuple(actor.steps),
                                                locals=tuple(l for l in actor.locals if id(l) not in params)))
        return
    if actor is None:
        funcs = [n for n, (k, _) in env.decls.items() if k == "func"]
        diags.err(f"variant `{variant}` names actor `{node.actor}`, which does not exist", node.name_span,
                  _close_hint(node.actor, list(env.actors) + funcs, "actors" + (" and functions" if funcs else "")),
                  "unknown-actor", cause=True)
        return
    _apply_to_steps(env, node, actor, variant, diags, "actor")


def _apply_to_steps(env: Env, node: A.DeltaNode, actor: ActorEnv, variant: str, diags: Diags, word: str) -> None:
    """A step delta (replace, insert, remove, local) on the steps of an actor or a function."""
    if isinstance(node, A.AddLocalD):
        if any(l.name == node.local.name for l in actor.locals):
            diags.err(f"{word} `{node.actor}` already has a {'parameter or ' if actor.is_func else ''}local "
                      f"`{node.local.name}`", node.local.name_span, "choose another name", "duplicate")
        else:
            actor.locals.append(node.local)
        return
    ref = actor.step_name(node.ref if isinstance(node, A.InsertStepD) else node.step)
    names = [s.name for s in actor.steps]
    if ref not in names:
        if isinstance(node, A.InsertStepD):
            what = f"inserts step `{node.step.name}` {node.where} step `{ref}` of {word} `{node.actor}`"
        else:
            what = f"{'replaces' if isinstance(node, A.ReplaceStepD) else 'removes'} step `{ref}` of {word} `{node.actor}`"
        hint = _close_hint(ref, names, f"steps of `{node.actor}`")
        elsewhere = [a for a, ae in env.actors.items() if a != node.actor and any(s.name == ref for s in ae.steps)]
        if elsewhere:
            hint = f"actor `{elsewhere[0]}` has a step `{ref}`: write `{elsewhere[0]}.{ref}`"
        diags.err(f"variant `{variant}` {what}, which does not exist", node.name_span, hint, "unknown-step",
                  cause=True)
        return
    i = names.index(ref)
    if isinstance(node, A.RemoveStepD):
        del actor.steps[i]
        actor.origin.pop(ref, None)
    elif isinstance(node, A.ReplaceStepD):
        old = actor.steps[i]
        name = old.name
        if node.rename is not None and node.rename != old.name:
            if node.rename in names:
                diags.err(f"{word} `{node.actor}` already has a step `{node.rename}`", node.span,
                          "choose another name for the replaced step", "duplicate")
                return
            name = node.rename
            actor.renamed[old.name] = name
            actor.origin.pop(ref, None)
        if node.body is None and node.anchor is None and node.doc is None and node.rename is None \
                and node.fairness is None:
            diags.err(f"`replace {node.actor}.{node.step}` without a block changes nothing", node.span,
                      "give the step new statements in `{ ... }`, or a new anchor (`@ \"file:function\"`), "
                      "text, name (`as NEW`) or fairness mark", "empty-replace")
            return
        actor.steps[i] = A.StepD(name, node.anchor if node.anchor is not None else old.anchor,
                                 node.doc if node.doc is not None else old.doc,
                                 node.body if node.body is not None else old.body, node.span,
                                 old.name_span, *_replaced_mark(node, old, actor.decl, diags))
        actor.origin[name] = variant
    else:
        new = node.step
        if new.name in names:
            diags.err(f"{word} `{node.actor}` already has a step `{new.name}`", new.name_span,
                      "choose another name, or use `replace` to change the existing step", "duplicate")
            return
        actor.steps.insert(i + 1 if node.where == "after" else i, new)
        actor.origin[new.name] = variant
