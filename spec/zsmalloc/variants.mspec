// The kernel eras of zsmalloc's pool lifetime against page migration. v4_8 is the base (the
// model as written in the other files); each later era is a delta over the one before.

variant v4_8 "v4.8: zs_unregister_migration() flushes free_work and iputs the inode, whatever the VM still holds isolated" source "commit 48b4800a1c6a (v4.8-rc1), mm/zsmalloc.c"

// Commit 701d678599d0 ("mm/zsmalloc.c: fix race condition in zs_destroy_pool", Henry Burns,
// 2019-08-24, v5.3-rc6): "Since we know at destroy time all objects should be free, no new
// migrations can come in (since zs_page_isolate() fails for fully-free zspages). This means
// it is sufficient to track a "# isolated zspages" count by class, and have the destroy
// logic ensure all such pages have drained before proceeding."
variant v5_3 extends v4_8 "pool->isolated_pages, pool->destroying and migration_wait: zs_unregister_migration() waits for the isolated zspages to drain before flush_work() and iput()" source "commit 701d678599d0 (v5.3-rc6), mm/zsmalloc.c" {
    var migration_wait "pool->migration_wait (the wait queue head lives in the pool)": waitqueue

    // The pool counts the zspages it has isolated: exactly the zspages with a subpage
    // zs_page_isolate granted and the VM has not given back.
    invariant PoolIsolatedAccounting "pool->isolated_pages counts the isolated zspages":
        ZP in zs_pool.allocated => zs_pool[ZP].isolated_pages == (if zs_isolated > 0 then 1 else 0)

    // atomic_long_inc(&pool->isolated_pages) before remove_zspage() on the first isolation.
    replace zs_page_isolate.isolate {
        if zs_inuse == 0 || (zs_pool[pl].list == off_list && zs_isolated == 0) {
            spin_unlock(class_lock)
            return false
        }
        if zs_isolated == 0 {
            zs_pool[pl] = ZsPool(list: off_list, isolated_pages: zs_pool[pl].isolated_pages + 1, destroying: zs_pool[pl].destroying)
        }
        zs_isolated += 1
        zs_iso = zs_iso | {p}
        spin_unlock(class_lock)
        return true
    }

    // putback_zspage_deferred() (putback_zspage(), schedule_work() if the zspage is empty)
    // and zs_pool_dec_isolated(): atomic_long_dec(), then, in the next step, "if
    // (atomic_long_read(&pool->isolated_pages) == 0 && pool->destroying)
    // wake_up_all(&pool->migration_wait)", still under class->lock.
    replace zs_page_putback.putback {
        zs_isolated -= 1
        zs_iso = zs_iso \ {p}
        if zs_isolated == 0 {
            zs_pool[pl] = ZsPool(list: if zs_inuse == 0 then empty_list else inuse_list, isolated_pages: zs_pool[pl].isolated_pages - 1, destroying: zs_pool[pl].destroying)
            if zs_inuse == 0 { free_work = true }
        } else {
            spin_unlock(class_lock)
            return
        }
    }
    insert after zs_page_putback.putback step dec_isolated @ "mm/zsmalloc.c:zs_pool_dec_isolated" {
        if zs_pool[pl].isolated_pages == 0 && zs_pool[pl].destroying {
            wake_up_all(migration_wait)
        }
        spin_unlock(class_lock)
    }

    // zs_page_migrate() of v5.3: an empty zspage is migrated too (Hui Zhu's 2017 change
    // "Set "offset" to end of the page so that every loops skips unnecessary object
    // scanning" replaced v4.8's -EBUSY), and the last isolated subpage goes through
    // putback_zspage_deferred() (commit 1a87aa03597e, "migration can leave pages in ZS_EMPTY
    // indefinitely": schedule_work() if the zspage is empty) and zs_pool_dec_isolated(); the
    // wake-up and the unlocks (class->lock, migrate_write_unlock) follow in the next step.
    replace zs_page_migrate.copy {
        either {
            await zs_inuse > 0
            assert zs_pool[pl].list == off_list, "zs_page_migrate(): the isolated zspage is on a class list" as Assertions
            zs_rwlock = unlocked
            spin_unlock(class_lock)
            return eagain
        } or {
            assert zs_pool[pl].list == off_list, "zs_page_migrate(): the isolated zspage is on a class list" as Assertions
            zs_pages = zs_pages \ {p}
            zs_isolated -= 1
            zs_iso = zs_iso \ {p}
            if zs_isolated == 0 {
                zs_pool[pl] = ZsPool(list: if zs_inuse == 0 then empty_list else inuse_list, isolated_pages: zs_pool[pl].isolated_pages - 1, destroying: zs_pool[pl].destroying)
                if zs_inuse == 0 { free_work = true }
            }
            mapping[p] = typeonly
            ref[p] -= 1
        }
    }
    insert after zs_page_migrate.copy step dec_isolated @ "mm/zsmalloc.c:zs_pool_dec_isolated" {
        if zs_pool[pl].isolated_pages == 0 && zs_pool[pl].destroying {
            wake_up_all(migration_wait)
        }
        zs_rwlock = unlocked
        spin_unlock(class_lock)
        return success
    }

    // pool->destroying = true; smp_mb(); wait_for_isolated_drain(): wait_event(
    // pool->migration_wait, pool_isolated_are_drained(pool)); then flush_work() and iput().
    // The model is sequentially consistent: smp_mb() has nothing to order.
    insert before zs_unregister_migration.flush step destroying @ "mm/zsmalloc.c:zs_unregister_migration" {
        zs_pool[ZP].destroying = true
    }
    insert after zs_unregister_migration.destroying step drain @ "mm/zsmalloc.c:wait_for_isolated_drain" {
        wait_event(migration_wait, zs_pool[ZP].isolated_pages == 0)
    }
}

