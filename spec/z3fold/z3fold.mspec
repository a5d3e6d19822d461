// z3fold (mm/z3fold.c as of v5.2, commit 1f862989b04a "mm/z3fold.c: support page migration"
// on top of the kref and stale-list release of 5d03a6613957): the a_ops callbacks the VM
// reaches through page->mapping (z3fold_aops), the pool's user allocating one object
// (z3fold_alloc), freeing it (z3fold_free) and destroying the pool (z3fold_destroy_pool), and
// the work of the pool's two workqueues: compact_page_work() on compact_wq and
// free_pages_work() on release_wq.
//
// Every pool->lock and stale_lock section is one step (they are spinlocks: nothing sleeps
// in them); a z3fold_page_lock() section is a step to take the lock and one or more to work
// under it.

// The pool's lists with isolated and destroying kept (a struct value with a field left out
// would take that field's default).
def pool_lists(l, u, s) = Z3Pool(lru: l, unbuddied: u, stale: s, isolated: zpool[ZP].isolated, destroying: zpool[ZP].destroying)

// __release_z3fold_page(zhdr, locked), as release_z3fold_page_locked() and
// release_z3fold_page_locked_list() call it on the last kref_put(): the header's buddy off
// its unbuddied list, PAGE_STALE set and NEEDS_COMPACTING cleared, the page off pool->lru
// (pool->lock), z3fold_page_unlock(), the header onto pool->stale and
// queue_work(pool->release_wq, &pool->work) (stale_lock). `d` is what the caller takes off
// pool->isolated in the same pool->lock section (v5.3's z3fold_page_putback()).
macro __release_z3fold_page(h, d) @ "mm/z3fold.c:__release_z3fold_page" {
    kref[h] = 0
    zflags[h] = (zflags[h] | {PAGE_STALE}) \ {NEEDS_COMPACTING}
    zpool[ZP] = Z3Pool(lru: zpool[ZP].lru \ {h}, unbuddied: zpool[ZP].unbuddied \ {h}, stale: zpool[ZP].stale | {h}, isolated: zpool[ZP].isolated - d, destroying: zpool[ZP].destroying)
    zlock[h] = none
    if wq[RWQ].cpu_pwqs { rwq_work = true }
}

// ------------------------------------------------------------------ a_ops callbacks

func z3fold_page_isolate(p: Pages, c: Cpus) -> bool @ "mm/z3fold.c:z3fold_page_isolate" {
    step lock @ "mm/z3fold.c:z3fold_page_isolate" "zhdr = page_address(page); z3fold_page_lock(zhdr)" {
        await zlock[p] == none
        zlock[p] = c
    }
    // NEEDS_COMPACTING or PAGE_STALE: refuse. Else (mapped_count == 0: nobody maps here)
    // kref_get(), list_del_init(&zhdr->buddy), list_del(&page->lru) under pool->lock,
    // z3fold_page_unlock().
    step isolate @ "mm/z3fold.c:z3fold_page_isolate" {
        if NEEDS_COMPACTING in zflags[p] || PAGE_STALE in zflags[p] {
            zlock[p] = none
            return false
        }
        kref[p] += 1
        zpool[ZP] = pool_lists(zpool[ZP].lru \ {p}, zpool[ZP].unbuddied \ {p}, zpool[ZP].stale)
        z3_iso = z3_iso | {p}
        zlock[p] = none
        return true
    }
}

