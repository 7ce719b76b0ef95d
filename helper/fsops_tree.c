/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Walks: mkdir -p, rm -r and list.  They go descriptor by descriptor:
 * each directory is opened from its parent's descriptor with fs_openat()
 * (no symbolic link, no mount point crossed, never above the parent), and
 * entries are acted on relative to the descriptor that listed them, so a
 * project renaming or swapping directories during the walk can only move
 * the walk around inside its own home.  Depth is bounded.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/fsops.h"

#define DENTS_BUF 8192

static int is_dot_or_dotdot(const char *n)
{
	return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

/* One buffer of getdents64 records; a record that does not fit what the
 * kernel said it returned ends the walk (EIO) rather than being read. */
static int each_in_buf(const char *buf, size_t n, int dirfd, fs_dent_fn fn,
		       void *arg)
{
	const size_t name_off = offsetof(struct dirent64, d_name);
	size_t off = 0;
	int err;

	while (off < n) {
		const struct dirent64 *d = (const void *)(buf + off);

		if (n - off < name_off + 1 || d->d_reclen < name_off + 1 ||
		    d->d_reclen > n - off)
			return EIO;
		off += d->d_reclen;
		if (is_dot_or_dotdot(d->d_name))
			continue;
		err = fn(arg, dirfd, d->d_name);
		if (err)
			return err;
	}
	return 0;
}

int fs_each_dent(int dirfd, fs_dent_fn fn, void *arg)
{
	char *buf = malloc(DENTS_BUF);
	ssize_t n;
	int err = 0;

	if (!buf)
		return ENOMEM;
	while (!err) {
		n = getdents64(dirfd, buf, DENTS_BUF);
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		err = each_in_buf(buf, (size_t)n, dirfd, fn, arg);
	}
	free(buf);
	return err;
}

/* ------------------------------------------------------------ mkdir -p */

/* Make name in dfd unless it exists, then open it.  An existing entry
 * that is not a directory: EEXIST for the last component, ENOTDIR for
 * one on the way, as coreutils reports them. */
static int mkdir_step(int dfd, const char *name, mode_t mode, int last)
{
	mode_t old = umask(0);
	int r = mkdirat(dfd, name, mode), fd;

	umask(old);
	if (r < 0 && errno != EEXIST)
		return -errno;
	fd = fs_openat(dfd, name, O_PATH | O_DIRECTORY, 0);
	if (fd == -ENOTDIR)
		return last ? -EEXIST : -ENOTDIR;
	return fd;
}

/* Intermediate directories get FS_DIR_MODE_DEFAULT, the last one MODE. */
int fs_mkdir_p(struct op_ctx *o)
{
	char buf[CRL_PATH_MAX + 1];
	char *save = NULL, *comp, *next;
	int fd, nfd;

	if (strcmp(o->path, ".") == 0)
		return 0;               /* the home exists */
	snprintf(buf, sizeof(buf), "%s", o->path);
	fd = fs_openat(o->home.fd, ".", O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fs_fail(o, -fd);
	for (comp = strtok_r(buf, "/", &save); comp; comp = next) {
		next = strtok_r(NULL, "/", &save);
		nfd = mkdir_step(fd, comp, next ? FS_DIR_MODE_DEFAULT :
				 o->mode, next == NULL);
		close(fd);
		if (nfd < 0)
			return fs_fail(o, -nfd);
		fd = nfd;
	}
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ rm */

struct rm {
	struct op_ctx *o;
	int recursive;
	unsigned int depth;
	int too_deep;
};

static int rm_entry(struct rm *r, int dfd, const char *name);

/* An entry that vanished meanwhile is as good as removed. */
static int rm_child(void *arg, int dfd, const char *name)
{
	int err = rm_entry(arg, dfd, name);

	return err == ENOENT ? 0 : err;
}

/*
 * Empty the directory, then remove it.  Entries a project adds meanwhile
 * make our own rmdir fail with ENOTEMPTY: a few more passes, then give up.
 * A failure below is passed up at once, never retried, so the work stays
 * bounded by what is in the tree.
 */
static int rm_dir(struct rm *r, int dfd, const char *name)
{
	int fd, err, pass;

	if (r->depth >= FS_TREE_DEPTH_MAX) {
		r->too_deep = 1;
		return ELOOP;
	}
	fd = fs_openat(dfd, name, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return -fd;
	r->depth++;
	for (pass = 0;; pass++) {
		err = fs_each_dent(fd, rm_child, r);
		if (err || unlinkat(dfd, name, AT_REMOVEDIR) == 0)
			break;
		err = errno;
		if (err != ENOTEMPTY || pass == 3 ||
		    lseek(fd, 0, SEEK_SET) < 0)
			break;
	}
	r->depth--;
	close(fd);
	return err;
}

/* unlinkat() refuses a directory with EISDIR, whatever races: only then
 * is it walked, and only with -r. */
static int rm_entry(struct rm *r, int dfd, const char *name)
{
	if (unlinkat(dfd, name, 0) == 0)
		return 0;
	if (errno != EISDIR || !r->recursive)
		return errno;
	return rm_dir(r, dfd, name);
}

/* "." is refused by fspath_check() already: rm never empties a home. */
int op_fs_rm(struct op_ctx *o)
{
	uint32_t flags = crl_msg_u32(o->m, CRL_A_FLAGS);
	struct rm r = { o, (flags & CRL_FS_RECURSIVE) != 0, 0, 0 };
	const char *leaf;
	int dfd = fs_parent(o, o->path, &leaf), err;

	if (dfd < 0)
		err = -dfd;
	else
		err = rm_entry(&r, dfd, leaf);
	if (dfd >= 0)
		close(dfd);
	if (err == ENOENT && (flags & CRL_FS_FORCE))
		return 0;
	if (err == EISDIR && !r.recursive)
		return op_fail(o, err, "is a directory (use recursive)");
	if (r.too_deep)
		return op_fail(o, err, "directory tree deeper than %d levels",
			       FS_TREE_DEPTH_MAX);
	return err ? fs_fail(o, err) : 0;
}

/* ------------------------------------------------------------ list */

#define FLAGS_SPACE CRL_ALIGN(CRL_ATTR_HDR_LEN + 4)

/* An entry that vanished between getdents64 and fstatat is left out; one
 * that cannot be looked at is listed with type UNKNOWN and zeros. */
static int list_one(void *arg, int dfd, const char *name)
{
	struct op_ctx *o = arg;
	struct crl_entry_hdr h;
	struct stat st;
	int err;

	memset(&h, 0, sizeof(h));
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		h.type = fs_file_type(st.st_mode);
		h.mode = st.st_mode & 07777;
		h.size = st.st_size < 0 ? 0 : (uint64_t)st.st_size;
		h.mtime_ns = fs_time_ns(&st.st_mtim);
	} else if (errno == ENOENT) {
		return 0;
	}                       /* else (no search permission): name only */
	if (crl_enc_room(&o->enc) < CRL_ENTRY_SPACE(strlen(name)) +
				     FLAGS_SPACE) {
		crl_list_end(&o->enc);
		crl_put_u32(&o->enc, CRL_A_FLAGS, CRL_FS_MORE);
		err = op_send_more(o);
		if (err)
			return err;
		crl_list_begin(&o->enc, CRL_A_ENTRIES);
	}
	crl_put_entry(&o->enc, &h, name);
	return 0;
}

/* Entries come in as many replies as needed: all but the last carry
 * FLAGS = CRL_FS_MORE.  Order is the directory's, "." and ".." left out.
 * No O_NOFOLLOW with O_DIRECTORY, here and in rm_dir(): it would turn a
 * final symbolic link into ENOTDIR; RESOLVE_NO_SYMLINKS makes it ELOOP,
 * like a link anywhere else in the path. */
int op_fs_list(struct op_ctx *o)
{
	int fd = fs_openat(o->home.fd, o->path, O_RDONLY | O_DIRECTORY, 0);
	int err;

	if (fd < 0)
		return fs_fail(o, -fd);
	crl_list_begin(&o->enc, CRL_A_ENTRIES);
	err = fs_each_dent(fd, list_one, o);
	close(fd);
	if (err)
		return o->why[0] ? err : fs_fail(o, err);
	crl_list_end(&o->enc);
	return 0;
}
