// The balloon: its a_ops callbacks (mm/balloon_compaction.c balloon_aops, with
// drivers/virtio/virtio_balloon.c virtballoon_migratepage behind balloon_page_migrate) and
// its worker's inflate and deflate paths (fill_balloon / leak_balloon over
// balloon_page_enqueue / balloon_page_dequeue), all as in v4.8.
//
// A pages_lock section that does not block inside is one step, enabled while the lock is
// free (`await pages_lock == {}`): the same as spin_lock_irqsave, the section,
// spin_unlock_irqrestore, with nothing in between that another CPU could see. The one
// section that spans steps (the dequeue walk, which calls trylock_page on each entry) takes
// the lock for real.

// ------------------------------------------------------------------ callbacks
// Called by the compactor under the page's PG_lock.

// balloon_page_isolate(): under pages_lock, list_del(&page->lru); isolated_pages++; true.
func balloon_page_isolate(p: Pages) -> bool @ "mm/balloon_compaction.c:balloon_page_isolate" {
    step locked @ "mm/balloon_compaction.c:balloon_page_isolate" "spin_lock_irqsave(&b_dev_info->pages_lock); list_del; b_dev_info->isolated_pages++; spin_unlock_irqrestore" {
        await pages_lock == {}
        assert balloon[p], "isolate_page() on a page that is not a balloon page (balloon_page_device(page) == NULL)" as NoCallbackOnReleased
        list_del(p, pages)
        isolated_pages += 1
        return true
    }
}

// balloon_page_putback(): under pages_lock, list_add(&page->lru, &b_dev_info->pages);
// isolated_pages--.
func balloon_page_putback(p: Pages) @ "mm/balloon_compaction.c:balloon_page_putback" {
    step locked @ "mm/balloon_compaction.c:balloon_page_putback" "spin_lock_irqsave(&b_dev_info->pages_lock); list_add; b_dev_info->isolated_pages--; spin_unlock_irqrestore" {
        await pages_lock == {}
        assert balloon[p], "putback_page() on a page that is not a balloon page (balloon_page_device(page) == NULL)" as NoCallbackOnReleased
        list_add(p, pages)
        isolated_pages -= 1
    }
}

// balloon_page_migrate(): VM_BUG_ON_PAGE(!PageLocked(page)) and (!PageLocked(newpage)), then
// balloon->migratepage() = virtballoon_migratepage(). Returns whether it succeeded
// (MIGRATEPAGE_SUCCESS) or gave up (-EAGAIN).
func balloon_page_migrate(newp: Pages, p: Pages, who: Cpus) -> bool @ "mm/balloon_compaction.c:balloon_page_migrate" {
    // "In order to avoid lock contention while migrating pages concurrently to
    // leak_balloon() or fill_balloon() we just give up the balloon_lock this turn":
    // mutex_trylock(&vb->balloon_lock), else -EAGAIN; get_page(newpage), the balloon's
    // reference.
    step trylock @ "drivers/virtio/virtio_balloon.c:virtballoon_migratepage" {
        assert balloon[p], "migratepage() on a page that is not a balloon page (balloon_page_device(page) == NULL)" as NoCallbackOnReleased
        assert pglock[p] == who && pglock[newp] == who, "balloon_page_migrate(): VM_BUG_ON_PAGE(!PageLocked(page)) or (!PageLocked(newpage))" as LockedMutation
        if balloon_lock != none { return false }
        balloon_lock = who
        ref[newp] += 1
    }
    // "balloon's page migration 1st step -- inflate newpage": under pages_lock,
    // balloon_page_insert(vb_dev_info, newpage); vb_dev_info->isolated_pages--. Then
    // tell_host(inflate_vq) (the host is not modelled).
    step inflate @ "drivers/virtio/virtio_balloon.c:virtballoon_migratepage" {
        await pages_lock == {}
        balloon_page_insert(newp, who)
        isolated_pages -= 1
    }
    // "2nd step -- deflate page": balloon_page_delete(page), in v4.8 without pages_lock (the
    // page is isolated: its lru is left alone); tell_host(deflate_vq).
    step deflate @ "drivers/virtio/virtio_balloon.c:virtballoon_migratepage" {
        balloon_page_delete(p, who)
    }
    // mutex_unlock(&vb->balloon_lock); put_page(page), the balloon's reference.
    step done @ "drivers/virtio/virtio_balloon.c:virtballoon_migratepage" {
        balloon_lock = none
        put_page(p)
        return true
    }
}

// ------------------------------------------------------------------ the worker's paths