// v4.8: nothing orders zs_destroy_pool() after the VM's last use of an isolated page.
// Shortest use of the freed inode (19 steps): compactor C1 isolates P1 (isolate_movable_page,
// zs_page_isolate: the zspage leaves its class list) and locks it to migrate it; the user
// frees the last object (zs_free leaves the isolated zspage to zs_page_putback) and destroys
// the pool: flush_work() finds nothing queued, iput() frees the inode; C1's
// move_to_new_page() then tests PageMovable(), which reads page->mapping->a_ops of the freed
// inode. The pool (22 steps): C1 is already inside zs_page_migrate() (it read the inode and
// took class->lock before the iput) when zs_destroy_pool() kfrees the pool and its classes,
// and its next step reads the freed size_class.
// DrainedBeforeFree fails with them (the pool is freed while P1 is isolated), and the leak
// of the message's "memory leak could lead to an eventual crash if compaction hits the
// leaked page". Every other property holds: isolation stays exclusive (PG_lock and
// PG_isolated), the counts agree, zs_destroy_pool() returns, nothing deadlocks.
expect v4_8 violates NoUseOfFreedMapping, NoUseOfFreedPool, DrainedBeforeFree
expect v4_8 holds all

// 701d678599d0: the first isolation counts the zspage in pool->isolated_pages under
// class->lock, the putback or migration of its last isolated subpage uncounts it, and
// zs_unregister_migration() sets pool->destroying before it waits (wait_event queues and
// tests in one step) for the count to reach 0, so the decrement either finds destroying set
// and wakes it or comes before its test. Only then flush_work() (the putback queued the
// free of the empty zspage before the count dropped, so the flush waits for it, and the
// worker's lock_zspage() waits for the VM's unlock_page()) and iput(). After the count is 0
// no isolation can start (zs_page_isolate() refuses an empty zspage), so nothing reaches the
// inode or the pool once they are freed, and zs_destroy_pool() returns under fairness (every
// compactor it waits for puts its page back).
expect v5_3 holds all

