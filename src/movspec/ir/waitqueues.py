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

Exclusive waiters (``WQ_FLAG_EXCLUSIVE``). A model whose steps use them (the builder looks for
the operations before it resolves any step, ``uses_exclusive``) gets one more state variable,
``task_exclusive``: the list of the processes whose wait entry is exclusive and queued, in
queue order (a process has one wait entry, as ``DEFINE_WAIT`` gives a task one per wait):

    prepare_to_wait_exclusive(wq)   as prepare_to_wait, the entry exclusive: at the tail of the
                                    exclusive entries, or where it is if queued already
    wait_event_exclusive(wq, cond)  wait_event with an exclusive entry (___wait_event, exclusive)
    prepare_to_wait, finish_wait    the entry is no longer exclusive (queued, or off the queue)
    wake_up(wq)                     every sleeping non-exclusive process on wq, and the first
                                    sleeping exclusive one in queue order (__wake_up_common with
                                    nr_exclusive = 1): an exclusive entry that is still running is
                                    passed over and stays queued, as try_to_wake_up fails on it
    wake_up_all(wq)                 every sleeping process on wq

The kernel queues non-exclusive entries at the head of the list and exclusive ones at its
tail, so a wakeup reaches every non-exclusive sleeper before the first exclusive one; an entry
made exclusive while queued goes to the head of the exclusive ones (it stays near the list's
head in the kernel). A model without exclusive waits keeps exactly its state space.
"""

from __future__ import annotations

from ..dsl import ast as A
from . import nodes as N
from .scope import Scope

SLEEPING = "task_sleeping"
EXCLUSIVE = "task_exclusive"
EXCLUSIVE_OPS = ("prepare_to_wait_exclusive", "wait_event_exclusive")
WAIT_OPS = {"prepare_to_wait": 1, "prepare_to_wait_exclusive": 1, "finish_wait": 1, "set_current_state": 1,
            "__set_current_state": 1, "schedule": 0, "wake_up": 1, "wake_up_all": 1, "wake_up_process": 1,
            "wait_event": 2, "wait_event_exclusive": 2}
TASK_STATES = {"TASK_RUNNING": False, "TASK_UNINTERRUPTIBLE": True, "TASK_INTERRUPTIBLE": True}


class WaitQueues:
    """Mixed into ``resolve.Resolver`` (after ``kernel_ops.KernelOps``)."""

    uses_tasks: bool = False
    _uses_exclusive: bool | None = None

    def uses_exclusive(self) -> bool:
        """Does a step of an actor, a function or a macro use an exclusive wait? Known before
        any step is resolved, since every wake_up and finish_wait then keeps ``task_exclusive``."""
        if self._uses_exclusive is None:
            bodies = [s.body for a in self.env.actors.values() for s in a.steps]
            bodies += [s.body for f in self.funcs.values() for s in f.steps]
            bodies += [m.body for m in self.macros.values()]
            self._uses_exclusive = (any(n not in self.macros for n in EXCLUSIVE_OPS)
                                    and any(_names_exclusive(b) for b in bodies))
        return self._uses_exclusive

    def exclusive_var(self) -> N.Var:
        return N.Var(EXCLUSIVE, N.ListType(self.pid_type()), N.SeqLit(()),
                     "the processes queued with an exclusive wait entry, in queue order", None)

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
        excl = N.VarRef(EXCLUSIVE, sp)
        # with exclusive waiters, a wait that is not exclusive, and the end of a wait, clear the
        # entry's exclusive mark (a no-op when it has none)
        unmark = [N.Assign(excl, "=", N.ListOp("del", excl, me, sp), sp)] if self.uses_exclusive() else []

        def queue(exclusive: bool) -> list[N.Stmt]:
            add = N.Assign(wq, "=", N.Binary("union", wq, N.SetLit((me,), sp), sp), sp)
            if not exclusive:
                return unmark + [add]
            # queued already: the entry keeps its place (ahead of those queued exclusive at the tail)
            place = N.IfExpr(N.Binary("in", me, wq, sp), N.ListOp("add", excl, me, sp),
                             N.ListOp("add_tail", excl, me, sp), sp)
            return [N.Assign(excl, "=", place, sp), add]

        if name in ("prepare_to_wait", "prepare_to_wait_exclusive"):
            return queue(name.endswith("exclusive")) + [sleeping(True)]
        if name == "finish_wait":
            return [sleeping(False),
                    N.Assign(wq, "=", N.Binary("minus", wq, N.SetLit((me,), sp), sp), sp)] + unmark
        if name in ("wake_up", "wake_up_all"):
            old = self.fresh("asleep")
            if not self.uses_exclusive():
                return [N.With(old, N.SetLit((asleep,), sp), (
                    N.Assign(asleep, "=", N.Binary("minus", asleep, wq, sp), sp),
                    N.Assign(wq, "=", N.Binary("minus", wq, N.BoundRef(old, sp), sp), sp)), sp)]
            return [N.With(old, N.SetLit((asleep,), sp), self._wake_exclusive(name, wq, N.BoundRef(old, sp), sp),
                           sp)]
        # wait_event: the whole step is the loop's head
        step = self._step
        if step.whole is not True:
            self._fail(f"`{name}` must be the only statement of its step", sp,
                       f"give it a step of its own: `step wait {{ {name}(...) }}`", "wait")
        cond = self.expr(args[1], sc)
        sleep = self._split(name, (N.Await(N.Binary("notin", me, asleep, sp), sp), N.Goto(step.name, sp)),
                            sc, sp)
        # prepare_to_wait then, if cond, finish_wait: one assignment of each variable per path
        done = (sleeping(False), N.Assign(wq, "=", N.Binary("minus", wq, N.SetLit((me,), sp), sp), sp))
        return [N.If(cond, done + tuple(unmark),
                     tuple(queue(name == "wait_event_exclusive")) + (sleeping(True),) + tuple(sleep), sp)]

    def _wake_exclusive(self, name: str, wq: N.Expr, old: N.Expr, sp) -> tuple[N.Stmt, ...]:
        """``wake_up``/``wake_up_all`` with exclusive waiters: the woken set ``w``, then each
        variable once (``old`` is ``task_sleeping`` before the step's change)."""
        asleep, excl = N.VarRef(SLEEPING, sp), N.VarRef(EXCLUSIVE, sp)
        on = N.Binary("inter", wq, old, sp)  # the sleepers on wq
        w, first = self.fresh("woken"), self.fresh("exclusive")
        if name == "wake_up_all":
            keep = N.Binary("minus", self.pid_set(sp), N.BoundRef(w, sp), sp)
            body = (N.Assign(excl, "=", N.ListOp("keep", excl, keep, sp), sp),)
            woken = on
        else:
            q = N.BoundRef(first, sp)  # the exclusive sleepers on wq, in queue order
            none = N.Binary("==", q, N.SeqLit((), sp), sp)
            p = self.fresh("p")
            shared = N.SetFilter(p, on, N.Unary("!", N.ListOp("has", excl, N.BoundRef(p, sp), sp), sp), sp)
            woken = N.Binary("union", shared, N.IfExpr(none, N.SetLit((), sp),
                                                         N.SetLit((N.ListOp("first", q, None, sp),), sp), sp), sp)
            body = (N.Assign(excl, "=", N.IfExpr(none, excl, N.ListOp("del", excl, N.ListOp("first", q, None, sp),
                                                                          sp), sp), sp),)
        ws = N.BoundRef(w, sp)
        body = (N.Assign(asleep, "=", N.Binary("minus", asleep, ws, sp), sp),
                N.Assign(wq, "=", N.Binary("minus", wq, ws, sp), sp)) + body
        inner = N.With(w, N.SetLit((woken,), sp), body, sp)
        if name == "wake_up_all":
            return (inner,)
        return (N.With(first, N.SetLit((N.ListOp("keep", excl, on, sp),), sp), (inner,), sp),)

    def _queue(self, name: str, arg: A.Expr, sc: Scope) -> N.Expr:
        return self._process_set(name, arg, sc, "a wait queue", "declare it with the type `waitqueue`: "
                                 "`var wq: waitqueue`", "wait")

    def _process_set(self, name: str, arg: A.Expr, sc: Scope, what: str, hint: str, code: str) -> N.Expr:
        """The variable ``arg`` names, which ``name`` needs to be a set of process ids (a wait
        queue, a spinlock); else a located error saying it needs ``what``."""
        self._word_shape(name, arg)
        target = self._target(arg, sc)
        t = self._path_type(target, sc)
        if not (isinstance(t, N.SetType) and isinstance(t.elem, N.AtomType)):
            self._fail(f"`{name}` needs {what}, and this is `{t}`", arg.span, hint, code)
        return target


def _names_exclusive(body) -> bool:
    """Does a statement block (syntax tree) use ``prepare_to_wait_exclusive`` or
    ``wait_event_exclusive``?"""
    for st in body:
        if isinstance(st, A.MacroS) and st.name in EXCLUSIVE_OPS:
            return True
        for sub in (getattr(st, "then", None), getattr(st, "orelse", None), getattr(st, "body", None)):
            if sub and _names_exclusive(sub):
                return True
        if isinstance(st, A.EitherS) and any(_names_exclusive(b) for b in st.branches):
            return True
    return False