func z3fold_page_migrate(p: Pages, c: Cpus) -> MigrateRc @ "mm/z3fold.c:z3fold_page_migrate" {
    // v5.2: `if (!trylock_page(page)) return -EAGAIN;` on the page __unmap_and_move() holds
    // locked: it always fails.
    step trylock_page @ "include/linux/pagemap.h:trylock_page" {
        assert pglock[p] != c, "z3fold_page_migrate(): trylock_page() of the page __unmap_and_move() locked" as NoRelockOwnPage
        if pglock[p] != none { return eagain }
        pglock[p] = c
    }
    step trylock @ "mm/z3fold.c:z3fold_page_migrate" "z3fold_page_trylock(zhdr), else unlock_page(page) and -EAGAIN" {
        assert zlock[p] != c, "z3fold_page_trylock() of a header lock this CPU holds" as NoRelockOwnPage
        if zlock[p] != none {
            unlock_page(p, c)
            return eagain
        }
        zlock[p] = c
    }
    // memcpy(new_zhdr, zhdr, PAGE_SIZE), newpage->private = page->private, page->private = 0,
    // z3fold_page_unlock(zhdr), __ClearPageMovable(page), get_page(newpage) (the VM drops its
    // own reference of newpage after a success), z3fold_page_lock(new_zhdr), encode_handle()
    // of the object (the handle points at the new header), NEEDS_COMPACTING,
    // list_add(&newpage->lru, &pool->lru) under pool->lock, __SetPageMovable(newpage) (under
    // the VM's PG_lock of newpage), z3fold_page_unlock(new_zhdr).
    step copy @ "mm/z3fold.c:z3fold_page_migrate" {
        kref[P2] = kref[p]
        objs[P2] = objs[p]
        zflags = [x in Pages |-> if x == P2 then zflags[p] | {NEEDS_COMPACTING} else if x == p then {} else zflags[x]]
        home = if home == p && objs[p] == 1 then P2 else home
        zlock[p] = none
        mapping = [x in Pages |-> if x == p then typeonly else if x == P2 then ops else mapping[x]]
        zpool[ZP].lru = zpool[ZP].lru | {P2}
    }
    step queue @ "kernel/workqueue.c:queue_work_on" "queue_work_on(new_zhdr->cpu, pool->compact_wq, &new_zhdr->work)" {
        if wq[CWQ].cpu_pwqs { cwq_works = cwq_works | {P2} }
    }
    // page_mapcount_reset(page), v5.2's unlock_page(page), put_page(page): z3fold's reference.
    step put @ "mm/z3fold.c:z3fold_page_migrate" {
        z3_iso = z3_iso \ {p}
        unlock_page(p, c)
        put_page(p)
        return success
    }
}

func z3fold_page_putback(p: Pages, c: Cpus) @ "mm/z3fold.c:z3fold_page_putback" {
    step lock @ "mm/z3fold.c:z3fold_page_putback" "z3fold_page_lock(zhdr)" {
        await zlock[p] == none
        zlock[p] = c
    }
    // list_del_init(&zhdr->buddy), INIT_LIST_HEAD(&page->lru); kref_put(): the last reference
    // releases the page (release_z3fold_page_locked); else list_add(&page->lru, &pool->lru)
    // under pool->lock and z3fold_page_unlock().
    step putback @ "mm/z3fold.c:z3fold_page_putback" {
        z3_iso = z3_iso \ {p}
        if kref[p] == 1 {
            __release_z3fold_page(p, 0)
            return
        }
        kref[p] -= 1
        zpool[ZP] = pool_lists(zpool[ZP].lru | {p}, zpool[ZP].unbuddied \ {p}, zpool[ZP].stale)
        zlock[p] = none
    }
}

// ------------------------------------------------------------------ the pool's user

fair actor zswap "the pool's user (zswap): z3fold_alloc of one object, z3fold_free of it, then z3fold_destroy_pool" {
    local h: Pages = P1
    // No unbuddied page and no stale page to reuse: alloc_page(), init_z3fold_page()
    // (kref_init, page->private cleared), atomic64_inc(&pool->pages_nr).
    step alloc_page @ "mm/z3fold.c:z3fold_alloc" "alloc_page(); init_z3fold_page()" {
        ref[P1] = 1
        kref[P1] = 1
    }
    // v5.2: __SetPageMovable(page, pool->inode->i_mapping), PG_lock not taken.
    step set_movable @ "mm/z3fold.c:z3fold_alloc" "__SetPageMovable(page, pool->inode->i_mapping)" {
        __SetPageMovable(P1, user)
    }
    // z3fold_page_lock(zhdr); first_chunks = chunks; add_to_unbuddied() and
    // list_add(&page->lru, &pool->lru) under pool->lock; encode_handle(); z3fold_page_unlock().
    step store @ "mm/z3fold.c:z3fold_alloc" {
        await zlock[P1] == none
        objs[P1] = 1
        zpool[ZP] = pool_lists(zpool[ZP].lru | {P1}, zpool[ZP].unbuddied | {P1}, zpool[ZP].stale)
    }
    step free_lock @ "mm/z3fold.c:z3fold_free" "zhdr = handle_to_z3fold_header(handle); z3fold_page_lock(zhdr)" {
        await zlock[home] == none
        h = home
        zlock[home] = user
    }
    // first_chunks = 0, free_handle(), kref_put(): the last reference releases the page.
    // Else an isolated page, or one with NEEDS_COMPACTING already set, is left to whoever holds
    // the other reference; else test_and_set_bit(NEEDS_COMPACTING), kref_get() and
    // queue_work_on(zhdr->cpu, pool->compact_wq, &zhdr->work).
    step free @ "mm/z3fold.c:z3fold_free" {
        objs[h] = 0
        if kref[h] == 1 {
            __release_z3fold_page(h, 0)
            goto destroy
        }
        if isolated[h] || NEEDS_COMPACTING in zflags[h] {
            kref[h] -= 1
            zlock[h] = none
            goto destroy
        }
        zflags[h] = zflags[h] | {NEEDS_COMPACTING}
        if wq[CWQ].cpu_pwqs { cwq_works = cwq_works | {h} }
        zlock[h] = none
    }
    step destroy @ "mm/z3fold.c:z3fold_destroy_pool" {
        call z3fold_destroy_pool()
    }
}

