/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File operations: the checks every one goes through, the resolution
 * primitives, and the operations on a single directory entry.
 *
 * MUST (each backed by a test in tests/integration or tests/unit):
 * - refuse a bad flag, project id, path, mode or value before any system
 *   call (check_request());
 * - act with the project's filesystem uid/gid, read back, and restore
 *   fsuid/fsgid 0 afterwards, or not at all;
 * - resolve only through fs_openat() (FS_RESOLVE) from the home's fd;
 * - never follow the last component: it is acted on with unlinkat,
 *   mkdirat, renameat2, linkat without AT_SYMLINK_FOLLOW, symlinkat,
 *   fchmodat2/utimensat/fstatat with AT_SYMLINK_NOFOLLOW, or opened by
 *   fs_openat(), where RESOLVE_NO_SYMLINKS covers it too;
 * - refuse setuid and setgid bits in any mode a request sets.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/fsops.h"
#include "helper/fspath.h"

/* ------------------------------------------------------------ framing */

/* The path attributes with their decoded length: the NUL check in
 * fspath_check() needs the length the request gave, not strlen(). */
static int check_path_attr(struct op_ctx *o, enum crl_attr_type a,
			   unsigned int rules, const char *what)
{
	size_t n = 0;
	const char *p = crl_msg_bytes(o->m, a, &n);
	const char *why;
	int err;

	err = fspath_check(p, n ? n - 1 : 0, rules, &why);
	if (err)
		return op_fail(o, err, "%s: %s", what, why);
	return 0;
}

/* The values of a request, checked before anything is opened.  MODE
 * ends up in o->mode; a handler sets a default when it is absent. */
static int check_values(struct op_ctx *o)
{
	uint32_t f = crl_msg_u32(o->m, CRL_A_FLAGS);
	const char *target = crl_msg_str(o->m, CRL_A_TARGET);
	int has_mode = crl_msg_has(o->m, CRL_A_MODE), err;

	if (has_mode) {
		err = fs_check_mode(o, crl_msg_u32(o->m, CRL_A_MODE));
		if (err)
			return err;
	}
	if (o->m->type == CRL_MSG_FS_OPEN_WRITE && !(f & CRL_FS_CREATE)) {
		if (f & CRL_FS_EXCL)
			return op_fail(o, EINVAL, "exclusive needs create");
		if (has_mode)
			return op_fail(o, EINVAL, "a mode needs create");
	}
	if (target && !target[0])
		return op_fail(o, EINVAL, "empty symbolic link target");
	if (crl_msg_u64(o->m, CRL_A_SIZE) > INT64_MAX)
		return op_fail(o, EINVAL, "size above 2^63 - 1");
	/* project.c refuses a home writable by group or others */
	if (o->m->type == CRL_MSG_FS_CHMOD && strcmp(o->path, ".") == 0 &&
	    (o->mode & 022))
		return op_fail(o, EPERM, "the home must not be writable by "
			       "group or others");
	return 0;
}

static int check_request(struct op_ctx *o, uint32_t allowed,
			 unsigned int rules)
{
	uint32_t flags = crl_msg_u32(o->m, CRL_A_FLAGS);
	int err;

	if (o->c->h->fs_unavailable)
		return op_fail(o, ENOSYS, "%s", o->c->h->fs_unavailable);
	if (flags & ~allowed)
		return op_fail(o, EINVAL, "flags 0x%x not valid for this "
			       "operation", flags & ~allowed);
	if (!crl_project_id_valid(o->project))
		return op_fail(o, EINVAL, "project id is not a lower-case UUID");
	err = check_path_attr(o, CRL_A_PATH, rules, "path");
	if (!err && o->path2)
		err = check_path_attr(o, CRL_A_PATH2, 0, "second path");
	return err ? err : check_values(o);
}

/* The project's home: the connection's open one when it is the same
 * project, checked again with fstat (its owner or mode may have changed
 * since); else opened afresh at fsuid 0, and kept for the next request. */
