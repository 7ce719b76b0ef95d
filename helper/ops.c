/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Request dispatch and the handlers of this stage.
 *
 * Why each operation is safe to serve to an allowed peer:
 * - hello: reads two integers and a name that is only logged (escaped).
 * - ping: echoes at most one frame of opaque bytes back to the same peer.
 * - policy-digest: returns a hash of the policy already loaded; the policy
 *   itself is readable by every local user (mode 0644) anyway.
 *
 * The table says which requests are allowed before hello (only hello) and
 * which at most once (hello).  Anything else out of order ends the
 * connection.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helper/helper.h"

#define OP_BEFORE_HELLO 0x1  /* allowed before hello */
#define OP_ONCE         0x2  /* at most once per connection */

struct op_ctx {
	struct conn *c;
	const struct crl_msg *m;
	struct crl_enc enc;         /* success reply, already started */
	char why[128];              /* error message, when failing */
	const char *audit_key;      /* one extra field for the audit line */
	const char *audit_val;
	int end_connection;         /* set by a handler whose failure is fatal */
};

typedef int (*op_fn)(struct op_ctx *o);

struct op_entry {
	enum crl_msg_type type;
	unsigned int flags;
	op_fn fn;
};

static int op_hello(struct op_ctx *o)
{
	uint32_t lo = crl_msg_u32(o->m, CRL_A_VERSION_MIN);
	uint32_t hi = crl_msg_u32(o->m, CRL_A_VERSION_MAX);

	if (lo > hi || hi < CRL_PROTO_VERSION || lo > CRL_PROTO_VERSION) {
		snprintf(o->why, sizeof(o->why),
			 "helper supports protocol versions %d to %d",
			 CRL_PROTO_VERSION, CRL_PROTO_VERSION);
		o->end_connection = 1;  /* nothing else can be said */
		return EPROTONOSUPPORT;
	}
	o->audit_key = "client";
	o->audit_val = crl_msg_str(o->m, CRL_A_CLIENT);
	o->c->hello_done = 1;
	o->c->version = CRL_PROTO_VERSION;
	crl_put_u32(&o->enc, CRL_A_VERSION, o->c->version);
	crl_put_str(&o->enc, CRL_A_SERVER, "corral-helper " PACKAGE_VERSION);
	return 0;
}

static int op_ping(struct op_ctx *o)
{
	size_t len = 0;
	const void *data = crl_msg_bytes(o->m, CRL_A_DATA, &len);

	if (data)
		crl_put_bytes(&o->enc, CRL_A_DATA, data, len);
	return 0;
}

static int op_policy_digest(struct op_ctx *o)
{
	crl_put_bytes(&o->enc, CRL_A_DIGEST, o->c->h->policy_digest,
		      CRL_SHA256_LEN);
	crl_put_str(&o->enc, CRL_A_DIGEST_ALG, "sha256");
	return 0;
}

static const struct op_entry op_table[] = {
	{ CRL_MSG_HELLO, OP_BEFORE_HELLO | OP_ONCE, op_hello },
	{ CRL_MSG_PING, 0, op_ping },
	{ CRL_MSG_POLICY_DIGEST, 0, op_policy_digest },
};

static const struct op_entry *op_find(unsigned int type)
{
	for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
		if (op_table[i].type == type)
			return &op_table[i];
	return NULL;
}

/* Is this request allowed in the connection's state?  0 or an errno. */
static int op_gate(const struct conn *c, const struct op_entry *e,
		   const char **why)
{
	if (!e) {
		*why = "request type not served";
		return EOPNOTSUPP;
	}
	if (!c->hello_done && !(e->flags & OP_BEFORE_HELLO)) {
		*why = "hello must come first";
		return EPROTO;
	}
	if (c->hello_done && (e->flags & OP_ONCE)) {
		*why = "request allowed once per connection";
		return EPROTO;
	}
	return 0;
}

/*
 * Serve one decoded request; the reply is left in c->out (*out_len bytes).
 * Returns 0 to go on, -1 to end the connection.
 */
int op_dispatch(struct conn *c, const struct crl_msg *m, ssize_t *out_len)
{
	const struct op_entry *e = op_find(m->type);
	const char *name = crl_msg_name(m->type);
	const char *why = NULL;
	struct op_ctx o;
	int err;

	name = name ? name : "unknown";
	err = op_gate(c, e, &why);
	if (err) {
		audit_conn(c, name, "refused", err, "reason", why);
		*out_len = crl_enc_error(c->out, sizeof(c->out), m->type,
					 m->request_id, err, why);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.c = c;
	o.m = m;
	crl_enc_init(&o.enc, c->out, sizeof(c->out),
		     (uint16_t)(m->type | CRL_MSG_REPLY), m->request_id);
	err = e->fn(&o);
	if (!err) {
		*out_len = crl_enc_finish(&o.enc);
		if (*out_len < 0) {
			err = EOVERFLOW;
			snprintf(o.why, sizeof(o.why), "reply does not fit a frame");
		}
	}
	if (err) {
		*out_len = crl_enc_error(c->out, sizeof(c->out), m->type,
					 m->request_id, err, o.why[0] ? o.why : strerror(err));
		audit_conn(c, name, "error", err, "reason", o.why);
		return o.end_connection ? -1 : 0;
	}
	audit_conn(c, name, "ok", 0, o.audit_key, o.audit_val);
	return 0;
}
