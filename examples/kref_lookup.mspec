model kref_lookup "an RCU lookup that takes a reference: kref_get_unless_zero() against the last kref_put()"

// One hash slot points at an object (a pool of two ids). A lookup finds it under
// rcu_read_lock() and takes a reference with kref_get_unless_zero(); the owner unhashes the
// object under the table's lock and drops the table's reference. The last kref_put() frees
// the object after a grace period (kfree_rcu), so a lookup that found the object under RCU
// may still read its count, and finds it zero if the put came first.
//
//   movspec check examples/kref_lookup.mspec
//   movspec explain plain_get NoUseAfterFree examples/kref_lookup.mspec
//
// The two bugs are the classic ones: kref_get() on an object found by a lockless lookup
// (its count may already be zero: the reference revives a dying object, freed under the
// lookup), and kfree() at once instead of after a grace period (a lookup still inside its
// read-side section reads freed memory). Each variant changes one step of one function.

const Ids = {O1, O2}
const Cpus = {C1, C2} symmetric

struct Obj { ref: 0..3 = 1 }
pool obj "the objects": [Ids -> Obj] guards NoUseAfterFree
var slot "the hash slot": Ids | {none} = O1
var lock "the table's lock": spinlock

actor init "frees the spare object" {
    step spare { free(obj, O2) }
}

func kref_get_unless_zero(o: Ids) -> bool @ "include/linux/kref.h:kref_get_unless_zero" {
    local got: bool = false
    step inc @ "include/linux/refcount.h:refcount_inc_not_zero" { got = atomic_inc_not_zero(obj[o].ref) }
    step ret { return got }
}

func kref_put(o: Ids) -> bool @ "include/linux/kref.h:kref_put" {
    local last: bool = false
    step dec @ "include/linux/refcount.h:refcount_dec_and_test" { last = atomic_dec_and_test(obj[o].ref) }
    step release "the release callback: kfree_rcu() of the object" { if last { kfree_rcu(obj, o) }  return last }
}

fair actor lookup(self in Cpus) "finds the object and uses it" {
    local p: Ids | {none} = none
    local ok: bool = false
    local freed: bool = false
    step lock @ "include/linux/rcupdate.h:rcu_read_lock" { rcu_read_lock() }
    step deref @ "include/linux/rcupdate.h:rcu_dereference" { p = rcu_dereference(slot) }
    step get { if p == none { goto unlock }  ok = call kref_get_unless_zero(p) }
    step unlock @ "include/linux/rcupdate.h:rcu_read_unlock" { rcu_read_unlock() }
    step use { if ok { assert obj[p].ref > 0, "using an object without a reference" as RefHeld } else { goto done } }
    step put { freed = call kref_put(p) }
}

fair actor owner "unhashes the object and drops the table's reference" {
    local old: Ids | {none} = none
    local freed: bool = false
    step unhash @ "include/linux/rculist.h:hlist_del_rcu" { spin_lock(lock)  old = slot  rcu_assign_pointer(slot, none) }
    step unl @ "include/linux/spinlock.h:spin_unlock" { spin_unlock(lock) }
    step put { freed = call kref_put(old) }
}

assertion RefHeld "a lookup uses an object only while it holds a reference"

// The last put frees the object only after a grace period, and a lookup takes a reference
// only if the count is not zero: an object it uses is allocated and counted.
variant unless_zero "kref_get_unless_zero() under RCU, kfree_rcu() on the last put"
expect unless_zero holds all

// The lookup finds O1, the owner unhashes it and drops the last reference (count 0, the free
// queued), the lookup leaves its section, the grace period ends and the callback frees O1;
// the lookup's kref_get() then increments the count of a freed object.
variant plain_get extends unless_zero "kref_get(): a reference taken on an object whose count may be zero" {
    replace kref_get_unless_zero.inc as kref_get @ "include/linux/kref.h:kref_get" { obj[o].ref += 1  got = true }
}
expect plain_get violates NoUseAfterFree
expect plain_get holds RefHeld, Assertions, TypeOK, Deadlock

// The owner's last put frees O1 at once, while a lookup that loaded the pointer is still in
// its read-side section: its kref_get_unless_zero() reads the freed object.
variant no_grace extends unless_zero "kfree() at once on the last put" {
    replace kref_put.release @ "mm/slub.c:kfree" { if last { free(obj, o) }  return last }
}
expect no_grace violates NoUseAfterFree
expect no_grace holds RefHeld, Assertions, TypeOK, Deadlock
