// The compactor: the VM side, one compaction thread per CPU. v4.8 mm/compaction.c and
// mm/migrate.c. One loop picks a page, isolates it (isolate_movable_page(), a function that
// returns whether the page is now the VM's), then migrates it (unmap_and_move /
// move_to_new_page) or puts it back (putback_movable_pages), and starts again. The new page
// of a migration is outside the model: only the old page's fate matters.
//
// Steps that the kernel runs under PG_lock with no blocking in between are sometimes merged
// into one atomic step (the last action under the lock followed by unlock_page and put_page);
// a PG_lock-respecting actor cannot observe the difference.

fair actor compactor(self in Cpus) "one compaction thread per CPU (kcompactd, direct compaction)" {
    // The page this thread works on, and whether isolate_movable_page() gave it to the VM.
    local p: Pages
    local ok: bool = false

    // Lockless pre-check before isolate_movable_page(): __PageMovable(page) &&
    // !PageIsolated(page), then the call. Nothing to look at: the thread ends.
    step scan @ "mm/compaction.c:isolate_migratepages_block" {
        if exists x in Pages: __PageMovable(x) && !PageIsolated(x) {
            p = any {x in Pages where __PageMovable(x) && !PageIsolated(x)}
            ok = call isolate_movable_page(p, self)
        } else {
            goto done
        }
    }

    // Not isolated: look for another page. page_count(page) == 1: the driver released the
    // page while it was isolated, the VM holds the last reference. Otherwise
    // __unmap_and_move() takes PG_lock (lock_page: compaction may sleep here).
    step migrate @ "mm/migrate.c:unmap_and_move" {
        if !ok { goto scan }
        ok = false
        if ref[p] == 1 {
            goto freed
        }
        lock_page(p, self)
    }

    // !PageMovable: released by the driver after isolation, no callback; clear PG_isolated
    // and report success. Otherwise a_ops->migratepage(); on success PG_isolated is cleared
    // under the lock, on -EAGAIN the page stays isolated.
    step move @ "mm/migrate.c:move_to_new_page" {
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

    // Migration failed: __unmap_and_move() unlocks; the page goes back at the end of the pass.
    step fail_unlock @ "mm/migrate.c:__unmap_and_move" {
        unlock_page(p, self)
    }

    // lock_page(); PageMovable ? putback_movable_page() (a_ops->putback_page,
    // __ClearPageIsolated) : __ClearPageIsolated().
    step putback @ "mm/migrate.c:putback_movable_pages" {
        lock_page(p, self)
        if PageMovable(p) {
            drv_putback_page(p)
        }
        __ClearPageIsolated(p, self)
        goto unlock_put
    }

    // The page was freed from under us: lock_page(); if !PageMovable, __ClearPageIsolated().
    step freed @ "mm/migrate.c:unmap_and_move" {
        lock_page(p, self)
        if !PageMovable(p) {
            __ClearPageIsolated(p, self)
        }
        goto unlock_put
    }

    // unlock_page(page) in __unmap_and_move() / putback_movable_pages(), then put_page(page):
    // drop the reference taken by isolate_movable_page().
    step unlock_put @ "mm/migrate.c:unmap_and_move" {
        unlock_page(p, self)
        put_page(p)
        goto scan
    }
}

// isolate_movable_page(): get_page_unless_zero(), __PageMovable() before touching PG_lock,
// trylock_page(), PageMovable() && !PageIsolated() under the lock, a_ops->isolate_page(),
// __SetPageIsolated(), unlock_page(). Returns whether the page is now the VM's; on false it
// has dropped the reference it took.
func isolate_movable_page(p: Pages, cpu: Cpus) -> bool @ "mm/migrate.c:isolate_movable_page" {
    // A page being freed (refcount 0) is skipped.
    step get @ "include/linux/mm.h:get_page_unless_zero" {
        if ref[p] == 0 { return false }
        ref[p] += 1
    }

    // __PageMovable() before touching PG_lock: the owner of a new page sets its flags with
    // non-atomic operations and assumes nobody else takes PG_lock.
    step movable @ "mm/migrate.c:isolate_movable_page" {
        if !__PageMovable(p) {
            goto out_putpage
        }
    }

    step trylock @ "mm/migrate.c:isolate_movable_page" {
        trylock_page(p, cpu, out_putpage)
    }

    // Under PG_lock: still the driver's (PageMovable) and not isolated by another thread.
    step recheck @ "mm/migrate.c:isolate_movable_page" {
        if !PageMovable(p) || PageIsolated(p) {
            goto out_no_isolated
        }
    }

    // mapping->a_ops->isolate_page(page, mode)
    step isolate @ "mm/migrate.c:isolate_movable_page" {
        drv_isolate_page(p)
    }

    // __SetPageIsolated(page); unlock_page(page): the page is on the VM's migrate list.
    step set_isolated @ "mm/migrate.c:isolate_movable_page" {
        __SetPageIsolated(p, cpu)
        unlock_page(p, cpu)
        return true
    }

    // out_no_isolated: unlock_page(); out_putpage: put_page().
    step out_no_isolated @ "mm/migrate.c:isolate_movable_page" {
        unlock_page(p, cpu)
        put_page(p)
        return false
    }

    step out_putpage @ "mm/migrate.c:isolate_movable_page" {
        put_page(p)
        return false
    }
}
