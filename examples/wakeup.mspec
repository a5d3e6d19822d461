// A lost wakeup, the classic liveness bug: the waiter tests its condition and goes to sleep
// in two steps, so the waker can set the condition in between, find nobody asleep, and leave
// the waiter asleep for good. Safety properties cannot see it; `leadsto` under fairness can.
//
//   movspec check examples/wakeup.mspec
//   movspec explain lost_wakeup Woken examples/wakeup.mspec

model wakeup "a waiter sleeps until a condition is set; the waker sets it and wakes it"
enum Sleep { awake, asleep }
var cond: bool = false
var state: Sleep = awake
fair actor waiter {
    step check @ "kernel/sched/wait.c:prepare_to_wait" {
        if cond { goto done }
        state = asleep
    }
    step sleep @ "kernel/sched/core.c:schedule" {
        await state == awake
        goto check
    }
}
fair actor waker {
    step set @ "kernel/sched/wait.c:__wake_up" {
        cond = true
        if state == asleep { state = awake }
    }
}
allow deadlock
leadsto Woken "the waiter eventually runs past its wait":
    waiter at {check, sleep} ~> waiter at done

variant ordered "set the state, then test the condition (prepare_to_wait before the test)"
variant lost_wakeup extends ordered "test the condition, then set the state, in two steps" {
    replace waiter.check {
        if cond { goto done }
    }
    insert after waiter.check step set_state { state = asleep }
}
expect ordered holds all
expect lost_wakeup violates Woken
