/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The project's init (pid 1 of its pid namespace) once the sandbox is
 * built and the command started: it runs as the project's uid, with no
 * capability, no_new_privs and the project's seccomp filter, and is not
 * dumpable (sandbox.c).  It
 *  - reaps every process of the namespace;
 *  - passes SIGTERM, SIGINT and SIGHUP on to the command, and ends with
 *    it (the kernel then kills whatever is left in the namespace);
 *  - starts the commands of exec requests (DESIGN §3 "exec").
 *
 * Exec.  The start's request process bound the init's socket in
 * home_root/.exec, a directory only root can enter (exec.c); the init
 * calls listen() after its uid switch, so that whoever connects sees the
 * init's pid and the project's uid as its peer, and exec.c checks both.
 * For each connection:
 *  1. the peer must be root (SO_PEERCRED), or the connection is closed;
 *  2. it sends one frame: the client's EXEC request as the helper got
 *     and checked it, with the command's stdio (three descriptors, or a
 *     pty slave).  It is decoded here with the same strict schema, and
 *     the command, environment and directory are derived by the same
 *     code as in the helper (exec_prepare);
 *  3. the init forks; the child unblocks its signals, makes a session of
 *     its own, takes the stdio, closes every other descriptor, enters
 *     the directory and executes the command.  It has nothing to drop:
 *     namespaces, cgroups, limits, uid and filter are the init's;
 *  4. the first reply: PID, sent by the child itself, so that the
 *     helper reads its host pid from the credentials the kernel attaches
 *     (SO_PASSCRED); or an error, sent by the init;
 *  5. once the child is reaped, the second: EXIT with its wait status.
 *     When the helper's side ends the connection first (a timeout, its
 *     client gone), the child's process group is killed.
 * Nothing privileged happens here: whatever the init does, the project
 * could do itself, so it trusts no input further than that.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper/life.h"

/* Commands of exec requests running at once; a request beyond that is
 * refused with EAGAIN. */
#define INIT_EXEC_MAX 64

struct init_exec {
	int fd;                 /* connection with the request process */
	pid_t pid;              /* the command; 0 until it is started */
	uint32_t request_id;
	int killed;             /* its group was killed: fd is not polled */
};

static struct init_exec ex[INIT_EXEC_MAX];
static unsigned int nex;
static uint8_t in[CRL_FRAME_MAX];
static uint8_t out[512];

static void ex_drop(unsigned int i)
{
	close(ex[i].fd);
	ex[i] = ex[--nex];
}

static void ex_error(int fd, uint32_t id, int err, const char *msg)
{
	ssize_t n = crl_enc_error(out, sizeof(out), CRL_MSG_EXEC, id, err, msg);

	if (n > 0)
		(void)crl_send_frame(fd, out, (size_t)n, NULL, 0);
}

static void ex_reply(int fd, uint32_t id, enum crl_attr_type a, uint32_t v)
{
	struct crl_enc enc;
	ssize_t n;

	crl_enc_init(&enc, out, sizeof(out),
		     (uint16_t)(CRL_MSG_EXEC | CRL_MSG_REPLY), id);
	crl_put_u32(&enc, a, v);
	n = crl_enc_finish(&enc);
	if (n > 0)
		(void)crl_send_frame(fd, out, (size_t)n, NULL, 0);
}

/* What the child is started with (it shares the init's memory until
 * its execve). */
struct ex_args {
	const struct init_exec *x;
	const int *io;
	const struct exec_cmd *c;
};

/* The child: from the clone to execve; never returns.  Its first reply
 * comes from itself, so that the request process learns its host pid
 * from the kernel (SO_PASSCRED) while it surely exists.  Errors after
 * that go to the command's stderr, which the client reads. */
static int ex_child(void *arg)
{
	const struct ex_args *a = arg;
	const struct init_exec *x = a->x;
	const struct exec_cmd *c = a->c;
	const int *io = a->io;
	int o = c->tty ? 0 : 1, e = c->tty ? 0 : 2;
	sigset_t none;

	ex_reply(x->fd, x->request_id, CRL_A_PID, (uint32_t)getpid());
	/* every disposition is the default (init_main reset them), only
	 * the init's mask is to be undone */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0 || dup2(io[0], 0) < 0 || dup2(io[o], 1) < 0 ||
	    dup2(io[e], 2) < 0)
		_exit(126);
	if (c->tty && ioctl(0, TIOCSCTTY, 0) < 0)
		_exit(126);
	fds_close_except(NULL, 0);
	if (chdir(c->cwd) < 0) {
		dprintf(2, "corral: cd %.100s: %s\n", c->cwd, strerror(errno));
		_exit(126);
	}
	/* execvp searches the PATH of environ */
	environ = c->envp;
	execvp(c->argv[0], c->argv);
	dprintf(2, "corral: cannot execute %.100s: %s\n", c->argv[0],
		strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* The child's stack: a few KiB are used (execvp's search buffer is
 * bounded by PATH_MAX and NAME_MAX), below it a page that ends the child
 * on an overflow instead of letting it write over the init's memory. */