// v5.17: Minchan Kim's series (read as applied in the v5.16-rc2-rt4 delta, "patches from
// Minchan Kim which have been applied to akpm tree") removed the zspage isolation:
// zs_page_isolate() only counts the subpage under migrate_write_lock(zspage), zs_free()
// frees an empty zspage whether or not a subpage is isolated (free_zspage(): trylock_zspage(),
// or the deferred free if the VM holds a subpage's PG_lock), pool->migrate_lock orders
// zs_free() against zs_page_migrate(), and the drain of 701d678599d0 went with
// pool->isolated_pages: zs_unregister_migration() is flush_work() and iput() again.
variant v5_17 extends v4_8 "no zspage isolation: zs_free() releases an isolated zspage under PG_lock, the VM rechecks PageMovable() under PG_lock; the inode stays, the drain goes" source "Minchan Kim's zsmalloc locking rework (v5.17), as in the v5.16-rc2-rt4 delta" {
    var pool_migrate_lock "pool->migrate_lock (read in zs_free, write in zs_page_migrate)": RwLock = unlocked

    // migrate_write_lock(zspage); inc_zspage_isolation(); migrate_write_unlock(): no
    // refusal, no pool.
    func zs_page_isolate(p: Pages) -> bool @ "mm/zsmalloc.c:zs_page_isolate" {
        step isolate @ "mm/zsmalloc.c:zs_page_isolate" {
            await zs_rwlock == unlocked
            assert isolators[p] == {}, "zs_page_isolate() on a page the VM holds isolated" as ExclusiveIsolate
            zs_isolated += 1
            zs_iso = zs_iso | {p}
            return true
        }
    }

    // -EINVAL for MIGRATE_SYNC_NO_COPY; else pool = mapping->private_data,
    // write_lock(&pool->migrate_lock), class = zspage_class(pool, zspage),
    // spin_lock(&class->lock), migrate_write_lock(zspage).
    func zs_page_migrate(p: Pages) -> MigrateRc @ "mm/zsmalloc.c:zs_page_migrate" {
        local pl: Pools = ZP
        step lock @ "mm/zsmalloc.c:zs_page_migrate" {
            either {
                return einval
            } or {
                await pool_migrate_lock == unlocked && zs_rwlock == unlocked
                spin_lock(class_lock)
                pool_migrate_lock = write_held
                zs_rwlock = write_held
                pl = inode[INO].private_data
            }
        }
        // The objects move, replace_sub_page(); write_unlock(&pool->migrate_lock),
        // spin_unlock(&class->lock), dec_zspage_isolation(), migrate_write_unlock();
        // reset_page(page), put_page(page). The class (pool memory) is read through the
        // zspage; from v5.17 isolation leaves a zspage in use on its class list (an empty one
        // may be on the deferred free's list already, waiting in lock_zspage() for this
        // PG_lock).
        step copy @ "mm/zsmalloc.c:zs_page_migrate" {
            assert !zs_freed, "zs_page_migrate() on a freed zspage (the pool's zspage cache)" as NoUseOfFreedPool
            assert zs_inuse == 0 || zs_pool[pl].list == inuse_list, "zs_page_migrate(): a zspage in use is off its class list" as Assertions
            zs_pages = zs_pages \ {p}
            zs_isolated -= 1
            zs_iso = zs_iso \ {p}
            mapping[p] = typeonly
            ref[p] -= 1
            pool_migrate_lock = unlocked
            zs_rwlock = unlocked
            spin_unlock(class_lock)
            return success
        }
    }

    // migrate_write_lock(zspage); dec_zspage_isolation(); migrate_write_unlock().
    func zs_page_putback(p: Pages) @ "mm/zsmalloc.c:zs_page_putback" {
        step putback @ "mm/zsmalloc.c:zs_page_putback" {
            await zs_rwlock == unlocked
            zs_isolated -= 1
            zs_iso = zs_iso \ {p}
        }
    }

    // read_lock(&pool->migrate_lock); class = zspage_class(); spin_lock(&class->lock);
    // read_unlock(&pool->migrate_lock)
    replace user.free_lock @ "mm/zsmalloc.c:zs_free" {
        await pool_migrate_lock == unlocked
        spin_lock(class_lock)
    }
    // obj_free(); fix_fullness_group() -> ZS_EMPTY; free_zspage() whether or not a subpage is
    // isolated: trylock_zspage() and __free_zspage() (the zspage and its isolation count go
    // with it), or kick_deferred_free() if the VM holds a subpage's PG_lock.
    replace user.free @ "mm/zsmalloc.c:zs_free" {
        zs_inuse = 0
        if exists x in zs_pages: pglock[x] != none {
            zs_pool[ZP].list = empty_list
            free_work = true
            spin_unlock(class_lock)
            goto destroy
        }
        zs_pool[ZP].list = off_list
        mapping = [x in Pages |-> if x in zs_pages then (if ref[x] == 1 then null else typeonly) else mapping[x]]
        ref = [x in Pages |-> if x in zs_pages then ref[x] - 1 else ref[x]]
        zs_pages = {}
        zs_isolated = 0
        zs_iso = {}
        zs_freed = true
        spin_unlock(class_lock)
    }
    replace worker.free @ "mm/zsmalloc.c:__free_zspage" {
        assert zs_inuse == 0, "__free_zspage() of a zspage in use" as Assertions
        zs_pool[ZP].list = off_list
        mapping = [x in Pages |-> if x in zs_pages then (if ref[x] == 1 then null else typeonly) else mapping[x]]
        ref = [x in Pages |-> if x in zs_pages then ref[x] - 1 else ref[x]]
        pglock = [x in Pages |-> if x in zs_pages then none else pglock[x]]
        zs_pages = {}
        zs_isolated = 0
        zs_iso = {}
        zs_freed = true
        spin_unlock(class_lock)
        goto idle
    }

    // unmap_and_move(): zsmalloc may now drop its reference of an isolated page, so
    // `page_count(page) == 1` ("page was freed from under us") can hold: lock_page(); if
    // !PageMovable(), __ClearPageIsolated().
    replace compactor.migrate {
        if !ok { goto scan }
        if ref[p] == 1 { goto freed }
        lock_page(p, self)
    }
    insert after compactor.unlock_put step freed @ "mm/migrate.c:unmap_and_move" {
        lock_page(p, self)
        if !PageMovable(p) {
            __ClearPageIsolated(p, self)
            isolators[p] = isolators[p] \ {self}
        }
        goto unlock_put
    }
}

