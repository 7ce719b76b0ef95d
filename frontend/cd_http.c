/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmicrohttpd glue: route, authenticate, bound the body, dispatch.
 *
 * libmicrohttpd calls cd_http_access() first when a request's headers
 * are in (*con_cls == NULL), then once per chunk of body, then once with
 * *upload_data_size == 0 when the body is complete.  Everything that can
 * refuse a request (route, rate limits, token, project, permission,
 * Content-Length) is decided on the first call, before a byte of body is
 * read; a refusal is queued at once and libmicrohttpd closes the
 * connection after it instead of reading the body.
 *
 * URLs are not unescaped by libmicrohttpd (cd_http_unescape is the
 * identity): we decode the path segments ourselves so that "%00" and
 * broken escapes are a 400 instead of a silently shortened path.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "frontend/corrald.h"

uint64_t cd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t cd_http_unescape(void *cls, struct MHD_Connection *c, char *uri)
{
	(void)cls;
	(void)c;
	return strlen(uri);
}

/* ------------------------------------------------------------ responses */

cd_mhd_ret cd_respond(struct MHD_Connection *conn, struct cd_req *q,
		      unsigned int status, struct MHD_Response *r)
{
	cd_mhd_ret ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	q->status = status;
	q->responded = 1;
	return ret;
}

cd_mhd_ret cd_respond_json(struct MHD_Connection *conn, struct cd_req *q,
			   unsigned int status, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct MHD_Response *r;
	size_t n;

	json_decref(j);
	if (!text)
		return MHD_NO;
	n = strlen(text);
	text[n] = '\0';
	r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	return cd_respond(conn, q, status, r);
}

cd_mhd_ret cd_respond_error(struct MHD_Connection *conn, struct cd_req *q,
			    unsigned int status, const char *code,
			    const char *message)
{
	return cd_respond_json(conn, q, status, cd_error_json(code, message));
}

static const struct {
	int err;
	unsigned int status;
	const char *code;
} errmap[] = {
	{ ENOENT, 404, "not_found" }, { ESRCH, 404, "not_found" },
	{ EEXIST, 409, "conflict" }, { ENOTEMPTY, 409, "conflict" },
	{ EBUSY, 409, "conflict" }, { EALREADY, 409, "conflict" },
	{ EACCES, 403, "forbidden" }, { EPERM, 403, "forbidden" },
	{ EROFS, 403, "forbidden" },
	{ ENOSPC, 507, "insufficient_storage" }, { EDQUOT, 507, "insufficient_storage" },
	{ EFBIG, 413, "payload_too_large" },
	{ EAGAIN, 503, "unavailable" }, { EMFILE, 503, "unavailable" },
	{ ENFILE, 503, "unavailable" }, { ENOMEM, 503, "unavailable" },
	{ ETIMEDOUT, 504, "timeout" }, { ENOSYS, 501, "not_implemented" },
	{ EOPNOTSUPP, 501, "not_implemented" },
};

json_t *cd_error_json(const char *code, const char *message)
{
	json_t *j = json_pack("{s:s, s:s?}", "error", code, "message", message);

	/* a message that is not valid UTF-8 (it came from elsewhere) */
	if (!j)
		j = json_pack("{s:s, s:s}", "error", code, "message", "(not shown)");
	return j;
}

json_t *cd_helper_error_json(const struct crl_client *c, unsigned int *status)
{
	char msg[512];
	int e = c ? c->remote_errno : 0;

	if (!c || !e) {
		/* failed on our side of the socket: the helper is gone */
		snprintf(msg, sizeof(msg), "helper unavailable: %s",
			 c ? c->err : "no connection");
		*status = 503;
		return cd_error_json("helper_unavailable", msg);
	}
	if (c->err[0] && strcmp(c->err, strerror(e)) != 0)
		snprintf(msg, sizeof(msg), "%s (%s)", strerror(e), c->err);
	else
		snprintf(msg, sizeof(msg), "%s", strerror(e));
	for (size_t i = 0; i < sizeof(errmap) / sizeof(errmap[0]); i++)
		if (errmap[i].err == e) {
			*status = errmap[i].status;
			return cd_error_json(errmap[i].code, msg);
		}
	/* EINVAL, ENAMETOOLONG, ELOOP, ENOTDIR, EISDIR, EXDEV, EBADMSG ...:
	 * the request was wrong */
	*status = 400;
	return cd_error_json("bad_request", msg);
}

