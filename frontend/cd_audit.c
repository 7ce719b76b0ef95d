/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit lines of corrald: syslog LOG_AUTHPRIV, one line of key=value
 * fields per decision.  Every value that came from a client (paths,
 * claims) goes through crl_escape(); the token itself is never logged,
 * only the first 16 hex digits of SHA-256(jti) for correlation.
 *
 *   event=auth result=deny reason=R remote=A method=M endpoint=E [sub= prj= jti=]
 *   event=request endpoint=E op=O remote=A sub=S prj=P jti=H [path= path2=]
 *         result=ok|error errno=N status=S
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "common/escape.h"
#include "frontend/corrald.h"

void cd_audit_open(int log_stderr)
{
	tzset();
	openlog("corrald", LOG_PID | LOG_NDELAY | (log_stderr ? LOG_PERROR : 0),
		LOG_AUTHPRIV);
}

void cd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void cd_audit_auth_deny(const struct cd_req *q, const char *reason)
{
	char a[CRL_ESCAPE_OUT_MAX], b[CRL_ESCAPE_OUT_MAX];

	syslog(LOG_NOTICE, "event=auth result=deny reason=%s remote=%s method=%s "
	       "endpoint=%s sub=%s prj=%s jti=%s", reason, q->remote,
	       q->method, cd_route_name(q->route),
	       crl_escape_str(q->tok.sub[0] ? q->tok.sub : NULL, a),
	       crl_escape_str(q->tok.prj[0] ? q->tok.prj : NULL, b),
	       q->tok.jti_hash[0] ? q->tok.jti_hash : "-");
}

void cd_audit_request(const struct cd_req *q, const char *op,
		      const char *path, const char *path2, int err)
{
	char a[CRL_ESCAPE_OUT_MAX], b[CRL_ESCAPE_OUT_MAX];
	char c[CRL_ESCAPE_OUT_MAX], d[CRL_ESCAPE_OUT_MAX];

	syslog(LOG_NOTICE, "event=request endpoint=%s op=%s remote=%s sub=%s "
	       "prj=%s jti=%s path=%s path2=%s result=%s errno=%d",
	       cd_route_name(q->route), op, q->remote, crl_escape_str(q->tok.sub, a),
	       crl_escape_str(q->tok.prj, b), q->tok.jti_hash,
	       crl_escape_str(path, c), crl_escape_str(path2, d),
	       err ? "error" : "ok", err);
}
