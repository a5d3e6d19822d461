"""A tiny model written directly in the IR, small enough to check by hand, for tests that
need the embedded checker but not the front end: a compactor takes a reference to the page
and calls into the driver; the loader unloads the driver.

* ``racy``: the loader unloads at any time, so the call can land in freed code;
* ``waits``: the loader waits until no compactor holds a reference; that blocks the racy
  variant's counterexample, yet the property is still violated (unload first, then the
  compactor takes its reference and calls).
"""

from __future__ import annotations

from movspec.ir import nodes as ir
from movspec.span import Span

F = "mini.mspec"


def sp(line: int) -> Span:
    return Span(F, line, 5, line, 60)


REF = ir.VarRef("ref")
LOADED = ir.VarRef("driver_loaded")


def model(variant: str) -> ir.Model:
    compactor = ir.Actor("compactor", "Cpus", (), (
        ir.Step("get", (ir.If(ir.Binary("==", REF, ir.IntLit(0)), (ir.Goto(ir.DONE),)),
                        ir.Assign(REF, "+=", ir.IntLit(1))),
                anchor="mm/migrate.c:isolate_movable_page", span=sp(10)),
        ir.Step("isolate", (ir.Call("driver", "isolate_page", (), "NoUseAfterUnload"),),
                anchor="mm/migrate.c:isolate_movable_page", span=sp(11)),
        ir.Step("put", (ir.Assign(REF, "-=", ir.IntLit(1)),), anchor="mm/migrate.c:putback_movable_page",
                span=sp(12)),
    ))
    unload_body: tuple = (ir.Assign(LOADED, "=", ir.BoolLit(False)),)
    origin = None
    if variant == "waits":
        unload_body = (ir.Await(ir.Binary("==", REF, ir.IntLit(1))),) + unload_body
        origin = "waits"
    loader = ir.Actor("loader", None, (), (
        ir.Step("unload", unload_body, anchor="kernel/module.c:free_module", origin=origin, span=sp(20)),
    ))
    # waiting for the reference to drop is not enough: the loader may unload before the
    # compactor takes it, and the call still lands in freed code
    expectations = (ir.Expectation("violates", ("NoUseAfterUnload",)), ir.Expectation("holds", ("Deadlock",)))
    return ir.Model(
        name="mini", title="a compactor, a driver module, a loader", variant=variant,
        description={"racy": "unload at any time", "waits": "unload waits for the reference"}[variant],
        source=None, base=None if variant == "racy" else "racy",
        consts=(ir.Const("Cpus", atoms=("C1",)),),
        vars=(ir.Var("ref", ir.IntType(0, 3), ir.IntLit(1)),
              ir.Var("driver_loaded", ir.BoolType(), ir.BoolLit(True))),
        modules=(ir.Module("driver", ("isolate_page",)),),
        actors=(compactor, loader),
        properties=(ir.AssertProperty("NoUseAfterUnload", doc="no call into an unloaded driver"),),
        expectations=expectations,
        span=sp(1),
    )
