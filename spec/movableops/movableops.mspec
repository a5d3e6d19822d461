// The 2025 "movable_ops page" design (David Hildenbrand, "mm/migration: rework movable_ops
// page migration (part 1)", RFC 18 Jun 2025, v1 30 Jun 2025, v2 4 Jul 2025; in the MM pull
// request for 6.17-rc1), and the registration interface that followed it
// ("mm/migrate: Fix NULL movable_ops if CONFIG_ZSMALLOC=m", Huacai Chen, V3/V4 17 Aug 2025).
// A job of its own: `movspec check spec/ spec/movableops/`. docs/movableops.md is the guide.
//
//   movable_ops_static               the series: sticky page type, static ops (builtin zsmalloc)
//   movable_ops_registered           plus set_movable_ops(): registered in zs_init(), NULL in zs_exit()
//   movable_ops_no_freed_check       plus 95c2908f1a4f: no page_count == 1 shortcut for these pages
//   movable_ops_no_isolated_release  plus: no release of an isolated page (a design point)
//
// What changed against v6_0 (page->mapping pointing at the driver's movable_operations):
//
// * page->mapping is no longer used. A page is a movable_ops page when PG_movable_ops
//   (PG_uptodate's bit, "for selected typed pages only") is set and its page type is one of
//   those that support migration (PageOffline: the balloon; PageZsmalloc: zsmalloc).
//   page_movable_ops() picks the ops by the page type. Both the flag and the type are
//   sticky: "If we enable page migration for a page of a certain type by marking it as
//   movable, the page type must be sticky until the page gets freed back to the buddy"
//   (page_movable_ops(), "[PATCH v2 19/29] mm: stop storing migration_ops in page->mapping");
//   "While a subsystem might set selected typed pages that support page migration as being
//   movable through movable_ops, it must never clear this flag. This flag is only cleared
//   when the page is freed back to the buddy" ("[PATCH RFC 20/29] mm: convert "movable" flag
//   in page->mapping to a page flag"). __ClearPageMovable() and PageMovable() are gone
//   (patches 12 to 15): a page the driver released still reaches the driver's callbacks,
//   which now detect it themselves ("[PATCH v2 12/29] mm/zsmalloc: stop using
//   __ClearPageMovable()": "(1) Fail isolation, just like the migration core would (2) Fake
//   migration success just like the migration core would").
// * PG_isolated is PG_movable_ops_isolated, set and cleared with the atomic
//   SetPageMovableOpsIsolated()/ClearPageMovableOpsIsolated() by the migration core in
//   isolate_movable_ops_page(), putback_movable_ops_page() and migrate_movable_ops_page()
//   ("the flag is managed by the migration core", "[PATCH RFC 21/29] mm: rename PG_isolated
//   to PG_movable_ops_isolated").
// * The ops table: first a static lookup (&balloon_mops, &zsmalloc_mops under #ifdef), then
//   set_movable_ops(ops, type), called by balloon_init() (core_initcall) and zs_init(), and
//   set_movable_ops(NULL, PGTY_zsmalloc) in zs_exit(): the unregistration.
//
// The model's driver is zsmalloc: a module, whose pages may be destroyed while the VM holds
// them isolated (the TODO of patch 12/29: "nothing prevents a zspage from getting destroyed
// while it is isolated for migration").

// ================================================================== static lookup by type

