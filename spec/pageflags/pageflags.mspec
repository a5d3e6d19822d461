// page->flags as one word, and the page lock as the kernel's functions: trylock_page(),
// lock_page() sleeping on the page's wait queue, unlock_page() waking it; PG_isolated a bit
// of the same word, set and cleared with the non-atomic __set_bit()/__clear_bit() that
// __SetPageIsolated()/__ClearPageIsolated() are. Three kernel eras of the same v4.8 protocol:
//
//   v4_8_pageflags   v4.8: no PG_waiters; unlock_page() wakes the page's wait queue
//   v4_10_pageflags  PG_waiters (bit 7) in the same word: a task that fails to get the lock
//                    sets it atomically, unlock_page() wakes only if it is set
//   v5_18_pageflags  PG_isolated set and cleared atomically (SetPageIsolated/ClearPageIsolated)
//
// The base (spec/model.mspec) keeps PG_lock as one atomic await and PG_isolated as its own
// variable: its inductive invariants and the refinement mapping (proofs/) name its steps, and
// a property cannot name a process that is inside a function or between the load and the
// store of a non-atomic bit operation. Here the compactor's isolation is therefore a ghost,
// `isolators`, updated in the steps that take and give up the isolation.

flags PageFlags "include/linux/page-flags.h: the bits of page->flags the protocol touches" {
    PG_locked = 0,
    // PG_waiters is bit 7 from v4.10 (commit b91e1302ad9b "mm: optimize PageWaiters bit use
    // for unlock_page()" moved it there so that clear_bit_unlock_is_negative_byte() can clear
    // PG_locked and test it in one atomic instruction); v4.8 has no PG_waiters.
    PG_waiters = 7,
    // PG_isolated is an alias of PG_reclaim. Its number matters to no operation of the model
    // (18, PG_reclaim's place in the v4.10 enum, counted, not checked against a source tree).
    PG_isolated = 18
}

// ================================================================== v4.8

