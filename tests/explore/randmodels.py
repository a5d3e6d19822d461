"""A seeded generator of random small, well-typed models written in the DSL.

``generate(seed)`` returns a ``Gen``: a structured model (actors, steps, statement trees,
properties, variants with their deltas) that ``Gen.text()`` renders as ``.mspec`` source.
The structure is what the shrinker (``differential.shrink``) cuts down; the text is what
``movspec.load`` reads, so every model goes through the whole front end (macros, ``def``,
variants, lint) before the checkers see it.

Covered: constant sets (``symmetric`` or not, 2 or 3 processes), an enum, a struct, functions,
sets, integer ranges at and past their bounds (``(x + 1) % 4`` into ``0..2`` breaks TypeOK),
variables and locals without an initial value, atom-typed locals that start unset,
``either``/``any``/``await``/``if``, ``goto`` loops, macros (one with a step-name parameter,
one with a string parameter as an ``assert`` message),
``def``, a module with ``call`` and ``unload`` and its ``guards`` property, ``assert`` with
and without ``as P``, invariants naming other processes' locals and ``at``, ``leadsto`` with
weakly and strongly fair actors, deadlock (allowed or not), functions (``func`` with a parameter, a local, a result or none,
one calling another, called from actors with and without a result), ``step s while c``
loops, flags words and counters with the kernel's atomic and non-atomic operations
(``randkernel``), kernel lists (``randkernel.add_lists``), interrupt handlers (``randirq``),
steps of fair actors and functions marked ``unfair`` or ``fair+`` (also by a variant's
``replace``), properties naming a process at a function's step (``a0[p] at fn0.e1``), and
variants using every delta
kind (replace, insert before/after, remove a step, constant overrides, added and removed
properties, ``allow deadlock``, added variables and locals, ``def`` and macro overrides).

Integer values are kept bounded (``% 3``, ``% 4``) so every state space is finite and small.
"""

from __future__ import annotations

import random
import re

from .randirq import add_irqs
from .randkernel import add_kernel_ops, add_lists
from .randparts import DEFS, MACROS, OVERRIDES, VARS, Actor, Env, Gen, StepGen, Variant, _Builder, bool_expr
from .randpasses import (function_deltas, _at_functions, _function_locals, _cycles, _functions, _inserted_fairness, _loops, _replaced_fairness,
                         _set_locals, _step_fairness)


def generate(seed: int, *, small: bool = False) -> Gen:
    """A random model; ``small`` keeps it within a few hundred states (for TLC runs)."""
    rng = random.Random(seed)
    b = _Builder(rng, small)
    keep = list(VARS)
    b.var_names = {v[0] for v in keep}
    gen_vars = []
    for name, t, init, _k in keep:
        if init is not None and name in ("x", "f", "g", "r") and rng.random() < 0.25:
            init = None  # the type's default
        gen_vars.append((name, t, init))
    if rng.random() < 0.3:
        b.assert_props.append("P")
    guards = rng.choice([None, None, "NoUse"])
    n_actors = rng.randint(1, 2 if small else 3)
    fam_first = rng.random() < 0.7
    actors = []
    for i in range(n_actors):
        family = fam_first and i == 0
        steps = [f"s{k}" for k in range(rng.randint(1, 2 if small else 3))]
        locals_ = []
        if rng.random() < 0.5:
            locals_.append(("t", "0..2", "0" if rng.random() < 0.9 else None))
        if rng.random() < 0.4:
            locals_.append(("c", "Items", None))
        fairness = rng.choice(["", "", "fair ", "fair+ "])
        actors.append(Actor(f"a{i}", family, fairness, locals_, [[s, []] for s in steps]))
    info = [(a.name, a.family, [s for s, _ in a.steps], {n: t for n, t, _ in a.locals}) for a in actors]
    name_atoms = rng.random() < 0.1
    for a in actors:
        steps = [s for s, _ in a.steps]
        for st in a.steps:
            env = Env(rng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}),
                      name_atoms=name_atoms)
            st[1] = StepGen(rng, b, env, steps).block(env, set(), 2 if small else 3, 0, True)
    penv = Env(rng, b.var_names, info, None, name_atoms=name_atoms)
    props = [(f"invariant I{k}", bool_expr(penv)) for k in range(rng.randint(0, 2))]
    if rng.random() < 0.4:
        fam = [a for a in actors if a.family]
        if fam and rng.random() < 0.5:
            a = fam[0]
            st = rng.choice(a.steps)[0]
            props.append(("leadsto L0", f"forall p in Procs: {a.name}[p] at {st} ~> "
                                        f"{a.name}[p] at {rng.choice([s for s, _ in a.steps] + ['done'])}"))
        else:
            props.append(("leadsto L0", f"{bool_expr(penv, 1)} ~> {bool_expr(penv, 1)}"))
    g = Gen(seed, rng.random() < 0.6, rng.random() < 0.5, 2 if small or rng.random() < 0.8 else 3,
            gen_vars, guards, actors, props, ["P"] if "P" in b.assert_props else [], [],
            rng.random() < 0.3,
            macros=[MACROS[m][0] for m in sorted(b.macro_names)],
            defs=list(DEFS))
    _cycles(seed, b, g, info)
    _functions(seed, b, g, info, small)  # before the variants: a removed step is named nowhere
    _loops(seed, b, g, info)
    add_kernel_ops(seed, g, small)
    _step_fairness(seed, g)
    grng = random.Random(f"guards{seed}")
    for a in g.actors:  # `actor a when c`, over the global variables
        if grng.random() < 0.12:
            a.guard = grng.choice(["!f", "x != 1", "col == red", "|s| < 2"])
    g.variants = _variants(rng, b, g, info, name_atoms)
    _inserted_fairness(seed, g)
    _replaced_fairness(seed, g)
    add_lists(seed, g)  # after the variants, which draw from the main RNG over the properties
    add_irqs(seed, g)  # an interrupt handler of one actor (randirq)
    _at_functions(seed, g)
    _function_locals(seed, g)
    _set_locals(seed, g)
    function_deltas(seed, g)  # variants that change a function's steps (randpasses)
    return g


