model module_get "try_module_get() and module_put() against rmmod"

// A user takes a reference on the module before calling into it; rmmod (delete_module)
// drops the module's base reference and marks it going only if nobody holds one, all under
// stop_machine(), then frees its code (kernel/module.c, v4.8).

const Cpus = {C1, C2} symmetric

enum ModState { live, going }
var state: ModState = live
var refcnt "module->refcnt, with MODULE_REF_BASE = 1": 0..3 = 1

module drv "the module's code" { ops callback }

actor user(self in Cpus) "calls into the module under a reference" {
    local ok: bool = false
    step get @ "kernel/module.c:try_module_get" {
        if state == live { ok = atomic_inc_not_zero(refcnt) } else { ok = false }
    }
    step use { if ok { call drv.callback() } }
    step put @ "kernel/module.c:module_put" { if ok { atomic_dec(refcnt) } }
}

actor rmmod "delete_module" {
    step stop @ "kernel/module.c:try_stop_module" {
        // __try_stop_module under stop_machine: try_release_module_ref, then MODULE_STATE_GOING
        if refcnt == 1 { refcnt = 0  state = going } else { goto done }
    }
    step free @ "kernel/module.c:free_module" { unload drv }
}

variant v4_8 "try_module_get against try_stop_module"
// rmmod tests the count and marks the module going in two steps, without stop_machine
variant no_stop_machine extends v4_8 "the count tested, then the module marked going" {
    replace rmmod.stop { if refcnt != 1 { goto done } }
    insert after rmmod.stop step going { refcnt = 0  state = going }
}
// the user tests `live` and takes the reference in two steps, with a plain increment
variant plain_inc extends v4_8 "module_is_live(), then atomic_inc()" {
    local user.is_live: bool = false
    replace user.get { is_live = state == live }
    insert after user.get step inc { if is_live { atomic_inc(refcnt)  ok = true } }
}
// the same two steps, with atomic_inc_not_zero: a count of zero stops the late user
variant split_inc_not_zero extends plain_inc "module_is_live(), then atomic_inc_not_zero()" {
    replace user.inc { if is_live { ok = atomic_inc_not_zero(refcnt) } }
}

expect v4_8 holds all
// a user takes a reference after rmmod tested the count: the module is freed under it
expect no_stop_machine violates NoUseAfterUnload
// and that user's module_put() takes the count, which rmmod set to zero, below zero
expect no_stop_machine violates TypeOK
// a user sees `live`, rmmod drops the count to zero and frees the code, the user's increment
// brings the count back to one and it calls the freed code
expect plain_inc violates NoUseAfterUnload
expect split_inc_not_zero holds NoUseAfterUnload
