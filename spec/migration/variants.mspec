// The variants of spec/migration/: v4.8 as merged, the later simplification of the
// freed-page path, and one-line changes that break what the code relies on. Each
// expectation comes with the interleaving that decides it (`movspec explain VARIANT PROPERTY
// spec/migration/` prints the counterexample).

variant v4_8 "migrate_pages() of non-LRU movable pages, as merged in v4.8" source "linux 4.8.15: mm/migrate.c, mm/compaction.c (bda807d44454 mm: migrate: support non-lru movable page migration)"

// Every page the compaction isolated is migrated (the driver installs the new page), put
// back, or released by the driver and freed; the new pages go back to the free scanner or
// to the driver; __unmap_and_move() never sleeps on PG_lock in async mode or under
// PF_MEMALLOC; migrate_pages() ends after Passes passes whatever the driver answers.
expect v4_8 holds all
// putback_movable_pages() takes lock_page() in every mode: an async compaction whose
// migratepage got -EAGAIN (or whose driver released the page) sleeps on PG_lock while the
// driver holds it in leak_balloon() -> balloon_page_dequeue(). Not something v4.8
// promises: only __unmap_and_move() avoids lock_page() in MIGRATE_ASYNC.
expect v4_8 violates AsyncNeverSleeps
// The driver releases P1 while it is isolated; __unmap_and_move() locks it, move_to_new_page()
// finds !PageMovable and returns MIGRATEPAGE_SUCCESS without the callback; newpage is not
// __PageMovable, so out: calls putback_lru_page(newpage): the free page goes to the LRU
// (reclaim frees it later), not back to cc->freepages.
expect v4_8 violates NewPageFreed

// ------------------------------------------------------------------ later simplification

// [PATCH v4 2/4] mm/migration: remove unneeded lock page and PageMovable check (Miaohe Lin,
// linux-mm, 30 May 2022; Reviewed-by David Hildenbrand, 31 May 2022): "When non-lru movable
// page was freed from under us, __ClearPageMovable must have been done. ... Also
// free_pages_prepare() will clear PG_isolated for us".
variant freed_no_lock extends v4_8 "page_count() == 1: no lock_page(), no __ClearPageIsolated(); free_pages_prepare() clears PG_isolated" source "linux-mm, 2022-05-30, mm/migration: remove unneeded lock page and PageMovable check" {
    remove unmap_and_move.freed_lock
    replace unmap_and_move.freed_clear @ "mm/migrate.c:unmap_and_move" {
        compaction_free(n)
        goto out
    }
    replace unmap_and_move.count {
        if n == none { return ENOMEM }
        if ref[p] == 1 { goto freed_clear }
    }
}
// page_count() == 1 means the driver dropped its reference, after __ClearPageMovable()
// under PG_lock; the put_page() in out: is the last one, and the allocator clears
// PG_isolated: nothing is left isolated, and the compaction sleeps once less.
expect freed_no_lock holds all
expect freed_no_lock violates AsyncNeverSleeps, NewPageFreed

// A candidate bug: move_to_new_page() forgets __ClearPageIsolated() on the
// !PageMovable path. The page was released by the driver; migrate_pages() calls it a
// success and drops the isolation's reference; the last put_page() (the VM's, or the
// driver's pending one) frees it and clears PG_isolated. Nobody tests PG_isolated of a
// page that is not PageMovable, so nothing is lost: the clearing is redundant.
variant move_keeps_isolated extends v4_8 "move_to_new_page(): !PageMovable returns success without __ClearPageIsolated()" {
    replace move_to_new_page.released {
        assert isolated[p], "move_to_new_page() of a page that is not isolated (VM_BUG_ON_PAGE)" as LockedMutation
        if !PageMovable(p) { return SUCCESS }
    }
}
expect move_keeps_isolated holds all
expect move_keeps_isolated violates AsyncNeverSleeps, NewPageFreed

// ------------------------------------------------------------------ what the code relies on

// Without `mode == MIGRATE_ASYNC`: every async compaction caller in v4.8 is direct
// compaction (compact_zone_order() under __alloc_pages_direct_compact()'s PF_MEMALLOC;
// compact_pgdat(), the other MIGRATE_ASYNC user in mm/compaction.c, has no caller), so the
// PF_MEMALLOC test still returns -EAGAIN: for compaction the async test is redundant.
variant no_async_test extends v4_8 "__unmap_and_move(): lock_page() when forced, whatever the mode (PF_MEMALLOC test kept)" {
    replace __unmap_and_move.contended {
        if got { goto lock_new }
        if !force { return EAGAIN }
        if memalloc { return EAGAIN }
    }
}
expect no_async_test holds all
expect no_async_test violates AsyncNeverSleeps, NewPageFreed

// Without either test: a direct async compaction reaches pass 3 (force), finds P1 locked
// by the driver releasing it, and calls lock_page().
variant lock_when_forced extends v4_8 "__unmap_and_move(): lock_page() whenever forced" {
    replace __unmap_and_move.contended {
        if got { goto lock_new }
        if !force { return EAGAIN }
    }
}
expect lock_when_forced violates AsyncNoLockPage, MemallocNoLockPage, AsyncNeverSleeps, NewPageFreed
expect lock_when_forced holds all

// putback_movable_page() without __ClearPageIsolated(): migratepage returns -EBUSY (or
// -EAGAIN until the passes run out), the page goes back on the driver's list with
// PG_isolated still set: isolate_movable_page() refuses it (PageIsolated) and the
// balloon's dequeue skips it for ever. A driver that releases it anyway (zsmalloc-like)
// leaves it on its list, as balloon_page_delete() does for a PageIsolated() page, and the
// last put_page() frees a page still linked on the driver's list.
variant putback_keeps_isolated extends v4_8 "putback_movable_page(): a_ops->putback_page() without __ClearPageIsolated()" {
    macro putback_movable_page(p) @ "mm/migrate.c:putback_movable_page" {
        assert pglock[p] == cc && PageMovable(p) && isolated[p], "putback_movable_page() on a page not locked, movable and isolated" as NoCallbackOnReleased
        onlist[p] = true
    }
}
expect putback_keeps_isolated violates NoLeakedIsolation, FreeHygiene, AsyncNeverSleeps, NewPageFreed
expect putback_keeps_isolated holds all