variant movable_ops_static extends v6_0 "movable_ops pages: ops chosen by the sticky page type (PG_movable_ops + PageZsmalloc), not page->mapping; the driver's release leaves the page movable until it is freed, its callbacks detect a released page; PG_movable_ops_isolated atomic and owned by the core; the ops table is static (builtin zsmalloc)" source "linux-mm, 'mm/migration: rework movable_ops page migration (part 1)', v2 4 Jul 2025 (David Hildenbrand), <20250704102524.326966-1-david@redhat.com>; in 'MM updates for 6.17-rc1' (Andrew Morton, 30 Jul 2025)" {
    var movops "PG_movable_ops together with the page type (PageZsmalloc): set by the driver, cleared only when the page is freed": [Pages -> bool] = [x in Pages |-> false]

    // page_has_movable_ops(): PageMovableOps(page) && (PageOffline(page) || PageZsmalloc(page));
    // read locklessly before the page lock, and sticky while anyone holds a reference.
    def __PageMovable(p) = movops[p]
    // PageMovable() is gone ("now PageMovable() == __PageMovable()", patch 15/29); the base's
    // properties read it, so it stays as the same test.
    def PageMovable(p) = movops[p]
    // page_movable_ops(page) != NULL: a builtin table here, always set.
    def page_movable_ops_set(p) = true
    // The compactor uses the ops it read from page_movable_ops() until the isolate_page call.
    def uses_mapping(c) = compactor[c] at {isolate_movable_page.get_ops, isolate_movable_page.isolate}

    // Catches: a call through page_movable_ops() when the table for the page's type is NULL
    // (a NULL pointer dereference: putback_movable_ops_page() and migrate_movable_ops_page()
    // do not check it; isolate_movable_ops_page() does, WARN_ON_ONCE(!mops)).
    assertion NoNullOps "the migration core never calls through an unregistered (NULL) movable_ops table"

    // The last put_page() frees the page; freeing clears the page type ("mm/page_alloc: let
    // page freeing clear any set page type", patch 4/29) and PG_movable_ops ("only cleared
    // when the page is freed back to the buddy").
    macro put_page(p) @ "include/linux/mm.h:put_page" {
        if ref[p] == 1 {
            movops[p] = false
        }
        ref[p] -= 1
    }

    // The page lock as the 2025 code takes it: folio_trylock() in isolate_movable_ops_page()
    // and migrate_folio_unmap(), folio_lock() in putback_movable_ops_page(), folio_unlock()
    // (zsmalloc's zpdesc_trylock()/zpdesc_unlock() are the same calls). The base's bodies,
    // anchored where 6.18.2 defines them (unlock_page() is a folio-compat wrapper there).
    macro trylock_page(p, who, fail) @ "include/linux/pagemap.h:folio_trylock" {
        if pglock[p] != none { goto fail }
        pglock[p] = who
    }
    macro lock_page(p, who) @ "include/linux/pagemap.h:folio_lock" {
        await pglock[p] == none
        pglock[p] = who
    }
    macro unlock_page(p, who) @ "mm/filemap.c:folio_unlock" {
        assert pglock[p] == who, "unlock_page() of a page this context has not locked" as LockedMutation
        pglock[p] = none
    }

    // SetPageMovableOps(): the driver marks a new page movable under the page lock it holds
    // (zsmalloc: WARN_ON(!zpdesc_trylock()) around it; the balloon: balloon_page_insert(),
    // "Caller must ensure the page is locked"). In 6.18.2, TESTPAGEFLAG(MovableOps, ...) and
    // SETPAGEFLAG(MovableOps, ...) only: an atomic set_bit(), and no ClearPageMovableOps() is
    // generated at all.
    macro __SetPageMovable(p, who) @ "include/linux/page-flags.h:SetPageMovableOps" {
        assert pglock[p] == who, "SetPageMovableOps() without PG_lock" as LockedMutation
        movops[p] = true
    }

    // SetPageMovableOpsIsolated()/ClearPageMovableOpsIsolated(): atomic bit operations, made
    // by the core under the page lock in each place it uses them (isolate_movable_ops_page()
    // before folio_unlock(); putback under folio_lock(); migrate with the page locked), which
    // the assertion keeps checking.
    macro __SetPageIsolated(p, who) @ "include/linux/page-flags.h:SetPageMovableOpsIsolated" {
        assert pglock[p] == who, "SetPageMovableOpsIsolated() without PG_lock" as LockedMutation
        isolated[p] = true
    }
    macro __ClearPageIsolated(p, who) @ "include/linux/page-flags.h:ClearPageMovableOpsIsolated" {
        assert pglock[p] == who, "ClearPageMovableOpsIsolated() without PG_lock" as LockedMutation
        isolated[p] = false
    }

    // zs_page_migrate() on a page zsmalloc still owns: the new page takes the old one's place
    // (outside the model), the old page's reference is dropped; no __ClearPageMovable().
    macro drv_migratepage(p, who) @ "mm/zsmalloc.c:zs_page_migrate" {
        call driver.migratepage(p)
        assert owned[p], "mops->migrate_page() on a page the driver released" as NoCallbackOnReleased
        owned[p] = false
        put_page(p)
    }

    // ---------------------------------------------------------------- the compactor

    // The steps of isolate_movable_page() that keep their code, under the function's new name
    // ("mm/migrate: rename isolate_movable_page() to isolate_movable_ops_page()", patch 7/29):
    // folio_get_nontail_page(), the lockless page_has_movable_ops() test, folio_trylock(),
    // SetPageMovableOpsIsolated() + folio_unlock(), and the two exits.
    replace isolate_movable_page.get @ "mm/migrate.c:isolate_movable_ops_page" {
        if ref[p] == 0 { return false }
        ref[p] += 1
    }
    replace isolate_movable_page.movable @ "mm/migrate.c:isolate_movable_ops_page" {
        if !__PageMovable(p) {
            goto out_putpage
        }
    }
    replace isolate_movable_page.trylock @ "mm/migrate.c:isolate_movable_ops_page" {
        trylock_page(p, cpu, out_putpage)
    }
    replace isolate_movable_page.set_isolated @ "mm/migrate.c:isolate_movable_ops_page" {
        __SetPageIsolated(p, cpu)
        unlock_page(p, cpu)
        return true
    }
    replace isolate_movable_page.out_no_isolated @ "mm/migrate.c:isolate_movable_ops_page" {
        unlock_page(p, cpu)
        put_page(p)
        return false
    }
    replace isolate_movable_page.out_putpage @ "mm/migrate.c:isolate_movable_ops_page" {
        put_page(p)
        return false
    }

    // Under the page lock: VM_WARN_ON_ONCE_PAGE(!page_has_movable_ops(page)) (the type is
    // sticky), so only PageMovableOpsIsolated() is tested.
    replace isolate_movable_page.recheck @ "mm/migrate.c:isolate_movable_ops_page" {
        if PageIsolated(p) {
            goto out_no_isolated
        }
    }
    // mops = page_movable_ops(page); if (WARN_ON_ONCE(!mops)) goto out_no_isolated;
    insert after isolate_movable_page.recheck step get_ops @ "mm/migrate.c:page_movable_ops" {
        if !page_movable_ops_set(p) {
            goto out_no_isolated
        }
    }
    // mops->isolate_page(page, mode): zs_page_isolate() refuses a destroyed page
    // ("return page_zpdesc(page)->zspage;"), else the page leaves the driver's list.
    replace isolate_movable_page.isolate @ "mm/zsmalloc.c:zs_page_isolate" {
        call driver.isolate_page(p)
        assert owned[p], "mops->isolate_page() on a page the driver released" as NoCallbackOnReleased
        if !owned[p] {
            goto out_no_isolated
        }
        onlist[p] = false
    }
    // migrate_movable_ops_page(): rc = page_movable_ops(src)->migrate_page(dst, src, mode);
    // if (rc == MIGRATEPAGE_SUCCESS) ClearPageMovableOpsIsolated(src) (`if (!rc)` in 6.18.2).
    // No PageMovable() test any more: a page the driver destroyed reaches zs_page_migrate(),
    // which fakes success ("if (!zpdesc->zspage) return MIGRATEPAGE_SUCCESS;", `return 0;`
    // in 6.18.2). zs_page_migrate() fails with -EINVAL when zspage_write_trylock() fails: the
    // page is unlocked and goes back (migrate_folio_undo_src(), then putback), as `busy` here.
    replace compactor.move @ "mm/migrate.c:migrate_movable_ops_page" {
        assert page_movable_ops_set(p), "page_movable_ops(src)->migrate_page() through a NULL table" as NoNullOps
        if !owned[p] {
            call driver.migratepage(p)
            assert owned[p], "mops->migrate_page() on a page the driver released" as NoCallbackOnReleased
            __ClearPageIsolated(p, self)
            goto unlock_put
        }
        either {
            drv_migratepage(p, self)
            __ClearPageIsolated(p, self)
            goto unlock_put
        } or {
            drv_migratepage_busy(p)
            goto fail_unlock
        }
    }
    // putback_movable_ops_page(): folio_lock(); page_movable_ops(page)->putback_page(page);
    // ClearPageMovableOpsIsolated(); folio_unlock(); folio_put(). zs_page_putback() does
    // nothing for a destroyed page ("In the putback case there is nothing to do").
    replace compactor.putback @ "mm/migrate.c:putback_movable_ops_page" {
        lock_page(p, self)
        assert page_movable_ops_set(p), "page_movable_ops(page)->putback_page() through a NULL table" as NoNullOps
        call driver.putback_page(p)
        assert owned[p], "mops->putback_page() on a page the driver released" as NoCallbackOnReleased
        if owned[p] {
            onlist[p] = true
        }
        __ClearPageIsolated(p, self)
        goto unlock_put
    }
    // The page was freed from under us (page_count == 1): migrate_folio_unmap() drops the last
    // reference without the page lock, and "free_pages_prepare() will clear PG_isolated" (its
    // comment, as quoted in the diff of commit 95c2908f1a4f). v4.8 cleared PG_isolated here
    // under the lock only if !PageMovable(), which a sticky type never is. The free's clearing
    // is written out here (nobody else holds the page), so that FreeHygiene still checks the
    // other paths that free a page.
    replace compactor.freed @ "mm/migrate.c:migrate_folio_unmap" {
        isolated[p] = false
        put_page(p)
        goto scan
    }
    // The same steps as the base's, at the functions of the folio-based migration core
    // (6.0 on; read in 6.18.2): migrate_folio_unmap() locks the source (the page_count == 1
    // test before the lock was its first action until 95c2908f1a4f); migrate_folio_undo_src()
    // unlocks a page whose migration failed; migrate_folio_move() ends a successful one with
    // folio_unlock(src) and migrate_folio_done()'s folio_put(src).
    replace compactor.migrate @ "mm/migrate.c:migrate_folio_unmap" {
        if !ok { goto scan }
        ok = false
        if ref[p] == 1 {
            goto freed
        }
        lock_page(p, self)
    }
    replace compactor.fail_unlock @ "mm/migrate.c:migrate_folio_undo_src" {
        unlock_page(p, self)
    }
    replace compactor.unlock_put @ "mm/migrate.c:migrate_folio_move" {
        unlock_page(p, self)
        put_page(p)
        goto scan
    }

    // ---------------------------------------------------------------- the driver's paths

    // SetZsPageMovable(): WARN_ON(!zpdesc_trylock(zpdesc)); __zpdesc_set_movable();
    // zpdesc_unlock(); the page is on the driver's list (its zspage).
    replace owner.enqueue @ "mm/zsmalloc.c:SetZsPageMovable" {
        assert pglock[q] == none, "SetZsPageMovable(): WARN_ON(!zpdesc_trylock())" as LockedMutation
        pglock[q] = drv
        __SetPageMovable(q, drv)
        onlist[q] = true
    }
    replace owner.enq_unlock @ "mm/zsmalloc.c:SetZsPageMovable" {
        unlock_page(q, drv)
        goto idle
    }
    // free_zspage() takes the page lock of every page of the zspage: trylock_zspage() (zs_free()
    // cannot sleep), and when that fails kick_deferred_free(): async_free_zspage() takes them
    // with lock_zspage(), which waits. Either way the release goes on only with the lock held,
    // which is what the blocking lock here stands for (a failed trylock is a later retry).
    replace owner.rel_lock @ "mm/zsmalloc.c:free_zspage" {
        lock_page(q, drv)
    }
    // reset_zpdesc(): zpdesc->zspage = NULL, no __ClearPageMovable() any more (patch 12/29):
    // the page stays a movable_ops page of type zsmalloc until it is freed.
    replace owner.rel_clear @ "mm/zsmalloc.c:reset_zpdesc" {
        if !owned[q] {
            unlock_page(q, drv)
            goto idle
        }
        if !PageIsolated(q) {
            onlist[q] = false
        }
        owned[q] = false
        unlock_page(q, drv)
    }

    // Builtin zsmalloc: nothing is unloaded (with CONFIG_ZSMALLOC=m the static lookup found no
    // ops at all: the WARN in isolate_movable_ops_page() that the registration fix reports).
    remove loader.unload
    // delete_module() is in kernel/module/main.c (5.19 on; read in 6.18.2). The base's body.
    replace loader.teardown @ "kernel/module/main.c:delete_module" {
        exiting = true
    }
}

