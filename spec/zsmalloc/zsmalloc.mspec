// zsmalloc (v4.8 mm/zsmalloc.c, commit 48b4800a1c6a "zsmalloc: page migration support"):
// the a_ops callbacks the VM reaches through page->mapping (zsmalloc_aops), the pool's user
// freeing its last object (zs_free) and destroying the pool (zs_destroy_pool), and the
// deferred free of empty zspages (pool->free_work, async_free_zspage).
//
// Each callback first reads page_mapping(page)->private_data (the inode's address_space) to
// find the pool, then pool->size_class[] (pool memory), then takes class->lock. The model
// takes class->lock in the callback's first step together with those reads, and does the
// work under it in the next.

enum RwLock { unlocked, read_held, write_held }
var zs_rwlock "zspage->lock (migrate_read_lock in zs_free, migrate_write_lock in zs_page_migrate)": RwLock = unlocked

// ------------------------------------------------------------------ a_ops callbacks

func zs_page_isolate(p: Pages) -> bool @ "mm/zsmalloc.c:zs_page_isolate" {
    local pl: Pools = ZP
    step lock @ "mm/zsmalloc.c:zs_page_isolate" "mapping = page_mapping(page); pool = mapping->private_data; spin_lock(&class->lock)" {
        spin_lock(class_lock)
        assert isolators[p] == {}, "zs_page_isolate() on a page the VM holds isolated" as ExclusiveIsolate
        pl = inode[INO].private_data
    }
    // inuse == 0: refuse (a fully free zspage is about to be freed). The first isolation
    // takes the zspage off its class list (remove_zspage) so that no allocation uses it.
    step isolate @ "mm/zsmalloc.c:zs_page_isolate" "get_zspage_inuse(), remove_zspage() on the first isolation, inc_zspage_isolation()" {
        if zs_inuse == 0 || (zs_pool[pl].list == off_list && zs_isolated == 0) {
            spin_unlock(class_lock)
            return false
        }
        if zs_isolated == 0 {
            zs_pool[pl].list = off_list
        }
        zs_isolated += 1
        zs_iso = zs_iso | {p}
        spin_unlock(class_lock)
        return true
    }
}

func zs_page_migrate(p: Pages) -> MigrateRc @ "mm/zsmalloc.c:zs_page_migrate" {
    local pl: Pools = ZP
    // migrate_write_lock(zspage), pool = mapping->private_data, spin_lock(&class->lock):
    // both locks in one step (zs_free takes them in the same order, nothing happens between).
    step lock @ "mm/zsmalloc.c:zs_page_migrate" "migrate_write_lock(zspage); pool = mapping->private_data; spin_lock(&class->lock)" {
        await zs_rwlock == unlocked
        spin_lock(class_lock)
        zs_rwlock = write_held
        pl = inode[INO].private_data
    }
    // No object left: -EBUSY. An object pinned by a user (trypin_tag() fails): -EAGAIN.
    // Else the objects move to the new page, replace_sub_page() puts the new page in the
    // zspage in place of the old one, dec_zspage_isolation(), the last isolated subpage puts
    // the zspage back on its class list, reset_page(old) (__ClearPageMovable) and put_page(old).
    // The assertion reads class (pool) memory as the kernel's class->size does: an isolated
    // zspage is off its class list.
    step copy @ "mm/zsmalloc.c:zs_page_migrate" {
        assert zs_pool[pl].list == off_list, "zs_page_migrate(): the isolated zspage is on a class list" as Assertions
        if zs_inuse == 0 {
            zs_rwlock = unlocked
            spin_unlock(class_lock)
            return ebusy
        }
        either {
            zs_rwlock = unlocked
            spin_unlock(class_lock)
            return eagain
        } or {
            zs_pages = zs_pages \ {p}
            zs_isolated -= 1
            zs_iso = zs_iso \ {p}
            if zs_isolated == 0 {
                zs_pool[pl].list = inuse_list
            }
            mapping[p] = typeonly
            ref[p] -= 1
            zs_rwlock = unlocked
            spin_unlock(class_lock)
            return success
        }
    }
}

func zs_page_putback(p: Pages) @ "mm/zsmalloc.c:zs_page_putback" {
    local pl: Pools = ZP
    step lock @ "mm/zsmalloc.c:zs_page_putback" "mapping = page_mapping(page); pool = mapping->private_data; spin_lock(&class->lock)" {
        spin_lock(class_lock)
        pl = inode[INO].private_data
    }
    // dec_zspage_isolation(); the last isolated subpage puts the zspage back
    // (putback_zspage) and, if it is empty, schedules the deferred free: "Due to page_lock,
    // we cannot free zspage immediately so let's defer".
    step putback @ "mm/zsmalloc.c:zs_page_putback" {
        assert zs_pool[pl].list == off_list, "zs_page_putback(): the isolated zspage is on a class list" as Assertions
        zs_isolated -= 1
        zs_iso = zs_iso \ {p}
        if zs_isolated == 0 {
            zs_pool[pl].list = if zs_inuse == 0 then empty_list else inuse_list
            if zs_inuse == 0 { free_work = true }
        }
        spin_unlock(class_lock)
    }
}

// ------------------------------------------------------------------ the pool's user

