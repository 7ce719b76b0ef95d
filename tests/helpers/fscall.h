/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small conveniences over the client library for the race test and the
 * benchmarks: file-operation requests, replies that may carry a
 * descriptor (open_write, open_read, replace), and telling an error the
 * helper answered from a connection that broke.
 */
#ifndef CORRAL_TESTS_FSCALL_H
#define CORRAL_TESTS_FSCALL_H

#include <stdint.h>

#include "common/proto.h"
#include "frontend/client.h"

/* Connect to a helper socket and say hello.  0 or -errno (reason in
 * c->err). */
int fsc_open(struct crl_client *c, const char *sock, const char *name);

/* Start a file-operation request carrying PROJECT and PATH. */
void fsc_begin(struct crl_client *c, struct crl_enc *e, uint16_t type,
	       const char *project, const char *path);

/*
 * Send the request in e and wait for its reply, decoded into *reply.
 * A descriptor attached to the reply goes to *fd (else -1); pass fd NULL
 * when none is expected (one that comes anyway is then closed).
 * Returns 0, -ERRNO of an error reply, or another negative errno for a
 * transport or protocol failure, which also sets *broken (if not NULL).
 */
int fsc_call(struct crl_client *c, struct crl_enc *e, struct crl_msg *reply,
	     int *fd, int *broken);

/* CREATE a project's home (idempotent).  0 or -errno. */
int fsc_create(struct crl_client *c, const char *project);

#endif
