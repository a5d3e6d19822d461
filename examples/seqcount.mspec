model seqcount "a seqcount_t: a writer updates two words, a reader retries until it saw no write"

// The writer makes the count odd, writes, and makes it even again. The reader waits for an
// even count, reads, and retries if the count changed (include/linux/seqlock.h). The data is
// two words the writer keeps equal; a reader that returns them unequal saw a torn write.

var seq "the sequence count": 0..2 = 0
var a: 0..1 = 0
var b: 0..1 = 0

fair actor writer "one update of both words" {
    step begin @ "include/linux/seqlock.h:write_seqcount_begin" { seq += 1 }
    step write_a { a = 1 }
    step write_b { b = 1 }
    step end @ "include/linux/seqlock.h:write_seqcount_end" { seq += 1 }
}

fair actor reader "reads both words consistently" {
    local start: 0..2 = 0
    local x: 0..1 = 0
    local y: 0..1 = 0
    step begin @ "include/linux/seqlock.h:read_seqcount_begin" { await seq % 2 == 0  start = seq }
    step read_a { x = a }
    step read_b { y = b }
    step retry @ "include/linux/seqlock.h:read_seqcount_retry" { if seq != start { goto begin } }
    step use { skip }
}

invariant NoTornRead "the reader uses only what one version of the data holds":
    reader at use => reader.x == reader.y
leadsto ReaderDone "the reader gets through (the writer writes once)": reader at begin ~> reader at use

variant seqcount "read_seqcount_begin and read_seqcount_retry"
variant no_retry extends seqcount "the reader never retries" {
    replace reader.retry { skip }
}
variant no_wait extends seqcount "raw_read_seqcount: the reader may start inside a write" {
    replace reader.begin @ "include/linux/seqlock.h:raw_read_seqcount" { start = seq }
}

expect seqcount holds all
// the reader reads `a` before the write and `b` after it, and nothing makes it look again
expect no_retry violates NoTornRead
// it starts at the odd count of a write in progress and reads both words before the write
// ends: the count has not changed, so the retry passes a torn read
expect no_wait violates NoTornRead
expect no_wait holds ReaderDone
