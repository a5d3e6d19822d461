"""A small movable-page protocol built by hand in the IR (independent of the front end).

Four variants exercise every statement form the emitter handles:

* ``locked``: compactors isolate under PG_lock; everything holds;
* ``nolock``: the compactor skips PG_lock, so the driver can release and the module be
  unloaded between the recheck and the callback (``NoUseAfterUnload`` and ``Assertions``
  violated);
* ``leaky``: the driver drops its reference without clearing the mapping; the loader then
  waits forever (``Deadlock``), a freed page keeps its ops (``FreeHygiene``), and the driver
  is not fair, so it may sit on PG_lock forever (``EventualUnlock``).
"""

from __future__ import annotations

from movspec.ir import nodes as ir
from movspec.span import Span

F = "spec/mini.mspec"


def sp(line: int, col: int = 5) -> Span:
    return Span(F, line, col, line, col + 10)


CPUS = ir.AtomType(("C1", "C2"), "Cpus")
PAGES = ir.AtomType(("P1",), "Pages")
MAPPING = ir.AtomType(("null", "ops"), "Mapping")
LOCK = ir.AtomType(("C1", "C2", "drv", "none"))
PAGE = ir.RecordType("Page", (
    ir.FieldDecl("ref", ir.IntType(0, 3), ir.IntLit(1)),
    ir.FieldDecl("lock", LOCK, ir.AtomLit("none", "enum")),
    ir.FieldDecl("mapping", MAPPING, ir.AtomLit("ops", "enum")),
    ir.FieldDecl("isolated", ir.BoolType(), ir.BoolLit(False)),
))


def enum(name):
    return ir.AtomLit(name, "enum")


def page(p, f):
    return ir.Field(ir.Index(ir.VarRef("page"), p), f)


P = ir.LocalRef("compactor", "p")
P1 = ir.AtomLit("P1", "model")


def eq(a, b):
    return ir.Binary("==", a, b)


def ne(a, b):
    return ir.Binary("!=", a, b)


def compactor(variant: str) -> ir.Actor:
    steps = [
        ir.Step("scan", (ir.Either(((ir.With("q", ir.ConstRef("Pages"), (ir.Assign(P, "=", ir.BoundRef("q"), span=sp(11, 9)),), span=sp(11)),),
                                    (ir.Goto(ir.DONE, span=sp(12)),)), span=sp(11)),),
                anchor="mm/compaction.c:isolate_migratepages_block", span=sp(10)),
        ir.Step("get", (ir.If(eq(page(P, "ref"), ir.IntLit(0)), (ir.Goto(ir.DONE, span=sp(14)),), span=sp(14)),
                        ir.Assign(page(P, "ref"), "+=", ir.IntLit(1), span=sp(15))),
                anchor="include/linux/mm.h:get_page_unless_zero", span=sp(13)),
    ]
    if variant != "nolock":
        steps.append(ir.Step("trylock", (ir.If(ne(page(P, "lock"), enum("none")), (ir.Goto("put", span=sp(17)),), span=sp(17)),
                                         ir.Assign(page(P, "lock"), "=", ir.SelfRef(), span=sp(18))),
                             anchor="include/linux/pagemap.h:trylock_page", span=sp(16)))
    steps += [
        ir.Step("recheck", (ir.If(ir.Binary("||", ne(page(P, "mapping"), enum("ops")), page(P, "isolated")),
                                  (ir.Goto("unlock", span=sp(20)),), span=sp(20)),),
                anchor="mm/migrate.c:isolate_movable_page", span=sp(19)),
        ir.Step("isolate", (ir.Call("driver", "isolate_page", (P,), "NoUseAfterUnload", span=sp(22)),
                            ir.Assign(page(P, "isolated"), "=", ir.BoolLit(True), span=sp(23))),
                anchor="mm/migrate.c:isolate_movable_page", span=sp(21)),
        ir.Step("migrate", (ir.Assert(eq(page(P, "lock"), ir.SelfRef()), "migrating a page without PG_lock",
                                      "Assertions", span=sp(25)),
                            ir.Assign(page(P, "isolated"), "=", ir.BoolLit(False), span=sp(26))),
                anchor="mm/migrate.c:move_to_new_page", span=sp(24)),
        ir.Step("unlock", (ir.If(eq(page(P, "lock"), ir.SelfRef()),
                                 (ir.Assign(page(P, "lock"), "=", enum("none"), span=sp(28)),), span=sp(28)),),
                anchor="mm/filemap.c:unlock_page", span=sp(27)),
        ir.Step("put", (ir.Assign(page(P, "ref"), "-=", ir.IntLit(1), span=sp(30)),),
                anchor="include/linux/mm.h:put_page", span=sp(29)),
    ]
    return ir.Actor("compactor", "Cpus", (ir.Local("p", PAGES, None, span=sp(9)),), tuple(steps),
                    fairness="weak", span=sp(8, 1))