// NoCallbackOnReleased is violated, by design (13 steps): C1 takes a reference to P, the
// driver destroys P (free_zspage: lock, reset_zpdesc, unlock, put), and C1, whose recheck
// under the page lock can no longer tell (the type is sticky), calls mops->isolate_page() on
// the released page; zs_page_isolate() refuses it. The same happens to migrate_page() and
// putback_page() when P is destroyed while C1 holds it isolated. In v6_0 __ClearPageMovable()
// under the page lock made PageMovable() false and the core made no callback; the series
// moved that check into the callbacks (patch 12/29), so the assertion (a callback on a
// released page) now describes the design rather than a bug: the property no longer says
// what v6_0's does.
expect movable_ops_static violates NoCallbackOnReleased
// The rest holds as in v6_0, some for new reasons. MappingStability: the page type and
// PG_movable_ops cannot change while the compactor holds its reference (only freeing clears
// them), so page_has_movable_ops() stays true from the lockless check to the call.
// ExclusiveIsolation, ListDisjointness: PG_movable_ops_isolated is tested and set under the
// page lock, and a destroyed page is not put back on the list by zs_page_putback().
// FreeHygiene: freeing clears the type (by construction here), and every path that drops the
// compactor's last reference clears PG_movable_ops_isolated first. NoUseAfterUnload and
// NoNullOps hold trivially: the table is builtin and nothing is unloaded.
expect movable_ops_static holds all

