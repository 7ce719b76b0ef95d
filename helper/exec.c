/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec: a command inside a running project (DESIGN §3).
 *
 * The command is started by the project's init (init.c), which is
 * already in the project's namespaces and cgroups, with its limits, uid,
 * empty capability sets, no_new_privs and seccomp filter: no root
 * process ever enters a running project.  In a launcher child ("R"):
 *  1. the request is checked (exec_prepare, the same code the init
 *     runs);
 *  2. R connects to the init's socket, home_root/.exec/PROJECT (the
 *     directory is root's, mode 0700, checked on its descriptor; the
 *     socket is reached through that descriptor).  Only the helper can
 *     bind there, and the peer's credentials are those of the process
 *     that called listen(): R checks that they name the project's uid,
 *     which only the init, after its uid switch, can have done;
 *  3. stdio is made by R itself: three pipes, or with CRL_EXEC_TTY a pty
 *     whose master is opened from the project's own devpts instance
 *     (/proc/<init>/root/dev/pts/ptmx, a devpts the helper mounted on a
 *     read-only /dev the project cannot change; the init is held by a
 *     pidfd, in the project's cgroup before the open and alive after
 *     it), checked to be a pty master, and whose slave comes from
 *     TIOCGPTPEER, never from a path;
 *  4. R sends the request as it came, with the command's stdio, and
 *     closes its copies; the first reply comes from the command itself
 *     (R reads its host pid from the credentials the kernel attaches),
 *     and R replies to the client with that pid and its ends of stdio;
 *  5. R waits for the init's second reply (the command's wait status),
 *     the timeout and the client: on timeout or hang-up it shuts its
 *     side of the init's connection, and the init kills the command's
 *     process group.  The status goes to the client as EXIT.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "helper/life.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Whether the process of pidfd has not ended. */
static int alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/* The master of a new pty of the project's devpts; on failure -1, with e
 * set. */
static int open_ptmx(pid_t init, struct life_err *e)
{
	char path[64];
	struct stat st;
	int unlock = 0, fd;

	snprintf(path, sizeof(path), "/proc/%d/root/dev/pts/ptmx", (int)init);
	fd = open(path, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return life_fail(e, errno, "project pty: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 5 || minor(st.st_rdev) != 2 ||
	    ioctl(fd, TIOCSPTLCK, &unlock) < 0) {
		close(fd);
		return life_fail(e, EPERM, "the project's ptmx is not a pty "
				 "multiplexer");
	}
	return fd;
}

/*
 * A pty of the project: the master opened through /proc/<init>/root, the
 * slave from TIOCGPTPEER.  The init is held by a pidfd, checked to be in
 * the project's cgroup before the open and to live after it, so that
 * the path was the init's: a pid reused after the init ended is not
 * taken for it.  On failure, both descriptors are -1.
 */
static int open_pty(pid_t init, struct life_req *r, int *master, int *slave,
		    struct life_err *e)
{
	int pidfd = cg_hold_member(r->project, init), err;

	*master = *slave = -1;
	if (pidfd < 0)
		return life_fail(e, ESRCH, "project is not running");
	*master = open_ptmx(init, e);
	if (*master >= 0 && !alive(pidfd)) {
		close(*master);
		*master = -1;
		life_fail(e, ESRCH, "project is not running");
	}
	close(pidfd);
	if (*master < 0)
		return -1;
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0 || fchown(*slave, r->uid, (gid_t)r->uid) < 0) {
		err = errno;
		close(*master);
		if (*slave >= 0)
			close(*slave);
		*master = *slave = -1;
		return life_fail(e, err, "pty slave: %s", strerror(err));
	}
	return 0;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* The command's stdio, opened here: a pty whose slave is its 0, 1 and 2,
 * or three pipes.  ours[] gets the client's ends; returns how many, or -1
 * with everything closed. */
static int open_stdio(struct life_req *r, pid_t init, int tty, int ours[3],
		      int theirs[3], struct life_err *e)
{
	int pp[2];

	if (tty) {
		if (open_pty(init, r, &ours[0], &theirs[0], e) < 0)
			return -1;
		theirs[1] = theirs[2] = theirs[0];
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		if (pipe2(pp, O_CLOEXEC) < 0) {
			close_all(ours, 3);
			close_all(theirs, 3);
			return life_fail(e, errno, "pipe: %s", strerror(errno));
		}
		ours[i] = i == 0 ? pp[1] : pp[0];
		theirs[i] = i == 0 ? pp[0] : pp[1];
	}
	return 3;
}

/* One exec reply: a u32 attribute (PID, then EXIT), descriptors with the
 * first.  Returns what crl_send_frame returns, or -1. */
static int exec_reply(struct life_req *r, enum crl_attr_type a, uint32_t v,
		      const int *fds, unsigned int nfds)
{
	struct crl_enc enc;
	ssize_t len;

	crl_enc_init(&enc, r->out, sizeof(r->out),
		     (uint16_t)(r->m->type | CRL_MSG_REPLY), r->m->request_id);
	crl_put_u32(&enc, a, v);
	len = crl_enc_finish(&enc);
	if (len < 0)
		return -1;
	return life_send(r, (size_t)len, fds, nfds) < 0 ? -1 : 0;
}

int exec_prepare(const struct crl_policy *p, const struct crl_msg *m,
		 struct exec_cmd *c, struct life_err *e)
{
	static char *argv[CRL_LIST_MAX + 1];
	static char *envp[CRL_LIST_MAX + 8];
	static char store[CRL_PATH_MAX + 16];
	uint32_t flags = crl_msg_u32(m, CRL_A_FLAGS);
	struct crl_list l;

	if (flags & ~CRL_EXEC_TTY)
		return life_fail(e, EINVAL, "unknown exec flags");
	if (crl_msg_list(m, CRL_A_ARGV, &l) == 0 || !l.item[0][0])
		return life_fail(e, EINVAL, "empty command");
	for (unsigned int i = 0; i < l.count; i++)
		argv[i] = (char *)l.item[i];
	argv[l.count] = NULL;
	c->argv = argv;
	c->envp = envp;
	c->tty = (flags & CRL_EXEC_TTY) != 0;
	c->cwd = crl_msg_str(m, CRL_A_CWD);
	if (!c->cwd)
		c->cwd = p->home_mount;
	if (c->cwd[0] != '/')
		return life_fail(e, EINVAL, "cwd must be an absolute path");
	return sandbox_env(p, m, c->tty, envp, sizeof(envp) / sizeof(*envp),
			   store, sizeof(store), e);
}

/* ------------------------------------------------- the init's socket */

#define EXEC_DIR ".exec"

/* home_root/.exec, made if missing: a directory of root's that nobody
 * else may enter (O_PATH), or -1 with e set. */
static int exec_dir(const struct helper *h, int make, struct life_err *e)
{
	struct stat st;
	int fd;

	if (make && mkdirat(h->home_root_fd, EXEC_DIR, 0700) < 0 &&
	    errno != EEXIST)
		return life_fail(e, errno, "home_root/" EXEC_DIR ": %s",
				 strerror(errno));
	fd = openat(h->home_root_fd, EXEC_DIR,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return life_fail(e, errno, "home_root/" EXEC_DIR ": %s",
				 strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077)) {
		close(fd);
		return life_fail(e, EPERM, "home_root/" EXEC_DIR " must be a "
				 "directory of root's with mode 0700");
	}
	return fd;
}

/* The socket's address, through the directory's descriptor: no path
 * component is looked up again, and the length is bounded whatever
 * home_root is. */
static socklen_t exec_addr(struct sockaddr_un *a, int dfd, const char *id)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/%s",
		 dfd, id);
	return (socklen_t)sizeof(*a);
}

