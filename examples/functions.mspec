// Functions: lock_page() with a trylock fast path and a slow path that sleeps, and
// isolate_movable_page() that returns whether it isolated the page, called from two actors.
//
//   movspec check examples/functions.mspec --backend both

model page_functions "page lock and isolation as functions called from two actors"

const Cpus = {C1, C2} symmetric

var locked: bool = false      // PG_locked
var holders: 0..3 = 0         // processes inside the page lock (at most one)
var isolated: 0..3 = 0        // processes holding the page isolated

func trylock_page() -> bool @ "include/linux/pagemap.h:trylock_page" {
    step test_and_set {
        if locked { return false }
        locked = true
        holders += 1
        return true
    }
}

func unlock_page() @ "mm/filemap.c:folio_unlock" {
    step clear {
        holders -= 1
        locked = false
    }
}

func lock_page() @ "mm/filemap.c:__folio_lock" {
    local got: bool = false
    step fast { got = call trylock_page() }
    step slow "sleep until the lock is free, then try again" {
        if got { return }
        await !locked
        goto fast
    }
}

func isolate_movable_page() -> bool @ "mm/migrate.c:isolate_movable_page" {
    local ok: bool = false
    step trylock { ok = call trylock_page() }
    step check {
        if !ok { return false }
        isolated += 1
    }
    step unlock { call unlock_page() }
    step out { return true }
}

fair actor compactor(self in Cpus) "compaction on each CPU" {
    local got: bool = false
    step isolate { got = call isolate_movable_page() }
    step putback {
        if got { isolated -= 1 }
    }
}

fair actor reclaim "kswapd, which takes the page lock" {
    step lock { call lock_page() }
    step work { skip }
    step unlock { call unlock_page() }
}

invariant MutualExclusion "at most one process holds the page lock":
    holders <= 1

invariant LockedWhileHeld "the lock bit is set while someone holds the lock":
    holders > 0 => locked

leadsto Progress "kswapd waiting for the page lock eventually gets it":
    reclaim at lock ~> reclaim at work

variant correct "trylock is one atomic test-and-set; every isolation unlocks"

variant racy_trylock extends correct "trylock tests and sets in two steps" {
    func trylock_page() -> bool {
        local free: bool = false
        step test { free = !locked }
        step set {
            if !free { return false }
            locked = true
            holders += 1
            return true
        }
    }
}

variant leak extends correct "isolation forgets to unlock the page" {
    func isolate_movable_page() -> bool {
        local ok: bool = false
        step trylock { ok = call trylock_page() }
        step check {
            if !ok { return false }
            isolated += 1
            return true
        }
    }
}

// the atomic trylock and the balanced unlock are correct
expect correct holds all
// both can see the lock free before either sets it; the first unlock then clears the bit
// while the other still holds the lock
expect racy_trylock violates MutualExclusion, LockedWhileHeld
// kswapd sleeps forever on a lock nobody releases
expect leak violates Progress, Deadlock
