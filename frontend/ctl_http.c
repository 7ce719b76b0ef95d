/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl --url URL --token-file FILE COMMAND: the same commands, spoken
 * to corrald over HTTP instead of to the helper.
 *
 * URL: http://HOST:PORT (HOST an IPv4 address, a name, or [IPv6]) or
 * unix:/PATH for corrald's Unix socket.  The client is deliberately
 * minimal: one HTTP/1.0 request per connection (so the response is never
 * chunked and ends at EOF), bodies sent with Content-Length, no TLS (put
 * corrald behind a TLS terminator, or use the Unix socket).  libcurl would
 * do more, but corralctl needs none of it and stays free of a large
 * dependency that the helper host does not otherwise need.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "common/escape.h"
#include "frontend/ctl_fs.h"
#include "frontend/ctl_parse.h"

#define RESP_MAX (64u << 20)    /* JSON answers kept in memory */

struct http_resp {
	unsigned int status;
	char *body;                 /* NUL-terminated; NULL when streamed */
	size_t len;
};

/* ------------------------------------------------------------ transport */

static int http_connect(const char *url, char *host, size_t hostlen)
{
	int fd;

	if (strncmp(url, "unix:", 5) == 0) {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(url + 5) >= sizeof(sa.sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(sa.sun_path, url + 5);
		snprintf(host, hostlen, "localhost");
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		return fd;
	}
	if (strncmp(url, "http://", 7) == 0) {
		const char *h = url + 7, *end = h + strcspn(h, "/");
		char name[256], port[16] = "80";
		const char *colon;
		struct addrinfo hints, *res, *ai;

		if ((size_t)(end - h) >= sizeof(name) || end == h) {
			errno = EINVAL;
			return -1;
		}
		snprintf(host, hostlen, "%.*s", (int)(end - h), h);
		memcpy(name, h, (size_t)(end - h));
		name[end - h] = '\0';
		colon = strrchr(name, ':');
		if (colon && !strchr(colon, ']')) {
			snprintf(port, sizeof(port), "%s", colon + 1);
			name[colon - name] = '\0';
		}
		if (name[0] == '[') {
			size_t n = strlen(name);
			if (n < 2 || name[n - 1] != ']') {
				errno = EINVAL;
				return -1;
			}
			memmove(name, name + 1, n - 2);
			name[n - 2] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(name, port, &hints, &res) != 0) {
			errno = EHOSTUNREACH;
			return -1;
		}
		fd = -1;
		for (ai = res; ai; ai = ai->ai_next) {
			fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0)
				continue;
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			close(fd);
			fd = -1;
		}
		freeaddrinfo(res);
		return fd;
	}
	errno = EPROTONOSUPPORT;
	return -1;
}

