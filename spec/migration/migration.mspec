// The migration side of non-LRU movable page migration, as v4.8 does it: compact_zone()
// isolates some driver pages onto cc->migratepages, migrate_pages() tries each up to
// `Passes` times (MIGRATE_ASYNC or MIGRATE_SYNC_LIGHT, `force` from the fourth pass), with a
// new page from the free scanner for each attempt (compaction_alloc, -ENOMEM when there is
// none), and what is left goes back with putback_movable_pages(). spec/ folds all of this
// into one attempt; here the isolation is one step and the migration is the kernel's
// functions, each a `func` with its result.
//
// Read in linux 4.8.15 (v4.8 stable): mm/migrate.c, mm/compaction.c, mm/page_alloc.c,
// mm/balloon_compaction.c, include/linux/balloon_compaction.h, drivers/virtio/virtio_balloon.c,
// mm/zsmalloc.c. docs/migration.md has each step against its kernel function.
//
//   movspec check spec/migration/

model migration "v4.8 migrate_pages() of non-LRU movable pages: modes, passes, the new page"

// Two driver pages (one can succeed while the other is retried or released), two free pages
// the free scanner can hand out (a second attempt can find the supply empty: -ENOMEM).
const Pages = {P1, P2} symmetric
const NewPages = {N1, N2} symmetric
// migrate_pages() makes up to 10 passes, `force` from pass 3 (pass > 2). Four passes keep an
// unforced pass and a forced one. Sound for the properties here: an attempt that returns
// -EAGAIN changes no page state (its new page goes back on cc->freepages), so passes 4..9,
// all forced like pass 3, repeat what pass 3 can do; what a run of ten passes does past pass
// 3 is a run of four with the extra -EAGAIN attempts left out. What it hides: nothing that
// counts attempts (PGMIGRATE_FAIL counters, latency). `--const Passes=10` checks the real bound.
const Passes = 4

enum Mapping { null, typeonly, ops }
enum Rc { SUCCESS, EAGAIN, EBUSY, ENOMEM }         // MIGRATEPAGE_SUCCESS, -EAGAIN, -EBUSY, -ENOMEM
enum Mode { async, sync_light }                    // enum migrate_mode: MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT
// buddy, cc->freepages, an attempt's newpage, on the driver's list, taken off it by the driver
// to be freed (its page->lru on the driver's local list), the LRU
enum Where { buddy, ccfree, held, installed, released, lru }

// The old pages: the driver's, on its list, with its reference and its mapping.
var ref "page->_refcount": [Pages -> 0..2] = [x in Pages |-> 1]
var dref "the driver holds its reference (balloon reference)": [Pages -> bool] = [x in Pages |-> true]
var pglock "PG_lock and who holds it": [Pages -> {cc, drv, none}] = [x in Pages |-> none]
var pagewq "the page's wait queue (page_waitqueue)": [Pages -> waitqueue]
var mapping "page->mapping": [Pages -> Mapping] = [x in Pages |-> ops]
var isolated "PG_isolated": [Pages -> bool] = [x in Pages |-> false]
var onlist "page->lru on the driver's list": [Pages -> bool] = [x in Pages |-> true]
var owned "the driver counts the page as its own": [Pages -> bool] = [x in Pages |-> true]
var migratepages "cc->migratepages": set of Pages = {}
var balloon_lock "vb->balloon_lock (a mutex; the driver holds it while it releases a page)": bool = false

// The new pages.
var nwhere "where each free page is": [NewPages -> Where] = [x in NewPages |-> buddy]
var nref "newpage->_refcount": [NewPages -> 0..2] = [x in NewPages |-> 0]
var nmapping "newpage->mapping (__SetPageMovable by balloon_page_insert)": [NewPages -> Mapping] = [x in NewPages |-> null]
var nlock "PG_lock of newpage and who holds it": [NewPages -> {cc, drv, none}] = [x in NewPages |-> none]

// The compaction's context, chosen when it starts.
var mode "cc->mode": Mode = async
var memalloc "current->flags & PF_MEMALLOC": bool = false
var cur "ghost: the page migrate_pages() is working on": Pages | {none} = none

def PageMovable(p) = mapping[p] == ops
def __PageMovable(p) = mapping[p] != null

