"""A seeded generator of random small, well-typed models written in the DSL.

``generate(seed)`` returns a ``Gen``: a structured model (actors, steps, statement trees,
properties, variants with their deltas) that ``Gen.text()`` renders as ``.mspec`` source.
The structure is what the shrinker (``differential.shrink``) cuts down; the text is what
``movspec.load`` reads, so every model goes through the whole front end (macros, ``def``,
variants, lint) before the checkers see it.

Covered: constant sets (``symmetric`` or not, 2 or 3 processes), an enum, a struct, functions,
sets, integer ranges at and past their bounds (``(x + 1) % 4`` into ``0..2`` breaks TypeOK),
variables and locals without an initial value, atom-typed locals that start unset,
``either``/``any``/``await``/``if``, ``goto`` loops, macros (one with a step-name parameter),
``def``, a module with ``call`` and ``unload`` and its ``guards`` property, ``assert`` with
and without ``as P``, invariants naming other processes' locals and ``at``, ``leadsto`` with
weakly and strongly fair actors, deadlock (allowed or not), functions (``func`` with a parameter, a local, a result or none,
one calling another, called from actors with and without a result), ``step s while c``
loops, flags words and counters with the kernel's atomic and non-atomic operations
(``randkernel``), kernel lists (``randkernel.add_lists``), interrupt handlers (``randirq``), steps of fair actors and functions
marked ``unfair`` or ``fair+``, and variants using every delta
kind (replace, insert before/after, remove a step, constant overrides, added and removed
properties, ``allow deadlock``, added variables and locals, ``def`` and macro overrides).

Integer values are kept bounded (``% 3``, ``% 4``) so every state space is finite and small.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, field

from .randirq import add_irqs
from .randkernel import add_kernel_ops, add_lists

ITEMS = ("i1", "i2")

# (name, type, initial value or None, kind) of the global variables
VARS = [
    ("x", "0..2", "0", "int"),
    ("f", "bool", "false", "bool"),
    ("s", "set of Items", "{}", "set"),
    ("g", "[Items -> 0..1]", "[k in Items |-> 0]", "fn"),
    ("r", "Slot", "Slot(on: false)", "rec"),
    ("w", "Items | {none}", "none", "loc"),
    ("col", "Color", "red", "enum"),
]

DEFS = ["def big(v) = v >= 2", "def has(k) = k in s"]
MACROS = {
    "flip": ("macro flip() { f = !f }", {"f"}),
    "put": ("macro put(k) { s = s | {k} }", {"s"}),
    "retry": ("macro retry(c2, lbl) { if c2 { goto lbl } }", set()),
}
OVERRIDES = {  # what a variant may redefine
    "def": ["def big(v) = v >= 1", "def has(k) = k notin s"],
    "macro": ["macro flip() { f = true }", "macro put(k) { s = s \\ {k} }"],
}


@dataclass
class Actor:
    name: str
    family: bool
    fairness: str  # "", "fair ", "fair+ "
    locals: list  # (name, type, init or None)
    steps: list  # [name, [stmt]]
    loops: dict = field(default_factory=dict)  # step name -> condition of `step s while c`
    marks: dict = field(default_factory=dict)  # step name -> "unfair " | "fair+ " (its fairness)
    guard: str | None = None  # `actor a when c`


@dataclass
class Variant:
    name: str
    extends: str | None
    deltas: list = field(default_factory=list)


@dataclass
class Gen:
    seed: int
    sym_procs: bool
    sym_items: bool
    nprocs: int
    vars: list  # (name, type, init or None)
    guards: str | None
    actors: list
    props: list  # (name, text) declarations, text without the name
    assertions: list  # names declared with `assertion`
    variants: list
    allow_deadlock: bool
    macros: list = field(default_factory=list)
    defs: list = field(default_factory=list)
    funcs: list = field(default_factory=list)  # rendered `func` declarations (lines)

    # -------------------------------------------------------------- rendering
    def text(self) -> str:
        out = [f"model rnd{self.seed} \"random model {self.seed}\"", ""]
        procs = ", ".join(f"p{i + 1}" for i in range(self.nprocs))
        out.append(f"const Procs = {{{procs}}}" + (" symmetric" if self.sym_procs else ""))
        out.append("const Items = {i1, i2}" + (" symmetric" if self.sym_items else ""))
        out.append("enum Color { red, green }")
        out.append("struct Slot { on: bool = false  n: 0..1 = 0 }")
        for name, t, init in self.vars:
            out.append(f"var {name}: {t}" + (f" = {init}" if init is not None else ""))
        out.append("module drv" + (f" guards {self.guards}" if self.guards else "") + " { ops op }")
        out += self.defs + self.macros + self.funcs
        for a in self.actors:
            out += render_actor(a)
        for name, text in self.props:
            out.append(f"{name}: {text}")
        for name in self.assertions:
            out.append(f"assertion {name}")
        if self.allow_deadlock:
            out.append("allow deadlock")
        for v in self.variants:
            head = f"variant {v.name}" + (f" extends {v.extends}" if v.extends else "")
            if not v.deltas:
                out.append(head)
                continue
            out.append(head + " {")
            out += ["    " + render_delta(d) for d in v.deltas]
            out.append("}")
        return "\n".join(out) + "\n"

    def clone(self) -> "Gen":
        return copy.deepcopy(self)


def render_actor(a: Actor) -> list[str]:
    head = (f"{a.fairness}actor {a.name}" + ("(self in Procs)" if a.family else "")
            + (f" when {a.guard}" if a.guard else "") + " {")
    out = [head]
    for name, t, init in a.locals:
        out.append(f"    local {name}: {t}" + (f" = {init}" if init is not None else ""))
    for name, body in a.steps:
        loop = f" while {a.loops[name]}" if name in a.loops else ""
        out.append(f"    {a.marks.get(name, '')}step {name}{loop} {{ {render_block(body)} }}")
    out.append("}")
    return out


def render_block(stmts) -> str:
    return "  ".join(render_stmt(s) for s in stmts) if stmts else "skip"


def render_stmt(s) -> str:
    k = s[0]
    if k == "raw":
        return s[1]
    if k == "if":
        text = f"if {s[1]} {{ {render_block(s[2])} }}"
        return text + (f" else {{ {render_block(s[3])} }}" if s[3] else "")
    if k == "either":
        return " or ".join(f"{{ {render_block(b)} }}" for b in s[1]).join(["either ", ""])
    if k == "any":
        return f"any {s[1]} in {s[2]} {{ {render_block(s[3])} }}"
    raise ValueError(k)


def render_delta(d) -> str:
    k = d[0]
    if k == "replace":
        rename = f" as {d[4]}" if len(d) > 4 and d[4] else ""
        return f"replace {d[1]}.{d[2]}{rename} {{ {render_block(d[3])} }}"
    if k == "insert":
        mark = d[6] if len(d) > 6 else ""
        return f"insert {d[1]} {d[2]}.{d[3]} {mark}step {d[4]} {{ {render_block(d[5])} }}"
    if k == "remove":
        return f"remove {d[1]}.{d[2]}"
    if k == "remove_prop":
        return f"remove property {d[1]}"
    return d[1]  # raw declarations: const, invariant, var, local, def, macro, allow deadlock


# ------------------------------------------------------------------ expressions


class Env:
    """What an expression may name: the actor whose step it is in (or None: a property),
    bound variables (name -> "item" | "proc"), and every actor's steps for ``at``."""

    def __init__(self, rng, gen_vars, actors_info, actor=None, bound=None, name_atoms=False):
        self.rng = rng
        self.vars = gen_vars
        self.actors_info = actors_info  # [(name, family, [steps], {local: type})]
        self.actor = actor  # (name, family, {local: type}) or None
        self.bound = bound or {}
        self.name_atoms = name_atoms  # may name a model value (turns symmetry off)

    def bind(self, name, kind) -> "Env":
        b = dict(self.bound)
        b[name] = kind
        return Env(self.rng, self.vars, self.actors_info, self.actor, b, self.name_atoms)

    def locals_of(self, t):
        return [n for n, ty in (self.actor[2].items() if self.actor else ()) if ty == t]