static int send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Percent-encode a file path for the URL ('/' kept). */
static char *url_path(const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(p) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/*
 * One request.  The body is either body/blen, or (body_fd >= 0) body_len
 * bytes read from body_fd.  A 2xx response body goes to out_fd when
 * out_fd >= 0, else into r->body (as does every error body).
 */
static int http_request(const struct ctl *t, const char *method, const char *path,
			const char *ctype, const char *body, size_t blen,
			int body_fd, uint64_t body_len, int out_fd,
			struct http_resp *r, char *why, size_t whylen)
{
	char host[300], head[8192], buf[65536];
	size_t hl = 0;
	int fd, n;

	memset(r, 0, sizeof(*r));
	fd = http_connect(t->url, host, sizeof(host));
	if (fd < 0) {
		snprintf(why, whylen, "connect: %s", strerror(errno));
		return -1;
	}
	n = snprintf(head, sizeof(head), "%s %s HTTP/1.0\r\nHost: %s\r\n"
		     "User-Agent: corralctl/%s\r\n", method, path, host, PACKAGE_VERSION);
	if (t->token)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
			      "Authorization: Bearer %s\r\n", t->token);
	if (ctype)
		n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Type: %s\r\n", ctype);
	if (body || body_fd >= 0)
		n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Length: %llu\r\n",
			      (unsigned long long)(body_fd >= 0 ? body_len : blen));
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	if ((size_t)n >= sizeof(head)) {
		close(fd);
		snprintf(why, whylen, "request too long");
		return -1;
	}
	if (send_all(fd, head, (size_t)n) < 0 || (body && send_all(fd, body, blen) < 0))
		goto io;
	if (body_fd >= 0) {
		uint64_t left = body_len;
		while (left) {
			ssize_t got = read(body_fd, buf, left < sizeof(buf) ? left : sizeof(buf));
			if (got <= 0) {
				/* corrald answers early (413...): read that */
				if (got < 0 && errno == EINTR)
					continue;
				break;
			}
			if (send_all(fd, buf, (size_t)got) < 0)
				break;      /* the answer may already be there */
			left -= (uint64_t)got;
		}
	}
	/* headers */
	for (;;) {
		ssize_t got;
		char *end;

		if (hl >= sizeof(head) - 1) {
			snprintf(why, whylen, "response headers too long");
			goto fail;
		}
		got = recv(fd, head + hl, sizeof(head) - 1 - hl, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			snprintf(why, whylen, "connection closed before a response");
			goto fail;
		}
		hl += (size_t)got;
		head[hl] = '\0';
		end = strstr(head, "\r\n\r\n");
		if (!end)
			continue;
		if (sscanf(head, "HTTP/1.%*d %u", &r->status) != 1) {
			snprintf(why, whylen, "malformed response");
			goto fail;
		}
		size_t have = hl - (size_t)(end + 4 - head);
		int stream = out_fd >= 0 && r->status / 100 == 2;
		if (stream) {
			if (have && write(out_fd, end + 4, have) != (ssize_t)have) {
				snprintf(why, whylen, "write: %s", strerror(errno));
				goto fail;
			}
		} else {
			r->body = malloc(have + 1);
			if (!r->body)
				goto io;
			memcpy(r->body, end + 4, have);
			r->len = have;
			r->body[have] = '\0';
		}
		/* the rest, to EOF */
		for (;;) {
			got = recv(fd, buf, sizeof(buf), 0);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				goto io;
			if (got == 0)
				break;
			if (stream) {
				const char *p = buf;
				size_t left = (size_t)got;
				while (left) {
					ssize_t w = write(out_fd, p, left);
					if (w < 0) {
						snprintf(why, whylen, "write: %s", strerror(errno));
						goto fail;
					}
					p += w;
					left -= (size_t)w;
				}
				continue;
			}
			if (r->len + (size_t)got > RESP_MAX) {
				snprintf(why, whylen, "response too large");
				goto fail;
			}
			char *nb = realloc(r->body, r->len + (size_t)got + 1);
			if (!nb)
				goto io;
			r->body = nb;
			memcpy(r->body + r->len, buf, (size_t)got);
			r->len += (size_t)got;
			r->body[r->len] = '\0';
		}
		close(fd);
		return 0;
	}
io:
	snprintf(why, whylen, "%s", strerror(errno));
fail:
	close(fd);
	free(r->body);
	r->body = NULL;
	return -1;
}

/* The reason of a non-2xx answer: its "message" (escaped), else the
 * status. */
static const char *resp_reason(const struct http_resp *r, char *buf, size_t len)
{
	json_t *j = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(j, "message"));
	char esc[CRL_ESCAPE_OUT_MAX];

	if (m)
		snprintf(buf, len, "%s (HTTP %u)", crl_escape_text(m, esc), r->status);
	else
		snprintf(buf, len, "HTTP %u", r->status);
	json_decref(j);
	return buf;
}

/* The outcome of a file request over HTTP: 0 on a 2xx answer, else the
 * command's exit status, the reason printed (and the answer's body freed). */
static int fs_http_status(const struct fs *f, int rc, struct http_resp *r,
			  char *why, size_t whylen)
{
	if (rc < 0)
		return fs_fail_why(f, why);
	if (r->status / 100 == 2)
		return 0;
	fs_fail_why(f, resp_reason(r, why, whylen));
	free(r->body);
	return CTL_EXIT_FAIL;
}

