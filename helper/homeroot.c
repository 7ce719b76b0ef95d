/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Create home_root at start-up when the policy names one that does not
 * exist yet (corral.conf(5)).  The walk goes down from / one component at a
 * time with O_NOFOLLOW, so no symbolic link on the way is followed, and
 * every directory it passes or makes is checked on the fd itself: owned by
 * root and not writable by group or others.  The policy loader checked the
 * existing part already; this re-check closes the window since then.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper/helper.h"

static int open_dir(int dfd, const char *name)
{
	return openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* A sticky, world-writable directory (like /tmp) is acceptable above
 * home_root: nobody else can rename or remove root's entries in it. */
static int dir_is_safe(int fd, int is_last)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0)
		return 0;
	if (!(st.st_mode & 022))
		return 1;
	return !is_last && (st.st_mode & S_ISVTX);
}

static int step(int dfd, const char *name, int is_last)
{
	int fd = open_dir(dfd, name);

	if (fd < 0 && errno == ENOENT) {
		mode_t old = umask(022);
		int r = mkdirat(dfd, name, is_last ? 0711 : 0755);

		umask(old);
		if (r < 0 && errno != EEXIST)
			return -1;
		fd = open_dir(dfd, name);
	}
	if (fd < 0)
		return -1;
	if (!dir_is_safe(fd, is_last)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int homeroot_ensure(const char *path)
{
	char buf[PATH_MAX];
	char *save = NULL, *comp, *next;
	int dfd;

	if (path[0] != '/' || strlen(path) >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(buf, path);
	dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	for (comp = strtok_r(buf, "/", &save); comp; comp = next) {
		int fd;

		next = strtok_r(NULL, "/", &save);
		fd = step(dfd, comp, next == NULL);
		close(dfd);
		if (fd < 0)
			return -1;
		dfd = fd;
	}
	close(dfd);
	return 0;
}