cd_mhd_ret cd_respond_helper_error(struct MHD_Connection *conn,
				   struct cd_req *q, const struct crl_client *c,
				   int rc)
{
	unsigned int status;
	json_t *j = cd_helper_error_json(c, &status);

	(void)rc;
	return cd_respond_json(conn, q, status, j);
}

/* ------------------------------------------------------------ routing */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode one path piece; NUL and broken escapes refused. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
		    (lo = hexval(s[i + 2])) < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*o = '\0';
	return out;
}

static int project_id_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > CD_PRJ_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return 0;
	return 1;
}

/* Fill q->route and friends from method and url.  Returns 0, or the
 * HTTP status to refuse with (400, 404, 405). */
static unsigned int route(struct cd_req *q, const char *method, const char *url)
{
	static const char prefix[] = "/v1/projects/";
	const char *p, *slash, *rest;
	char *id;

	if (strcmp(url, "/healthz") == 0) {
		q->route = CD_R_HEALTHZ;
		return strcmp(method, "GET") == 0 ? 0 : 405;
	}
	if (strcmp(url, "/metrics") == 0) {
		q->route = CD_R_METRICS;
		return strcmp(method, "GET") == 0 ? 0 : 405;
	}
	if (strncmp(url, prefix, sizeof(prefix) - 1) != 0)
		return 404;
	p = url + sizeof(prefix) - 1;
	slash = strchr(p, '/');
	id = pct_decode(p, slash ? (size_t)(slash - p) : strlen(p));
	if (!id)
		return 400;
	if (!project_id_ok(id)) {
		free(id);
		return 400;
	}
	snprintf(q->project, sizeof(q->project), "%s", id);
	free(id);
	if (!slash) {
		if (strcmp(method, "PUT") == 0)
			q->route = CD_R_CREATE;
		else if (strcmp(method, "GET") == 0)
			q->route = CD_R_STATUS;
		else
			return 405;
		return 0;
	}
	rest = slash + 1;
	if (strcmp(rest, "start") == 0)
		q->route = CD_R_START;
	else if (strcmp(rest, "stop") == 0)
		q->route = CD_R_STOP;
	else if (strcmp(rest, "exec") == 0)
		q->route = CD_R_EXEC;
	if (q->route != CD_R_NONE)
		return strcmp(method, "POST") == 0 ? 0 : 405;
	if (strncmp(rest, "fs/", 3) == 0) {
		if (strlen(rest + 3) >= sizeof(q->fsop) || !cd_api_fs_perm(rest + 3))
			return 404;
		snprintf(q->fsop, sizeof(q->fsop), "%s", rest + 3);
		q->route = CD_R_FS;
		return strcmp(method, "POST") == 0 ? 0 : 405;
	}
	if (strncmp(rest, "files/", 6) == 0) {
		q->path = pct_decode(rest + 6, strlen(rest + 6));
		if (!q->path || !q->path[0])
			return 400;
		if (strcmp(method, "GET") == 0)
			q->route = CD_R_DOWNLOAD;
		else if (strcmp(method, "PUT") == 0)
			q->route = CD_R_UPLOAD;
		else
			return 405;
		return 0;
	}
	return 404;
}

static unsigned int route_perm(const struct cd_req *q)
{
	switch (q->route) {
	case CD_R_CREATE: return CD_PERM_CREATE;
	case CD_R_START: return CD_PERM_START;
	case CD_R_STOP: return CD_PERM_STOP;
	case CD_R_EXEC: return CD_PERM_EXEC;
	case CD_R_FS: return cd_api_fs_perm(q->fsop);
	case CD_R_DOWNLOAD: return CD_PERM_READ;
	case CD_R_UPLOAD: return CD_PERM_WRITE;
	default: return 0;      /* status: any valid token for the project */
	}
}

/* ------------------------------------------------------------ auth */