// v5.17: nothing waits for the VM, and for the pool and the inode nothing needs to.
// zs_free() releases the zspage under the PG_lock of each subpage (trylock_zspage()), so a
// subpage the VM holds isolated but not locked loses its movable mapping (reset_page())
// before zs_destroy_pool() can start; every callback of the VM follows a PageMovable() test
// under PG_lock, which then fails. A subpage the VM holds locked makes zs_free() defer the
// free to free_work, which zs_destroy_pool() flushes, and whose lock_zspage() waits for the
// VM's unlock_page(). But that wait is the hole commit 2505a981114d closed (25 steps):
// compactor C1 isolates P1 and locks it to migrate it; the user's zs_free() finds P1 locked
// and queues free_work; the worker splices the zspage and its lock_zspage() picks P1, whose
// PG_lock it waits for; C1's zs_page_migrate() moves P1's objects to the new page, P1
// leaves the zspage (replace_sub_page) and C1 unlocks and puts it: the worker then locks a
// page that is no longer the zspage's (it was freed meanwhile) and would next walk
// P1's page->freelist. Everything else holds.
expect v5_17 violates LockZspageOwnPages
expect v5_17 holds all

// Commit 68f2736a8583 ("mm: Convert all PageMovable users to movable_operations", read as
// posted on 2022-06-07) dropped the inode: __SetPageMovable(page, &zsmalloc_mops),
// `pool = zspage->pool` in zs_migrate_page() ("The page is locked, so this pointer must
// remain valid"), zs_destroy_pool() calls flush_work(&pool->free_work) where it called
// zs_unregister_migration(). By then lock_zspage() had commit 2505a981114d (Sultan Alsawaf,
// "zsmalloc: fix races between asynchronous zspage free and page migration", read in its
// stable backport): under migrate_read_lock(zspage), trylock_page() the next subpage; if it
// is locked, get_page(), migrate_read_unlock(), wait_on_page_locked(), put_page() and look
// again.
variant v6_0 extends v5_17 "movable_operations, no inode; lock_zspage() under migrate_read_lock" source "commit 68f2736a8583 (v6.0-rc1), commit 2505a981114d" {
    // page_movable_ops(page): a static table in zsmalloc's text; no object is dereferenced.
    def PageMovable(p) = mapping[p] == ops

    // pool = zspage->pool, no mapping->private_data.
    replace zs_page_migrate.lock @ "mm/zsmalloc.c:zs_migrate_page" {
        either {
            return einval
        } or {
            await pool_migrate_lock == unlocked && zs_rwlock == unlocked
            spin_lock(class_lock)
            pool_migrate_lock = write_held
            zs_rwlock = write_held
        }
    }
    replace zs_page_migrate.copy @ "mm/zsmalloc.c:zs_migrate_page" {
        assert !zs_freed, "zs_migrate_page() on a freed zspage (the pool's zspage cache)" as NoUseOfFreedPool
        assert zs_inuse == 0 || zs_pool[pl].list == inuse_list, "zs_migrate_page(): a zspage in use is off its class list" as Assertions
        zs_pages = zs_pages \ {p}
        zs_isolated -= 1
        zs_iso = zs_iso \ {p}
        mapping[p] = typeonly
        ref[p] -= 1
        pool_migrate_lock = unlocked
        zs_rwlock = unlocked
        spin_unlock(class_lock)
        return success
    }

    // zs_destroy_pool(): flush_work(&pool->free_work), no inode to put.
    replace zs_unregister_migration.iput @ "mm/zsmalloc.c:zs_destroy_pool" { skip }

    // migrate_read_lock(zspage); page = the next subpage; trylock_page(): locked, go on;
    // else get_page() and, after migrate_read_unlock(), wait for the page's unlock.
    replace worker.lock_zspage @ "mm/zsmalloc.c:lock_zspage" {
        await zs_rwlock != write_held
        if exists x in zs_pages: pglock[x] != work {
            cur = any {x in zs_pages where pglock[x] != work}
            if pglock[cur] == none {
                pglock[cur] = work
                // chosen from the chain under the read lock that migration's write lock
                // excludes: a subpage of the zspage by construction
                assert cur in zs_pages, "lock_zspage() locked a page that is no longer the zspage's" as LockZspageOwnPages
                goto lock_zspage
            }
            ref[cur] += 1
        } else {
            goto free_lock
        }
    }
    // wait_on_page_locked(page); put_page(page); then look at the chain again.
    replace worker.lock_cur @ "include/linux/pagemap.h:wait_on_page_locked" {
        await pglock[cur] == none
        put_page(cur)
        goto lock_zspage
    }
}

// v6.0: as v5.17, with lock_zspage() choosing and trylocking each subpage under
// migrate_read_lock(zspage), which zs_migrate_page()'s migrate_write_lock() excludes: a
// subpage it waits for and that migrates away meanwhile is looked up again (only waited
// for, under a reference of its own), never locked. The mapping object (zsmalloc_mops) is
// never freed; the pool is reached only through a zspage whose subpage the VM holds locked.
expect v6_0 holds all
