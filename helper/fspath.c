/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Path validation for file operations (see fspath.h).
 *
 * The kernel would refuse most of these paths anyway (openat2 with
 * RESOLVE_BENEATH fails on an absolute path or on ".." leaving the home),
 * but checking the string first keeps the rule independent of the
 * resolver, gives every malformed class its own message, and guarantees
 * that a refused request made no system call at all.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "common/proto.h"
#include "helper/fspath.h"

/* One component of n bytes at c: 0 or an errno. */
static int check_component(const char *c, size_t n, const char **why)
{
	if (n == 0) {
		*why = "empty path component ('//' or a trailing '/')";
		return EINVAL;
	}
	if (n == 1 && c[0] == '.') {
		*why = "'.' path component";
		return EINVAL;
	}
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		*why = "'..' path component";
		return EINVAL;
	}
	if (n > NAME_MAX) {
		*why = "path component longer than 255 bytes";
		return ENAMETOOLONG;
	}
	return 0;
}

/* Length checks first, so a huge string is refused without a walk.  The
 * decoder already refuses an embedded NUL; checked again because a path
 * cut short by one would name another file. */
static int check_whole(const char *path, size_t len, const char **why)
{
	if (!path) {
		*why = "missing path";
		return EINVAL;
	}
	if (len > CRL_PATH_MAX) {
		*why = "path longer than 4096 bytes";
		return ENAMETOOLONG;
	}
	if (len == 0) {
		*why = "empty path";
		return EINVAL;
	}
	if (memchr(path, '\0', len)) {
		*why = "NUL byte in path";
		return EINVAL;
	}
	if (path[0] == '/') {
		*why = "absolute path";
		return EINVAL;
	}
	return 0;
}

int fspath_check(const char *path, size_t len, unsigned int flags,
		 const char **why)
{
	const char *c, *slash;
	int err;

	*why = NULL;
	err = check_whole(path, len, why);
	if (err)
		return err;
	if ((flags & FSPATH_DOT_OK) && len == 1 && path[0] == '.')
		return 0;
	for (c = path;; c = slash + 1) {
		slash = memchr(c, '/', len - (size_t)(c - path));
		err = check_component(c, slash ? (size_t)(slash - c) :
				      len - (size_t)(c - path), why);
		if (err)
			return err;
		if (!slash)
			return 0;
	}
}

int fspath_split(const char *path, char *dir, size_t size, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 1;

	if (n + 1 > size)
		return -1;
	if (slash) {
		memcpy(dir, path, n);
		*leaf = slash + 1;
	} else {
		dir[0] = '.';
		*leaf = path;
	}
	dir[n] = '\0';
	return 0;
}
