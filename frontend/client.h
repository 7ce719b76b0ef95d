/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Client side of the helper protocol, shared by corralctl and corrald.
 * Every call returns 0 or a negative errno; on failure c->err holds a short
 * reason (already free of control characters when it came from the helper).
 */
#ifndef CORRAL_CLIENT_H
#define CORRAL_CLIENT_H

#include <stdint.h>
#include <sys/types.h>

#include "common/proto.h"

struct crl_client {
	int fd;
	pid_t child;                /* spawned helper, or 0 */
	uint32_t next_id;
	uint32_t version;           /* negotiated at hello */
	char server[128];           /* helper's name and version */
	char err[256];
	uint8_t out[CRL_FRAME_MAX];
	uint8_t in[CRL_FRAME_MAX];
};

/* Connect to a helper socket (service mode). */
int crl_client_connect(struct crl_client *c, const char *path);
/* Start "helper --fd 3 [--policy FILE]" on a socketpair (spawn mode). */
int crl_client_spawn(struct crl_client *c, const char *helper,
		     const char *policy);
/* Negotiate the protocol version; name goes to the helper's audit log. */
int crl_client_hello(struct crl_client *c, const char *name);
/* Start a request frame in c->out; fill it with crl_put_*(). */
void crl_client_begin(struct crl_client *c, struct crl_enc *e, uint16_t type);
/* Send it and wait for its reply, decoded into *reply (pointing into
 * c->in).  An error reply gives -ERRNO and its message in c->err. */
int crl_client_call(struct crl_client *c, struct crl_enc *e,
		    struct crl_msg *reply);
void crl_client_close(struct crl_client *c);

#endif
