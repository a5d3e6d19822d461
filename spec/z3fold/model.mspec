// z3fold's side of non-LRU movable page migration (mm/z3fold.c from v5.1, commit 1f862989b04a
// "mm/z3fold.c: support page migration"), with the lifetime of what the VM reaches through a
// z3fold page modelled apart from the code: the z3fold_pool (kzalloc'ed by
// z3fold_create_pool(), kfree'd by z3fold_destroy_pool()), the pool's anonymous inode whose
// i_mapping every page of the pool points at (alloc_anon_inode() in
// z3fold_register_migration(), iput() in z3fold_unregister_migration()) and the pool's two
// workqueues (compact_wq, release_wq: create_singlethread_workqueue(), destroy_workqueue()).
// Each is a `pool` object: a use after its free violates NoUseOfFreedPool, NoUseOfFreedMapping
// or NoUseOfFreedWorkqueue. Nothing is unloaded: zswap destroying its pool while the VM holds a
// z3fold page isolated is enough.
//
// Files: model.mspec (state, page primitives, properties), compactor.mspec (the VM:
// isolate_movable_page, move_to_new_page, putback_movable_pages), z3fold.mspec (the a_ops
// callbacks, z3fold_alloc, z3fold_free, z3fold_destroy_pool and the two workqueues' work),
// variants.mspec (v5_2 as merged, v5_3 with the 2019 fixes, v5_4 after the revert, and the
// drain the 2019 fix meant). docs/z3fold.md is the reader's guide.
//
//   movspec check spec/z3fold/

model z3fold "z3fold page migration against z3fold_destroy_pool: the pool, its inode and its workqueues as freed objects"

// P1: the z3fold page the pool's user allocates (z3fold_alloc(): alloc_page()) and the VM
// tries to migrate. P2: the new page the VM migrates it to (compaction's free scanner takes it
// from the buddy allocator); the VM never scans it. Both are named: no symmetry over pages.
const Pages = {P1, P2}
const Cpus = {C1, C2} symmetric
// _refcount: z3fold's reference (alloc_page), the VM's (isolate_movable_page), and the
// transient one of a second compactor's get_page_unless_zero().
const MaxRef = 3
// The one pool, its inode and its two workqueues: named, single values.
const Pools = {ZP}
const Inodes = {INO}
const Wqs = {CWQ, RWQ}

// page->mapping as the VM sees it (include/linux/page-flags.h, mm/compaction.c):
//   null      NULL: not a movable page (never made movable, or freed to the buddy allocator)
//   typeonly  PAGE_MAPPING_MOVABLE alone: __ClearPageMovable() dropped the pointer
//   ops       the pool's inode->i_mapping | PAGE_MAPPING_MOVABLE (__SetPageMovable())
enum Mapping { null, typeonly, ops }

// The bits of page->private z3fold's migration looks at (enum z3fold_page_flags).
flags Z3Flags { NEEDS_COMPACTING = 2, PAGE_STALE = 3 }

// struct inode / its i_mapping: a_ops (z3fold_aops).
struct Inode {
    a_ops: bool = true
}
pool inode "the pool's anon inode and its i_mapping (alloc_anon_inode, iput)": [Inodes -> Inode] guards NoUseOfFreedMapping

// struct z3fold_pool: the lists under pool->lock (pool->lru, the unbuddied lists a z3fold
// header's buddy is on) and pool->stale under stale_lock; isolated and destroying are the
// fields commit d776aaa9895e adds (v5.3), which the other variants leave at their initial
// values.
struct Z3Pool {
    lru: set of Pages = {}
    unbuddied: set of Pages = {}
    stale: set of Pages = {}
    isolated: 0..1 = 0
    destroying: bool = false
}
pool zpool "the z3fold_pool (kzalloc in z3fold_create_pool, kfree in z3fold_destroy_pool)": [Pools -> Z3Pool] guards NoUseOfFreedPool

// A workqueue as queue_work_on() dereferences it (wq->cpu_pwqs, the per-CPU
// pool_workqueues the work is queued on). The work items live elsewhere: zhdr->work in each
// header, pool->work in the pool; which are pending is cwq_works / rwq_work below.
struct Wq {
    cpu_pwqs: bool = true
}
pool wq "the pool's workqueues (create_singlethread_workqueue, destroy_workqueue)": [Wqs -> Wq] guards NoUseOfFreedWorkqueue