static cd_mhd_ret refuse(struct MHD_Connection *conn, struct cd_req *q,
			 unsigned int status, const char *reason,
			 const char *message, unsigned int retry_after)
{
	struct MHD_Response *r;
	json_t *j;
	char *text, ra[16];

	cd_audit_auth_deny(q, reason);
	cd_metrics_auth_failure(reason);
	j = json_pack("{s:s, s:s}", "error",
		      status == 429 ? "rate_limited" : status == 403 ? "forbidden" :
		      status == 503 ? "unavailable" : "unauthorized", "message", message);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (status == 401)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
	if (retry_after) {
		snprintf(ra, sizeof(ra), "%u", retry_after);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	return cd_respond(conn, q, status, r);
}

/* 0: authenticated and allowed; otherwise a refusal was queued. */
static int authenticate(struct cd_server *s, struct MHD_Connection *conn,
			struct cd_req *q, cd_mhd_ret *ret)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	enum cd_jwt_err e;
	unsigned int wait, need;
	char rkey[80];

	if (!h || strncmp(h, "Bearer ", 7) != 0) {
		*ret = refuse(conn, q, 401, "missing", "Authorization: Bearer token required", 0);
		return 1;
	}
	h += 7;
	e = cd_jwt_verify(&s->jwt, h, strlen(h), time(NULL), &q->tok);
	if (e != CD_JWT_OK) {
		*ret = refuse(conn, q, e == CD_JWT_REPLAY_FULL ? 503 : 401,
			      cd_jwt_reason(e), "invalid token", 0);
		return 1;
	}
	snprintf(rkey, sizeof(rkey), "t:%s", q->tok.jti_hash);
	wait = cd_rate_take(s->rate_token, rkey, cd_now_ns());
	if (wait) {
		*ret = refuse(conn, q, 429, "rate_limited_token",
			      "too many requests with this token", wait);
		return 1;
	}
	/* a token for one project never acts on another */
	if (strcmp(q->tok.prj, q->project) != 0) {
		*ret = refuse(conn, q, 403, "wrong_project",
			      "token is not for this project", 0);
		return 1;
	}
	need = route_perm(q);
	if (need && !(q->tok.perms & need)) {
		char msg[64];
		snprintf(msg, sizeof(msg), "token lacks permission '%s'", cd_perm_name(need));
		*ret = refuse(conn, q, 403, "missing_permission", msg, 0);
		return 1;
	}
	q->authed = 1;
	return 0;
}

/* ------------------------------------------------------------ handler */

static void remote_of(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "unix");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)len);
}

static cd_mhd_ret serve_plain(struct cd_server *s, struct MHD_Connection *conn,
			      struct cd_req *q)
{
	struct crl_client *c;
	struct crl_enc e;
	struct crl_msg m;
	char err[256];
	long running = -1;

	c = cd_helper_get(s, err, sizeof(err));
	if (q->route == CD_R_HEALTHZ) {
		int r = -1;
		if (c) {
			crl_client_begin(c, &e, CRL_MSG_PING);
			r = cd_helper_call(c, &e, &m);
			if (r < 0 && !c->remote_errno)
				cd_helper_broken(c);
		}
		if (r < 0)
			return cd_respond_error(conn, q, 503, "helper_unavailable",
						"the helper does not answer");
		return cd_respond_json(conn, q, 200, json_pack("{s:s}", "status", "ok"));
	}
	/* metrics: the running projects come from the helper's list */
	if (c) {
		crl_client_begin(c, &e, CRL_MSG_LIST);
		if (cd_helper_call(c, &e, &m) == 0) {
			struct crl_list l;
			running = crl_msg_list(&m, CRL_A_PROJECTS, &l);
			while (crl_client_reply_more(&m)) {
				if (crl_client_next(c, &m) < 0) {
					running = -1;
					cd_helper_broken(c);
					break;
				}
				running += crl_msg_list(&m, CRL_A_PROJECTS, &l);
			}
		} else if (!c->remote_errno) {
			cd_helper_broken(c);
		}
	}
	char *text = cd_metrics_render(running);
	struct MHD_Response *r;

	if (!text)
		return cd_respond_error(conn, q, 500, "internal", "out of memory");
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
	return cd_respond(conn, q, 200, r);
}

/* Content-Length, or -1 when absent (chunked), -2 when malformed. */
static long long content_length(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	long long n;

	if (!v)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 0 || end == v)
		return -2;
	return n;
}

static cd_mhd_ret first_call(struct cd_server *s, struct MHD_Connection *conn,
			     struct cd_req *q, const char *url)
{
	unsigned int st = route(q, q->method, url), wait;
	long long cl;
	cd_mhd_ret ret;

