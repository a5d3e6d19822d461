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

    // The same in zs_page_migrate() after a successful migration of the last isolated
    // subpage; the unlocks (class->lock, migrate_write_unlock) follow in the next step.
    replace zs_page_migrate.copy {
        if zs_pool[pl].list != off_list || zs_inuse == 0 {
            zs_rwlock = unlocked
            spin_unlock(class_lock)
            return ebusy
        }
        either {
            zs_rwlock = unlocked
            spin_unlock(class_lock)
            return eagain
        } or {
            zs_pages = zs_pages \ {p}
            zs_isolated -= 1
            zs_iso = zs_iso \ {p}
            if zs_isolated == 0 {
                zs_pool[pl] = ZsPool(list: inuse_list, isolated_pages: zs_pool[pl].isolated_pages - 1, destroying: zs_pool[pl].destroying)
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
// Shortest use of the freed inode (20 steps): compactor C1 isolates P1 (isolate_movable_page,
// zs_page_isolate: the zspage leaves its class list) and locks it to migrate it; the user
// frees the last object (zs_free leaves the isolated zspage to zs_page_putback) and destroys
// the pool: flush_work() finds nothing queued, iput() frees the inode; C1's
// move_to_new_page() then tests PageMovable(), which reads page->mapping->a_ops of the freed
// inode. The pool itself (kfree'd next) is reached three steps later by the putback.
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
