"""Small IR models built by hand, for the embedded checker's tests.

Each builder returns an ``ir.Model``; ``type_ok`` adds the ``TypeOK`` invariant the front end
adds to every model (every variable and every initialised local within its type).
"""

from __future__ import annotations

from movspec.ir import nodes as ir

# ------------------------------------------------------------------ expression shorthands


def V(name):
    return ir.VarRef(name)


def Loc(actor, name, proc=None):
    return ir.LocalRef(actor, name, proc)


def I(n):  # noqa: E743
    return ir.IntLit(n)


def B(b):
    return ir.BoolLit(b)


def Atom(name, kind="enum"):
    return ir.AtomLit(name, kind)


def M(name):
    return ir.AtomLit(name, "model")


def C(name):
    return ir.ConstRef(name)


def Bd(name):
    return ir.BoundRef(name)


def op(o, a, b):
    return ir.Binary(o, a, b)


def eq(a, b):
    return op("==", a, b)


def ne(a, b):
    return op("!=", a, b)


def and_(*xs):
    out = xs[0]
    for x in xs[1:]:
        out = op("&&", out, x)
    return out


def implies(a, b):
    return op("=>", a, b)


def not_(a):
    return ir.Unary("!", a)


def forall(var, dom, body):
    return ir.Quant("forall", var, dom, body)


def exists(var, dom, body):
    return ir.Quant("exists", var, dom, body)


def at(actor, proc, *steps):
    return ir.At(actor, proc, tuple(steps))


def fld(base, name):
    return ir.Field(base, name)


def idx(base, i):
    return ir.Index(base, i)


# ------------------------------------------------------------------ statements


def assign(target, value, o="="):
    return ir.Assign(target, o, value)


def step(name, *body, anchor=None):
    return ir.Step(name, tuple(body), anchor)


def actor(name, steps, proc_set=None, locals_=()):
    return ir.Actor(name, proc_set, tuple(locals_), tuple(steps))


def type_ok(consts, vars_, actors):
    parts = [ir.InType(ir.VarRef(v.name), v.type) for v in vars_]
    cmap = {c.name: c for c in consts}
    for a in actors:
        for loc in a.locals:
            if loc.init is None:
                continue
            if a.proc_set is None:
                parts.append(ir.InType(ir.LocalRef(a.name, loc.name, ir.AtomLit(a.name, "enum")), loc.type))
            else:
                parts.append(forall("_p", C(a.proc_set),
                                    ir.InType(ir.LocalRef(a.name, loc.name, Bd("_p")), loc.type)))
    expr = parts[0] if parts else B(True)
    for p in parts[1:]:
        expr = op("&&", expr, p)
    return ir.Invariant(ir.TYPE_OK, expr)


def model(name, *, consts=(), vars_=(), actors=(), props=(), modules=(), allow_deadlock=False,
          variant="base", expectations=()):
    consts, vars_, actors = tuple(consts), tuple(vars_), tuple(actors)
    vars_ = vars_ + tuple(ir.Var(m.loaded_var, ir.BoolType(), B(True)) for m in modules)
    props = (type_ok(consts, vars_, actors),) + tuple(props)
    return ir.Model(name, None, variant, None, None, None, consts, vars_, tuple(modules), actors,
                    props, tuple(expectations), allow_deadlock)


# ------------------------------------------------------------------ the models

PROCS2 = ir.Const("Procs", atoms=("p1", "p2"), symmetric=True)


def procs_const(n, symmetric=True):
    return ir.Const("Procs", atoms=tuple(f"p{i + 1}" for i in range(n)), symmetric=symmetric)


def race(n=2, symmetric=True):
    """The lost update: each process reads ``x`` into a local, then writes it back plus one."""
    T = ir.IntType(0, n)
    inc = actor("inc", [
        step("read", assign(Loc("inc", "t"), V("x"))),
        step("write", assign(V("x"), op("+", Loc("inc", "t"), I(1)))),
    ], "Procs", [ir.Local("t", T, I(0))])
    all_done = forall("p", C("Procs"), at("inc", Bd("p"), ir.DONE))
    return model("race", consts=[procs_const(n, symmetric)], vars_=[ir.Var("x", T, I(0))], actors=[inc],
                 props=[ir.Invariant("AllCounted", implies(all_done, eq(V("x"), I(n))))])