def item_expr(env: Env) -> str:
    rng = env.rng
    opts = [n for n, k in env.bound.items() if k == "item"]
    if env.rng.random() < 0.3 or not opts:
        opts += env.locals_of("Items")  # an unset local here is an evaluation error
    if env.name_atoms or not opts:
        opts = opts + ["i1", "i2"] if env.name_atoms else opts
    if not opts:
        return ""
    return rng.choice(opts)


def proc_expr(env: Env) -> str:
    opts = [n for n, k in env.bound.items() if k == "proc"]
    if env.actor and env.actor[1]:
        opts.append("self")
    if env.name_atoms:
        opts.append("p1")
    return env.rng.choice(opts) if opts else ""


def int_expr(env: Env, d: int = 0) -> str:
    rng = env.rng
    c = ["lit", "x", "rn", "card"]
    if item_expr(env):
        c.append("gk")
    c += env.locals_of("0..2")
    fam = [a for a in env.actors_info if a[1] and "t" in a[3]]
    if env.actor is None and fam and proc_expr(env):
        c.append("other_t")
    if d < 2:
        c += ["plus", "if", "arith", "filter"]
    k = rng.choice(c)
    if k == "lit":
        return str(rng.randint(0, 2))
    if k == "x":
        return "x"
    if k == "rn":
        return "r.n"
    if k == "card":
        return "|s|"
    if k == "gk":
        return f"g[{item_expr(env)}]"
    if k == "other_t":
        return f"{rng.choice(fam)[0]}[{proc_expr(env)}].t"
    if k == "plus":
        return f"({int_expr(env, d + 1)} + {int_expr(env, d + 1)}) % 3"
    if k == "arith":  # % of a negative number, \ that floors, * and unary minus
        o = rng.choice(["-", "*", "/", "neg", "div0"])
        a, b2 = int_expr(env, d + 1), int_expr(env, d + 1)
        if o == "neg":
            return f"(-{a} + 3) % 3"
        if o == "/":
            return f"(({a} - {b2}) / 2)"  # may be -1: out of range when assigned
        if o == "div0":
            return f"({a} / r.n)" if rng.random() < 0.3 else f"({a} / (r.n + 1))"
        return f"(({a} {o} {b2}) % 3)"
    if k == "filter":
        return f"|{{q{d} in Items where g[q{d}] == 1}}|"
    if k == "if":
        return f"(if {bool_expr(env, d + 1)} then {int_expr(env, d + 1)} else {int_expr(env, d + 1)})"
    return k  # a local


