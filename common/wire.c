/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sending and receiving one frame on a SOCK_SEQPACKET Unix socket.
 *
 * The receiving side MUST NOT leak descriptors a peer pushes at it: every
 * descriptor that arrives is either handed to the caller (only on success
 * and only up to max_fds) or closed before returning.  Descriptors are
 * received close-on-exec so that none survives into a child even briefly.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/proto.h"

/* The kernel's SCM_MAX_FD: no datagram carries more descriptors, so a
 * control buffer of this size receives all of them and none is dropped
 * unseen (the kernel would close those, but we want to count them). */
#define CRL_SCM_MAX_FD 253

/* ... and room for the sender's credentials, where they are asked for */
union crl_cmsg_buf {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * CRL_SCM_MAX_FD) +
		 CMSG_SPACE(sizeof(struct ucred))];
};

static void close_all(const int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * Move every descriptor out of the control messages into got[], and the
 * sender's credentials into *cr when cr is given.  Returns nonzero if
 * anything else was there (SO_PASSSEC; SO_PASSCRED where cr is NULL: the
 * client protocol uses neither) or if got[] overflowed; the descriptors
 * are in got[] either way, for the caller to close.
 */
static int collect_fds(struct msghdr *mh, int *got, unsigned int *ngot,
		       struct ucred *cr)
{
	struct cmsghdr *c;
	size_t i, n;
	int fd, bad = 0;

	*ngot = 0;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (cr && c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(*cr))) {
			memcpy(cr, CMSG_DATA(c), sizeof(*cr));
			continue;
		}
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0)) {
			bad = 1;
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (*ngot < CRL_SCM_MAX_FD) {
				got[(*ngot)++] = fd;
			} else {
				close(fd);
				bad = 1;
			}
		}
	}
	return bad;
}

/* How the received datagram fares, given its flags and descriptors. */
static ssize_t recv_verdict(const struct msghdr *mh, ssize_t n, int bad,
			    unsigned int ngot, unsigned int max_fds)
{
	if (mh->msg_flags & MSG_TRUNC)
		return CRL_E_TRUNCATED;
	if (bad || (mh->msg_flags & MSG_CTRUNC) || ngot > max_fds)
		return CRL_E_FDS;
	return n;
}

/*
 * Truncation: on a Unix datagram or seqpacket socket the kernel sets
 * MSG_TRUNC in msg_flags whenever the record was longer than the buffer,
 * and throws the rest of the record away.  So a buffer of exactly cap
 * bytes suffices to tell "frame of cap bytes" from "frame too big"; the
 * cut record cannot be recovered, but the next recvmsg starts at the next
 * record, so the peer's framing stays intact.
 *
 * An empty datagram reads like EOF (recvmsg returns 0); the protocol has
 * no empty frames, so it is reported as EOF, descriptors closed.
 */
static ssize_t recv_frame(int sock, void *buf, size_t cap, int *fds,
			  unsigned int max_fds, unsigned int *nfds,
			  struct ucred *cr)
{
	union crl_cmsg_buf cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh;
	int got[CRL_SCM_MAX_FD];
	unsigned int ngot;
	ssize_t n, verdict;
	int bad;

	if (nfds)
		*nfds = 0;
	if (!buf || (max_fds > 0 && (!fds || !nfds)))
		return CRL_E_INVALID;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return CRL_E_IO;
	bad = collect_fds(&mh, got, &ngot, cr);
	verdict = recv_verdict(&mh, n, bad, ngot, max_fds);
	if (verdict <= 0) {
		close_all(got, ngot);
		return verdict;
	}
	if (ngot > 0)
		memcpy(fds, got, ngot * sizeof(int));
	if (nfds)
		*nfds = ngot;
	return n;
}

ssize_t crl_recv_frame(int sock, void *buf, size_t cap, int *fds,
		       unsigned int max_fds, unsigned int *nfds)
{
	return recv_frame(sock, buf, cap, fds, max_fds, nfds, NULL);
}

ssize_t crl_recv_frame_cred(int sock, void *buf, size_t cap,
			    struct ucred *cr)
{
	memset(cr, 0, sizeof(*cr));
	return recv_frame(sock, buf, cap, NULL, 0, NULL, cr);
}

/* Attach nfds descriptors to mh as one SCM_RIGHTS message in cbuf. */
static int attach_fds(struct msghdr *mh, union crl_cmsg_buf *cbuf,
		      const int *fds, unsigned int nfds)
{
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(*cbuf));
	mh->msg_control = cbuf->buf;
	mh->msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	c = CMSG_FIRSTHDR(mh);
	if (!c)
		return -1;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	return 0;
}

int crl_send_frame(int sock, const void *buf, size_t len, const int *fds,
		   unsigned int nfds)
{
	union crl_cmsg_buf cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh;
	ssize_t n;

	/* An empty datagram would read as EOF on the other side. */
	if (!buf || len == 0 || nfds > CRL_SCM_MAX_FD || (nfds > 0 && !fds)) {
		errno = EINVAL;
		return -1;
	}
	if (len > CRL_FRAME_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0 && attach_fds(&mh, &cbuf, fds, nfds)) {
		errno = EINVAL;
		return -1;
	}
	/* MSG_NOSIGNAL: a vanished peer is EPIPE, not a fatal SIGPIPE. */
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}