variant v4_8_pageflags extends v4_8 "v4.8 with page->flags as one word: PG_locked and PG_isolated are bits of it, lock_page() sleeps on the page's wait queue, __SetPageIsolated/__ClearPageIsolated are non-atomic read-modify-writes of the word" source "v4.8: include/linux/pagemap.h (trylock_page, lock_page), mm/filemap.c (__lock_page, unlock_page), kernel/sched/wait.c (__wait_on_bit_lock, __wake_up_bit)" {
    var flags "page->flags": [Pages -> set of PageFlags] = [x in Pages |-> {}]
    var pagewq "page_waitqueue(page): modelled per page (the kernel hashes pages onto a shared table)": [Pages -> waitqueue]
    // Ghost: the compactors holding the page isolated (from a successful isolate_page to the
    // step that clears PG_isolated), what the base reads from the program counters.
    var isolators "ghost: the compactors holding the page isolated": [Pages -> set of Cpus] = [x in Pages |-> {}]

    def PageIsolated(p) = test_bit(PG_isolated, flags[p])
    def holds_isolation(c, p) = c in isolators[p]

    // `pglock` stays as a ghost: who holds PG_locked (the kernel does not record it). The
    // assertions of LockedMutation read it, and LockWordConsistent says the bit and the ghost
    // agree: a lost update of PG_locked breaks it.
    invariant LockWordConsistent "PG_locked is set in page->flags exactly while some context holds the page lock":
        forall x in Pages: test_bit(PG_locked, flags[x]) <=> pglock[x] != none

    // The base's ListDisjointness also reads PG_isolated; v4.8's putback_movable_page() calls
    // a_ops->putback_page() before __ClearPageIsolated(), both under PG_lock, so a page is on
    // the driver's list with PG_isolated set for a moment, which no one sees without PG_lock.
    invariant ListDisjointness "a page held isolated by a compactor, or PG_isolated outside PG_lock, is not on the driver's list":
        forall x in Pages: ((PageIsolated(x) && pglock[x] == none) || (exists c in Cpus: holds_isolation(c, x))) => !onlist[x]

    // Catches: a task asleep in lock_page() that nothing will wake (a lost wakeup).
    leadsto LockWaiterWoken "every compactor asleep in lock_page() is eventually woken":
        forall c in Cpus: c in task_sleeping ~> c notin task_sleeping
    leadsto DriverWoken "the driver's release path asleep in lock_page() is eventually woken":
        owner in task_sleeping ~> owner notin task_sleeping

    // trylock_page() and unlock_page() stay macros (one atomic statement each, inlined in the
    // step that uses them, as the kernel's static inline trylock_page() is): as functions
    // each call would add a step and its return step to every path, and the checker's state
    // count grows past the main job's budget. lock_page() is the inline
    // `if (!trylock_page(page)) __lock_page(page)`, and __lock_page(), which sleeps, is a
    // function.

    // trylock_page(): test_and_set_bit_lock(PG_locked, &page->flags).
    macro trylock_page(p, who, fail) @ "include/linux/pagemap.h:trylock_page" {
        if test_bit(PG_locked, flags[p]) { goto fail }
        set_bit(PG_locked, flags[p])
        pglock[p] = who
    }

    // lock_page(): the fast path takes the bit at once; else __lock_page() sleeps. Ends the
    // step (the section under the lock is the next step).
    macro lock_page(p, who) @ "include/linux/pagemap.h:lock_page" {
        if test_bit(PG_locked, flags[p]) {
            call __lock_page(p, who)
        } else {
            set_bit(PG_locked, flags[p])
            pglock[p] = who
        }
    }

    // __lock_page() -> __wait_on_bit_lock(): queue on the page's wait queue
    // (TASK_UNINTERRUPTIBLE), sleep while PG_locked is set, then test_and_set_bit() again;
    // finish_wait() once it is ours. The kernel queues exclusively (one waiter woken per
    // unlock); wake_up() here wakes every sleeper, and they race for the bit.
    func __lock_page(p: Pages, who: Cpus | {drv}) @ "mm/filemap.c:__lock_page" {
        step prepare @ "kernel/sched/wait.c:__wait_on_bit_lock" {
            prepare_to_wait(pagewq[p])
            if test_bit(PG_locked, flags[p]) { schedule() }
        }
        step retry @ "kernel/sched/wait.c:__wait_on_bit_lock" {
            if test_bit(PG_locked, flags[p]) { goto prepare }
            set_bit(PG_locked, flags[p])
            pglock[p] = who
            finish_wait(pagewq[p])
        }
    }

    // v4.8 unlock_page(): clear_bit_unlock(PG_locked); smp_mb__after_atomic();
    // wake_up_page() -> __wake_up_bit(), which wakes the queue if waitqueue_active(). Merged:
    // a waiter queued before it is woken by it, one that queues after sees the bit clear.
    macro unlock_page(p, who) @ "mm/filemap.c:unlock_page" {
        assert pglock[p] == who, "unlock_page() of a page this context has not locked" as LockedMutation
        clear_bit_unlock(PG_locked, flags[p])
        pglock[p] = none
        wake_up(pagewq[p])
    }

    // __SetPageIsolated()/__ClearPageIsolated() (__PAGEFLAG(Isolated, isolated, PF_ANY)):
    // __set_bit()/__clear_bit() on page->flags, a load and a store. Each is the last statement
    // of its step; the store is the next step.
    macro set_page_isolated(p, who) @ "include/linux/page-flags.h:__SetPageIsolated" {
        assert pglock[p] == who, "__SetPageIsolated() without PG_lock" as LockedMutation
        __set_bit(PG_isolated, flags[p])
    }
    macro clear_page_isolated(p, who) @ "include/linux/page-flags.h:__ClearPageIsolated" {
        assert pglock[p] == who, "__ClearPageIsolated() without PG_lock" as LockedMutation
        __clear_bit(PG_isolated, flags[p])
    }

    // ---------------------------------------------------------------- the compactor

    replace isolate_movable_page.isolate @ "mm/migrate.c:isolate_movable_page" {
        drv_isolate_page(p)
        isolators[p] = isolators[p] | {cpu}
    }
    // __SetPageIsolated(page); unlock_page(page)
    replace isolate_movable_page.set_isolated @ "mm/migrate.c:isolate_movable_page" {
        set_page_isolated(p, cpu)
    }
    insert after isolate_movable_page.set_isolated step set_unlock @ "mm/migrate.c:isolate_movable_page" {
        unlock_page(p, cpu)
        return true
    }
    // !PageMovable: released by the driver; else a_ops->migratepage(), success or -EAGAIN.
    // __ClearPageIsolated() follows in its own step: with one __clear_bit() in each branch of
    // a step, the checker runs the store of both branches (the second stores a word it never
    // loaded), so every step here holds at most one non-atomic operation. In the kernel the
    // callback and __ClearPageIsolated() are separate statements under PG_lock anyway.
    replace compactor.move @ "mm/migrate.c:move_to_new_page" {
        if !PageMovable(p) {
            isolators[p] = isolators[p] \ {self}
        } else {
            either {
                drv_migratepage(p, self)
                isolators[p] = isolators[p] \ {self}
            } or {
                drv_migratepage_busy(p)
                goto fail_unlock
            }
        }
    }
    insert after compactor.move step move_clear @ "mm/migrate.c:move_to_new_page" {
        clear_page_isolated(p, self)
    }
    insert after compactor.move_clear step moved { goto unlock_put }
    replace compactor.putback @ "mm/migrate.c:putback_movable_pages" {
        lock_page(p, self)
    }
    insert after compactor.putback step putback_page @ "mm/migrate.c:putback_movable_page" {
        if PageMovable(p) {
            drv_putback_page(p)
        }
        isolators[p] = isolators[p] \ {self}
        clear_page_isolated(p, self)
    }
    insert after compactor.putback_page step putback_done { goto unlock_put }
    replace compactor.freed @ "mm/migrate.c:unmap_and_move" {
        lock_page(p, self)
    }
    insert after compactor.freed step freed_clear @ "mm/migrate.c:unmap_and_move" {
        isolators[p] = isolators[p] \ {self}
        if !PageMovable(p) {
            clear_page_isolated(p, self)
        }
    }
    insert after compactor.freed_clear step freed_done { goto unlock_put }

    // ---------------------------------------------------------------- the driver's paths

    // BUG_ON(!trylock_page(page)), then balloon_page_insert() under pages_lock.
    replace owner.enqueue @ "mm/balloon_compaction.c:balloon_page_enqueue" {
        assert !test_bit(PG_locked, flags[q]), "balloon_page_enqueue(): BUG_ON(!trylock_page(page))" as LockedMutation
        set_bit(PG_locked, flags[q])
        pglock[q] = drv
        __SetPageMovable(q, drv)
        onlist[q] = true
    }
    replace owner.rel_lock @ "mm/balloon_compaction.c:balloon_page_dequeue" {
        lock_page(q, drv)
    }
}

