// Liveness: what must eventually happen, under weak fairness of every actor (`fair actor` in
// spec/: a thread that can run keeps being scheduled; a sleeping lock_page() waiter is
// woken only if the lock stays free, which is weak fairness: PG_lock in v4.8 has no hand-off).
// Load with the model: `movspec check spec/ proofs/`.

// Catches: a page left isolated for ever (PG_isolated set, off the driver's list, nobody to
// migrate or put it back): the page is lost to the driver and to compaction, and PG_isolated
// (aliasing PG_reclaim) leaks into the page's next life.
leadsto EventualReturn "every page a compactor isolates is eventually migrated or put back":
    forall p in Pages: PageIsolated(p) ~> !PageIsolated(p)

// Catches: a compactor sleeping in lock_page() for ever, either because the lock is never
// released or because other CPUs keep taking it every time it is free.
// (the steps are named through a `def`, which a variant that removes one of them overrides)
def in_lock_page(c) = (compactor[c] at migrate && compactor[c].ok) || compactor[c] at {putback, freed}
leadsto LockGranted "a compactor waiting in lock_page() eventually gets PG_lock":
    forall c in Cpus: in_lock_page(c) ~> !in_lock_page(c)

// v4.8 and v6.0 (covered by their `holds all`): an isolated page is only ever waited on by
// the compactor that isolated it, the driver releases PG_lock after each short section, and
// no other compactor picks an isolated page (scan skips PageIsolated), so every lock_page()
// waiter gets the lock and every isolation ends in migration or putback. Per-driver locking
// and its module-reference variant keep both properties for the same reasons: the driver's
// revalidation keeps isolation exclusive.

// put_page hook (21 steps, ends stuttering): the driver releases the page C1 holds isolated
// without PG_lock and without clearing movable (the hook would, at the last put); C1's
// unmap_and_move() sees page_count == 1 but PageMovable() still true, so it leaves
// PG_isolated set, and its put_page() frees the page: nobody will ever clear PG_isolated.
// The same root cause as this variant's FreeHygiene violation, seen as lost progress.
expect put_page_hook violates EventualReturn
expect put_page_hook holds LockGranted

// v3 (35 steps, a cycle): after the double isolation, C1 waits in lock_page() for the page
// while C2, which isolated the same page again, goes round migrate (-EAGAIN), putback and a
// new isolation, taking and releasing PG_lock each time. The lock is free only between two of
// C2's steps, so C1 is not continuously enabled and weak fairness lets it starve. Starvation
// needs the second isolation: in v4.8 no other compactor can take an isolated page.
expect v3 violates LockGranted
expect v3 holds EventualReturn