// ------------------------------------------------------------------ primitives

macro unlock_page(p, who) @ "mm/filemap.c:unlock_page" {
    assert pglock[p] == who, "unlock_page() of a page this context has not locked" as LockedMutation
    pglock[p] = none
    wake_up(pagewq[p])
}

// put_page(): the last reference frees the page, and free_pages_prepare() clears every flag
// (page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP) and a movable page->mapping. A page still on
// the driver's list, or locked, is a bad page.
macro put_page(p) @ "include/linux/mm.h:put_page" {
    if ref[p] == 1 {
        assert !onlist[p] && pglock[p] == none, "a page freed while on the driver's list or locked" as FreeHygiene
        isolated[p] = false
        mapping[p] = null
    }
    ref[p] -= 1
}

macro __ClearPageIsolated(p) @ "include/linux/page-flags.h:__ClearPageIsolated" {
    assert pglock[p] == cc, "__ClearPageIsolated() without PG_lock" as LockedMutation
    isolated[p] = false
}

// put_page(newpage); the last reference frees it (free_pages_prepare clears the mapping).
macro put_newpage(n) @ "include/linux/mm.h:put_page" {
    if nref[n] == 1 { nwhere[n] = buddy  nmapping[n] = null }
    nref[n] -= 1
}

// putback_lru_page(newpage): the page goes on an LRU list through page->lru.
macro putback_lru_page(n) @ "mm/vmscan.c:putback_lru_page" {
    assert nwhere[n] == held, "putback_lru_page() of a page whose page->lru the driver uses" as NoLruCorruption
    nwhere[n] = lru
}

// compaction_free(): the new page goes back on cc->freepages.
macro compaction_free(n) @ "mm/compaction.c:compaction_free" {
    nwhere[n] = ccfree
}

// a_ops->putback_page (balloon_page_putback: list_add) then __ClearPageIsolated().
macro putback_movable_page(p) @ "mm/migrate.c:putback_movable_page" {
    assert pglock[p] == cc && PageMovable(p) && isolated[p], "putback_movable_page() on a page not locked, movable and isolated" as NoCallbackOnReleased
    onlist[p] = true
    __ClearPageIsolated(p)
}

func trylock_page(p: Pages, who: {cc, drv}) -> bool @ "include/linux/pagemap.h:trylock_page" {
    step test_and_set "test_and_set_bit_lock(PG_locked)" {
        if pglock[p] != none { return false }
        pglock[p] = who
        return true
    }
}

// lock_page(): trylock, else __lock_page() sleeps on the page's wait queue until PG_locked
// is clear and tries again. v4.8 has no PG_waiters: unlock_page() wakes the queue.
func lock_page(p: Pages, who: {cc, drv}) @ "include/linux/pagemap.h:lock_page" {
    step fast "trylock_page" {
        if pglock[p] == none { pglock[p] = who  return }
    }
    step sleep @ "mm/filemap.c:__lock_page" {
        prepare_to_wait(pagewq[p])
        if pglock[p] != none { schedule() }
    }
    step retry @ "mm/filemap.c:__lock_page" {
        if pglock[p] != none { goto sleep }
        pglock[p] = who
        finish_wait(pagewq[p])
    }
}

// ------------------------------------------------------------------ the driver's callback

// a_ops->migratepage: balloon_page_migrate() -> virtballoon_migratepage(). -EAGAIN when
// mutex_trylock(&vb->balloon_lock) fails: the driver is releasing a page, or (not modelled
// otherwise, so any attempt may find it so) inflating; -EBUSY as zs_page_migrate() returns for a zspage with no object in use.
// Success: get_page(newpage), balloon_page_insert(newpage) (__SetPageMovable, list_add),
// balloon_page_delete(page) (__ClearPageMovable; PG_isolated set, so no list_del),
// put_page(page) (the balloon reference; the VM still holds one).
func migratepage(p: Pages, n: NewPages) -> Rc @ "drivers/virtio/virtio_balloon.c:virtballoon_migratepage" {
    step migrate {
        assert pglock[p] == cc && nlock[n] == cc, "migratepage() without PG_lock on both pages" as LockedMutation
        assert owned[p] && isolated[p], "migratepage() on a page the driver released" as NoCallbackOnReleased
        if balloon_lock { return EAGAIN }
        either {
            return EAGAIN
        } or {
            return EBUSY
        } or {
            nref[n] += 1
            nmapping[n] = ops
            nwhere[n] = installed
            mapping[p] = typeonly
            owned[p] = false
            dref[p] = false
            ref[p] -= 1
            return SUCCESS
        }
    }
}

