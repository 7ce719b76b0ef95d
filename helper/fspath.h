/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Validation of the paths a request names inside a project's home.  Pure
 * string code, no system call: a path is refused here, with its own errno
 * and reason, before anything touches the file system.  Unit-tested by
 * tests/unit/check_fspath.c.
 */
#ifndef CORRAL_HELPER_FSPATH_H
#define CORRAL_HELPER_FSPATH_H

#include <stddef.h>

/* The whole path "." (the home itself) is accepted. */
#define FSPATH_DOT_OK 0x1u

/*
 * 0 if path, len bytes as the request gave them, is a relative path of at
 * most CRL_PATH_MAX bytes without NUL whose components are each 1 to
 * NAME_MAX bytes and neither "." nor ".." (except the whole path "." with
 * FSPATH_DOT_OK).  Otherwise an errno: EINVAL (NULL, empty, NUL byte,
 * absolute, empty component such as "a//b" or "a/", a "." or ".."
 * component) or ENAMETOOLONG (path or a component too long), with *why a
 * short reason.  path[len] must be readable (the decoder's NUL).
 */
int fspath_check(const char *path, size_t len, unsigned int flags,
		 const char **why);

/*
 * Split a checked path at its last '/': the directory part goes to dir
 * (size bytes), "." when there is none; *leaf points into path at the last
 * component.  Returns 0, or -1 if dir is too small.
 */
int fspath_split(const char *path, char *dir, size_t size, const char **leaf);

#endif
