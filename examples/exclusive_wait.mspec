model exclusive_wait "exclusive waiters: one wakeup per unlock, and the waiter that must pass it on"

// A sleeping lock whose waiters queue exclusively (prepare_to_wait_exclusive, as
// __wait_on_bit_lock and the page lock do), so an unlock wakes one sleeper, not the herd.
// A waiter may find a fatal signal pending once it runs again, and give up. If it was the
// one the unlock woke, the lock is free and the other waiters sleep on: the waiter that
// gives up must pass the wakeup on, as abort_exclusive_wait() did for __wait_on_bit_lock().
// Non-exclusive waiters need not: every sleeper was woken.
//
//   movspec check --backend both examples/exclusive_wait.mspec
//   movspec explain lost_wakeup Deadlock examples/exclusive_wait.mspec

const Cpus = {C1, C2} symmetric

var locked: bool = true
var wq: waitqueue

fair actor owner "holds the lock at first" {
    step unlock @ "kernel/locking/mutex.c:mutex_unlock" { locked = false  wake_up(wq) }
}

fair actor waiter(self in Cpus) "sleeps until the lock is free, or gives up on a signal" {
    step wait @ "kernel/sched/wait.c:prepare_to_wait_exclusive" {
        prepare_to_wait_exclusive(wq)
        if locked { schedule() }
    }
    step take {
        either {
            if locked { goto wait }        // the lock was taken first: queue again
            locked = true
            finish_wait(wq)
        } or { goto give_up }              // a fatal signal is pending
    }
    step work { skip }
    step unlock @ "kernel/locking/mutex.c:mutex_unlock" { locked = false  wake_up(wq)  goto done }
    // woken (the wakeup took us off the queue): wake the next exclusive waiter
    step give_up @ "kernel/sched/wait.c:abort_exclusive_wait" {
        if self in wq { finish_wait(wq) } else { wake_up(wq) }
    }
}

invariant Exclusion "one waiter at a time holds the lock":
    forall c in Cpus, d in Cpus: waiter[c] at {work, unlock} && waiter[d] at {work, unlock} => c == d

leadsto Served "every waiter gets the lock or gives up":
    forall c in Cpus: waiter[c] at wait ~> waiter[c] at {work, done}

variant pass_on "the waiter that gives up passes the wakeup on (abort_exclusive_wait)"

// the bug: give up with finish_wait() alone; the wakeup it took is lost
variant lost_wakeup extends pass_on "give up with finish_wait() only" {
    replace waiter.give_up @ "kernel/sched/wait.c:finish_wait" { finish_wait(wq) }
}

// waiters that are not exclusive: each unlock wakes every sleeper, so nothing is lost
variant herd extends lost_wakeup "prepare_to_wait(): the thundering herd, and no lost wakeup" {
    replace waiter.wait @ "kernel/sched/wait.c:prepare_to_wait" {
        prepare_to_wait(wq)
        if locked { schedule() }
    }
}

expect pass_on holds all
// the owner unlocks and wakes the first exclusive sleeper only; it gives up without waking
// the next one, which sleeps on with the lock free: nothing will wake it
expect lost_wakeup violates Served, Deadlock
expect lost_wakeup holds Exclusion, TypeOK
expect herd holds all
