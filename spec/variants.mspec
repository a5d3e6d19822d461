// The design variants: each one a delta over the base (v4.8 as merged), with where it comes
// from, and the verdicts the checker gives for it. Every `expect` is argued in the comment
// right before it, from the counterexample the checker prints (movspec check spec/).

// ================================================================== v4.8 as merged

variant v4_8 "PG_lock design as merged in v4.8: isolation, migration, putback and the driver's release all serialise on PG_lock, and PageMovable is rechecked under it before every callback" source "commit bda807d4445 'mm: migrate: support non-lru movable page migration' (Minchan Kim), v4.8-rc1"

// Every callback is made under PG_lock right after PageMovable() was rechecked under that
// lock, and the driver clears movable only under PG_lock before it drops its reference; the
// module is unloaded only after the driver has released every page. So a callback can only
// run on a page the driver still owns, hence while the module is loaded; PG_isolated and
// page->mapping change only under PG_lock; an isolated page is taken off the driver's list
// by isolate_page and put back only by putback_page in the same PG_lock section that clears
// PG_isolated. Nothing is violated, and every step is reached.
expect v4_8 holds all

// ================================================================== v3 (March 2016)

variant v3 extends v4_8 "v3: the driver owns PG_isolated (sets it in isolate_page, clears it when it releases an isolated page, leaving movable set); the VM later clears movable and puts the page without PG_lock" source "linux-mm, March 2016: '[PATCH v3] mm: migrate: support non-lru movable page migration' (Minchan Kim); race reported by Vlastimil Babka" {
    // isolate_page() marks the page isolated itself (under the PG_lock the VM holds).
    replace isolate_movable_page.isolate @ "mm/balloon_compaction.c:balloon_page_isolate" {
        drv_isolate_page(p)
        __SetPageIsolated(p, cpu)
    }
    replace isolate_movable_page.set_isolated @ "mm/migrate.c:isolate_movable_page" {
        unlock_page(p, cpu)
        return true
    }
    // Releasing an isolated page, the driver clears PG_isolated and leaves movable to the VM.
    replace owner.rel_clear @ "include/linux/balloon_compaction.h:balloon_page_delete" {
        if !owned[q] {
            unlock_page(q, drv)
            goto idle
        }
        if PageIsolated(q) {
            __ClearPageIsolated(q, drv)
        } else {
            __ClearPageMovable(q, drv)
            onlist[q] = false
        }
        owned[q] = false
        unlock_page(q, drv)
    }
    // The VM notices the release (PG_isolated gone), clears movable and drops its reference,
    // without PG_lock.
    replace compactor.migrate @ "mm/migrate.c:unmap_and_move" {
        if !ok { goto scan }
        ok = false
        if !PageIsolated(p) {
            __ClearPageMovable(p, self)
            put_page(p)
            goto scan
        }
        if ref[p] == 1 {
            goto freed
        }
        lock_page(p, self)
    }
    // The same check when a failed migration puts the page back.
    replace compactor.putback @ "mm/migrate.c:putback_movable_pages" {
        if !PageIsolated(p) {
            __ClearPageMovable(p, self)
            put_page(p)
            goto scan
        }
        lock_page(p, self)
        if PageMovable(p) {
            drv_putback_page(p)
        }
        __ClearPageIsolated(p, self)
        goto unlock_put
    }
}

