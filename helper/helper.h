/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corral-helper internals.  The whole privileged attack surface is in this
 * directory; every function that acts on a request is named op_*, every
 * function that changes the helper's own privileges is named priv_*.
 */
#ifndef CORRAL_HELPER_H
#define CORRAL_HELPER_H

#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
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
	int home_root_fd;             /* O_PATH of home_root, opened once */
	const char *fs_unavailable;   /* set: why create and file operations
				       * are refused (no openat2) */
	int launcher_fd;              /* to the launcher (launcher.c), or -1 */
	pid_t launcher_pid;           /* the launcher; 0 none, -1 it ended */
	const char *life_unavailable; /* set: why lifecycle requests are
				       * refused (no usable cgroups) */
};

/* An atomic replace between fs-replace and fs-commit/fs-abort
 * (fsops_replace.c).  The helper owns both descriptors. */
#define FS_PENDING_MAX 8
#define FS_TMPNAME_MAX 48
struct fs_pending {
	uint32_t token;               /* 0: the slot is free */
	int dir_fd;                   /* O_PATH of the target's directory */
	int tmp_fd;                   /* the temporary file */
	uid_t uid;                    /* the project, for commit and abort */
	gid_t gid;
	char leaf[NAME_MAX + 1];      /* the target's name in dir_fd */
	char tmp[FS_TMPNAME_MAX];     /* the temporary file's name there */
	char project[CRL_PROJECT_ID_LEN + 1];
	char path[CRL_PATH_MAX + 1];  /* as requested, for the audit line */
};

/* A project's home, opened by project_open(). */
struct fs_home {
	int fd;                       /* O_PATH|O_DIRECTORY, or -1 */
	uid_t uid;                    /* its owner: the project's uid */
	gid_t gid;                    /* equals uid (corral.conf(5)) */
};

/* One client connection, served by one single-threaded process. */
struct conn {
	const struct helper *h;
	int fd;
	uid_t peer_uid;
	gid_t peer_gid;
	pid_t peer_pid;
	int hello_done;
	size_t in_len;                /* length of the frame in in[] */
	uint32_t version;             /* negotiated protocol version */
	uint32_t last_token;          /* of fs-replace, never 0 once issued */
	struct fs_pending pending[FS_PENDING_MAX];
	/* The home of the last file operation's project, kept open for the
	 * next one (fsops.c): a client works in one project at a time. */
	struct fs_home home;
	char home_id[40];             /* its project id, "" when fd is -1 */
	uint8_t in[CRL_FRAME_MAX];
	uint8_t out[CRL_FRAME_MAX];
};

/* The final reply to a request: a frame in conn->out (len bytes) and the
 * descriptors sent with it, which serve.c closes once sent. */
struct op_reply {
	ssize_t len;
	int fds[CRL_FDS_MAX];
	unsigned int nfds;
};

/* One request being served: what every handler gets. */
struct op_ctx {
	struct conn *c;
	const struct crl_msg *m;
	struct crl_enc enc;           /* success reply, already started */
	char why[256];                /* error message, when failing */
	const char *audit_key;        /* one extra field for the audit line */
	const char *audit_val;
	int end_connection;           /* set by a handler whose failure is fatal */
	int replied;                  /* the handler sent every reply itself */
	/* create and file operations: request fields for the audit line */
	const char *project;
	const char *path;
	const char *path2;
	struct fs_home home;          /* file operations: the connection's */
	mode_t mode;                  /* checked MODE, for leaf handlers */
	int fds[CRL_FDS_MAX];         /* descriptors for the final reply */
	unsigned int nfds;
};

/* startup.c: process hygiene, before anything else runs. */
int startup_hygiene(const int *keep_fds, unsigned int nkeep);
/* Close every fd >= 3 except those in keep (any order). */
int fds_close_except(const int *keep, unsigned int nkeep);

/* priv.c: capabilities, securebits, seccomp on the helper itself. */
int priv_reduce_caps(const char **missing);
int priv_confine_self(void);
int priv_become_root_only(void);
int priv_clear_groups(void);
/* Filesystem identity of a project for file operations, kept between
 * them; both read the ids back.  enter returns -1 (errno EPERM) if they did
 * not stick; leave, back to 0, ends the process if it cannot. */
int priv_fsid_enter(uid_t uid, gid_t gid);
void priv_fsid_leave(void);

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

/* ops.c: request dispatch.  op_dispatch() serves one decoded request and
 * leaves its final reply in *r; returns 0 to go on, -1 to end the
 * connection. */
int op_dispatch(struct conn *c, const struct crl_msg *m, struct op_reply *r);
/* For handlers: fail with err and a formatted reason; returns err. */
int op_fail(struct op_ctx *o, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Attach fd to the final reply (ownership moves; closed on failure). */
int op_add_fd(struct op_ctx *o, int fd);
/* Send the reply built so far as an intermediate reply and start a new
 * one (fs-list paging).  0, or an errno (the connection then ends). */
int op_send_more(struct op_ctx *o);

/* project.c: project ids, homes, create. */
int project_open(struct op_ctx *o, const char *id);
int project_check(struct op_ctx *o, int fd, struct fs_home *home);
int project_home_valid(const struct crl_policy *p, const struct stat *st);
int op_create(struct op_ctx *o);

/* fsops*.c: file operations (fsops.h has the rest). */
void fs_pending_discard_all(struct conn *c);

/* audit.c: LOG_AUTHPRIV audit lines; values from requests are escaped. */
struct audit_rec {
	const char *op;
	const char *result;
	int err;
	const char *project;          /* NULL fields are left out */
	const char *path;
	const char *path2;
	long long duration_us;        /* < 0: left out */
	const char *key;              /* one extra field, e.g. reason= */
	const char *val;
};
void audit_open(int log_stderr);
void audit_reopen(void);        /* in a new connection process */
void audit_request(const struct conn *c, const struct audit_rec *r);
void audit_conn(const struct conn *c, const char *op, const char *result,
		int err, const char *extra_key, const char *extra_val);
void audit_peer(uid_t uid, pid_t pid, const char *op, const char *result,
		int err, const char *detail);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
