/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks of the policy against the host: directory ownership along every
 * path the helper trusts, the front-end user, and uid_range against the
 * user, group and subordinate id databases.
 *
 * Paths are walked from "/" one component at a time, each opened with
 * O_PATH|O_NOFOLLOW and judged by fstat() on that very fd, so what is
 * checked is what exists, and a symbolic link anywhere is refused rather
 * than followed (the helper opens these paths the same way).
 *
 * The database checks take the entries through a callback, so the unit
 * tests can feed them explicit data instead of the host's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/internal.h"

#define OVERLAPS_LISTED 5   /* overlapping ids named; the rest counted */

const char *crl_dir_problem(const struct stat *st, int leaf)
{
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (st->st_uid != 0)
		return "is not owned by root";
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return NULL;
	/* Sticky: only root may rename or remove root's entries in it. */
	if (!leaf && (st->st_mode & S_ISVTX))
		return NULL;
	return st->st_mode & S_IWOTH ? "is writable by others" :
				       "is writable by its group";
}

/* Judge one opened step of a walk; 0 if it passes. */
static int walk_judge(int fd, const char *at, unsigned int flags, int leaf,
		      char *why, size_t whylen)
{
	const char *problem = NULL;
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "cannot stat %s: %s", at, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		problem = "is a symbolic link (name its target instead)";
	else if (!S_ISDIR(st.st_mode) && !(leaf && (flags & CRL_WALK_ANY)))
		problem = "is not a directory";
	else if (flags & CRL_WALK_OWNER)
		problem = crl_dir_problem(&st, leaf);
	if (!problem)
		return 0;
	snprintf(why, whylen, "%s %s (owner uid %u, mode %04o)", at, problem,
		 (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
	return -1;
}

/* Open the next component; on ENOENT with CRL_WALK_MISSING, return 1. */
static int walk_step(int *fd, const char *at, const char *name,
		     unsigned int flags, char *why, size_t whylen)
{
	int next = openat(*fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (next < 0 && errno == ENOENT && (flags & CRL_WALK_MISSING))
		return 1;
	if (next < 0) {
		snprintf(why, whylen, "cannot open %s: %s", at,
			 strerror(errno));
		return -1;
	}
	close(*fd);
	*fd = next;
	return 0;
}

int crl_walk_open(const char *path, unsigned int flags, char *why,
		  size_t whylen, char **missing_at, int *dirfd)
{
	char at[CRL_LINE_MAX + 2] = "", name[CRL_LINE_MAX + 2];
	const char *c = path + strspn(path, "/");
	size_t o = 0;
	int fd, r;

	if (strlen(path) >= sizeof(at)) {
		snprintf(why, whylen, "path too long");
		return -1;
	}
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open /: %s", strerror(errno));
		return -1;
	}
	r = walk_judge(fd, "/", flags, *c == '\0', why, whylen);
	while (r == 0 && *c) {
		size_t n = strcspn(c, "/");

		memcpy(name, c, n);
		name[n] = '\0';
		at[o++] = '/';
		memcpy(at + o, c, n);
		o += n;
		at[o] = '\0';
		c += n + strspn(c + n, "/");
		r = walk_step(&fd, at, name, flags, why, whylen);
		if (r == 0)
			r = walk_judge(fd, at, flags, *c == '\0', why, whylen);
	}
	if (r == 1 && missing_at && !(*missing_at = strdup(at))) {
		snprintf(why, whylen, "out of memory");
		r = -1;
	}
	if (r == 0 && dirfd) {
		*dirfd = fd;
		return 0;
	}
	close(fd);
	return r;
}

int crl_walk(const char *path, unsigned int flags, char *why, size_t whylen,
	     char **missing_at)
{
	return crl_walk_open(path, flags, why, whylen, missing_at, NULL);
}

int crl_root_only_dir(const char *dir, int missing_ok, int *dirfd,
		      char *why, size_t whylen)
{
	unsigned int flags = CRL_WALK_OWNER | (missing_ok ? CRL_WALK_MISSING : 0);

	if (dir[0] != '/') {
		snprintf(why, whylen, "%s is not an absolute path", dir);
		return -1;
	}
	return crl_walk_open(dir, flags, why, whylen, NULL, dirfd);
}

/* ------------------------------------------------------------ paths */

static void check_home_root(struct crl_diag *d, struct crl_policy *p)
{
	char why[CRL_WHY_MAX + CRL_LINE_MAX], *missing = NULL;
	int r = crl_walk(p->home_root, CRL_WALK_OWNER | CRL_WALK_MISSING, why,
			 sizeof(why), &missing);

	if (r < 0)
		crl_diag_key(d, p, CRL_KEY_HOME_ROOT, "home_root %s%s: %s",
			     p->home_root, crl_key_dflt(p, CRL_KEY_HOME_ROOT),
			     why);
	if (r != 1)
		return;
	/* The helper creates it; refusing here would make a fresh install
	 * fail its own check.  What exists above it was checked. */
	p->home_root_missing = 1;
	crl_warn_key(d, p, CRL_KEY_HOME_ROOT, "home_root %s%s does not exist "
		     "yet (%s is missing); corral-helper creates it at "
		     "start-up, owned by root, mode 0711 (missing parents "
		     "0755)", p->home_root, crl_key_dflt(p, CRL_KEY_HOME_ROOT),
		     missing);
	free(missing);
}

static void check_rootfs(struct crl_diag *d, struct crl_policy *p)
{
	char why[CRL_WHY_MAX + CRL_LINE_MAX];

	if (crl_walk(p->rootfs, CRL_WALK_OWNER, why, sizeof(why), NULL) < 0)
		crl_diag_key(d, p, CRL_KEY_ROOTFS, "rootfs %s%s: %s", p->rootfs,
			     crl_key_dflt(p, CRL_KEY_ROOTFS), why);
}

static void check_ro_binds(struct crl_diag *d, struct crl_policy *p)
{
	char why[CRL_WHY_MAX + CRL_LINE_MAX];

	for (unsigned int i = 0; i < p->n_ro_bind; i++) {
		if (crl_walk(p->ro_bind[i], CRL_WALK_ANY, why, sizeof(why),
			     NULL) < 0)
			crl_diag_key(d, p, CRL_KEY_RO_BIND, "ro_bind path %s: %s",
				     p->ro_bind[i], why);
	}
}

/* Whoever can write the socket's directory can replace the socket, or
 * take its name before the helper binds it.  A missing directory is
 * created by the helper (or by systemd's RuntimeDirectory=). */
static void check_socket_dir(struct crl_diag *d, struct crl_policy *p)
{
	char dir[CRL_SOCKET_PATH_MAX + 2], why[CRL_WHY_MAX + CRL_LINE_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", p->socket_path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (crl_walk(dir, CRL_WALK_OWNER | CRL_WALK_MISSING, why, sizeof(why),
		     NULL) < 0)
		crl_diag_key(d, p, CRL_KEY_SOCKET, "socket %s%s: %s",
			     p->socket_path, crl_key_dflt(p, CRL_KEY_SOCKET),
			     why);
}

/* The home is mounted on a directory: inside a hidden path the helper
 * makes it in the empty tmpfs; anywhere else the rootfs must have it. */
static void check_home_mount(struct crl_diag *d, struct crl_policy *p)
{
	char path[2 * CRL_LINE_MAX + 4], why[CRL_WHY_MAX + 3 * CRL_LINE_MAX];

	for (unsigned int i = 0; i < p->n_hide; i++) {
		if (crl_path_within(p->home_mount, p->hide[i]))
			return;
	}
	if (crl_path_within(p->home_mount, p->home_root))
		return;
	snprintf(path, sizeof(path), "%s%s",
		 strcmp(p->rootfs, "/") == 0 ? "" : p->rootfs, p->home_mount);
	if (crl_walk(path, 0, why, sizeof(why), NULL) < 0)
		crl_diag_key(d, p, CRL_KEY_HOME_MOUNT, "home_mount %s%s needs "
			     "a directory to mount the home on, in rootfs or "
			     "under a hidden path: %s", p->home_mount,
			     crl_key_dflt(p, CRL_KEY_HOME_MOUNT), why);
}

/* ------------------------------------------------------------ ids */

static int in_range(const struct crl_policy *p, unsigned long id)
{
	return id >= p->uid_first && id <= p->uid_last;
}

static void report_more(struct crl_diag *d, const struct crl_policy *p,
			unsigned int n, const char *what)
{
	if (n > OVERLAPS_LISTED)
		crl_diag_key(d, p, CRL_KEY_UID_RANGE, "uid_range %u-%u "
			     "includes %u more %s", (unsigned int)p->uid_first,
			     (unsigned int)p->uid_last, n - OVERLAPS_LISTED,
			     what);
}

void crl_check_users(struct crl_diag *d, const struct crl_policy *p,
		     crl_next_user_fn *next, void *ctx, const char *db)
{
	char q[CRL_QUOTE_MAX];
	unsigned int n = 0;
	struct passwd *pw;

	while ((pw = next(ctx))) {
		if (!in_range(p, pw->pw_uid) || ++n > OVERLAPS_LISTED)
			continue;
		crl_diag_key(d, p, CRL_KEY_UID_RANGE, "uid_range %u-%u%s "
			     "includes user '%s' (uid %u) from %s",
			     (unsigned int)p->uid_first,
			     (unsigned int)p->uid_last,
			     crl_key_dflt(p, CRL_KEY_UID_RANGE),
			     crl_quote(pw->pw_name, strlen(pw->pw_name), q),
			     (unsigned int)pw->pw_uid, db);
	}
	report_more(d, p, n, "users");
}

void crl_check_groups(struct crl_diag *d, const struct crl_policy *p,
		      crl_next_group_fn *next, void *ctx, const char *db)
{
	char q[CRL_QUOTE_MAX];
	unsigned int n = 0;
	struct group *gr;

	while ((gr = next(ctx))) {
		if (!in_range(p, gr->gr_gid) || ++n > OVERLAPS_LISTED)
			continue;
		crl_diag_key(d, p, CRL_KEY_UID_RANGE, "uid_range %u-%u%s "
			     "includes group '%s' (gid %u) from %s; a project's "
			     "gid equals its uid", (unsigned int)p->uid_first,
			     (unsigned int)p->uid_last,
			     crl_key_dflt(p, CRL_KEY_UID_RANGE),
			     crl_quote(gr->gr_name, strlen(gr->gr_name), q),
			     (unsigned int)gr->gr_gid, db);
	}
	report_more(d, p, n, "groups");
}

/* "name:start:count"; 0 if the line has that form. */
static int parse_subid(char *line, char **name, uint64_t *start,
		       uint64_t *count)
{
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char *end;

	if (!c2)
		return -1;
	*c1 = *c2 = '\0';
	*name = line;
	errno = 0;
	*start = strtoull(c1 + 1, &end, 10);
	if (errno || end == c1 + 1 || *end)
		return -1;
	*count = strtoull(c2 + 1, &end, 10);
	if (errno || end == c2 + 1 || (*end && *end != '\n') || *count == 0)
		return -1;
	return 0;
}

void crl_check_subids(struct crl_diag *d, const struct crl_policy *p,
		      FILE *f, const char *fname)
{
	char line[512], q[CRL_QUOTE_MAX], *name;
	uint64_t start, count;
	unsigned int lineno = 0;

	/* Not our file: lines that do not parse are left to its owner. */
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (parse_subid(line, &name, &start, &count) < 0 ||
		    start > p->uid_last)
			continue;
		if (count - 1 > UINT64_MAX - start)
			count = UINT64_MAX - start + 1;
		if (start + count - 1 < p->uid_first)
			continue;
		crl_diag_key(d, p, CRL_KEY_UID_RANGE, "uid_range %u-%u%s "
			     "overlaps the subordinate ids of '%s' (%" PRIu64
			     "-%" PRIu64 ", %s:%u)", (unsigned int)p->uid_first,
			     (unsigned int)p->uid_last,
			     crl_key_dflt(p, CRL_KEY_UID_RANGE),
			     crl_quote(name, strlen(name), q), start,
			     start + count - 1, fname, lineno);
	}
}