// The double-isolation race Vlastimil described, as the checker finds it. The driver
// releases P while C1 holds it isolated: PG_isolated is cleared, but P stays movable with
// the driver's ops. C2 (which took its reference earlier) passes PageMovable &&
// !PageIsolated under PG_lock and calls isolate_page on the released page
// (NoCallbackOnReleased, 19 steps) and now C1 and C2 both hold P isolated
// (ExclusiveIsolation, 19 steps). From there:
// * LockedMutation (14 steps, the shortest): after the release C1 sees PG_isolated gone and
//   clears movable without PG_lock, as the design says;
// * MappingStability: that store lands while C2 is between its recheck and isolate_page;
// * NoUseAfterUnload: the driver has released everything and rmmod completes while C2 is
//   between its recheck and isolate_page: the released page still points at the driver's
//   ops, so C2 calls into the unloaded module;
// * ListDisjointness: C1's migration fails, the driver releases P, C2 isolates it, and C1's
//   putback_page puts P on the driver's list while C2 holds it isolated;
// * FreeHygiene: continuing that run, P is freed while on the driver's list;
// * TypeOK: C1 (seeing PG_isolated set again, by C2) migrates the released page, and
//   migratepage drops the driver's reference a second time: the refcount goes below 0 (a
//   use-after-free of the page). TypeOK is what catches the underflow.
// Every violation follows from the double isolation. TypeOK was a surprise: it is the
// refcount underflow, a real consequence (a callback on a released page does the driver's
// release work twice). One earlier verdict was a modelling artefact: when only
// unmap_and_move checked for a driver release, the checker blamed v3 for a putback_page on a
// released page that came from the putback path the delta had left as in v4.8; the delta
// now makes the same check before putting back, as the design says the VM does.
expect v3 violates NoUseAfterUnload, MappingStability, ExclusiveIsolation, LockedMutation, FreeHygiene, ListDisjointness, NoCallbackOnReleased, TypeOK
// No step waits on a lock that is never released.
expect v3 holds all

// ================================================================== per-driver locking

// The design as proposed in the review. The archived message (a reply headed "On 04/04/2016
// 04:25 AM, Minchan Kim wrote:", from the Virtualization list copy of the linux-mm thread;
// the archive keeps neither quote marks nor the sender, so the reply is attributed to
// Vlastimil Babka by its content: it answers Minchan's answer to his own review) has, in
// Minchan's part, why isolation takes PG_lock:
//     "Between 1 and 2, driver can nullify page->mapping so we need PG_lock"
// (1: get_page_unless_zero, 2: page->mapping->a_ops->isolate_page), and in Vlastimil's the
// alternative this variant models, with the unload problem raised by himself:
//     "My idea is that compaction code would just check PageMovable() and
//     PageIsolated() to find a candidate. page->mapping->a_ops->isolate_page
//     would do the driver-specific necessary locking, revalidate if the page
//     state and succeed isolation, or fail. It would need to handle the
//     possibility that the page already doesn't belong to the mapping, which
//     is probably not a problem. But what if the driver is a module that was
//     already unloaded, and even though we did NULL-check each part from page
//     to isolate_page, it points to a function that's already gone? That would
//     need some extra handling to prevent that, hm..."
// `recheck` below is the lockless check, `isolate` the driver's revalidation; the
// NoUseAfterUnload counterexample is the "function that's already gone". What a lockless
// check through the mapping would need, Vlastimil said in another reply of the same day
// (linux-mm, "Re: [PATCH v3 02/16] mm/compaction: support non-lru movable page migration",
// Mon, 4 Apr 2016 15:24:34 +0200, Vlastimil Babka), of a READ_ONCE() peek without trylock_page():
//     "But I guess it would require at least RCU-level protection of the
//     page->mapping->a_op->isolate_page chain."
// This variant has no such protection: the MappingStability and NoUseAfterUnload
// counterexamples are the chain changing, and its code going, under the lockless reader.

