/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON endpoints: project lifecycle and file operations.  Each
 * request body is one JSON object read with JSON_REJECT_DUPLICATES; a key
 * the endpoint does not take is a 400, never ignored.  Values go to the
 * helper as they are: the helper judges paths and ids again (DESIGN 1).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "frontend/corrald.h"

/* Keys a body may carry. */
enum {
	K_PATH = 1u << 0, K_PATH2 = 1u << 1, K_TARGET = 1u << 2, K_MODE = 1u << 3,
	K_SIZE = 1u << 4, K_PARENTS = 1u << 5, K_RECURSIVE = 1u << 6,
	K_FORCE = 1u << 7, K_NOREPLACE = 1u << 8, K_ATIME = 1u << 9,
	K_MTIME = 1u << 10,
};

static const struct {
	const char *name;
	unsigned int bit;
	int kind;                   /* 's' string, 'u' integer, 'b' boolean, 'm' mode */
} body_keys[] = {
	{ "path", K_PATH, 's' }, { "path2", K_PATH2, 's' },
	{ "target", K_TARGET, 's' }, { "mode", K_MODE, 'm' },
	{ "size", K_SIZE, 'u' }, { "parents", K_PARENTS, 'b' },
	{ "recursive", K_RECURSIVE, 'b' }, { "force", K_FORCE, 'b' },
	{ "noreplace", K_NOREPLACE, 'b' }, { "atime", K_ATIME, 'u' },
	{ "mtime", K_MTIME, 'u' },
};

struct fs_op {
	const char *name;
	uint16_t type;
	unsigned int perm;
	unsigned int allowed, required;
};

static const struct fs_op fs_ops[] = {
	{ "mkdir", CRL_MSG_FS_MKDIR, CD_PERM_WRITE, K_PATH | K_MODE | K_PARENTS, K_PATH },
	{ "rm", CRL_MSG_FS_RM, CD_PERM_WRITE, K_PATH | K_RECURSIVE | K_FORCE, K_PATH },
	{ "rmdir", CRL_MSG_FS_RMDIR, CD_PERM_WRITE, K_PATH, K_PATH },
	{ "unlink", CRL_MSG_FS_UNLINK, CD_PERM_WRITE, K_PATH, K_PATH },
	{ "rename", CRL_MSG_FS_RENAME, CD_PERM_WRITE, K_PATH | K_PATH2 | K_NOREPLACE, K_PATH | K_PATH2 },
	{ "link", CRL_MSG_FS_LINK, CD_PERM_WRITE, K_PATH | K_PATH2, K_PATH | K_PATH2 },
	{ "symlink", CRL_MSG_FS_SYMLINK, CD_PERM_WRITE, K_PATH | K_TARGET, K_PATH | K_TARGET },
	{ "chmod", CRL_MSG_FS_CHMOD, CD_PERM_WRITE, K_PATH | K_MODE, K_PATH | K_MODE },
	{ "truncate", CRL_MSG_FS_TRUNCATE, CD_PERM_WRITE, K_PATH | K_SIZE, K_PATH | K_SIZE },
	{ "copy", CRL_MSG_FS_COPY, CD_PERM_WRITE, K_PATH | K_PATH2 | K_NOREPLACE, K_PATH | K_PATH2 },
	{ "utimes", CRL_MSG_FS_UTIMES, CD_PERM_WRITE, K_PATH | K_ATIME | K_MTIME, K_PATH },
	{ "stat", CRL_MSG_FS_STAT, CD_PERM_READ, K_PATH, K_PATH },
	{ "list", CRL_MSG_FS_LIST, CD_PERM_READ, K_PATH, 0 },
};

static const struct fs_op *fs_lookup(const char *op)
{
	for (size_t i = 0; i < sizeof(fs_ops) / sizeof(fs_ops[0]); i++)
		if (strcmp(fs_ops[i].name, op) == 0)
			return &fs_ops[i];
	return NULL;
}

unsigned int cd_api_fs_perm(const char *op)
{
	const struct fs_op *o = fs_lookup(op);

	return o ? o->perm : 0;
}

/* ------------------------------------------------------------ bodies */

