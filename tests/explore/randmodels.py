"""Hypothesis strategies for random small, symmetric IR models.

The models use every construct the checker compiles (awaits, either, any, goto, if, asserts,
module calls, records, functions, sets, quantifiers, ``at``), keep integer values bounded
(``% 3``) so state spaces stay small, and never name a model value of a symmetric set (so
symmetry reduction is sound and counts can be compared with the reference's orbit counts).
"""

from __future__ import annotations

from hypothesis import strategies as st

from movspec.ir import nodes as ir

from .models import B, Bd, C, I, Loc, V, model, op

ITEMS = ("i1", "i2")
PROCS = ("p1", "p2")
ItemT = ir.AtomType(ITEMS, "Items")
Int3 = ir.IntType(0, 2)
Slot = ir.RecordType("Slot", (ir.FieldDecl("on", ir.BoolType(), B(False)),
                              ir.FieldDecl("n", ir.IntType(0, 1), I(0))))
LocT = ir.AtomType(ITEMS + ("none",))

VARS = {
    "x": Int3,
    "f": ir.BoolType(),
    "s": ir.SetType(ItemT),
    "g": ir.FuncType(ItemT, ir.IntType(0, 1)),
    "r": Slot,
    "where": LocT,
}


def var_decls():
    return [
        ir.Var("x", Int3, I(0)),
        ir.Var("f", ir.BoolType(), B(False)),
        ir.Var("s", ir.SetType(ItemT), ir.SetLit(())),
        ir.Var("g", VARS["g"], ir.FuncLit("k", C("Items"), I(0))),
        ir.Var("r", Slot, ir.RecordLit(Slot, (("on", B(False)), ("n", I(0))))),
        ir.Var("where", LocT, ir.AtomLit("none", "enum")),
    ]


@st.composite
def int_expr(draw, env, depth=0):
    choices = ["lit", "x", "rn", "card"]
    if item_ok(env):
        choices.append("gk")
    if "t" in env:
        choices.append("t")
    if depth < 2:
        choices += ["plus", "if"]
    c = draw(st.sampled_from(choices))
    if c == "lit":
        return I(draw(st.integers(0, 2)))
    if c == "x":
        return V("x")
    if c == "t":
        return Loc(env["t"], "t")
    if c == "gk":
        return ir.Index(V("g"), draw(item_expr(env)))
    if c == "rn":
        return ir.Field(V("r"), "n")
    if c == "card":
        return ir.Card(V("s"))
    if c == "plus":
        return op("%", op("+", draw(int_expr(env, depth + 1)), draw(int_expr(env, depth + 1))), I(3))
    return ir.IfExpr(draw(bool_expr(env, depth + 1)), draw(int_expr(env, depth + 1)),
                     draw(int_expr(env, depth + 1)))


@st.composite
def item_expr(draw, env):
    """An expression of type Items that names no model value."""
    opts = [k for k, t in env.items() if t == "item"]
    if "c" in env:
        opts.append("local")
    if not opts:
        return None
    c = draw(st.sampled_from(opts))
    if c == "local":
        return Loc(env["c"], "c")
    return Bd(c)


@st.composite
def bool_expr(draw, env, depth=0):
    choices = ["lit", "f", "cmp", "ron", "where"]
    if item_ok(env):
        choices += ["in", "gk"]
    if depth < 2:
        choices += ["and", "or", "not", "forall", "exists", "implies"]
    if env.get("_actors"):
        choices.append("at")
    c = draw(st.sampled_from(choices))
    if c == "lit":
        return B(draw(st.booleans()))
    if c == "f":
        return V("f")
    if c == "cmp":
        return op(draw(st.sampled_from(["==", "!=", "<", "<="])), draw(int_expr(env, depth + 1)),
                  draw(int_expr(env, depth + 1)))
    if c == "ron":
        return ir.Field(V("r"), "on")
    if c == "where":
        return op("==", V("where"), ir.AtomLit("none", "enum"))
    if c == "in":
        return op(draw(st.sampled_from(["in", "notin"])), draw(item_expr(env)), V("s"))
    if c == "gk":
        return op("==", ir.Index(V("g"), draw(item_expr(env))), I(1))
    if c in ("and", "or", "implies"):
        o = {"and": "&&", "or": "||", "implies": "=>"}[c]
        return op(o, draw(bool_expr(env, depth + 1)), draw(bool_expr(env, depth + 1)))
    if c == "not":
        return ir.Unary("!", draw(bool_expr(env, depth + 1)))
    if c in ("forall", "exists"):
        var = f"q{depth}"
        inner = dict(env)
        inner[var] = "item"
        return ir.Quant(c, var, C("Items"), draw(bool_expr(inner, depth + 1)))
    # at: some process of some actor is at some step
    name, steps, family = draw(st.sampled_from(env["_actors"]))
    target = draw(st.sampled_from(list(steps) + [ir.DONE]))
    if family:
        var = f"a{depth}"
        inner = dict(env)
        return ir.Quant("exists", var, C("Procs"), ir.At(name, Bd(var), (target,)))
    return ir.At(name, None, (target,))


def item_ok(env) -> bool:
    return "c" in env or any(t == "item" for t in env.values())