def _variants(rng, b: _Builder, g: Gen, info, name_atoms) -> list[Variant]:
    out = g.variants = [Variant("v0", None)]
    steps = {a.name: [s for s, _ in a.steps] for a in g.actors}
    for vi in range(1, rng.randint(1, 3)):
        v = Variant(f"v{vi}", out[-1].name)
        out.append(v)
        for _ in range(rng.randint(1, 3)):
            d = _delta(rng, b, g, info, steps, name_atoms, vi)
            if d is not None:
                v.deltas.append(d)
    return out


def _delta(rng, b, g, info, steps, name_atoms, vi):
    k = rng.choice(["replace", "insert", "remove", "const", "invariant", "remove_prop",
                    "deadlock", "var", "local", "def", "macro"])
    a = rng.choice(g.actors)
    cur = steps[a.name]
    env = Env(rng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}),
              name_atoms=name_atoms)
    if k == "replace":
        st = rng.choice(cur)
        body = StepGen(rng, b, env, cur).block(env, set(), 2, 0, True)
        rename = None
        if random.Random(f"rename{g.seed}.{vi}").random() < 0.3:  # `as NEW`: the old name still works
            b.nlocals += 1
            rename = f"r{b.nlocals}"
        return ("replace", a.name, st, body, rename)
    if k == "insert":
        where = rng.choice(["after", "before"])
        anchor = rng.choice(cur)
        b.nlocals += 1
        new = f"n{b.nlocals}"
        body = StepGen(rng, b, env, cur).block(env, set(), 2, 0, True)
        cur.insert(cur.index(anchor) + (where == "after"), new)
        return ("insert", where, a.name, anchor, new, body)
    if k == "remove":
        if len(cur) < 2:
            return None
        st = rng.choice(cur[1:])
        text = g.text()  # the step must not be named anywhere (goto, at, a macro argument)
        if len(re.findall(rf"\b{st}\b", text)) > text.count(f"step {st} "):
            return None
        cur.remove(st)
        return ("remove", a.name, st)
    if k == "const":
        if rng.random() < 0.5:
            n = rng.choice([2, 3])
            procs = ", ".join(f"p{i + 1}" for i in range(n))
            return ("raw", f"const Procs = {{{procs}}}" + (" symmetric" if rng.random() < 0.6 else ""))
        return ("raw", "const Items = {i1, i2}" + (" symmetric" if rng.random() < 0.5 else ""))
    if k == "invariant":
        return ("raw", f"invariant J{vi}: {bool_expr(Env(rng, b.var_names, info, None, name_atoms=name_atoms))}")
    if k == "remove_prop":
        names = [n.split()[1] for n, _ in g.props if n.split()[1] not in b.removed]
        if not names:
            return None
        b.removed.add(names[0])
        return ("remove_prop", names[0])
    if k == "deadlock":
        return ("raw", "allow deadlock")
    if k == "var":
        return ("raw", f"var extra{vi}: bool = {rng.choice(['true', 'false'])}")
    if k == "local":
        b.nlocals += 1
        return ("raw", f"local {a.name}.z{b.nlocals}: 0..1 = 0")
    if k == "def":
        return ("raw", rng.choice(OVERRIDES["def"]))
    if not b.macros_on:
        return None
    return ("raw", rng.choice(OVERRIDES["macro"]))
