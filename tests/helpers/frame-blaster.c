/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame-blaster: throws random and mutated frames at a running helper, and
 * clients that vanish at every stage, then proves the helper still answers.
 *
 *   frame-blaster SOCKET frames COUNT SEED
 *   frame-blaster SOCKET disconnect COUNT
 *
 * Exit 0 when a connection opened before the storm and a fresh one opened
 * after it both still get well-formed ping replies.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/proto.h"
#include "frontend/client.h"

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(2);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static size_t valid_frame(uint8_t *buf, uint32_t id)
{
	struct crl_enc e;
	uint8_t data[64];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rnd();
	switch (rnd() % 4) {
	case 0:
		crl_enc_init(&e, buf, CRL_FRAME_MAX, CRL_MSG_HELLO, id);
		crl_put_u32(&e, CRL_A_VERSION_MIN, 1);
		crl_put_u32(&e, CRL_A_VERSION_MAX, 1);
		crl_put_str(&e, CRL_A_CLIENT, "blaster");
		break;
	case 1:
		crl_enc_init(&e, buf, CRL_FRAME_MAX, CRL_MSG_PING, id);
		crl_put_bytes(&e, CRL_A_DATA, data, rnd() % sizeof(data));
		break;
	case 2:
		crl_enc_init(&e, buf, CRL_FRAME_MAX, CRL_MSG_POLICY_DIGEST, id);
		break;
	default:
		crl_enc_init(&e, buf, CRL_FRAME_MAX, CRL_MSG_PING, id);
		crl_list_begin(&e, CRL_A_ARGV);
		crl_put_str(&e, CRL_A_ITEM, "x");
		crl_list_end(&e);
		break;
	}
	return (size_t)crl_enc_finish(&e);
}

/* One hostile frame into buf; returns its length. */
static size_t hostile_frame(uint8_t *buf, size_t cap)
{
	size_t n = valid_frame(buf, rnd());
	unsigned int flips;

	switch (rnd() % 6) {
	case 0: /* pure noise, sometimes larger than any frame may be */
		n = rnd() % 8 == 0 ? rnd() % cap : rnd() % 256;
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rnd();
		break;
	case 1: /* bit flips */
		for (flips = 1 + rnd() % 4; flips; flips--)
			buf[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
		break;
	case 2: /* truncated */
		n = rnd() % n;
		break;
	case 3: /* trailing garbage */
		for (unsigned int k = 1 + rnd() % 16; k; k--)
			buf[n++] = (uint8_t)rnd();
		break;
	case 4: /* lying payload_len */
		buf[12] = (uint8_t)rnd();
		buf[13] = (uint8_t)rnd();
		break;
	default: /* random byte overwritten in the attribute area */
		if (n > CRL_HDR_LEN)
			buf[CRL_HDR_LEN + rnd() % (n - CRL_HDR_LEN)] = (uint8_t)rnd();
		break;
	}
	return n;
}

/*
 * Raw sendmsg, not crl_send_frame(): the point is to send what a correct
 * client never would (empty and oversized datagrams, descriptors).
 * Returns 0 if the datagram left, -1 otherwise.
 */
static int send_raw(int fd, const uint8_t *buf, size_t n, int with_fd)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int devnull = -1, r;

	if (with_fd) {
		struct cmsghdr *c;

		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &devnull, sizeof(int));
	}
	r = sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
	if (devnull >= 0)
		close(devnull);
	return r;
}

static int ping_ok(struct crl_client *c)
{
	struct crl_enc e;
	struct crl_msg m;
	size_t len = 0;

	crl_client_begin(c, &e, CRL_MSG_PING);
	crl_put_bytes(&e, CRL_A_DATA, "alive", 5);
	if (crl_client_call(c, &e, &m) < 0) {
		fprintf(stderr, "ping failed: %s\n", c->err);
		return 0;
	}
	return crl_msg_bytes(&m, CRL_A_DATA, &len) && len == 5;
}

/*
 * A storm of short connections can leave the helper at its connection
 * limit for a moment (children not yet reaped): that is the limit working,
 * answered with EAGAIN.  Give it up to five seconds to drain.
 */
static int fresh_ping(const char *path)
{
	static struct crl_client c;
	int ok, r = -EAGAIN;

	for (int i = 0; i < 50 && r == -EAGAIN; i++) {
		if (i)
			usleep(100000);
		r = crl_client_connect(&c, path);
		if (r == 0)
			r = crl_client_hello(&c, "blaster");
		if (r < 0)
			crl_client_close(&c);
	}
	if (r < 0) {
		fprintf(stderr, "fresh connection failed: %s\n", c.err);
		return 0;
	}
	ok = ping_ok(&c);
	crl_client_close(&c);
	return ok;
}

static void hello_raw(int fd, uint8_t *buf)
{
	struct crl_enc e;

	crl_enc_init(&e, buf, CRL_FRAME_MAX, CRL_MSG_HELLO, 1);
	crl_put_u32(&e, CRL_A_VERSION_MIN, 1);
	crl_put_u32(&e, CRL_A_VERSION_MAX, 1);
	(void)send_raw(fd, buf, (size_t)crl_enc_finish(&e), 0);
}

static void storm(const char *path, long count, unsigned long *replies)
{
	static uint8_t buf[CRL_FRAME_MAX + 4096], in[CRL_FRAME_MAX];

	for (long i = 0; i < count; i++) {
		int fd = dial(path);

		if (rnd() % 2) {
			hello_raw(fd, buf);
			(void)crl_recv_frame(fd, in, sizeof(in), NULL, 0, NULL);
		}
		if (send_raw(fd, buf, hostile_frame(buf, sizeof(buf)),
			     rnd() % 16 == 0) == 0 &&
		    crl_recv_frame(fd, in, sizeof(in), NULL, 0, NULL) > 0)
			(*replies)++;
		close(fd);
	}
}

/* Clients that leave at every possible moment. */
static void vanish(const char *path, long count)
{
	static uint8_t buf[CRL_FRAME_MAX];

	for (long i = 0; i < count; i++) {
		int fd = dial(path);

		switch (i % 4) {
		case 0: break;                          /* before a byte */
		case 1: hello_raw(fd, buf); break;      /* before the reply */
		case 2:                                 /* mid-conversation */
			hello_raw(fd, buf);
			(void)send_raw(fd, buf, valid_frame(buf, 7), 0);
			break;
		default:                                /* half-closed */
			hello_raw(fd, buf);
			shutdown(fd, SHUT_WR);
			break;
		}
		close(fd);
	}
}

int main(int argc, char **argv)
{
	static struct crl_client keep;
	unsigned long replies = 0;
	long count;

	if (argc < 4) {
		fprintf(stderr, "usage: frame-blaster SOCKET frames|disconnect COUNT [SEED]\n");
		return 2;
	}
	count = strtol(argv[3], NULL, 10);
	rng = argc > 4 ? strtoull(argv[4], NULL, 10) | 1 : 88172645463325252ULL;
	if (crl_client_connect(&keep, argv[1]) < 0 ||
	    crl_client_hello(&keep, "blaster-keep") < 0) {
		fprintf(stderr, "first connection failed: %s\n", keep.err);
		return 1;
	}
	if (strcmp(argv[2], "frames") == 0)
		storm(argv[1], count, &replies);
	else
		vanish(argv[1], count);
	printf("sent %ld %s, %lu replies\n", count, argv[2], replies);
	if (!ping_ok(&keep) || !fresh_ping(argv[1]))
		return 1;
	crl_client_close(&keep);
	printf("helper still answers on the old and a new connection\n");
	return 0;
}
