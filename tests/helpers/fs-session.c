/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fs-session SOCKET STEP...: several requests on ONE helper connection,
 * for the tests of what a connection process keeps from one request to
 * the next (its project's open home and filesystem identity, fsops.c and
 * priv.c).  Prints one line per step: its result, 0 or -errno.
 *
 * Steps:
 *   create:PROJECT          CREATE
 *   mkdir:PROJECT:PATH      FS_MKDIR, mode 0755
 *   stat:PROJECT:PATH       FS_STAT (prints "0 uid=N" on success)
 *   ping                    PING
 *   chmod-host:MODE:PATH    chmod(2) done here, as root, outside the helper
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/helpers/fscall.h"

static int step(struct crl_client *c, char *s)
{
	char *op = strtok(s, ":"), *a = strtok(NULL, ":"), *b = strtok(NULL, "");
	struct crl_enc e;
	struct crl_msg m;
	int r;

	if (!op)
		return -EINVAL;
	if (strcmp(op, "ping") == 0) {
		crl_client_begin(c, &e, CRL_MSG_PING);
		return fsc_call(c, &e, &m, NULL, NULL);
	}
	if (strcmp(op, "create") == 0 && a)
		return fsc_create(c, a);
	if (strcmp(op, "chmod-host") == 0 && a && b)
		return chmod(b, (mode_t)strtoul(a, NULL, 8)) < 0 ? -errno : 0;
	if (strcmp(op, "mkdir") == 0 && a && b) {
		fsc_begin(c, &e, CRL_MSG_FS_MKDIR, a, b);
		crl_put_u32(&e, CRL_A_MODE, 0755);
		return fsc_call(c, &e, &m, NULL, NULL);
	}
	if (strcmp(op, "stat") == 0 && a && b) {
		fsc_begin(c, &e, CRL_MSG_FS_STAT, a, b);
		r = fsc_call(c, &e, &m, NULL, NULL);
		if (r == 0)
			printf("0 uid=%u\n", crl_msg_u32(&m, CRL_A_UID));
		return r == 0 ? 1 : r;
	}
	fprintf(stderr, "fs-session: bad step\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct crl_client c;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: fs-session SOCKET STEP...\n");
		return 2;
	}
	r = fsc_open(&c, argv[1], "fs-session");
	if (r < 0) {
		fprintf(stderr, "fs-session: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		r = step(&c, argv[i]);
		if (r != 1)             /* 1: the step printed its own line */
			printf("%d\n", r);
	}
	crl_client_close(&c);
	return 0;
}
