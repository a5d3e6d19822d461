model page_lock "lock_page() and unlock_page() from the prelude, and a non-atomic flag update under the lock"

// Two tasks lock one page with the prelude's lock_page()/unlock_page(): a task that finds the
// page locked queues itself, sets PG_waiters and sleeps; unlock_page() wakes the queue only if
// PG_waiters is set. PG_waiters shares page->flags with every other page flag, so a
// non-atomic update of another flag by the lock holder (a load and a store of the whole word)
// can undo the sleeper's atomic SetPageWaiters: the unlock then wakes nobody.
//
//   movspec check examples/page_lock.mspec
//   movspec explain nonatomic_flag Locks examples/page_lock.mspec

import "linux/pagemap"

const Pages = {P1}
const Cpus = {C1, C2} symmetric

var holders: set of Cpus = {}

fair actor task(self in Cpus) "locks the page, works on it, unlocks it" {
    step lock @ "mm/filemap.c:lock_page" { call lock_page(P1) }
    step enter { holders = holders | {self} }
    step work "an atomic flag update under the lock" { set_bit(PG_reclaim, page_flags[P1]) }
    step leave { holders = holders \ {self} }
    step unlock @ "mm/filemap.c:unlock_page" { call unlock_page(P1) }
}

invariant MutualExclusion "one holder of PG_locked at a time": |holders| <= 1
leadsto Locks "every task gets the lock": forall c in Cpus: task[c] at lock ~> task[c] at enter

variant atomic_flag "SetPageReclaim: an atomic set_bit"
variant nonatomic_flag extends atomic_flag "__SetPageReclaim: a load and a store of the word" {
    replace task.work { __set_bit(PG_reclaim, page_flags[P1]) }
}

expect atomic_flag holds all
// the holder loads the word, the other task queues itself and sets PG_waiters, the holder
// stores the word without it, unlock_page() sees no waiters: the sleeper is never woken
expect nonatomic_flag violates Locks, Deadlock
expect nonatomic_flag holds MutualExclusion