def bool_expr(env: Env, d: int = 0) -> str:
    rng = env.rng
    c = ["lit", "f", "cmp", "ron", "where", "col", "loaded", "big", "subset", "iff"]
    if item_expr(env):
        c += ["in", "gk", "has"]
    if d < 2:
        c += ["and", "or", "not", "forall", "exists", "implies"]
    if env.actors_info:
        c.append("at")
    k = rng.choice(c)
    if k == "lit":
        return rng.choice(["true", "false"])
    if k == "f":
        return "f"
    if k == "cmp":
        return f"{int_expr(env, d + 1)} {rng.choice(['==', '!=', '<', '<='])} {int_expr(env, d + 1)}"
    if k == "ron":
        return "r.on"
    if k == "where":
        return rng.choice(["w == none", "w != none"])
    if k == "col":
        return "col == " + rng.choice(["red", "green"])
    if k == "loaded":
        return "drv.loaded"
    if k == "subset":
        return rng.choice(["s subset Items", "Items subset s", "{} subset s"])
    if k == "iff":
        return f"(f <=> {bool_expr(env, d + 1)})"
    if k == "big":
        return f"big({int_expr(env, d + 1)})"
    if k == "in":
        return f"{item_expr(env)} {rng.choice(['in', 'notin'])} s"
    if k == "gk":
        return f"g[{item_expr(env)}] == 1"
    if k == "has":
        return f"has({item_expr(env)})"
    if k in ("and", "or", "implies"):
        o = {"and": "&&", "or": "||", "implies": "=>"}[k]
        return f"({bool_expr(env, d + 1)} {o} {bool_expr(env, d + 1)})"
    if k == "not":
        return f"!({bool_expr(env, d + 1)})"
    if k in ("forall", "exists"):
        var = f"q{d}"
        if rng.random() < 0.5:
            return f"({k} {var} in Items: {bool_expr(env.bind(var, 'item'), d + 1)})"
        return f"({k} {var} in Procs: {bool_expr(env.bind(var, 'proc'), d + 1)})"
    # at
    name, family, steps, _ = rng.choice(env.actors_info)
    target = rng.choice(list(steps) + ["done"])
    if len(steps) > 1 and rng.random() < 0.3:
        target = "{" + ", ".join(rng.sample(list(steps) + ["done"], 2)) + "}"
    if env.actor is not None and env.actor[0] == name and rng.random() < 0.5:
        return f"(at {target})"
    if family:
        p = proc_expr(env)
        if p:
            return f"({name}[{p}] at {target})"
        return f"(exists e{d} in Procs: {name}[e{d}] at {target})"
    return f"({name} at {target})"


