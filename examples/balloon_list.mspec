model balloon_list "the balloon driver's page list against compaction's isolation"

// A balloon driver keeps the pages it took from the system on b_dev_info->pages
// (mm/balloon_compaction.c). Compaction isolates a balloon page by taking it off that list
// and puts it back when migration gives up; deflating the balloon takes a page off the list
// and gives it back to the system. Both run under b_dev_info->pages_lock. A deflate that
// picks the list's first page and deletes it after dropping the lock can delete a page that
// a compactor isolated in between: a second list_del of the same page, list corruption.
//
//   movspec check examples/balloon_list.mspec
//   movspec explain dequeue_unlocked Assertions examples/balloon_list.mspec

const Pages = {P1, P2} symmetric

var pages "b_dev_info->pages: the pages in the balloon, head first": list of Pages
var isolated "the pages a compactor took off the list": set of Pages = {}

actor inflate "the driver fills the balloon" {
    step enqueue while |pages| + |isolated| < |Pages| @ "mm/balloon_compaction.c:balloon_page_enqueue" {
        any p in {q in Pages where q notin pages && q notin isolated} { list_add(p, pages) }
    }
}

actor deflate "the driver gives one page back to the system" {
    local p: Pages
    step dequeue @ "mm/balloon_compaction.c:balloon_page_dequeue" {
        await !list_empty(pages)
        p = list_first_entry(pages)
        list_del(p, pages)
    }
}

actor compactor "isolates a balloon page, then puts it back" {
    local p: Pages
    step isolate @ "mm/balloon_compaction.c:balloon_page_isolate" {
        any q in Pages { await q in pages  p = q  list_del(q, pages)  isolated = isolated | {q} }
    }
    step putback @ "mm/balloon_compaction.c:balloon_page_putback" {
        list_add(p, pages)
        isolated = isolated \ {p}
    }
}

invariant OnListOrIsolated "no page is on the balloon list and isolated at once":
    forall p in Pages: !(p in pages && p in isolated)

variant locked "the first page is looked up and deleted under pages_lock"
variant dequeue_unlocked extends locked "the lock is dropped between the lookup and the delete" {
    insert before deflate.dequeue step pick { await !list_empty(pages)  p = list_first_entry(pages) }
    replace deflate.dequeue { list_del(p, pages) }
}

expect locked holds all
// the deflate picks the head, a compactor isolates that page (list_del), and the deflate's
// list_del finds it no longer on the list
expect dequeue_unlocked violates Assertions
expect dequeue_unlocked holds OnListOrIsolated, TypeOK, Deadlock