variant per_driver_locking extends v4_8 "per-driver locking: isolate_movable_page takes no PG_lock; the compactor checks PageMovable and PageIsolated locklessly and a_ops->isolate_page revalidates under the driver's own lock" source "linux-mm, 2016-04-04: Vlastimil Babka's review of v3, with Minchan Kim's reply (page->mapping cleared under us) and Vlastimil's (the module may be unloaded)" {
    remove isolate_movable_page.trylock
    // PageMovable() && !PageIsolated() without PG_lock: page_mapping(page) is read here.
    replace isolate_movable_page.recheck @ "mm/migrate.c:isolate_movable_page" {
        if !PageMovable(p) || PageIsolated(p) {
            goto out_putpage
        }
    }
    // mapping->a_ops->isolate_page() through the mapping read above; the driver takes its
    // own lock and revalidates that the page is still on its list, else refuses.
    replace isolate_movable_page.isolate @ "mm/balloon_compaction.c:balloon_page_isolate" {
        call driver.isolate_page(p)
        assert owned[p], "isolate_page() on a page the driver released" as NoCallbackOnReleased
        if !onlist[p] {
            goto out_putpage
        }
        onlist[p] = false
    }
    // The VM still marks the page isolated with the non-atomic __SetPageIsolated(), now
    // without PG_lock.
    replace isolate_movable_page.set_isolated @ "mm/migrate.c:isolate_movable_page" {
        __SetPageIsolated(p, cpu)
        return true
    }
    // Nothing is locked in isolate_movable_page any more.
    remove isolate_movable_page.out_no_isolated
    // Migration and putback keep lock_page(): __unmap_and_move() takes it for every page it
    // migrates (the generic LRU path needs it), so the design changes isolation only.
}

// NoUseAfterUnload (15 steps): C1 passes the lockless PageMovable() check on P (the mapping
// is read), then the driver releases P (lock_page, __ClearPageMovable, put_page: nothing
// stops it, C1 holds no PG_lock), rmmod runs the exit routine, the driver has nothing left
// and free_module() unloads it; C1 now calls mapping->a_ops->isolate_page() into freed code.
// The same window breaks MappingStability (10 steps: page->mapping changes while C1 is about
// to call through it) and NoCallbackOnReleased (11 steps: isolate_page runs on a page the
// driver released; the driver's revalidation tolerates it, but the v4.8 guarantee that
// callbacks only see the driver's own pages is gone). LockedMutation (8 steps): the VM's
// __SetPageIsolated() is no longer under PG_lock; a non-atomic update of page->flags racing
// with another CPU's trylock_page() can lose that bit, so the design also needs atomic
// PG_isolated operations (as the merged design later did for another lost update: see the
// v6_0 notes on commit 356ea3865687).
expect per_driver_locking violates NoUseAfterUnload, MappingStability, NoCallbackOnReleased, LockedMutation
// The driver's revalidation under its own lock does keep isolation exclusive and the lists
// disjoint: a second isolate_page() finds the page off the list and refuses.
expect per_driver_locking holds ExclusiveIsolation, ListDisjointness, FreeHygiene, TypeOK, Deadlock

// ================================================================== per-driver locking + module reference

variant per_driver_locking_modref extends per_driver_locking "per-driver locking plus a module reference: try_module_get(mapping->a_ops->owner) after reading page->mapping, module_put() after isolate_page; rmmod waits for the reference count to drop" source "a candidate fix for the unload race raised against per-driver locking (linux-mm, April 2016); a design point, not a posted patch" {
    var modref "the driver module's reference count (module_refcount)": 0..2 = 0
    // try_module_get(mapping->a_ops->owner): the module pointer is read through the mapping,
    // i.e. from the module's own memory. It fails once rmmod has started (MODULE_STATE_GOING).
    insert after isolate_movable_page.recheck step modget @ "kernel/module.c:try_module_get" {
        assert driver.loaded, "try_module_get() reads a_ops->owner of an unloaded module" as NoUseAfterUnload
        if exiting {
            goto out_putpage
        }
        modref += 1
    }
    replace isolate_movable_page.isolate @ "mm/balloon_compaction.c:balloon_page_isolate" {
        call driver.isolate_page(p)
        assert owned[p], "isolate_page() on a page the driver released" as NoCallbackOnReleased
        modref -= 1
        if !onlist[p] {
            goto out_putpage
        }
        onlist[p] = false
    }
    // delete_module(): try_stop_module() fails while the module is referenced (rmmod retries),
    // then mod->exit().
    replace loader.teardown @ "kernel/module.c:delete_module" {
        await modref == 0
        exiting = true
    }
    def uses_mapping(c) = compactor[c] at {isolate_movable_page.modget, isolate_movable_page.isolate}
}