void crl_check_frontend(struct crl_diag *d, struct crl_policy *p,
			const struct passwd *pw, unsigned int flags)
{
	const char *u = p->frontend_user, *df;

	df = crl_key_dflt(p, CRL_KEY_FRONTEND_USER);
	if (strcmp(u, "root") == 0)
		return;         /* reported by crl_validate() */
	if (!pw && (flags & CRL_POLICY_CHECK_ONLY)) {
		crl_warn_key(d, p, CRL_KEY_FRONTEND_USER, "frontend_user '%s'%s "
			     "does not exist on this host yet; corral-helper "
			     "refuses to start until it does", u, df);
	} else if (!pw) {
		crl_diag_key(d, p, CRL_KEY_FRONTEND_USER, "frontend_user '%s'%s "
			     "does not exist", u, df);
	} else if (pw->pw_uid == 0) {
		crl_diag_key(d, p, CRL_KEY_FRONTEND_USER, "frontend_user '%s'%s "
			     "has uid 0: the front end must not be root", u, df);
	} else if (pw->pw_gid == 0) {
		crl_diag_key(d, p, CRL_KEY_FRONTEND_USER, "frontend_user '%s'%s "
			     "has primary group 0: the helper socket would "
			     "belong to group root", u, df);
	} else if (in_range(p, pw->pw_uid)) {
		crl_diag_key(d, p, CRL_KEY_FRONTEND_USER, "frontend_user '%s'%s "
			     "has uid %u, inside uid_range", u, df,
			     (unsigned int)pw->pw_uid);
	} else {
		p->frontend_uid = pw->pw_uid;
		p->frontend_gid = pw->pw_gid;
	}
}