/* The body as an object ({} when empty); NULL with why on error. */
static json_t *body_object(const struct cd_req *q, char *why, size_t len)
{
	json_error_t je;
	json_t *j;

	if (!q->blen)
		return json_object();
	j = json_loadb(q->body, q->blen, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		snprintf(why, len, "JSON: %s", je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(why, len, "JSON: body must be an object");
		return NULL;
	}
	return j;
}

/* Check j against allowed/required keys of body_keys. */
static int check_keys(json_t *j, unsigned int allowed, unsigned int required,
		      char *why, size_t len)
{
	const char *k;
	json_t *v;
	unsigned int seen = 0;

	json_object_foreach(j, k, v) {
		size_t i;
		for (i = 0; i < sizeof(body_keys) / sizeof(body_keys[0]); i++)
			if (strcmp(k, body_keys[i].name) == 0)
				break;
		if (i == sizeof(body_keys) / sizeof(body_keys[0]) ||
		    !(allowed & body_keys[i].bit)) {
			snprintf(why, len, "unknown key \"%.64s\"", k);
			return -1;
		}
		switch (body_keys[i].kind) {
		case 's':
			if (!json_is_string(v) || memchr(json_string_value(v), '\0',
							 json_string_length(v))) {
				snprintf(why, len, "\"%s\" must be a string", k);
				return -1;
			}
			break;
		case 'u':
			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				snprintf(why, len, "\"%s\" must be a non-negative integer", k);
				return -1;
			}
			break;
		case 'b':
			if (!json_is_boolean(v)) {
				snprintf(why, len, "\"%s\" must be true or false", k);
				return -1;
			}
			break;
		case 'm':
			if (!(json_is_integer(v) && json_integer_value(v) >= 0 &&
			      json_integer_value(v) <= 07777) && !json_is_string(v)) {
				snprintf(why, len, "\"mode\" must be an integer or an octal string");
				return -1;
			}
			if (json_is_string(v)) {
				const char *s = json_string_value(v);
				char *end;
				unsigned long m = strtoul(s, &end, 8);
				if (!*s || *end || m > 07777 || strspn(s, "01234567") != strlen(s)) {
					snprintf(why, len, "\"mode\" must be octal, at most 7777");
					return -1;
				}
			}
			break;
		}
		seen |= body_keys[i].bit;
	}
	if ((seen & required) != required) {
		for (size_t i = 0; i < sizeof(body_keys) / sizeof(body_keys[0]); i++)
			if ((required & body_keys[i].bit) && !(seen & body_keys[i].bit)) {
				snprintf(why, len, "\"%s\" is required", body_keys[i].name);
				break;
			}
		return -1;
	}
	return 0;
}

static const char *jstr(json_t *j, const char *k)
{
	return json_string_value(json_object_get(j, k));
}

static uint32_t jmode(json_t *j)
{
	json_t *v = json_object_get(j, "mode");

	if (json_is_string(v))
		return (uint32_t)strtoul(json_string_value(v), NULL, 8);
	return (uint32_t)json_integer_value(v);
}

/* ------------------------------------------------------------ helpers */

/* A helper call failed: answer, and forget a connection that broke. */
static cd_mhd_ret call_failed(struct MHD_Connection *conn, struct cd_req *q,
			      struct crl_client *c, int rc, int own)
{
	cd_mhd_ret ret = cd_respond_helper_error(conn, q, c, rc);

	if (!own && !c->remote_errno)
		cd_helper_broken(c);
	return ret;
}

static cd_mhd_ret no_helper(struct MHD_Connection *conn, struct cd_req *q,
			    const char *err)
{
	cd_audit_request(q, cd_route_name(q->route), NULL, NULL, EHOSTUNREACH);
	return cd_respond_error(conn, q, 503, "helper_unavailable", err);
}

static cd_mhd_ret ok_json(struct MHD_Connection *conn, struct cd_req *q,
			  json_t *j)
{
	return cd_respond_json(conn, q, 200, j ? j : json_pack("{s:b}", "ok", 1));
}

/* A string that may not be UTF-8 (file names, output): as a JSON string
 * when it is, else under key_b64 in base64. */
