// The balloon driver's side of non-LRU movable page migration, as in v4.8: the virtio
// balloon (drivers/virtio/virtio_balloon.c) over mm/balloon_compaction.c and
// include/linux/balloon_compaction.h, against the compactor of mm/migrate.c and
// mm/compaction.c. A model of its own (`movspec check spec/balloon/`), apart from spec/'s
// hybrid driver: here the driver is the balloon and only the balloon, with its page list,
// its pages_lock, its isolated_pages count and its balloon_lock mutex, and pages are
// allocated, freed and allocated again.
//
// Files: model.mspec (state, kernel primitives, properties), compactor.mspec (the VM: one
// compaction thread per CPU), balloon.mspec (the balloon's callbacks and its worker:
// fill_balloon/leak_balloon), variants.mspec (the variants and their verdicts).
// docs/balloon.md is a reader's guide.

model balloon "the v4.8 balloon driver against compaction: enqueue, dequeue, isolate, migrate, putback on reused pages"

// Two pages and two compaction threads: two compactors can race for one balloon page while
// the balloon releases or allocates the other.
const Pages = {P1, P2} symmetric
const Cpus = {C1, C2} symmetric
// _refcount: the allocation's (or the balloon's) reference, one per compactor that holds
// one, and the balloon's get_page() of a migration's new page.
const MaxRef = 4
// The alloc_page() budget, shared by the balloon's inflation and compaction_alloc(): with
// two pages, three allocations means at least one page is freed and allocated again.
const Allocs = 3

// page->mapping as the VM reads it (see spec/model.mspec):
//   null      a page that is not a movable page (fresh, or freed: free_pages_prepare()
//             clears a mapping with PAGE_MAPPING_FLAGS)
//   typeonly  PAGE_MAPPING_MOVABLE alone: __ClearPageMovable() by balloon_page_delete()
//   ops       the balloon inode's i_mapping | PAGE_MAPPING_MOVABLE: balloon_aops
enum Mapping { null, typeonly, ops }

var ref "page->_refcount": [Pages -> 0..MaxRef] = [x in Pages |-> 0]
var pglock "PG_locked, and who holds it (drv: the balloon's worker)": [Pages -> Cpus | {drv, none}] = [x in Pages |-> none]
var mapping "page->mapping": [Pages -> Mapping] = [x in Pages |-> null]
var isolated "PG_isolated": [Pages -> bool] = [x in Pages |-> false]
// __SetPageBalloon() (the page type in _mapcount) and set_page_private(page, b_dev_info)
// are set together by balloon_page_insert() and cleared together by balloon_page_delete():
// one flag. A callback reaches the balloon through balloon_page_device(page), that is
// page_private(page): NULL on a page that is not a balloon page.
var balloon "PageBalloon and page_private == b_dev_info": [Pages -> bool] = [x in Pages |-> false]
var pages "b_dev_info->pages: the balloon's page list, head first": list of Pages
var isolated_pages "b_dev_info->isolated_pages": 0..MaxRef = 0
var pages_lock "b_dev_info->pages_lock": spinlock
var balloon_lock "vb->balloon_lock (a mutex): the worker's fill/leak, or a compactor's migratepage": Cpus | {drv, none} = none
var num_pages "vb->num_pages: the pages the balloon told the host it holds": 0..MaxRef = 0
var allocs "alloc_page() calls left (the bound that makes page reuse finite)": 0..Allocs = Allocs
// Ghost: the compactors holding the page isolated, from __SetPageIsolated() to
// __ClearPageIsolated() (a property cannot read a process inside a function).
var vm_isolated "ghost: the compactors that hold the page isolated": [Pages -> set of Cpus] = [x in Pages |-> {}]

// ------------------------------------------------------------------ page tests

// __PageMovable(): the lockless test of PAGE_MAPPING_MOVABLE in page->mapping.
def __PageMovable(p) = mapping[p] != null
// PageMovable(): under PG_lock; the type bit and a mapping whose a_ops has isolate_page.
def PageMovable(p) = mapping[p] == ops
def PageIsolated(p) = isolated[p]

// ------------------------------------------------------------------ kernel primitives
// `who` is the context: a compactor (`self`, passed to functions as a parameter) or `drv`.

// trylock_page(): test_and_set_bit_lock(PG_locked); a function, since its result decides.
func trylock_page(p: Pages, who: Cpus | {drv}) -> bool @ "include/linux/pagemap.h:trylock_page" {
    step test_and_set @ "include/linux/pagemap.h:trylock_page" "test_and_set_bit_lock(PG_locked, &page->flags)" {
        if pglock[p] != none { return false }
        pglock[p] = who
        return true
    }
}

// lock_page(): sleeps until PG_locked is clear, then takes it (v4.8 __lock_page; the wait
// queue is not modelled: the step is enabled once the lock is free).
macro lock_page(p, who) @ "include/linux/pagemap.h:lock_page" {
    await pglock[p] == none
    pglock[p] = who
}

macro unlock_page(p, who) @ "mm/filemap.c:unlock_page" {
    assert pglock[p] == who, "unlock_page() of a page this context has not locked" as LockedMutation
    pglock[p] = none
}