// ------------------------------------------------------------------ mm/migrate.c

// compaction_alloc(): a page from cc->freepages; if that is empty, isolate_freepages() may
// find one (the free scanner), or none (the scanners met, or cc->contended): NULL.
func compaction_alloc() -> NewPages | {none} @ "mm/compaction.c:compaction_alloc" {
    local n: NewPages | {none} = none
    step take {
        if exists x in NewPages: nwhere[x] == ccfree {
            any x in {y in NewPages where nwhere[y] == ccfree} { n = x  nwhere[x] = held }
        } else {
            either {
                any x in {y in NewPages where nwhere[y] == buddy} { n = x  nwhere[x] = held  nref[x] = 1 }
            } or {
                skip
            }
        }
    }
    step give { return n }
}

// move_to_new_page() for a non-LRU page, under PG_lock of both pages.
func move_to_new_page(p: Pages, n: NewPages) -> Rc @ "mm/migrate.c:move_to_new_page" {
    local rc: Rc = EAGAIN
    // In case of non-lru page, it could be released after isolation step.
    step released @ "mm/migrate.c:move_to_new_page" {
        assert isolated[p], "move_to_new_page() of a page that is not isolated (VM_BUG_ON_PAGE)" as LockedMutation
        if !PageMovable(p) {
            __ClearPageIsolated(p)
            return SUCCESS
        }
    }
    step callback { rc = call migratepage(p, n) }
    // rc == MIGRATEPAGE_SUCCESS && __PageMovable(page): __ClearPageIsolated(page)
    step clear @ "mm/migrate.c:move_to_new_page" {
        if rc == SUCCESS && __PageMovable(p) { __ClearPageIsolated(p) }
        return rc
    }
}

func __unmap_and_move(p: Pages, n: NewPages, force: bool) -> Rc @ "mm/migrate.c:__unmap_and_move" {
    local rc: Rc = EAGAIN
    local got: bool = false
    step trylock { got = call trylock_page(p, cc) }
    // if (!trylock_page(page)) { if (!force || mode == MIGRATE_ASYNC) goto out;
    //     if (current->flags & PF_MEMALLOC) goto out; lock_page(page); }
    step contended @ "mm/migrate.c:__unmap_and_move" {
        if got { goto lock_new }
        if !force || mode == async { return EAGAIN }
        if memalloc { return EAGAIN }
    }
    step lock { call lock_page(p, cc) }
    // trylock_page(newpage): nobody else knows the new page; it cannot fail here.
    step lock_new @ "mm/migrate.c:__unmap_and_move" { nlock[n] = cc }
    step move { rc = call move_to_new_page(p, n) }
    // out_unlock_both: unlock_page(newpage); out_unlock: unlock_page(page).
    step unlock_both @ "mm/migrate.c:__unmap_and_move" {
        nlock[n] = none
        unlock_page(p, cc)
    }
    // out: on success put_page(newpage) when __PageMovable(newpage) (the driver took its own
    // reference), else putback_lru_page(newpage): lru_cache_add() takes a reference,
    // put_page() drops the allocation's. newpage is unlocked: the driver may be releasing it
    // already (__ClearPageMovable() keeps the type bit, so __PageMovable() stays true). A
    // page the driver released has "migrated" without using newpage, which thus goes to the
    // LRU, empty, for reclaim to free later.
    step out @ "mm/migrate.c:__unmap_and_move" {
        if rc == SUCCESS {
            if nmapping[n] != null { put_newpage(n) } else { putback_lru_page(n) }
        }
        return rc
    }
}

