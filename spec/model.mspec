// Non-LRU movable page migration (v4.8, "mm: migrate: support non-lru movable page
// migration", Minchan Kim, 2016): the shared state, the kernel primitives every actor uses,
// and the properties every design variant is checked against.
//
// The actors live in their own files: compactor.mspec (the VM, one thread per CPU),
// driver.mspec (the driver's callbacks and its own allocation/release paths),
// loader.mspec (rmmod). The design variants are deltas over this base in variants.mspec.
// docs/protocol-model.md is a reader's guide.

model movable "non-LRU movable page migration (balloon, zsmalloc, z3fold)"

// Two pages and two compaction threads: the smallest configuration in which two compactors
// can race for one page while the driver releases the other.
const Pages = {P1, P2} symmetric
const Cpus = {C1, C2} symmetric
// _refcount never exceeds the driver's reference plus one per compactor.
const MaxRef = 3

// page->mapping, as the VM sees it (include/linux/page-flags.h, mm/compaction.c):
//   null      NULL: not a driver page (new from the buddy allocator, or freed)
//   typeonly  PAGE_MAPPING_MOVABLE alone: __ClearPageMovable() dropped the pointer, so the
//             driver released the page; __PageMovable() still says yes, PageMovable() no
//   ops       driver's mapping | PAGE_MAPPING_MOVABLE: reaches the driver's callbacks
//             (a_ops in v4.8, movable_operations from v6.0)
enum Mapping { null, typeonly, ops }

// Each field of struct page that matters is its own function over Pages, so that one atomic
// step may update several of them (one assignment per variable and step).
var ref "page->_refcount": [Pages -> 0..MaxRef] = [x in Pages |-> 0]
var pglock "PG_lock and who holds it (drv: the driver's own paths)": [Pages -> Cpus | {drv, none}] = [x in Pages |-> none]
var mapping "page->mapping": [Pages -> Mapping] = [x in Pages |-> null]
var isolated "PG_isolated": [Pages -> bool] = [x in Pages |-> false]
var onlist "page->lru is on the driver's private list (balloon pages list, zspage)": [Pages -> bool] = [x in Pages |-> false]
var owned "the driver counts the page as its own (allocated, not yet released or migrated away)": [Pages -> bool] = [x in Pages |-> false]
var exiting "the module's exit routine has started (delete_module called mod->exit)": bool = false

// ------------------------------------------------------------------ page tests

// __PageMovable(): lockless test of the type bits in page->mapping; may be a false positive.
def __PageMovable(p) = mapping[p] != null
// PageMovable(): only meaningful under PG_lock; the type bit and a mapping with callbacks.
def PageMovable(p) = mapping[p] == ops
def PageIsolated(p) = isolated[p]

// ------------------------------------------------------------------ kernel primitives
// `who` is the context performing the operation: `self` in a compactor, `drv` in the driver.

macro put_page(p) @ "include/linux/mm.h:put_page" {
    ref[p] -= 1
}

macro trylock_page(p, who, fail) @ "include/linux/pagemap.h:trylock_page" {
    if pglock[p] != none { goto fail }
    pglock[p] = who
}

// Sleeps until PG_lock is free: the step is enabled only when nobody holds it.
macro lock_page(p, who) @ "include/linux/pagemap.h:lock_page" {
    await pglock[p] == none
    pglock[p] = who
}

macro unlock_page(p, who) @ "mm/filemap.c:unlock_page" {
    assert pglock[p] == who, "unlock_page() of a page this context has not locked" as LockedMutation
    pglock[p] = none
}

// The flag operations are the non-atomic ones of v4.8 (__SetPageIsolated is a plain
// read-modify-write of page->flags, __SetPageMovable a plain store to page->mapping): they are
// correct only under PG_lock held by the caller, which each one asserts.

macro __SetPageMovable(p, who) @ "mm/compaction.c:__SetPageMovable" {
    assert pglock[p] == who, "__SetPageMovable() without PG_lock" as LockedMutation
    mapping[p] = ops
}