var cwq_works "the headers whose zhdr->work (compact_page_work) is pending on compact_wq": set of Pages = {}
var rwq_work "pool->work (free_pages_work) pending on release_wq": bool = false

// ------------------------------------------------------------------ struct page

var ref "page->_refcount (P2: the VM's free page, then z3fold's after a migration)": [Pages -> 0..MaxRef] = [x in Pages |-> if x == P2 then 1 else 0]
var pglock "PG_lock and its holder": [Pages -> Cpus | {user, rwork, none}] = [x in Pages |-> none]
var mapping "page->mapping": [Pages -> Mapping] = [x in Pages |-> null]
var isolated "PG_isolated": [Pages -> bool] = [x in Pages |-> false]
var zflags "page->private: z3fold's page flags": [Pages -> set of Z3Flags] = [x in Pages |-> {}]

// ------------------------------------------------------------------ struct z3fold_header

// The header lives in the first chunks of the page itself (page_address(page)).
var zlock "zhdr->page_lock (z3fold_page_lock) and its holder": [Pages -> Cpus | {user, cwork, none}] = [x in Pages |-> none]
var kref "zhdr->refcount": [Pages -> 0..2] = [x in Pages |-> 0]
var objs "the buddies in use (first_chunks != 0): one object at most": [Pages -> 0..1] = [x in Pages |-> 0]
// The handle's slot (z3fold_buddy_slots): the header it points at; encode_handle() in
// z3fold_page_migrate() points it at the new page.
var home "the header the user's handle points at": Pages = P1

// Ghosts: the compactors holding each page isolated (from __SetPageIsolated to
// __ClearPageIsolated), and the pages z3fold counts as isolated (from a successful
// z3fold_page_isolate to the z3fold_page_putback / z3fold_page_migrate that gives it back).
var isolators "ghost: the compactors holding the page isolated": [Pages -> set of Cpus] = [x in Pages |-> {}]
var z3_iso "ghost: the pages z3fold_page_isolate granted and not yet given back": set of Pages = {}

// ------------------------------------------------------------------ page tests

// __PageMovable(): the type bits of page->mapping, no dereference.
def __PageMovable(p) = mapping[p] != null
// PageMovable() (mm/compaction.c): under PG_lock, __PageMovable() and then
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

// __SetPageMovable(page, mapping): VM_BUG_ON_PAGE(!PageLocked(page), page), then page->mapping.
macro __SetPageMovable(p, who) @ "mm/compaction.c:__SetPageMovable" {
    assert pglock[p] == who, "__SetPageMovable() of a page this context has not locked: VM_BUG_ON_PAGE(!PageLocked(page))" as SetMovableLocked
    mapping[p] = ops
}

// ------------------------------------------------------------------ properties

assertion NoUseOfFreedMapping "no access to the pool's inode or its address_space after iput() freed it"
assertion NoUseOfFreedPool "no access to the z3fold_pool after z3fold_destroy_pool() freed it"
assertion NoUseOfFreedWorkqueue "no work queued on, nor a wait for, a workqueue destroy_workqueue() freed"
assertion LockedMutation "PG_isolated changes only under PG_lock held by the changer"
assertion SetMovableLocked "__SetPageMovable() runs under the page's PG_lock (its VM_BUG_ON_PAGE)"
// Catches: a migration callback that trylocks the page the VM already holds locked: the
// attempt always fails, so z3fold_page_migrate() never migrates (be03074c9af2's message).
// Checked on z3fold_page_migrate()'s trylocks: trylock_page(page) (v5.2) and
// z3fold_page_trylock(zhdr).
assertion NoRelockOwnPage "no context trylocks a lock it holds itself (the attempt can only fail)"
assertion FreeNotIsolated "free_z3fold_page() never frees a page the VM holds isolated"

// Catches: two compactors owning one isolated page (both would call back for it).
invariant ExclusiveIsolation "an isolated page belongs to at most one compactor":
    forall p in Pages: |isolators[p]| <= 1

// Catches: z3fold_destroy_pool() completing while a page of the pool is still isolated by
// z3fold: the VM will call back (migrate, putback) into a pool that is gone.
invariant DrainedBeforeFree "the pool is freed only once z3fold holds none of its pages isolated":
    ZP notin zpool.allocated => z3_iso == {}

// Liveness: z3fold_destroy_pool() finishes (under weak fairness of every actor).
leadsto DestroyFinishes "a started z3fold_destroy_pool() returns":
    zswap at destroy ~> zswap at done