// ================================================================== set_movable_ops()

variant movable_ops_registered extends movable_ops_static "movable_ops pages with a registration interface: zs_init() registers zsmalloc's ops with set_movable_ops(&zsmalloc_mops, PGTY_zsmalloc), zs_exit() unregisters them with set_movable_ops(NULL, PGTY_zsmalloc) before the module's code is freed; page_movable_ops() reads the table at each use" source "linux-mm, '[PATCH V3] mm/migrate: Fix NULL movable_ops if CONFIG_ZSMALLOC=m' and V4 (Huacai Chen, 17 Aug 2025; V4 acked by David Hildenbrand); 'mm/migrate: fix NULL movable_ops if CONFIG_ZSMALLOC=m' as commit 97204de68c4e in a kernel.org push log of 18 Aug 2025" {
    var ops_registered "zsmalloc_movable_ops in mm/migrate.c: set by set_movable_ops()": bool = false
    def page_movable_ops_set(p) = ops_registered

    // zs_init(): rc = set_movable_ops(&zsmalloc_mops, PGTY_zsmalloc).
    insert before loader.teardown step init @ "mm/zsmalloc.c:zs_init" {
        ops_registered = true
    }
    // No pool before the module's init has run (zs_create_pool() is zsmalloc's own export).
    insert before owner.idle step probe @ "mm/zsmalloc.c:zs_create_pool" {
        await ops_registered
    }
    // zs_exit(): set_movable_ops(NULL, PGTY_zsmalloc); it runs once every pool is destroyed
    // (the driver released every page), then the module's memory is freed.
    insert after loader.teardown step unregister @ "mm/zsmalloc.c:zs_exit" {
        await owner at done
        ops_registered = false
    }
    insert after loader.unregister step free @ "kernel/module/main.c:free_module" {
        unload driver
    }
}