func unmap_and_move(p: Pages, force: bool) -> Rc @ "mm/migrate.c:unmap_and_move" {
    local n: NewPages | {none} = none
    local rc: Rc = SUCCESS
    step get_new { n = call compaction_alloc() }
    // if (!newpage) return -ENOMEM; if (page_count(page) == 1): freed from under us.
    step count @ "mm/migrate.c:unmap_and_move" {
        if n == none { return ENOMEM }
        if ref[p] == 1 { goto freed_lock }
    }
    step migrate { rc = call __unmap_and_move(p, n, force) }
    // out: rc != -EAGAIN: list_del(&page->lru); success: put_page(page) (the isolation's
    // reference; the page is freed); -EAGAIN: put_new_page(newpage), the page stays listed.
    step out @ "mm/migrate.c:unmap_and_move" {
        if rc != EAGAIN { migratepages = migratepages \ {p} }
        if rc == SUCCESS { put_page(p)  return SUCCESS }
        if rc == EAGAIN { compaction_free(n)  return EAGAIN }
    }
    // any other error: lock_page(); PageMovable ? putback_movable_page : __ClearPageIsolated;
    // unlock_page(); put_page(); put_new_page(newpage).
    step fail_lock { call lock_page(p, cc) }
    step fail_putback @ "mm/migrate.c:unmap_and_move" {
        if PageMovable(p) { putback_movable_page(p) } else { __ClearPageIsolated(p) }
        unlock_page(p, cc)
    }
    step fail_put @ "mm/migrate.c:unmap_and_move" {
        put_page(p)
        compaction_free(n)
        return rc
    }
    // if (unlikely(__PageMovable(page))) { lock_page(page); if (!PageMovable(page))
    // __ClearPageIsolated(page); unlock_page(page); } put_new_page(newpage); goto out
    // (rc == MIGRATEPAGE_SUCCESS). __PageMovable() is always true of a page the VM isolated
    // here (released pages keep PAGE_MAPPING_MOVABLE).
    step freed_lock { call lock_page(p, cc) }
    step freed_clear @ "mm/migrate.c:unmap_and_move" {
        if !PageMovable(p) { __ClearPageIsolated(p) }
        unlock_page(p, cc)
        compaction_free(n)
        goto out
    }
}

// migrate_pages(): up to Passes passes over the list while some page asked for a retry;
// -ENOMEM ends it at once; returns the number of pages not migrated, or -ENOMEM (-12).
func migrate_pages() -> -12..2 @ "mm/migrate.c:migrate_pages" {
    local pass: 0..Passes = 0
    local retry: 0..2 = 1
    local nr_failed: 0..2 = 0
    local todo: set of Pages = {}
    local page: Pages | {none} = none
    local rc: Rc = SUCCESS
    // for (pass = 0; pass < 10 && retry; pass++) { retry = 0; list_for_each_entry_safe ...
    step pass_loop @ "mm/migrate.c:migrate_pages" {
        if pass == Passes || retry == 0 { goto finish }
        retry = 0
        todo = migratepages
    }
    step next @ "mm/migrate.c:migrate_pages" {
        if todo == {} { pass += 1  goto pass_loop }
        any x in todo { page = x  todo = todo \ {x}  cur = x }
    }
    step attempt { rc = call unmap_and_move(page, pass > 2) }
    step result @ "mm/migrate.c:migrate_pages" {
        if rc == ENOMEM { cur = none  return -12 }
        if rc == EAGAIN { retry += 1 } else if rc != SUCCESS { nr_failed += 1 }
        goto next
    }
    // nr_failed += retry; rc = nr_failed;
    step finish @ "mm/migrate.c:migrate_pages" {
        cur = none
        return nr_failed + retry
    }
}

// putback_movable_pages(): every page left on the list goes back to the driver (or has its
// PG_isolated cleared if the driver released it), and the isolation's reference is dropped.
func putback_movable_pages() @ "mm/migrate.c:putback_movable_pages" {
    local p: Pages | {none} = none
    step next @ "mm/migrate.c:putback_movable_pages" {
        if migratepages == {} { return }
        any x in migratepages { p = x  migratepages = migratepages \ {x} }
    }
    step lock { call lock_page(p, cc) }
    step putback @ "mm/migrate.c:putback_movable_pages" {
        if PageMovable(p) { putback_movable_page(p) } else { __ClearPageIsolated(p) }
        unlock_page(p, cc)
    }
    step put @ "mm/migrate.c:putback_movable_pages" {
        put_page(p)
        goto next
    }
}

