"""Frees deferred to the end of a grace period (mixed into ``resolve.Resolver`` with ``rcu.Rcu``).

``kfree_rcu(pool, o)`` (``call_rcu(pool, o)`` is the same: the language has no callbacks to
name, and the callback the kernel's users pass to ``call_rcu`` is nearly always a free) does
not block: it queues the object, which stays allocated, with the readers then inside a
read-side section. Each pool that some step defers frees of gets two state variables:

    <pool>_rcu_pending      the objects queued and not yet freed
    <pool>_rcu_wait         for each object, the readers its grace period still waits for

``rcu_read_unlock()`` takes the process out of every object's waiters. An implicit process,
``rcu_callbacks`` (one always-present single actor, weakly fair: the kernel runs callbacks from
softirq or rcuo kthreads later, but always eventually), frees one queued object whose waiters
are all gone per step (``rcu_callbacks.invoke``), as ``free(pool, o)`` does: at any moment after
the grace period, not only when the last reader leaves. It finishes (``Done``) once nothing is
queued and every other process is ``Done``, so a model that ends does not end in a deadlock.

``kfree_rcu`` of an object that is free, or already queued, violates the pool's property at
the call (it writes the object's ``rcu_head``; a second queueing is what the kernel's
``CONFIG_DEBUG_OBJECTS_RCU_HEAD`` reports) and queues nothing; an object freed by ``free`` while queued is freed
twice when its callback runs, which violates it there.

``rcu_barrier()`` ends the step; the next, ``<step>.rcu_barrier``, waits until every object
queued when it started has been freed (``<pool>_rcu_barrier``: for each process, those still
awaited); objects queued later do not delay it.
"""

from __future__ import annotations

from dataclasses import fields

from ..dsl import ast as A
from . import nodes as N
from .scope import Scope, Unresolved

DEFERRED_OPS = {"kfree_rcu": 2, "call_rcu": 2, "rcu_barrier": 0}
CALLBACKS = "rcu_callbacks"  # the implicit process that runs the callbacks
INVOKE = "invoke"  # its one step


def pending_var(pool: str) -> str:
    return f"{pool}_rcu_pending"


def wait_var(pool: str) -> str:
    return f"{pool}_rcu_wait"


def barrier_var(pool: str) -> str:
    return f"{pool}_rcu_barrier"


