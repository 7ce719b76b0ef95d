/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corral-helper internals.  The whole privileged attack surface is in this
 * directory; every function that acts on a request is named op_*, every
 * function that changes the helper's own privileges is named priv_*.
 */
#ifndef CORRAL_HELPER_H
#define CORRAL_HELPER_H

#include <stdint.h>
#include <sys/types.h>

#include "common/proto.h"
#include "common/sha256.h"
#include "policy/policy.h"

enum helper_mode { MODE_SERVICE = 0, MODE_SPAWN = 1 };

/* Everything the helper knows, passed around instead of globals. */
struct helper {
	enum helper_mode mode;
	const char *policy_path;
	const char *socket_override;  /* --socket, service mode only */
	int spawn_fd;                 /* --fd N, spawn mode only */
	int listen_fd;                /* service mode: the listening socket */
	int listen_from_systemd;      /* socket came from LISTEN_FDS */
	int log_stderr;
	struct crl_policy *policy;
	uint8_t policy_digest[CRL_SHA256_LEN];
	unsigned int nconn;           /* connection children alive */
};

/* One client connection, served by one single-threaded process. */
struct conn {
	const struct helper *h;
	int fd;
	uid_t peer_uid;
	gid_t peer_gid;
	pid_t peer_pid;
	int hello_done;
	uint32_t version;             /* negotiated protocol version */
	uint8_t in[CRL_FRAME_MAX];
	uint8_t out[CRL_FRAME_MAX];
};

/* startup.c: process hygiene, before anything else runs. */
int startup_hygiene(const int *keep_fds, unsigned int nkeep);

/* priv.c: capabilities, securebits, seccomp on the helper itself. */
int priv_reduce_caps(const char **missing);
int priv_confine_self(void);
int priv_become_root_only(void);

/* homeroot.c: create a missing home_root safely. */
int homeroot_ensure(const char *path);

/* listen.c: the service-mode socket and its accept loop. */
int listen_setup(struct helper *h);
int spawn_fd_ok(int fd);
int listen_serve(struct helper *h);

/* serve.c: one connection, start to end. */
int peer_allowed(const struct helper *h, int fd, uid_t *uid, gid_t *gid,
		 pid_t *pid);
void serve_connection(const struct helper *h, int fd);
void refuse_connection(int fd, int err, const char *why);

/* ops.c: request handlers. */
struct op_reply;
int op_dispatch(struct conn *c, const struct crl_msg *m, ssize_t *out_len);

/* audit.c: LOG_AUTHPRIV audit lines; values from requests are escaped. */
void audit_open(int log_stderr);
void audit_conn(const struct conn *c, const char *op, const char *result,
		int err, const char *extra_key, const char *extra_val);
void audit_peer(uid_t uid, pid_t pid, const char *op, const char *result,
		int err, const char *detail);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
