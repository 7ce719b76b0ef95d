/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process hygiene, done before the helper reads a byte of input.
 *
 * - Non-dumpable for life: nobody may ptrace the helper or read its memory
 *   through /proc, even a process running as the caller's uid when the helper
 *   was started setuid (bubblewrap CVE-2016-8659).
 * - fds 0-2 are open: otherwise the first socket we open could become
 *   "stderr" and diagnostics would be written into it.
 * - Every other inherited fd is closed, except the ones the caller names
 *   (--fd N, LISTEN_FDS), so no descriptor of the parent survives.
 * - The environment is emptied: the helper never uses it, and it must not
 *   reach anything the helper starts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper/helper.h"

static int ensure_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n < 0)
			return -1;
		if (n != fd) {
			/* lower fds were open, so n is the lowest free one */
			close(n);
			errno = EBADF;
			return -1;
		}
	}
	return 0;
}

static int close_range_fds(unsigned int first, unsigned int last)
{
	if (first > last)
		return 0;
	return (int)syscall(SYS_close_range, first, last, 0);
}

/* Close every fd >= 3 except those in keep (any order). */
int fds_close_except(const int *keep, unsigned int nkeep)
{
	unsigned int from = 3;

	for (;;) {
		/* next kept fd at or above 'from' */
		unsigned int next = ~0U;
		for (unsigned int i = 0; i < nkeep; i++)
			if (keep[i] >= (int)from && (unsigned int)keep[i] < next)
				next = (unsigned int)keep[i];
		if (next == ~0U)
			return close_range_fds(from, ~0U);
		if (next > from && close_range_fds(from, next - 1) < 0)
			return -1;
		from = next + 1;
	}
}

int startup_hygiene(const int *keep_fds, unsigned int nkeep)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	if (ensure_stdio() < 0)
		return -1;
	if (fds_close_except(keep_fds, nkeep) < 0)
		return -1;
	if (clearenv() != 0)
		return -1;
	umask(077);
	return 0;
}
