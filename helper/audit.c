/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit lines: one syslog line per decision, LOG_AUTHPRIV, key=value
 * fields.  Anything that came from a request is passed through crl_escape()
 * so that it can neither forge a field nor carry control characters.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "common/escape.h"
#include "helper/helper.h"

void audit_open(int log_stderr)
{
	/* connect now, while socket() is still unrestricted; glibc reads the
	 * time zone once here instead of on the first line */
	tzset();
	openlog("corral-helper", LOG_PID | LOG_NDELAY | (log_stderr ? LOG_PERROR : 0),
		LOG_AUTHPRIV);
}

void audit_peer(uid_t uid, pid_t pid, const char *op, const char *result,
		int err, const char *detail)
{
	char esc[CRL_ESCAPE_OUT_MAX];

	syslog(LOG_NOTICE, "op=%s peer_uid=%u peer_pid=%d result=%s errno=%d detail=%s",
	       op, (unsigned int)uid, (int)pid, result, err,
	       crl_escape_str(detail, esc));
}

/* Room for every field of struct audit_rec, each escaped at its longest. */
#define AUDIT_LINE_MAX (5 * CRL_ESCAPE_OUT_MAX + 256)

struct line {
	char buf[AUDIT_LINE_MAX];
	size_t len;
};

static void add_raw(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_raw(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
}

/* key=value with the value escaped; a NULL value leaves the field out. */
static void add_esc(struct line *l, const char *key, const char *val)
{
	char esc[CRL_ESCAPE_OUT_MAX];

	if (key && val)
		add_raw(l, " %s=%s", key, crl_escape_str(val, esc));
}

/*
 * One line per request: op, peer, then project, path, path2 when the
 * request had them, result, errno, duration, and one extra field.  The
 * order is fixed so that a reader (or a test) can rely on it.
 */
void audit_request(const struct conn *c, const struct audit_rec *r)
{
	static struct line l;

	l.len = 0;
	add_raw(&l, "op=%s peer_uid=%u peer_pid=%d", r->op,
		(unsigned int)c->peer_uid, (int)c->peer_pid);
	add_esc(&l, "project", r->project);
	add_esc(&l, "path", r->path);
	add_esc(&l, "path2", r->path2);
	add_raw(&l, " result=%s errno=%d", r->result, r->err);
	if (r->duration_us >= 0)
		add_raw(&l, " duration_us=%lld", r->duration_us);
	if (r->key)             /* an absent extra value shows as "-" */
		add_esc(&l, r->key, r->val ? r->val : "-");
	syslog(LOG_NOTICE, "%s", l.buf);
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
	vsyslog(prio, fmt, ap);
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
