// The kernel eras of zsmalloc's pool lifetime against page migration.
variant v4_8 "v4.8: zs_unregister_migration() flushes free_work and iputs the inode, whatever the VM still holds isolated" source "commit 48b4800a1c6a (v4.8-rc1), mm/zsmalloc.c"
