"""Interrupt context: handlers, interrupts disabled, spinlocks (mixed into ``resolve.Resolver``;
``add_handlers`` and ``lower_at`` are called by ``assemble``).

``irq NAME on ACTOR { step ... }`` is an interrupt handler of each process of ``ACTOR`` (each
process is a task on a CPU of its own). The handler runs *as* the interrupted process, on its
CPU: ``self`` and the actor's locals are the task's. It is lowered into the actor, so both back
ends see only steps they already know:

* every step ``s`` of the actor becomes ``either { <s as written> } or { await self \\notin
  irqs_disabled  goto s.NAME.h1 }``: the interrupt arrives between two steps of the task
  (before ``s`` runs), unless the task has interrupts disabled. Its arrival is a step of its
  own, so a handler whose first step blocks (spinning on a lock) has arrived and spins;
* the handler's steps ``h1 .. hn`` get one copy per step ``s`` they return to
  (``s.NAME.h1`` ...): the process's ``pc`` says both where the handler is and where the task
  resumes, as a PlusCal procedure's return stack would. The copies have no interrupt branch (a
  handler runs with interrupts disabled and is not interrupted); after the last one (or at
  ``goto done``) the task is back at ``s``, which has not run yet;
* ``at(actor, s)`` also holds while a handler that interrupted the task at ``s`` runs: the
  task is still at ``s`` (``lower_at``).

An interrupt may come any number of times, or never (no fairness of its own: a leadsto that
needs the task to move may fail by an interrupt storm); none arrives after the process is done.
The arrival is a branch of the task's step, so in a fair actor it would share the step's
fairness (a blocked step at which an interrupt could arrive would be enabled, and fairness would
make it arrive): ``assemble`` refuses a ``leadsto`` beside a handler of a fair actor. A handler
cannot sleep (``schedule()``, ``wait_event``, ``synchronize_rcu``, ``rcu_barrier``), call a
function, or enable interrupts; an actor with a handler cannot call functions (an interrupt
would not arrive inside their steps).

Interrupts disabled are the state variable ``irqs_disabled`` (a set of process ids), which a
model gets as soon as a step uses these operations:

    local_irq_disable()  local_irq_enable()
    local_irq_save(flags)        flags = self in irqs_disabled; then disabled
    local_irq_restore(flags)     disabled again exactly when flags says they were
    spin_lock(l)  spin_unlock(l)                   a ``spinlock`` is the set of its holder
    spin_lock_irq(l)  spin_unlock_irq(l)           ... with local_irq_disable / _enable
    spin_lock_irqsave(l, flags)  spin_unlock_irqrestore(l, flags)

``flags`` is a ``bool`` local of the actor, as the kernel's ``unsigned long flags`` is a local
of the function: saves nest as the kernel's do, each restoring the state before it (no depth
counter). ``spin_lock`` waits until the lock is free and then holds it (``l = {self}``); taking
a lock the process holds already waits for ever, as the kernel's does: a handler that takes a
lock its task holds deadlocks the CPU.
"""

from __future__ import annotations

from dataclasses import fields, replace

from ..diagnostics import did_you_mean
from ..dsl import ast as A
from . import nodes as N
from .lower import always_jumps, transform
from .scope import Scope
from .walk import walk

IRQS = "irqs_disabled"
IRQ_OPS = {"local_irq_disable": 0, "local_irq_enable": 0, "local_irq_save": 1, "local_irq_restore": 1,
           "spin_lock": 1, "spin_unlock": 1, "spin_lock_irq": 1, "spin_unlock_irq": 1,
           "spin_lock_irqsave": 2, "spin_unlock_irqrestore": 2}
_SHAPE = {0: "()", 1: "(lock)", 2: "(lock, flags)"}
SLEEPING_OPS = frozenset({"schedule", "wait_event", "synchronize_rcu", "rcu_barrier"})
_ENABLING = frozenset({"local_irq_enable", "spin_unlock_irq"})