// put_page(): the last reference frees the page; free_pages_prepare() clears a mapping
// that has PAGE_MAPPING_FLAGS (the movable type bit left by __ClearPageMovable()), so a
// page allocated again starts with page->mapping == NULL.
macro put_page(p) @ "include/linux/mm.h:put_page" {
    ref[p] -= 1
    if ref[p] == 0 { mapping[p] = null }
}

// The non-atomic flag operations of v4.8: correct only under PG_lock held by the caller.
macro __SetPageMovable(p, who) @ "mm/compaction.c:__SetPageMovable" {
    assert pglock[p] == who, "__SetPageMovable() without PG_lock (VM_BUG_ON_PAGE(!PageLocked(page)))" as LockedMutation
    mapping[p] = ops
}
macro __ClearPageMovable(p, who) @ "mm/compaction.c:__ClearPageMovable" {
    assert pglock[p] == who, "__ClearPageMovable() without PG_lock (VM_BUG_ON_PAGE(!PageLocked(page)))" as LockedMutation
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

// balloon_page_insert(): __SetPageBalloon, __SetPageMovable(page, inode->i_mapping),
// set_page_private(page, balloon), list_add(&page->lru, &balloon->pages). The caller holds
// PG_lock and pages_lock.
macro balloon_page_insert(p, who) @ "include/linux/balloon_compaction.h:balloon_page_insert" {
    balloon[p] = true
    __SetPageMovable(p, who)
    list_add(p, pages)
}

// balloon_page_delete(): __ClearPageBalloon, __ClearPageMovable, set_page_private(page, 0),
// and list_del(&page->lru) only `if (!PageIsolated(page))`: the VM owns page->lru then.
macro balloon_page_delete(p, who) @ "include/linux/balloon_compaction.h:balloon_page_delete" {
    balloon[p] = false
    __ClearPageMovable(p, who)
    if !PageIsolated(p) { list_del(p, pages) }
}

// ------------------------------------------------------------------ properties

// Catches: the BUG_ON(!trylock_page(page)) of balloon_page_enqueue() firing: somebody holds
// PG_lock of a page the balloon has just allocated. Checked in balloon_page_enqueue().
assertion EnqueueTrylock "balloon_page_enqueue(): trylock_page() of the freshly allocated page succeeds (BUG_ON)"

// Catches: the BUG() of balloon_page_dequeue(): no page could be dequeued, the list is empty
// and isolated_pages is 0, while the balloon still counts pages (vb->num_pages > 0).
assertion DequeueBUG "balloon_page_dequeue(): an empty list with isolated_pages == 0 means the balloon lost no page (BUG)"

// Catches: a callback (isolate_page, migratepage, putback_page) on a page that is no longer
// a balloon page: balloon_page_device() is NULL, or the page was freed and reused. Checked
// in the callbacks.
assertion NoCallbackOnReleased "the compactor calls the balloon's callbacks only on a balloon page"

// Catches: balloon_page_dequeue() releasing a page that a compactor holds isolated.
assertion NoDequeueIsolated "the balloon never dequeues a page a compactor holds isolated"

// Catches: unmap_and_move()'s `page_count(page) == 1` case ("page was freed from under us")
// on a balloon page: the balloon released a page the VM holds isolated, which it must never
// do (its dequeue walks only its list; an isolated page is off it).
assertion NoReleaseWhileIsolated "a page the VM holds isolated keeps the balloon's reference"

// Catches: non-atomic flag updates made without PG_lock, and unlock_page() by a context
// that does not hold the lock. Checked in the flag macros.
assertion LockedMutation "page->mapping and PG_isolated change only under PG_lock held by the changer"

// Catches: two compactors migrating the same page.
invariant ExclusiveIsolation "a page is held isolated by at most one compactor":
    forall x in Pages: |vm_isolated[x]| <= 1

// Catches: page->lru on the balloon's list while the VM uses it for its migration list.
// putback_movable_page() calls a_ops->putback_page() (list_add) before __ClearPageIsolated(),
// both under the PG_lock of the compactor that holds the isolation: only that moment is
// exempt.
invariant ListDisjointness "a page a compactor holds isolated is not on the balloon's list (but while that compactor puts it back under PG_lock)":
    forall x in Pages, c in Cpus: c in vm_isolated[x] && pglock[x] != c => x notin pages

// Catches: a page returned to the allocator while still a balloon page, on the list,
// PG_isolated (a bad_page() at free: PG_reclaim) or PG_locked.
invariant FreeHygiene "a page whose refcount is 0 is not a balloon page, not on the list, not isolated, not locked":
    forall x in Pages: ref[x] == 0 => !balloon[x] && x notin pages && !isolated[x] && pglock[x] == none && mapping[x] == null

// Catches: isolated_pages drifting from the pages the VM holds off the list, or vm->num_pages
// from the pages the balloon holds. Both are exact whenever no context is inside a
// balloon_lock section (fill_balloon, leak_balloon and virtballoon_migratepage update them
// in several steps under that mutex).
invariant IsolatedPagesExact "isolated_pages counts the balloon pages off the list; num_pages the list plus those":
    balloon_lock == none =>
        isolated_pages == |{x in Pages where balloon[x] && x notin pages}| &&
        num_pages == |pages| + isolated_pages
