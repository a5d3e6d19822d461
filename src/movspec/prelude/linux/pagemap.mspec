// The page lock of include/linux/pagemap.h and mm/filemap.c, as a movspec prelude:
// `import "linux/pagemap"` in a model that declares `const Pages = {...}`.
//
// page->flags is one word; PG_locked and PG_waiters live in it with the bits a movable-page
// model needs. lock_page() sleeps on the page's wait queue and sets PG_waiters so that
// unlock_page() knows to wake it (v4.10 and later: clear_bit_unlock_is_negative_byte).
// The kernel hashes pages onto shared wait queues and wakes by key; here each page has a
// queue of its own, which wakes the same tasks.

flags PageFlags "page->flags (include/linux/page-flags.h)" {
    PG_locked = 0, PG_referenced = 2, PG_uptodate = 3, PG_dirty = 4, PG_lru = 5, PG_waiters = 7,
    PG_reclaim = 18
}

var page_flags "each page's flags word": [Pages -> set of PageFlags]
var page_wq "each page's wait queue (page_waitqueue)": [Pages -> waitqueue]

def PageLocked(p) = PG_locked in page_flags[p]

func trylock_page(p: Pages) -> bool @ "include/linux/pagemap.h:trylock_page" {
    step test_and_set "test_and_set_bit_lock(PG_locked, &page->flags)" {
        if PG_locked in page_flags[p] { return false }
        set_bit(PG_locked, page_flags[p])
        return true
    }
}

func lock_page(p: Pages) @ "mm/filemap.c:__lock_page" {
    step fast "trylock_page" {
        if !(PG_locked in page_flags[p]) {
            set_bit(PG_locked, page_flags[p])
            return
        }
    }
    step queue "queue on the page's wait queue, SetPageWaiters, TASK_UNINTERRUPTIBLE" {
        prepare_to_wait(page_wq[p])
        set_bit(PG_waiters, page_flags[p])
    }
    step sleep "io_schedule() while PG_locked is set" {
        if PG_locked in page_flags[p] { schedule() }
    }
    step retry "test_and_set_bit_lock again; finish_wait once it is ours" {
        if PG_locked in page_flags[p] { goto queue }
        set_bit(PG_locked, page_flags[p])
        finish_wait(page_wq[p])
        return
    }
}

func unlock_page(p: Pages) @ "mm/filemap.c:unlock_page" {
    local waiters: bool = false
    step clear "clear_bit_unlock_is_negative_byte(PG_locked, &page->flags)" {
        waiters = clear_bit_unlock_is_negative_byte(PG_locked, page_flags[p])
    }
    step wake "wake_up_page_bit: wake the sleepers; no one left queued: ClearPageWaiters" {
        if waiters {
            wake_up(page_wq[p])
            if page_wq[p] == {} { clear_bit(PG_waiters, page_flags[p]) }
        }
        return
    }
}