#define EX_STACK (128 * 1024)

/*
 * Start the child the way posix_spawn does: clone with CLONE_VM |
 * CLONE_VFORK, so the init's page tables are not copied for a process
 * that is about to replace its memory (a fork of the init costs about
 * as much as the rest of an exec).  The init is suspended until the
 * child has called execve or exited, so the two never run at once on
 * the shared memory, and the stack is free again for the next child.
 * Nothing is exposed by the sharing: both run as the project, and the
 * memory is the init's, which the project cannot trace (not dumpable).
 * The init blocks every signal it takes, and has no handler, so none can
 * run in the child before it resets them.
 */
static pid_t ex_spawn(struct ex_args *a)
{
	static char *stack;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	if (!stack) {
		char *m = mmap(NULL, pg + EX_STACK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

		if (m == MAP_FAILED)
			return -1;
		if (mprotect(m, pg, PROT_NONE) < 0) {
			munmap(m, pg + EX_STACK);
			return -1;
		}
		stack = m;
	}
	return clone(ex_child, stack + pg + EX_STACK,
		     CLONE_VM | CLONE_VFORK | SIGCHLD, a);
}

/* The request of connection x, if it has come: start its command. */
static void ex_request(unsigned int i, const struct crl_policy *p)
{
	struct init_exec *x = &ex[i];
	struct life_err e = { 0, "" };
	struct crl_msg m;
	struct exec_cmd c;
	int io[3] = { -1, -1, -1 };
	unsigned int nio = 0;
	ssize_t n = crl_recv_frame(x->fd, in, sizeof(in), io, 3, &nio);
	int ok;

	if (n == CRL_E_IO && errno == EAGAIN)
		return;         /* connected, the frame not sent yet */
	ok = n > 0 && crl_decode_request(in, (size_t)n, &m) == CRL_OK &&
	     m.type == CRL_MSG_EXEC;
	x->request_id = ok ? m.request_id : 0;
	if (!ok)
		life_fail(&e, EBADMSG, "the project's init got a bad request");
	else if (exec_prepare(p, &m, &c, &e) < 0)
		;               /* e says why */
	else if (nio != (c.tty ? 1U : 3U))
		life_fail(&e, EBADMSG, "the project's init got no stdio");
	else if ((x->pid = ex_spawn(&(struct ex_args){ x, io, &c })) < 0)
		life_fail(&e, errno, "clone: %s", strerror(errno));
	for (unsigned int k = 0; k < nio; k++)
		close(io[k]);
	if (e.err) {
		ex_error(x->fd, x->request_id, e.err, e.msg);
		ex_drop(i);
	}
}

/* A connection; its frame, if already there, is taken at once. */
static void ex_accept(int lsock, const struct crl_policy *p)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int fd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    cr.uid != 0) {
		close(fd);
		return;
	}
	if (nex == INIT_EXEC_MAX) {
		ex_error(fd, 0, EAGAIN, "too many commands running in the "
			 "project");
		close(fd);
		return;
	}
	ex[nex++] = (struct init_exec){ .fd = fd };
	ex_request(nex - 1, p);
}

/* Reap what has ended; the init ends with its command. */
static void reap(pid_t cmd)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == cmd)
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) :
			      128 + WTERMSIG(status));
		for (unsigned int i = 0; i < nex; i++)
			if (ex[i].pid == pid) {
				ex_reply(ex[i].fd, ex[i].request_id,
					 CRL_A_EXIT, (uint32_t)status);
				ex_drop(i);
				break;
			}
	}
	if (pid < 0 && errno == ECHILD)
		_exit(0);
}

/* The signals the init takes (blocked, read from sfd). */
static void forward(int sfd, pid_t cmd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			kill(cmd, (int)si.ssi_signo);
}

void init_serve(pid_t cmd, int sfd, int lsock, const struct crl_policy *p)
{
	for (;;) {
		struct pollfd pf[2 + INIT_EXEC_MAX];
		unsigned int n0;

		reap(cmd);
		pf[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = lsock, .events = POLLIN };
		n0 = nex;
		for (unsigned int i = 0; i < n0; i++)
			pf[2 + i] = (struct pollfd){
				.fd = ex[i].killed ? -1 : ex[i].fd,
				.events = POLLIN };
		if (poll(pf, 2 + n0, -1) < 0)
			continue;
		if (pf[0].revents)
			forward(sfd, cmd);
		/* backwards: ex_drop moves the last entry into the gap */
		for (unsigned int i = n0; i-- > 0;) {
			if (!pf[2 + i].revents)
				continue;
			if (ex[i].pid == 0) {
				ex_request(i, p);
			} else {
				/* the other side is done (or broke the
				 * protocol): the command goes */
				kill(-ex[i].pid, SIGKILL);
				kill(ex[i].pid, SIGKILL);
				ex[i].killed = 1;
			}
		}
		if (pf[1].revents)
			ex_accept(lsock, p);
	}
}