macro __ClearPageMovable(p, who) @ "mm/compaction.c:__ClearPageMovable" {
    assert pglock[p] == who, "__ClearPageMovable() without PG_lock" as LockedMutation
    mapping[p] = typeonly
}

macro __SetPageIsolated(p, who) @ "include/linux/page-flags.h:__SetPageIsolated" {
    assert pglock[p] == who, "__SetPageIsolated() without PG_lock" as LockedMutation
    isolated[p] = true
}

macro __ClearPageIsolated(p, who) @ "include/linux/page-flags.h:__ClearPageIsolated" {
    assert pglock[p] == who, "__ClearPageIsolated() without PG_lock" as LockedMutation
    isolated[p] = false
}

// ------------------------------------------------------------------ properties

// The compactor steps during which it holds an isolation of its page `p` (from the
// isolate_page callback's success until PG_isolated is cleared again): the last step of
// isolate_movable_page(), the kept result `true` until migrate reads it, and the migration or
// putback. Variants that add steps to that phase override this definition.
def holds_isolation(c, p) = compactor[c].p == p && (compactor[c] at {isolate_movable_page.set_isolated, move, fail_unlock, putback, freed} || (compactor[c] at migrate && compactor[c].ok))

// The compactor steps during which it uses page->mapping it has checked, to call through it
// (PageMovable() passed, the callback has not yet returned). In v4.8 the recheck and the
// migratepage/putback_page calls share one atomic step, so only the isolate_page call is
// separate.
def uses_mapping(c) = compactor[c] at {isolate_movable_page.isolate}

// Catches: a callback (isolate_page, migratepage, putback_page, ...) entered after rmmod freed
// the driver's code and its a_ops: the use-after-unload Vlastimil raised against per-driver
// locking. The check is made by every `call driver.op(...)`.
assertion NoUseAfterUnload "every call into the driver runs while the driver module is loaded"

// Catches: page->mapping changing under a compactor between its PageMovable() check and the
// callback it makes through that mapping (Minchan's objection: the driver can clear
// page->mapping between get_page_unless_zero() and the call; a NULL or stale a_ops).
invariant MappingStability "while a compactor calls through page->mapping, the page is still movable with the driver's ops":
    forall c in Cpus: uses_mapping(c) => PageMovable(compactor[c].p)

// Catches: two compactors migrating the same page (double isolation: both own page->lru,
// both call migratepage/putback_page, the second putback corrupts the driver's list).
invariant ExclusiveIsolation "an isolated page belongs to exactly one compactor":
    forall p in Pages, c in Cpus, d in Cpus: holds_isolation(c, p) && holds_isolation(d, p) => c == d

// Catches: lost updates to page->flags / page->mapping from non-atomic flag operations done
// without PG_lock (a concurrent trylock_page or another flag update is overwritten), and
// unlock_page() by a context that does not hold the lock. Checked in the flag macros.
assertion LockedMutation "movable and PG_isolated change only under PG_lock held by the changer"

// Catches: a page returned to the buddy allocator still movable with the driver's ops or
// still PG_isolated (PG_isolated aliases PG_reclaim, a bad_page() at free) or still linked on
// the driver's list (the driver's list then points into a free page).
invariant FreeHygiene "a page whose refcount is 0 is neither movable-with-ops, nor isolated, nor on the driver's list":
    forall p in Pages: ref[p] == 0 => !PageMovable(p) && !PageIsolated(p) && !onlist[p]

// Catches: page->lru used by the VM's migration list and the driver's list at once (list
// corruption: a putback while another compactor still holds the page isolated).
invariant ListDisjointness "a page isolated by the VM is not on the driver's list":
    forall p in Pages: (PageIsolated(p) || (exists c in Cpus: holds_isolation(c, p))) => !onlist[p]

// Catches: a callback on a page the driver has already released (it may already be reused
// or freed by the driver; its private data is gone). Checked in the callback macros.
assertion NoCallbackOnReleased "no driver callback runs on a page the driver released"
