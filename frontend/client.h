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
	uint32_t call_id;           /* request id of the last call */
	uint16_t call_type;         /* its message type */
	int remote_errno;           /* errno of the last error reply, else 0 */
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
 * c->in).  An error reply gives -ERRNO, its message in c->err and the
 * errno in c->remote_errno (0 for failures found on this side).  A reply
 * that carries descriptors is an error here (-EBADMSG, none kept). */
int crl_client_call(struct crl_client *c, struct crl_enc *e,
		    struct crl_msg *reply);
/* The same, taking at most max_fds (<= CRL_FDS_MAX) descriptors that come
 * with the reply into fds[], their number into *nfds.  On success the
 * caller owns and closes them; on failure none is left open.  They are
 * close-on-exec. */
int crl_client_call_fds(struct crl_client *c, struct crl_enc *e,
			struct crl_msg *reply, int *fds, unsigned int max_fds,
			unsigned int *nfds);
/* Nonzero when a reply announces further replies to the same request
 * (CRL_A_FLAGS has CRL_FS_MORE: a long directory listing). */
int crl_client_reply_more(const struct crl_msg *reply);
/* Receive the next reply to the last call, after one that announced
 * more.  Same conventions as crl_client_call(); *reply replaces the
 * previous one (both live in c->in). */
int crl_client_next(struct crl_client *c, struct crl_msg *reply);
void crl_client_close(struct crl_client *c);

#endif