# ------------------------------------------------------------------ statements


class StepGen:
    """Statements of one step; ``assigned`` tracks the variables a path has written (a
    variable is assigned at most once on any path through a step)."""

    def __init__(self, rng, gen: "_Builder", env: Env, steps: list[str]):
        self.rng = rng
        self.g = gen
        self.env = env
        self.steps = steps

    def block(self, env, assigned: set, n_max: int, depth: int, tail: bool) -> list:
        out = []
        n = self.rng.randint(1, n_max)
        for i in range(n):
            last = tail and i == n - 1
            s = self.stmt(env, assigned, depth, last)
            if s is None:
                continue
            out.append(s)
            if s[0] == "raw" and s[1].startswith("goto"):
                break
        return out

    def stmt(self, env: Env, assigned: set, depth: int, tail: bool):
        rng = self.rng
        g = self.g
        c = ["assign", "assign", "assign", "await", "assert", "skip"]
        if g.module:
            c += ["call", "unload"]
        if depth < 2:
            c += ["if", "either", "any"]
        if tail:
            c += ["goto", "retry"]
        if g.macros_on:
            c += ["macro"]
        k = rng.choice(c)
        if k == "assign":
            return self.assign(env, assigned)
        if k == "await":
            return ("raw", f"await {bool_expr(env)}")
        if k == "assert":
            prop = rng.choice(g.assert_props)
            return ("raw", f"assert {bool_expr(env)}, \"check\"" + (f" as {prop}" if prop else ""))
        if k == "call":
            return ("raw", "call drv.op()")
        if k == "unload":
            if "drv_loaded" in assigned:
                return None
            assigned.add("drv_loaded")
            return ("raw", "unload drv")
        if k == "goto":
            return ("raw", f"goto {rng.choice(self.steps + ['done'])}")
        if k == "retry":
            if "retry" not in g.macro_names:
                return None
            return ("raw", f"retry({bool_expr(env)}, {rng.choice(self.steps)})")
        if k == "macro":
            name = rng.choice(["flip", "put"])
            roots = MACROS[name][1]
            if name not in g.macro_names or roots & assigned:
                return None
            if name == "put":
                it = item_expr(env)
                if not it:
                    return None
                assigned |= roots
                return ("raw", f"put({it})")
            assigned |= roots
            return ("raw", "flip()")
        if k == "if":
            a1, a2 = set(assigned), set(assigned)
            then = self.block(env, a1, 2, depth + 1, tail)
            orelse = self.block(env, a2, 2, depth + 1, tail) if rng.random() < 0.6 else []
            assigned |= a1 | a2
            return ("if", bool_expr(env), then, orelse)
        if k == "either":
            branches = []
            acc = set(assigned)
            for _ in range(rng.randint(2, 3)):
                a = set(assigned)
                branches.append(self.block(env, a, 2, depth + 1, tail))
                acc |= a
            assigned |= acc
            return ("either", branches)
        if k == "any":
            var = f"v{depth}"
            if rng.random() < 0.8:
                dom = rng.choice(["Items", "s", "Items \\ s"])
                inner = env.bind(var, "item")
            else:
                dom = "Procs"
                inner = env.bind(var, "proc")
            body = self.block(inner, assigned, 2, depth + 1, False)
            return ("any", var, dom, body)
        return ("raw", "skip")

    def assign(self, env: Env, assigned: set):
        rng = self.rng
        g = self.g
        opts = [n for n in ("x", "f", "s", "g", "r", "w", "col") if n in g.var_names and n not in assigned]
        if env.actor:
            opts += [n for n in env.actor[2] if n not in assigned]
        if not opts:
            return None
        v = rng.choice(opts)
        assigned.add(v)
        it = item_expr(env)
        if v == "x":
            if rng.random() < 0.15:  # += and -= kept within bounds by a guard
                return ("if", "x > 0", [("raw", "x -= 1")], [("raw", "x += 1")])
            if g.overflow and rng.random() < 0.3:
                return ("raw", rng.choice(["x = (x + 1) % 4", "x = (x + 2) % 4"]))
            return ("raw", f"x = {int_expr(env)}")
        if v == "f":
            return ("raw", f"f = {bool_expr(env)}")
        if v == "s":
            if not it:
                return ("raw", rng.choice(["s = {}", "s = Items"]))
            return ("raw", f"s = s {rng.choice(['|', chr(92)])} {{{it}}}")
        if v == "g":
            if not it:
                return ("raw", "g = [k in Items |-> (g[k] + 1) % 2]")
            return ("raw", f"g[{it}] = (g[{it}] + 1) % 2")
        if v == "r":
            return ("raw", rng.choice([f"r.on = {bool_expr(env)}", f"r.n = ({int_expr(env)}) % 2",
                                       "r = Slot(on: true)"]))
        if v == "w":
            return ("raw", f"w = {it}" if it and rng.random() < 0.7 else "w = none")
        if v == "col":
            return ("raw", "col = " + rng.choice(["red", "green"]))
        if v == "t":
            if g.overflow and rng.random() < 0.2:
                return ("raw", "t = (t + 2) % 4")
            return ("raw", f"t = {int_expr(env)}")
        if v == "c":
            return ("raw", "c = any " + rng.choice(["Items", "Items \\ s", "s"]))
        if v in ("kb", "kc", "po"):  # the locals of randkernel
            return ("raw", {"kb": f"kb = {bool_expr(env)}", "kc": f"kc = {int_expr(env)}",
                            "po": f"po = {it}" if it else "po = none"}[v])
        return ("raw", f"{v} = {rng.choice(['0', '1'])}")  # an added local z: 0..1