	/* first of all, whatever the request: the address limit */
	wait = cd_rate_take(s->rate_addr, q->remote, cd_now_ns());
	if (wait)
		return refuse(conn, q, 429, "rate_limited_address",
			      "too many requests from this address", wait);
	if (st)
		return cd_respond_error(conn, q, st,
					st == 404 ? "not_found" : st == 405 ?
					"method_not_allowed" : "bad_request",
					st == 404 ? "no such endpoint" : st == 405 ?
					"method not allowed here" : "malformed URL");
	if (q->route == CD_R_HEALTHZ || q->route == CD_R_METRICS)
		return MHD_YES;     /* answered when the (empty) body is in */
	if (authenticate(s, conn, q, &ret))
		return ret;
	cl = content_length(conn);
	if (cl == -2)
		return cd_respond_error(conn, q, 400, "bad_request", "bad Content-Length");
	if (q->route == CD_R_UPLOAD) {
		if (cl >= 0 && (unsigned long long)cl > s->conf.max_body)
			return cd_respond_error(conn, q, 413, "payload_too_large",
						"upload larger than the limit");
		if (cd_xfer_upload_begin(s, conn, q, &ret))
			return ret;
		return MHD_YES;
	}
	if (cl > (long long)s->conf.max_json)
		return cd_respond_error(conn, q, 413, "payload_too_large",
					"request body larger than the limit");
	return MHD_YES;
}

cd_mhd_ret cd_http_access(void *cls, struct MHD_Connection *conn,
			  const char *url, const char *method,
			  const char *version, const char *upload_data,
			  size_t *upload_data_size, void **con_cls)
{
	struct cd_server *s = cls;
	struct cd_req *q = *con_cls;

	(void)version;
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return MHD_NO;
		q->t0_ns = cd_now_ns();
		q->method = method;
		q->up_fd = -1;
		remote_of(conn, q->remote, sizeof(q->remote));
		*con_cls = q;
		return first_call(s, conn, q, url);
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		uint64_t limit = q->route == CD_R_UPLOAD ? s->conf.max_body : s->conf.max_json;

		*upload_data_size = 0;
		if (q->responded)
			return MHD_YES;     /* refused already: drop the rest */
		if (q->too_big) {
			q->up_bytes += n;
			/* keep reading to be able to say 413, within reason */
			return q->up_bytes - limit > CD_DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		if (q->route == CD_R_UPLOAD) {
			cd_xfer_upload_data(s, q, upload_data, n);
			if (q->up_bytes > limit) {
				q->too_big = 1;
				cd_xfer_upload_abort(q);
			}
			return MHD_YES;
		}
		if (q->blen + n > limit) {
			q->too_big = 1;
			q->up_bytes = q->blen + n;
			return MHD_YES;
		}
		char *nb = realloc(q->body, q->blen + n + 1);
		if (!nb)
			return MHD_NO;
		q->body = nb;
		memcpy(q->body + q->blen, upload_data, n);
		q->blen += n;
		q->body[q->blen] = '\0';
		return MHD_YES;
	}
	if (q->exec_result) {
		/* a suspended exec finished (cd_api.c) */
		json_t *r = q->exec_result;
		q->exec_result = NULL;
		return cd_respond_json(conn, q, q->exec_status, r);
	}
	if (q->exec_busy)
		return MHD_YES;     /* not ours to answer yet */
	if (q->responded)
		return MHD_YES;
	if (q->too_big)
		return cd_respond_error(conn, q, 413, "payload_too_large",
					q->route == CD_R_UPLOAD ? "upload larger than the limit" :
					"request body larger than the limit");
	switch (q->route) {
	case CD_R_HEALTHZ:
	case CD_R_METRICS:
		return serve_plain(s, conn, q);
	case CD_R_UPLOAD:
		return cd_xfer_upload_end(s, conn, q);
	case CD_R_DOWNLOAD:
		return cd_xfer_download(s, conn, q);
	default:
		return cd_api_run(s, conn, q);
	}
}

void cd_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		       enum MHD_RequestTerminationCode toe)
{
	struct cd_req *q = *con_cls;

	(void)cls;
	(void)conn;
	if (!q)
		return;
	if (q->up) {
		/* the client went away (or the server stops) mid-upload */
		cd_xfer_upload_abort(q);
	}
	cd_metrics_request(q->route, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ?
			   q->status : 0, cd_now_ns() - q->t0_ns);
	json_decref(q->exec_result);
	free(q->body);
	free(q->path);
	free(q);
	*con_cls = NULL;
}