// balloon_page_enqueue() (v4.8 allocates the page itself): alloc_page(); BUG_ON(!trylock_page);
// spin_lock_irqsave(pages_lock); balloon_page_insert(); spin_unlock_irqrestore;
// unlock_page(). Returns the page, or none when allocation fails. After a BUG_ON the task
// is dead: the function returns none and the page stays allocated with nobody to free it.
func balloon_page_enqueue() -> Pages | {none} @ "mm/balloon_compaction.c:balloon_page_enqueue" {
    local page: Pages | {none} = none
    local got: bool = false

    // alloc_page(balloon_mapping_gfp_mask() | __GFP_NOMEMALLOC | __GFP_NORETRY): a free page
    // (refcount 0: never used, or freed and now reused) gets refcount 1.
    step alloc @ "mm/page_alloc.c:__alloc_pages_nodemask" {
        if allocs == 0 || !(exists x in Pages: ref[x] == 0) { return none }
        any x in {x in Pages where ref[x] == 0} {
            page = x
            ref[x] = 1
        }
        allocs -= 1
    }
    step trylock @ "mm/balloon_compaction.c:balloon_page_enqueue" { got = call trylock_page(page, drv) }
    // "We should be the only one holding a reference to the 'page' at this point."
    // Then the pages_lock section: balloon_page_insert(b_dev_info, page);
    // __count_vm_event(BALLOON_INFLATE).
    step insert @ "mm/balloon_compaction.c:balloon_page_enqueue" "BUG_ON(!trylock_page(page)); spin_lock_irqsave; balloon_page_insert; spin_unlock_irqrestore" {
        if !got {
            assert false, "balloon_page_enqueue(): BUG_ON(!trylock_page(page)): somebody holds PG_lock of the new page" as EnqueueTrylock
            return none
        } else {
            await pages_lock == {}
            balloon_page_insert(page, drv)
        }
    }
    step unlock @ "mm/balloon_compaction.c:balloon_page_enqueue" "unlock_page(page)" {
        unlock_page(page, drv)
        return page
    }
}

// balloon_page_dequeue(): under pages_lock, walk the list; skip a page whose trylock_page
// fails; skip (and unlock) a PageIsolated page ("raced with isolation"); else
// balloon_page_delete, unlock_page, done. If none was dequeued: under pages_lock again,
// `if (unlikely(list_empty(&b_dev_info->pages) && !b_dev_info->isolated_pages)) BUG()`.
// The walk takes the entries in any order (the kernel's head-first order is one of them).
func balloon_page_dequeue() -> Pages | {none} @ "mm/balloon_compaction.c:balloon_page_dequeue" {
    local page: Pages | {none} = none
    local seen: set of Pages = {}
    local got: bool = false
    local flags: bool = false

    step lock @ "mm/balloon_compaction.c:balloon_page_dequeue" "spin_lock_irqsave(&b_dev_info->pages_lock, flags)" { spin_lock_irqsave(pages_lock, flags) }
    step next @ "mm/balloon_compaction.c:balloon_page_dequeue" "list_for_each_entry_safe(page, tmp, &b_dev_info->pages, lru)" {
        if !(exists x in Pages: x in pages && x notin seen) { goto not_found }
        any x in {x in Pages where x in pages && x notin seen} {
            page = x
            seen = seen | {x}
        }
    }
    step trylock @ "mm/balloon_compaction.c:balloon_page_dequeue" "if (trylock_page(page))" { got = call trylock_page(page, drv) }
    step check @ "mm/balloon_compaction.c:balloon_page_dequeue" {
        if !got { goto next }
        if PageIsolated(page) {
            // "raced with isolation"
            unlock_page(page, drv)
            goto next
        }
        assert vm_isolated[page] == {}, "balloon_page_dequeue() releases a page a compactor holds isolated" as NoDequeueIsolated
        balloon_page_delete(page, drv)
        unlock_page(page, drv)
        // __count_vm_event(BALLOON_DEFLATE); break; spin_unlock_irqrestore
        spin_unlock_irqrestore(pages_lock, flags)
        return page
    }
    step not_found @ "mm/balloon_compaction.c:balloon_page_dequeue" "spin_unlock_irqrestore" { spin_unlock_irqrestore(pages_lock, flags) }
    step bug_check @ "mm/balloon_compaction.c:balloon_page_dequeue" "spin_lock_irqsave; if (list_empty && !isolated_pages) BUG(); spin_unlock_irqrestore; return NULL" {
        await pages_lock == {}
        assert !(list_empty(pages) && isolated_pages == 0), "balloon_page_dequeue(): BUG(): the list is empty and no page is isolated" as DequeueBUG
        return none
    }
}

// The balloon's worker (update_balloon_size_func): inflate one page, deflate one page, or
// stop. fill_balloon() and leak_balloon() run under vb->balloon_lock.
actor worker "the virtio balloon's worker: fill_balloon / leak_balloon" {
    local q: Pages | {none} = none

    step idle @ "drivers/virtio/virtio_balloon.c:update_balloon_size_func" {
        either {
            // fill_balloon(): mutex_lock(&vb->balloon_lock)
            await balloon_lock == none
            balloon_lock = drv
            goto fill
        } or {
            // leak_balloon(): mutex_lock; "We can't release more pages than taken"
            await balloon_lock == none && num_pages > 0
            balloon_lock = drv
            goto leak
        } or {
            goto done
        }
    }
    step fill @ "drivers/virtio/virtio_balloon.c:fill_balloon" { q = call balloon_page_enqueue() }
    // vb->num_pages += VIRTIO_BALLOON_PAGES_PER_PAGE; tell_host; mutex_unlock.
    step filled @ "drivers/virtio/virtio_balloon.c:fill_balloon" {
        if q != none { num_pages += 1 }
        balloon_lock = none
        q = none
        goto idle
    }
    step leak @ "drivers/virtio/virtio_balloon.c:leak_balloon" { q = call balloon_page_dequeue() }
    // vb->num_pages -= VIRTIO_BALLOON_PAGES_PER_PAGE; tell_host(deflate_vq).
    step leaked @ "drivers/virtio/virtio_balloon.c:leak_balloon" {
        if q == none {
            balloon_lock = none
            goto idle
        }
        // release_pages_balloon(): put_page() of each dequeued page; mutex_unlock.
        num_pages -= 1
        put_page(q)
        balloon_lock = none
        q = none
        goto idle
    }
}
