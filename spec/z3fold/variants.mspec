// The kernel eras of z3fold's page migration against z3fold_destroy_pool(). v5_2 is the base
// (the model as written in the other files). v5_4 keeps the 2019 fixes that stayed; v5_3 is
// v5_4 plus the drain of d776aaa9895e, which the v5.3 releases carried and the revert took
// out (so v5_3 is written as a delta over v5_4, not the other way round); drain is that
// drain with the condition its message describes.

variant v5_2 "v5.2: migration as merged; __SetPageMovable() without PG_lock, trylock_page() of the VM-locked page, z3fold_destroy_pool() frees the inode first and waits for nothing the VM holds" source "commit 1f862989b04a (v5.1), as in the v5.2.1 tree"

// Three fixes of 2019 that every later release keeps (read in the v5.3.1 and v5.4.214 trees):
//
// Commit 810481a24608 ("mm/z3fold.c: lock z3fold page before __SetPageMovable()", Henry
// Burns, 2019, in v5.3): "Following zsmalloc.c's example we call trylock_page() and
// unlock_page()." The model takes the can_sleep branch (lock_page()); the !can_sleep one
// (trylock_page(), else the page is not made movable) changes nothing the properties see.
//
// Commit be03074c9af2 ("mm/z3fold.c: remove z3fold_migration trylock", Henry Burns):
// "z3fold_page_migrate() will never succeed because it attempts to acquire a lock that has
// already been taken by migrate.c in __unmap_and_move()." With it, the work_pending() test of
// the v5.3 tree: a header whose compaction work is queued is not migrated (-EAGAIN).
//
// "mm/z3fold.c: fix z3fold_destroy_pool() ordering" and "mm/z3fold.c: fix
// z3fold_destroy_pool() race condition" (Henry Burns, 2019, in v5.3): "So compact_wq needs to be
// destroyed before release_wq"; "There are still outstanding pages until both workqueues are
// drained, so we cannot unregister migration until then" (the comment they leave).
variant v5_4 extends v5_2 "v5.4: PG_lock around __SetPageMovable(), no trylock_page() in z3fold_page_migrate(), compact_wq then release_wq destroyed before the inode; nothing waits for the pages the VM holds isolated" source "commits 810481a24608, be03074c9af2, the two z3fold_destroy_pool() fixes of 2019; the revert of d776aaa9895e; as in the v5.4.214 tree" {
    insert before zswap.set_movable step lock_new @ "include/linux/pagemap.h:lock_page" {
        lock_page(P1, user)
    }
    insert after zswap.set_movable step unlock_new @ "mm/filemap.c:unlock_page" {
        unlock_page(P1, user)
    }

    remove z3fold_page_migrate.trylock_page
    replace z3fold_page_migrate.trylock "z3fold_page_trylock(zhdr), else -EAGAIN; work_pending(&zhdr->work): -EAGAIN" {
        assert zlock[p] != c, "z3fold_page_trylock() of a header lock this CPU holds" as NoRelockOwnPage
        if zlock[p] != none { return eagain }
        if p in cwq_works { return eagain }
        zlock[p] = c
    }
    replace z3fold_page_migrate.put "page_mapcount_reset(page), put_page(page)" {
        z3_iso = z3_iso \ {p}
        put_page(p)
        return success
    }

    func z3fold_destroy_pool() @ "mm/z3fold.c:z3fold_destroy_pool" {
        step compact_wq @ "kernel/workqueue.c:destroy_workqueue" "destroy_workqueue(pool->compact_wq)" {
            await cwq_works == {} && compact_worker at idle
            free(wq, CWQ)
        }
        step release_wq @ "kernel/workqueue.c:destroy_workqueue" "destroy_workqueue(pool->release_wq)" {
            await !rwq_work && release_worker at idle
            free(wq, RWQ)
        }
        step unregister @ "mm/z3fold.c:z3fold_unregister_migration" "iput(pool->inode)" {
            free(inode, INO)
        }
        step kfree @ "mm/z3fold.c:z3fold_destroy_pool" "kfree(pool)" {
            free(zpool, ZP)
        }
    }
}