# ------------------------------------------------------------------ the model


class _Builder:
    def __init__(self, rng: random.Random, small: bool):
        self.rng = rng
        self.small = small
        self.module = True
        self.overflow = rng.random() < 0.2
        self.macros_on = rng.random() < 0.6
        self.macro_names = set(MACROS) if self.macros_on else set()
        self.var_names = set()
        self.assert_props = [None]
        self.removed: set = set()  # properties removed by a variant
        self.nlocals = 0


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
    add_lists(seed, g)  # after the variants, which draw from the main RNG over the properties
    add_irqs(seed, g)  # an interrupt handler of one actor (randirq)
    return g


def _step_fairness(seed: int, g: Gen) -> None:
    """Some steps of fair actors marked `unfair` (out of the actor's fairness) or, in a weakly
    fair actor, `fair+`; some steps of functions marked either way (a function's marks count in
    each fair caller). From an RNG of its own, so the rest of each seed's model is as before."""
    rng = random.Random(f"stepfair{seed}")
    for a in g.actors:
        if not a.fairness:
            continue
        for name, _ in a.steps:
            if rng.random() < 0.3:
                a.marks[name] = "unfair " if a.fairness == "fair+ " else rng.choice(["unfair ", "fair+ "])
    for i, line in enumerate(g.funcs):
        if line.startswith("    step ") and rng.random() < 0.25:
            g.funcs[i] = "    " + rng.choice(["unfair ", "fair+ "]) + line[4:]


def _inserted_fairness(seed: int, g: Gen) -> None:
    """Some steps that variants insert into fair actors marked as ``_step_fairness`` marks
    (an RNG of their own)."""
    rng = random.Random(f"insertfair{seed}")
    fair = {a.name: a.fairness for a in g.actors}
    for v in g.variants:
        for k, d in enumerate(v.deltas):
            if d[0] == "insert" and fair[d[2]] and rng.random() < 0.3:
                mark = "unfair " if fair[d[2]] == "fair+ " else rng.choice(["unfair ", "fair+ "])
                v.deltas[k] = d + (mark,)


