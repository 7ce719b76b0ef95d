/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading the policy from the file system: the main file, then the
 * corral.d/NAME.conf drop-ins beside it in byte order, then the host checks.
 *
 * Whoever can write a policy file, or a directory above one, decides what
 * the root helper does, so:
 *  - the directory holding the main file is resolved (symbolic links in
 *    the directory part are followed once, by realpath) and then walked
 *    from "/" without following links: every directory root-owned and not
 *    writable by group or others (sticky parents allowed, see check.c);
 *  - the files and corral.d are opened below that walked fd with
 *    O_NOFOLLOW, so a symbolic link as the policy file is refused, and
 *    judged by fstat() on the fd that is then read: root-owned, not
 *    writable by group or others, regular files.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/internal.h"

static int read_all(int fd, size_t max, char **buf, size_t *len)
{
	char *b = malloc(max + 1);
	size_t n = 0;

	if (!b)
		return -1;
	while (n <= max) {
		ssize_t r = read(fd, b + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Ownership problems are reported but the text is still returned, so one
 * run also shows what is wrong inside the file. */
static void judge_file(struct crl_diag *d, const struct stat *st,
		       const char *label)
{
	if (st->st_uid != 0)
		crl_diag_error(d, label, 0, "not owned by root (owner uid %u)",
			       (unsigned int)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		crl_diag_error(d, label, 0, "writable by %s (mode %04o)",
			       st->st_mode & S_IWOTH ? "others" : "its group",
			       (unsigned int)(st->st_mode & 07777));
}

int crl_read_policy_file(struct crl_diag *d, int dirfd, const char *name,
			 const char *label, char **buf, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int r = -1;

	*buf = NULL;
	*len = 0;
	if (fd < 0) {
		crl_diag_error(d, label, 0, "cannot open: %s", errno == ELOOP ?
			       "it is a symbolic link (policy files are never "
			       "read through links)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		crl_diag_error(d, label, 0, "cannot stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		crl_diag_error(d, label, 0, "not a regular file");
	else if (read_all(fd, CRL_FILE_MAX, buf, len) < 0)
		crl_diag_error(d, label, 0, "cannot read: %s", strerror(errno));
	else if (*len > CRL_FILE_MAX)
		crl_diag_error(d, label, 0, "larger than %d bytes", CRL_FILE_MAX);
	else
		r = 0;
	if (r == 0) {
		judge_file(d, &st, label);
	} else {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return r;
}

/* ------------------------------------------------------------ drop-ins */

static int is_dropin(const char *name)
{
	size_t n = strlen(name);

	/* Dot files are editor and package-manager leftovers. */
	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The *.conf names in the directory, in byte order (never the locale's). */
static int list_dropins(struct crl_diag *d, int dfd, const char *label,
			char ***out, size_t *count)
{
	DIR *dir = fdopendir(dfd);
	char **names = calloc(CRL_DROPIN_MAX, sizeof(*names));
	struct dirent *e;
	size_t n = 0;

	if (!dir || !names) {
		crl_diag_error(d, label, 0, "cannot list: %s", strerror(errno));
		if (dir)
			closedir(dir);
		else
			close(dfd);
		free(names);
		return -1;
	}
	while ((e = readdir(dir))) {
		if (!is_dropin(e->d_name))
			continue;
		if (n == CRL_DROPIN_MAX) {
			crl_diag_error(d, label, 0, "more than %d drop-ins",
				       CRL_DROPIN_MAX);
			break;
		}
		names[n] = strdup(e->d_name);
		if (!names[n++])
			crl_diag_error(d, label, 0, "out of memory");
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*count = n;
	return 0;
}

/* corral.d itself: a writable directory would let anyone add a file. */
static int open_dropin_dir(struct crl_diag *d, int dirfd, const char *label)
{
	int fd = openat(dirfd, "corral.d", O_RDONLY | O_DIRECTORY |
			O_NOFOLLOW | O_CLOEXEC);
	const char *problem;
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0) {
		crl_diag_error(d, label, 0, "cannot open: %s", errno == ELOOP ||
			       errno == ENOTDIR ? "not a directory (or a "
			       "symbolic link)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		crl_diag_error(d, label, 0, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	problem = crl_dir_problem(&st, 1);
	if (problem)
		crl_diag_error(d, label, 0, "%s (owner uid %u, mode %04o)",
			       problem, (unsigned int)st.st_uid,
			       (unsigned int)(st.st_mode & 07777));
	return fd;
}

static void feed_file(struct crl_policy *p, struct crl_diag *d, int dirfd,
		      const char *name, const char *label)
{
	char *buf = NULL;
	size_t len = 0;

	if (crl_read_policy_file(d, dirfd, name, label, &buf, &len) == 0)
		crl_parse_feed(p, d, label, buf, len);
	free(buf);
}

static void load_dropins(struct crl_policy *p, struct crl_diag *d, int dirfd,
			 const char *dir)
{
	char label[PATH_MAX + 16], **names;
	size_t n;
	int dfd, keep;

	snprintf(label, sizeof(label), "%s%scorral.d",
		 strcmp(dir, ".") ? dir : "", strcmp(dir, "/") &&
		 strcmp(dir, ".") ? "/" : "");
	dfd = open_dropin_dir(d, dirfd, label);
	if (dfd < 0)
		return;
	/* The files are opened in the directory that was judged and listed,
	 * whatever happens to the name corral.d meanwhile. */
	keep = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	if (keep < 0) {
		crl_diag_error(d, label, 0, "cannot list: %s", strerror(errno));
		close(dfd);
		return;
	}
	if (list_dropins(d, dfd, label, &names, &n) < 0) {
		close(keep);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char file[PATH_MAX + 16 + NAME_MAX];

		if (!names[i])
			continue;
		snprintf(file, sizeof(file), "%s/%s", label, names[i]);
		feed_file(p, d, keep, names[i], file);
	}
	close(keep);
	free_names(names, n);
}

/* ------------------------------------------------------------ the load */

/* Split path into its directory (as written, "." if none) and base. */
static int split_path(const char *path, char *dir, size_t size,
		      const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	*base = slash ? slash + 1 : path;
	if (**base == '\0' || strcmp(*base, ".") == 0 ||
	    strcmp(*base, "..") == 0 || n >= size)
		return -1;
	if (!slash)
		snprintf(dir, size, ".");
	else if (n == 0)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)n, path);
	return 0;
}

static int open_policy_dir(struct crl_diag *d, const char *dir,
			   const char *label)
{
	char real[PATH_MAX], why[CRL_WHY_MAX + CRL_LINE_MAX];
	int fd = -1;

	if (!realpath(dir, real)) {
		crl_diag_error(d, label, 0, "cannot resolve %s: %s", dir,
			       strerror(errno));
		return -1;
	}
	if (crl_walk_open(real, CRL_WALK_OWNER, why, sizeof(why), NULL,
			  &fd) < 0) {
		crl_diag_error(d, label, 0, "its directory is not safe: %s",
			       why);
		return -1;
	}
	return fd;
}

int crl_policy_load_flags(const char *path, unsigned int flags,
			  struct crl_policy **out, FILE *errs)
{
	struct crl_diag d = { .out = errs };
	struct crl_policy *p = NULL;
	char dir[PATH_MAX], *buf = NULL;
	const char *base;
	size_t len = 0;
	int dirfd = -1, read_ok = 0;

	*out = NULL;
	if (split_path(path, dir, sizeof(dir), &base) < 0) {
		crl_diag_error(&d, path, 0, "not a file name");
		return -1;
	}
	p = crl_policy_new(path);
	if (!p) {
		crl_diag_error(&d, path, 0, "out of memory");
		return -1;
	}
	dirfd = open_policy_dir(&d, dir, path);
	if (dirfd >= 0 &&
	    crl_read_policy_file(&d, dirfd, base, path, &buf, &len) == 0) {
		read_ok = 1;
		crl_parse_feed(p, &d, path, buf, len);
		load_dropins(p, &d, dirfd, dir);
	}
	free(buf);
	if (dirfd >= 0)
		close(dirfd);
	crl_policy_finish(p, &d);
	/* Without the main file there is nothing to check the host for. */
	if (read_ok)
		crl_check_host(&d, p, flags);
	if (d.nerr) {
		crl_policy_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int crl_policy_load(const char *path, struct crl_policy **out, FILE *errs)
{
	return crl_policy_load_flags(path, 0, out, errs);
}
