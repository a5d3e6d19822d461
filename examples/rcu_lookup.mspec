model rcu_lookup "an RCU-protected lookup: readers follow a pointer, the updater replaces and frees"

// A global pointer to the current object (a struct in a pool of two). Readers look it up
// under rcu_read_lock() and read it; the updater allocates a new object, publishes it with
// rcu_assign_pointer(), and frees the old one. Without a grace period between the publish
// and the free, a reader that loaded the old pointer reads freed memory. kfree_rcu() instead
// of the wait and the free queues the free without blocking the updater; the RCU callbacks run
// it some time after the grace period.
//
//   movspec check examples/rcu_lookup.mspec
//   movspec explain no_grace_period NoUseAfterFree examples/rcu_lookup.mspec

const Ids = {O1, O2}
const Cpus = {C1, C2} symmetric

struct Obj { value: 0..2 = 0 }

pool obj "the objects, each allocated or free": [Ids -> Obj] guards NoUseAfterFree
var cur: Ids = O1

actor init "frees the spare object, so that the updater can allocate it" {
    step spare { free(obj, O2) }
}

fair actor reader(self in Cpus) "looks the object up and reads it" {
    local p: Ids = O1
    local v: 0..2 = 0
    step lock @ "include/linux/rcupdate.h:rcu_read_lock" { rcu_read_lock() }
    step deref { p = rcu_dereference(cur) }
    step read { v = obj[p].value }
    step unlock @ "include/linux/rcupdate.h:rcu_read_unlock" { rcu_read_unlock() }
}

fair actor updater "replaces the object" {
    local old: Ids = O1
    local new: Ids = O1
    step get { await O2 notin obj.allocated  new = alloc(obj) }
    step fill { obj[new].value = 1 }
    step publish @ "include/linux/rcupdate.h:rcu_assign_pointer" { old = cur  rcu_assign_pointer(cur, new) }
    step wait @ "kernel/rcu/tree.c:synchronize_rcu" { synchronize_rcu() }
    step release @ "mm/slub.c:kfree" { free(obj, old) }
}

invariant CurrentLive "the published object is allocated": cur in obj.allocated

variant grace_period "synchronize_rcu() between the publish and the free"
variant no_grace_period extends grace_period "the free right after the publish" {
    remove updater.wait
}
variant deferred_free extends grace_period "kfree_rcu(): the free queued, run after the grace period" {
    remove updater.wait
    replace updater.release @ "include/linux/rcupdate.h:kfree_rcu" { kfree_rcu(obj, old) }
    leadsto OldFreed "the replaced object is freed in the end": updater at done ~> O1 notin obj.allocated
}

expect grace_period holds all
// a reader loads the old pointer, the updater publishes the new one and frees the old,
// then the reader reads the freed object
expect no_grace_period violates NoUseAfterFree
expect no_grace_period holds CurrentLive
// readers that loaded the old pointer are inside their section when the free is queued, and the
// callback waits for them; the readers and the RCU callbacks are fair, so the free comes
expect deferred_free holds all
