"""A small model and check results built by hand in the IR, for report tests that must not
depend on the front end or a checker: a compactor family of two, a driver and a loader.

The trace of ``NoUseAfterUnload`` in ``per_driver_locking`` is a genuine run of that model
(each state follows from the previous by the named step), so the lanes read as a real
counterexample does.
"""

from __future__ import annotations

from movspec.ir import nodes as ir
from movspec.result import (CheckResult, Fn, PropertyResult, Rec, Stats, Trace, TraceStep,
                            Verdict, diff_states)
from movspec.span import Span

F = "movable.mspec"


def sp(line: int) -> Span:
    return Span(F, line, 5, line, 20)


PAGE = ir.RecordType("Page", (
    ir.FieldDecl("ref", ir.IntType(0, 3), ir.IntLit(1)),
    ir.FieldDecl("isolated", ir.BoolType(), ir.BoolLit(False)),
))


def _step(name, anchor=None, origin=None, line=1):
    return ir.Step(name, (ir.Skip(),), anchor=anchor, origin=origin, span=sp(line))


def model(variant: str = "per_driver_locking") -> ir.Model:
    compactor = ir.Actor("compactor", "Cpus", (ir.Local("p", ir.AtomType(("P1",), "Pages"), None),), (
        _step("scan", "mm/compaction.c:isolate_migratepages_block", line=10),
        _step("get", "mm/migrate.c:isolate_movable_page", line=11),
        _step("isolate", "mm/migrate.c:isolate_movable_page", origin="per_driver_locking"
              if variant == "per_driver_locking" else None, line=12),
        _step("migrate", "mm/migrate.c:move_to_new_page", line=13),
    ))
    driver = ir.Actor("driver", None, (), (_step("release", "mm/balloon_compaction.c:balloon_page_dequeue", line=20),))
    loader = ir.Actor("loader", None, (), (_step("unload", "kernel/module.c:free_module", line=30),))
    expectations = (ir.Expectation("holds", ()),)
    if variant == "per_driver_locking":
        expectations = (ir.Expectation("violates", ("NoUseAfterUnload",), note="the module may be gone"),
                        ir.Expectation("holds", ("TypeOK",)))
    return ir.Model(
        name="movable", title="non-LRU movable page migration", variant=variant,
        description={"v4_8": "PG_lock design, as merged in v4.8",
                     "per_driver_locking": "compactor takes no PG_lock"}.get(variant),
        source="linux-mm, 2016-04-04" if variant == "per_driver_locking" else None,
        base="v4_8" if variant == "per_driver_locking" else None,
        consts=(ir.Const("Cpus", atoms=("C1", "C2"), symmetric=True), ir.Const("Pages", atoms=("P1",))),
        vars=(ir.Var("page", ir.FuncType(ir.AtomType(("P1",), "Pages"), PAGE), ir.IntLit(0)),
              ir.Var("driver_loaded", ir.BoolType(), ir.BoolLit(True))),
        modules=(ir.Module("driver", ("isolate_page", "migratepage")),),
        actors=(compactor, driver, loader),
        properties=(ir.Invariant("TypeOK", ir.BoolLit(True), span=sp(40)),
                    ir.AssertProperty("NoUseAfterUnload", span=sp(41))),
        expectations=expectations,
        span=sp(1),
    )


def _state(ref, isolated, loaded, p1, p2, pc1, pc2, pcd, pcl):
    return {
        "page": Fn((("P1", Rec((("ref", ref), ("isolated", isolated)))),)),
        "driver_loaded": loaded,
        "compactor.p": Fn((("C1", p1), ("C2", p2))),
        "pc": Fn((("C1", pc1), ("C2", pc2), ("driver", pcd), ("loader", pcl))),
    }


def uau_trace() -> Trace:
    """compactor C1 picks P1 and takes a reference, the driver releases, the loader unloads,
    then C1 calls isolate_page into the unloaded module."""
    D = "defaultInitValue"
    states = [
        _state(1, False, True, D, D, "scan", "scan", "release", "unload"),
        _state(1, False, True, "P1", D, "get", "scan", "release", "unload"),
        _state(2, False, True, "P1", D, "isolate", "scan", "release", "unload"),
        _state(1, False, True, "P1", D, "isolate", "scan", "Done", "unload"),
        _state(1, False, False, "P1", D, "isolate", "scan", "Done", "Done"),
    ]
    who = [(None, None, None), ("compactor", "C1", "scan"), ("compactor", "C1", "get"),
           ("driver", "driver", "release"), ("loader", "loader", "unload")]
    anchors = {"scan": "mm/compaction.c:isolate_migratepages_block", "get": "mm/migrate.c:isolate_movable_page",
               "release": "mm/balloon_compaction.c:balloon_page_dequeue", "unload": "kernel/module.c:free_module",
               "isolate": "mm/migrate.c:isolate_movable_page"}
    steps = []
    prev = None
    for (actor, proc, step), st in zip(who, states):
        steps.append(TraceStep(actor, proc, step, anchors.get(step), None, st, diff_states(prev, st)))
        prev = st
    steps.append(TraceStep("compactor", "C1", "isolate", anchors["isolate"], None, None,
                           failure="use-after-unload: driver.isolate_page called while module driver is unloaded"))
    return Trace(tuple(steps))


def results() -> list[CheckResult]:
    ok = CheckResult("movable", "v4_8", "builtin", (
        PropertyResult("TypeOK", "invariant", Verdict.HOLDS),
        PropertyResult("NoUseAfterUnload", "assert", Verdict.HOLDS),
        PropertyResult("Deadlock", "deadlock", Verdict.HOLDS),
    ), Stats(generated=120, distinct=57, depth=9, seconds=0.25))
    bad = CheckResult("movable", "per_driver_locking", "builtin", (
        PropertyResult("TypeOK", "invariant", Verdict.HOLDS),
        PropertyResult("NoUseAfterUnload", "assert", Verdict.VIOLATED,
                       message="use-after-unload: driver.isolate_page called while module driver is unloaded",
                       trace=uau_trace()),
        PropertyResult("Deadlock", "deadlock", Verdict.HOLDS),
    ), Stats(generated=140, distinct=64, depth=9, seconds=0.5))
    return [ok, bad]


def models() -> dict[str, ir.Model]:
    return {"v4_8": model("v4_8"), "per_driver_locking": model("per_driver_locking")}
