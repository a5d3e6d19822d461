model irq_counter "a per-CPU counter shared by a task and the timer interrupt on its CPU"

// Each CPU runs a task that adds one to its CPU's counter, and the timer interrupt, which
// may come between any two of the task's steps, counts its ticks in the same counter. The
// task's `count++` is a load and a store; an interrupt between them loses the handler's tick.
// Taking a spinlock that the handler also takes makes it worse: a handler that interrupts the
// lock's holder on the same CPU spins for ever. With interrupts disabled around the update
// (spin_lock_irqsave) the handler waits until the task is done with the counter.
//
//   movspec check --backend both examples/irq_counter.mspec
//   movspec explain spin_lock Deadlock examples/irq_counter.mspec

const Cpus = {C1, C2} symmetric

var stat: [Cpus -> 0..3]              // the per-CPU counter
var ticks: [Cpus -> 0..2]             // the timer interrupts each CPU has counted
var stat_lock: spinlock

actor task(self in Cpus) "adds one to its CPU's counter" {
    local tmp: 0..3 = 0
    local flags: bool = false
    step load { tmp = stat[self] }
    step store { stat[self] = tmp + 1 }
}

irq timer on task "the timer interrupt, twice at most per CPU" {
    step tick @ "kernel/time/timer.c:run_local_timers" {
        if ticks[self] < 2 {
            ticks[self] = ticks[self] + 1
            stat[self] = stat[self] + 1
        }
    }
}

invariant NoLostUpdate "a CPU's counter has the task's increment and every tick":
    forall c in Cpus: task[c] at done => stat[c] == ticks[c] + 1

variant unlocked "count++ in task context, with interrupts enabled"

variant spin_lock extends unlocked "spin_lock around the update, in the task and in the handler" {
    replace task.load { spin_lock(stat_lock)  tmp = stat[self] }
    replace task.store { stat[self] = tmp + 1  spin_unlock(stat_lock) }
    irq timer on task {
        step take { spin_lock(stat_lock) }
        step tick {
            if ticks[self] < 2 {
                ticks[self] = ticks[self] + 1
                stat[self] = stat[self] + 1
            }
            spin_unlock(stat_lock)
        }
    }
}

variant irqsave extends spin_lock "spin_lock_irqsave in the task: no interrupt while it holds the lock" {
    replace task.load { spin_lock_irqsave(stat_lock, flags)  tmp = stat[self] }
    replace task.store { stat[self] = tmp + 1  spin_unlock_irqrestore(stat_lock, flags) }
}

variant irq_disabled extends unlocked "local_irq_disable around the load and the store, no lock" {
    replace task.load { local_irq_disable()  tmp = stat[self] }
    replace task.store { stat[self] = tmp + 1  local_irq_enable() }
}

// a tick between the load and the store is overwritten by the store
expect unlocked violates NoLostUpdate
// the handler interrupts the holder of stat_lock on its CPU and spins on it: nothing can run
expect spin_lock violates Deadlock
// the task's update and the handler's are never interleaved on one CPU, and the handler
// on another CPU only waits for the lock
expect irqsave holds all
// per-CPU data needs no lock: disabling interrupts is enough on one CPU
expect irq_disabled holds all
