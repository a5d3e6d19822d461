"""RCU read-side sections and grace periods (mixed into ``resolve.Resolver``).

A model that uses these operations gets two state variables: ``rcu_readers``, the processes
inside a read-side section, and ``rcu_gp``, for each process waiting in ``synchronize_rcu()``
the readers it still waits for (those that were inside a section when it started):

    rcu_read_lock()         the running process enters a read-side section
    rcu_read_unlock()       it leaves, and no grace period waits for it any more
    synchronize_rcu()       ends the step; the next, ``<step>.synchronize_rcu``, waits until every
                            reader that was in a section when it started has left (readers that
                            enter later do not delay it)
    x = rcu_dereference(p)  ``x = p``; rcu_assign_pointer(p, v) is ``p = v``: the model is
                            sequentially consistent, so they name the kernel's accessors only

``kfree_rcu(pool, o)``, ``call_rcu(pool, o)`` and ``rcu_barrier()`` are ``rcu_callbacks``.

Sections do not nest: ``rcu_read_lock()`` inside a section, or ``rcu_read_unlock()`` outside
one, fails the ``Assertions`` property with its place.
"""

from __future__ import annotations

from ..dsl import ast as A
from . import nodes as N
from .rcu_callbacks import DEFERRED_OPS, RcuCallbacks
from .scope import Scope
from .variants import ASSERTIONS

READERS = "rcu_readers"
GRACE = "rcu_gp"
RCU_OPS = {"rcu_read_lock": 0, "rcu_read_unlock": 0, "synchronize_rcu": 0, "rcu_assign_pointer": 2,
           **DEFERRED_OPS}


class Rcu(RcuCallbacks):
    """Mixed into ``resolve.Resolver``, after ``waitqueues.WaitQueues`` (``pid_type``); the
    deferred frees (``kfree_rcu``, ``rcu_barrier``) are ``rcu_callbacks.RcuCallbacks``."""

    uses_rcu: bool = False

    def rcu_vars(self) -> list[N.Var]:
        pids = self.pid_type()
        none = N.SetLit(())
        return [N.Var(READERS, N.SetType(pids), none, "the processes inside an RCU read-side section", None),
                N.Var(GRACE, N.FuncType(pids, N.SetType(pids)), N.FuncLit("q", self.pid_set(), none),
                      "for each process in synchronize_rcu(), the readers it still waits for", None)]

    def rcu_op(self, name: str, args: tuple[A.Expr, ...], sc: Scope, sp) -> list[N.Stmt]:
        if name in DEFERRED_OPS:
            return self.deferred_op(name, args, sc, sp)
        want = RCU_OPS[name]
        if len(args) != want:
            shape = "(pointer, value)" if want == 2 else "()"
            self._fail(f"`{name}` takes {want} argument{'s' if want != 1 else ''}, {len(args)} given", sp,
                       f"write `{name}{shape}`", "arguments")
        if name == "rcu_assign_pointer":
            return self._stmt(A.AssignS(args[0], "=", args[1], sp), sc, [])
        if sc.actor is None or self._step is None:
            self._fail(f"`{name}` outside a step", sp, "use it in a step of an actor or a function", "rcu")
        self.uses_rcu = True
        me = N.SelfRef(sp)
        readers = N.VarRef(READERS, sp)
        grace = N.VarRef(GRACE, sp)
        alone = N.SetLit((me,), sp)
        self.assert_props.setdefault(ASSERTIONS, sp)
        if name == "rcu_read_lock":
            return [N.Assert(N.Binary("notin", me, readers, sp), "rcu_read_lock() inside a read-side section "
                             "(nested sections are not modelled)", ASSERTIONS, sp),
                    N.Assign(readers, "=", N.Binary("union", readers, alone, sp), sp)]
        if name == "rcu_read_unlock":
            q = self.fresh("q")
            return [N.Assert(N.Binary("in", me, readers, sp), "rcu_read_unlock() outside a read-side section",
                             ASSERTIONS, sp),
                    N.Assign(readers, "=", N.Binary("minus", readers, alone, sp), sp),
                    N.Assign(grace, "=", N.FuncLit(q, self.pid_set(sp), N.Binary(
                        "minus", N.Index(grace, N.BoundRef(q, sp), sp), alone, sp), sp), sp)] + self.unlock_waits(sp)
        # synchronize_rcu: the readers now inside a section, then wait for each to leave
        wait = self._split(name, (N.Await(N.Binary("==", N.Index(grace, me, sp), N.SetLit((), sp), sp), sp),),
                           sc, sp)
        return [N.Assign(N.Index(grace, me, sp), "=", readers, sp)] + wait