/* ------------------------------------------------------------ the host */

static struct passwd *next_user(void *ctx)
{
	(void)ctx;
	return getpwent();
}

static struct group *next_group(void *ctx)
{
	(void)ctx;
	return getgrent();
}

static void check_subid_file(struct crl_diag *d, struct crl_policy *p,
			     const char *path)
{
	FILE *f = fopen(path, "re");

	if (!f && errno != ENOENT) {
		crl_diag_error(d, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	if (f) {
		crl_check_subids(d, p, f, path);
		fclose(f);
	}
}

static void check_ids(struct crl_diag *d, struct crl_policy *p,
		      unsigned int flags)
{
	if (crl_key_ok(p, CRL_KEY_FRONTEND_USER))
		crl_check_frontend(d, p, getpwnam(p->frontend_user), flags);
	if (!crl_key_ok(p, CRL_KEY_UID_RANGE))
		return;
	setpwent();
	crl_check_users(d, p, next_user, NULL, "the user database");
	endpwent();
	setgrent();
	crl_check_groups(d, p, next_group, NULL, "the group database");
	endgrent();
	check_subid_file(d, p, "/etc/subuid");
	check_subid_file(d, p, "/etc/subgid");
}

void crl_check_host(struct crl_diag *d, struct crl_policy *p,
		    unsigned int flags)
{
	check_ids(d, p, flags);
	if (crl_key_ok(p, CRL_KEY_HOME_ROOT))
		check_home_root(d, p);
	if (crl_key_ok(p, CRL_KEY_ROOTFS))
		check_rootfs(d, p);
	if (crl_key_ok(p, CRL_KEY_RO_BIND))
		check_ro_binds(d, p);
	if (crl_key_ok(p, CRL_KEY_SOCKET))
		check_socket_dir(d, p);
	if (crl_key_ok(p, CRL_KEY_HOME_MOUNT) && crl_key_ok(p, CRL_KEY_HIDE) &&
	    crl_key_ok(p, CRL_KEY_ROOTFS))
		check_home_mount(d, p);
}