fair actor user "the pool's user (zswap switching its backend, zram reset): zs_free of the last object, then zs_destroy_pool" {
    // pin_tag(handle); migrate_read_lock(zspage); spin_lock(&class->lock)
    step free_lock @ "mm/zsmalloc.c:zs_free" {
        await zs_rwlock == unlocked
        spin_lock(class_lock)
        zs_rwlock = read_held
    }
    // obj_free(); fix_fullness_group() -> ZS_EMPTY; migrate_read_unlock(); an isolated
    // zspage is left alone ("If zspage is isolated, zs_page_putback will free the zspage"),
    // else free_zspage(): trylock_zspage() and __free_zspage() (reset_page, unlock_page,
    // put_page on each subpage), or kick_deferred_free() if a subpage is locked.
    step free @ "mm/zsmalloc.c:zs_free" {
        zs_inuse = 0
        zs_rwlock = unlocked
        if zs_isolated > 0 {
            spin_unlock(class_lock)
            goto destroy
        }
        if exists x in zs_pages: pglock[x] != none {
            zs_pool[ZP].list = empty_list
            free_work = true
            spin_unlock(class_lock)
            goto destroy
        }
        zs_pool[ZP].list = off_list
        mapping = [x in Pages |-> if x in zs_pages then (if ref[x] == 1 then null else typeonly) else mapping[x]]
        ref = [x in Pages |-> if x in zs_pages then ref[x] - 1 else ref[x]]
        zs_pages = {}
        zs_freed = true
        spin_unlock(class_lock)
    }
    step destroy @ "mm/zsmalloc.c:zs_destroy_pool" {
        call zs_destroy_pool()
    }
}

// zs_unregister_shrinker() (not modelled), zs_unregister_migration(), then kfree() of every
// size_class and of the pool ("Freeing non-empty class" is only a pr_info).
func zs_destroy_pool() @ "mm/zsmalloc.c:zs_destroy_pool" {
    step unregister @ "mm/zsmalloc.c:zs_destroy_pool" {
        call zs_unregister_migration()
    }
    step kfree @ "mm/zsmalloc.c:zs_destroy_pool" "kfree(class) for each class, kfree(pool)" {
        free(zs_pool, ZP)
    }
}

// v4.8: flush_work(&pool->free_work); iput(pool->inode).
func zs_unregister_migration() @ "mm/zsmalloc.c:zs_unregister_migration" {
    step flush @ "kernel/workqueue.c:flush_work" {
        await !free_work && worker at idle
    }
    step iput @ "fs/inode.c:iput" {
        free(inode, INO)
    }
}

// ------------------------------------------------------------------ the deferred free

fair actor worker "the system workqueue: pool->free_work runs async_free_zspage()" {
    local cur: Pages
    // Run the queued work item; once every other process has finished and nothing is
    // queued, stop (the model's end, not the workqueue's).
    step idle @ "kernel/workqueue.c:process_one_work" {
        either {
            await free_work
            free_work = false
        } or {
            await !free_work && user at done && (forall c in Cpus: compactor[c] at done)
            goto done
        }
    }
    step splice_lock @ "mm/zsmalloc.c:async_free_zspage" "pool = container_of(work, ...); class = pool->size_class[i]; spin_lock(&class->lock)" {
        spin_lock(class_lock)
    }
    // list_splice_init(&class->fullness_list[ZS_EMPTY], &free_pages)
    step splice @ "mm/zsmalloc.c:async_free_zspage" {
        if zs_pool[ZP].list != empty_list {
            spin_unlock(class_lock)
            goto idle
        }
        zs_pool[ZP].list = off_list
        spin_unlock(class_lock)
    }
    // lock_zspage(): walk the page chain (get_first_page(), get_next_page()) and
    // lock_page() each subpage. The walk reads the chain without a lock: the page it is
    // about to lock is chosen first, the lock (which may sleep) is the next step. The
    // kernel goes first to last; the model takes the subpages not yet locked in any order,
    // which only adds interleavings.
    step lock_zspage @ "mm/zsmalloc.c:lock_zspage" "page = get_first_page(zspage) / get_next_page(page)" {
        if exists x in zs_pages: pglock[x] != work {
            cur = any {x in zs_pages where pglock[x] != work}
        } else {
            goto free_lock
        }
    }
    step lock_cur @ "include/linux/pagemap.h:lock_page" {
        lock_page(cur, work)
        assert cur in zs_pages, "lock_zspage() locked a page that is no longer the zspage's" as LockZspageOwnPages
        goto lock_zspage
    }
    step free_lock @ "mm/zsmalloc.c:async_free_zspage" "class = pool->size_class[class_idx]; spin_lock(&class->lock)" {
        spin_lock(class_lock)
    }
    // __free_zspage(): reset_page() (__ClearPageMovable), unlock_page(), put_page() on each
    // subpage, cache_free_zspage(); the pool's pages_allocated drops.
    step free @ "mm/zsmalloc.c:__free_zspage" {
        assert zs_inuse == 0 && zs_isolated == 0, "__free_zspage() of a zspage in use or isolated" as Assertions
        zs_pool[ZP].list = off_list
        mapping = [x in Pages |-> if x in zs_pages then (if ref[x] == 1 then null else typeonly) else mapping[x]]
        ref = [x in Pages |-> if x in zs_pages then ref[x] - 1 else ref[x]]
        pglock = [x in Pages |-> if x in zs_pages then none else pglock[x]]
        zs_pages = {}
        zs_freed = true
        spin_unlock(class_lock)
        goto idle
    }
}
