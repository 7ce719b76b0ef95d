/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Request dispatch and the handlers of the connection itself.
 *
 * Why each operation is safe to serve to an allowed peer:
 * - hello: reads two integers and a name that is only logged (escaped).
 * - ping: echoes at most one frame of opaque bytes back to the same peer.
 * - policy-digest: returns a hash of the policy already loaded; the policy
 *   itself is readable by every local user (mode 0644) anyway.
 * - create (project.c): makes one directory in home_root, named by a
 *   canonical UUID and nothing else, owned by a uid of the policy's
 *   uid_range that no other entry of home_root owns, under a lock.
 * - every fs-* operation (fsops*.c): the project id and paths are checked
 *   as strings first (fspath.c); the home is opened from home_root's fd
 *   and checked on the fd (project.c); the filesystem identity becomes the
 *   project's uid/gid, read back, so the project's own permissions apply
 *   and root's never do; every path is resolved from the home's fd by
 *   openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 *   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV, and the last component is
 *   acted on with an *at call that does not follow it.  So whatever a
 *   project does to its tree meanwhile, an operation happens inside that
 *   home or fails.
 *
 * The table says which requests are allowed before hello (only hello),
 * which at most once (hello), and which are file operations, with the
 * flags and paths each accepts.  Anything else out of order ends the
 * connection.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/fsops.h"
#include "helper/fspath.h"
#include "helper/helper.h"
#include "helper/life.h"

#define OP_BEFORE_HELLO 0x1  /* allowed before hello */
#define OP_ONCE         0x2  /* at most once per connection */
#define OP_FS           0x4  /* PROJECT + PATH: runs in the project's home */

typedef int (*op_fn)(struct op_ctx *o);

struct op_entry {
	enum crl_msg_type type;
	unsigned int flags;
	op_fn fn;
	uint32_t fs_flags;          /* OP_FS: CRL_FS_* bits allowed */
	unsigned int path_rules;    /* OP_FS: FSPATH_* for PATH */
};