int exec_sock_bind(const struct helper *h, const char *id,
		   struct life_err *e)
{
	struct sockaddr_un a;
	int dfd = exec_dir(h, 1, e), s, r;
	mode_t old;

	if (dfd < 0)
		return -1;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) {
		close(dfd);
		return life_fail(e, errno, "socket: %s", strerror(errno));
	}
	/* one left by a project that ended without a stop */
	(void)unlinkat(dfd, id, 0);
	old = umask(077);
	r = bind(s, (struct sockaddr *)&a, exec_addr(&a, dfd, id));
	umask(old);
	close(dfd);
	if (r < 0) {
		close(s);
		return life_fail(e, errno, "exec socket: %s", strerror(errno));
	}
	return s;
}

void exec_sock_unlink(const struct helper *h, const char *id)
{
	struct life_err e;
	int dfd = exec_dir(h, 0, &e);

	if (dfd >= 0) {
		(void)unlinkat(dfd, id, 0);
		close(dfd);
	}
}

/* Why the init's socket could not be reached (err; e may already say
 * something): first of all, the project may not be running. */
static int connect_failed(struct life_req *r, int err, struct life_err *e)
{
	if (cg_procs(r->project, NULL, 0) <= 0)
		return life_fail(e, ESRCH, "project is not running");
	if (err == ENOENT || err == ECONNREFUSED)
		return life_fail(e, ECONNREFUSED, "the project's init takes "
				 "no commands (its socket is gone): stop the "
				 "project and start it again");
	if (e->err)
		return -1;
	return life_fail(e, err, "exec socket: %s", strerror(err));
}

/*
 * Connected to the init's socket, or -1 with e set; *init gets the init's
 * pid.  Only the helper binds in home_root/.exec, and the peer's
 * credentials are those of the process that called listen() on the
 * socket: the project's uid there means the init, after its uid switch
 * (the start's request process, which bound it, would be root).
 */
