/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic replace: fs-replace creates a temporary file beside the target
 * and hands its descriptor to the client; fs-commit renames it over the
 * target, fs-abort (or the end of the connection) removes it.  Until the
 * commit the old file is untouched, so a failed or abandoned upload
 * leaves it intact.
 *
 * Why a named temporary file and not O_TMPFILE: an O_TMPFILE file can
 * only be given a name with linkat("/proc/self/fd/N", AT_SYMLINK_FOLLOW)
 * (linkat with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which the helper
 * does not keep).  That means following a /proc magic link, which the
 * helper refuses everywhere else (RESOLVE_NO_MAGICLINKS), needs /proc
 * mounted, and would still need a temporary name for the final rename,
 * since linkat cannot replace.  So: a name ".corral-replace.<16 random
 * hex>" created with O_CREAT|O_EXCL|O_NOFOLLOW as the project, in the
 * target's directory.  The project can see that file and do anything it
 * likes with it (it is the project's own file in its own home); the
 * helper never reads it, commit renames whatever inode is under the name
 * only if it is still the one the helper created, and a rename never
 * follows a link.  What a crash of the connection process leaves behind
 * is one such file in the project's home.
 *
 * State is per connection (struct conn): at most FS_PENDING_MAX pending
 * replaces, each named by a token that is never reused on the connection.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "helper/fsops.h"

static struct fs_pending *pending_free_slot(struct conn *c)
{
	for (int i = 0; i < FS_PENDING_MAX; i++)
		if (!c->pending[i].token)
			return &c->pending[i];
	return NULL;
}

static struct fs_pending *pending_find(struct conn *c, uint32_t token)
{
	for (int i = 0; token && i < FS_PENDING_MAX; i++)
		if (c->pending[i].token == token)
			return &c->pending[i];
	return NULL;
}

/* Is the name still our file?  The project may have renamed or replaced
 * it; then it is the project's business and we leave it alone. */
static int still_ours(const struct fs_pending *p)
{
	struct stat a, b;

	return fstat(p->tmp_fd, &a) == 0 &&
	       fstatat(p->dir_fd, p->tmp, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Close, remove the temporary file if still ours (as the project: the
 * caller has switched), free the slot. */
static void pending_drop(struct fs_pending *p)
{
	if (p->tmp[0] && still_ours(p))
		(void)unlinkat(p->dir_fd, p->tmp, 0);
	close(p->tmp_fd);
	close(p->dir_fd);
	memset(p, 0, sizeof(*p));
	p->dir_fd = p->tmp_fd = -1;
}

/* A directory target is refused now rather than at commit.  Without MODE:
 * the mode of the regular file replaced, or FS_FILE_MODE_DEFAULT. */
static int replace_mode(struct op_ctx *o, int dfd, const char *leaf)
{
	struct stat st;

	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return fs_fail(o, errno);
		st.st_mode = 0;
	}
	if (S_ISDIR(st.st_mode))
		return op_fail(o, EISDIR, "the target is a directory");
	if (crl_msg_has(o->m, CRL_A_MODE))
		return 0;               /* checked by fs_prepare() */
	o->mode = S_ISREG(st.st_mode) ? st.st_mode & 0777 :
		  FS_FILE_MODE_DEFAULT;
	return 0;
}

/* A fresh random name, created exclusively; a clash is retried. */
static int create_tmp(struct op_ctx *o, int dfd, char *name, size_t size)
{
	uint64_t r;
	mode_t old;
	int fd = -EEXIST;

	for (int i = 0; i < 4 && fd == -EEXIST; i++) {
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -fs_fail(o, EIO);
		snprintf(name, size, ".corral-replace.%016llx",
			 (unsigned long long)r);
		old = umask(0);
		fd = fs_openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
			       O_NOFOLLOW | O_NOCTTY, o->mode);
		umask(old);
	}
	return fd < 0 ? -fs_fail(o, -fd) : fd;
}

/* Record the pending replace; the client gets its own descriptor. */
static int pending_fill(struct op_ctx *o, struct fs_pending *p, int dfd,
			const char *leaf, int tfd)
{
	int cfd = fcntl(tfd, F_DUPFD_CLOEXEC, 0);

	if (cfd < 0)
		return fs_fail(o, errno);
	p->dir_fd = dfd;
	p->tmp_fd = tfd;
	p->uid = o->home.uid;
	p->gid = o->home.gid;
	snprintf(p->leaf, sizeof(p->leaf), "%s", leaf);
	snprintf(p->project, sizeof(p->project), "%s", o->project);
	snprintf(p->path, sizeof(p->path), "%s", o->path);
	do
		p->token = ++o->c->last_token;
	while (!p->token);
	crl_put_u32(&o->enc, CRL_A_TOKEN, p->token);
	return op_add_fd(o, cfd);
}

int op_fs_replace(struct op_ctx *o)
{
	struct fs_pending *p = pending_free_slot(o->c);
	const char *leaf;
	int dfd, tfd, err;

	if (!p)
		return op_fail(o, EBUSY, "too many pending replaces on this "
			       "connection (%d)", FS_PENDING_MAX);
	dfd = fs_parent(o, o->path, &leaf);
	if (dfd < 0)
		return fs_fail(o, -dfd);
	err = replace_mode(o, dfd, leaf);
	tfd = err ? -1 : create_tmp(o, dfd, p->tmp, sizeof(p->tmp));
	if (tfd < 0) {
		close(dfd);
		memset(p->tmp, 0, sizeof(p->tmp));
		return err ? err : -tfd;
	}
	err = pending_fill(o, p, dfd, leaf, tfd);
	if (err) {
		p->dir_fd = dfd;
		p->tmp_fd = tfd;
		pending_drop(p);
	}
	return err;
}

/* Look the token up and act as the project that made it.  The audit
 * line names the project and path of the replace; they are copied, since
 * the slot is cleared before the line is written. */
static struct fs_pending *pending_enter(struct op_ctx *o, int *err)
{
	static char project[CRL_PROJECT_ID_LEN + 1], path[CRL_PATH_MAX + 1];
	struct fs_pending *p;

	p = pending_find(o->c, crl_msg_u32(o->m, CRL_A_TOKEN));
	if (!p) {
		*err = op_fail(o, EINVAL, "unknown replace token");
		return NULL;
	}
	memcpy(project, p->project, sizeof(project));
	memcpy(path, p->path, sizeof(path));
	o->project = project;
	o->path = path;
	*err = fs_enter(o, p->uid, p->gid);
	return *err ? NULL : p;
}

/* fsync first: after the rename the new content must be what is on
 * disk, not an empty file after a crash. */
int op_fs_commit(struct op_ctx *o)
{
	struct fs_pending *p;
	int err;

	p = pending_enter(o, &err);
	if (!p)
		return err;
	if (fsync(p->tmp_fd) < 0)
		err = fs_fail(o, errno);
	else if (!still_ours(p))
		err = op_fail(o, ESTALE, "the temporary file was moved or "
			      "replaced by the project");
	else if (fs_renameat2(p->dir_fd, p->tmp, p->dir_fd, p->leaf, 0) < 0)
		err = fs_fail(o, errno);
	else
		p->tmp[0] = '\0';       /* renamed: nothing to remove */
	pending_drop(p);
	return err;
}

int op_fs_abort(struct op_ctx *o)
{
	struct fs_pending *p;
	int err;

	p = pending_enter(o, &err);
	if (!p)
		return err;
	pending_drop(p);
	return 0;
}

/* The connection ends: every pending replace is discarded, audited. */
void fs_pending_discard_all(struct conn *c)
{
	struct audit_rec r = { .op = "fs-abort", .duration_us = -1,
			       .key = "reason", .val = "connection closed" };

	for (int i = 0; i < FS_PENDING_MAX; i++) {
		struct fs_pending *p = &c->pending[i];

		if (!p->token)
			continue;
		r.project = p->project;
		r.path = p->path;
		r.err = priv_fsid_enter(p->uid, p->gid) < 0 ? EPERM : 0;
		r.result = r.err ? "error" : "discarded";
		audit_request(c, &r);
		if (!r.err)
			pending_drop(p);        /* clears project and path */
		priv_fsid_leave();
	}
}
