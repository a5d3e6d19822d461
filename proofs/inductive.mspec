// Inductive invariants: strengthenings of the safety properties that the checker shows to be
// inductive within the model's bounds (two pages, two CPUs): the initial state satisfies
// them, and every step from *any* type-correct state satisfying them (reachable or not) leads
// to such a state. Reachable-state checking says the properties hold in the states the model
// reaches; an inductive invariant says why, one step at a time, which is what a proof for all
// sizes starts from.

// ------------------------------------------------------------------ v4.8 (and v6.0, the same protocol)

// isolate_movable_page() has given the compactor its page: the call has returned true (the
// kept result at the call's result step) or migrate has read it (`ok`).
def isolated_by(c) = (compactor[c] at migrate && compactor[c].ok)
// Inside isolate_movable_page() (at none of the compactor's own steps) the parameters are
// the caller's page and CPU.
def in_isolate(c) = !(compactor[c] at {scan, migrate, move, fail_unlock, putback, freed, unlock_put, done})

// Who holds what, by program counter: the steps at which a compactor holds a reference on its
// page, holds its PG_lock, or has it flagged PG_isolated; the driver's lock and reference.
def cpu_has_ref(c) = compactor[c] at {isolate_movable_page.movable, isolate_movable_page.trylock, isolate_movable_page.recheck, isolate_movable_page.isolate, isolate_movable_page.set_isolated, isolate_movable_page.out_no_isolated, isolate_movable_page.out_putpage, move, fail_unlock, putback, freed, unlock_put} || isolated_by(c)
def cpu_locks(c) = compactor[c] at {isolate_movable_page.recheck, isolate_movable_page.isolate, isolate_movable_page.set_isolated, isolate_movable_page.out_no_isolated, move, fail_unlock, unlock_put}
def cpu_flagged(c, x) = (compactor[c] at {move, fail_unlock, putback, freed} || isolated_by(c)) && compactor[c].p == x
def drv_locks(x) = owner at {enq_unlock, rel_clear} && owner.q == x
def drv_ref(x) = owned[x] || (owner at rel_put && owner.q == x)
def enqueuing(x) = owner at enqueue && owner.q == x

// The invariant names the steps of v4.8's compactor (trylock, out_no_isolated, ...), so it
// belongs to v4.8 and v6.0 only (a `for` block is not inherited by variants extending them).
for v4_8, v6_0 {
    inductive LockedProtocol "v4.8's safety properties, strengthened with who holds each page's lock, reference, flags and list linkage at every step":
        // program counters and locals
        (forall c in Cpus: !(compactor[c] at {scan, done}) => compactor[c].p in Pages)
        && (forall c in Cpus: in_isolate(c) => compactor[c].isolate_movable_page.p == compactor[c].p && compactor[c].isolate_movable_page.cpu == c)
        && (forall c in Cpus: compactor[c].ok => compactor[c] at migrate)
        && (owner at {enqueue, enq_unlock, rel_lock, rel_clear, rel_put} => owner.q in Pages)
        // q is unset only before the driver's first allocation
        && (!(owner.q in Pages) => owner.todo == Pages)
        // PG_lock is held exactly by the context at a step that holds it
        && (forall x in Pages, c in Cpus: pglock[x] == c <=> (cpu_locks(c) && compactor[c].p == x))
        && (forall x in Pages: pglock[x] == drv <=> drv_locks(x))
        // _refcount: the driver's reference plus one per compactor holding one
        && (forall x in Pages: ref[x] == (if drv_ref(x) then 1 else 0) + |{c in Cpus where cpu_has_ref(c) && compactor[c].p == x}|)
        && (owner at rel_put => !owned[owner.q])
        // the page's life: never allocated (todo), being enqueued, the driver's, released
        && (forall x in Pages: x in owner.todo <=> (mapping[x] == null && !enqueuing(x)))
        && (forall x in Pages: x in owner.todo => !owned[x] && owner.q != x)
        && (forall x in Pages: mapping[x] == ops <=> (owned[x] && !enqueuing(x)))
        && (forall x in Pages: enqueuing(x) => owned[x] && mapping[x] == null)
        && (forall x in Pages, c in Cpus: mapping[x] == null => compactor[c].p != x)
        // PG_isolated, the driver's list, and the isolating compactor
        && (forall x in Pages: isolated[x] <=> (exists c in Cpus: cpu_flagged(c, x)))
        && (forall x in Pages: onlist[x] <=> (mapping[x] == ops && !(exists c in Cpus: holds_isolation(c, x))))
        && (forall c in Cpus: compactor[c] at {isolate_movable_page.isolate, isolate_movable_page.set_isolated} => mapping[compactor[c].p] == ops && !isolated[compactor[c].p])
        // the recheck under PG_lock failed, and stays failed while the lock is held
        && (forall c in Cpus: compactor[c] at isolate_movable_page.out_no_isolated => !PageMovable(compactor[c].p) || PageIsolated(compactor[c].p))
        && (forall c in Cpus: compactor[c] at freed => !owned[compactor[c].p])
        // migratepage() said -EAGAIN under PG_lock: the driver cannot release the page meanwhile
        && (forall c in Cpus: compactor[c] at fail_unlock => PageMovable(compactor[c].p))
        // module lifetime
        && (loader at teardown => !exiting && driver.loaded)
        && (loader at unload => exiting && driver.loaded)
        // rmmod has finished: the module is gone
        && (loader at done => !driver.loaded)
        && (!driver.loaded => owner at done && exiting)
        && (owner at done => exiting && (forall x in Pages: !owned[x]))
        // the safety invariants it strengthens: MappingStability, ExclusiveIsolation,
        // FreeHygiene, ListDisjointness
        && (forall c in Cpus: uses_mapping(c) => PageMovable(compactor[c].p))
        && (forall x in Pages, c in Cpus, d in Cpus: holds_isolation(c, x) && holds_isolation(d, x) => c == d)
        && (forall x in Pages: ref[x] == 0 => !PageMovable(x) && !PageIsolated(x) && !onlist[x])
        && (forall x in Pages: (PageIsolated(x) || (exists c in Cpus: holds_isolation(c, x))) => !onlist[x])
}