// ------------------------------------------------------------------ the actors

fair actor compactor "compact_zone(): one compaction of the zone" {
    local err: -12..2 = 0
    // compact_zone_order(): direct compaction, async or sync-light, under PF_MEMALLOC
    // (__alloc_pages_direct_compact); kcompactd_do_work(): MIGRATE_SYNC_LIGHT, no PF_MEMALLOC.
    step start @ "mm/compaction.c:compact_zone_order" {
        either { mode = async  memalloc = true }
        or { mode = sync_light  memalloc = true }
        or { mode = sync_light  memalloc = false }
    }
    // isolate_migratepages_block() -> isolate_movable_page(), merged: get_page_unless_zero,
    // trylock_page, PageMovable && !PageIsolated, a_ops->isolate_page (list_del),
    // __SetPageIsolated, unlock_page; spec/ models those steps one by one.
    step isolate @ "mm/compaction.c:isolate_migratepages_block" {
        either {
            any x in {y in Pages where y notin migratepages && ref[y] > 0 && pglock[y] == none && PageMovable(y) && !isolated[y]} {
                ref[x] += 1
                isolated[x] = true
                onlist[x] = false
                migratepages = migratepages | {x}
            }
            goto isolate
        } or {
            if migratepages == {} { goto done }
        }
    }
    step migrate @ "mm/compaction.c:compact_zone" { err = call migrate_pages() }
    // if (err) putback_movable_pages(&cc->migratepages)
    step putback @ "mm/compaction.c:compact_zone" {
        if err == 0 { goto release }
        call putback_movable_pages()
    }
    // release_freepages(&cc->freepages): __free_page() of every page the free scanner kept.
    step release @ "mm/compaction.c:release_freepages" {
        nref = [x in NewPages |-> if nwhere[x] == ccfree then 0 else nref[x]]
        nwhere = [x in NewPages |-> if nwhere[x] == ccfree then buddy else nwhere[x]]
    }
}

// The driver's release of a page, leak_balloon() -> balloon_page_dequeue() under
// vb->balloon_lock, zsmalloc-like in that it may release a page the VM holds isolated (the
// balloon's dequeue skips those): lock_page, balloon_page_delete (__ClearPageMovable,
// list_del unless isolated), unlock_page, put_page, then the mutex is released.
fair actor driver "the driver releasing its pages" {
    local q: Pages | {none} = none
    local m: NewPages | {none} = none
    step idle @ "drivers/virtio/virtio_balloon.c:leak_balloon" {
        either {
            await !balloon_lock
            any x in {y in Pages where owned[y]} { q = x  balloon_lock = true }
        } or {
            await !balloon_lock
            any x in {y in NewPages where nwhere[y] == installed} { m = x  balloon_lock = true }
            goto new_lock
        } or {
            goto done
        }
    }
    step rel_lock @ "mm/balloon_compaction.c:balloon_page_dequeue" { call lock_page(q, drv) }
    step rel_clear @ "include/linux/balloon_compaction.h:balloon_page_delete" {
        assert owned[q] && PageMovable(q), "the driver releases a page that is not its own" as NoCallbackOnReleased
        mapping[q] = typeonly
        owned[q] = false
        if !isolated[q] { onlist[q] = false }
        unlock_page(q, drv)
    }
    step rel_put @ "drivers/virtio/virtio_balloon.c:leak_balloon" {
        dref[q] = false
        put_page(q)
        balloon_lock = false
        goto idle
    }
    // The same release of a page the driver got by migration: balloon_page_dequeue()
    // (trylock_page; the model waits for PG_lock), balloon_page_delete() onto the driver's
    // local list (release_pages_balloon() frees it from there), then put_page().
    step new_lock @ "mm/balloon_compaction.c:balloon_page_dequeue" {
        await nlock[m] == none
        nlock[m] = drv
    }
    step new_clear @ "include/linux/balloon_compaction.h:balloon_page_delete" {
        nmapping[m] = typeonly
        nwhere[m] = released
        nlock[m] = none
    }
    step new_put @ "drivers/virtio/virtio_balloon.c:release_pages_balloon" {
        put_newpage(m)
        balloon_lock = false
        goto idle
    }
}