static int init_connect(struct life_req *r, pid_t *init, struct life_err *e)
{
	struct sockaddr_un a;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int dfd = exec_dir(r->h, 0, e), s, c, one = 1;

	if (dfd < 0)
		return connect_failed(r, e->err, e);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	c = s < 0 || setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one,
				sizeof(one)) < 0 ? -1 :
		connect(s, (struct sockaddr *)&a,
			exec_addr(&a, dfd, r->project));
	close(dfd);
	if (c < 0) {
		int err = errno;

		if (s >= 0)
			close(s);
		return connect_failed(r, err, e);
	}
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    cr.uid != r->uid || cr.pid <= 0) {
		close(s);
		return life_fail(e, EPERM, "the exec socket is not the "
				 "project's init");
	}
	*init = cr.pid;
	return s;
}

/* One reply on the init's connection, decoded into m with the sender's
 * credentials in cr: 1, or 0 when none came or it did not decode. */
static int init_reply(struct life_req *r, int s, struct crl_msg *m,
		      struct ucred *cr)
{
	ssize_t n = crl_recv_frame_cred(s, r->out, sizeof(r->out), cr);

	return n > 0 && crl_decode_reply(r->out, (size_t)n, m) == CRL_OK;
}

/* The first reply, the command's own: its host pid; or -1 with e set
 * (the init's error, or EPROTO). */
static pid_t init_started(struct life_req *r, int s, struct life_err *e)
{
	struct crl_msg m;
	struct ucred cr;

	if (init_reply(r, s, &m, &cr)) {
		if (crl_msg_is_error(&m)) {
			const char *msg = crl_msg_str(&m, CRL_A_MESSAGE);

			return life_fail(e, (int)crl_msg_u32(&m, CRL_A_ERRNO),
					 "%.150s", msg ? msg : "refused");
		}
		if (crl_msg_has(&m, CRL_A_PID) && cr.pid > 0 &&
		    cr.uid == r->uid)
			return cr.pid;
	}
	return life_fail(e, EPROTO, "the project's init did not start the "
			 "command");
}

/* After the first reply: the init's second (the wait status), the
 * timeout, or the client (its connection, or the connection process,
 * gone).  An init that ends first took its namespace with it: the
 * command was killed. */
static uint32_t wait_command(struct life_req *r, int s, uint32_t timeout)
{
	struct timespec t0, now;
	int shut = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = s, .events = POLLIN },
			{ .fd = shut ? -1 : r->sock, .events = 0 },
			{ .fd = shut ? -1 : r->conn, .events = 0 },
		};
		int wait_ms = -1, n;

		if (timeout && !shut) {
			long long el;

			clock_gettime(CLOCK_MONOTONIC, &now);
			el = (now.tv_sec - t0.tv_sec) * 1000LL +
			     (now.tv_nsec - t0.tv_nsec) / 1000000;
			wait_ms = el >= (long long)timeout * 1000 ? 0 :
				(int)((long long)timeout * 1000 - el);
		}
		n = poll(p, 3, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && p[0].revents) {
			struct crl_msg m;
			struct ucred cr;

			if (init_reply(r, s, &m, &cr) &&
			    crl_msg_has(&m, CRL_A_EXIT))
				return crl_msg_u32(&m, CRL_A_EXIT);
			return SIGKILL;
		}
		if (!shut && (n == 0 || ((p[1].revents | p[2].revents) &
					 (POLLHUP | POLLERR)))) {
			(void)shutdown(s, SHUT_WR);
			shut = 1;
		}
	}
}

int life_exec(struct life_req *r, struct life_err *e)
{
	int ours[3] = { -1, -1, -1 }, theirs[3] = { -1, -1, -1 };
	int nours, s;
	struct exec_cmd c;
	pid_t init = 0, pid;

	if (exec_prepare(r->h->policy, r->m, &c, e) < 0)
		return -1;
	s = init_connect(r, &init, e);
	if (s < 0)
		return -1;
	nours = open_stdio(r, init, c.tty, ours, theirs, e);
	if (nours >= 0 && crl_send_frame(s, r->frame, r->frame_len, theirs,
					 (unsigned int)nours) < 0) {
		life_fail(e, errno, "to the project's init: %s",
			  strerror(errno));
		nours = -1;     /* ours are closed below */
	}
	if (c.tty)
		theirs[1] = theirs[2] = -1;
	close_all(theirs, 3);
	pid = nours < 0 ? -1 : init_started(r, s, e);
	if (pid < 0) {
		close(s);
		close_all(ours, 3);
		return -1;
	}
	if (exec_reply(r, CRL_A_PID, (uint32_t)pid, ours,
		       (unsigned int)nours) < 0)
		(void)shutdown(s, SHUT_WR);   /* the init kills it */
	close_all(ours, 3);
	life_release(r);        /* the launcher forks the next one now */
	(void)exec_reply(r, CRL_A_EXIT, wait_command(r, s,
			 crl_msg_u32(r->m, CRL_A_TIMEOUT)), NULL, 0);
	close(s);
	return 0;
}
