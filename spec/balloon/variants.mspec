// The variants: v4.8 as merged, and deltas that remove one thing the design relies on. Each
// `expect` is argued in the comment before it, from the counterexample the checker prints
// (movspec check spec/balloon/; movspec explain VARIANT PROPERTY spec/balloon/).

// ================================================================== v4.8 as merged

variant v4_8 "v4.8 as merged: balloon_page_enqueue/dequeue under PG_lock and pages_lock, balloon_aops called by isolate_movable_page/unmap_and_move under PG_lock" source "v4.8: mm/balloon_compaction.c, include/linux/balloon_compaction.h, drivers/virtio/virtio_balloon.c (virtballoon_migratepage), mm/migrate.c (isolate_movable_page); commit bda807d4445 'mm: migrate: support non-lru movable page migration' (Minchan Kim, v4.8-rc1)"

// The BUG_ON(!trylock_page) of balloon_page_enqueue() cannot fire: a compactor takes
// PG_lock only while it holds a reference (get_page_unless_zero first, put_page last), so
// the page cannot be freed and allocated again under it; on a fresh page it takes a
// reference at most, and its __PageMovable() peek reads NULL (free_pages_prepare() cleared
// the mapping) until balloon_page_insert(), which the balloon makes with PG_lock already
// held: a compactor that sees the page movable finds it locked or enqueued. Every callback
// runs under PG_lock after PageMovable() was rechecked under it, and the balloon clears
// movable and PageBalloon together under PG_lock, so no callback sees a page that is not a
// balloon page. The dequeue walks only its list, and an isolated page is off it, so it never
// releases an isolated page (NoDequeueIsolated, NoReleaseWhileIsolated), and its BUG() sees
// isolated_pages > 0 whenever a balloon page is off the list. Deadlock: the only context
// that waits for PG_lock while holding pages_lock would be the dequeue, and it only trylocks.
expect v4_8 holds all

// ================================================================== the isolated-page skip

variant no_isolated_skip extends v4_8 "balloon_page_dequeue() without the `if (PageIsolated(page)) { unlock_page(page); continue; }` skip" source "'[PATCH RFC 01/29] mm/balloon_compaction: we cannot have isolated pages in the balloon list' (David Hildenbrand, 2025-06-18, <20250618174014.1168640-2-david@redhat.com>): 'The core will set PG_isolated only after mops->isolate_page() was called. In case of the balloon, that is where we will remove it from the balloon list.'; also read as a stable backport" {
    replace balloon_page_dequeue.check {
        if !got { goto next }
        assert vm_isolated[page] == {}, "balloon_page_dequeue() releases a page a compactor holds isolated" as NoDequeueIsolated
        balloon_page_delete(page, drv)
        unlock_page(page, drv)
        spin_unlock_irqrestore(pages_lock, flags)
        return page
    }
}

// The skip is dead code in v4.8 already: PG_isolated is set by isolate_movable_page() only
// after balloon_page_isolate() took the page off the list, and cleared by
// putback_movable_page() right after balloon_page_putback() put it back, both under the
// PG_lock that the dequeue's trylock_page() needs; so an entry of the list that the dequeue
// has locked is never PG_isolated. Without the skip the same states are reached (the test
// compares the state counts) and every property holds, as the 2025 patch says.
expect no_isolated_skip holds all

// ================================================================== the lockless peek

variant no_movable_peek extends v4_8 "isolate_movable_page() without the __PageMovable() check before trylock_page()" source "the v4.8 comment in isolate_movable_page(): 'Check PageMovable before holding a PG_lock because page's owner assumes anybody doesn't touch PG_lock of newly allocated page so unconditionally grapping the lock ruins page's owner side'" {
    replace isolate_movable_page.peek { skip }
}

// The reuse race the peek closes (31 steps): the worker enqueues P and dequeues it again
// (balloon_page_delete leaves PAGE_MAPPING_MOVABLE alone in page->mapping); compactor C1's
// lockless scan sees P movable and not isolated and picks it; the worker's put_page() frees
// P (free_pages_prepare clears the mapping) and its next fill_balloon() allocates P again
// (refcount 1); C1's get_page_unless_zero() succeeds on the reused page and, with no peek,
// its trylock_page() takes PG_lock of the fresh page; the worker's trylock_page() in
// balloon_page_enqueue() then fails: the BUG_ON fires. With the peek (v4.8) C1 reads the
// fresh page's mapping, NULL, and lets go. Nothing else breaks: C1 rechecks PageMovable()
// under the lock and gives up.
expect no_movable_peek violates EnqueueTrylock
expect no_movable_peek holds all

// ================================================================== published before the lock