static int op_hello(struct op_ctx *o)
{
	uint32_t lo = crl_msg_u32(o->m, CRL_A_VERSION_MIN);
	uint32_t hi = crl_msg_u32(o->m, CRL_A_VERSION_MAX);

	if (lo > hi || hi < CRL_PROTO_VERSION || lo > CRL_PROTO_VERSION) {
		o->end_connection = 1;  /* nothing else can be said */
		return op_fail(o, EPROTONOSUPPORT,
			       "helper supports protocol versions %d to %d",
			       CRL_PROTO_VERSION, CRL_PROTO_VERSION);
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

#define FS(type, fn, flags, rules) { type, OP_FS, fn, flags, rules }
#define DOT FSPATH_DOT_OK

static const struct op_entry op_table[] = {
	{ CRL_MSG_HELLO, OP_BEFORE_HELLO | OP_ONCE, op_hello, 0, 0 },
	{ CRL_MSG_PING, 0, op_ping, 0, 0 },
	{ CRL_MSG_POLICY_DIGEST, 0, op_policy_digest, 0, 0 },
	{ CRL_MSG_CREATE, 0, op_create, 0, 0 },
	{ CRL_MSG_START, 0, op_life, 0, 0 },
	{ CRL_MSG_EXEC, 0, op_life, 0, 0 },
	{ CRL_MSG_STOP, 0, op_life, 0, 0 },
	{ CRL_MSG_STATUS, 0, op_life, 0, 0 },
	{ CRL_MSG_LIST, 0, op_life, 0, 0 },
	FS(CRL_MSG_FS_MKDIR, op_fs_mkdir, CRL_FS_PARENTS, DOT),
	FS(CRL_MSG_FS_UNLINK, op_fs_unlink, 0, 0),
	FS(CRL_MSG_FS_RMDIR, op_fs_rmdir, 0, 0),
	FS(CRL_MSG_FS_RENAME, op_fs_rename, CRL_FS_NOREPLACE, 0),
	FS(CRL_MSG_FS_LINK, op_fs_link, 0, 0),
	FS(CRL_MSG_FS_SYMLINK, op_fs_symlink, 0, 0),
	FS(CRL_MSG_FS_CHMOD, op_fs_chmod, 0, DOT),
	FS(CRL_MSG_FS_TRUNCATE, op_fs_truncate, 0, 0),
	FS(CRL_MSG_FS_COPY, op_fs_copy, CRL_FS_NOREPLACE, 0),
	FS(CRL_MSG_FS_RM, op_fs_rm, CRL_FS_RECURSIVE | CRL_FS_FORCE, 0),
	FS(CRL_MSG_FS_UTIMES, op_fs_utimes, 0, DOT),
	FS(CRL_MSG_FS_STAT, op_fs_stat, 0, DOT),
	FS(CRL_MSG_FS_LIST, op_fs_list, 0, DOT),
	FS(CRL_MSG_FS_OPEN_READ, op_fs_open_read, 0, 0),
	FS(CRL_MSG_FS_OPEN_WRITE, op_fs_open_write, CRL_FS_CREATE |
	   CRL_FS_TRUNC | CRL_FS_APPEND | CRL_FS_EXCL, 0),
	FS(CRL_MSG_FS_REPLACE, op_fs_replace, 0, 0),
	{ CRL_MSG_FS_COMMIT, 0, op_fs_commit, 0, 0 },
	{ CRL_MSG_FS_ABORT, 0, op_fs_abort, 0, 0 },
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

int op_fail(struct op_ctx *o, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
	return err;
}

int op_add_fd(struct op_ctx *o, int fd)
{
	if (o->nfds >= CRL_FDS_MAX) {
		close(fd);
		return op_fail(o, EOVERFLOW, "too many descriptors for a reply");
	}
	o->fds[o->nfds++] = fd;
	return 0;
}

static void op_start_reply(struct op_ctx *o)
{
	crl_enc_init(&o->enc, o->c->out, sizeof(o->c->out),
		     (uint16_t)(o->m->type | CRL_MSG_REPLY), o->m->request_id);
}

/* Intermediate replies carry no descriptors: only the final one does. */
int op_send_more(struct op_ctx *o)
{
	ssize_t n = crl_enc_finish(&o->enc);

	if (n < 0)
		return op_fail(o, EOVERFLOW, "reply does not fit a frame");
	if (crl_send_frame(o->c->fd, o->c->out, (size_t)n, NULL, 0) < 0) {
		o->end_connection = 1;
		return op_fail(o, errno, "cannot send a reply: %s",
			       strerror(errno));
	}
	op_start_reply(o);
	return 0;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A file operation runs between fs_prepare() and fs_release(); every
 * other request at fsuid 0. */
static int op_run(struct op_ctx *o, const struct op_entry *e)
{
	int err = 0;

	if (e->flags & OP_FS)
		err = fs_prepare(o, e->fs_flags, e->path_rules);
	else
		priv_fsid_leave();      /* only file operations keep it */
	if (!err)
		err = e->fn(o);
	fs_release(o);
	return err;
}

static void op_audit(const struct op_ctx *o, const char *name, int err,
		     long long t0)
{
	struct audit_rec r = {
		.op = name, .result = err ? "error" : "ok", .err = err,
		.project = o->project, .path = o->path, .path2 = o->path2,
		.duration_us = now_us() - t0,
		.key = err ? "reason" : o->audit_key,
		.val = err ? o->why : o->audit_val,
	};

	audit_request(o->c, &r);
}

static void op_init(struct op_ctx *o, struct conn *c, const struct crl_msg *m)
{
	memset(o, 0, sizeof(*o));
	o->c = c;
	o->m = m;
	o->home.fd = -1;
	op_start_reply(o);
}

/* The final reply: the success frame with its descriptors, or an error
 * reply and the descriptors closed. */
static int op_finish(struct op_ctx *o, int err, struct op_reply *r)
{
	if (o->replied) {       /* lifecycle: relayed every reply already */
		r->len = 0;
		return err;
	}
	if (!err) {
		r->len = crl_enc_finish(&o->enc);
		if (r->len < 0)
			err = op_fail(o, EOVERFLOW, "reply does not fit a frame");
	}
	if (err) {
		for (unsigned int i = 0; i < o->nfds; i++)
			close(o->fds[i]);
		o->nfds = 0;
		if (!o->why[0])
			snprintf(o->why, sizeof(o->why), "%s", strerror(err));
		r->len = crl_enc_error(o->c->out, sizeof(o->c->out),
				       o->m->type, o->m->request_id, err,
				       o->why);
	}
	memcpy(r->fds, o->fds, sizeof(r->fds));
	r->nfds = o->nfds;
	return err;
}

int op_dispatch(struct conn *c, const struct crl_msg *m, struct op_reply *r)
{
	const struct op_entry *e = op_find(m->type);
	const char *name = crl_msg_name(m->type);
	const char *why = NULL;
	long long t0 = now_us();
	static struct op_ctx o;
	int err;

	name = name ? name : "unknown";
	memset(r, 0, sizeof(*r));
	err = op_gate(c, e, &why);
	if (err) {
		audit_conn(c, name, "refused", err, "reason", why);
		r->len = crl_enc_error(c->out, sizeof(c->out), m->type,
				       m->request_id, err, why);
		return -1;
	}
	op_init(&o, c, m);
	err = op_finish(&o, op_run(&o, e), r);
	op_audit(&o, name, err, t0);
	return err && o.end_connection ? -1 : 0;
}
