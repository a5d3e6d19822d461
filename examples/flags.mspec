model flags "a flags word: a non-atomic bit operation loses a concurrent atomic one"

// page->flags is one word of bits. set_bit/clear_bit are atomic read-modify-writes (a
// locked instruction); __set_bit/__clear_bit are plain loads and stores, correct only when
// no one else can touch the word. Here the owner of PG_locked clears it non-atomically
// while mark_page_accessed() sets PG_referenced on the same page from another CPU.

flags PageFlags "include/linux/page-flags.h" { PG_locked = 0, PG_referenced = 2, PG_waiters = 7 }

var flags: set of PageFlags = {PG_locked}

actor owner "holds the page lock and drops it" {
    step unlock @ "include/linux/pagemap.h:unlock_page" { __clear_bit(PG_locked, flags) }
}

actor reader "another CPU reads the page" {
    step access @ "mm/swap.c:mark_page_accessed" { set_bit(PG_referenced, flags) }
}

invariant ReferencedKept "once mark_page_accessed has run, PG_referenced is set":
    (reader at done) => test_bit(PG_referenced, flags)

invariant Unlocked "once unlock_page has run, PG_locked is clear":
    (owner at done) => !test_bit(PG_locked, flags)

// the non-atomic clear: load flags, (PG_referenced set here), store flags without it
variant nonatomic "__clear_bit: a load and a store"
// the kernel's unlock_page: an atomic clear with release semantics
variant atomic extends nonatomic "clear_bit_unlock" {
    replace owner.unlock @ "include/linux/pagemap.h:unlock_page" { clear_bit_unlock(PG_locked, flags) }
}
// since v4.10, unlock_page clears PG_locked and learns whether PG_waiters is set in one
// atomic operation, so that it wakes sleepers only when there are some
variant negative_byte extends atomic "clear_bit_unlock_is_negative_byte" {
    local owner.waiters: bool = false
    replace owner.unlock @ "mm/filemap.c:unlock_page" {
        waiters = clear_bit_unlock_is_negative_byte(PG_locked, flags)
    }
}

// the store writes back the word loaded before mark_page_accessed ran
expect nonatomic violates ReferencedKept
expect nonatomic holds Unlocked
// one atomic read-modify-write each: neither can lose the other
expect atomic holds ReferencedKept, Unlocked
expect negative_byte holds ReferencedKept, Unlocked