// The same verdicts as v4.8 (its `expect ... holds all`), now with the lock and the flag word
// the kernel has. Every __set_bit/__clear_bit of PG_isolated is made under PG_lock, and the
// only other writer of the word in v4.8 is test_and_set_bit_lock(PG_locked) by a task that
// wants the lock; while the lock is held that finds the bit set and writes nothing (a
// failed test_and_set_bit changes no bit), so no store of a non-atomic update can lose a
// bit: LockWordConsistent holds. A task asleep in lock_page() is woken by the holder's
// unlock_page(), which always wakes the queue (LockWaiterWoken, DriverWoken).
expect v4_8_pageflags holds all

// ================================================================== v4.10 .. 5.17: PG_waiters

variant v4_10_pageflags extends v4_8_pageflags "v4.10 to 5.17: PG_waiters (bit 7) in page->flags, set atomically by a task that queues for PG_lock; unlock_page() clears PG_locked and tests PG_waiters in one atomic operation and wakes only if it was set; __ClearPageIsolated() is still a non-atomic read-modify-write of the word" source "commit 62906027091f 'mm: add PageWaiters indicating tasks are waiting for a page bit' (Nicholas Piggin, v4.10) and b91e1302ad9b 'mm: optimize PageWaiters bit use for unlock_page()' (Linus Torvalds, v4.10)" {
    // wait_on_page_bit_common(): under the wait queue's lock, queue the task and
    // SetPageWaiters(page), set TASK_UNINTERRUPTIBLE; if PG_locked is still set, io_schedule();
    // then test_and_set_bit_lock() or go round again.
    func __lock_page(p: Pages, who: Cpus | {drv}) @ "mm/filemap.c:__lock_page" {
        step prepare @ "mm/filemap.c:wait_on_page_bit_common" {
            prepare_to_wait(pagewq[p])
            set_bit(PG_waiters, flags[p])
            if test_bit(PG_locked, flags[p]) { schedule() }
        }
        step retry @ "mm/filemap.c:wait_on_page_bit_common" {
            if test_bit(PG_locked, flags[p]) { goto prepare }
            set_bit(PG_locked, flags[p])
            pglock[p] = who
            finish_wait(pagewq[p])
        }
    }
    // unlock_page(): if (clear_bit_unlock_is_negative_byte(PG_locked, &page->flags))
    // wake_up_page_bit(page, PG_locked), which wakes the queue and, under the queue's lock,
    // clears PG_waiters when nobody is left on it. Merged into one step as in v4.8.
    macro unlock_page(p, who) @ "mm/filemap.c:unlock_page" {
        assert pglock[p] == who, "unlock_page() of a page this context has not locked" as LockedMutation
        pglock[p] = none
        if test_bit(PG_waiters, flags[p]) {
            wake_up(pagewq[p])
            if pagewq[p] == {} {
                flags[p] = flags[p] \ {PG_locked, PG_waiters}
            } else {
                clear_bit_unlock(PG_locked, flags[p])
            }
        } else {
            clear_bit_unlock(PG_locked, flags[p])
        }
    }
}

