// A starter model, written by `movspec init`. Two CPUs each count one event in a shared
// counter. The variant `atomic_increment` counts with atomic_inc(), one indivisible step;
// `plain_increment` counts with `count++`, which the compiler turns into a load and a store,
// so one CPU's update can be lost. The `expect` lines at the end say which verdict each
// variant should get, and why.
//
// Run in this directory:
//
//   movspec lint .                                    parse and check the model
//   movspec check .                                   check every variant against its expectations
//   movspec explain plain_increment NoLostUpdate .    the lost update, step by step
//   movspec docs .                                    a Markdown site and an HTML report in out/docs
//
// The language is described in docs/language.md of the movspec repository.

model counter "two CPUs counting events in a shared counter"

const Cpus = {C1, C2} symmetric     // one process per element; `symmetric`: C1 and C2 are interchangeable

var count "events counted so far": 0..2 = 0

actor cpu(self in Cpus) "a thread counting one event" {
    step inc @ "drivers/example/counter.c:count_event" {
        count += 1                    // atomic_inc(&count): one atomic step
    }
}

invariant NoLostUpdate "once every CPU has counted, the counter holds every event":
    (forall c in Cpus: cpu[c] at done) => count == |Cpus|

variant atomic_increment "count with atomic_inc(): one indivisible read-modify-write"

variant plain_increment extends atomic_increment "count with count++: a load, then a store" {
    local cpu.seen: 0..2              // the register the load fills (starts at 0)
    replace cpu.inc { seen = count }
    insert after cpu.inc step store @ "drivers/example/counter.c:count_event" {
        count = seen + 1
    }
}

// An atomic increment cannot lose an update, and every CPU finishes (a state where every
// process is done is not a deadlock).
expect atomic_increment holds all
// Both CPUs can load 0 before either stores: the second store overwrites the first, and the
// counter ends at 1.
expect plain_increment violates NoLostUpdate
// The lost update is the only thing wrong: every value stays in its range, nothing blocks.
expect plain_increment holds TypeOK, Deadlock
