/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl fs: what the parser (ctl_fs.c) hands to the operations that
 * move file contents (ctl_data.c).
 */
#ifndef CORRAL_CTL_FS_H
#define CORRAL_CTL_FS_H

#include <stdint.h>

#include "frontend/ctl.h"

/* Request attributes collected from the command line; a NULL string or a
 * clear has_* bit means "not sent". */
struct fs_args {
	const char *path;           /* CRL_A_PATH */
	const char *path2;          /* CRL_A_PATH2 */
	const char *target;         /* CRL_A_TARGET (symlink content) */
	uint32_t flags;             /* CRL_A_FLAGS, sent when nonzero */
	uint32_t mode;              /* CRL_A_MODE */
	uint64_t size;              /* CRL_A_SIZE */
	uint64_t time_ns;           /* CRL_A_ATIME and CRL_A_MTIME */
	unsigned int has_mode : 1;
	unsigned int has_size : 1;
	unsigned int has_time : 1;
};

struct fs_op;

struct fs {
	struct ctl *t;
	const char *project;        /* verbatim: the helper judges it */
	const struct fs_op *op;
	enum crl_msg_type type;     /* request of the op (ln -s changes it) */
	const char *shown[2];       /* operands named in error messages */
	struct fs_args a;
};

/* Start a request of this type carrying the project and every attribute
 * set in f->a. */
void fs_encode(struct fs *f, struct crl_enc *e, enum crl_msg_type type);
/* Send it; the reply must carry exactly one descriptor, put in *fd.
 * Returns 0, or CTL_EXIT_FAIL after printing why. */
int fs_call_fd(struct fs *f, struct crl_enc *e, struct crl_msg *m, int *fd);
/* "corralctl: OP OPERANDS: why"; returns CTL_EXIT_FAIL. */
int fs_fail_why(const struct fs *f, const char *why);
/* The same with the reason of the client's last failure. */
int fs_fail(const struct fs *f);
/* The same with strerror(err), then what was being done. */
int fs_fail_errno(const struct fs *f, int err, const char *doing);

/* ctl_http.c: the parsed operation, sent to corrald (--url) */
int ctl_http_fs(struct fs *f);

/* ctl_data.c */
int fs_run_cat(struct fs *f);
int fs_run_put(struct fs *f);

#endif