/* A JSON call; on success *out holds the answer (caller decrefs). */
static int call_json(const struct ctl *t, const char *op, const char *object,
		     const char *method, const char *path, json_t *req, json_t **out)
{
	struct http_resp r;
	char why[600], *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	int rc;

	json_decref(req);
	rc = http_request(t, method, path, body ? "application/json" : NULL,
			  body, body ? strlen(body) : 0, -1, 0, -1, &r, why, sizeof(why));
	free(body);
	if (rc < 0)
		return ctl_fail(op, object, why);
	if (r.status / 100 != 2) {
		ctl_fail(op, object, resp_reason(&r, why, sizeof(why)));
		free(r.body);
		return CTL_EXIT_FAIL;
	}
	*out = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
	free(r.body);
	if (!*out)
		return ctl_fail(op, object, "answer is not JSON");
	return 0;
}

static char *project_path(const char *project, const char *suffix)
{
	char *p = url_path(project), *out;
	size_t n;

	if (!p)
		return NULL;
	n = strlen(p) + strlen(suffix) + 32;
	out = malloc(n);
	if (out)
		snprintf(out, n, "/v1/projects/%s%s", p, suffix);
	free(p);
	return out;
}

/* ------------------------------------------------------------ fs */

static const char *fs_http_op(enum crl_msg_type type)
{
	switch (type) {
	case CRL_MSG_FS_MKDIR: return "mkdir";
	case CRL_MSG_FS_RM: return "rm";
	case CRL_MSG_FS_RMDIR: return "rmdir";
	case CRL_MSG_FS_UNLINK: return "unlink";
	case CRL_MSG_FS_RENAME: return "rename";
	case CRL_MSG_FS_LINK: return "link";
	case CRL_MSG_FS_SYMLINK: return "symlink";
	case CRL_MSG_FS_CHMOD: return "chmod";
	case CRL_MSG_FS_TRUNCATE: return "truncate";
	case CRL_MSG_FS_COPY: return "copy";
	case CRL_MSG_FS_UTIMES: return "utimes";
	case CRL_MSG_FS_STAT: return "stat";
	case CRL_MSG_FS_LIST: return "list";
	default: return NULL;
	}
}

static json_t *fs_body(const struct fs *f)
{
	const struct fs_args *a = &f->a;
	json_t *j = json_object();

	if (a->path)
		json_object_set_new(j, "path", json_string(a->path));
	if (a->path2)
		json_object_set_new(j, "path2", json_string(a->path2));
	if (a->target)
		json_object_set_new(j, "target", json_string(a->target));
	if (a->has_mode)
		json_object_set_new(j, "mode", json_integer(a->mode));
	if (a->has_size)
		json_object_set_new(j, "size", json_integer((json_int_t)a->size));
	if (a->has_time) {
		json_object_set_new(j, "atime", json_integer((json_int_t)a->time_ns));
		json_object_set_new(j, "mtime", json_integer((json_int_t)a->time_ns));
	}
	if (a->flags & CRL_FS_PARENTS)
		json_object_set_new(j, "parents", json_true());
	if (a->flags & CRL_FS_RECURSIVE)
		json_object_set_new(j, "recursive", json_true());
	if (a->flags & CRL_FS_FORCE)
		json_object_set_new(j, "force", json_true());
	if (a->flags & CRL_FS_NOREPLACE)
		json_object_set_new(j, "noreplace", json_true());
	return j;
}

