"""One variant's ``Model`` assembled from its resolved declarations: variables with module
``_loaded`` flags, actors, properties (``TypeOK`` generated, assertion properties declared),
abstract specifications and refinement mappings, expectations."""

from __future__ import annotations

from dataclasses import replace

from ..diagnostics import did_you_mean
from ..dsl import ast as A
from . import nodes as N
from .scope import Scope, Unresolved
from .spelling import misspelt_targets
from .functions import check_recursion, resolve_functions, type_ok_parts
from .fusion import fuse_calls
from .irq import add_handlers, lower_at
from .resolve import Resolver
from .variants import KIND_WORD, ASSERTIONS, DEFAULT_GUARD, Diags, Env


def assemble_model(header: A.ModelD | None, v: A.VariantD | None, vname: str, env: Env, diags: Diags,
           expectations: tuple[N.Expectation, ...], used: set[str] | None = None,
           abstracts: dict[str, A.AbstractD] | None = None) -> N.Model:
    taken = set(env.decls) | set(env.props)
    for a in env.actors.values():
        taken |= {l.name for l in a.locals} | {s.name for s in a.steps}
    for fd in env.of("func").values():
        taken |= {l.name for l in fd.params + fd.locals} | {s.name for s in fd.steps}
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

    vars_ += r.pool_vars()  # which objects of each pool are allocated
    functions = resolve_functions(r, env, diags)
    check_recursion(functions, diags)
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
        for l in diags.distinct(a.locals, f"actor `{ad.name}`", "locals"):
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
        steps = []
        if not a.steps:
            diags.err(f"actor `{ad.name}` has no steps", ad.name_span, "add at least one `step`", "empty-actor")
        for s in diags.distinct(a.steps, f"actor `{ad.name}`", "steps"):
            if s.name in ("done", "Done"):
                diags.err(f"`{s.name}` cannot name a step", s.name_span,
                          "`done` is where a finished process is; choose another name", "reserved")
            body, stores, extra = r.resolve_step(s, sc, step_names)
            _check_step_fairness(ad, s, diags)
            steps.append(N.Step(s.name, body, s.anchor, s.doc, a.origin.get(s.name), s.span, s.fairness))
            steps += [replace(t, fairness=s.fairness) for t in stores]  # a generated step is its step's
            locals_ += extra
        if ad.guard is not None:  # `when COND`: every step of the actor waits for it
            guard = N.Await(r.expr(ad.guard, sc), ad.guard.span)
            steps = [replace(t, body=(guard,) + t.body) for t in steps]
        actors.append(N.Actor(ad.name, ad.family, tuple(locals_), tuple(steps), ad.fairness, ad.doc, ad.span))
    actors, irq_copies = add_handlers(r, env, actors)  # `irq h on a`: lowered into a's steps
    r.check_restores()
    callbacks = r.callbacks_actor()  # a step defers a free: the process that runs RCU callbacks
    if callbacks is not None:
        if callbacks.name in env.actors:
            diags.err(f"actor `{callbacks.name}` has the name of the process that runs the RCU callbacks "
                      "of kfree_rcu", env.actors[callbacks.name].decl.name_span, "rename the actor", "reserved")
        else:
            actors.append(callbacks)
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
    # a step sleeps or wakes, or uses RCU (or a property reads that state, which then stays
    # empty: a variant may drop the only step that used it): the state that says which
    # processes sleep, read, wait for a deferred free
    added = ([r.sleeping_var()] if r.uses_tasks else []) + ([r.exclusive_var()] if r.uses_exclusive() else [])
    added += r.rcu_vars() if r.uses_rcu else []
    added += [r.irqs_var()] if r.uses_irqs else []
    added += r.deferred_vars()
    for extra in added:
        if extra.name in r.vars:
            diags.err(f"variable `{extra.name}` has the name of a state variable the model needs "
                      f"({extra.doc})", r.vars[extra.name].name_span, "rename it", "reserved")
            # the model's variable takes the place of the user's, so that the operations that
            # use it (wait_event, rcu_read_lock, ...) bring no errors of their own
            vars_ = [extra if v.name == extra.name else v for v in vars_]
        else:
            vars_.append(extra)

    _check_targets(r, env, diags)
    _check_fair_interrupts(actors, irq_copies, props, diags)
    for name, p in declared_assertions.items():
        if name not in r.assert_props:
            diags.warn(f"assertion `{name}` is never checked", p.name_span,
                       f"write `assert COND, \"message\" as {name}` in a step, or remove it", "unused")
    props.insert(0, N.Invariant(N.TYPE_OK, _type_ok(r, vars_, actors, functions), "every variable and local "
                                "stays within its declared type", None))

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
        functions=tuple(functions),
        span=v.span if v else (header.span if header else None),
        defs=tuple(r.def_ops.values()),
        def_uses=tuple(r.def_uses),
    )
    return fuse_calls(lower_at(m, irq_copies))