// unmap_and_move() without put_new_page() on -EAGAIN: the first attempt's new page is
// neither installed nor back on cc->freepages when migrate_pages() returns (its count
// stays right: NewPageRefs holds, the page is simply never given back).
variant eagain_keeps_newpage extends v4_8 "unmap_and_move(): -EAGAIN keeps the new page" {
    replace unmap_and_move.out {
        if rc != EAGAIN { migratepages = migratepages \ {p} }
        if rc == SUCCESS { put_page(p)  return SUCCESS }
        if rc == EAGAIN { return EAGAIN }
    }
}
expect eagain_keeps_newpage violates NewPageReturned, NewPageFreed, AsyncNeverSleeps
expect eagain_keeps_newpage holds all

// compact_zone() putting back only when migrate_pages() returns a count (err > 0): on
// -ENOMEM (the free scanner found nothing for the second page) the pages still listed stay
// isolated with the compaction's reference.
variant enomem_no_putback extends v4_8 "compact_zone(): no putback_movable_pages() on -ENOMEM" {
    replace compactor.putback {
        if err <= 0 { goto release }
        call putback_movable_pages()
    }
}
expect enomem_no_putback violates NoLeakedIsolation, AsyncNeverSleeps, NewPageFreed
expect enomem_no_putback holds all

// migrate_pages() without the pass bound: the driver may answer -EAGAIN (its balloon_lock
// taken by an inflation the model does not show) at every attempt; the loop then never
// ends, although every process is fair (the answer is the driver's, not a step left out).
variant retry_forever extends v4_8 "migrate_pages(): retry while some page returned -EAGAIN, with no pass limit" {
    replace migrate_pages.pass_loop {
        if retry == 0 { goto finish }
        retry = 0
        todo = migratepages
    }
    replace migrate_pages.next {
        if todo == {} { goto pass_loop }
        any x in todo { page = x  todo = todo \ {x}  cur = x }
    }
}
expect retry_forever violates Terminates, AsyncNeverSleeps, NewPageFreed
expect retry_forever holds all

// ------------------------------------------------------------------ a race v4.8 closed

// Before v4.8 the test after unlocking newpage was __is_movable_balloon_page(newpage)
// (PageBalloon), which balloon_page_delete() clears: "[PATCH v1] mm: migrate: don't rely on
// PageMovable() of newpage after unlocking it" (David Hildenbrand, linux-mm, 28 Jan 2019;
// Fixes: d6d86c0a7f8d "mm/balloon_compaction: redesign ballooned pages management", stable
// 3.12+): "after unlocking newpage, there is nothing stopping the newpage from getting
// dequeued and freed by virtio-balloon ... [we] will therefore call
// putback_lru_page(newpage), modifying page->lru although that list is still in use by
// virtio-balloon". Michal Hocko's reply quotes Vratislav Bendel: upstream is safe since
// b1123ea6d3b3 ("mm: balloon: use general non-lru movable page feature", v4.8), because
// __PageMovable(newpage) stays true after __ClearPageMovable(). Here the test reads
// PageMovable(newpage) (the driver's mapping still there), which the release clears.
variant newpage_test_after_release extends v4_8 "__unmap_and_move(): the putback of newpage decided by a flag the driver's release clears (pre-v4.8 PageBalloon semantics)" source "linux-mm, 2019-01-28, mm: migrate: don't rely on PageMovable() of newpage after unlocking it" {
    replace __unmap_and_move.out {
        if rc == SUCCESS {
            if nmapping[n] == ops { put_newpage(n) } else { putback_lru_page(n) }
        }
        return rc
    }
}
// The driver's migratepage installs N1; __unmap_and_move() unlocks N1; the driver deflates:
// balloon_page_delete(N1) moves it to its local list (released, mapping type bit only);
// the migration thread now finds the flag clear and calls putback_lru_page(N1) on a page
// whose page->lru the driver is using (and which is now counted on the LRU with the
// driver's mapping bit: NewPageRefs).
expect newpage_test_after_release violates NoLruCorruption, NewPageRefs, AsyncNeverSleeps, NewPageFreed
expect newpage_test_after_release holds all

// The fix the 2019 patch proposes: decide by is_lru of the old page, read before the
// migration (`if (unlikely(!is_lru)) put_page(newpage); else putback_lru_page(newpage)`).
// Every page here is non-LRU, so newpage is put: the driver's release can no longer make
// the VM put it on the LRU, and the unused new page of a page released under isolation is
// freed rather than handed to the LRU.
variant newpage_is_lru_test extends v4_8 "__unmap_and_move(): the putback of newpage decided by is_lru of the old page" source "linux-mm, 2019-01-28, mm: migrate: don't rely on PageMovable() of newpage after unlocking it" {
    // bool is_lru = !__PageMovable(page), read on entry
    local __unmap_and_move.is_lru: bool = false
    replace __unmap_and_move.trylock {
        is_lru = !__PageMovable(p)
        got = call trylock_page(p, cc)
    }
    replace __unmap_and_move.out {
        if rc == SUCCESS {
            if !is_lru { put_newpage(n) } else { putback_lru_page(n) }
        }
        return rc
    }
}
expect newpage_is_lru_test holds all
expect newpage_is_lru_test violates AsyncNeverSleeps