class Irqs:
    """Mixed into ``resolve.Resolver`` (after ``waitqueues.WaitQueues``: ``pid_type``)."""

    uses_irqs: bool = False
    _saves: dict[str, set[str]]  # actor -> the flags locals some save writes
    _restores: list[tuple[str, str, object]]  # (actor, flags local, span) of each restore

    def irqs_var(self) -> N.Var:
        return N.Var(IRQS, N.SetType(self.pid_type()), N.SetLit(()),
                     "the processes running with interrupts disabled", None)

    def irq_op(self, name: str, args: tuple[A.Expr, ...], sc: Scope, sp) -> list[N.Stmt]:
        want = IRQ_OPS[name]
        if len(args) != want:
            shape = "(flags)" if name in ("local_irq_save", "local_irq_restore") else _SHAPE[want]
            self._fail(f"`{name}` takes {want} argument{'s' if want != 1 else ''}, {len(args)} given", sp,
                       f"write `{name}{shape}`", "arguments")
        if sc.actor is None or self._step is None:
            self._fail(f"`{name}` outside a step", sp, "use it in a step of an actor or a function", "irq")
        me = N.SelfRef(sp)
        off = N.VarRef(IRQS, sp)

        def irqs(disable: bool) -> N.Stmt:
            self.uses_irqs = True
            return N.Assign(off, "=", N.Binary("union" if disable else "minus", off, N.SetLit((me,), sp), sp), sp)

        if name == "local_irq_disable":
            return [irqs(True)]
        if name == "local_irq_enable":
            return [irqs(False)]
        flags = self._flags(name, args[-1], sc) if name in ("local_irq_save", "local_irq_restore",
                                                            "spin_lock_irqsave", "spin_unlock_irqrestore") else None
        if name == "local_irq_save":
            return self._save(flags, sc, sp) + [irqs(True)]
        if name == "local_irq_restore":
            return [self._restore(flags, sc, sp, irqs)]
        lock = self._lock(name, args[0], sc)
        if name.startswith("spin_lock"):
            take = [N.Await(N.Binary("==", lock, N.SetLit((), sp), sp), sp)]
            if name == "spin_lock_irq":
                take.append(irqs(True))
            elif name == "spin_lock_irqsave":
                take += self._save(flags, sc, sp) + [irqs(True)]
            return take + [N.Assign(lock, "=", N.SetLit((me,), sp), sp)]
        drop: list[N.Stmt] = [N.Assign(lock, "=", N.SetLit((), sp), sp)]
        if name == "spin_unlock_irq":
            drop.append(irqs(False))
        elif name == "spin_unlock_irqrestore":
            drop.append(self._restore(flags, sc, sp, irqs))
        return drop

    def _flags(self, name: str, arg: A.Expr, sc: Scope) -> N.Expr:
        local = isinstance(arg, A.Name) and any(l.name == arg.name for l in sc.actor.locals)
        if not local:
            self._fail(f"`{name}` saves the interrupt state in a local, and `{getattr(arg, 'name', '?')}` "
                       f"is not a local of `{sc.actor.decl.name}`", arg.span,
                       "declare it in the actor: `local flags: bool = false`", "irq")
        target = self._target(arg, sc)
        if not isinstance(self._path_type(target, sc), N.BoolType):
            self._fail(f"`{name}` needs a `bool` local for the interrupt state", arg.span,
                       f"declare it: `local {arg.name}: bool = false`", "irq")
        return target

    def _save(self, flags: N.Expr, sc: Scope, sp) -> list[N.Stmt]:
        if not hasattr(self, "_saves"):
            self._saves = {}
        self._saves.setdefault(sc.actor.decl.name, set()).add(flags.name)
        return [N.Assign(flags, "=", N.Binary("in", N.SelfRef(sp), N.VarRef(IRQS, sp), sp), sp)]

    def _restore(self, flags: N.Expr, sc: Scope, sp, irqs) -> N.Stmt:
        if not hasattr(self, "_restores"):
            self._restores = []
        self._restores.append((sc.actor.decl.name, flags.name, sp))
        return N.If(flags, (irqs(True),), (irqs(False),), sp)

    def check_restores(self) -> None:
        """A restore from a flags local that no save of the same actor writes restores nothing
        that was saved (the kernel's ``local_irq_restore`` of an uninitialised ``flags``)."""
        saves = getattr(self, "_saves", {})
        for actor, flags, sp in getattr(self, "_restores", []):
            if flags not in saves.get(actor, set()):
                self.d.err(f"`{flags}` is restored but never saved in `{actor}`", sp,
                           f"save it first: `local_irq_save({flags})` or `spin_lock_irqsave(lock, {flags})`",
                           "irq")

    def _lock(self, name: str, arg: A.Expr, sc: Scope) -> N.Expr:
        return self._process_set(name, arg, sc, "a spinlock", "declare it with the type `spinlock`: "
                                 "`var lock: spinlock`", "irq")


# ------------------------------------------------------------------ handlers in their actors