def mutex(n=2, symmetric=True, broken=False):
    """A spin lock taken with ``await``; ``broken`` splits test and set into two steps."""
    LockT = ir.AtomType(tuple(f"p{i + 1}" for i in range(n)) + ("none",))
    if broken:
        acquire = [step("test", ir.Await(eq(V("lock"), Atom("none")))),
                   step("set", assign(V("lock"), ir.SelfRef()))]
    else:
        acquire = [step("acquire", ir.Await(eq(V("lock"), Atom("none"))), assign(V("lock"), ir.SelfRef()))]
    first = acquire[0].name
    w = actor("worker", acquire + [
        step("cs", ir.Assert(eq(V("lock"), ir.SelfRef()), "lock stolen", "LockHeld")),
        step("release", assign(V("lock"), Atom("none")), ir.Goto(first)),
    ], "Procs")
    excl = forall("p", C("Procs"), forall("q", C("Procs"), implies(
        ne(Bd("p"), Bd("q")), not_(and_(at("worker", Bd("p"), "cs"), at("worker", Bd("q"), "cs"))))))
    return model("mutex", consts=[procs_const(n, symmetric)], vars_=[ir.Var("lock", LockT, Atom("none"))],
                 actors=[w], props=[ir.Invariant("Exclusion", excl), ir.AssertProperty("LockHeld")])


def deadlock(allow=False):
    """Two single actors taking two locks in opposite orders."""
    locks = [ir.Var("a", ir.BoolType(), B(False)), ir.Var("b", ir.BoolType(), B(False))]

    def taker(name, first, second):
        return actor(name, [
            step("take1", ir.Await(not_(V(first))), assign(V(first), B(True))),
            step("take2", ir.Await(not_(V(second))), assign(V(second), B(True))),
            step("drop", assign(V(first), B(False)), assign(V(second), B(False))),
        ])
    return model("deadlock", vars_=locks, actors=[taker("left", "a", "b"), taker("right", "b", "a")],
                 allow_deadlock=allow)


def choices():
    """``either``, ``any`` over a set, set operators, records, a function literal, ``goto``."""
    Items = ir.Const("Items", atoms=("i1", "i2", "i3"), symmetric=True)
    ItemT = ir.AtomType(Items.atoms, "Items")
    Slot = ir.RecordType("Slot", (ir.FieldDecl("n", ir.IntType(0, 2), I(0)),
                                  ir.FieldDecl("on", ir.BoolType(), B(False))))
    vars_ = [ir.Var("taken", ir.SetType(ItemT), ir.SetLit(())),
             ir.Var("slot", ir.FuncType(ItemT, Slot),
                    ir.FuncLit("i", C("Items"), ir.RecordLit(Slot, (("n", I(0)), ("on", B(False))))))]
    pick = actor("picker", [
        step("pick", ir.With("i", op("minus", C("Items"), V("taken")), (
            assign(V("taken"), op("union", V("taken"), ir.SetLit((Bd("i"),)))),
            assign(Loc("picker", "cur"), Bd("i")),
        ))),
        step("mark", ir.Either((
            (assign(fld(idx(V("slot"), Loc("picker", "cur")), "n"), I(1), "+="),),
            (assign(fld(idx(V("slot"), Loc("picker", "cur")), "on"), B(True)),),
            (ir.Goto("pick"),),
        ))),
        step("again", ir.If(op("<", ir.Card(V("taken")), I(3)), (ir.Goto("pick"),), ())),
    ], locals_=[ir.Local("cur", ItemT, None)])
    reset = actor("resetter", [
        step("reset", ir.Await(eq(ir.Card(V("taken")), I(3))),
             assign(V("slot"), ir.FuncLit("i", C("Items"), ir.RecordLit(Slot, (("n", I(0)), ("on", B(False))))))),
    ])
    inv = forall("i", C("Items"), implies(fld(idx(V("slot"), Bd("i")), "on"), op("in", Bd("i"), V("taken"))))
    return model("choices", consts=[Items], vars_=vars_, actors=[pick, reset],
                 props=[ir.Invariant("OnlyTaken", inv)], allow_deadlock=True)


def unload(guarded=True):
    """A caller into module code and an unloader; unguarded, the call can follow the unload."""
    mod = ir.Module("drv", ("op",))
    body = [ir.Call("drv", "op", (), "NoUseAfterUnload")]
    if guarded:
        body = [ir.Await(V("drv_loaded"))] + body
    caller = actor("caller", [step("use", *body), step("release", assign(V("busy"), B(False)))])
    unloader = actor("loader", [
        step("unload", ir.Await(not_(V("busy")) if guarded else B(True)), assign(V("drv_loaded"), B(False)))])
    return model("unload", vars_=[ir.Var("busy", ir.BoolType(), B(True))], actors=[caller, unloader],
                 modules=[mod], props=[ir.AssertProperty("NoUseAfterUnload")])