@st.composite
def stmt(draw, env, steps, depth=0):
    choices = ["assign_x", "assign_f", "add", "remove", "assign_g", "assign_r", "where", "skip",
               "await", "assert"]
    if "t" in env:
        choices.append("assign_t")
    if "c" in env:
        choices.append("pick_c")
    if depth < 2:
        choices += ["if", "either", "with"]
    choices.append("goto")
    choices.append("call")
    c = draw(st.sampled_from(choices))
    if c == "assign_x":
        v = draw(int_expr(env)) if draw(st.integers(0, 9)) else I(3)  # 3: breaks TypeOK
        return ir.Assign(V("x"), "=", v)
    if c == "assign_t":
        return ir.Assign(Loc(env["t"], "t"), "=", draw(int_expr(env)))
    if c == "assign_f":
        return ir.Assign(V("f"), "=", draw(bool_expr(env)))
    if c in ("add", "remove") and item_ok(env):
        e = ir.SetLit((draw(item_expr(env)),))
        return ir.Assign(V("s"), "=", op("union" if c == "add" else "minus", V("s"), e))
    if c == "assign_g" and item_ok(env):
        return ir.Assign(ir.Index(V("g"), draw(item_expr(env))), "=",
                         op("%", op("+", ir.Index(V("g"), draw(item_expr(env))), I(1)), I(2)))
    if c == "assign_r":
        if draw(st.booleans()):
            return ir.Assign(ir.Field(V("r"), "on"), "=", draw(bool_expr(env)))
        return ir.Assign(ir.Field(V("r"), "n"), "=", op("%", draw(int_expr(env)), I(2)))
    if c == "where" and item_ok(env):
        return ir.Assign(V("where"), "=", draw(item_expr(env)))
    if c == "pick_c":
        return ir.With("pk", op("minus", C("Items"), V("s")) if draw(st.booleans()) else C("Items"),
                       (ir.Assign(Loc(env["c"], "c"), "=", Bd("pk")),))
    if c == "await":
        return ir.Await(draw(bool_expr(env)))
    if c == "assert":
        return ir.Assert(draw(bool_expr(env)), "check failed", "Checks")
    if c == "call":
        return ir.Call("drv", "op", (), "NoUseAfterUnload")
    if c == "if":
        return ir.If(draw(bool_expr(env)), tuple(draw(st.lists(stmt(env, steps, depth + 1), max_size=2))),
                     tuple(draw(st.lists(stmt(env, steps, depth + 1), max_size=2))))
    if c == "either":
        return ir.Either(tuple(tuple(draw(st.lists(stmt(env, steps, depth + 1), min_size=1, max_size=2)))
                               for _ in range(draw(st.integers(2, 3)))))
    if c == "with":
        var = f"w{depth}"
        inner = dict(env)
        inner[var] = "item"
        dom = draw(st.sampled_from([C("Items"), V("s"), op("minus", C("Items"), V("s"))]))
        return ir.With(var, dom, tuple(draw(st.lists(stmt(inner, steps, depth + 1), min_size=1, max_size=2))))
    if c == "goto":
        return ir.Goto(draw(st.sampled_from(list(steps) + [ir.DONE])))
    return ir.Skip()


def _goto_last(stmts):
    """Keep ``goto`` last on its path (the IR's rule): drop whatever follows one."""
    out = []
    for s in stmts:
        if isinstance(s, ir.If):
            s = ir.If(s.cond, _goto_last(s.then), _goto_last(s.orelse))
        elif isinstance(s, ir.Either):
            s = ir.Either(tuple(_goto_last(b) for b in s.branches))
        elif isinstance(s, ir.With):
            s = ir.With(s.var, s.domain, _goto_last(s.body))
        out.append(s)
        if isinstance(s, ir.Goto):
            break
    return tuple(out)


@st.composite
def actor_spec(draw, name, family, others):
    n_steps = draw(st.integers(1, 3))
    steps = [f"{name}_s{i}" for i in range(n_steps)]
    locals_ = []
    env: dict = {"_actors": others}
    if draw(st.booleans()):
        locals_.append(ir.Local("t", Int3, I(0)))
        env["t"] = name
    if draw(st.booleans()):
        locals_.append(ir.Local("c", ItemT, None))
        env["c"] = name
    body = []
    for sname in steps:
        stmts = draw(st.lists(stmt(env, steps), min_size=1, max_size=3))
        body.append(ir.Step(sname, _goto_last(stmts)))
    return ir.Actor(name, "Procs" if family else None, tuple(locals_), tuple(body))


@st.composite
def random_model(draw):
    sym_procs = draw(st.booleans())
    sym_items = draw(st.booleans())
    consts = [ir.Const("Items", atoms=ITEMS, symmetric=sym_items),
              ir.Const("Procs", atoms=PROCS, symmetric=sym_procs)]
    n = draw(st.integers(1, 2))
    names = [f"a{i}" for i in range(n)]
    # process ids must be distinct across actors: at most one family over Procs
    families = [draw(st.booleans()) if i == 0 else False for i in range(n)]
    actors = []
    for i, name in enumerate(names):
        others = [(names[j], [f"{names[j]}_s{k}" for k in range(1)], families[j]) for j in range(i)]
        actors.append(draw(actor_spec(name, families[i], others)))
    unloader = ir.Actor("loader", None, (), (ir.Step("unload", (ir.Assign(V("drv_loaded"), "=", B(False)),)),))
    if draw(st.booleans()):
        actors.append(unloader)
    env_inv = {"_actors": [(a.name, [s.name for s in a.steps], a.proc_set is not None) for a in actors]}
    invs = [ir.Invariant(f"Inv{k}", draw(bool_expr(env_inv))) for k in range(draw(st.integers(0, 2)))]
    props = invs + [ir.AssertProperty("Checks"), ir.AssertProperty("NoUseAfterUnload")]
    return model("random", consts=consts, vars_=var_decls(), actors=actors, props=props,
                 modules=[ir.Module("drv", ("op",))], allow_deadlock=draw(st.booleans()))