static int fs_home(struct op_ctx *o)
{
	struct conn *c = o->c;
	int err;

	if (c->home.fd >= 0 && strcmp(c->home_id, o->project) == 0) {
		err = project_check(o, c->home.fd, &c->home);
		if (!err) {
			o->home = c->home;
			return 0;
		}
	}
	fs_home_forget(c);
	priv_fsid_leave();
	err = project_open(o, o->project);
	if (err)
		return err;
	c->home = o->home;
	snprintf(c->home_id, sizeof(c->home_id), "%s", o->project);
	return 0;
}

void fs_home_forget(struct conn *c)
{
	if (c->home.fd >= 0)
		close(c->home.fd);
	c->home.fd = -1;
	c->home_id[0] = '\0';
}

/* Everything in the request first, without a system call; then the
 * home; then the fsuid. */
int fs_prepare(struct op_ctx *o, uint32_t allowed, unsigned int rules)
{
	int err;

	o->project = crl_msg_str(o->m, CRL_A_PROJECT);
	o->path = crl_msg_str(o->m, CRL_A_PATH);
	o->path2 = crl_msg_str(o->m, CRL_A_PATH2);
	err = check_request(o, allowed, rules);
	if (err)
		return err;
	err = fs_home(o);
	if (err)
		return err;
	return fs_enter(o, o->home.uid, o->home.gid);
}

/* The identity stays (priv.c records it) for the next file operation of
 * the same project; ops.c returns to fsuid 0 before any other request. */
int fs_enter(struct op_ctx *o, uid_t uid, gid_t gid)
{
	if (priv_fsid_enter(uid, gid) < 0)
		return op_fail(o, EPERM, "cannot take the project's "
			       "filesystem identity");
	return 0;
}

/* The connection's home (fs_home) stays open; any other is closed. */
void fs_release(struct op_ctx *o)
{
	if (o->home.fd >= 0 && o->home.fd != o->c->home.fd)
		close(o->home.fd);
	o->home.fd = -1;
}

/* ------------------------------------------------------------ primitives */

/* Returns a descriptor or -errno.  EAGAIN: the kernel saw a rename or a
 * mount race with a scoped lookup; another try is the documented answer. */
int fs_openat(int dirfd, const char *path, uint64_t flags, mode_t mode)
{
	struct open_how how;
	long fd = -1;

	memset(&how, 0, sizeof(how));
	how.flags = flags | O_CLOEXEC;
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = FS_RESOLVE;
	for (int i = 0; i < 8; i++) {
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	return fd >= 0 ? (int)fd : -errno;
}

/* O_PATH: only search permission is needed on the way, no open of the
 * directory itself.  No O_NOFOLLOW: with O_PATH it would hand back the
 * link itself instead of failing with ELOOP. */
int fs_parent(const struct op_ctx *o, const char *path, const char **leaf)
{
	char dir[CRL_PATH_MAX + 1];

	if (fspath_split(path, dir, sizeof(dir), leaf) < 0)
		return -ENAMETOOLONG;
	return fs_openat(o->home.fd, dir, O_PATH | O_DIRECTORY, 0);
}

/* The system call itself: glibc's renameat2() turns flags 0 into
 * renameat, which the seccomp allowlist leaves out (one rename call). */
int fs_renameat2(int olddir, const char *oldname, int newdir,
		 const char *newname, unsigned int flags)
{
	return (int)syscall(SYS_renameat2, olddir, oldname, newdir, newname,
			    flags);
}

int fs_fail(struct op_ctx *o, int err)
{
	switch (err) {
	case ELOOP:
		return op_fail(o, err, "symbolic link in the path: never "
			       "followed");
	case EXDEV:
		return op_fail(o, err, "the path crosses a mount point");
	case EACCES:
		return op_fail(o, err, "permission denied (as the project)");
	default:
		return op_fail(o, err, "%s", strerror(err));
	}
}

/* A mode a request sets: permission bits and sticky, never set-id. */
int fs_check_mode(struct op_ctx *o, uint32_t mode)
{
	if (mode > 07777)
		return op_fail(o, EINVAL, "mode 0%o above 07777", mode);
	if (mode & (S_ISUID | S_ISGID))
		return op_fail(o, EPERM, "setuid/setgid bits are not allowed");
	o->mode = (mode_t)mode;
	return 0;
}

uint32_t fs_file_type(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return CRL_FT_REG;
	case S_IFDIR: return CRL_FT_DIR;
	case S_IFLNK: return CRL_FT_LNK;
	case S_IFIFO: return CRL_FT_FIFO;
	case S_IFSOCK: return CRL_FT_SOCK;
	case S_IFCHR: return CRL_FT_CHR;
	case S_IFBLK: return CRL_FT_BLK;
	default: return CRL_FT_UNKNOWN;
	}
}