variant enqueue_insert_first extends v4_8 "balloon_page_enqueue() publishes the page (balloon_page_insert under pages_lock: movable, on the list) before its trylock_page()" source "the z3fold bug of the same shape: '[PATCH] mm/z3fold.c: lock z3fold page before __SetPageMovable()' (Henry Burns, July 2019): '__SetPageMovable() expects its page to be locked, but z3fold.c doesn't lock the page. This triggers the VM_BUG_ON_PAGE(!PageLocked(page), page) in __SetPageMovable()'" {
    insert before balloon_page_enqueue.trylock step publish @ "mm/balloon_compaction.c:balloon_page_enqueue" "spin_lock_irqsave; balloon_page_insert(b_dev_info, page); spin_unlock_irqrestore" {
        await pages_lock == {}
        balloon_page_insert(page, drv)
    }
    replace balloon_page_enqueue.insert as bug_on "BUG_ON(!trylock_page(page))" {
        if !got {
            assert false, "balloon_page_enqueue(): BUG_ON(!trylock_page(page)): somebody holds PG_lock of the new page" as EnqueueTrylock
            return none
        }
    }
}

// LockedMutation (4 steps): balloon_page_insert()'s __SetPageMovable() runs without PG_lock,
// what __SetPageMovable()'s VM_BUG_ON_PAGE(!PageLocked(page)) reports, at the first
// enqueue. EnqueueTrylock (14 steps): the page is movable and on the list before the balloon
// locks it;
// a compactor takes a reference, passes the peek (the page is movable now), wins
// trylock_page(), and the balloon's trylock_page() fails: the BUG_ON fires. The
// compactor's isolation itself is sound (the page was complete when published), so only
// what the BUG leaves behind breaks more: the worker dies in fill_balloon() before
// vb->num_pages += 1, so num_pages no longer counts a page that is on the list
// (IsolatedPagesExact, 15 steps).
expect enqueue_insert_first violates LockedMutation, EnqueueTrylock, IsolatedPagesExact
expect enqueue_insert_first holds all

// ================================================================== the dequeue's trylock

variant dequeue_lock_page extends v4_8 "balloon_page_dequeue() waits for PG_lock (lock_page) instead of trylock_page() while it holds pages_lock" source "design alternative: the v4.8 walk's trylock_page() ('Block others from accessing the page while we get around establishing additional references')" {
    replace balloon_page_dequeue.trylock as lock_page "lock_page(page) under pages_lock" {
        lock_page(page, drv)
        got = true
    }
}

// The ABBA deadlock the trylock avoids (23 steps): the worker's walk holds pages_lock and
// waits in lock_page() for P's PG_lock; compactor C1 holds that PG_lock (it passed the recheck
// in isolate_movable_page()) and spins in balloon_page_isolate() for pages_lock. Nothing else
// can move: C2 has finished. The safety properties hold (the lock is a lock).
expect dequeue_lock_page violates Deadlock
expect dequeue_lock_page holds all

variant dequeue_no_trylock extends v4_8 "balloon_page_dequeue() deletes the page without taking PG_lock" source "design alternative: the v4.8 walk without its trylock_page()" {
    replace balloon_page_dequeue.trylock as no_lock "no trylock_page()" { got = true }
    replace balloon_page_dequeue.check {
        if PageIsolated(page) { goto next }
        assert vm_isolated[page] == {}, "balloon_page_dequeue() releases a page a compactor holds isolated" as NoDequeueIsolated
        balloon_page_delete(page, drv)
        spin_unlock_irqrestore(pages_lock, flags)
        return page
    }
}

// Without PG_lock the walk races with isolation. NoCallbackOnReleased and Assertions (26
// steps): compactor C1 takes P's PG_lock and passes PageMovable() && !PageIsolated(); the
// worker, which does not look at PG_lock, deletes P (balloon_page_delete: PageBalloon and
// the mapping pointer cleared, list_del) and drops pages_lock; C1's a_ops->isolate_page()
// then runs on a page that is no longer a balloon page (balloon_page_device() is NULL) and
// list_del()s a page that is not on the list (CONFIG_DEBUG_LIST). From there:
// IsolatedPagesExact (26 steps): isolated_pages counts a page the balloon no longer has;
// NoReleaseWhileIsolated (29 steps): the worker's put_page() leaves the VM the last
// reference of a page it holds isolated (unmap_and_move() finds page_count(page) == 1).
// LockedMutation (15 steps) is the plain fact: __ClearPageMovable() without PG_lock, at the
// first deflate. No release happens while PG_isolated is set (the skip still looks at it),
// so NoDequeueIsolated holds, and ExclusiveIsolation too: the recheck under PG_lock still
// serialises the compactors.
expect dequeue_no_trylock violates NoCallbackOnReleased, Assertions, IsolatedPagesExact, NoReleaseWhileIsolated, LockedMutation
expect dequeue_no_trylock holds all
