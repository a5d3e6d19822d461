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

from ..diagnostics import Diagnostic, Related, did_you_mean
from ..dsl import ast as A
from ..span import Span
from . import nodes as N
from .assemble import assemble_model, resolve_abstract
from .overrides import Override, OverrideError, apply_overrides
from .resolve import Resolver
from .variants import Delta, Diags, Env, delta_of, add_decl, apply_delta


@dataclass
class BuildResult:
    models: dict[str, N.Model]
    deltas: dict[str, list[Delta]]
    diagnostics: list[Diagnostic]
    used: set[str] = field(default_factory=set)  # names referred to in some variant
    notes: list[Diagnostic] = field(default_factory=list)  # what the model means where it is silent
    # abstract specifications no refinement uses, resolved in the base variant (to be type-checked)
    unused_abstracts: list[N.AbstractSpec] = field(default_factory=list)
    base_variant: str | None = None
    # --const: names no variant declares, and overrides that do not fit their declaration
    unknown_consts: list[str] = field(default_factory=list)
    const_names: set[str] = field(default_factory=set)
    override_errors: list[OverrideError] = field(default_factory=list)


def build(files: list[A.File], consts: tuple[Override, ...] = ()) -> BuildResult:
    """``consts``: constants set from the command line, applied to every variant after its
    deltas (see ``ir.overrides``)."""
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
                add_decl(base, d, diags, override=False, variant=None)
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

    for vname, v in variants.items():  # which variants add which steps
        for d in v.deltas or ():
            if isinstance(d, A.InsertStepD):
                base.added_steps.setdefault((d.actor, d.step.name), []).append(vname)
            elif isinstance(d, A.ReplaceStepD) and d.rename:
                base.added_steps.setdefault((d.actor, d.rename), []).append(vname)
    envs: dict[str, Env] = {}
    models: dict[str, N.Model] = {}
    used: set[str] = set()
    # variant -> the first broken delta on its chain (its own or an ancestor's): errors found
    # while building it may follow from that one, and say so
    broken: dict[str, Related] = {}

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
            before = len(diags.items)
            for d in v.deltas or ():
                apply_delta(env, d, name, diags)
            cause = next((x for x in diags.items[before:] if x.cause and x.span), None)
            if cause is not None:
                broken[name] = Related(f"in variant `{name}`, built without this delta (see the first error)",
                                       cause.span)
            elif v.extends in broken:
                up = broken[v.extends]
                broken[name] = Related(f"in variant `{name}`, which extends {up.message[len('in '):]}", up.span)
        if env is not None:
            envs[name] = env
        return env

    const_names: set[str] = set()
    bad_overrides: dict[str, OverrideError] = {}
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
                    add_decl(env, d, diags, override=True, variant=name)
        const_names |= set(env.of("const"))
        if consts:
            env = env.copy()
            set_, errors = apply_overrides(env.of("const"), consts)
            env.decls.update((n, ("const", d)) for n, d in set_.items())
            for exc in errors:
                bad_overrides.setdefault(str(exc), exc)
        if name in broken:
            diags.context.append(broken[name])
        try:
            model = assemble_model(header, None if implicit else v, name, env, diags, (), used, abstracts)
        finally:
            if name in broken:
                diags.context.pop()
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
    return BuildResult(models, deltas, diags.items, used, diags.notes, unused_specs,
                       roots[0].name if roots else None, [o.name for o in consts if o.name not in const_names],
                       const_names, list(bad_overrides.values()))


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
            specs.append(resolve_abstract(r, ad, env, diags)[0])
    used |= r.used
    return specs
