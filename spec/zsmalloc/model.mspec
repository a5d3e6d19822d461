// zsmalloc's side of non-LRU movable page migration, with the lifetime of the mapping object
// modelled apart from the code: the zs_pool (kzalloc'ed by zs_create_pool(), kfree'd by
// zs_destroy_pool()) and, until v6.0, the pool's anonymous inode whose i_mapping every page
// of the pool points at (alloc_anon_inode() in zs_register_migration(), iput() in
// zs_unregister_migration()). Both are `pool` objects: a use after their free violates
// NoUseOfFreedMapping (the inode and its address_space) or NoUseOfFreedPool (the zs_pool and
// its size_class). No module is unloaded anywhere in this model: zswap or zram destroying a
// pool (zs_destroy_pool()) while the VM holds one of its pages isolated is enough.
//
// Files: model.mspec (state, page primitives, properties), compactor.mspec (the VM,
// mm/migrate.c v4.8), zsmalloc.mspec (the callbacks, zs_free, zs_destroy_pool and the
// deferred free of v4.8 mm/zsmalloc.c), variants.mspec (v4_8, v5_3 with commit 701d678599d0,
// v5_17 with Minchan Kim's locking rework, v6_0 with commits 68f2736a8583 and 2505a981114d).
// docs/zsmalloc.md is the reader's guide.
//
//   movspec check spec/zsmalloc/

model zsmalloc "zsmalloc page migration against zs_destroy_pool: the pool and its inode as freed objects"

// One zspage of one subpage (pages_per_zspage == 1), two compaction threads racing for it
// while the pool's user frees the last object and destroys the pool. `--const Pages=2` gives
// a zspage of two subpages, both isolated at once (zspage->isolated == 2).
const Pages = {P1} symmetric
const Cpus = {C1, C2} symmetric
// _refcount: the zspage's reference (alloc_page), one per compactor, and the deferred
// free's get_page() while it waits for a subpage's lock (v6_0's lock_zspage()).
const MaxRef = 4
// The one pool and the one inode: named, so not symmetric (a single value needs no symmetry).
const Pools = {ZP}
const Inodes = {INO}

// page->mapping as the VM sees it (include/linux/page-flags.h, mm/compaction.c):
//   null      NULL: not a movable page (freed to the buddy allocator: free_pages_prepare)
//   typeonly  PAGE_MAPPING_MOVABLE alone: reset_page() -> __ClearPageMovable() dropped the
//             pointer, the page is released by zsmalloc
//   ops       the pool's mapping | PAGE_MAPPING_MOVABLE (the inode's i_mapping until v6.0,
//             &zsmalloc_mops from v6.0)
enum Mapping { null, typeonly, ops }

// struct inode / its i_mapping: a_ops (zsmalloc_aops) and private_data (the pool).
struct Inode {
    a_ops: bool = true
    private_data: Pools = ZP
}
pool inode "the pool's anon inode and its i_mapping (alloc_anon_inode, iput)": [Inodes -> Inode] guards NoUseOfFreedMapping

// struct zs_pool with its size_class (freed together in zs_destroy_pool: kfree(class) for
// each class, then kfree(pool)). `list` is where class->fullness_list holds the zspage:
// the zspage's class lists are class (so pool) memory. isolated_pages and destroying are the
// fields commit 701d678599d0 adds; v4.8 leaves them at their initial values.
enum ZsList { inuse_list, empty_list, off_list }
struct ZsPool {
    list: ZsList = inuse_list
    isolated_pages: 0..1 = 0
    destroying: bool = false
}
pool zs_pool "the zs_pool and its size_class (kzalloc in zs_create_pool, kfree in zs_destroy_pool)": [Pools -> ZsPool] guards NoUseOfFreedPool

// ------------------------------------------------------------------ struct page

var ref "page->_refcount": [Pages -> 0..MaxRef] = [x in Pages |-> 1]
var pglock "PG_lock and its holder (work: the deferred free's lock_zspage)": [Pages -> Cpus | {work, none}] = [x in Pages |-> none]
var mapping "page->mapping": [Pages -> Mapping] = [x in Pages |-> ops]
var isolated "PG_isolated": [Pages -> bool] = [x in Pages |-> false]