// The reference comes too late: it is taken through the mapping read before it. Between the
// lockless PageMovable() check and try_module_get() the driver releases the page and rmmod
// completes (module_refcount is still 0), so try_module_get() dereferences a_ops->owner in
// the freed module: NoUseAfterUnload is still violated, now at try_module_get, the step
// before the call (15 steps, as without the reference). Once the reference is held, the
// isolate_page() call itself is safe: the loader cannot pass try_stop_module. The other
// verdicts are those of per-driver locking, for the same reasons; MappingStability now
// covers the window up to the call (modget and isolate).
expect per_driver_locking_modref violates NoUseAfterUnload, MappingStability, NoCallbackOnReleased, LockedMutation
expect per_driver_locking_modref holds ExclusiveIsolation, ListDisjointness, FreeHygiene, TypeOK, Deadlock

// ================================================================== per-driver locking + RCU

// The protection the review named for a lockless use of the mapping. The problem, in the
// archived reply to Minchan Kim of 2016-04-04 (../shared/000_c02bcca3ec8a77f4.txt; see
// per_driver_locking above for its attribution to Vlastimil Babka):
//     "But what if the driver is a module that was
//     already unloaded, and even though we did NULL-check each part from page
//     to isolate_page, it points to a function that's already gone? That would
//     need some extra handling to prevent that, hm..."
// and the remedy, in his other reply of the same day as quoted above ("it would require at
// least RCU-level protection of the page->mapping->a_op->isolate_page chain"; that message
// was not in the material read for this variant, its wording is taken from the quotation).
// Here the compactor reads page->mapping and calls a_ops->isolate_page inside one RCU
// read-side section, and the module's exit waits for a grace period (synchronize_rcu())
// after its last page is released and before its code is freed. Never posted as a patch.

variant per_driver_locking_rcu extends per_driver_locking "per-driver locking made safe against unload by RCU: rcu_read_lock() around the lockless page->mapping->a_ops->isolate_page use, synchronize_rcu() in the module's exit before its code is freed" source "linux-mm, 2016-04-04: Vlastimil Babka's review of v3 (the unloaded-module problem, and 'RCU-level protection of the page->mapping->a_op->isolate_page chain'); a design point, not a posted patch" {
    // rcu_read_lock(); mapping = page_mapping(page); PageMovable() && !PageIsolated()
    replace isolate_movable_page.recheck @ "mm/migrate.c:isolate_movable_page" {
        rcu_read_lock()
        if !PageMovable(p) || PageIsolated(p) {
            goto rcu_out
        }
    }
    // mapping->a_ops->isolate_page(); rcu_read_unlock() once it has returned
    replace isolate_movable_page.isolate @ "mm/balloon_compaction.c:balloon_page_isolate" {
        call driver.isolate_page(p)
        assert owned[p], "isolate_page() on a page the driver released" as NoCallbackOnReleased
        rcu_read_unlock()
        if !onlist[p] {
            goto out_putpage
        }
        onlist[p] = false
    }
    insert after isolate_movable_page.out_putpage step rcu_out @ "include/linux/rcupdate.h:rcu_read_unlock" {
        rcu_read_unlock()
        goto out_putpage
    }
    // the exit routine has released every page; synchronize_rcu(), then the code is freed
    replace loader.unload @ "kernel/rcu/tree_plugin.h:synchronize_rcu" {
        await owner at done
        synchronize_rcu()
    }
    insert after loader.unload step free @ "kernel/module.c:free_module" {
        unload driver
    }
}