// Inductive: 67,832 type-correct states satisfy it (the model reaches 51,804), and every step
// from each of them stays inside. The conjuncts are not slack: dropping, for one, the one saying the
// driver no longer owns the page it is about to put gives a counterexample to induction at
// rel_put (an owned page whose reference the driver drops: the refcount equation breaks).
// Four conjuncts are there for the checker, not for induction (without them the invariant is
// inductive too): q unset before the first allocation, the module gone once rmmod is done,
// the page still movable at fail_unlock, the failed recheck at out_no_isolated. They say more
// exactly which states the model reaches, and cut the states enumerated from 169,076 to 67,832
// (the per-driver invariants below: 167,138 to 69,968 and 191,842 to 74,958).
// v6.0 has the same steps and state, so the same invariant is inductive there.
expect v4_8 holds LockedProtocol
expect v6_0 holds LockedProtocol

// ------------------------------------------------------------------ per-driver locking

// Isolation takes no PG_lock: a compactor holds its page's lock only in migration and putback,
// and holds a reference from get_page_unless_zero() to unlock_put (or out_putpage).
def pdl_has_ref(c) = compactor[c] at {isolate_movable_page.movable, isolate_movable_page.recheck, isolate_movable_page.isolate, isolate_movable_page.set_isolated, isolate_movable_page.out_putpage, move, fail_unlock, putback, freed, unlock_put} || isolated_by(c)
def pdl_locks(c) = compactor[c] at {move, fail_unlock, unlock_put}

for per_driver_locking {
    inductive RevalidatedProtocol "what per-driver locking still guarantees (exclusive isolation, disjoint lists, clean frees), strengthened with who holds each page's lock, reference, flags and list linkage":
        (forall c in Cpus: !(compactor[c] at {scan, done}) => compactor[c].p in Pages)
        && (forall c in Cpus: in_isolate(c) => compactor[c].isolate_movable_page.p == compactor[c].p && compactor[c].isolate_movable_page.cpu == c)
        && (forall c in Cpus: compactor[c].ok => compactor[c] at migrate)
        && (owner at {enqueue, enq_unlock, rel_lock, rel_clear, rel_put} => owner.q in Pages)
        // q is unset only before the driver's first allocation
        && (!(owner.q in Pages) => owner.todo == Pages)
        && (forall x in Pages, c in Cpus: pglock[x] == c <=> (pdl_locks(c) && compactor[c].p == x))
        && (forall x in Pages: pglock[x] == drv <=> drv_locks(x))
        && (forall x in Pages: ref[x] == (if drv_ref(x) then 1 else 0) + |{c in Cpus where pdl_has_ref(c) && compactor[c].p == x}|)
        && (owner at rel_put => !owned[owner.q])
        && (forall x in Pages: x in owner.todo <=> (mapping[x] == null && !enqueuing(x)))
        && (forall x in Pages: x in owner.todo => !owned[x] && owner.q != x)
        && (forall x in Pages: mapping[x] == ops <=> (owned[x] && !enqueuing(x)))
        && (forall x in Pages: enqueuing(x) => owned[x] && mapping[x] == null)
        && (forall x in Pages, c in Cpus: mapping[x] == null => compactor[c].p != x)
        && (forall x in Pages: isolated[x] <=> (exists c in Cpus: cpu_flagged(c, x)))
        && (forall x in Pages: onlist[x] <=> (mapping[x] == ops && !(exists c in Cpus: holds_isolation(c, x))))
        && (forall c in Cpus: compactor[c] at isolate_movable_page.set_isolated => !isolated[compactor[c].p])
        && (forall c in Cpus: compactor[c] at freed => !owned[compactor[c].p])
        // migratepage() said -EAGAIN under PG_lock: the driver cannot release the page meanwhile
        && (forall c in Cpus: compactor[c] at fail_unlock => PageMovable(compactor[c].p))
        && (loader at teardown => !exiting && driver.loaded)
        && (loader at unload => exiting && driver.loaded)
        // rmmod has finished: the module is gone
        && (loader at done => !driver.loaded)
        && (!driver.loaded => owner at done && exiting)
        && (owner at done => exiting && (forall x in Pages: !owned[x]))
        && (forall x in Pages, c in Cpus, d in Cpus: holds_isolation(c, x) && holds_isolation(d, x) => c == d)
        && (forall x in Pages: ref[x] == 0 => !PageMovable(x) && !PageIsolated(x) && !onlist[x])
        && (forall x in Pages: (PageIsolated(x) || (exists c in Cpus: holds_isolation(c, x))) => !onlist[x])
}

