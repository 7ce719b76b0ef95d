/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corrald's connections to corral-helper.
 *
 * Each libmicrohttpd worker thread keeps one helper connection of its own
 * (thread-local, made on first use): requests on one thread are handled
 * one after the other, so a connection never carries two calls at once,
 * and no lock is needed.  The helper serves each connection in a process
 * of its own, so the threads do not wait for each other there either.
 * A connection that broke on our side is dropped and remade by the next
 * request.  Exec (which waits for the command) and upload (whose pending
 * replace lives on the connection, and which the helper discards when
 * that connection ends) get a connection of their own.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "frontend/corrald.h"

static __thread struct crl_client *tl_client;
static __thread int tl_broken;  /* tl_client is unusable: remake it */

struct crl_client *cd_helper_open(const struct cd_server *s, char *err,
				  size_t errlen)
{
	struct crl_client *c = malloc(sizeof(*c));
	int r;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (s->conf.helper_spawn)
		r = crl_client_spawn(c, s->conf.helper_spawn, s->conf.helper_policy);
	else
		r = crl_client_connect(c, s->conf.helper_socket);
	if (r == 0)
		r = crl_client_hello(c, "corrald");
	if (r < 0) {
		snprintf(err, errlen, "helper: %s", c->err);
		cd_log(LOG_ERR, "event=helper result=error detail=\"cannot reach the helper\"");
		crl_client_close(c);
		free(c);
		return NULL;
	}
	return c;
}

void cd_helper_close(struct crl_client *c)
{
	if (!c)
		return;
	crl_client_close(c);
	free(c);
}

struct crl_client *cd_helper_get(const struct cd_server *s, char *err,
				 size_t errlen)
{
	if (tl_client && tl_broken) {
		cd_helper_close(tl_client);
		tl_client = NULL;
	}
	tl_broken = 0;
	if (!tl_client)
		tl_client = cd_helper_open(s, err, errlen);
	return tl_client;
}

void cd_helper_broken(struct crl_client *c)
{
	if (c == tl_client)
		tl_broken = 1;
}

int cd_helper_call_fds(struct crl_client *c, struct crl_enc *e,
		       struct crl_msg *m, int *fds, unsigned int max,
		       unsigned int *n)
{
	uint64_t t0 = cd_now_ns();
	int r = crl_client_call_fds(c, e, m, fds, max, n);

	cd_metrics_helper(cd_now_ns() - t0, r < 0 && !c->remote_errno);
	/* broken on our side, or refused as a request type the helper does
	 * not serve, after which it ends the connection */
	if (r < 0 && (!c->remote_errno || c->remote_errno == EOPNOTSUPP))
		cd_helper_broken(c);
	return r;
}

int cd_helper_call(struct crl_client *c, struct crl_enc *e, struct crl_msg *m)
{
	return cd_helper_call_fds(c, e, m, NULL, 0, NULL);
}