static int fs_http_data(struct fs *f, int put)
{
	char *p = url_path(f->a.path), *path, why[600];
	struct http_resp r;
	char tmpl[] = "/tmp/corralctl-put.XXXXXX";
	struct stat st;
	int in = 0, rc;
	size_t n;

	if (!p)
		return fs_fail_why(f, strerror(ENOMEM));
	n = strlen(p) + 64;
	path = project_path(f->project, "/files/");
	if (!path) {
		free(p);
		return fs_fail_why(f, strerror(ENOMEM));
	}
	char *full = malloc(strlen(path) + n);
	if (!full) {
		free(p);
		free(path);
		return fs_fail_why(f, strerror(ENOMEM));
	}
	if (put && f->a.has_mode)
		sprintf(full, "%s%s?mode=%o", path, p, f->a.mode);
	else
		sprintf(full, "%s%s", path, p);
	free(p);
	free(path);
	if (!put) {
		rc = http_request(f->t, "GET", full, NULL, NULL, 0, -1, 0, 1, &r, why, sizeof(why));
		free(full);
		goto done;
	}
	/* the length must be known first: a pipe is spooled to a file */
	if (fstat(0, &st) < 0 || !S_ISREG(st.st_mode)) {
		char buf[65536];
		ssize_t got;

		in = mkstemp(tmpl);
		if (in < 0) {
			free(full);
			return fs_fail_errno(f, errno, "spooling stdin");
		}
		unlink(tmpl);
		while ((got = read(0, buf, sizeof(buf))) != 0) {
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0 || write(in, buf, (size_t)got) != got) {
				close(in);
				free(full);
				return fs_fail_errno(f, errno, "spooling stdin");
			}
		}
		if (fstat(in, &st) < 0 || lseek(in, 0, SEEK_SET) < 0) {
			close(in);
			free(full);
			return fs_fail_errno(f, errno, "spooling stdin");
		}
	} else {
		off_t pos = lseek(0, 0, SEEK_CUR);

		if (pos > 0 && pos <= st.st_size)
			st.st_size -= pos;  /* what is left of a file on stdin */
	}
	rc = http_request(f->t, "PUT", full, "application/octet-stream", NULL, 0, in,
			  (uint64_t)st.st_size, -1, &r, why, sizeof(why));
	if (in != 0)
		close(in);
	free(full);
done:
	rc = fs_http_status(f, rc, &r, why, sizeof(why));
	if (rc == 0)
		free(r.body);
	return rc;
}

static void print_stat(json_t *j)
{
	char tb[3][CTL_TIME_BUF];

	printf("type: %s\nmode: %04llo\nuid: %lld\ngid: %lld\nsize: %lld\n"
	       "nlink: %lld\natime: %s\nmtime: %s\nctime: %s\n",
	       json_string_value(json_object_get(j, "type")),
	       (long long)json_integer_value(json_object_get(j, "mode")),
	       (long long)json_integer_value(json_object_get(j, "uid")),
	       (long long)json_integer_value(json_object_get(j, "gid")),
	       (long long)json_integer_value(json_object_get(j, "size")),
	       (long long)json_integer_value(json_object_get(j, "nlink")),
	       ctl_format_time((uint64_t)json_integer_value(json_object_get(j, "atime")), tb[0]),
	       ctl_format_time((uint64_t)json_integer_value(json_object_get(j, "mtime")), tb[1]),
	       ctl_format_time((uint64_t)json_integer_value(json_object_get(j, "ctime")), tb[2]));
}

static int cmp_name(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "name"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "name"));

	return strcmp(x ? x : "", y ? y : "");
}

static void print_list(json_t *j)
{
	json_t *arr = json_object_get(j, "entries"), *e;
	size_t n = json_array_size(arr), i;
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	char esc[CRL_ESCAPE_OUT_MAX], tb[CTL_TIME_BUF];

	if (!v)
		return;
	json_array_foreach(arr, i, e)
		v[i] = e;
	qsort(v, n, sizeof(*v), cmp_name);
	for (i = 0; i < n; i++) {
		const char *type = json_string_value(json_object_get(v[i], "type"));
		const char *name = json_string_value(json_object_get(v[i], "name"));
		char c = '?';

		if (type)
			c = !strcmp(type, "regular") ? 'f' : !strcmp(type, "directory") ? 'd' :
			    !strcmp(type, "symlink") ? 'l' : !strcmp(type, "fifo") ? 'p' :
			    !strcmp(type, "socket") ? 's' : !strcmp(type, "char-device") ? 'c' :
			    !strcmp(type, "block-device") ? 'b' : '?';
		printf("%c %04llo %lld %s %s\n", c,
		       (long long)json_integer_value(json_object_get(v[i], "mode")),
		       (long long)json_integer_value(json_object_get(v[i], "size")),
		       ctl_format_time((uint64_t)json_integer_value(json_object_get(v[i], "mtime")), tb),
		       name ? crl_escape_text(name, esc) :
		       json_string_value(json_object_get(v[i], "name_base64")));
	}
	free(v);
}

