/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl internals shared by its command files.
 *
 * Exit status convention, kept by every command: 0 success, 1 failure
 * (one line "corralctl: OP OBJECT: reason" on stderr), 2 usage error.
 */
#ifndef CORRAL_CTL_H
#define CORRAL_CTL_H

#include <stddef.h>
#include <stdio.h>

#include "frontend/client.h"

#define CTL_EXIT_FAIL  1
#define CTL_EXIT_USAGE 2

struct ctl {
	const char *helper_socket;  /* --helper */
	const char *spawn_helper;   /* --spawn */
	const char *policy_path;    /* --policy */
	const char *url;            /* --url: speak HTTP to corrald */
	const char *token_file;     /* --token-file */
	char *token;                /* its content */
	const char *target;         /* the helper, as error messages name it */
	struct crl_client client;
};

/* Connect (or spawn) and say hello; on failure print
 * "corralctl: connect HELPER: reason" and return CTL_EXIT_FAIL. */
int ctl_connect(struct ctl *t);

/*
 * The reason of the client's last failure, for "OP OBJECT: reason":
 * for an error reply, strerror() of its errno followed by the helper's
 * message in parentheses when that says more ("No such file or directory
 * (parent 'a' does not exist)"); for a failure on this side, what failed
 * and why ("receive: Connection reset by peer").
 */
const char *ctl_reason(const struct crl_client *c, char *buf, size_t len);

/* Print "corralctl: OP OBJECT: why" (OBJECT escaped); returns
 * CTL_EXIT_FAIL. */
int ctl_fail(const char *op, const char *object, const char *why);
/* write(2) all of p, again after EINTR and short writes: 0 or -errno
 * (ctl_data.c). */
int ctl_write_all(int fd, const char *p, size_t n);

/* Commands. */
int ctl_cmd_create(struct ctl *t, int argc, char **argv);
int ctl_cmd_fs(struct ctl *t, int argc, char **argv);
int ctl_cmd_token(struct ctl *t, int argc, char **argv);
/* ctl_http.c: every command, over HTTP to corrald (--url) */
int ctl_http_main(struct ctl *t, int argc, char **argv);
/* ctl_life.c */
int ctl_cmd_start(struct ctl *t, int argc, char **argv);
int ctl_cmd_stop(struct ctl *t, int argc, char **argv);
int ctl_cmd_status(struct ctl *t, int argc, char **argv);
int ctl_cmd_exec(struct ctl *t, int argc, char **argv);
void ctl_fs_usage(FILE *f);

#endif