def _calls(node, macros: dict, seen: set):
    """Every ``MacroS`` and ``FCallS`` below an AST node, through the user macros it expands."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (tuple, list)):
            stack.extend(n)
        elif hasattr(n, "__dataclass_fields__"):
            if isinstance(n, A.MacroS):
                yield n
                if n.name in macros and n.name not in seen:
                    seen.add(n.name)
                    stack.append(macros[n.name].body)
            elif isinstance(n, (A.FCallS, A.CallS)):
                yield n
            for f in fields(n):
                if f.name != "span":
                    stack.append(getattr(n, f.name))


def _check_handler(r, h: A.IrqD) -> bool:
    ok = True
    for c in _calls(h.steps, r.macros, set()):
        if isinstance(c, (A.FCallS, A.CallS)):
            r.d.err(f"irq handler `{h.name}` calls `{getattr(c, 'func', None) or c.module + '.' + c.op}`",
                    c.span, "a handler's code is its own steps: write what the function does in them", "irq")
        elif c.name in SLEEPING_OPS and r.is_kernel_op(c.name):
            r.d.err(f"irq handler `{h.name}` sleeps: `{c.name}` in interrupt context", c.span,
                    "a handler cannot sleep; wake a task that waits instead (`wake_up(wq)`)", "irq")
        elif c.name in _ENABLING and r.is_kernel_op(c.name):
            r.d.err(f"irq handler `{h.name}` enables interrupts (`{c.name}`)", c.span,
                    "a handler runs with interrupts disabled: use `spin_lock_irqsave`/`spin_unlock_irqrestore`"
                    ", or `spin_lock`/`spin_unlock`", "irq")
        else:
            continue
        ok = False
    return ok


def _unique(base: str, names: set[str]) -> str:
    name, k = base, 1
    while name in names:
        k += 1
        name = f"{base}#{k}"
    names.add(name)
    return name


def add_handlers(r, env, actors: list[N.Actor]) -> tuple[list[N.Actor], dict]:
    """``actors`` with their handlers lowered in, and, per (actor, step), the copies of
    handler steps that return to it (for ``lower_at``)."""
    by_actor: dict[str, list[A.IrqD]] = {}
    for h in env.of("irq").values():
        if h.actor not in env.actors:
            r.d.err(f"irq handler `{h.name}` is on actor `{h.actor}`, which does not exist",
                    h.actor_span or h.span, did_you_mean(h.actor, env.actors) or
                    "name an actor: `irq NAME on ACTOR { step ... }`", "unknown-actor")
        elif not h.steps:
            r.d.err(f"irq handler `{h.name}` has no steps", h.name_span, "add at least one `step`", "empty-actor")
        elif _check_handler(r, h):
            by_actor.setdefault(h.actor, []).append(h)
    resolved: dict[str, tuple[list, list]] = {}  # actor -> its handlers' steps, their locals
    for a in actors:
        hs = by_actor.get(a.name)
        if not hs:
            continue
        calls = [x for s in a.steps for x in walk(s.body) if isinstance(x, N.CallFunc)]
        if calls:
            r.d.err(f"actor `{a.name}` has irq handler `{hs[0].name}` and calls function `{calls[0].func}`",
                    calls[0].span, "an interrupt cannot arrive inside a function's steps: write the "
                    "function's steps in the actor", "irq")
            continue
        sc = Scope(actor=env.actors[a.name])
        handlers, extra_locals = [], []
        for h in hs:
            hnames = [s.name for s in h.steps]
            steps: list[N.Step] = []
            for s in r.d.distinct(h.steps, f"irq handler `{h.name}`", "steps"):
                body, stores, extra = r.resolve_step(s, sc, hnames)
                steps.append(N.Step(s.name, body, s.anchor, s.doc, None, s.span))
                steps += stores
                extra_locals += extra
            handlers.append((h, steps))
        resolved[a.name] = (handlers, extra_locals)
    copies: dict[tuple[str, str], tuple[str, ...]] = {}
    out = []
    for a in actors:
        if a.name not in resolved:
            out.append(a)
            continue
        handlers, extra_locals = resolved[a.name]
        names = {s.name for s in a.steps}
        made: list[N.Step] = []
        task: list[N.Step] = []
        for k, t in enumerate(a.steps):
            # the last step falls through to `done`, not to the handler steps added after it
            branches = [t.body + ((N.Goto(N.DONE, t.span),) if k + 1 == len(a.steps) and not always_jumps(t.body)
                                  else ())]
            mine: list[str] = []
            for h, steps in handlers:
                cmap = {s.name: _unique(f"{t.name}.{h.name}.{s.name}", names) for s in steps}
                mine += cmap.values()
                arrive: tuple = (N.Goto(cmap[steps[0].name], h.span),)
                if r.uses_irqs:
                    arrive = (N.Await(N.Binary("notin", N.SelfRef(h.span), N.VarRef(IRQS, h.span), h.span),
                                      h.span),) + arrive
                branches.append(arrive)
                for i, s in enumerate(steps):
                    nxt = cmap[steps[i + 1].name] if i + 1 < len(steps) else t.name
                    body = _retarget(s.body, cmap, t.name)
                    if not always_jumps(body):
                        body = body + (N.Goto(nxt, s.span),)
                    made.append(N.Step(cmap[s.name], body, s.anchor, s.doc or h.doc, None, s.span))
            copies[(a.name, t.name)] = tuple(mine)
            task.append(replace(t, body=(N.Either(tuple(branches), t.span),)))
        out.append(replace(a, locals=a.locals + tuple(extra_locals), steps=tuple(task) + tuple(made)))
    return out, copies


def _retarget(body, cmap: dict[str, str], back: str):
    def fn(x):
        if isinstance(x, N.Goto):
            return replace(x, target=back if x.target == N.DONE else cmap.get(x.target, x.target))
        return x
    return transform(body, fn)


def lower_at(model: N.Model, copies: dict) -> N.Model:
    """``at(actor, s)`` true also while a handler that interrupted the task at ``s`` runs."""
    if not copies:
        return model

    def fn(x):
        if isinstance(x, N.At):
            more = tuple(c for s in x.steps for c in copies.get((x.actor, s), ()))
            if more:
                return replace(x, steps=x.steps + more)
        return x
    return replace(model, actors=tuple(replace(a, steps=transform(a.steps, fn)) for a in model.actors),
                   properties=transform(model.properties, fn), defs=transform(model.defs, fn))