// The sticky type outlives the driver's interest in the page, and nothing ties the module's
// lifetime to a page the driver released but the VM still holds:
// * NoNullOps (22 steps): C1 isolates P; zsmalloc destroys P while it is isolated (the TODO
//   of patch 12/29); the last pool is gone, zs_exit() unregisters the ops; C1 migrates P and
//   migrate_movable_ops_page() calls page_movable_ops(P)->migrate_page with the table NULL.
//   putback_movable_ops_page() has the same hole; only isolation checks for NULL.
// * NoUseAfterUnload (20 steps): C1 takes a reference to a page the driver then destroys,
//   rechecks it under the page lock and reads mops (still registered); zs_exit() unregisters
//   and the module is freed; C1 calls mops->isolate_page into freed code. The ops pointer
//   C1 holds is not protected by anything (no RCU, no module reference): the table can be
//   cleared while a compactor holds a pointer read from it.
// * NoCallbackOnReleased: as in movable_ops_static (15 steps: init and probe come first).
// In v6_0 the driver's release cleared the mapping under the page lock, so a compactor never
// reached the driver through a released page, and the module was freed only after every page
// was released: NoUseAfterUnload held there and fails here.
expect movable_ops_registered violates NoNullOps, NoUseAfterUnload, NoCallbackOnReleased
expect movable_ops_registered holds all

// ================================================================== no "freed" shortcut

