// The compactor: v4.8 mm/compaction.c (the scan, compaction_alloc) and mm/migrate.c
// (isolate_movable_page, unmap_and_move, __unmap_and_move, move_to_new_page,
// putback_movable_pages). One thread per CPU picks a page, isolates it, takes a new page,
// migrates or puts back, and starts again. The new page of a migration is a page of the
// model: it becomes a balloon page, and a freed old page may be allocated again.

// isolate_movable_page(): get_page_unless_zero, the lockless __PageMovable() peek,
// trylock_page, PageMovable && !PageIsolated under the lock, a_ops->isolate_page,
// __SetPageIsolated, unlock_page. Returns whether the page was isolated; the reference it
// took is kept on success and dropped on every failure.
func isolate_movable_page(p: Pages, who: Cpus) -> bool @ "mm/migrate.c:isolate_movable_page" {
    local locked: bool = false
    local ok: bool = false

    // "Avoid burning cycles with pages that are yet under __free_pages()".
    step get @ "include/linux/mm.h:get_page_unless_zero" {
        if ref[p] == 0 { return false }
        ref[p] += 1
    }
    // "Check PageMovable before holding a PG_lock because page's owner assumes anybody
    // doesn't touch PG_lock of newly allocated page" (v4.8 comment).
    step peek @ "mm/migrate.c:isolate_movable_page" "if (unlikely(!__PageMovable(page))) goto out_putpage" {
        if !__PageMovable(p) {
            put_page(p)
            return false
        }
    }
    step trylock @ "mm/migrate.c:isolate_movable_page" { locked = call trylock_page(p, who) }
    step recheck @ "mm/migrate.c:isolate_movable_page" "if (!PageMovable(page) || PageIsolated(page)) goto out_no_isolated" {
        if !locked {
            put_page(p)
            return false
        }
        if !PageMovable(p) || PageIsolated(p) {
            unlock_page(p, who)
            put_page(p)
            return false
        }
    }
    step isolate @ "mm/migrate.c:isolate_movable_page" "mapping->a_ops->isolate_page(page, mode)" { ok = call balloon_page_isolate(p) }
    // "Driver shouldn't use PG_isolated bit of page->flags": the VM sets it.
    step set_isolated @ "mm/migrate.c:isolate_movable_page" "__SetPageIsolated(page); unlock_page(page); return true" {
        if !ok {
            unlock_page(p, who)
            put_page(p)
            return false
        }
        __SetPageIsolated(p, who)
        vm_isolated[p] = vm_isolated[p] | {who}
        unlock_page(p, who)
        return true
    }
}