def driver(variant: str) -> ir.Actor:
    release = [ir.Assign(page(P1, "ref"), "-=", ir.IntLit(1), span=sp(34)),
               ir.Assign(page(P1, "lock"), "=", enum("none"), span=sp(35))]
    if variant != "leaky":
        release.insert(1, ir.Assign(page(P1, "mapping"), "=", enum("null"), span=sp(36)))
    return ir.Actor("driver", None, (ir.Local("n", ir.IntType(0, 2), ir.IntLit(0), span=sp(31)),), (
        ir.Step("lock", (ir.Await(eq(page(P1, "lock"), enum("none")), span=sp(33)),
                         ir.Assign(page(P1, "lock"), "=", enum("drv"), span=sp(33, 30)),
                         ir.Assign(ir.LocalRef("driver", "n"), "+=", ir.IntLit(1), span=sp(33, 50))),
                anchor="include/linux/pagemap.h:lock_page", span=sp(32)),
        ir.Step("release", tuple(release), anchor="mm/balloon_compaction.c:balloon_page_dequeue", span=sp(34)),
    ), fairness=None if variant == "leaky" else "weak", span=sp(30, 1))


def loader() -> ir.Actor:
    return ir.Actor("loader", None, (), (
        ir.Step("unload", (ir.Await(ir.Quant("forall", "p", ir.ConstRef("Pages"), eq(page(ir.BoundRef("p"), "mapping"), enum("null"))), span=sp(38)),
                           ir.Assign(ir.VarRef("driver_loaded"), "=", ir.BoolLit(False), span=sp(39))),
                anchor="kernel/module.c:free_module", span=sp(37)),
    ), fairness="weak", span=sp(36, 1))


def type_ok() -> ir.Expr:
    c = ir.BoundRef("c")
    return ir.Binary("&&", ir.InType(ir.VarRef("page"), ir.FuncType(PAGES, PAGE)),
           ir.Binary("&&", ir.InType(ir.VarRef("driver_loaded"), ir.BoolType()),
                     ir.Quant("forall", "c", ir.ConstRef("Cpus"),
                              ir.InType(ir.LocalRef("compactor", "p", c), ir.AtomType(("P1", ir.DEFAULT_INIT)))))) 


def model(variant: str = "locked") -> ir.Model:
    p = ir.BoundRef("p")
    free_hygiene = ir.Quant("forall", "p", ir.ConstRef("Pages"), ir.Binary(
        "=>", eq(page(p, "ref"), ir.IntLit(0)),
        ir.Binary("&&", ne(page(p, "mapping"), enum("ops")), ir.Unary("!", page(p, "isolated")))))
    unlock = ir.LeadsTo("EventualUnlock", (("p", ir.ConstRef("Pages")),),
                        ne(page(p, "lock"), enum("none")), eq(page(p, "lock"), enum("none")), span=sp(45, 1))
    init_page = ir.FuncLit("x", ir.ConstRef("Pages"), ir.RecordLit(PAGE, (
        ("ref", ir.IntLit(1)), ("lock", enum("none")), ("mapping", enum("ops")), ("isolated", ir.BoolLit(False)))))
    return ir.Model(
        name="mini", title="a small movable-page protocol", variant=variant,
        description={"locked": "isolation under PG_lock", "nolock": "compactor skips PG_lock",
                     "leaky": "driver forgets to clear the mapping"}[variant],
        source=None, base=None if variant == "locked" else "locked",
        consts=(ir.Const("Cpus", atoms=("C1", "C2"), symmetric=True, span=sp(2, 1)),
                ir.Const("Pages", atoms=("P1",), span=sp(3, 1))),
        vars=(ir.Var("page", ir.FuncType(PAGES, PAGE), init_page, span=sp(5, 1)),
              ir.Var("driver_loaded", ir.BoolType(), ir.BoolLit(True), span=sp(6, 1))),
        modules=(ir.Module("driver", ("isolate_page",)),),
        actors=(compactor(variant), driver(variant), loader()),
        properties=(ir.Invariant("TypeOK", type_ok(), span=sp(40, 1)),
                    ir.Invariant("FreeHygiene", free_hygiene, span=sp(41, 1)),
                    ir.AssertProperty("NoUseAfterUnload", span=sp(42, 1)),
                    ir.AssertProperty("Assertions", span=sp(43, 1)),
                    unlock),
        span=sp(1, 1),
    )


VARIANTS = ("locked", "nolock", "leaky")
