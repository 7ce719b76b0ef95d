/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl fs cat / put: file contents travel as descriptors the helper
 * opened in the project's home (DESIGN §1: never as copied bytes in
 * frames); corralctl only pumps data between them and its stdio.
 *
 * put is atomic: the helper gives an unnamed file and a token; the new
 * content is written and flushed, and only then does commit put the file
 * in PATH's place.  Any failure before that (stdin unreadable, disk full,
 * a flush error) sends abort, and the old file was never touched.  If
 * corralctl dies instead, the helper discards the file when the
 * connection ends.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "frontend/ctl_fs.h"

#define COPY_BUF (128 * 1024)

/* What a copy failed at, for the message. */
enum copy_side { COPY_OK = 0, COPY_READ, COPY_WRITE };

int ctl_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* read/write until EOF; returns 0 or -errno and which side failed. */
static int copy_rw(int in, int out, enum copy_side *side)
{
	static char buf[COPY_BUF];
	ssize_t n;
	int r;

	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*side = COPY_READ;
			return -errno;
		}
		if (n == 0)
			return 0;
		r = ctl_write_all(out, buf, (size_t)n);
		if (r < 0) {
			*side = COPY_WRITE;
			return r;
		}
	}
}

/*
 * sendfile() keeps the bytes in the kernel; where it does not support the
 * pair (stdout opened O_APPEND, some terminals) it fails with EINVAL
 * before moving anything, and read/write takes over.  Its other errors
 * cannot tell a read from a write error: EPIPE and ENOSPC can only be the
 * writer's, the rest are reported as the reader's.
 */
static int copy_out(int in, int out, enum copy_side *side)
{
	int moved = 0;
	ssize_t n;

	for (;;) {
		n = sendfile(out, in, NULL, 1 << 20);
		if (n > 0) {
			moved = 1;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (!moved && (errno == EINVAL || errno == ENOSYS))
			return copy_rw(in, out, side);
		*side = (errno == EPIPE || errno == ENOSPC || errno == EDQUOT ||
			 errno == EFBIG) ? COPY_WRITE : COPY_READ;
		return -errno;
	}
}

int fs_run_cat(struct fs *f)
{
	enum copy_side side = COPY_OK;
	struct crl_enc e;
	struct crl_msg m;
	int fd, rc, r;

	fs_encode(f, &e, CRL_MSG_FS_OPEN_READ);
	rc = fs_call_fd(f, &e, &m, &fd);
	if (rc)
		return rc;
	r = copy_out(fd, STDOUT_FILENO, &side);
	close(fd);
	/* the reader went away (cat | head): nothing to tell it */
	if (r == -EPIPE)
		return CTL_EXIT_FAIL;
	if (r < 0)
		return fs_fail_errno(f, -r, side == COPY_WRITE ?
				     "writing standard output" :
				     "reading the file");
	return 0;
}

/* commit or abort the pending replace named by token. */
static int token_request(struct fs *f, enum crl_msg_type type,
			 uint32_t token)
{
	struct crl_enc e;
	struct crl_msg m;

	/* the token names the project and path already */
	crl_client_begin(&f->t->client, &e, (uint16_t)type);
	crl_put_u32(&e, CRL_A_TOKEN, token);
	return crl_client_call(&f->t->client, &e, &m);
}

/* stdin into the new file, then flushed: 0, or -errno and what failed. */
static int fill(int fd, const char **doing)
{
	enum copy_side side = COPY_OK;
	int r = copy_rw(STDIN_FILENO, fd, &side);

	if (r < 0) {
		*doing = side == COPY_READ ? "reading standard input" :
			 "writing the new content";
		return r;
	}
	/* a full disk or a failing device may show only here; the old file
	 * must not be replaced by one whose data never made it */
	if (fdatasync(fd) < 0) {
		*doing = "flushing the new content";
		return -errno;
	}
	return 0;
}

int fs_run_put(struct fs *f)
{
	const char *doing = NULL;
	struct crl_enc e;
	struct crl_msg m;
	uint32_t token;
	int fd, rc, r;

	fs_encode(f, &e, CRL_MSG_FS_REPLACE);
	rc = fs_call_fd(f, &e, &m, &fd);
	if (rc)
		return rc;
	if (!crl_msg_has(&m, CRL_A_TOKEN)) {
		close(fd);
		return fs_fail_why(f, "Protocol error (reply carries no token)");
	}
	token = crl_msg_u32(&m, CRL_A_TOKEN);
	r = fill(fd, &doing);
	if (close(fd) < 0 && r == 0) {
		r = -errno;
		doing = "closing the new file";
	}
	if (r < 0) {
		/* best effort: the helper also discards it at disconnect */
		(void)token_request(f, CRL_MSG_FS_ABORT, token);
		return fs_fail_errno(f, -r, doing);
	}
	if (token_request(f, CRL_MSG_FS_COMMIT, token) < 0)
		return fs_fail(f);
	return 0;
}
