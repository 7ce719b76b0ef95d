/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/escape.h"
#include "frontend/client.h"

static int fail(struct crl_client *c, int err, const char *what)
{
	snprintf(c->err, sizeof(c->err), "%s: %s", what, strerror(err));
	return -err;
}

int crl_client_connect(struct crl_client *c, const char *path)
{
	struct sockaddr_un sa;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(c, ENAMETOOLONG, "socket path");
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(c, errno, "socket");
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(c->fd);
		c->fd = -1;
		return fail(c, e, "connect");
	}
	return 0;
}

int crl_client_spawn(struct crl_client *c, const char *helper,
		     const char *policy)
{
	int sv[2];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return fail(c, errno, "socketpair");
	c->child = fork();
	if (c->child < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return fail(c, e, "fork");
	}
	if (c->child == 0) {
		/* fd 3 is the helper's end; dup2 clears its close-on-exec */
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		if (policy)
			execl(helper, helper, "--fd", "3", "--policy", policy,
			      (char *)NULL);
		else
			execl(helper, helper, "--fd", "3", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	c->fd = sv[0];
	return 0;
}

void crl_client_begin(struct crl_client *c, struct crl_enc *e, uint16_t type)
{
	c->call_type = type;
	crl_enc_init(e, c->out, sizeof(c->out), type, c->next_id++);
}

/* Copy an error reply's message, escaped: it is shown on a terminal. */
static int error_reply(struct crl_client *c, const struct crl_msg *m)
{
	char esc[CRL_ESCAPE_OUT_MAX];
	uint32_t e = crl_msg_u32(m, CRL_A_ERRNO);

	snprintf(c->err, sizeof(c->err), "%s",
		 crl_escape_text(crl_msg_str(m, CRL_A_MESSAGE), esc));
	if (e == 0 || e > 4095)
		e = EPROTO;
	c->remote_errno = (int)e;
	return -(int)e;
}

static void close_fds(const int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
}

/* Decode a received frame and check that it answers the last call. */
static int check_reply(struct crl_client *c, size_t len, struct crl_msg *reply)
{
	int r = crl_decode_reply(c->in, len, reply);

	if (r != CRL_OK) {
		snprintf(c->err, sizeof(c->err), "bad reply: %s",
			 crl_proto_strerror(r));
		return -EBADMSG;
	}
	/* request id 0: the helper refused the connection or a frame before
	 * it could read a request id */
	if (crl_msg_is_error(reply) &&
	    (reply->request_id == c->call_id || reply->request_id == 0))
		return error_reply(c, reply);
	if (reply->request_id != c->call_id || reply->type != c->call_type) {
		snprintf(c->err, sizeof(c->err), "reply does not match the request");
		return -EPROTO;
	}
	return 0;
}

/*
 * Receive one reply to the last call.  Descriptors are taken only for a
 * reply that checks out; on any failure those that came are closed, so a
 * confused or hostile peer cannot make us leak them.
 */
static int recv_reply(struct crl_client *c, struct crl_msg *reply, int *fds,
		      unsigned int max_fds, unsigned int *nfds)
{
	int got[CRL_FDS_MAX];
	unsigned int ngot = 0;
	ssize_t n;
	int r;

	if (nfds)
		*nfds = 0;
	if (max_fds > CRL_FDS_MAX || (max_fds > 0 && (!fds || !nfds)))
		return fail(c, EINVAL, "receive");
	n = crl_recv_frame(c->fd, c->in, sizeof(c->in), got, max_fds, &ngot);
	/* the reset is reported first; a reply queued before it still
	 * follows */
	if (n == CRL_E_IO && errno == ECONNRESET)
		n = crl_recv_frame(c->fd, c->in, sizeof(c->in), got, max_fds,
				   &ngot);
	if (n == 0)
		return fail(c, ECONNRESET, "helper closed the connection");
	if (n < 0) {
		snprintf(c->err, sizeof(c->err), "receive: %s",
			 n == CRL_E_IO ? strerror(errno) : crl_proto_strerror((int)n));
		return n == CRL_E_IO ? -errno : -EBADMSG;
	}
	r = check_reply(c, (size_t)n, reply);
	if (r < 0) {
		close_fds(got, ngot);
		return r;
	}
	if (ngot > 0)
		memcpy(fds, got, ngot * sizeof(int));
	if (nfds)
		*nfds = ngot;
	return 0;
}

int crl_client_call_fds(struct crl_client *c, struct crl_enc *e,
			struct crl_msg *reply, int *fds, unsigned int max_fds,
			unsigned int *nfds)
{
	ssize_t n = crl_enc_finish(e);

	c->remote_errno = 0;
	c->call_id = (uint32_t)(c->next_id - 1);
	if (nfds)
		*nfds = 0;
	if (n < 0) {
		snprintf(c->err, sizeof(c->err), "request: %s",
			 crl_proto_strerror((int)n));
		return -EMSGSIZE;
	}
	/* A helper that refuses the connection replies and closes at once:
	 * the send may then fail, but the refusal is still there to read. */
	if (crl_send_frame(c->fd, c->out, (size_t)n, NULL, 0) < 0 &&
	    errno != EPIPE && errno != ECONNRESET)
		return fail(c, errno, "send");
	return recv_reply(c, reply, fds, max_fds, nfds);
}

int crl_client_call(struct crl_client *c, struct crl_enc *e,
		    struct crl_msg *reply)
{
	return crl_client_call_fds(c, e, reply, NULL, 0, NULL);
}

int crl_client_reply_more(const struct crl_msg *reply)
{
	return crl_msg_has(reply, CRL_A_FLAGS) &&
	       (crl_msg_u32(reply, CRL_A_FLAGS) & CRL_FS_MORE);
}

int crl_client_next(struct crl_client *c, struct crl_msg *reply)
{
	c->remote_errno = 0;
	return recv_reply(c, reply, NULL, 0, NULL);
}

int crl_client_hello(struct crl_client *c, const char *name)
{
	struct crl_enc e;
	struct crl_msg m;
	char esc[CRL_ESCAPE_OUT_MAX];
	int r;

	crl_client_begin(c, &e, CRL_MSG_HELLO);
	crl_put_u32(&e, CRL_A_VERSION_MIN, CRL_PROTO_VERSION);
	crl_put_u32(&e, CRL_A_VERSION_MAX, CRL_PROTO_VERSION);
	crl_put_str(&e, CRL_A_CLIENT, name);
	r = crl_client_call(c, &e, &m);
	if (r < 0)
		return r;
	c->version = crl_msg_u32(&m, CRL_A_VERSION);
	snprintf(c->server, sizeof(c->server), "%s",
		 crl_escape_text(crl_msg_str(&m, CRL_A_SERVER), esc));
	return 0;
}

void crl_client_close(struct crl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->child > 0) {
		int st;
		while (waitpid(c->child, &st, 0) < 0 && errno == EINTR)
			;
		c->child = 0;
	}
}