// v5.2: kmem_cache_destroy(pool->c_handle) (the handle slots: not modelled),
// z3fold_unregister_migration() (iput(pool->inode)), destroy_workqueue(pool->release_wq),
// destroy_workqueue(pool->compact_wq), kfree(pool). destroy_workqueue() drains the queue
// (work queued by its own work included) and frees it.
func z3fold_destroy_pool() @ "mm/z3fold.c:z3fold_destroy_pool" {
    step unregister @ "mm/z3fold.c:z3fold_unregister_migration" "iput(pool->inode)" {
        free(inode, INO)
    }
    step release_wq @ "kernel/workqueue.c:destroy_workqueue" "destroy_workqueue(pool->release_wq)" {
        await !rwq_work && release_worker at idle
        free(wq, RWQ)
    }
    step compact_wq @ "kernel/workqueue.c:destroy_workqueue" "destroy_workqueue(pool->compact_wq)" {
        await cwq_works == {} && compact_worker at idle
        free(wq, CWQ)
    }
    step kfree @ "mm/z3fold.c:z3fold_destroy_pool" "kfree(pool)" {
        free(zpool, ZP)
    }
}

// ------------------------------------------------------------------ the workqueues

fair actor compact_worker "pool->compact_wq: compact_page_work() -> do_compact_page(zhdr, false)" {
    local cur: Pages = P1
    // Run a queued work item; once every other process has finished and nothing is queued,
    // stop (the model's end, not the workqueue's).
    step idle @ "kernel/workqueue.c:process_one_work" {
        either {
            await cwq_works != {}
            cur = any cwq_works
            cwq_works = cwq_works \ {cur}
        } or {
            await cwq_works == {} && zswap at done && (forall c in Cpus: compactor[c] at done)
            goto done
        }
    }
    step lock @ "mm/z3fold.c:do_compact_page" "z3fold_page_lock(zhdr)" {
        await zlock[cur] == none
        zlock[cur] = cwork
    }
    // test_and_clear_bit(NEEDS_COMPACTING) (WARN_ON if it was clear), list_del_init(&zhdr->buddy)
    // under pool->lock, kref_put(): the last reference releases the page; an isolated or stale
    // page is left alone; else z3fold_compact_page() and add_to_unbuddied() under pool->lock.
    step compact @ "mm/z3fold.c:do_compact_page" {
        if NEEDS_COMPACTING notin zflags[cur] {
            zlock[cur] = none
            goto idle
        }
        if kref[cur] == 1 {
            __release_z3fold_page(cur, 0)
            goto idle
        }
        kref[cur] -= 1
        zflags[cur] = zflags[cur] \ {NEEDS_COMPACTING}
        zpool[ZP].unbuddied = if isolated[cur] || PAGE_STALE in zflags[cur] then zpool[ZP].unbuddied \ {cur} else zpool[ZP].unbuddied | {cur}
        zlock[cur] = none
        goto idle
    }
}

fair actor release_worker "pool->release_wq: free_pages_work()" {
    local cur: Pages = P1
    step idle @ "kernel/workqueue.c:process_one_work" {
        either {
            await rwq_work
            rwq_work = false
        } or {
            await !rwq_work && zswap at done && compact_worker at done && (forall c in Cpus: compactor[c] at done)
            goto done
        }
    }
    // spin_lock(&pool->stale_lock); the first stale header off pool->stale (list_del); the
    // list empty: the work item returns.
    step take @ "mm/z3fold.c:free_pages_work" {
        if zpool[ZP].stale == {} { goto idle }
        cur = any zpool[ZP].stale
        zpool[ZP].stale = zpool[ZP].stale \ {cur}
    }
    // cancel_work_sync(&zhdr->work) (nothing is queued: the work holds a kref), then
    // free_z3fold_page(page, false): lock_page() ...
    step lock @ "mm/z3fold.c:free_z3fold_page" {
        lock_page(cur, rwork)
    }
    // ... __ClearPageMovable(), unlock_page(), ClearPagePrivate(), __free_page(): z3fold's
    // reference (the VM may hold another for a moment: get_page_unless_zero).
    step free @ "mm/z3fold.c:free_z3fold_page" {
        assert isolators[cur] == {}, "free_z3fold_page() of a page the VM holds isolated" as FreeNotIsolated
        mapping[cur] = if ref[cur] == 1 then null else typeonly
        ref[cur] -= 1
        pglock[cur] = none
        zflags[cur] = {}
        goto take
    }
}
