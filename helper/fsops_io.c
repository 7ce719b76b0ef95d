/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Operations on file contents: truncate, open for reading or writing
 * (the descriptor goes to the client), copy.
 *
 * The file is opened by fs_openat() with O_NOFOLLOW and O_NONBLOCK, then
 * checked on the descriptor: only a regular file is used.  O_NONBLOCK
 * keeps a FIFO planted under the name from blocking the open (and the
 * connection); it is cleared again before a descriptor is handed out.
 * Copy opens its source read-only and refuses anything but a regular
 * file (systemd CVE-2018-6954, firejail CVE-2017-5180 were privileged
 * code following a link the user planted; here the open never follows
 * one, and runs as the project in any case).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "helper/fsops.h"

#define OPEN_COMMON (O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)

/* 0 if fd is a regular file, else an errno with its reason: EISDIR for
 * a directory, EINVAL for anything else and for any copy source. */
static int check_regular(struct op_ctx *o, int fd, struct stat *st,
			 const char *what)
{
	if (fstat(fd, st) < 0)
		return fs_fail(o, errno);
	if (S_ISREG(st->st_mode))
		return 0;
	if (S_ISDIR(st->st_mode) && strcmp(what, "source") != 0)
		return op_fail(o, EISDIR, "%s is a directory", what);
	return op_fail(o, EINVAL, "%s is not a regular file", what);
}

/* Open path in the home; keep it in *fd only if it is a regular file.
 * Returns 0 or an errno (o->why set). */
static int open_regular(struct op_ctx *o, const char *path, uint64_t flags,
			mode_t mode, struct stat *st, int *fd)
{
	const char *what = path == o->path2 ? "destination" :
		o->m->type == CRL_MSG_FS_COPY ? "source" : "path";
	mode_t old = umask(0);  /* a created file gets the mode exactly */
	int err;

	*fd = fs_openat(o->home.fd, path, flags | OPEN_COMMON, mode);
	umask(old);
	if (*fd == -ENXIO)      /* a FIFO without reader, a socket */
		return op_fail(o, EINVAL, "%s is not a regular file", what);
	if (*fd < 0)
		return fs_fail(o, -*fd);
	err = check_regular(o, *fd, st, what);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

static int clear_nonblock(struct op_ctx *o, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return fs_fail(o, errno);
	return 0;
}

/* Hand fd to the client with the final reply, blocking again. */
static int give_fd(struct op_ctx *o, int fd)
{
	int err = clear_nonblock(o, fd);

	if (err) {
		close(fd);
		return err;
	}
	return op_add_fd(o, fd);
}

int op_fs_truncate(struct op_ctx *o)
{
	uint64_t size = crl_msg_u64(o->m, CRL_A_SIZE);  /* <= INT64_MAX */
	struct stat st;
	int fd, err;

	err = open_regular(o, o->path, O_WRONLY, 0, &st, &fd);
	if (err)
		return err;
	if (ftruncate(fd, (off_t)size) < 0)
		err = fs_fail(o, errno);
	close(fd);
	return err;
}

/* Reply: SIZE at open time, and the descriptor (read-only). */
int op_fs_open_read(struct op_ctx *o)
{
	struct stat st;
	int fd, err;

	err = open_regular(o, o->path, O_RDONLY, 0, &st, &fd);
	if (err)
		return err;
	crl_put_u64(&o->enc, CRL_A_SIZE, (uint64_t)st.st_size);
	return give_fd(o, fd);
}

/* Reply: the descriptor (write-only).  A file created is the project's,
 * with MODE (default 0644) exactly.  EXCL and MODE without CREATE were
 * refused already (fs_prepare). */
int op_fs_open_write(struct op_ctx *o)
{
	uint32_t f = crl_msg_u32(o->m, CRL_A_FLAGS);
	uint64_t oflags = O_WRONLY | (f & CRL_FS_CREATE ? O_CREAT : 0) |
			  (f & CRL_FS_TRUNC ? O_TRUNC : 0) |
			  (f & CRL_FS_APPEND ? O_APPEND : 0) |
			  (f & CRL_FS_EXCL ? O_EXCL : 0);
	struct stat st;
	int fd, err;

	if (!crl_msg_has(o->m, CRL_A_MODE))
		o->mode = FS_FILE_MODE_DEFAULT;
	err = open_regular(o, o->path, oflags, o->mode, &st, &fd);
	return err ? err : give_fd(o, fd);
}

/* ------------------------------------------------------------ copy */

/* read/write when copy_file_range() cannot (another file system, or a
 * file system without it); continues at the current offsets. */
static int copy_rw(int in, int out, uint64_t left)
{
	static char buf[65536];
	ssize_t n, w;

	while (left > 0) {
		n = read(in, buf, left < sizeof(buf) ? (size_t)left :
			 sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : 0;   /* 0: the source shrank */
		for (ssize_t done = 0; done < n; done += w) {
			w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno != EINTR)
				return errno;
			w = w < 0 ? 0 : w;
		}
		left -= (uint64_t)n;
	}
	return 0;
}

/* At most size bytes: the source's size when it was opened, so a file
 * that grows while it is copied cannot keep the helper busy forever. */
static int copy_data(int in, int out, uint64_t size)
{
	uint64_t left = size;
	ssize_t n;

	while (left > 0) {
		n = copy_file_range(in, NULL, out, NULL,
				    left < (1u << 30) ? (size_t)left : 1u << 30,
				    0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL ||
			      errno == ENOSYS || errno == EOPNOTSUPP))
			return copy_rw(in, out, left);
		if (n <= 0)
			return n < 0 ? errno : 0;
		left -= (uint64_t)n;
	}
	return 0;
}

/* The destination, created with the source's permission bits (set-id
 * bits dropped) or, without NOREPLACE, an existing regular file, emptied
 * only once it is known not to be the source itself. */
static int open_dest(struct op_ctx *o, const struct stat *src, int *fd)
{
	uint32_t f = crl_msg_u32(o->m, CRL_A_FLAGS);
	uint64_t oflags = O_WRONLY | O_CREAT |
			  (f & CRL_FS_NOREPLACE ? O_EXCL : 0);
	struct stat st;
	int err;

	err = open_regular(o, o->path2, oflags, src->st_mode & 0777, &st, fd);
	if (err)
		return err;
	if (st.st_dev == src->st_dev && st.st_ino == src->st_ino)
		err = op_fail(o, EINVAL, "source and destination are the "
			      "same file");
	else if (ftruncate(*fd, 0) < 0)
		err = fs_fail(o, errno);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

int op_fs_copy(struct op_ctx *o)
{
	struct stat st;
	int in, out, err;

	err = open_regular(o, o->path, O_RDONLY, 0, &st, &in);
	if (err)
		return err;
	err = open_dest(o, &st, &out);
	if (!err) {
		err = copy_data(in, out, (uint64_t)st.st_size);
		if (err)
			fs_fail(o, err);
		close(out);
	}
	close(in);
	return err;
}