/* Times before the epoch read as 0 on the wire. */
uint64_t fs_time_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 0;
	if ((uint64_t)ts->tv_sec > UINT64_MAX / 1000000000u - 1)
		return UINT64_MAX;
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* ------------------------------------------------------------ one entry */

typedef int (*leaf_fn)(struct op_ctx *o, int dirfd, const char *leaf);

/* Resolve PATH's directory, then act on its last component. */
static int at_leaf(struct op_ctx *o, leaf_fn fn)
{
	const char *leaf;
	int dfd = fs_parent(o, o->path, &leaf), err;

	if (dfd < 0)
		return fs_fail(o, -dfd);
	err = fn(o, dfd, leaf);
	close(dfd);
	return err;
}

/* The same for PATH and PATH2 (rename, link). */
/* Do two (checked) paths name the same directory string before their
 * last component? */
static int same_parent(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && memcmp(a, b, la) == 0;
}

/* Two leaves; one resolution of their directory when it is the same
 * string (a rename within a directory: one openat2, and both leaves are
 * then in the very same directory, not two resolutions of one name). */
static int at_two_leaves(struct op_ctx *o, unsigned int flags,
			 int (*fn)(int, const char *, int, const char *,
				   unsigned int))
{
	const char *l1, *l2;
	int d1, d2, err = 0;

	d1 = fs_parent(o, o->path, &l1);
	if (d1 < 0)
		return fs_fail(o, -d1);
	if (same_parent(o->path, o->path2)) {
		d2 = d1;
		l2 = strrchr(o->path2, '/') ? strrchr(o->path2, '/') + 1 :
					      o->path2;
	} else {
		d2 = fs_parent(o, o->path2, &l2);
	}
	if (d2 < 0)
		err = fs_fail(o, -d2);
	else if (fn(d1, l1, d2, l2, flags) < 0)
		err = fs_fail(o, errno);
	if (d2 >= 0 && d2 != d1)
		close(d2);
	close(d1);
	return err;
}

static int mkdir_at(struct op_ctx *o, int dfd, const char *leaf)
{
	mode_t old = umask(0);  /* the mode asked for, exactly */
	int r = mkdirat(dfd, leaf, o->mode);

	umask(old);
	return r < 0 ? fs_fail(o, errno) : 0;
}

int op_fs_mkdir(struct op_ctx *o)
{
	if (!crl_msg_has(o->m, CRL_A_MODE))
		o->mode = FS_DIR_MODE_DEFAULT;
	if (crl_msg_u32(o->m, CRL_A_FLAGS) & CRL_FS_PARENTS)
		return fs_mkdir_p(o);
	return at_leaf(o, mkdir_at);
}

static int unlink_at(struct op_ctx *o, int dfd, const char *leaf)
{
	return unlinkat(dfd, leaf, 0) < 0 ? fs_fail(o, errno) : 0;
}

int op_fs_unlink(struct op_ctx *o)
{
	return at_leaf(o, unlink_at);
}

static int rmdir_at(struct op_ctx *o, int dfd, const char *leaf)
{
	return unlinkat(dfd, leaf, AT_REMOVEDIR) < 0 ? fs_fail(o, errno) : 0;
}

int op_fs_rmdir(struct op_ctx *o)
{
	return at_leaf(o, rmdir_at);
}

static int rename2(int d1, const char *l1, int d2, const char *l2,
		   unsigned int flags)
{
	return fs_renameat2(d1, l1, d2, l2, flags);
}

int op_fs_rename(struct op_ctx *o)
{
	unsigned int flags = 0;

	if (crl_msg_u32(o->m, CRL_A_FLAGS) & CRL_FS_NOREPLACE)
		flags = RENAME_NOREPLACE;
	return at_two_leaves(o, flags, rename2);
}

/* No AT_SYMLINK_FOLLOW: a link to a symbolic link links the link. */
static int link2(int d1, const char *l1, int d2, const char *l2,
		 unsigned int flags)
{
	(void)flags;
	return linkat(d1, l1, d2, l2, 0);
}

