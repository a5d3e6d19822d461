"""Wait queues and sleeping tasks with the kernel's semantics (mixed into ``resolve.Resolver``).

A ``waitqueue`` is the set of processes queued on it. Whether a process sleeps is the state
variable ``task_sleeping`` (the processes whose state is not ``TASK_RUNNING``), which a model
gets as soon as one of its steps uses these operations:

    prepare_to_wait(wq)          queue the running process on wq, set it TASK_UNINTERRUPTIBLE
    finish_wait(wq)              set it TASK_RUNNING and take it off wq
    set_current_state(TASK_UNINTERRUPTIBLE)   (or TASK_INTERRUPTIBLE): it will sleep
    set_current_state(TASK_RUNNING), __set_current_state(TASK_RUNNING)
    schedule()                   ends the step; the next, ``<step>.schedule``, waits until the
                                 process is running again (at once if it never went to sleep)
    wake_up(wq)                  every sleeping process on wq runs again and leaves wq
                                 (autoremove_wake_function); a running one stays queued
    wake_up_process(p)           p runs again; a no-op on a running process
    wait_event(wq, cond)         the whole step: prepare_to_wait, and if cond, finish_wait
                                 and go on; else schedule() and try again

So a wakeup sent before the waiter is queued and asleep is lost, as in the kernel, and the
waiter stays asleep: a deadlock, or a ``leadsto`` that fails.
"""

from __future__ import annotations

from ..dsl import ast as A
from . import nodes as N
from .scope import Scope

SLEEPING = "task_sleeping"
WAIT_OPS = {"prepare_to_wait": 1, "finish_wait": 1, "set_current_state": 1, "__set_current_state": 1,
            "schedule": 0, "wake_up": 1, "wake_up_all": 1, "wake_up_process": 1, "wait_event": 2}
TASK_STATES = {"TASK_RUNNING": False, "TASK_UNINTERRUPTIBLE": True, "TASK_INTERRUPTIBLE": True}


class WaitQueues:
    """Mixed into ``resolve.Resolver`` (after ``kernel_ops.KernelOps``)."""

    uses_tasks: bool = False

    def pid_type(self) -> N.AtomType:
        """Every process id: the values of each family's set, and each single actor's name."""
        ids: list[str] = []
        for a in self.env.actors.values():
            if a.decl.family is None:
                ids.append(a.decl.name)
            elif a.decl.family in self.consts and self.consts[a.decl.family].atoms:
                ids.extend(self.consts[a.decl.family].atoms)
        return N.AtomType(tuple(dict.fromkeys(ids)))

    def pid_set(self, sp=None) -> N.Expr:
        """The set of every process id, as an expression: the families' constant sets (named,
        so symmetry reduction stays possible) and the single actors' names."""
        parts: list[N.Expr] = []
        singles = []
        for a in self.env.actors.values():
            if a.decl.family is None:
                singles.append(N.AtomLit(a.decl.name, "enum", sp))
            elif a.decl.family in self.consts and self.consts[a.decl.family].atoms:
                parts.append(N.ConstRef(a.decl.family, sp))
        if singles or not parts:
            parts.append(N.SetLit(tuple(singles), sp))
        out = parts[0]
        for x in parts[1:]:
            out = N.Binary("union", out, x, sp)
        return out

    def sleeping_var(self) -> N.Var:
        return N.Var(SLEEPING, N.SetType(self.pid_type()), N.SetLit(()),
                     "the processes asleep (task state other than TASK_RUNNING)", None)

    def wait_op(self, name: str, args: tuple[A.Expr, ...], sc: Scope, sp, steps: list[str]) -> list[N.Stmt]:
        want = WAIT_OPS[name]
        if len(args) != want:
            shape = {0: "()", 1: "(wq)", 2: "(wq, condition)"}[want]
            if name.endswith("current_state"):
                shape = "(TASK_UNINTERRUPTIBLE)"
            if name == "wake_up_process":
                shape = "(process)"
            self._fail(f"`{name}` takes {want} argument{'s' if want != 1 else ''}, {len(args)} given", sp,
                       f"write `{name}{shape}`", "arguments")
        if sc.actor is None or self._step is None:
            self._fail(f"`{name}` outside a step", sp, "use it in a step of an actor or a function", "wait")
        self.uses_tasks = True
        me = N.SelfRef(sp)
        asleep = N.VarRef(SLEEPING, sp)

        def sleeping(on: bool) -> N.Stmt:
            return N.Assign(asleep, "=", N.Binary("union" if on else "minus", asleep, N.SetLit((me,), sp), sp), sp)

        if name in ("set_current_state", "__set_current_state"):
            arg = args[0]
            if not (isinstance(arg, A.Name) and arg.name in TASK_STATES):
                self._fail(f"`{name}` takes a task state", arg.span,
                           "write TASK_RUNNING, TASK_UNINTERRUPTIBLE or TASK_INTERRUPTIBLE", "wait")
            return [sleeping(TASK_STATES[arg.name])]
        if name == "wake_up_process":
            return [N.Assign(asleep, "=", N.Binary("minus", asleep, N.SetLit((self.expr(args[0], sc),), sp), sp), sp)]
        if name == "schedule":
            return self._split(name, (N.Await(N.Binary("notin", me, asleep, sp), sp),), sc, sp)
        wq = self._queue(name, args[0], sc)
        if name == "prepare_to_wait":
            return [N.Assign(wq, "=", N.Binary("union", wq, N.SetLit((me,), sp), sp), sp), sleeping(True)]
        if name == "finish_wait":
            return [sleeping(False), N.Assign(wq, "=", N.Binary("minus", wq, N.SetLit((me,), sp), sp), sp)]
        if name in ("wake_up", "wake_up_all"):
            old = self.fresh("asleep")
            return [N.With(old, N.SetLit((asleep,), sp), (
                N.Assign(asleep, "=", N.Binary("minus", asleep, wq, sp), sp),
                N.Assign(wq, "=", N.Binary("minus", wq, N.BoundRef(old, sp), sp), sp)), sp)]
        # wait_event: the whole step is the loop's head
        step = self._step
        if step.whole is not True:
            self._fail("`wait_event` must be the only statement of its step", sp,
                       f"give it a step of its own: `step wait {{ wait_event(...) }}`", "wait")
        cond = self.expr(args[1], sc)
        sleep = self._split(name, (N.Await(N.Binary("notin", me, asleep, sp), sp), N.Goto(step.name, sp)),
                            sc, sp)
        # prepare_to_wait then, if cond, finish_wait: one assignment of each variable per path
        return [N.If(cond, (sleeping(False), N.Assign(wq, "=", N.Binary("minus", wq, N.SetLit((me,), sp), sp), sp)),
                     (N.Assign(wq, "=", N.Binary("union", wq, N.SetLit((me,), sp), sp), sp), sleeping(True))
                     + tuple(sleep), sp)]

    def _queue(self, name: str, arg: A.Expr, sc: Scope) -> N.Expr:
        self._word_shape(name, arg)
        target = self._target(arg, sc)
        t = self._path_type(target, sc)
        if not (isinstance(t, N.SetType) and isinstance(t.elem, N.AtomType)):
            self._fail(f"`{name}` needs a wait queue, and this is `{t}`", arg.span,
                       "declare it with the type `waitqueue`: `var wq: waitqueue`", "wait")
        return target