// ------------------------------------------------------------------ properties

// Catches: a page still on cc->migratepages, or the driver's page still PG_isolated or off
// its list, once the compaction has migrated it or put it back (no compactor will isolate
// it again, the balloon's dequeue skips it: lost to the driver); or a reference of the
// isolation not dropped (the page is never freed). A page the driver released may keep
// PG_isolated until its last put_page(): free_pages_prepare() clears it.
invariant NoLeakedIsolation "when migrate_pages() and putback_movable_pages() are done, every page is the driver's again (listed, not isolated) or released and freed, and only the driver's reference is left":
    compactor at {release, done} => migratepages == {} && (forall p in Pages:
        (owned[p] => onlist[p] && !isolated[p]) && ref[p] == (if dref[p] then 1 else 0))

// Catches: migrate_pages() returning 0 with pages still listed: the caller puts back only
// if ret != 0 ("The caller should call putback_movable_pages() ... only if ret != 0").
invariant ReturnContract "migrate_pages() returns 0 only when every page left the list":
    compactor at putback && compactor.err == 0 => migratepages == {}

// Catches: a new page lost: neither installed by the driver, nor given back to the free
// scanner, nor handed to the LRU.
invariant NewPageReturned "when migrate_pages() returns, no new page is held by an attempt; when the compaction ends, each is free or the driver's":
    (compactor at putback => forall n in NewPages: nwhere[n] != held)
    && (compactor at done => forall n in NewPages: nwhere[n] in {buddy, installed, released, lru})

// Stronger: a new page the driver did not take goes back to the allocator, not to the LRU
// (it does not in v4.8: see the expectation).
invariant NewPageFreed "when the compaction ends, each new page is free or the driver's":
    compactor at done => forall n in NewPages: nwhere[n] in {buddy, installed, released}

invariant NewPageRefs "a new page's reference count matches where it is":
    forall n in NewPages: (nwhere[n] == buddy => nref[n] == 0 && nmapping[n] == null)
        && (nwhere[n] in {ccfree, lru} => nref[n] == 1 && nmapping[n] == null)
        && (nwhere[n] == installed => nmapping[n] == ops && nref[n] >= 1)
        && (nwhere[n] == released => nmapping[n] == typeonly && nref[n] >= 1)

// Catches: the page lock taken with lock_page() by __unmap_and_move() in MIGRATE_ASYNC
// ("if (!force || mode == MIGRATE_ASYNC) goto out") or under PF_MEMALLOC ("It's not safe
// for direct compaction to call lock_page").
invariant AsyncNoLockPage "__unmap_and_move() never calls lock_page() in MIGRATE_ASYNC mode":
    compactor at __unmap_and_move.lock => mode != async
invariant MemallocNoLockPage "__unmap_and_move() never calls lock_page() under PF_MEMALLOC (direct compaction)":
    compactor at __unmap_and_move.lock => !memalloc

// Stronger than what the kernel promises: an asynchronous compaction never sleeps on any
// page lock (it does, in v4.8: see the expectation).
invariant AsyncNeverSleeps "a MIGRATE_ASYNC compaction never sleeps in lock_page()":
    mode == async => compactor notin task_sleeping

// Catches: page->mapping changing between move_to_new_page()'s PageMovable() test and the
// migratepage callback made through it; PG_lock is what keeps it.
invariant MappingStability "from move_to_new_page()'s PageMovable() test to the callback, the page stays movable and locked by the compactor":
    compactor at move_to_new_page.callback => cur != none && PageMovable(cur) && pglock[cur] == cc

assertion LockedMutation "PG_isolated and the callbacks are touched only under PG_lock held by the toucher"
assertion NoCallbackOnReleased "no driver callback runs on a page the driver released"
assertion FreeHygiene "a freed page is neither on the driver's list nor locked"
assertion NoLruCorruption "putback_lru_page() never takes a page whose page->lru the driver uses"

// Catches: a compaction that never returns (migrate_pages() retrying for ever, a sleep
// nobody ends).
leadsto Terminates "every compaction finishes": compactor at start ~> compactor at done