int op_fs_link(struct op_ctx *o)
{
	return at_two_leaves(o, 0, link2);
}

/* Creating a link is harmless: its target is stored verbatim and no file
 * operation ever follows one. */
static int symlink_at(struct op_ctx *o, int dfd, const char *leaf)
{
	const char *target = crl_msg_str(o->m, CRL_A_TARGET);

	return symlinkat(target, dfd, leaf) < 0 ? fs_fail(o, errno) : 0;
}

int op_fs_symlink(struct op_ctx *o)
{
	return at_leaf(o, symlink_at);
}

/* fchmodat() has no working AT_SYMLINK_NOFOLLOW before fchmodat2 (glibc
 * emulates it through /proc); refuse rather than follow. */
static int chmod_at(struct op_ctx *o, int dfd, const char *leaf)
{
	if (syscall(SYS_fchmodat2, dfd, leaf, o->mode,
		    AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno == EOPNOTSUPP)
		return op_fail(o, errno, "a symbolic link has no mode of its "
			       "own");
	if (errno == ENOSYS)
		return op_fail(o, errno, "chmod needs fchmodat2 (Linux 6.6)");
	return fs_fail(o, errno);
}

/* MODE is required and checked (fs_prepare). */
int op_fs_chmod(struct op_ctx *o)
{
	return at_leaf(o, chmod_at);
}

static struct timespec ts_of(const struct op_ctx *o, enum crl_attr_type a)
{
	struct timespec ts = { 0, UTIME_NOW };
	uint64_t ns = crl_msg_u64(o->m, a);

	if (crl_msg_has(o->m, a)) {
		ts.tv_sec = (time_t)(ns / 1000000000u);
		ts.tv_nsec = (long)(ns % 1000000000u);
	}
	return ts;
}

/* AT_SYMLINK_NOFOLLOW: a symbolic link gets its own times set. */
static int utimes_at(struct op_ctx *o, int dfd, const char *leaf)
{
	struct timespec ts[2] = { ts_of(o, CRL_A_ATIME),
				  ts_of(o, CRL_A_MTIME) };

	if (utimensat(dfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fs_fail(o, errno);
	return 0;
}

int op_fs_utimes(struct op_ctx *o)
{
	return at_leaf(o, utimes_at);
}

static void put_stat(struct op_ctx *o, const struct stat *st)
{
	crl_put_u32(&o->enc, CRL_A_FILE_TYPE, fs_file_type(st->st_mode));
	crl_put_u32(&o->enc, CRL_A_MODE, st->st_mode & 07777);
	crl_put_u32(&o->enc, CRL_A_UID, st->st_uid);
	crl_put_u32(&o->enc, CRL_A_GID, st->st_gid);
	crl_put_u64(&o->enc, CRL_A_SIZE, st->st_size < 0 ? 0 :
		    (uint64_t)st->st_size);
	crl_put_u32(&o->enc, CRL_A_NLINK, st->st_nlink > UINT32_MAX ?
		    UINT32_MAX : (uint32_t)st->st_nlink);
	crl_put_u64(&o->enc, CRL_A_ATIME, fs_time_ns(&st->st_atim));
	crl_put_u64(&o->enc, CRL_A_MTIME, fs_time_ns(&st->st_mtim));
	crl_put_u64(&o->enc, CRL_A_CTIME, fs_time_ns(&st->st_ctim));
}

/*
 * The whole path in one openat2: with O_PATH|O_NOFOLLOW a symbolic link
 * as the last component is opened itself (openat2(2)), so the fstat of
 * that descriptor is an lstat, and every component before it is held to
 * the same rules as everywhere else.  A mount point as the last component
 * fails with EXDEV, like one on the way.
 */
int op_fs_stat(struct op_ctx *o)
{
	struct stat st;
	int fd = fs_openat(o->home.fd, o->path, O_PATH | O_NOFOLLOW, 0), r;

	if (fd < 0)
		return fs_fail(o, -fd);
	r = fstat(fd, &st);
	if (r < 0)
		r = errno;
	close(fd);
	if (r)
		return fs_fail(o, r);
	put_stat(o, &st);
	return 0;
}
