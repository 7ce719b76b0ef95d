/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Start-up self-check: the files the helper trusts must be root's alone,
 * or whoever can change them decides what runs as root.
 *
 *  - Its own binary: the running file (/proc/self/exe, judged on an fd of
 *    that very inode) is a regular file owned by root and not writable by
 *    group or others, and so is every directory from "/" down to it
 *    (sticky parents such as /tmp allowed), so nobody else can replace it
 *    for the next start.  The path walked must still name the running
 *    file.
 *  - Service mode: the socket's directory and those above it, by the same
 *    rule (a missing last part is created root's by listen.c), so nobody
 *    else can replace the socket under a client.  A socket from systemd is
 *    judged by the path it is bound to.
 *  - The policy files are judged by the policy loader already (owner root,
 *    not writable by group or others, and their directories), which also
 *    judges the policy's socket directory; this adds --socket and
 *    socket activation.
 *
 * Runs as root, after the caller check and before the socket is set up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "helper/selfcheck.h"

#define DELETED " (deleted)"

/* Split an absolute path in place into its directory and its last name. */
static const char *split_dir(char *path)
{
	char *slash = strrchr(path, '/');

	if (!slash)
		return NULL;
	if (slash == path) {
		memmove(path + 2, slash + 1, strlen(slash + 1) + 1);
		path[1] = '\0';
		return path + 2;
	}
	*slash = '\0';
	return slash + 1;
}

static int check_binary(char *why, size_t whylen)
{
	char path[PATH_MAX + 2], what[PATH_MAX + 64];
	struct stat run, named;
	const char *base;
	ssize_t n;
	int fd, dfd = -1, r = -1;

	fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	n = readlink("/proc/self/exe", path, PATH_MAX);
	if (fd < 0 || n < 0 || fstat(fd, &run) < 0) {
		snprintf(why, whylen, "cannot look at the helper's own binary "
			 "(/proc/self/exe): %s", strerror(errno));
		goto out;
	}
	path[n] = '\0';
	snprintf(what, sizeof(what), "the helper's binary %s", path);
	if (!S_ISREG(run.st_mode) || run.st_uid != 0 || (run.st_mode & 022)) {
		snprintf(why, whylen, "%s must be a regular file owned by root "
			 "and writable by root alone (owner uid %u, mode %04o)",
			 what, (unsigned int)run.st_uid,
			 (unsigned int)(run.st_mode & 07777));
		goto out;
	}
	if ((size_t)n > strlen(DELETED) &&
	    strcmp(path + n - strlen(DELETED), DELETED) == 0) {
		snprintf(why, whylen, "%s was removed or replaced since it was "
			 "started", what);
		goto out;
	}
	base = split_dir(path);
	if (!base || crl_root_only_dir(path, 0, &dfd, why, whylen) != 0) {
		char reason[512];

		snprintf(reason, sizeof(reason), "%s", base ? why : "no directory");
		snprintf(why, whylen, "a directory above %s is not root's alone: "
			 "%s", what, reason);
		goto out;
	}
	if (fstatat(dfd, base, &named, AT_SYMLINK_NOFOLLOW) < 0 ||
	    named.st_dev != run.st_dev || named.st_ino != run.st_ino) {
		snprintf(why, whylen, "%s no longer names the running program",
			 what);
		goto out;
	}
	r = 0;
out:
	if (dfd >= 0)
		close(dfd);
	if (fd >= 0)
		close(fd);
	return r;
}

/* The path a socket from systemd is bound to, into path (size bytes). */
static int activated_path(char *path, size_t size, char *why, size_t whylen)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	if (getsockname(3, (struct sockaddr *)&sa, &len) < 0 ||
	    sa.sun_family != AF_UNIX) {
		snprintf(why, whylen, "the socket passed by systemd (fd 3) is "
			 "not a Unix socket");
		return -1;
	}
	if (len <= offsetof(struct sockaddr_un, sun_path) ||
	    sa.sun_path[0] != '/') {
		snprintf(why, whylen, "the socket passed by systemd has no path "
			 "in the file system (abstract or unnamed): its access "
			 "could not be limited to the group of frontend_user");
		return -1;
	}
	snprintf(path, size, "%.*s", (int)sizeof(sa.sun_path), sa.sun_path);
	return 0;
}

static int check_socket_dir(const struct helper *h, char *why, size_t whylen)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];
	char reason[512];

	if (h->listen_from_systemd) {
		if (activated_path(path, sizeof(path), why, whylen) < 0)
			return -1;
	} else {
		snprintf(path, sizeof(path), "%s", h->socket_override ?
			 h->socket_override : h->policy->socket_path);
	}
	if (path[0] != '/' || !split_dir(path)) {
		snprintf(why, whylen, "socket %s: not an absolute path", path);
		return -1;
	}
	if (crl_root_only_dir(path, 1, NULL, reason, sizeof(reason)) < 0) {
		snprintf(why, whylen, "the socket's directory %s is not root's "
			 "alone, so others could replace the socket: %s", path,
			 reason);
		return -1;
	}
	return 0;
}

int selfcheck(const struct helper *h, char *why, size_t whylen)
{
	if (check_binary(why, whylen) < 0)
		return -1;
	if (h->mode == MODE_SERVICE && check_socket_dir(h, why, whylen) < 0)
		return -1;
	return 0;
}
