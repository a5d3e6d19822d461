// The VM: one compaction pass per CPU, v4.8 mm/compaction.c and mm/migrate.c, as
// spec/compactor.mspec models them, with the kernel functions that return a value written as
// functions: isolate_movable_page() (true: isolated), move_to_new_page() (the callback's
// result), putback_movable_pages() for one page. The new page of a migration is outside the
// model: only the old page's fate, and what the VM dereferences on the way, matter.

// MIGRATEPAGE_SUCCESS, -EAGAIN (zs_page_migrate() could not pin an object: a user has it
// mapped, retried later), -EBUSY (the zspage has no object left), -EINVAL (5.x:
// MIGRATE_SYNC_NO_COPY, which zsmalloc refuses).
enum MigrateRc { success, eagain, ebusy, einval }

fair actor compactor(self in Cpus) "one compaction pass on each CPU (kcompactd, direct compaction)" {
    local p: Pages
    // isolate_migratepages_block() walks the pageblock's pfns once per pass: each page is
    // looked at at most once by a compactor (a second pass is another compactor).
    local tried: set of Pages = {}
    local ok: bool = false
    local rc: MigrateRc = eagain

    // The lockless pre-check __PageMovable(page) && !PageIsolated(page); nothing left: done.
    step scan @ "mm/compaction.c:isolate_migratepages_block" {
        if exists x in Pages: x notin tried && __PageMovable(x) && !PageIsolated(x) {
            p = any {x in Pages where x notin tried && __PageMovable(x) && !PageIsolated(x)}
            tried = tried | {p}
        } else {
            goto done
        }
    }

    step isolate @ "mm/compaction.c:isolate_migratepages_block" {
        ok = call isolate_movable_page(p, self)
    }

    // migrate_pages() -> unmap_and_move() -> __unmap_and_move(): lock_page() (compaction may
    // sleep). v4.8's `page_count(page) == 1` test ("page was freed from under us") never
    // holds with zsmalloc before 2021: it keeps its reference of an isolated page.
    step migrate @ "mm/migrate.c:unmap_and_move" {
        if !ok { goto scan }
        lock_page(p, self)
    }

    step move @ "mm/migrate.c:__unmap_and_move" {
        rc = call move_to_new_page(p, self)
    }

    // Migrated: unlock and drop the VM's reference. Failed: __unmap_and_move() unlocks; the
    // page is put back (-EBUSY at once in unmap_and_move(), -EAGAIN after the retry passes,
    // which the model folds into this one attempt).
    step fail_unlock @ "mm/migrate.c:__unmap_and_move" {
        if rc == success { goto unlock_put }
        unlock_page(p, self)
    }

    step putback @ "mm/migrate.c:putback_movable_pages" {
        call putback_movable_pages(p, self)
    }

    // unlock_page() in __unmap_and_move() / putback_movable_pages(), then put_page(): the
    // reference isolate_movable_page() took.
    step unlock_put @ "mm/migrate.c:unmap_and_move" {
        unlock_page(p, self)
        put_page(p)
        goto scan
    }
}

// isolate_movable_page(): get_page_unless_zero(), __PageMovable() before touching PG_lock,
// trylock_page(), PageMovable() && !PageIsolated() under the lock, a_ops->isolate_page(),
// __SetPageIsolated(), unlock_page(). Returns whether the page is now the VM's.
func isolate_movable_page(p: Pages, c: Cpus) -> bool @ "mm/migrate.c:isolate_movable_page" {
    local got: bool = false
    step get @ "include/linux/mm.h:get_page_unless_zero" {
        if ref[p] == 0 { return false }
        ref[p] += 1
    }
    step movable @ "mm/migrate.c:isolate_movable_page" {
        if !__PageMovable(p) {
            put_page(p)
            return false
        }
    }
    step trylock @ "include/linux/pagemap.h:trylock_page" {
        if pglock[p] != none {
            put_page(p)
            return false
        }
        pglock[p] = c
    }
    // PageMovable() reads page->mapping->a_ops: the inode's address_space.
    step recheck @ "mm/migrate.c:isolate_movable_page" {
        if !PageMovable(p) || PageIsolated(p) {
            unlock_page(p, c)
            put_page(p)
            return false
        }
        got = call zs_page_isolate(p)
    }
    step set_isolated @ "mm/migrate.c:isolate_movable_page" {
        if !got {
            unlock_page(p, c)
            put_page(p)
            return false
        }
        __SetPageIsolated(p, c)
        isolators[p] = isolators[p] | {c}
        unlock_page(p, c)
        return true
    }
}

// move_to_new_page() for a non-LRU page, under PG_lock: !PageMovable() (released by the
// driver after isolation): clear PG_isolated, success without a callback; else
// a_ops->migratepage(), and on success __ClearPageIsolated() (the page is still
// __PageMovable: reset_page() left the type bit).
func move_to_new_page(p: Pages, c: Cpus) -> MigrateRc @ "mm/migrate.c:move_to_new_page" {
    local res: MigrateRc = eagain
    step test @ "mm/migrate.c:move_to_new_page" {
        if !PageMovable(p) {
            __ClearPageIsolated(p, c)
            isolators[p] = isolators[p] \ {c}
            return success
        }
        res = call zs_page_migrate(p)
    }
    step cleared @ "mm/migrate.c:move_to_new_page" {
        if res == success {
            __ClearPageIsolated(p, c)
            isolators[p] = isolators[p] \ {c}
        }
        return res
    }
}

// putback_movable_pages() for one page: lock_page(); PageMovable() ? putback_movable_page()
// (a_ops->putback_page(), __ClearPageIsolated()) : __ClearPageIsolated(). The caller unlocks
// and puts the page.
func putback_movable_pages(p: Pages, c: Cpus) @ "mm/migrate.c:putback_movable_pages" {
    step lock @ "include/linux/pagemap.h:lock_page" {
        lock_page(p, c)
    }
    step test @ "mm/migrate.c:putback_movable_pages" {
        if !PageMovable(p) {
            __ClearPageIsolated(p, c)
            isolators[p] = isolators[p] \ {c}
            return
        }
        call zs_page_putback(p)
    }
    step clear @ "mm/migrate.c:putback_movable_page" {
        __ClearPageIsolated(p, c)
        isolators[p] = isolators[p] \ {c}
    }
}