def _check_targets(r: "Resolver", env: Env, diags: Diags) -> None:
    """An `assert ... as P` or `guards P` target that is not declared may be a new property,
    unless its name is a misspelling of a declared property or of a target used more often:
    then it is an error (a typo would otherwise silently make a new property)."""
    guards = [(m.guards, m.name, m.name_span or m.span) for m in env.of("module").values() if m.guards]
    for sp, msg, hint in misspelt_targets(guards, r.assert_spans, r.call_counts, list(env.props),
                                          {ASSERTIONS, N.TYPE_OK, N.DEADLOCK}):
        diags.err(msg, sp, hint, "unknown-property")


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


def resolve_abstract(r: Resolver, ad: A.AbstractD, env: Env, diags: Diags) -> tuple[N.AbstractSpec, dict[str, str]]:
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
            diags.err(f"abstract variable `{vd.name}` has the name of a {KIND_WORD[decls[vd.name][0]]}",
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
    for a in diags.distinct(ad.actions, f"abstract `{ad.name}`", "actions"):
        sc = Scope()
        params = []
        try:
            for var, dom in a.params:
                d = ar._expr(dom, sc)
                ar._check_binder(var, sc, a.span)
                ir_var, sc = ar._bind_var(sc, var)
                params.append((ir_var, d))
        except Unresolved:
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
    spec, atoms = resolve_abstract(r, ad, env, diags)
    # the abstract's atoms are values the mapping may produce; they must not hide the model's names
    saved = dict(r.atoms)
    for a, kind in atoms.items():
        if a in r.atoms:
            continue
        if a in env.decls:
            k = env.decls[a][0]
            diags.err(f"atom `{a}` of abstract `{ad.name}` has the name of a {KIND_WORD.get(k, k)} of the model",
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
    except Unresolved:
        return None
    return N.LeadsTo(p.name, tuple(bound), r.expr(e.left, sc), r.expr(e.right, sc), p.doc, p.span)


def _type_ok(r: Resolver, vars_: list[N.Var], actors: list[N.Actor], functions: list[N.Function]) -> N.Expr:
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
    parts += type_ok_parts(r, tuple(functions), actors, _local_ok)
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


def _check_step_fairness(ad: A.ActorD, s: A.StepD, diags: Diags) -> None:
    """A step's fairness mark needs a fair actor (PlusCal reads ``l:-``/``l:+`` in a fair
    process only), and ``fair+`` one that is not strongly fair already."""
    if s.fairness is None:
        return
    word = "unfair" if s.fairness == "unfair" else "fair+"
    where = s.fairness_span or s.name_span or s.span
    if ad.fairness is None:
        what = ("is never assumed to run" if s.fairness == "unfair" else
                "has no fairness for a step to strengthen")
        diags.err(f"step `{s.name}` is marked `{word}`, but actor `{ad.name}` is not fair: the actor {what}",
                  where, f"write `fair actor {ad.name}` (or `fair+ actor`) to make its other steps fair, "
                  f"or drop `{word}`", "fairness")
    elif s.fairness == "strong" and ad.fairness == "strong":
        diags.err(f"step `{s.name}` is marked `fair+`, but actor `{ad.name}` is `fair+` already: "
                  "each of its steps is strongly fair", where, "drop `fair+` from the step", "fairness")


def _check_fair_interrupts(actors, irq_copies: dict, props, diags) -> None:
    """A ``leadsto`` next to an interrupt handler of a fair actor is refused: the interrupt's
    arrival is a branch of each of the actor's steps (``irq.add_handlers``), so the actor's
    fairness would force an interrupt to arrive while a step of it is blocked, and the
    property could hold only for that reason, where an interrupt may never come."""
    handled = {a for a, _ in irq_copies}
    fair = [a.name for a in actors if a.name in handled and a.fairness is not None]
    if not fair:
        return
    for p in props:
        if isinstance(p, N.LeadsTo):
            diags.err(f"leadsto `{p.name}` with an interrupt handler of fair actor `{fair[0]}`: its fairness "
                      "would make an interrupt arrive whenever the actor waits, so the property could hold "
                      "only for that reason", p.span,
                      f"make `{fair[0]}` an actor without `fair`, or check the leadsto in a variant without "
                      "the handler", "irq")

