/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One connection, from the credential check to EOF.
 *
 * The loop is strict in the way OpenSSH's monitor is: a frame that does not
 * decode, carries descriptors, or arrives out of order gets one error reply
 * and ends the connection.  A well-formed request that fails (a bad value,
 * a refused operation) gets an error reply and the connection goes on.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helper/helper.h"

/* Only root and the policy's frontend_user are served (DESIGN §1). */
int peer_allowed(const struct helper *h, int fd, uid_t *uid, gid_t *gid,
		 pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(&cred, 0, sizeof(cred));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    len != sizeof(cred)) {
		*uid = (uid_t)-1;
		*gid = (gid_t)-1;
		*pid = 0;
		return 0;
	}
	*uid = cred.uid;
	*gid = cred.gid;
	*pid = cred.pid;
	return cred.uid == 0 || cred.uid == h->policy->frontend_uid;
}

static void send_error(int fd, uint8_t *buf, uint16_t type, uint32_t id,
		       int err, const char *why)
{
	ssize_t n = crl_enc_error(buf, CRL_FRAME_MAX, type, id, err, why);

	if (n > 0)
		(void)crl_send_frame(fd, buf, (size_t)n, NULL, 0);
}

/*
 * Before closing after an error, read and drop what the client already
 * queued: closing a Unix socket with unread data resets the connection,
 * and the client would see ECONNRESET instead of our error reply.  Bounded,
 * non-blocking, and with no control buffer, so passed descriptors are
 * dropped by the kernel.
 */
static void drain(int fd)
{
	static uint8_t sink[64];
	struct iovec iov = { .iov_base = sink, .iov_len = sizeof(sink) };
	struct msghdr mh;

	for (int i = 0; i < 16; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (recvmsg(fd, &mh, MSG_DONTWAIT) <= 0)
			break;
	}
}

void refuse_connection(int fd, int err, const char *why)
{
	static uint8_t buf[CRL_FRAME_MAX];

	send_error(fd, buf, CRL_MSG_HELLO, 0, err, why);
	drain(fd);
}

/* Returns 1 to go on, 0 to end the connection. */
static int serve_one(struct conn *c)
{
	struct crl_msg m;
	struct op_reply rep;
	ssize_t n;
	int r, sent;

	n = crl_recv_frame(c->fd, c->in, sizeof(c->in), NULL, 0, NULL);
	if (n == 0)
		return 0;               /* EOF: the client is done */
	if (n < 0) {
		if (n == CRL_E_IO && (errno == ECONNRESET || errno == EPIPE))
			return 0;
		/* descriptors attached, truncated frame, socket error */
		audit_conn(c, "frame", "bad-frame", crl_proto_errno((int)n),
			   "reason", crl_proto_strerror((int)n));
		send_error(c->fd, c->out, 0, 0, crl_proto_errno((int)n),
			   crl_proto_strerror((int)n));
		return 0;
	}
	c->in_len = (size_t)n;
	r = crl_decode_request(c->in, (size_t)n, &m);
	if (r != CRL_OK) {
		audit_conn(c, "frame", "bad-frame", crl_proto_errno(r),
			   "reason", crl_proto_strerror(r));
		send_error(c->fd, c->out, m.type, m.request_id,
			   crl_proto_errno(r), crl_proto_strerror(r));
		return 0;
	}
	r = op_dispatch(c, &m, &rep);
	sent = rep.len <= 0 || crl_send_frame(c->fd, c->out, (size_t)rep.len,
					      rep.fds, rep.nfds) == 0;
	/* the client has its copies now (or never will): ours go */
	for (unsigned int i = 0; i < rep.nfds; i++)
		close(rep.fds[i]);
	return r == 0 && sent;
}

void serve_connection(const struct helper *h, int fd)
{
	/* large buffers: static, one connection per process */
	static struct conn c;

	memset(&c, 0, sizeof(c));
	c.h = h;
	c.fd = fd;
	c.home.fd = -1;
	if (!peer_allowed(h, fd, &c.peer_uid, &c.peer_gid, &c.peer_pid)) {
		audit_conn(&c, "connect", "denied", EACCES, NULL, NULL);
		refuse_connection(fd, EACCES, "peer not allowed to use the helper");
		return;
	}
	audit_conn(&c, "connect", "ok", 0, NULL, NULL);
	while (serve_one(&c))
		;
	fs_pending_discard_all(&c);
	priv_fsid_leave();
	drain(fd);
	audit_conn(&c, "disconnect", "ok", 0, NULL, NULL);
}