// "mm/migrate: remove MIGRATEPAGE_UNMAP" (David Hildenbrand, upstream commit 95c2908f1a4f,
// read as the 6.17-stable review patch of 27 Oct 2025) moved the "folio was freed from under
// us" check out of migrate_folio_unmap() into migrate_pages_batch() and restricted it to real
// folios: "if (likely(!page_has_movable_ops(&folio->page)) && folio_ref_count(folio) == 1)".
// Its message: "Note that concurrent freeing can happen at any time and this "already freed"
// check is not relevant for correctness." A movable_ops page is now always locked and handed
// to migrate_movable_ops_page(), released by its owner or not.
variant movable_ops_no_freed_check extends movable_ops_registered "movable_ops_registered, and a movable_ops page is always migrated through its callbacks: the page_count == 1 shortcut applies to real folios only" source "commit 95c2908f1a4f 'mm/migrate: remove MIGRATEPAGE_UNMAP' (David Hildenbrand), as backported in '[PATCH 6.17 178/184]' (stable review, 27 Oct 2025)" {
    // migrate_folio_unmap(): the page lock (folio_lock() in the modes that may sleep), then,
    // for a movable_ops page, nothing else to unmap.
    replace compactor.migrate @ "mm/migrate.c:migrate_folio_unmap" {
        if !ok { goto scan }
        ok = false
        lock_page(p, self)
    }
    remove compactor.freed
    def holds_isolation(c, p) = compactor[c].p == p && (compactor[c] at {isolate_movable_page.set_isolated, move, fail_unlock, putback} || (compactor[c] at migrate && compactor[c].ok))
}

// The claim of the commit message checks out on this model: every verdict is that of
// movable_ops_registered, with the same shortest counterexamples (NoNullOps in 22 steps: C1
// takes the page lock in `migrate` before the driver drops its last reference, so the freed
// shortcut was not on that path anyway; NoUseAfterUnload in 20; NoCallbackOnReleased in 15,
// the registered variants' two start-up steps more than movable_ops_static's 13). A page whose
// other references all went while it was isolated is now migrated through zs_page_migrate(),
// which fakes success for a destroyed page, instead of being dropped: no new violation, and
// 558 fewer states (the shortcut's own interleavings).
expect movable_ops_no_freed_check violates NoNullOps, NoUseAfterUnload, NoCallbackOnReleased
expect movable_ops_no_freed_check holds all

// ================================================================== no release while isolated

// The TODO that patch 12/29 added to zs_page_migrate(): "nothing prevents a zspage from
// getting destroyed while it is isolated for migration, as the page lock is temporarily
// dropped after zs_page_isolate() succeeded: we should rework that and defer destroying such
// pages once they are un-isolated (putback) instead." The balloon already works that way
// ("As isolated balloon pages cannot get released (they are taken off the balloon list while
// isolated)", "[PATCH RFC 13/29] mm/balloon_compaction: stop using __ClearPageMovable()").
// Here the driver leaves an isolated page alone and tries again later. A design point, not a
// posted patch. It extends movable_ops_no_freed_check: over movable_ops_registered, the
// `freed` step (page_count == 1 while isolated) is never reached once an isolated page keeps
// the driver's reference, as 95c2908f1a4f expects ("While we might still run into that case
// with zsmalloc, it's something we want to get rid of soon").
variant movable_ops_no_isolated_release extends movable_ops_no_freed_check "movable_ops_no_freed_check, and the driver never destroys a page the VM holds isolated (the balloon's rule; the TODO of patch 12/29 for zsmalloc)" source "'[PATCH v2 12/29] mm/zsmalloc: stop using __ClearPageMovable()' (the TODO in zs_page_migrate()) and '[PATCH RFC 13/29] mm/balloon_compaction: stop using __ClearPageMovable()'" {
    replace owner.rel_clear @ "mm/zsmalloc.c:reset_zpdesc" {
        if !owned[q] || PageIsolated(q) {
            unlock_page(q, drv)
            goto idle
        }
        onlist[q] = false
        owned[q] = false
        unlock_page(q, drv)
    }
}

// NoNullOps holds: a page the VM holds isolated is still the driver's, so the driver is not
// done, zs_exit() has not run and the table is set until the page is migrated or put back;
// a destroyed page cannot become isolated (zs_page_isolate() refuses it). NoUseAfterUnload is
// still violated (20 steps), by the other path: the compactor's reference to a page the
// driver destroyed before the compactor locked it, the ops read at page_movable_ops(), and
// zs_exit() plus free_module() before mops->isolate_page(). Closing it needs the module's
// lifetime tied to the ops pointer the compactor holds (RCU around the read and the call with
// a grace period in zs_exit(), or a module reference), which none of the patches read does.
// NoCallbackOnReleased: as before, isolate_page() on a destroyed page (15 steps).
expect movable_ops_no_isolated_release violates NoUseAfterUnload, NoCallbackOnReleased
expect movable_ops_no_isolated_release holds all
