/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifecycle requests, connection side: forward to the launcher, wait.
 *
 * The connection process (confined: it can neither mount nor unshare)
 * has decoded the request already.  It sends the frame unchanged to the
 * launcher together with one end of a new socketpair and its client's
 * connection.  The launcher's child sends the replies (and their
 * descriptors) to the client itself, then the last one again on the
 * socketpair: this process reads nothing from the client meanwhile, and
 * takes from that last reply what its audit line says (an error, exec's
 * exit status, start's pid).  If the client hangs up meanwhile (an exec
 * it no longer waits for), the launcher's child, which watches the
 * client's connection too, kills the command; this process waits for its
 * last reply all the same, so the audit line says how the request ended.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper/life.h"

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

/*
 * The launcher's child has sent its replies to the client itself; when
 * done it sends the last one again here.  0: taken; -1: none came (the
 * child died), or it is not a reply to this request.
 */
static int take_last_reply(struct op_ctx *o, int sock, int *err)
{
	static uint8_t buf[CRL_FRAME_MAX];
	struct crl_msg m;
	ssize_t n = crl_recv_frame(sock, buf, sizeof(buf), NULL, 0, NULL);

	if (n <= 0)
		return -1;
	if (crl_decode_reply(buf, (size_t)n, &m) != CRL_OK ||
	    m.type != o->m->type || m.request_id != o->m->request_id) {
		*err = op_fail(o, EIO, "launcher sent a malformed reply");
		return -1;
	}
	o->replied = 1;
	if (crl_msg_is_error(&m)) {
		*err = (int)crl_msg_u32(&m, CRL_A_ERRNO);
		snprintf(o->why, sizeof(o->why), "%s",
			 crl_msg_str(&m, CRL_A_MESSAGE) ?
			 crl_msg_str(&m, CRL_A_MESSAGE) : "");
	} else {
		note_for_audit(o, &m);
	}
	return 0;
}

int op_life(struct op_ctx *o)
{
	const struct helper *h = o->c->h;
	int sv[2], pass[2], err = 0;

	o->project = crl_msg_str(o->m, CRL_A_PROJECT);
	if (h->launcher_fd < 0)
		return op_fail(o, ENOSYS, "%s", h->life_unavailable ?
			       h->life_unavailable : "no launcher");
	if (o->project && !crl_project_id_valid(o->project))
		return op_fail(o, EINVAL, "project id is not a lower-case UUID");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return op_fail(o, errno, "socketpair: %s", strerror(errno));
	pass[0] = sv[1];
	pass[1] = o->c->fd;
	if (crl_send_frame(h->launcher_fd, o->c->in, o->c->in_len, pass, 2) < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		return op_fail(o, err, "launcher unavailable: %s", strerror(err));
	}
	close(sv[1]);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sv[0], .events = POLLIN },
			{ .fd = o->end_connection ? -1 : o->c->fd, .events = 0 },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = op_fail(o, errno, "poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents) {
			/* none: the client may have had some replies, not
			 * all; it cannot trust the connection any more */
			if (take_last_reply(o, sv[0], &err) < 0)
				o->end_connection = 1;
			break;
		}
		/* the client is gone: the child sees it too (an exec's
		 * command is killed) and still says how the request ended,
		 * which is what the audit line records */
		if (p[1].revents & (POLLHUP | POLLERR))
			o->end_connection = 1;
	}
	close(sv[0]);
	if (!o->replied && !err)
		err = op_fail(o, EIO, "the launcher did not answer");
	return err;
}