static void set_bytes(json_t *o, const char *key, const char *key_b64,
		      const void *p, size_t n)
{
	json_t *s = json_stringn(p, n);

	if (s) {
		json_object_set_new(o, key, s);
		return;
	}
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b = malloc(cap);
	if (!b)
		return;
	sodium_bin2base64(b, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
	json_object_set_new(o, key_b64, json_string(b));
	free(b);
}

static const char *type_name(uint32_t t)
{
	static const char *const names[] = {
		"unknown", "regular", "directory", "symlink", "fifo", "socket",
		"char-device", "block-device",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* ------------------------------------------------------------ fs */

static cd_mhd_ret run_fs(struct cd_server *s, struct MHD_Connection *conn,
			 struct cd_req *q, json_t *j)
{
	const struct fs_op *op = fs_lookup(q->fsop);
	struct crl_client *c;
	struct crl_enc e;
	struct crl_msg m;
	char why[256];
	uint32_t flags = 0;
	const char *path;
	int rc;

	if (!op)    /* the router checked the name already */
		return cd_respond_error(conn, q, 404, "not_found", "no such file operation");
	if (check_keys(j, op->allowed, op->required, why, sizeof(why)))
		return cd_respond_error(conn, q, 400, "bad_request", why);
	path = jstr(j, "path") ? jstr(j, "path") : ".";
	c = cd_helper_get(s, why, sizeof(why));
	if (!c)
		return no_helper(conn, q, why);
	crl_client_begin(c, &e, op->type);
	crl_put_str(&e, CRL_A_PROJECT, q->project);
	crl_put_str(&e, CRL_A_PATH, path);
	if (jstr(j, "path2"))
		crl_put_str(&e, CRL_A_PATH2, jstr(j, "path2"));
	if (jstr(j, "target"))
		crl_put_str(&e, CRL_A_TARGET, jstr(j, "target"));
	if (json_object_get(j, "mode"))
		crl_put_u32(&e, CRL_A_MODE, jmode(j));
	if (json_object_get(j, "size"))
		crl_put_u64(&e, CRL_A_SIZE, (uint64_t)json_integer_value(json_object_get(j, "size")));
	if (json_object_get(j, "atime"))
		crl_put_u64(&e, CRL_A_ATIME, (uint64_t)json_integer_value(json_object_get(j, "atime")));
	if (json_object_get(j, "mtime"))
		crl_put_u64(&e, CRL_A_MTIME, (uint64_t)json_integer_value(json_object_get(j, "mtime")));
	if (json_is_true(json_object_get(j, "parents")))
		flags |= CRL_FS_PARENTS;
	if (json_is_true(json_object_get(j, "recursive")))
		flags |= CRL_FS_RECURSIVE;
	if (json_is_true(json_object_get(j, "force")))
		flags |= CRL_FS_FORCE;
	if (json_is_true(json_object_get(j, "noreplace")))
		flags |= CRL_FS_NOREPLACE;
	if (flags)
		crl_put_u32(&e, CRL_A_FLAGS, flags);
	rc = cd_helper_call(c, &e, &m);
	cd_audit_request(q, op->name, path, jstr(j, "path2"),
			 rc < 0 ? (c->remote_errno ? c->remote_errno : EPIPE) : 0);
	if (rc < 0)
		return call_failed(conn, q, c, rc, 0);
	if (op->type == CRL_MSG_FS_STAT)
		return ok_json(conn, q, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"type", type_name(crl_msg_u32(&m, CRL_A_FILE_TYPE)),
			"mode", (json_int_t)crl_msg_u32(&m, CRL_A_MODE),
			"uid", (json_int_t)crl_msg_u32(&m, CRL_A_UID),
			"gid", (json_int_t)crl_msg_u32(&m, CRL_A_GID),
			"size", (json_int_t)crl_msg_u64(&m, CRL_A_SIZE),
			"nlink", (json_int_t)crl_msg_u32(&m, CRL_A_NLINK),
			"atime", (json_int_t)crl_msg_u64(&m, CRL_A_ATIME),
			"mtime", (json_int_t)crl_msg_u64(&m, CRL_A_MTIME),
			"ctime", (json_int_t)crl_msg_u64(&m, CRL_A_CTIME)));
	if (op->type == CRL_MSG_FS_LIST) {
		json_t *arr = json_array();
		for (;;) {
			struct crl_entry_hdr h;
			const char *name;
			size_t off = 0;
			int r;

			while ((r = crl_entries_next(&m, &off, &h, &name)) > 0) {
				json_t *o = json_pack("{s:s, s:I, s:I, s:I}",
					"type", type_name(h.type), "mode", (json_int_t)h.mode,
					"size", (json_int_t)h.size, "mtime", (json_int_t)h.mtime_ns);
				set_bytes(o, "name", "name_base64", name, strlen(name));
				json_array_append_new(arr, o);
			}
			if (r < 0 || !crl_client_reply_more(&m))
				break;
			if (crl_client_next(c, &m) < 0) {
				json_decref(arr);
				return call_failed(conn, q, c, -1, 0);
			}
		}
		return ok_json(conn, q, json_pack("{s:o}", "entries", arr));
	}
	return ok_json(conn, q, NULL);
}

/* ------------------------------------------------------------ lifecycle */

static int put_list(struct crl_enc *e, enum crl_attr_type a, json_t *arr,
		    char *why, size_t len)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) > CRL_LIST_MAX) {
		snprintf(why, len, "expected an array of at most %d strings", CRL_LIST_MAX);
		return -1;
	}
	crl_list_begin(e, a);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || memchr(json_string_value(v), '\0',
						 json_string_length(v))) {
			snprintf(why, len, "expected an array of strings");
			return -1;
		}
		crl_put_str(e, CRL_A_ITEM, json_string_value(v));
	}
	crl_list_end(e);
	return 0;
}

