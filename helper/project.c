/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Projects: ids, homes, and create.
 *
 * A project id is a canonical lower-case UUID (crl_project_id_valid()),
 * so it is always exactly one safe path component.  A project's home is
 * home_root/<id>, a directory owned by the project's uid (its gid is the
 * same number, corral.conf(5)) and writable by nobody else.  Both facts
 * are checked on the descriptor the helper opened, never on a path it
 * looked at earlier.
 *
 * create allocates the lowest uid of uid_range that owns no entry of
 * home_root.  Connections are served by separate processes, so two
 * creates can run at once: each takes an exclusive flock on home_root
 * for the scan-and-make, which makes allocation and creation one step.
 * The home appears atomically: made under a temporary name, given its
 * mode and owner, then renamed into place with RENAME_NOREPLACE, so no
 * one ever sees a home with the wrong owner.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "helper/fsops.h"

static int uid_in_range(const struct crl_policy *p, uid_t u)
{
	return u >= p->uid_first && u <= p->uid_last;
}

int project_home_valid(const struct crl_policy *p, const struct stat *st)
{
	return S_ISDIR(st->st_mode) && uid_in_range(p, st->st_uid) &&
	       !(st->st_mode & 022);
}

/* Is the open home fd still a safe one?  Fills *home from it. */
int project_check(struct op_ctx *o, int fd, struct fs_home *home)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !project_home_valid(o->c->h->policy, &st))
		return op_fail(o, EPERM, "project home has an unsafe owner or "
			       "mode (owner outside uid_range, or writable by "
			       "group or others)");
	home->fd = fd;
	home->uid = st.st_uid;
	home->gid = (gid_t)st.st_uid;
	return 0;
}

/* At fsuid 0: home_root is root's (0711), the home is opened O_PATH. */
int project_open(struct op_ctx *o, const char *id)
{
	const struct helper *h = o->c->h;
	int fd, err;

	if (!crl_project_id_valid(id))
		return op_fail(o, EINVAL, "project id is not a lower-case UUID");
	fd = fs_openat(h->home_root_fd, id, O_PATH | O_DIRECTORY, 0);
	if (fd == -ENOENT)
		return op_fail(o, ENOENT, "no such project");
	if (fd == -ENOTDIR || fd == -ELOOP)
		return op_fail(o, EPERM, "project home is not a directory");
	if (fd < 0)
		return fs_fail(o, -fd);
	err = project_check(o, fd, &o->home);
	if (err)
		close(fd);
	return err;
}

/* ------------------------------------------------------------ create */

struct owners {
	const struct crl_policy *p;
	uid_t *uid;
	size_t n, cap;
};

static int note_owner(void *arg, int dfd, const char *name)
{
	struct owners *s = arg;
	struct stat st;
	uid_t *grown;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : errno;
	if (!uid_in_range(s->p, st.st_uid))
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		grown = realloc(s->uid, s->cap * sizeof(*s->uid));
		if (!grown)
			return ENOMEM;
		s->uid = grown;
	}
	s->uid[s->n++] = st.st_uid;
	return 0;
}

/* With n uids taken, one of the first n + 1 of the range is free (if the
 * range is that large): mark those, take the first unmarked. */
static int lowest_free(const struct owners *s, uid_t *out)
{
	uint64_t span = s->n + 1, off;
	unsigned char *seen = calloc((size_t)span, 1);

	if (!seen)
		return ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		if (s->uid[i] - s->p->uid_first < span)
			seen[s->uid[i] - s->p->uid_first] = 1;
	for (off = 0; off < span && seen[off]; off++)
		;
	free(seen);
	if (s->p->uid_first + off > s->p->uid_last)
		return ENOSPC;
	*out = (uid_t)(s->p->uid_first + off);
	return 0;
}

static int pick_uid(struct op_ctx *o, int rfd, uid_t *uid)
{
	struct owners s = { o->c->h->policy, NULL, 0, 0 };
	int err = fs_each_dent(rfd, note_owner, &s);

	if (!err)
		err = lowest_free(&s, uid);
	free(s.uid);
	if (err == ENOSPC)
		return op_fail(o, err, "uid_range exhausted: every uid owns a "
			       "home");
	return err ? op_fail(o, err, "scanning home_root: %s",
			     strerror(err)) : 0;
}

/* The temporary directory gets mode and owner before it has its name:
 * fchmod first, since after fchown root is no longer the owner (and the
 * helper keeps no CAP_FOWNER). */
static int make_tmp_home(struct op_ctx *o, int rfd, const char *tmp,
			 uid_t uid)
{
	int fd, err = 0;

	if (mkdirat(rfd, tmp, 0700) < 0)
		return fs_fail(o, errno);
	fd = fs_openat(rfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fs_fail(o, -fd);
	if (fchmod(fd, 0700) < 0 || fchown(fd, uid, (gid_t)uid) < 0)
		err = fs_fail(o, errno);
	close(fd);
	return err;
}

static int make_home(struct op_ctx *o, int rfd, uid_t uid)
{
	char tmp[64];
	int err;

	snprintf(tmp, sizeof(tmp), ".create.%s", o->project);
	err = make_tmp_home(o, rfd, tmp, uid);
	if (!err && fs_renameat2(rfd, tmp, rfd, o->project,
				 RENAME_NOREPLACE) < 0)
		err = fs_fail(o, errno);
	if (err)
		(void)unlinkat(rfd, tmp, AT_REMOVEDIR);
	return err;
}

/* Under the lock: an existing home answers (create is idempotent); a
 * temporary directory left by a create that crashed is removed before
 * the scan, so its owner does not count. */
static int create_locked(struct op_ctx *o, int rfd, uid_t *uid)
{
	const struct crl_policy *p = o->c->h->policy;
	char tmp[64];
	struct stat st;
	int err;

	if (fstatat(rfd, o->project, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!project_home_valid(p, &st))
			return op_fail(o, EEXIST, "home_root entry exists but "
				       "is not a valid project home");
		*uid = st.st_uid;
		return 0;
	}
	if (errno != ENOENT)
		return fs_fail(o, errno);
	snprintf(tmp, sizeof(tmp), ".create.%s", o->project);
	if (unlinkat(rfd, tmp, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return fs_fail(o, errno);
	err = pick_uid(o, rfd, uid);
	return err ? err : make_home(o, rfd, *uid);
}

/* Runs at fsuid 0: it needs CAP_CHOWN for the new home's owner. */
int op_create(struct op_ctx *o)
{
	const struct helper *h = o->c->h;
	uid_t uid = 0;
	int rfd, err = 0;

	o->project = crl_msg_str(o->m, CRL_A_PROJECT);
	if (h->fs_unavailable)
		return op_fail(o, ENOSYS, "%s", h->fs_unavailable);
	if (!crl_project_id_valid(o->project))
		return op_fail(o, EINVAL, "project id is not a lower-case UUID");
	rfd = fs_openat(h->home_root_fd, ".", O_RDONLY | O_DIRECTORY, 0);
	if (rfd < 0)
		return fs_fail(o, -rfd);
	while (flock(rfd, LOCK_EX) < 0 && !err)
		err = errno == EINTR ? 0 : fs_fail(o, errno);
	if (!err)
		err = create_locked(o, rfd, &uid);
	close(rfd);             /* releases the lock */
	if (err)
		return err;
	crl_put_u32(&o->enc, CRL_A_UID, uid);
	crl_put_u32(&o->enc, CRL_A_GID, uid);
	return 0;
}
