/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifecycle requests, connection side: forward to the launcher, relay
 * back.
 *
 * The connection process (confined: it can neither mount nor unshare)
 * has decoded the request already.  It sends the frame unchanged to the
 * launcher together with one end of a new socketpair and relays every
 * frame that comes back on the other end, with its descriptors, to the
 * client, until the launcher's child closes it.  It does not interpret
 * the replies beyond noting an error for the audit line.  If the client
 * hangs up meanwhile (an exec it no longer waits for), the socketpair is
 * closed, which tells the launcher's child to kill the command.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper/life.h"

/* The last reply of a request: an error, exec's EXIT, a list reply
 * without MORE, any other reply. */
static int is_final(const struct op_ctx *o, const struct crl_msg *m)
{
	if (crl_msg_is_error(m))
		return 1;
	if (o->m->type == CRL_MSG_EXEC)
		return crl_msg_has(m, CRL_A_EXIT);
	if (o->m->type == CRL_MSG_LIST)
		return !(crl_msg_u32(m, CRL_A_FLAGS) & CRL_FS_MORE);
	return 1;
}

/* The audit line of start names the init's pid, that of exec the
 * command's pid and then its wait status. */
static void note_for_audit(struct op_ctx *o, const struct crl_msg *m)
{
	static char val[32];
	const char *key = NULL;
	uint32_t v = 0;

	if (crl_msg_has(m, CRL_A_EXIT)) {
		key = "exit_status";
		v = crl_msg_u32(m, CRL_A_EXIT);
	} else if (crl_msg_has(m, CRL_A_PID)) {
		key = "pid";
		v = crl_msg_u32(m, CRL_A_PID);
	}
	if (!key)
		return;
	snprintf(val, sizeof(val), "%u", v);
	o->audit_key = key;
	o->audit_val = val;
}

/* 1: more to come, 0: done (or EOF), -1: failed. */
static int relay_one(struct op_ctx *o, int sock, int *err)
{
	static uint8_t buf[CRL_FRAME_MAX];
	int fds[CRL_FDS_MAX];
	unsigned int nfds = 0;
	struct crl_msg m;
	ssize_t n = crl_recv_frame(sock, buf, sizeof(buf), fds, CRL_FDS_MAX,
				   &nfds);
	int r = 1;

	if (n <= 0)
		return (int)n;
	/* a reply to this request, well formed, or it is not passed on */
	if (crl_decode_reply(buf, (size_t)n, &m) != CRL_OK ||
	    m.type != o->m->type || m.request_id != o->m->request_id) {
		*err = op_fail(o, EIO, "launcher sent a malformed reply");
		r = -1;
	} else {
		if (crl_msg_is_error(&m)) {
			*err = (int)crl_msg_u32(&m, CRL_A_ERRNO);
			snprintf(o->why, sizeof(o->why), "%s",
				 crl_msg_str(&m, CRL_A_MESSAGE) ?
				 crl_msg_str(&m, CRL_A_MESSAGE) : "");
		} else {
			note_for_audit(o, &m);
		}
		if (crl_send_frame(o->c->fd, buf, (size_t)n, fds, nfds) < 0) {
			*err = op_fail(o, errno, "cannot send a reply: %s",
				       strerror(errno));
			o->end_connection = 1;
			r = -1;
		} else {
			o->replied = 1;
			r = is_final(o, &m) ? 0 : 1;
		}
	}
	for (unsigned int i = 0; i < nfds; i++)
		close(fds[i]);
	return r;
}

int op_life(struct op_ctx *o)
{
	const struct helper *h = o->c->h;
	int sv[2], err = 0, r;

	o->project = crl_msg_str(o->m, CRL_A_PROJECT);
	if (h->launcher_fd < 0)
		return op_fail(o, ENOSYS, "%s", h->life_unavailable ?
			       h->life_unavailable : "no launcher");
	if (o->project && !crl_project_id_valid(o->project))
		return op_fail(o, EINVAL, "project id is not a lower-case UUID");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return op_fail(o, errno, "socketpair: %s", strerror(errno));
	if (crl_send_frame(h->launcher_fd, o->c->in, o->c->in_len, &sv[1], 1) < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		return op_fail(o, err, "launcher unavailable: %s", strerror(err));
	}
	close(sv[1]);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sv[0], .events = POLLIN },
			{ .fd = o->c->fd, .events = 0 },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = op_fail(o, errno, "poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents) {
			r = relay_one(o, sv[0], &err);
			if (r <= 0)
				break;
			continue;
		}
		if (p[1].revents & (POLLHUP | POLLERR)) {
			/* the client is gone: closing sv[0] ends its command */
			o->end_connection = 1;
			if (!err)
				err = op_fail(o, EPIPE, "client went away");
			break;
		}
	}
	close(sv[0]);
	if (!o->replied && !err)
		err = op_fail(o, EIO, "the launcher did not answer");
	return err;
}