int ctl_http_fs(struct fs *f)
{
	const char *op = fs_http_op(f->type);
	char suffix[64], *path, why[600];
	json_t *out = NULL;
	struct http_resp r;
	int rc;

	if (f->type == CRL_MSG_FS_OPEN_READ)
		return fs_http_data(f, 0);
	if (f->type == CRL_MSG_FS_REPLACE)
		return fs_http_data(f, 1);
	if (!op)
		return fs_fail_why(f, "not available over HTTP");
	snprintf(suffix, sizeof(suffix), "/fs/%s", op);
	path = project_path(f->project, suffix);
	if (!path)
		return fs_fail_why(f, strerror(ENOMEM));
	json_t *req = fs_body(f);
	char *body = json_dumps(req, JSON_COMPACT);

	json_decref(req);
	rc = http_request(f->t, "POST", path, "application/json", body ? body : "{}",
			  body ? strlen(body) : 2, -1, 0, -1, &r, why, sizeof(why));
	if (rc == 0 && r.status == 404 && f->type == CRL_MSG_FS_UTIMES) {
		/* touch of a missing file: create it empty, then set times */
		char *p = url_path(f->a.path), *base = project_path(f->project, "/files/");
		char *full = p && base ? malloc(strlen(base) + strlen(p) + 1) : NULL;

		free(r.body);
		if (full) {
			sprintf(full, "%s%s", base, p);
			rc = http_request(f->t, "PUT", full, "application/octet-stream", "",
					  0, -1, 0, -1, &r, why, sizeof(why));
			if (rc == 0 && r.status / 100 == 2 && f->a.has_time && body) {
				free(r.body);
				rc = http_request(f->t, "POST", path, "application/json", body,
						  strlen(body), -1, 0, -1, &r, why, sizeof(why));
			}
		} else {
			rc = -1;
			snprintf(why, sizeof(why), "%s", strerror(ENOMEM));
		}
		free(full);
		free(p);
		free(base);
	}
	free(path);
	free(body);
	rc = fs_http_status(f, rc, &r, why, sizeof(why));
	if (rc)
		return rc;
	if (f->type == CRL_MSG_FS_STAT || f->type == CRL_MSG_FS_LIST) {
		out = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
		if (!out) {
			free(r.body);
			return fs_fail_why(f, "answer is not JSON");
		}
		if (f->type == CRL_MSG_FS_STAT)
			print_stat(out);
		else
			print_list(out);
		json_decref(out);
	}
	free(r.body);
	return 0;
}

/* ------------------------------------------------------------ commands */

static int usage_fail(const char *u)
{
	fprintf(stderr, "corralctl: usage: %s\n", u);
	return CTL_EXIT_USAGE;
}

static int http_ping(struct ctl *t)
{
	struct http_resp r;
	char why[600];

	if (http_request(t, "GET", "/healthz", NULL, NULL, 0, -1, 0, -1, &r, why, sizeof(why)) < 0)
		return ctl_fail("ping", t->url, why);
	if (r.status != 200) {
		ctl_fail("ping", t->url, resp_reason(&r, why, sizeof(why)));
		free(r.body);
		return CTL_EXIT_FAIL;
	}
	free(r.body);
	printf("corrald: %s ok\n", t->url);
	return 0;
}