// ------------------------------------------------------------------ struct zspage

var zs_pages "the subpages still chained in the zspage (a migrated page leaves it; the new page is not modelled)": set of Pages = Pages
var zs_inuse "zspage->inuse: allocated objects (one object, freed by zs_free)": 0..1 = 1
var zs_isolated "zspage->isolated: subpages isolated for page migration": 0..2 = 0
var zs_freed "the zspage was freed (__free_zspage: cache_free_zspage)": bool = false
var class_lock "class->lock": spinlock
var free_work "pool->free_work queued on the system workqueue": bool = false

// Ghosts: the compactors holding each page isolated (from __SetPageIsolated to
// __ClearPageIsolated), and the subpages zsmalloc counts as isolated (from a successful
// zs_page_isolate to the zs_page_putback / zs_page_migrate that gives the page back).
var isolators "ghost: the compactors holding the page isolated": [Pages -> set of Cpus] = [x in Pages |-> {}]
var zs_iso "ghost: the subpages zs_page_isolate granted and not yet given back": set of Pages = {}

// ------------------------------------------------------------------ page tests

// __PageMovable(): the type bits of page->mapping, no dereference.
def __PageMovable(p) = mapping[p] != null
// PageMovable() (v4.8 mm/compaction.c): under PG_lock, __PageMovable() and then
// page_mapping(page)->a_ops->isolate_page: a read of the inode's address_space.
def PageMovable(p) = mapping[p] == ops && inode[INO].a_ops
def PageIsolated(p) = isolated[p]

// ------------------------------------------------------------------ kernel primitives

macro put_page(p) @ "include/linux/mm.h:put_page" {
    // The last reference frees the page: free_pages_prepare() clears page->mapping.
    if ref[p] == 1 { mapping[p] = null }
    ref[p] -= 1
}

macro lock_page(p, who) @ "include/linux/pagemap.h:lock_page" {
    await pglock[p] == none
    pglock[p] = who
}

macro unlock_page(p, who) @ "mm/filemap.c:unlock_page" {
    assert pglock[p] == who, "unlock_page() of a page this context has not locked" as LockedMutation
    pglock[p] = none
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

assertion NoUseOfFreedMapping "no access to the pool's inode or its address_space after iput() freed it"
assertion NoUseOfFreedPool "no access to the zs_pool or its size_class after zs_destroy_pool() freed it"
assertion LockedMutation "PG_isolated changes only under PG_lock held by the changer"
assertion ExclusiveIsolate "zs_page_isolate is never called on a page the VM holds isolated"
// Catches: the deferred free's lock_zspage() waiting on, and locking, a page that migration
// moved off the zspage meanwhile (commit 2505a981114d: "It can lock a page which no longer
// belongs to the zspage and unsafely dereference page_private()").
assertion LockZspageOwnPages "lock_zspage() locks only subpages of its zspage"

// Catches: two compactors owning one isolated page (both would call back for it).
invariant ExclusiveIsolation "an isolated page belongs to at most one compactor":
    forall p in Pages: |isolators[p]| <= 1

// Catches: zspage->isolated drifting from the isolations zsmalloc granted (a putback that
// forgets dec_zspage_isolation, a double increment), and a granted isolation the VM does not
// hold (zsmalloc would keep the zspage off its lists for ever).
invariant IsolatedAccounting "zspage->isolated counts exactly the subpages zs_page_isolate granted and the VM has not given back":
    zs_isolated == |zs_iso|

// Catches: zs_destroy_pool() completing while a subpage of the pool is still isolated: the
// VM will call back into a pool that is gone (the leak of 701d678599d0's message). A page the
// VM still holds after its migration (zsmalloc dropped it: reset_page) is no longer the
// pool's.
invariant DrainedBeforeFree "the pool is freed only once none of its subpages is isolated":
    ZP notin zs_pool.allocated => zs_iso == {} && (forall p in Pages: isolators[p] != {} => mapping[p] != ops)

// Liveness: zs_destroy_pool() finishes (under weak fairness of every actor).
leadsto DestroyFinishes "a started zs_destroy_pool() returns":
    user at destroy ~> user at done