// The module reference variant adds try_module_get() (modget) between the recheck and the call.
def pdlm_has_ref(c) = compactor[c] at {isolate_movable_page.movable, isolate_movable_page.recheck, isolate_movable_page.modget, isolate_movable_page.isolate, isolate_movable_page.set_isolated, isolate_movable_page.out_putpage, move, fail_unlock, putback, freed, unlock_put} || isolated_by(c)

for per_driver_locking_modref {
    inductive RevalidatedProtocolModref "RevalidatedProtocol with the module reference: held exactly by the compactors about to call isolate_page":
        (forall c in Cpus: !(compactor[c] at {scan, done}) => compactor[c].p in Pages)
        && (forall c in Cpus: in_isolate(c) => compactor[c].isolate_movable_page.p == compactor[c].p && compactor[c].isolate_movable_page.cpu == c)
        && (forall c in Cpus: compactor[c].ok => compactor[c] at migrate)
        && (owner at {enqueue, enq_unlock, rel_lock, rel_clear, rel_put} => owner.q in Pages)
        // q is unset only before the driver's first allocation
        && (!(owner.q in Pages) => owner.todo == Pages)
        && (forall x in Pages, c in Cpus: pglock[x] == c <=> (pdl_locks(c) && compactor[c].p == x))
        && (forall x in Pages: pglock[x] == drv <=> drv_locks(x))
        && (forall x in Pages: ref[x] == (if drv_ref(x) then 1 else 0) + |{c in Cpus where pdlm_has_ref(c) && compactor[c].p == x}|)
        && (owner at rel_put => !owned[owner.q])
        && modref == |{c in Cpus where compactor[c] at isolate_movable_page.isolate}|
        // rmmod waited for the count to drop; try_module_get() fails from then on
        && (exiting => modref == 0)
        && (forall x in Pages: x in owner.todo <=> (mapping[x] == null && !enqueuing(x)))
        && (forall x in Pages: x in owner.todo => !owned[x] && owner.q != x)
        && (forall x in Pages: mapping[x] == ops <=> (owned[x] && !enqueuing(x)))
        && (forall x in Pages: enqueuing(x) => owned[x] && mapping[x] == null)
        && (forall x in Pages, c in Cpus: mapping[x] == null => compactor[c].p != x)
        && (forall x in Pages: isolated[x] <=> (exists c in Cpus: cpu_flagged(c, x)))
        && (forall x in Pages: onlist[x] <=> (mapping[x] == ops && !(exists c in Cpus: holds_isolation(c, x))))
        && (forall c in Cpus: compactor[c] at isolate_movable_page.set_isolated => !isolated[compactor[c].p])
        && (forall c in Cpus: compactor[c] at freed => !owned[compactor[c].p])
        // migratepage() said -EAGAIN under PG_lock: the driver cannot release the page meanwhile
        && (forall c in Cpus: compactor[c] at fail_unlock => PageMovable(compactor[c].p))
        && (loader at teardown => !exiting && driver.loaded)
        && (loader at unload => exiting && driver.loaded)
        // rmmod has finished: the module is gone
        && (loader at done => !driver.loaded)
        && (!driver.loaded => owner at done && exiting)
        && (owner at done => exiting && (forall x in Pages: !owned[x]))
        && (forall x in Pages, c in Cpus, d in Cpus: holds_isolation(c, x) && holds_isolation(d, x) => c == d)
        && (forall x in Pages: ref[x] == 0 => !PageMovable(x) && !PageIsolated(x) && !onlist[x])
        && (forall x in Pages: (PageIsolated(x) || (exists c in Cpus: holds_isolation(c, x))) => !onlist[x])
}

// Inductive, in 69,968 type-correct states (50,400 reachable). The difference from v4.8 is
// where the locks are held and that a compactor may sit at isolate on a page the driver has
// released meanwhile: nothing is claimed about page->mapping there, which is exactly the
// MappingStability window this design opens. Exclusive isolation rests on the driver's list:
// only the compactor that took the page off the list can be in the isolated phase.
expect per_driver_locking holds RevalidatedProtocol
// Inductive, in 74,958 states (55,614 reachable): the same argument, plus the module
// reference count, which is exactly the number of compactors about to call isolate_page.
expect per_driver_locking_modref holds RevalidatedProtocolModref

// v3 and the put_page hook have no inductive invariant of this kind: both reach a state in
// which the refcount has gone below 0 (TypeOK is violated, see spec/variants.mspec), and an
// invariant whose conjunction with TypeOK is inductive holds in every reachable state. Their
// broken properties cannot be implied by anything that holds.
