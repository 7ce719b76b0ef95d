/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The project lifecycle: start, exec, stop, status, list.
 *
 * Who does what (see launcher.c for why):
 *  - the connection process (confined by the helper's allowlist) checks
 *    the request as for every other operation, then forwards the frame
 *    unchanged to the launcher with a fresh socketpair end and its
 *    client's connection, and waits: the launcher's child sends the
 *    replies (and their descriptors) to the client itself, then the last
 *    one again on the socketpair, for the connection's audit line;
 *  - the launcher, forked before the helper confined itself, decodes the
 *    frame again with the same strict schema, re-derives everything from
 *    the policy and the kernel (the project uid from its home's owner,
 *    the running state from its cgroup), and serves it in a child of its
 *    own.
 */
#ifndef CORRAL_HELPER_LIFE_H
#define CORRAL_HELPER_LIFE_H

#include <stdint.h>
#include <sys/types.h>

#include "helper/helper.h"

/* cgroup.c */
int cg_init(const char **why);
int cg_is_v2(void);
int cg_prepare(void);
int cg_create(const char *id, const struct crl_policy *p);
int cg_attach_self(const char *id);
int cg_procs(const char *id, pid_t *out, int max);
int cg_exists(const char *id);
pid_t cg_init_pid(const char *id);
/* A pidfd of pid if it is in the project's cgroup, else -1. */
int cg_hold_member(const char *id, pid_t pid);
int cg_kill_all(const char *id, int timeout_ms);
int cg_remove(const char *id);
void cg_stats(const char *id, uint32_t *pids, uint64_t *mem, uint64_t *cpu);
int cg_each(int (*fn)(void *arg, const char *id), void *arg);

/* A request being served by a launcher child. */
struct life_req {
	const struct helper *h;
	const struct crl_msg *m;
	int sock;                     /* the client's connection: replies
				       * are sent on it, it is never read */
	int conn;                     /* to the connection process: the
				       * last reply again, for its audit */
	size_t last_len;              /* of the last reply, in out[] */
	const char *project;
	uid_t uid;                    /* the project's, from its home */
	int home_fd;                  /* O_PATH of the home */
	int taken_fd;                 /* to the launcher, until released */
	const void *frame;            /* the request as received */
	size_t frame_len;
	uint8_t out[CRL_FRAME_MAX];
};

/* Where a failure is reported: errno and a short message. */
struct life_err {
	int err;
	char msg[200];
};
int life_fail(struct life_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* sandbox.c: build the sandbox and become the project's init (start),
 * or drop to the project's identity (both). */
int sandbox_start(struct life_req *r, char *const argv[], char *const envp[],
		  pid_t *init_pid, struct life_err *e);
int sandbox_drop(uid_t uid, struct life_err *e);
int sandbox_env(const struct crl_policy *p, const struct crl_msg *m,
		int tty, char **envp, size_t max, char *store, size_t storelen,
		struct life_err *e);
void sandbox_rlimits(const struct crl_policy *p);
void signals_default(void);

/* net.c: loopback, and the veth pair of network = veth. */
int net_loopback_up(struct life_err *e);
int net_project_addr(const struct crl_policy *p, uid_t uid,
		     struct in_addr *out);
void net_host_name(uid_t uid, char *buf, size_t size);
int net_veth_create(const struct crl_policy *p, uid_t uid, pid_t pid,
		    struct life_err *e);
int net_veth_inside(const struct crl_policy *p, uid_t uid, struct life_err *e);

/* seccomp.c: the project filter (DESIGN §6), built from the policy's
 * profile at start-up, loaded right before a project's execve. */
int project_seccomp_prepare(const struct crl_policy *p, char *why,
			    size_t whylen);
int project_seccomp_load(void);

/* launcher.c */
void launcher_prepare(struct helper *h);
int launcher_spawn(struct helper *h);
void life_serve_request(const struct helper *h, int conn, int sock,
			const void *frame, size_t len, int taken_fd);
/* Send out[0..len) to the client (with fds); returns crl_send_frame's. */
int life_send(struct life_req *r, size_t len, const int *fds,
	      unsigned int nfds);
/* Tell the launcher to fork the next request process (once). */
void life_release(struct life_req *r);
/* exec.c */
/* -1 with *e set when it failed before its first reply (the caller
 * sends the error), else 0: both replies were sent. */
int life_exec(struct life_req *r, struct life_err *e);
/* What an EXEC request runs, derived from it and the policy: by the
 * request process, to check it, and by the project's init, to run it.
 * The arrays are static: valid until the next call. */
struct exec_cmd {
	char **argv;
	char **envp;
	const char *cwd;
	int tty;
};
int exec_prepare(const struct crl_policy *p, const struct crl_msg *m,
		 struct exec_cmd *c, struct life_err *e);
/* The init's exec socket, home_root/.exec/PROJECT: bound (not listening)
 * by start, for the init; removed once the project is not running. */
int exec_sock_bind(const struct helper *h, const char *id,
		   struct life_err *e);
void exec_sock_unlink(const struct helper *h, const char *id);

/* init.c: the project's init, once its command runs (never returns) */
__attribute__((noreturn)) void init_serve(pid_t cmd, int sfd, int lsock,
					  const struct crl_policy *p);

/* life.c: the connection side */
int op_life(struct op_ctx *o);

#endif