static int only_keys(json_t *j, const char *const *names, char *why, size_t len)
{
	const char *k;
	json_t *v;

	json_object_foreach(j, k, v) {
		int ok = 0;
		for (const char *const *n = names; *n; n++)
			if (strcmp(*n, k) == 0)
				ok = 1;
		if (!ok) {
			snprintf(why, len, "unknown key \"%.64s\"", k);
			return -1;
		}
	}
	return 0;
}

static cd_mhd_ret run_simple(struct cd_server *s, struct MHD_Connection *conn,
			     struct cd_req *q, json_t *j)
{
	static const char *const k_none[] = { NULL };
	static const char *const k_start[] = { "argv", NULL };
	static const char *const k_stop[] = { "grace", NULL };
	struct crl_client *c;
	struct crl_enc e;
	struct crl_msg m;
	char why[256];
	const char *op = cd_route_name(q->route);
	uint16_t type;
	int rc;

	switch (q->route) {
	case CD_R_CREATE: type = CRL_MSG_CREATE; rc = only_keys(j, k_none, why, sizeof(why)); break;
	case CD_R_STATUS: type = CRL_MSG_STATUS; rc = only_keys(j, k_none, why, sizeof(why)); break;
	case CD_R_START: type = CRL_MSG_START; rc = only_keys(j, k_start, why, sizeof(why)); break;
	default: type = CRL_MSG_STOP; rc = only_keys(j, k_stop, why, sizeof(why)); break;
	}
	if (rc)
		return cd_respond_error(conn, q, 400, "bad_request", why);
	if (json_object_get(j, "grace") &&
	    (!json_is_integer(json_object_get(j, "grace")) ||
	     json_integer_value(json_object_get(j, "grace")) < 0 ||
	     json_integer_value(json_object_get(j, "grace")) > 3600))
		return cd_respond_error(conn, q, 400, "bad_request", "\"grace\" must be 0..3600 seconds");
	c = cd_helper_get(s, why, sizeof(why));
	if (!c)
		return no_helper(conn, q, why);
	crl_client_begin(c, &e, type);
	crl_put_str(&e, CRL_A_PROJECT, q->project);
	if (json_object_get(j, "argv") &&
	    put_list(&e, CRL_A_ARGV, json_object_get(j, "argv"), why, sizeof(why)))
		return cd_respond_error(conn, q, 400, "bad_request", why);
	if (json_object_get(j, "grace"))
		crl_put_u32(&e, CRL_A_GRACE, (uint32_t)json_integer_value(json_object_get(j, "grace")));
	rc = cd_helper_call(c, &e, &m);
	cd_audit_request(q, op, NULL, NULL,
			 rc < 0 ? (c->remote_errno ? c->remote_errno : EPIPE) : 0);
	if (rc < 0)
		return call_failed(conn, q, c, rc, 0);
	switch (q->route) {
	case CD_R_CREATE:
		return cd_respond_json(conn, q, 200, json_pack("{s:s, s:I, s:I}",
			"project", q->project, "uid", (json_int_t)crl_msg_u32(&m, CRL_A_UID),
			"gid", (json_int_t)crl_msg_u32(&m, CRL_A_GID)));
	case CD_R_START:
		return ok_json(conn, q, json_pack("{s:s, s:I, s:I}", "project", q->project,
			"pid", (json_int_t)crl_msg_u32(&m, CRL_A_PID),
			"started", (json_int_t)crl_msg_u64(&m, CRL_A_STARTED)));
	case CD_R_STATUS:
		if (!crl_msg_u32(&m, CRL_A_RUNNING))
			return ok_json(conn, q, json_pack("{s:s, s:b}", "project", q->project,
							  "running", 0));
		return ok_json(conn, q, json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I}",
			"project", q->project, "running", 1,
			"pid", (json_int_t)crl_msg_u32(&m, CRL_A_PID),
			"started", (json_int_t)crl_msg_u64(&m, CRL_A_STARTED),
			"pids", (json_int_t)crl_msg_u32(&m, CRL_A_PIDS),
			"memory", (json_int_t)crl_msg_u64(&m, CRL_A_MEMORY),
			"cpu", (json_int_t)crl_msg_u64(&m, CRL_A_CPU)));
	default:
		return ok_json(conn, q, NULL);
	}
}