def _cycles(seed: int, b: _Builder, g: Gen, info) -> None:
    """Some actors made to run forever: the last step goes back to the first (more often for a
    fair actor), and then often a `leadsto` of its own, so that one can fail on a fair cycle
    and not only by stopping. From an RNG of its own."""
    rng = random.Random(f"cycles{seed}")
    fair_loop = False
    for a in g.actors:
        last = a.steps[-1][1]
        if rng.random() < (0.8 if a.fairness else 0.2) and not _ends_in_goto(last):
            last.append(("raw", f"goto {a.steps[0][0]}"))
            fair_loop |= bool(a.fairness)
    if fair_loop and rng.random() < 0.6:
        env = Env(rng, b.var_names, info, None)
        g.props.append(("leadsto L1", f"{bool_expr(env, 1)} ~> {bool_expr(env, 1)}"))


def _loops(seed: int, b: _Builder, g: Gen, info) -> None:
    """Some steps made `step s while c { ... }` (not those that call a function), from an RNG
    of their own."""
    rng = random.Random(f"loops{seed}")
    for a in g.actors:
        env = Env(rng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}))
        for name, body in a.steps:
            if rng.random() < 0.15 and "call fn" not in render_block(body):
                a.loops[name] = bool_expr(env, 1)


# ------------------------------------------------------------------ functions


class _FuncStepGen(StepGen):
    """Statements of a function's step: `goto` among its own steps, never `goto done`."""

    def stmt(self, env, assigned, depth, tail):
        s = super().stmt(env, assigned, depth, tail)
        if s is not None and s[0] == "raw" and s[1] == "goto done":
            return ("raw", f"goto {self.rng.choice(self.steps)}")
        return s


def _ends_in_goto(body) -> bool:
    return bool(body) and body[-1][0] == "raw" and body[-1][1].startswith("goto")


def _functions(seed: int, b: _Builder, g: Gen, info, small: bool) -> None:
    """Up to two functions (`fn1` may call `fn0`) with a parameter, a local and a result of
    0..2, bool or none, called from some actor steps as their last statement. Drawn from an
    RNG of their own, so the rest of each seed's model is as before. The label rules hold by
    construction: a function's first step assigns its locals and may end in a call, its last
    step assigns only globals and ends every path with `return` (or a `goto`)."""
    rng = random.Random(f"functions{seed}")
    if rng.random() < 0.45:
        return
    funcs = []  # (name, result or None)
    for i in range(rng.randint(1, 2)):
        name, k, u = f"fn{i}", f"k{i}", f"u{i}"
        result = rng.choice(["0..2", "bool", None])
        env = Env(rng, b.var_names, info, (name, False, {k: "0..2", u: "0..2"}))
        steps = ["e0", "e1"]
        first = _FuncStepGen(rng, b, env, steps).block(env, set(), 2, 0, True)
        if funcs and not _ends_in_goto(first) and rng.random() < 0.7:
            callee, cres = rng.choice(funcs)
            call = f"call {callee}({int_expr(env)})"
            first.append(("raw", f"{u} = {call}" if cres == "0..2" else call))
        last = _FuncStepGen(rng, b, env, steps).block(env, {k, u}, 2, 0, True)
        if not _ends_in_goto(last):
            value = {"0..2": f" {int_expr(env)}", "bool": f" {bool_expr(env)}", None: ""}[result]
            if result is not None or rng.random() < 0.5:
                last.append(("raw", "return" + value))
        head = f"func {name}({k}: 0..2)" + (f" -> {result}" if result else "") + " {"
        g.funcs += [head, f"    local {u}: 0..2 = {rng.choice(['0', '1'])}",
                    f"    step e0 {{ {render_block(first)} }}", f"    step e1 {{ {render_block(last)} }}", "}"]
        funcs.append((name, result))
    for a in g.actors:
        env = Env(rng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}))
        for st in a.steps:
            if _ends_in_goto(st[1]) or rng.random() < (0.6 if small else 0.5):
                continue
            name, result = rng.choice(funcs)
            call = f"call {name}({int_expr(env)})"
            if result == "0..2" and rng.random() < 0.7:
                target = rng.choice([n for n, t, _ in a.locals if t == "0..2"] + ["x"])
                call = f"{target} = {call}"
            elif result == "bool" and rng.random() < 0.7:
                call = f"f = {call}"
            st[1].append(("raw", call))


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
