// The VM: one compaction pass per CPU (mm/compaction.c, mm/migrate.c of v5.2-v5.4, which
// spec/compactor.mspec models for v4.8: the steps below did not change in between), with the
// kernel functions that return a value written as functions: isolate_movable_page() (true:
// isolated), move_to_new_page() (the callback's result), putback_movable_pages() for one
// page. The migration's new page is P2: the VM locks it and holds a reference on it around
// a_ops->migratepage(), which the model leaves out (only the z3fold header on it, and what
// the VM dereferences on the way, matter).

// MIGRATEPAGE_SUCCESS, -EAGAIN (z3fold_page_migrate() could not take a lock). -EBUSY
// (mapped_count != 0: an object mapped by z3fold_map) is not modelled: nobody maps.
enum MigrateRc { success, eagain }

fair actor compactor(self in Cpus) "one compaction pass on each CPU (kcompactd, direct compaction)" {
    local ok: bool = false
    local rc: MigrateRc = eagain

    // isolate_migratepages_block() walks the pageblock's pfns once per pass: it looks at P1
    // once, with the lockless pre-check __PageMovable(page) && !PageIsolated(page).
    step scan @ "mm/compaction.c:isolate_migratepages_block" {
        if !__PageMovable(P1) || PageIsolated(P1) { goto done }
    }

    step isolate @ "mm/compaction.c:isolate_migratepages_block" {
        ok = call isolate_movable_page(P1, self)
    }

    // migrate_pages() -> unmap_and_move() -> __unmap_and_move(): lock_page() (compaction may
    // sleep). unmap_and_move()'s `page_count(page) == 1` test ("page was freed from under
    // us") never holds here: z3fold keeps its reference of an isolated page.
    step migrate @ "mm/migrate.c:unmap_and_move" {
        if !ok { goto done }
        lock_page(P1, self)
    }

    step move @ "mm/migrate.c:__unmap_and_move" {
        rc = call move_to_new_page(P1, self)
    }

    // Migrated: unlock and drop the VM's reference. Failed: __unmap_and_move() unlocks; the
    // page is put back (-EAGAIN after the retry passes, which the model folds into this one
    // attempt).
    step fail_unlock @ "mm/migrate.c:__unmap_and_move" {
        if rc == success { goto unlock_put }
        unlock_page(P1, self)
    }

    step putback @ "mm/migrate.c:putback_movable_pages" {
        call putback_movable_pages(P1, self)
    }

    // unlock_page() in __unmap_and_move() / putback_movable_pages(), then put_page(): the
    // reference isolate_movable_page() took.
    step unlock_put @ "mm/migrate.c:unmap_and_move" {
        unlock_page(P1, self)
        put_page(P1)
        goto done
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
        got = call z3fold_page_isolate(p, c)
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
// a_ops->migratepage(), and on success __ClearPageIsolated() (the old page is still
// __PageMovable: __ClearPageMovable() left the type bit).
func move_to_new_page(p: Pages, c: Cpus) -> MigrateRc @ "mm/migrate.c:move_to_new_page" {
    local res: MigrateRc = eagain
    step test @ "mm/migrate.c:move_to_new_page" {
        if !PageMovable(p) {
            __ClearPageIsolated(p, c)
            isolators[p] = isolators[p] \ {c}
            return success
        }
        res = call z3fold_page_migrate(p, c)
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
        call z3fold_page_putback(p, c)
    }
    step clear @ "mm/migrate.c:putback_movable_page" {
        __ClearPageIsolated(p, c)
        isolators[p] = isolators[p] \ {c}
    }
}