// Commit d776aaa9895e ("mm/z3fold.c: fix race between migration and destruction", Henry
// Burns, 2019, in v5.3): "In z3fold_destroy_pool() we call destroy_workqueue(&pool->compact_wq).
// However, we have no guarantee that migration isn't happening in the background at that
// time. Migration directly calls queue_work_on(pool->compact_wq), if destruction wins that
// race we are using a destroyed workqueue." It adds pool->isolated, pool->destroying and
// pool->isolate_wait, and waits with
//     wait_event(pool->isolate_wait, !pool_isolated_are_drained(pool));
// whose condition is inverted: it waits until some page IS isolated. The revert (Vitaly Wool,
// 2019-09-10): "With the original commit applied, z3fold_zpool_destroy() may get blocked on
// wait_event() for indefinite time."
variant v5_3 extends v5_4 "v5.3: pool->isolated, pool->destroying and isolate_wait; z3fold_destroy_pool() waits for !pool_isolated_are_drained()" source "commit d776aaa9895e (2019), as in the v5.3.1 tree" {
    var isolate_wait "pool->isolate_wait (the wait queue head lives in the pool)": waitqueue

    invariant PoolIsolatedAccounting "pool->isolated counts exactly the pages z3fold_page_isolate granted and the VM has not given back":
        ZP in zpool.allocated => zpool[ZP].isolated == |z3_iso|

    // The destroying test under pool->lock, after the list_del()s: refuse (kref_get() undone
    // by kref_put()); else z3fold_inc_isolated().
    replace z3fold_page_isolate.isolate {
        if NEEDS_COMPACTING in zflags[p] || PAGE_STALE in zflags[p] {
            zlock[p] = none
            return false
        }
        if zpool[ZP].destroying {
            zpool[ZP] = pool_lists(zpool[ZP].lru \ {p}, zpool[ZP].unbuddied \ {p}, zpool[ZP].stale)
            zlock[p] = none
            return false
        }
        kref[p] += 1
        zpool[ZP] = Z3Pool(lru: zpool[ZP].lru \ {p}, unbuddied: zpool[ZP].unbuddied \ {p}, stale: zpool[ZP].stale, isolated: zpool[ZP].isolated + 1, destroying: false)
        z3_iso = z3_iso | {p}
        zlock[p] = none
        return true
    }

    // spin_lock(&pool->lock); z3fold_dec_isolated(pool): pool->isolated--, and at 0
    // wake_up_all(&pool->isolate_wait) if waitqueue_active().
    insert after z3fold_page_migrate.queue step dec_isolated @ "mm/z3fold.c:z3fold_dec_isolated" {
        zpool[ZP].isolated = zpool[ZP].isolated - 1
        z3_iso = z3_iso \ {p}
        if zpool[ZP].isolated == 0 { wake_up_all(isolate_wait) }
    }
    replace z3fold_page_migrate.put "page_mapcount_reset(page), put_page(page)" {
        put_page(p)
        return success
    }

    // z3fold_dec_isolated() in the same pool->lock section as list_add(&page->lru), or after
    // the release of the last reference.
    replace z3fold_page_putback.putback {
        z3_iso = z3_iso \ {p}
        if kref[p] == 1 {
            __release_z3fold_page(p, 1)
            if zpool[ZP].isolated == 0 { wake_up_all(isolate_wait) }
            return
        }
        kref[p] -= 1
        zpool[ZP] = Z3Pool(lru: zpool[ZP].lru | {p}, unbuddied: zpool[ZP].unbuddied \ {p}, stale: zpool[ZP].stale, isolated: zpool[ZP].isolated - 1, destroying: zpool[ZP].destroying)
        if zpool[ZP].isolated == 0 { wake_up_all(isolate_wait) }
        zlock[p] = none
    }

    insert before z3fold_destroy_pool.compact_wq step destroying @ "mm/z3fold.c:z3fold_destroy_pool" "spin_lock(&pool->lock); pool->destroying = true" {
        zpool[ZP].destroying = true
    }
    // pool_isolated_are_drained() reads pool->isolated under pool->lock.
    insert after z3fold_destroy_pool.destroying step drain @ "include/linux/wait.h:wait_event" "wait_event(pool->isolate_wait, !pool_isolated_are_drained(pool))" {
        wait_event(isolate_wait, zpool[ZP].isolated != 0)
    }
}

// The drain as d776aaa9895e's message and comments mean it ("We need to ensure that no pages
// are being migrated while we destroy these workqueues"): wait until pool->isolated is 0.
// No kernel release has it: the revert removed the drain altogether.
variant drain extends v5_3 "d776aaa9895e with the wait as meant: wait_event(pool->isolate_wait, pool_isolated_are_drained(pool))" source "design: commit d776aaa9895e with its condition corrected" {
    replace z3fold_destroy_pool.drain "wait_event(pool->isolate_wait, pool_isolated_are_drained(pool))" {
        wait_event(isolate_wait, zpool[ZP].isolated == 0)
    }
}

// ------------------------------------------------------------------ expected verdicts

// v5.2: alloc makes the page movable without PG_lock; the migration callback trylocks the page
// the VM holds (so it never migrates: the VM puts the page back); z3fold_destroy_pool() iputs
// the inode and frees the workqueues and the pool while the VM holds P1 isolated, and the VM's
// putback reaches all three.
expect v5_2 violates SetMovableLocked, NoRelockOwnPage, NoUseOfFreedMapping, NoUseOfFreedPool, NoUseOfFreedWorkqueue, DrainedBeforeFree
expect v5_2 holds all

// v5.4: the locking fixes hold; nothing waits for the VM, so the destroy race of v5.2 is still
// there (the revert's "the issue the original commit addresses is less severe").
expect v5_4 violates NoUseOfFreedMapping, NoUseOfFreedPool, NoUseOfFreedWorkqueue, DrainedBeforeFree
expect v5_4 holds all

// v5.3: the inverted wait blocks for ever when no page is isolated (the revert's "blocked on
// wait_event() for indefinite time"), and lets the destroy go on exactly when one is.
expect v5_3 violates DestroyFinishes, Deadlock, NoUseOfFreedMapping, NoUseOfFreedPool, NoUseOfFreedWorkqueue, DrainedBeforeFree
expect v5_3 holds all

// The drain as meant: every property holds.
expect drain holds all
