/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit lines: one syslog line per decision, LOG_AUTHPRIV, key=value
 * fields.  Anything that came from a request is passed through crl_escape()
 * so that it can neither forge a field nor carry control characters.
 */
#include "config.h"

#include <errno.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/escape.h"
#include "helper/helper.h"

/* Room for every field of struct audit_rec, each escaped at its longest. */
#define AUDIT_LINE_MAX (5 * CRL_ESCAPE_OUT_MAX + 256)

static int to_stderr;            /* --log-stderr */
static int syslog_up;            /* _PATH_LOG accepted a connection */
/* The stderr copy's prefix, "corral-helper[PID]: ", as glibc's
 * LOG_PERROR writes it; made again in each connection process. */
static char prefix[40];
static size_t prefix_len;

static void set_prefix(void)
{
	int n = snprintf(prefix, sizeof(prefix), "corral-helper[%d]: ",
			 (int)getpid());

	prefix_len = n > 0 && (size_t)n < sizeof(prefix) ? (size_t)n : 0;
}

/* Can syslog(3) deliver?  When nothing listens on _PATH_LOG, glibc tries
 * to connect again on every line (three system calls each time, and the
 * line is dropped anyway); the helper skips it instead.  Each connection
 * process asks again once, so a logging daemon started later is used. */
static int syslog_probe(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ok;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", _PATH_LOG);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ok = connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

void audit_open(int log_stderr)
{
	/* connect now, while socket() is still unrestricted; glibc reads the
	 * time zone once here instead of on the first line */
	tzset();
	to_stderr = log_stderr;
	set_prefix();
	openlog("corral-helper", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	syslog_up = syslog_probe();
	if (!syslog_up)
		fprintf(stderr, "corral-helper: warning: nothing listens on %s: "
			"audit lines %s\n", _PATH_LOG, log_stderr ?
			"go to standard error only" : "are lost");
}

void audit_reopen(void)
{
	set_prefix();
	if (!syslog_up)
		syslog_up = syslog_probe();
}

/* A line built by appending, without printf (this runs once per
 * request), behind room for the stderr copy's prefix; one byte is kept
 * for the NUL and one for the stderr copy's newline. */
struct line {
	char buf[sizeof(prefix) + AUDIT_LINE_MAX + 1];
	size_t len;
};

static void add_n(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - 2 - l->len;

	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void add_str(struct line *l, const char *s)
{
	add_n(l, s, strlen(s));
}

/* The prefix first: the line proper starts at l->buf + prefix_len. */
static void line_start(struct line *l)
{
	l->len = 0;
	add_n(l, prefix, prefix_len);
}

/* One line to syslog and, with --log-stderr, to stderr in one write(2), in
 * the form glibc's LOG_PERROR gives it. */
static void emit(int prio, struct line *l)
{
	if (syslog_up)
		syslog(prio, "%s", l->buf + prefix_len);
	if (!to_stderr)
		return;
	l->buf[l->len] = '\n';
	(void)!write(STDERR_FILENO, l->buf, l->len + 1);
	l->buf[l->len] = '\0';
}

static void emit_str(int prio, const char *text)
{
	static struct line l;

	line_start(&l);
	add_str(&l, text);
	emit(prio, &l);
}

void audit_peer(uid_t uid, pid_t pid, const char *op, const char *result,
		int err, const char *detail)
{
	char esc[CRL_ESCAPE_OUT_MAX], line[AUDIT_LINE_MAX];

	snprintf(line, sizeof(line), "op=%s peer_uid=%u peer_pid=%d result=%s "
		 "errno=%d detail=%s", op, (unsigned int)uid, (int)pid, result,
		 err, crl_escape_str(detail, esc));
	emit_str(LOG_NOTICE, line);
}

static void add_num(struct line *l, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
			       (unsigned long long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	add_str(l, p);
}

/* " key=value", the value escaped; a NULL value leaves the field out. */
static void add_esc(struct line *l, const char *key, const char *val)
{
	char esc[CRL_ESCAPE_OUT_MAX];
	size_t n;

	if (!key || !val)
		return;
	add_str(l, " ");
	add_str(l, key);
	add_str(l, "=");
	n = crl_escape_str_len(val, esc);
	add_n(l, esc, n);
}

/*
 * One line per request: op, peer, then project, path, path2 when the
 * request had them, result, errno, duration, and one extra field.  The
 * order is fixed so that a reader (or a test) can rely on it.
 */
void audit_request(const struct conn *c, const struct audit_rec *r)
{
	static struct line l;

	line_start(&l);
	add_str(&l, "op=");
	add_str(&l, r->op);
	add_str(&l, " peer_uid=");
	add_num(&l, (long long)c->peer_uid);
	add_str(&l, " peer_pid=");
	add_num(&l, (long long)c->peer_pid);
	add_esc(&l, "project", r->project);
	add_esc(&l, "path", r->path);
	add_esc(&l, "path2", r->path2);
	add_str(&l, " result=");
	add_str(&l, r->result);
	add_str(&l, " errno=");
	add_num(&l, r->err);
	if (r->duration_us >= 0) {
		add_str(&l, " duration_us=");
		add_num(&l, r->duration_us);
	}
	if (r->key)             /* an absent extra value shows as "-" */
		add_esc(&l, r->key, r->val ? r->val : "-");
	emit(LOG_NOTICE, &l);
}

void audit_conn(const struct conn *c, const char *op, const char *result,
		int err, const char *extra_key, const char *extra_val)
{
	struct audit_rec r = {
		.op = op, .result = result, .err = err, .duration_us = -1,
		.key = extra_key, .val = extra_val,
	};

	audit_request(c, &r);
}

static void vlog(int prio, const char *fmt, va_list ap)
{
	char line[AUDIT_LINE_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	emit_str(prio, line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}
