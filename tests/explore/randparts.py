"""The parts of the random models (``randmodels``): the model's structure (``Gen``, its
actors and variants) and its rendering as ``.mspec`` text, the expression and statement
generators (``Env``, ``StepGen``), and the builder that tracks what a model declares."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

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
    "must": ("macro must(c3, why) { assert c3, why }", set()),  # a string parameter as the message
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
        mark = d[5] if len(d) > 5 else ""  # `unfair `, `fair+ `, `fair ` (the actor's fairness again)
        return f"replace {mark}{d[1]}.{d[2]}{rename} {{ {render_block(d[3])} }}"
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
            cond = bool_expr(env)
            if prop is None and "must" in g.macro_names and len(cond) % 2:
                # chosen by the condition's text, not by a draw: the rest of the model is as before
                return ("raw", f"must({cond}, \"check\")")
            return ("raw", f"assert {cond}, \"check\"" + (f" as {prop}" if prop else ""))
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


