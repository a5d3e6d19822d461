// A test-and-set spinlock, and a broken variant that tests and sets in two steps.
//
//   movspec lint examples/spinlock.mspec
//   movspec show racy_check_then_set examples/spinlock.mspec

model spinlock "mutual exclusion with a spinlock"

const Cpus = {C1, C2} symmetric

enum Owner { nobody }

var lock: Cpus | Owner = nobody       // who holds the lock
var in_cs: set of Cpus = {}           // CPUs inside the critical section

macro spin_unlock() @ "include/linux/spinlock.h:spin_unlock" {
    lock = nobody
}

// Strong fairness (`fair+`): a CPU that is enabled infinitely often eventually takes the lock.
// With weak fairness (`fair`) Progress fails: the other CPU can take the lock every time it
// is free, so the waiting CPU is never enabled continuously (a starvation lasso).
fair+ actor cpu(self in Cpus) "one thread per CPU taking the lock" {
    step acquire @ "include/linux/spinlock.h:spin_lock" {
        await lock == nobody
        lock = self
    }
    step enter "the critical section" {
        in_cs = in_cs | {self}
    }
    step leave {
        in_cs = in_cs \ {self}
    }
    step release {
        spin_unlock()
        goto acquire
    }
}

invariant MutualExclusion "at most one CPU is in the critical section":
    |in_cs| <= 1

invariant OwnerInside "a CPU in the critical section holds the lock":
    forall c in Cpus: c in in_cs => lock == c

leadsto Progress "a CPU waiting for the lock eventually gets it":
    forall c in Cpus: cpu[c] at acquire ~> cpu[c] at enter

variant test_and_set "atomic test-and-set, as in arch_spin_lock"

variant racy_check_then_set extends test_and_set "the test and the set are separate steps" {
    replace cpu.acquire { await lock == nobody }
    insert after cpu.acquire step take { lock = self }
}

// the atomic version is correct
expect test_and_set holds all
// both CPUs can see the lock free before either takes it
expect racy_check_then_set violates MutualExclusion