// NoUseAfterUnload holds: a compactor that called isolate_page through a mapping it read
// entered its read-side section before that read; the driver cleared page->mapping of every
// page before the exit routine returned, so a compactor entering its section after the grace
// period began sees no page with the driver's ops, and one that entered before holds up the
// grace period, and with it free_module(), until isolate_page has returned. The rest is as
// without RCU, for the same counterexamples: RCU keeps the code and a_ops alive, not
// page->mapping stable (MappingStability, NoCallbackOnReleased: the driver still releases
// the page between the lockless check and the call, and its revalidation must cope), and the
// VM's __SetPageIsolated() is still made without PG_lock (LockedMutation).
expect per_driver_locking_rcu violates MappingStability, NoCallbackOnReleased, LockedMutation
expect per_driver_locking_rcu holds all

// ================================================================== put_page hook

variant put_page_hook extends v4_8 "put_page hook: __put_page() calls the driver's page->put() for the last reference of a movable page, which clears movable; the driver releases a page with a plain put_page()" source "linux-mm, April 2016: suggested in the review of v3, rejected by Minchan Kim (hot-path cost, locking)" {
    module driver "the driver module's code, with the page->put() hook" guards NoUseAfterUnload {
        ops isolate_page, migratepage, putback_page, page_put
    }
    // The hook runs when the last reference goes: nobody else holds a reference, so nobody
    // can be looking at the page under PG_lock, and the store to page->mapping needs no lock.
    macro put_page(p) @ "mm/swap.c:__put_page" {
        if ref[p] == 1 && PageMovable(p) {
            call driver.page_put(p)
            mapping[p] = typeonly
        }
        ref[p] -= 1
    }
    // migratepage no longer clears movable: the hook does when the old page's last reference
    // goes.
    macro drv_migratepage(p, who) @ "mm/balloon_compaction.c:balloon_page_migrate" {
        call driver.migratepage(p)
        assert owned[p], "migratepage() on a page the driver released" as NoCallbackOnReleased
        owned[p] = false
        put_page(p)
    }
    // Release without PG_lock: under the driver's own lock, forget the page and take it off
    // the list; then the driver's put_page() (rel_put) lets the hook finish the job.
    replace owner.rel_lock @ "mm/balloon_compaction.c:balloon_page_dequeue" {
        if !owned[q] {
            goto idle
        }
        if !PageIsolated(q) {
            onlist[q] = false
        }
        owned[q] = false
    }
    remove owner.rel_clear
}

// The driver's release no longer makes the page unmovable: while a compactor holds a
// reference the page stays movable with the driver's ops.
// * NoCallbackOnReleased (11 steps): C1 rechecks PageMovable under PG_lock, the driver
//   releases the page meanwhile (it takes no PG_lock any more), and C1 calls isolate_page on
//   it.
// * NoUseAfterUnload (14 steps): the driver releases the page while C1 holds a transient
//   reference, rmmod completes, and C1's put_page() drops the last reference: __put_page()
//   calls the driver's hook in the freed module. The hook puts driver code on every
//   put_page() path, so module lifetime would have to be tied to every page reference.
// * FreeHygiene (16 steps): the driver releases a page C1 holds isolated; unmap_and_move()
//   sees page_count == 1 but PageMovable still true (nobody cleared it), so it leaves
//   PG_isolated set, and its put_page() frees the page with PG_isolated.
// * TypeOK (16 steps): the release races with migration (no common lock): C1, already under
//   PG_lock, calls migratepage on the page the driver has just released, which drops the
//   driver's reference a second time; the refcount goes below 0.
// * MappingStability (21 steps), a surprise at first, is a consequence of that double put:
//   the refcount reaches 0 while C2 still holds a reference and sits between its recheck
//   and isolate_page, and the hook clears movable under it. Without the double put the hook runs only when nobody else
//   holds a reference, which is why its unlocked store is otherwise harmless.
expect put_page_hook violates NoUseAfterUnload, NoCallbackOnReleased, FreeHygiene, TypeOK, MappingStability
// Isolation itself still goes through PG_lock as in v4.8: no double isolation, the lists
// stay disjoint, and every flag update the VM makes is under PG_lock (the hook's store is
// made by the last reference holder, which the assertion does not cover by design).
expect put_page_hook holds all

