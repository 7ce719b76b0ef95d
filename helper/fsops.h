/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File operations in a project's home (DESIGN §3): the handlers and the
 * few primitives they share.  Every path below is relative to a
 * descriptor and every open goes through fs_openat(), so the resolve
 * rules are in exactly one place.
 */
#ifndef CORRAL_HELPER_FSOPS_H
#define CORRAL_HELPER_FSOPS_H

#include <linux/openat2.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "helper/helper.h"

/* Linux 6.6; older kernel headers do not name it (the number is the same
 * on every architecture of the unified syscall table). */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/*
 * How every path of a file operation is resolved:
 *  - RESOLVE_BENEATH: never above the directory it starts from (no
 *    absolute path, no ".." out of it), checked during the walk, so a
 *    rename racing with the walk cannot lead out (CVE-2018-6954 was a
 *    path-string check losing such a race);
 *  - RESOLVE_NO_SYMLINKS: no symbolic link in any component, the last
 *    one included: ELOOP.  A project can plant a link anywhere in its
 *    tree at any moment (firejail CVE-2017-5180), so none is followed;
 *  - RESOLVE_NO_MAGICLINKS: nor /proc-style links (implied, stated);
 *  - RESOLVE_NO_XDEV: no mount point crossed: EXDEV.
 */
#define FS_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | \
		    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/* rm -r gives up below this depth (ELOOP): descriptors and stack stay
 * bounded. */
#define FS_TREE_DEPTH_MAX 256

/* Modes of files and directories a request creates without MODE. */
#define FS_FILE_MODE_DEFAULT 0644
#define FS_DIR_MODE_DEFAULT 0755

/* fsops.c: preparation and the shared primitives. */
int fs_prepare(struct op_ctx *o, uint32_t allowed_flags,
	       unsigned int path_rules);
void fs_release(struct op_ctx *o);
void fs_home_forget(struct conn *c);
int fs_enter(struct op_ctx *o, uid_t uid, gid_t gid);
int fs_openat(int dirfd, const char *path, uint64_t flags, mode_t mode);
int fs_parent(const struct op_ctx *o, const char *path, const char **leaf);
int fs_fail(struct op_ctx *o, int err);
int fs_renameat2(int olddir, const char *oldname, int newdir,
		 const char *newname, unsigned int flags);
int fs_check_mode(struct op_ctx *o, uint32_t mode);
uint32_t fs_file_type(mode_t m);
uint64_t fs_time_ns(const struct timespec *ts);

/* fsops_tree.c: directory walks. */
typedef int (*fs_dent_fn)(void *arg, int dirfd, const char *name);
int fs_each_dent(int dirfd, fs_dent_fn fn, void *arg);

/* The handlers, one per request type (table in ops.c). */
int op_fs_mkdir(struct op_ctx *o);
int op_fs_unlink(struct op_ctx *o);
int op_fs_rmdir(struct op_ctx *o);
int op_fs_rename(struct op_ctx *o);
int op_fs_link(struct op_ctx *o);
int op_fs_symlink(struct op_ctx *o);
int op_fs_chmod(struct op_ctx *o);
int op_fs_truncate(struct op_ctx *o);
int op_fs_copy(struct op_ctx *o);
int op_fs_rm(struct op_ctx *o);
int op_fs_utimes(struct op_ctx *o);
int op_fs_stat(struct op_ctx *o);
int op_fs_list(struct op_ctx *o);
int op_fs_open_read(struct op_ctx *o);
int op_fs_open_write(struct op_ctx *o);
int op_fs_replace(struct op_ctx *o);
int op_fs_commit(struct op_ctx *o);
int op_fs_abort(struct op_ctx *o);
int fs_mkdir_p(struct op_ctx *o);

#endif