def _calls(node, names: frozenset[str]):
    """Every ``MacroS`` below an AST node whose name is in ``names``."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (tuple, list)):
            stack.extend(n)
        elif hasattr(n, "__dataclass_fields__"):
            if isinstance(n, A.MacroS) and n.name in names:
                yield n
            for f in fields(n):
                if f.name != "span":
                    stack.append(getattr(n, f.name))


class RcuCallbacks:
    """Mixed into ``resolve.Resolver`` (through ``rcu.Rcu``), after ``pools.Pools``."""

    _deferred: dict[str, A.MacroS] | None = None
    uses_barrier: bool = False
    queued: set[str]  # the pools of the kfree_rcu calls resolved (not only written in a macro)

    def _scan(self) -> None:
        """The pools some step defers a free of (each with its first such call), read from the
        declarations before any step is resolved: ``rcu_read_unlock()`` updates their waiters
        wherever it comes."""
        self._deferred = {}
        self.queued = set()
        names = frozenset(n for n in DEFERRED_OPS if n not in self.macros and n not in self.defs)
        roots = [a.steps for a in self.env.actors.values()] + [list(self.macros.values()),
                                                                list(self.funcs.values())]
        # a pool that is not a function from ids to objects is reported by ``pool_vars``
        pools = {n for n, vd in self.pools().items() if isinstance(self.type(vd.type), N.FuncType)}
        for s in _calls(roots, names):
            if s.name == "rcu_barrier":
                self.uses_barrier = True
            elif s.args and isinstance(s.args[0], A.Name) and s.args[0].name in pools:
                self._deferred.setdefault(s.args[0].name, s)

    def deferred_pools(self) -> dict[str, A.MacroS]:
        if self._deferred is None:
            self._scan()
        return self._deferred

    def _pool_ids(self, pool: str) -> N.Expr:
        vd = self.pools()[pool]
        return self._domain_set(vd.type, self.type(vd.type))

    def deferred_vars(self) -> list[N.Var]:
        out = []
        pids = self.pid_type()
        for pool in self.deferred_pools():
            ids_t = self.type(self.pools()[pool].type).domain
            k = self.fresh("o")
            out += [N.Var(pending_var(pool), N.SetType(ids_t), N.SetLit(()),
                          f"the objects of pool {pool} queued by kfree_rcu and not yet freed", None),
                    N.Var(wait_var(pool), N.FuncType(ids_t, N.SetType(pids)),
                          N.FuncLit(k, self._pool_ids(pool), N.SetLit(())),
                          f"for each queued object of pool {pool}, the readers its grace period waits for", None)]
            if self.uses_barrier:
                q = self.fresh("q")
                out.append(N.Var(barrier_var(pool), N.FuncType(pids, N.SetType(ids_t)),
                                 N.FuncLit(q, self.pid_set(), N.SetLit(())),
                                 f"for each process in rcu_barrier(), the objects of pool {pool} it waits for",
                                 None))
        return out

    def unlock_waits(self, sp) -> list[N.Stmt]:
        """``rcu_read_unlock()``: no queued object waits for the running process any more."""
        out = []
        alone = N.SetLit((N.SelfRef(sp),), sp)
        for pool in self.deferred_pools():
            w = N.VarRef(wait_var(pool), sp)
            k = self.fresh("o")
            out.append(N.Assign(w, "=", N.FuncLit(k, self._pool_ids(pool), N.Binary(
                "minus", N.Index(w, N.BoundRef(k, sp), sp), alone, sp), sp), sp))
        return out

    def deferred_op(self, name: str, args: tuple[A.Expr, ...], sc: Scope, sp) -> list[N.Stmt]:
        want = DEFERRED_OPS[name]
        if len(args) != want:
            self._fail(f"`{name}` takes {want} argument{'s' if want != 1 else ''}, {len(args)} given", sp,
                       f"write `{name}(POOL, o)`" if want else f"write `{name}()`", "arguments")
        if sc.actor is None or self._step is None:
            self._fail(f"`{name}` outside a step", sp, "use it in a step of an actor or a function", "rcu")
        self.uses_rcu = True
        if name == "rcu_barrier":
            return self._barrier(sc, sp)
        pool = args[0]
        if not (isinstance(pool, A.Name) and pool.name in self.pools()):
            self._fail(f"`{name}` needs a pool", pool.span,
                       f"declare it: `pool NAME: [Ids -> Type]`, and write `{name}(NAME, o)`", "pool")
        if pool.name not in self.deferred_pools():
            raise Unresolved()  # not a function from ids to objects: ``pool_vars`` said so
        prop = self.pools()[pool.name].pool
        self.used.add(pool.name)
        self.queued.add(pool.name)
        o = self.expr(args[1], sc)
        live = N.VarRef(f"{pool.name}_allocated", sp)
        pending = N.VarRef(pending_var(pool.name), sp)
        alive, fresh = N.Binary("in", o, live, sp), N.Binary("notin", o, pending, sp)
        # a violation queues nothing (`none`, say, is no object: queueing it would leave the type)
        return [N.Assert(alive, f"{name} of an object of pool `{pool.name}` that is already free", prop, sp),
                N.Assert(fresh, f"{name} of an object of pool `{pool.name}` that is already waiting for a "
                         "grace period (it would be freed twice)", prop, sp),
                N.If(N.Binary("&&", alive, fresh, sp), (
                    N.Assign(pending, "=", N.Binary("union", pending, N.SetLit((o,), sp), sp), sp),
                    N.Assign(N.Index(N.VarRef(wait_var(pool.name), sp), o, sp), "=", N.VarRef("rcu_readers", sp),
                             sp)), (), sp)]

    def _barrier(self, sc: Scope, sp) -> list[N.Stmt]:
        me = N.SelfRef(sp)
        out: list[N.Stmt] = []
        done: N.Expr = N.BoolLit(True, sp)  # nothing can be queued: it waits for nothing
        for k, pool in enumerate(self.deferred_pools()):
            b = N.Index(N.VarRef(barrier_var(pool), sp), me, sp)
            out.append(N.Assign(b, "=", N.VarRef(pending_var(pool), sp), sp))
            empty = N.Binary("==", b, N.SetLit((), sp), sp)
            done = empty if k == 0 else N.Binary("&&", done, empty, sp)
        return out + self._split("rcu_barrier", (N.Await(done, sp),), sc, sp)

    def callbacks_actor(self) -> N.Actor | None:
        """The implicit process that frees queued objects once their grace period has ended
        (none when no ``kfree_rcu`` is resolved: then nothing is ever queued)."""
        deferred = {p: c for p, c in self.deferred_pools().items() if p in self.queued}
        if not deferred:
            return None
        sp = next(iter(deferred.values())).span
        branches = []
        for pool in deferred:
            prop = self.pools()[pool].pool
            v = self.fresh("obj")
            o = N.BoundRef(v, sp)
            pending = N.VarRef(pending_var(pool), sp)
            live = N.VarRef(f"{pool}_allocated", sp)
            x = self.fresh("x")
            ready = N.SetFilter(x, pending, N.Binary("==", N.Index(N.VarRef(wait_var(pool), sp), N.BoundRef(x, sp),
                                                                   sp), N.SetLit((), sp), sp), sp)
            body: list[N.Stmt] = [
                N.Assert(N.Binary("in", o, live, sp), f"the deferred free of an object of pool `{pool}` that "
                         "was freed after it was queued (a double free)", prop, sp),
                N.Assign(live, "=", N.Binary("minus", live, N.SetLit((o,), sp), sp), sp),
                N.Assign(pending, "=", N.Binary("minus", pending, N.SetLit((o,), sp), sp), sp)]
            if self.uses_barrier:
                bar = N.VarRef(barrier_var(pool), sp)
                q = self.fresh("q")
                body.append(N.Assign(bar, "=", N.FuncLit(q, self.pid_set(sp), N.Binary(
                    "minus", N.Index(bar, N.BoundRef(q, sp), sp), N.SetLit((o,), sp), sp), sp), sp))
            body.append(N.Goto(INVOKE, sp))
            branches.append((N.With(v, ready, tuple(body), sp),))
        # nothing queued and every other process finished: the process finishes too
        idle = [N.Binary("==", N.VarRef(pending_var(pool), sp), N.SetLit((), sp), sp) for pool in deferred]
        for a in self.env.actors.values():
            if a.decl.family is None:
                fin: N.Expr = N.At(a.decl.name, None, (N.DONE,), sp)
            else:
                p = self.fresh("p")
                fin = N.Quant("forall", p, N.ConstRef(a.decl.family, sp),
                              N.At(a.decl.name, N.BoundRef(p, sp), (N.DONE,), sp), sp)
            idle.append(fin)
        cond = idle[0]
        for c in idle[1:]:
            cond = N.Binary("&&", cond, c, sp)
        branches.append((N.Await(cond, sp), N.Goto(N.DONE, sp)))
        step = N.Step(INVOKE, (N.Either(tuple(branches), sp),), None,
                      "run one RCU callback whose grace period has ended: free its object", None, sp)
        return N.Actor(CALLBACKS, None, (), (step,), "weak",
                       "the RCU callbacks (softirq, rcuo kthreads): each deferred free, some time after its "
                       "grace period", sp)