// DriverWoken (a lasso of 26 steps, the last three a cycle): the race commit 356ea3865687 fixed
// (see v5_18_pageflags), found by the checker. A compactor holds PG_lock on a page it has
// isolated and starts __SetPageIsolated() or, after the move, __ClearPageIsolated() (the load
// of page->flags; the shortest counterexample takes the second); the driver's release path
// fails to get the lock, queues, sets PG_waiters atomically and sleeps; the compactor's store
// writes back the word it loaded, without PG_waiters; its unlock_page() finds PG_waiters clear
// and wakes nobody. The driver sleeps for good while the compactors go on scanning and
// isolating (each unlock_page() sees no waiter; the cycle is a compactor's scan, a failed
// get_page_unless_zero() and migrate's `!ok`): a lost wakeup, not a deadlock (some step
// is always enabled), so Deadlock holds and the leadsto fails. The safety properties hold:
// the lost bit is PG_waiters, not PG_locked (the holder's store keeps PG_locked, as it loaded
// it). In v4.8 the same store was harmless (nothing else writes the word while the lock is
// held): the bug came with PG_waiters, like the non-atomic update Hugh Dickins fixed in
// __split_huge_page() (commit 2d077d4b5992, "mm/huge_memory.c: __split_huge_page() use atomic
// ClearPageDirty()": "the non-atomic __bitoperation may have been safe when 4.8's
// baa355fd3314 ... introduced it, but liable to erase PageWaiters after 4.10's 62906027091f").
// LockWaiterWoken holds: a compactor sleeps only on a page another context holds briefly
// without a non-atomic update of the word.
expect v4_10_pageflags violates DriverWoken
expect v4_10_pageflags holds all

// ================================================================== 5.18: atomic PG_isolated

variant v5_18_pageflags extends v4_10_pageflags "5.18 on: SetPageIsolated()/ClearPageIsolated() are atomic bit operations, so an update of PG_isolated under PG_lock cannot overwrite a concurrent SetPageWaiters()" source "commit 356ea3865687 'mm/migrate: fix race between lock page and clear PG_Isolated' (5.18 merge window; title and hash read in a push log, its diff not read); from 5.19 isolate_movable_page() calls SetPageIsolated() (read in debug info of 5.15 and 5.19 kernels)" {
    macro set_page_isolated(p, who) @ "include/linux/page-flags.h:SetPageIsolated" {
        assert pglock[p] == who, "SetPageIsolated() without PG_lock" as LockedMutation
        set_bit(PG_isolated, flags[p])
    }
    macro clear_page_isolated(p, who) @ "include/linux/page-flags.h:ClearPageIsolated" {
        assert pglock[p] == who, "ClearPageIsolated() without PG_lock" as LockedMutation
        clear_bit(PG_isolated, flags[p])
    }
}

// One atomic read-modify-write each: SetPageWaiters() and SetPageIsolated()/ClearPageIsolated()
// cannot lose one another, every queued sleeper is seen by the unlock that follows, and the
// lost wakeup is gone.
expect v5_18_pageflags holds all