actor compactor(self in Cpus) "one compaction thread per CPU (kcompactd, direct compaction)" {
    // Locals are reset once their value is dead, so that states do not differ by stale values.
    local p: Pages | {none} = none
    local newp: Pages | {none} = none
    local ok: bool = false

    // isolate_migratepages_block(): a page that is not on the LRU is tried if
    // __PageMovable(page) && !PageIsolated(page), both read without any lock. The thread may
    // also stop (compaction finished).
    step scan @ "mm/compaction.c:isolate_migratepages_block" {
        either {
            any x in {x in Pages where __PageMovable(x) && !PageIsolated(x)} { p = x }
        } or {
            goto done
        }
    }
    step isolate @ "mm/compaction.c:isolate_migratepages_block" { ok = call isolate_movable_page(p, self) }

    // unmap_and_move(): newpage = get_new_page() (compaction_alloc: a free page, refcount 1),
    // -ENOMEM if there is none; then `if (page_count(page) == 1)`: the page was freed from
    // under us. A balloon page keeps the balloon's reference while isolated, so that branch
    // is an assertion here.
    // Not isolated: back to the scan (this test reads only the thread's own result, so it
    // shares the step).
    step alloc @ "mm/compaction.c:compaction_alloc" {
        if !ok {
            p = none
            goto scan
        }
        assert ref[p] != 1, "unmap_and_move(): page_count(page) == 1, a balloon page freed while isolated" as NoReleaseWhileIsolated
        if allocs > 0 && (exists x in Pages: ref[x] == 0) {
            any x in {x in Pages where ref[x] == 0} {
                newp = x
                ref[x] = 1
            }
            allocs -= 1
            goto lock_old
        } else {
            goto putback
        }
    }
    // The next pass of migrate_pages() on a page that stays isolated.
    step retry @ "mm/migrate.c:migrate_pages" {
        if allocs > 0 && (exists x in Pages: ref[x] == 0) {
            any x in {x in Pages where ref[x] == 0} {
                newp = x
                ref[x] = 1
            }
            allocs -= 1
        } else {
            goto putback
        }
    }
    // __unmap_and_move(): lock_page(page) (the forced, synchronous pass).
    step lock_old @ "mm/migrate.c:__unmap_and_move" { lock_page(p, self) }
    // "Block others from accessing the new page when we get around to establishing
    // additional references ... We used to have a BUG here if trylock_page(newpage) fails,
    // but would like to allow for cases where there might be a race with the previous use of
    // newpage."
    step lock_new @ "mm/migrate.c:__unmap_and_move" { ok = call trylock_page(newp, self) }
    // move_to_new_page(): a non-LRU page that the driver released after isolation
    // (!PageMovable) is not migrated: __ClearPageIsolated, success. Otherwise
    // a_ops->migratepage(). (The tests read only what this thread holds locked.)
    step migratepage @ "mm/migrate.c:move_to_new_page" {
        if !ok { goto fail_old }
        if !PageMovable(p) {
            __ClearPageIsolated(p, self)
            vm_isolated[p] = vm_isolated[p] \ {self}
            goto moved
        }
        ok = call balloon_page_migrate(newp, p, self)
    }
    // On MIGRATEPAGE_SUCCESS: `if (__PageMovable(page)) __ClearPageIsolated(page)` under the
    // lock; then __unmap_and_move() unlocks newpage and page (merged: one step, page's lock
    // released last), and unmap_and_move() drops the isolation's reference with put_page(page)
    // (the old page is freed: the balloon dropped its own).
    step migrated @ "mm/migrate.c:move_to_new_page" {
        if !ok { goto fail_new }
        __ClearPageIsolated(p, self)
        vm_isolated[p] = vm_isolated[p] \ {self}
    }
    step moved @ "mm/migrate.c:unmap_and_move" {
        unlock_page(p, self)
        pglock[newp] = none
        put_page(p)
    }
    // __unmap_and_move(): `if (unlikely(__PageMovable(newpage))) put_page(newpage)`: the
    // allocation's reference; the balloon's get_page() keeps the new page.
    step moved_new @ "mm/migrate.c:__unmap_and_move" {
        put_page(newp)
        p = none
        newp = none
        ok = false
        goto scan
    }

    // Migration failed (-EAGAIN from virtballoon_migratepage(), or newpage busy): unlock both,
    // give newpage back (compaction_free), then retry on a later pass or put the page back.
    step fail_new @ "mm/migrate.c:__unmap_and_move" { unlock_page(newp, self) }
    step fail_old @ "mm/migrate.c:__unmap_and_move" { unlock_page(p, self) }
    step free_new @ "mm/compaction.c:compaction_free" {
        put_page(newp)
        newp = none
        either { goto retry } or { goto putback }
    }

    // putback_movable_pages(): lock_page(); PageMovable ? putback_movable_page()
    // (a_ops->putback_page, __ClearPageIsolated) : __ClearPageIsolated(); unlock_page();
    // put_page().
    step putback @ "mm/migrate.c:putback_movable_pages" { lock_page(p, self) }
    step putback_page @ "mm/migrate.c:putback_movable_page" {
        if PageMovable(p) { call balloon_page_putback(p) }
    }
    step putback_done @ "mm/migrate.c:putback_movable_pages" {
        __ClearPageIsolated(p, self)
        vm_isolated[p] = vm_isolated[p] \ {self}
        unlock_page(p, self)
        put_page(p)
        p = none
        ok = false
        goto scan
    }
}