/* ------------------------------------------------------------ exec */

struct outbuf {
	char *p;
	size_t n, max;
	int truncated;
};

static void out_add(struct outbuf *o, const char *d, size_t n)
{
	size_t take = n;

	if (o->n + take > o->max) {
		take = o->max - o->n;
		o->truncated = 1;
	}
	if (!take)
		return;
	char *np = realloc(o->p, o->n + take + 1);
	if (!np) {
		o->truncated = 1;
		return;
	}
	o->p = np;
	memcpy(o->p + o->n, d, take);
	o->n += take;
}

/* Feed stdin, collect stdout and stderr until both end. */
static void exec_pump(int fds[3], const char *in, size_t inlen,
		      struct outbuf *out, struct outbuf *err)
{
	struct pollfd p[3];
	char buf[16384];
	size_t off = 0;

	if (!inlen) {
		close(fds[0]);
		fds[0] = -1;
	}
	for (;;) {
		nfds_t n = 0;
		int idx[3];

		for (int i = 0; i < 3; i++)
			if (fds[i] >= 0) {
				p[n].fd = fds[i];
				p[n].events = i == 0 ? POLLOUT : POLLIN;
				idx[n++] = i;
			}
		if (n == 0 || (n == 1 && fds[0] >= 0 && off >= inlen))
			break;
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (nfds_t k = 0; k < n; k++) {
			int i = idx[k];
			if (!p[k].revents)
				continue;
			if (i == 0) {
				ssize_t w = write(fds[0], in + off, inlen - off);
				if (w > 0)
					off += (size_t)w;
				if (w < 0 || off >= inlen) {
					close(fds[0]);
					fds[0] = -1;
				}
				continue;
			}
			ssize_t r = read(fds[i], buf, sizeof(buf));
			if (r > 0) {
				out_add(i == 1 ? out : err, buf, (size_t)r);
			} else if (r == 0 || errno != EINTR) {
				close(fds[i]);
				fds[i] = -1;
			}
		}
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Exec waits for the command (up to exec_timeout_max), so it does not run
 * on the libmicrohttpd thread, which serves other connections too: the
 * connection is suspended, a thread of its own talks to the helper on a
 * connection of its own, leaves the answer in q->exec_result and resumes
 * the connection; the access handler then queues the answer.  The thread
 * touches q for the last time before the resume (after it, the request
 * may complete and be freed).  At most exec_max run at once.
 */
struct exec_job {
	struct cd_server *s;
	struct MHD_Connection *conn;
	struct cd_req *q;
	json_t *j;                  /* the request body */
	uint32_t timeout;
	unsigned char *in;          /* stdin bytes (stdin or stdin_base64) */
	size_t inlen;
};

static unsigned int exec_running;

static json_t *exec_run(struct exec_job *x, unsigned int *status)
{
	struct cd_server *s = x->s;
	struct cd_req *q = x->q;
	json_t *j = x->j, *r;
	struct outbuf out = { NULL, 0, s->conf.exec_output_max, 0 };
	struct outbuf err = { NULL, 0, s->conf.exec_output_max, 0 };
	struct crl_client *c;
	struct crl_enc e;
	struct crl_msg m;
	char why[256];
	int fds[3] = { -1, -1, -1 };
	unsigned int nfd = 0;
	uint32_t ws;
	int rc;

	c = cd_helper_open(s, why, sizeof(why));
	if (!c) {
		cd_audit_request(q, "exec", NULL, NULL, EHOSTUNREACH);
		*status = 503;
		return cd_error_json("helper_unavailable", why);
	}
	crl_client_begin(c, &e, CRL_MSG_EXEC);
	crl_put_str(&e, CRL_A_PROJECT, q->project);
	if (put_list(&e, CRL_A_ARGV, json_object_get(j, "argv"), why, sizeof(why)) ||
	    (json_object_get(j, "env") &&
	     put_list(&e, CRL_A_ENV, json_object_get(j, "env"), why, sizeof(why)))) {
		cd_helper_close(c);
		*status = 400;
		return cd_error_json("bad_request", why);
	}
	if (json_object_get(j, "cwd"))
		crl_put_str(&e, CRL_A_CWD, jstr(j, "cwd"));
	crl_put_u32(&e, CRL_A_TIMEOUT, x->timeout);
	rc = cd_helper_call_fds(c, &e, &m, fds, 3, &nfd);
	if (rc == 0 && nfd != 3) {
		for (unsigned int i = 0; i < nfd; i++)
			close(fds[i]);
		snprintf(c->err, sizeof(c->err), "exec reply without three pipes");
		c->remote_errno = 0;
		rc = -EPROTO;
	}
	cd_audit_request(q, "exec", json_string_value(json_array_get(json_object_get(j, "argv"), 0)),
			 NULL, rc < 0 ? (c->remote_errno ? c->remote_errno : EPROTO) : 0);
	if (rc < 0) {
		r = cd_helper_error_json(c, status);
		cd_helper_close(c);
		return r;
	}
	exec_pump(fds, (const char *)x->in, x->inlen, &out, &err);
	rc = crl_client_next(c, &m);
	if (rc < 0 || !crl_msg_has(&m, CRL_A_EXIT)) {
		if (rc == 0) {
			c->remote_errno = 0;
			snprintf(c->err, sizeof(c->err), "exec: second reply without exit status");
		}
		r = cd_helper_error_json(c, status);
		cd_helper_close(c);
		free(out.p);
		free(err.p);
		return r;
	}
	ws = crl_msg_u32(&m, CRL_A_EXIT);
	cd_helper_close(c);
	r = json_object();
	json_object_set_new(r, "exit_code", WIFEXITED(ws) ? json_integer(WEXITSTATUS(ws)) : json_null());
	json_object_set_new(r, "signal", WIFSIGNALED(ws) ? json_integer(WTERMSIG(ws)) : json_null());
	set_bytes(r, "stdout", "stdout_base64", out.p ? out.p : "", out.n);
	set_bytes(r, "stderr", "stderr_base64", err.p ? err.p : "", err.n);
	json_object_set_new(r, "truncated", json_boolean(out.truncated || err.truncated));
	free(out.p);
	free(err.p);
	*status = 200;
	return r;
}

static void *exec_thread(void *arg)
{
	struct exec_job *x = arg;
	struct MHD_Connection *conn = x->conn;
	struct cd_req *q = x->q;
	unsigned int status = 500;
	json_t *r = exec_run(x, &status);

	if (!r) {
		status = 500;
		r = cd_error_json("internal", "out of memory");
	}
	json_decref(x->j);
	free(x->in);
	free(x);
	q->exec_status = status;
	q->exec_result = r;
	q->exec_busy = 0;
	__atomic_sub_fetch(&exec_running, 1, __ATOMIC_RELAXED);
	MHD_resume_connection(conn);    /* q is not ours after this */
	return NULL;
}

static cd_mhd_ret run_exec(struct cd_server *s, struct MHD_Connection *conn,
			   struct cd_req *q, json_t *j)
{
	static const char *const k_exec[] = { "argv", "env", "cwd", "stdin",
		"stdin_base64", "timeout", NULL };
	json_t *t = json_object_get(j, "timeout"), *in = json_object_get(j, "stdin");
	json_t *in64 = json_object_get(j, "stdin_base64");
	unsigned char *inbuf = NULL;
	size_t inlen = 0;
	struct exec_job *x;
	pthread_attr_t attr;
	pthread_t th;
	char why[256];

	if (only_keys(j, k_exec, why, sizeof(why)))
		return cd_respond_error(conn, q, 400, "bad_request", why);
	if (!json_is_array(json_object_get(j, "argv")) ||
	    json_array_size(json_object_get(j, "argv")) == 0)
		return cd_respond_error(conn, q, 400, "bad_request",
					"\"argv\" must be a non-empty array of strings");
	if (t && (!json_is_integer(t) || json_integer_value(t) <= 0 ||
		  json_integer_value(t) > (json_int_t)s->conf.exec_timeout_max)) {
		snprintf(why, sizeof(why), "\"timeout\" must be 1..%u seconds",
			 s->conf.exec_timeout_max);
		return cd_respond_error(conn, q, 400, "bad_request", why);
	}
	if ((in && !json_is_string(in)) || (in64 && !json_is_string(in64)) || (in && in64))
		return cd_respond_error(conn, q, 400, "bad_request",
					"\"stdin\" (text) or \"stdin_base64\" (bytes): one string");
	if (json_object_get(j, "cwd") && !json_is_string(json_object_get(j, "cwd")))
		return cd_respond_error(conn, q, 400, "bad_request", "\"cwd\" must be a string");
	if (in || in64) {
		const char *v = json_string_value(in ? in : in64), *end = NULL;
		size_t n = json_string_length(in ? in : in64);

		inbuf = malloc(n + 1);
		if (!inbuf)
			return cd_respond_error(conn, q, 503, "unavailable", "out of memory");
		if (in) {
			memcpy(inbuf, v, n);
			inlen = n;
		} else if (sodium_base642bin(inbuf, n + 1, v, n, NULL, &inlen, &end,
					     sodium_base64_VARIANT_ORIGINAL) != 0 || end != v + n) {
			free(inbuf);
			return cd_respond_error(conn, q, 400, "bad_request",
						"\"stdin_base64\" is not base64");
		}
	}
	if (__atomic_add_fetch(&exec_running, 1, __ATOMIC_RELAXED) > s->conf.exec_max) {
		__atomic_sub_fetch(&exec_running, 1, __ATOMIC_RELAXED);
		free(inbuf);
		return cd_respond_error(conn, q, 503, "unavailable", "too many commands running");
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		__atomic_sub_fetch(&exec_running, 1, __ATOMIC_RELAXED);
		free(inbuf);
		return cd_respond_error(conn, q, 503, "unavailable", "out of memory");
	}
	x->in = inbuf;              /* transferred */
	x->inlen = inlen;
	x->s = s;
	x->conn = conn;
	x->q = q;
	x->j = json_incref(j);
	x->timeout = t ? (uint32_t)json_integer_value(t) : s->conf.exec_timeout_max;
	q->exec_busy = 1;
	MHD_suspend_connection(conn);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, exec_thread, x) != 0) {
		pthread_attr_destroy(&attr);
		json_decref(x->j);
		free(x->in);
		free(x);
		q->exec_busy = 0;
		__atomic_sub_fetch(&exec_running, 1, __ATOMIC_RELAXED);
		q->exec_status = 503;
		q->exec_result = cd_error_json("unavailable", "cannot start a thread");
		MHD_resume_connection(conn);
		return MHD_YES;
	}
	pthread_attr_destroy(&attr);
	return MHD_YES;
}

cd_mhd_ret cd_api_run(struct cd_server *s, struct MHD_Connection *conn,
		      struct cd_req *q)
{
	char why[256];
	json_t *j = body_object(q, why, sizeof(why));
	cd_mhd_ret ret;

	if (!j)
		return cd_respond_error(conn, q, 400, "bad_request", why);
	switch (q->route) {
	case CD_R_FS:
		ret = run_fs(s, conn, q, j);
		break;
	case CD_R_EXEC:
		ret = run_exec(s, conn, q, j);
		break;
	default:
		ret = run_simple(s, conn, q, j);
		break;
	}
	json_decref(j);
	return ret;
}
