// The driver: the code that can be unloaded (its callbacks), and its own paths that
// allocate and release pages. Modelled on the balloon (mm/balloon_compaction.c with
// drivers/virtio/virtio_balloon.c) with zsmalloc's one extra freedom: it may release a page
// while the VM holds it isolated (zs_free after 2021), which the balloon never does.
//
// The driver's own spinlock (b_dev_info->pages_lock, the zsmalloc class/pool locks) is not a
// variable: every section it protects is one atomic step, so it serialises the driver's list
// operations by construction.

module driver "the driver module's code: a_ops callbacks reached through page->mapping" guards NoUseAfterUnload {
    ops isolate_page, migratepage, putback_page
}

// ------------------------------------------------------------------ callbacks
// What each callback does to the modelled state. The VM holds PG_lock around every one of
// them (`who` is the calling compactor); `call driver.op` is the check that the code is still
// there.

// balloon_page_isolate(): under pages_lock, take the page off the driver's list (the VM now
// owns page->lru). Never refuses.
macro drv_isolate_page(p) @ "mm/balloon_compaction.c:balloon_page_isolate" {
    call driver.isolate_page(p)
    assert owned[p], "isolate_page() on a page the driver released" as NoCallbackOnReleased
    onlist[p] = false
}

// balloon_page_migrate() -> virtballoon_migratepage(): the new page takes the old one's
// place on the driver's list (the new page is outside the model); balloon_page_delete(old)
// drops the pointer with __ClearPageMovable() under the PG_lock the VM holds; put_page(old)
// drops the driver's reference.
macro drv_migratepage(p, who) @ "mm/balloon_compaction.c:balloon_page_migrate" {
    call driver.migratepage(p)
    assert owned[p], "migratepage() on a page the driver released" as NoCallbackOnReleased
    __ClearPageMovable(p, who)
    owned[p] = false
    put_page(p)
}

// virtballoon_migratepage() returning -EAGAIN (mutex_trylock(&vb->balloon_lock) failed):
// nothing changes, the VM keeps the page isolated and will put it back.
macro drv_migratepage_busy(p) @ "mm/balloon_compaction.c:balloon_page_migrate" {
    call driver.migratepage(p)
    assert owned[p], "migratepage() on a page the driver released" as NoCallbackOnReleased
}

// balloon_page_putback(): under pages_lock, back onto the driver's list.
macro drv_putback_page(p) @ "mm/balloon_compaction.c:balloon_page_putback" {
    call driver.putback_page(p)
    assert owned[p], "putback_page() on a page the driver released" as NoCallbackOnReleased
    onlist[p] = true
}

// ------------------------------------------------------------------ the driver's own paths

fair actor owner "the driver's allocation (balloon inflate, zs_malloc) and release (deflate, zs_free, module exit) paths" {
    local q: Pages
    // Pages not yet allocated: each page is allocated at most once, which bounds the model.
    local todo: set of Pages = Pages

    step idle @ "drivers/virtio/virtio_balloon.c:update_balloon_size_func" "the balloon thread: inflate (fill_balloon), deflate (leak_balloon), or stop once every page is released and the module is exiting" {
        either {
            // balloon_page_alloc(): a new page from the buddy allocator, refcount 1, not yet
            // movable. Not after mod->exit started.
            await !exiting
            any x in todo {
                q = x
                todo = todo \ {x}
                ref[x] = 1
                owned[x] = true
                goto enqueue
            }
        } or {
            // leak_balloon() / zs_free(): release one of the driver's pages, isolated or not.
            any x in {x in Pages where owned[x]} {
                q = x
                goto rel_lock
            }
        } or {
            await exiting && (forall x in Pages: !owned[x])
            goto done
        }
    }

    // trylock_page() on a page nobody else can see yet must succeed (BUG_ON), then
    // balloon_page_insert(): __SetPageMovable(page, mapping) and list_add under pages_lock.
    step enqueue @ "mm/balloon_compaction.c:balloon_page_enqueue" {
        assert pglock[q] == none, "balloon_page_enqueue(): BUG_ON(!trylock_page(page))" as LockedMutation
        pglock[q] = drv
        __SetPageMovable(q, drv)
        onlist[q] = true
    }

    step enq_unlock @ "mm/balloon_compaction.c:balloon_page_enqueue" {
        unlock_page(q, drv)
        goto idle
    }

    // lock_page(): PG_lock serialises the release with the VM's isolation and migration.
    step rel_lock @ "mm/balloon_compaction.c:balloon_page_dequeue" {
        lock_page(q, drv)
    }

    // balloon_page_delete() under PG_lock: drop the mapping pointer (the type bit stays),
    // list_del only if the page is not isolated (the VM owns page->lru then), and leave
    // PG_isolated to the VM. If the page was migrated while we waited for PG_lock, it is no
    // longer ours (the driver's revalidation under its own lock): give up.
    step rel_clear @ "include/linux/balloon_compaction.h:balloon_page_delete" {
        if !owned[q] {
            unlock_page(q, drv)
            goto idle
        }
        __ClearPageMovable(q, drv)
        if !PageIsolated(q) {
            onlist[q] = false
        }
        owned[q] = false
        unlock_page(q, drv)
    }

    // The driver drops its reference; the page is freed when the VM drops its own.
    step rel_put @ "include/linux/mm.h:put_page" {
        put_page(q)
        goto idle
    }
}