static json_t *argv_array(char **v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static int http_simple(struct ctl *t, const char *cmd, const char *project,
		       const char *method, const char *suffix, json_t *req)
{
	char *path = project_path(project, suffix);
	json_t *out = NULL;
	int rc;

	if (!path)
		return ctl_fail(cmd, project, strerror(ENOMEM));
	rc = call_json(t, cmd, project, method, path, req, &out);
	free(path);
	if (rc)
		return rc;
	if (strcmp(cmd, "create") == 0) {
		printf("%lld\n", (long long)json_integer_value(json_object_get(out, "uid")));
	} else if (strcmp(cmd, "start") == 0) {
		printf("pid: %lld\n", (long long)json_integer_value(json_object_get(out, "pid")));
	} else if (strcmp(cmd, "status") == 0) {
		const char *k;
		json_t *v;
		json_object_foreach(out, k, v) {
			if (json_is_integer(v))
				printf("%s: %lld\n", k, (long long)json_integer_value(v));
			else if (json_is_boolean(v))
				printf("%s: %s\n", k, json_is_true(v) ? "yes" : "no");
			else if (json_is_string(v)) {
				char esc[CRL_ESCAPE_OUT_MAX];
				printf("%s: %s\n", k, crl_escape_text(json_string_value(v), esc));
			}
		}
	}
	json_decref(out);
	return 0;
}

static int write_field(json_t *out, const char *key, const char *key64, int fd)
{
	const char *s = json_string_value(json_object_get(out, key));
	size_t n;

	if (s) {
		n = json_string_length(json_object_get(out, key));
		return write(fd, s, n) == (ssize_t)n ? 0 : -1;
	}
	s = json_string_value(json_object_get(out, key64));
	if (!s)
		return 0;
	unsigned char *b = malloc(strlen(s));
	if (!b || sodium_base642bin(b, strlen(s), s, strlen(s), NULL, &n, NULL,
				    sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(b);
		return -1;
	}
	int rc = write(fd, b, n) == (ssize_t)n ? 0 : -1;
	free(b);
	return rc;
}

static int http_exec(struct ctl *t, int argc, char **argv)
{
	static const struct option o[] = {
		{ "tty", no_argument, NULL, 't' },
		{ "cwd", required_argument, NULL, 'c' },
		{ "env", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *env = json_array(), *req, *out = NULL;
	const char *cwd = NULL, *project;
	char *path, *in = NULL;
	size_t inlen = 0;
	int c, rc;

	/* as over the helper (ctl_life.c): PROJECT first, then the options,
	 * then "--" and the command; PROJECT stands in argv[0]'s place */
	if (argc < 2 || argv[1][0] == '-') {
		json_decref(env);
		return usage_fail("exec PROJECT [--cwd DIR] [--env K=V]... -- CMD [ARG...]");
	}
	project = argv[1];
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", o, NULL)) != -1) {
		if (c == 't') {
			json_decref(env);
			fprintf(stderr, "corralctl: exec: --tty is not available over HTTP\n");
			return CTL_EXIT_USAGE;
		}
		if (c == 'c')
			cwd = optarg;
		else if (c == 'e' && strchr(optarg, '='))
			json_array_append_new(env, json_string(optarg));
		else {
			json_decref(env);
			return usage_fail("exec PROJECT [--cwd DIR] [--env K=V]... -- CMD [ARG...]");
		}
	}
	if (argc - optind < 1) {
		json_decref(env);
		return usage_fail("exec PROJECT [--cwd DIR] [--env K=V]... -- CMD [ARG...]");
	}
	/* stdin goes along when it is not a terminal */
	if (!isatty(0)) {
		char buf[65536];
		ssize_t got;
		while ((got = read(0, buf, sizeof(buf))) > 0) {
			char *nb = realloc(in, inlen + (size_t)got + 1);
			if (!nb || inlen + (size_t)got > (16u << 20)) {
				free(nb ? nb : in);
				json_decref(env);
				return ctl_fail("exec", project, "stdin too large (16 MiB at most over HTTP)");
			}
			in = nb;
			memcpy(in + inlen, buf, (size_t)got);
			inlen += (size_t)got;
		}
	}
	req = json_pack("{s:o}", "argv", argv_array(argv + optind, argc - optind));
	if (json_array_size(env))
		json_object_set(req, "env", env);
	json_decref(env);
	if (cwd)
		json_object_set_new(req, "cwd", json_string(cwd));
	if (in) {
		/* text as it is; anything else as base64 */
		json_t *s = json_stringn(in, inlen);

		if (s) {
			json_object_set_new(req, "stdin", s);
		} else {
			size_t cap = sodium_base64_ENCODED_LEN(inlen, sodium_base64_VARIANT_ORIGINAL);
			char *b = malloc(cap);

			if (!b) {
				free(in);
				json_decref(req);
				return ctl_fail("exec", project, strerror(ENOMEM));
			}
			sodium_bin2base64(b, cap, (const unsigned char *)in, inlen,
					  sodium_base64_VARIANT_ORIGINAL);
			json_object_set_new(req, "stdin_base64", json_string(b));
			free(b);
		}
		free(in);
	}
	path = project_path(project, "/exec");
	rc = call_json(t, "exec", project, "POST", path, req, &out);
	free(path);
	if (rc)
		return rc;
	write_field(out, "stdout", "stdout_base64", 1);
	write_field(out, "stderr", "stderr_base64", 2);
	json_t *code = json_object_get(out, "exit_code"), *sig = json_object_get(out, "signal");
	rc = json_is_integer(code) ? (int)json_integer_value(code) :
	     json_is_integer(sig) ? 128 + (int)json_integer_value(sig) : CTL_EXIT_FAIL;
	json_decref(out);
	return rc;
}

int ctl_http_main(struct ctl *t, int argc, char **argv)
{
	const char *cmd = argv[0];
	char line[8192];
	FILE *f;

	if (!t->token_file && strcmp(cmd, "ping") != 0 && strcmp(cmd, "token") != 0) {
		fprintf(stderr, "corralctl: --url needs --token-file\n");
		return CTL_EXIT_USAGE;
	}
	if (t->token_file) {
		f = fopen(t->token_file, "re");
		if (!f || !fgets(line, sizeof(line), f)) {
			if (f)
				fclose(f);
			return ctl_fail("token", t->token_file, f ? "empty" : strerror(errno));
		}
		fclose(f);
		line[strcspn(line, " \t\r\n")] = '\0';
		if (!line[0] || strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-_.") != strlen(line))
			return ctl_fail("token", t->token_file, "not a token (JWT compact form)");
		t->token = strdup(line);
		sodium_memzero(line, sizeof(line));
	}
	if (strcmp(cmd, "ping") == 0)
		return argc == 1 ? http_ping(t) : usage_fail("ping");
	if (strcmp(cmd, "create") == 0)
		return argc == 2 ? http_simple(t, "create", argv[1], "PUT", "", NULL) :
		       usage_fail("create PROJECT");
	if (strcmp(cmd, "status") == 0) {
		if (argc != 2) {
			fprintf(stderr, "corralctl: status: over HTTP a PROJECT is required "
				"(tokens are per project)\n");
			return CTL_EXIT_USAGE;
		}
		return http_simple(t, "status", argv[1], "GET", "", NULL);
	}
	if (strcmp(cmd, "start") == 0) {
		if (argc < 2 || (argc > 2 && (strcmp(argv[2], "--") != 0 || argc == 3)))
			return usage_fail("start PROJECT [-- CMD [ARG...]]");
		return http_simple(t, "start", argv[1], "POST", "/start",
				   argc > 3 ? json_pack("{s:o}", "argv", argv_array(argv + 3, argc - 3)) :
				   json_object());
	}
	if (strcmp(cmd, "stop") == 0) {
		char *end;
		long g;
		if (argc == 2)
			return http_simple(t, "stop", argv[1], "POST", "/stop", json_object());
		if (argc == 4 && strcmp(argv[2], "--grace") == 0) {
			g = strtol(argv[3], &end, 10);
			if (*end || g < 0 || g > 3600)
				return usage_fail("stop PROJECT [--grace SECONDS]");
			return http_simple(t, "stop", argv[1], "POST", "/stop",
					   json_pack("{s:I}", "grace", (json_int_t)g));
		}
		return usage_fail("stop PROJECT [--grace SECONDS]");
	}
	if (strcmp(cmd, "exec") == 0)
		return http_exec(t, argc, argv);
	if (strcmp(cmd, "fs") == 0)
		return ctl_cmd_fs(t, argc, argv);
	if (strcmp(cmd, "token") == 0)
		return ctl_cmd_token(t, argc, argv);
	fprintf(stderr, "corralctl: unknown command: %s\n", cmd);
	return CTL_EXIT_USAGE;
}
