model waitqueue "sleeping on a wait queue: wait_event, the open-coded loop, and two lost wakeups"

// A waiter per CPU sleeps until `ready` is set; the waker sets it and wakes the queue.
// wait_event() queues the task and sets its state before it tests the condition, so a
// wake_up() can never fall between the test and the sleep. Testing first and queueing
// after, in two steps, lets the wakeup come when nobody is queued yet, and the waiter
// sleeps for good: a deadlock, and `Woken` fails under fairness.
//
//   movspec check examples/waitqueue.mspec
//   movspec explain lost_wakeup Woken examples/waitqueue.mspec

const Cpus = {C1, C2} symmetric

var ready: bool = false
var wq: waitqueue

fair actor waiter(self in Cpus) "sleeps until ready" {
    step wait @ "include/linux/wait.h:wait_event" { wait_event(wq, ready) }
    step run { skip }
}

fair actor waker "sets ready and wakes the sleepers" {
    step set { ready = true }
    step wake @ "kernel/sched/wait.c:__wake_up" { wake_up(wq) }
}

leadsto Woken "every waiter gets past its wait":
    forall c in Cpus: waiter[c] at wait ~> waiter[c] at run

variant wait_event "wait_event(wq, ready)"

// the open-coded loop of kernel/sched/wait.c's comment: prepare_to_wait (queue, then set
// TASK_UNINTERRUPTIBLE), test, schedule(), test again, finish_wait
variant open_coded extends wait_event "prepare_to_wait; if (!ready) schedule(); finish_wait" {
    replace waiter.wait @ "kernel/sched/wait.c:prepare_to_wait" {
        prepare_to_wait(wq)
        if !ready { schedule() }
    }
    insert after waiter.wait step recheck { if !ready { goto wait } }
    insert after waiter.recheck step finish @ "kernel/sched/wait.c:finish_wait" { finish_wait(wq) }
}

// the bug: test, then queue and sleep; the wake_up between the two finds nobody
variant lost_wakeup extends open_coded "if (!ready) { prepare_to_wait; schedule() }" {
    replace waiter.wait { if ready { goto run } }
    insert after waiter.wait step sleep { prepare_to_wait(wq)  schedule() }
    remove waiter.recheck
}

expect wait_event holds all
expect open_coded holds all
// the waiter tests `ready` (false), the waker sets it and wakes an empty queue, the waiter
// queues itself and sleeps: nothing will wake it
expect lost_wakeup violates Woken, Deadlock
