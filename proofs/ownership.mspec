// Page ownership: the abstract protocol every design variant is meant to implement, the
// refinement mapping from the model's state onto it, and strengthened invariants checked to
// be inductive. Load it with the model: `movspec check spec/ proofs/` (one model; the
// properties declared here join every variant's matrix). docs/language.md describes the
// declarations; docs/protocol-model.md what the verdicts mean.

// ------------------------------------------------------------------ the abstract protocol

// One page is, at any time: free (not the driver's: never allocated, released, or migrated
// away), the driver's (on its list, reachable through its callbacks), isolated by exactly one
// compactor, or being migrated by that compactor. Apart from who holds it, the abstract state
// remembers whether the driver still counts the page as its own: a driver such as zsmalloc may
// release a page the VM holds isolated, and the VM then finishes with it on its own.
abstract Ownership "a page is free, the driver's, isolated by exactly one compactor, or in migration by it" {
    var stage "where the page is in its life": [Pages -> {free, driver_page, vm_isolated, vm_migrating}] = [x in Pages |-> free]
    var holder "the compactors holding the page isolated: at most one, by the actions": [Pages -> set of Cpus] = [x in Pages |-> {}]
    var kept "the driver counts the page as its own": [Pages -> bool] = [x in Pages |-> false]

    // balloon_page_alloc() and balloon_page_enqueue(): a free page becomes the driver's.
    action allocate(pg in Pages) {
        await stage[pg] == free
        stage[pg] = driver_page
        kept[pg] = true
    }
    // The driver releases a page it holds on its list (leak_balloon, zs_free).
    action release(pg in Pages) {
        await stage[pg] == driver_page
        stage[pg] = free
        kept[pg] = false
    }
    // isolate_movable_page(): a compactor takes one of the driver's pages; nobody else holds it.
    action isolate(pg in Pages, cpu in Cpus) {
        await stage[pg] == driver_page && holder[pg] == {}
        stage[pg] = vm_isolated
        holder[pg] = {cpu}
    }
    // The driver gives up a page the VM holds isolated, but not one being migrated.
    action release_isolated(pg in Pages) {
        await stage[pg] == vm_isolated && kept[pg]
        kept[pg] = false
    }
    // __unmap_and_move() takes PG_lock: migration of the page starts.
    action start_migration(pg in Pages, cpu in Cpus) {
        await stage[pg] == vm_isolated && holder[pg] == {cpu}
        stage[pg] = vm_migrating
    }
    // migratepage() returned -EAGAIN: the page stays isolated.
    action migration_failed(pg in Pages, cpu in Cpus) {
        await stage[pg] == vm_migrating && holder[pg] == {cpu}
        stage[pg] = vm_isolated
    }
    // The contents moved to a new page (outside the model) or the driver had released it: the
    // old page leaves the protocol.
    action migrated(pg in Pages, cpu in Cpus) {
        await stage[pg] == vm_migrating && holder[pg] == {cpu}
        stage[pg] = free
        holder[pg] = {}
        kept[pg] = false
    }
    // putback_movable_pages() and the release paths of the VM: the compactor lets the page go,
    // back to the driver if the driver still counts it, else it is free.
    action putback(pg in Pages, cpu in Cpus) {
        await stage[pg] == vm_isolated && holder[pg] == {cpu}
        holder[pg] = {}
        if kept[pg] { stage[pg] = driver_page } else { stage[pg] = free }
    }
}

// ------------------------------------------------------------------ the refinement mapping

// A compactor holds page x isolated while it is in the phase `holds_isolation` names (the same
// definition the safety properties use; variants that add steps to that phase override it);
// it is migrating the page while it is at `move` (PG_lock taken by unmap_and_move, the
// migratepage callback about to run). The driver's claim is `owned`. The same mapping serves
// every variant: each one keeps those step names and that variable.
refinement RefinesOwnership "every step of the design is a step of the ownership protocol, or leaves ownership unchanged" of Ownership {
    stage = [x in Pages |->
        if exists c in Cpus: holds_isolation(c, x) then
            (if exists c in Cpus: compactor[c] at move && compactor[c].p == x then vm_migrating else vm_isolated)
        else if owned[x] then driver_page else free]
    holder = [x in Pages |-> {c in Cpus where holds_isolation(c, x)}]
    kept = owned
}

// ------------------------------------------------------------------ which variants refine it

// v4.8 and v6.0 refine the ownership protocol (their `expect ... holds all` covers it): every
// isolation is made under PG_lock after PageMovable and !PageIsolated were rechecked, so a
// compactor only ever takes a page the driver holds and nobody else has isolated, and the
// driver's release under PG_lock never overlaps a migration.

// v3 (19 steps, the double isolation of ExclusiveIsolation): the driver releases P while C1
// holds it isolated (release_isolated: allowed), clearing PG_isolated; C2 then passes its
// recheck under PG_lock and its isolate step takes P a second time: holder[P1] goes from {C1}
// to {C1, C2}, which no action of the protocol does.
expect v3 violates RefinesOwnership

// Per-driver locking does refine the ownership protocol, although it violates
// NoUseAfterUnload, MappingStability and NoCallbackOnReleased: the driver's revalidation
// under its own lock refuses an isolate_page() on a page that is off its list, so an
// isolation only ever succeeds on a page the driver holds and nobody has isolated. What this
// design breaks is module lifetime and the stability of page->mapping, which the ownership
// protocol does not speak about: refinement alone would not have caught it. The module
// reference of the modref variant changes nothing here.
expect per_driver_locking holds RefinesOwnership
expect per_driver_locking_modref holds RefinesOwnership

// put_page hook (11 steps, the window of NoCallbackOnReleased): the driver releases P without
// PG_lock while C1 sits between its recheck and isolate_page, then C1 isolates it: stage[P1]
// goes from free to vm_isolated, an isolation of a page the driver no longer holds.
expect put_page_hook violates RefinesOwnership