// ================================================================== v6.0 movable_operations

variant v6_0 extends v4_8 "v6.0 movable_operations: page->mapping points at the driver's static movable_operations table, no inode; the same PG_lock protocol" source "v6.0-rc1: 'mm: Convert all PageMovable users to movable_operations' (Matthew Wilcox)" {
    // PageMovable(): page_movable_ops(page) != NULL; it no longer dereferences a_ops.
    def PageMovable(p) = mapping[p] == ops
    macro drv_isolate_page(p) @ "mm/balloon_compaction.c:balloon_page_isolate" {
        call driver.isolate_page(p)
        assert owned[p], "mops->isolate_page() on a page the driver released" as NoCallbackOnReleased
        onlist[p] = false
    }
    macro drv_migratepage(p, who) @ "mm/balloon_compaction.c:balloon_page_migrate" {
        call driver.migratepage(p)
        assert owned[p], "mops->migrate_page() on a page the driver released" as NoCallbackOnReleased
        __ClearPageMovable(p, who)
        owned[p] = false
        put_page(p)
    }
    macro drv_putback_page(p) @ "mm/balloon_compaction.c:balloon_page_putback" {
        call driver.putback_page(p)
        assert owned[p], "mops->putback_page() on a page the driver released" as NoCallbackOnReleased
        onlist[p] = true
    }
    // mops = page_movable_ops(page); mops->isolate_page(page, mode)
    replace isolate_movable_page.isolate @ "mm/migrate.c:isolate_movable_page" {
        drv_isolate_page(p)
    }
    // mops->migrate_page(dst, src, mode)
    replace compactor.move @ "mm/migrate.c:move_to_new_folio" {
        if !PageMovable(p) {
            __ClearPageIsolated(p, self)
            goto unlock_put
        }
        either {
            drv_migratepage(p, self)
            __ClearPageIsolated(p, self)
            goto unlock_put
        } or {
            drv_migratepage_busy(p)
            goto fail_unlock
        }
    }
}

// Reaching the callbacks through a static ops table instead of the inode's a_ops changes
// where the pointer lives, not the protocol: the same PG_lock sections guard the same
// rechecks. The model gives the same verdicts as v4.8 (and the same state count, the check
// that this delta is a pure refactoring).
//
// What this delta keeps from v4.8 although v6.0 differs: the flag operations. The delta still
// uses the non-atomic __SetPageIsolated()/__ClearPageIsolated() macros of model.mspec, but
// the kernel had made them atomic before v6.0: commit 356ea3865687 ("mm/migrate: fix race
// between lock page and clear PG_Isolated", 5.18 merge window; its title and hash were read
// in a push log, its diff was not) is the fix, and from 5.19 isolate_movable_page() calls
// SetPageIsolated() where 5.15 called __SetPageIsolated() (read in both kernels' debug
// info). The race it fixes is a non-atomic PG_isolated update overwriting PG_waiters, set
// atomically in the same word by a task that failed to take PG_lock; PG_waiters is not
// modelled, and every PG_isolated update here is made under PG_lock, so the model cannot
// tell the two apart: the verdicts are those of both. The 6.1-era mm/migrate.c also no
// longer takes lock_page() for a page freed from under migration (unmap_and_move():
// "free_pages_prepare() will clear PG_isolated"); this delta keeps v4.8's `freed` step.
// PageMovable() is `page_movable_ops(page) != NULL` as in the conversion patch posted by
// Matthew Wilcox on 2022-06-07 ("Re: [PATCH 15/20] balloon: Convert to migrate_folio"); the
// names PageMovableOps() and isolate_movable_ops_page() are not v6.0's: a 6.18 tree has them
// (the PG_movable_ops and PG_movable_ops_isolated page flags of a later design).
expect v6_0 holds all
