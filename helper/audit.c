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

void audit_conn(const struct conn *c, const char *op, const char *result,
		int err, const char *extra_key, const char *extra_val)
{
	char esc[CRL_ESCAPE_OUT_MAX];

	if (extra_key)
		syslog(LOG_NOTICE, "op=%s peer_uid=%u peer_pid=%d result=%s errno=%d %s=%s",
		       op, (unsigned int)c->peer_uid, (int)c->peer_pid, result,
		       err, extra_key, crl_escape_str(extra_val, esc));
	else
		syslog(LOG_NOTICE, "op=%s peer_uid=%u peer_pid=%d result=%s errno=%d",
		       op, (unsigned int)c->peer_uid, (int)c->peer_pid, result, err);
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
