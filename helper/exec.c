/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec: a command inside a running project (DESIGN §3).
 *
 * In a launcher child ("R"):
 *  1. the project's init is found through its cgroup (the process that is
 *     pid 1 of its own pid namespace) and held by a pidfd, checked again
 *     after opening so a recycled pid cannot be mistaken for it;
 *  2. stdio is made by R itself: three pipes, or with CRL_EXEC_TTY a pty
 *     whose master is opened from the project's own devpts instance
 *     (/proc/<init>/root/dev/pts/ptmx, a devpts the helper mounted on a
 *     read-only /dev the project cannot change), checked to be a pty
 *     master, and whose slave comes from TIOCGPTPEER, never from a path;
 *  3. R enters the init's pid namespace (for its children only) and
 *     starts the command ("E"), which joins the project's cgroups, enters
 *     the cgroup, ipc, uts, network and mount namespaces through the
 *     pidfd, takes the project's rlimits, uid, empty capability sets,
 *     no_new_privs and seccomp filter, closes every descriptor but stdio
 *     and executes the command;
 *  4. R replies with E's pid and its ends of stdio, then waits for E, the
 *     timeout and the connection: on timeout or hang-up E's process group
 *     is killed.  The second reply carries E's wait status.
 *
 * E is started the way posix_spawn starts a child: clone with CLONE_VM |
 * CLONE_VFORK on a stack of its own, so R's page tables are not copied
 * (and not copied-on-write afterwards) for a process that is about to
 * replace its memory anyway.  R is suspended until E has called execve
 * or exited, so the two never run at once on the shared memory; E is
 * still a process of its own (its own descriptor table, credentials,
 * namespaces, seccomp filter, signal handlers), and execve gives it a
 * memory of its own before any code of the project runs.  Until then it
 * runs only the code below, which calls no allocator: the credentials
 * are switched with raw system calls (sandbox.c).  All signals are
 * blocked around the clone, so that no handler of R can run in E before
 * E has reset every disposition to the default.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "helper/life.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* The project's init, held by a pidfd and checked after opening. */
static int hold_init(const char *id, pid_t *init, struct life_err *e)
{
	pid_t pid = cg_init_pid(id);
	int fd;

	if (pid <= 0)
		return life_fail(e, ESRCH, "project is not running");
	fd = pidfd_open_(pid);
	if (fd < 0 || cg_init_pid(id) != pid) {
		if (fd >= 0)
			close(fd);
		return life_fail(e, ESRCH, "project is not running");
	}
	*init = pid;
	return fd;
}

static int open_pty(pid_t init, uid_t uid, int *master, int *slave,
		    struct life_err *e)
{
	char path[64];
	struct stat st;
	int unlock = 0;

	snprintf(path, sizeof(path), "/proc/%d/root/dev/pts/ptmx", (int)init);
	*master = open(path, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (*master < 0)
		return life_fail(e, errno, "project pty: %s", strerror(errno));
	if (fstat(*master, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 5 || minor(st.st_rdev) != 2 ||
	    ioctl(*master, TIOCSPTLCK, &unlock) < 0) {
		close(*master);
		return life_fail(e, EPERM, "the project's ptmx is not a pty "
				 "multiplexer");
	}
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0 || fchown(*slave, uid, (gid_t)uid) < 0) {
		close(*master);
		if (*slave >= 0)
			close(*slave);
		return life_fail(e, errno, "pty slave: %s", strerror(errno));
	}
	return 0;
}

/* What E is started with (it shares R's memory until its execve). */
struct exec_args {
	struct life_req *r;
	int pidfd;
	const int *io;
	int tty;
	const char *cwd;
	char *const *argv;
	char *const *envp;
};

/* E: from R's clone to execve; never returns. */
static int exec_child(void *arg)
{
	const struct exec_args *a = arg;
	struct life_req *r = a->r;
	const int *io = a->io;
	int pidfd = a->pidfd, tty = a->tty;
	const char *cwd = a->cwd;
	char *const *argv = a->argv;
	struct life_err e = { 0, "" };
	int errfd;

	/* stdio first: any message from here on goes to the command's
	 * stderr, which the client reads */
	if (setsid() < 0 || dup2(io[0], 0) < 0 || dup2(io[1], 1) < 0 ||
	    dup2(io[2], 2) < 0)
		_exit(126);
	if (tty && ioctl(0, TIOCSCTTY, 0) < 0)
		_exit(126);
	errfd = 2;
	{
		int keep[1] = { pidfd };

		fds_close_except(keep, 1);
	}
	signals_default();
	if (cg_attach_self(r->project) < 0) {
		life_fail(&e, errno, "cgroup: %s", strerror(errno));
		goto fail;
	}
	if (setns(pidfd, CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS |
		  CLONE_NEWNET | CLONE_NEWNS) < 0) {
		life_fail(&e, errno, "namespaces: %s", strerror(errno));
		goto fail;
	}
	close(pidfd);
	umask(022);
	sandbox_rlimits(r->h->policy);
	if (sandbox_drop(r->uid, &e) < 0)
		goto fail;
	if (chdir(cwd) < 0) {
		life_fail(&e, errno, "cd %.100s: %s", cwd, strerror(errno));
		goto fail;
	}
	/* execvp searches the PATH of environ; R puts its own back */
	environ = (char **)a->envp;
	execvp(argv[0], argv);
	life_fail(&e, errno, "cannot execute %.100s: %s", argv[0],
		  strerror(errno));
	dprintf(errfd, "corral: %s\n", e.msg);
	_exit(e.err == ENOENT ? 127 : 126);
fail:
	dprintf(errfd, "corral: %s\n", e.msg);
	_exit(126);
}

/* E's stack: a few KiB are used (execvp's search buffer is bounded by
 * PATH_MAX and NAME_MAX) */
#define E_STACK (128 * 1024)

/*
 * The shared memory must stay out of the project's reach while E runs
 * on it as the project's uid.  The uid switch sets the memory's dumpable
 * flag to fs.suid_dumpable: with 0 (the default) or 2 only a holder of
 * CAP_SYS_PTRACE may trace E or read its memory.  With 1 (a debugging
 * setting) a project process could, between E's setresuid and execve;
 * E is then forked instead, with a copy of R's memory.
 */
static int memory_sharing_safe(void)
{
	int fd = open("/proc/sys/fs/suid_dumpable", O_RDONLY | O_CLOEXEC);
	char c = 0;

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '0' || c == '2';
}

/*
 * Start E (see the top of this file): R waits, suspended, until E has
 * executed the command or failed.  E's stack is only ever used while R
 * is suspended; a page below it is made inaccessible, so that an
 * overflow ends E instead of writing over R's memory.
 */
static pid_t spawn_command(struct exec_args *a)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char **env = environ;
	sigset_t all, old;
	char *stack;
	pid_t pid;
	int err;

	if (!memory_sharing_safe()) {
		pid = fork();
		if (pid == 0)
			exec_child(a);
		return pid;
	}
	stack = mmap(NULL, pg + E_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	if (mprotect(stack, pg, PROT_NONE) < 0) {
		err = errno;
		munmap(stack, pg + E_STACK);
		errno = err;
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = clone(exec_child, stack + pg + E_STACK,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	err = errno;
	environ = env;
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* the stack is left mapped: R ends with this request, and unmapping
	 * memory E has used on another CPU would cost a TLB shootdown */
	errno = err;
	return pid;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* After the first reply: wait for E, the timeout, or the client (its
 * connection, or the connection process, gone). */
static int wait_command(struct life_req *r, pid_t pid, uint32_t timeout)
{
	struct timespec t0, now;
	int efd = pidfd_open_(pid), status = 0, killed = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = efd, .events = POLLIN },
			{ .fd = r->sock, .events = 0 },
			{ .fd = r->conn, .events = 0 },
		};
		int wait_ms = -1, n;

		if (timeout && !killed) {
			long long el;

			clock_gettime(CLOCK_MONOTONIC, &now);
			el = (now.tv_sec - t0.tv_sec) * 1000LL +
			     (now.tv_nsec - t0.tv_nsec) / 1000000;
			wait_ms = el >= (long long)timeout * 1000 ? 0 :
				(int)((long long)timeout * 1000 - el);
		}
		n = poll(p, efd >= 0 ? 3 : 1, wait_ms);
		if (efd < 0)
			break;          /* no pidfd: just wait below */
		if (n < 0 && errno == EINTR)
			continue;
		if (p[0].revents)
			break;
		if (!killed && (n == 0 ||
				((p[1].revents | p[2].revents) &
				 (POLLHUP | POLLERR)))) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (efd >= 0)
		close(efd);
	return status;
}

/* The command's stdio, opened here: a pty whose slave is its 0, 1 and 2,
 * or three pipes.  ours[] gets the client's ends; returns how many, or -1
 * with everything closed. */
static int open_stdio(struct life_req *r, pid_t init, int tty, int ours[3],
		      int theirs[3], struct life_err *e)
{
	int pp[2];

	if (tty) {
		if (open_pty(init, r->uid, &ours[0], &theirs[0], e) < 0) {
			close_all(ours, 1);
			close_all(theirs, 1);
			return -1;
		}
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

int life_exec(struct life_req *r, struct life_err *e)
{
	const struct crl_policy *p = r->h->policy;
	static char *argv[CRL_LIST_MAX + 1];
	static char *envp[CRL_LIST_MAX + 8];
	static char store[CRL_PATH_MAX + 16];
	uint32_t flags = crl_msg_u32(r->m, CRL_A_FLAGS);
	int tty = (flags & CRL_EXEC_TTY) != 0;
	const char *cwd = crl_msg_str(r->m, CRL_A_CWD);
	int ours[3] = { -1, -1, -1 }, theirs[3] = { -1, -1, -1 };
	int pidfd, nours;
	struct crl_list l;
	pid_t init = 0, pid;

	if (flags & ~CRL_EXEC_TTY)
		return life_fail(e, EINVAL, "unknown exec flags");
	if (crl_msg_list(r->m, CRL_A_ARGV, &l) == 0 || !l.item[0][0])
		return life_fail(e, EINVAL, "empty command");
	for (unsigned int i = 0; i < l.count; i++)
		argv[i] = (char *)l.item[i];
	argv[l.count] = NULL;
	if (!cwd)
		cwd = p->home_mount;
	if (cwd[0] != '/')
		return life_fail(e, EINVAL, "cwd must be an absolute path");
	if (sandbox_env(p, r->m, tty, envp, sizeof(envp) / sizeof(*envp),
			store, sizeof(store), e) < 0)
		return -1;
	pidfd = hold_init(r->project, &init, e);
	if (pidfd < 0)
		return -1;
	nours = open_stdio(r, init, tty, ours, theirs, e);
	if (nours < 0) {
		close(pidfd);
		return -1;
	}
	/* only R's children land in the project's pid namespace */
	pid = -1;
	if (setns(pidfd, CLONE_NEWPID) < 0)
		life_fail(e, errno, "pid namespace: %s", strerror(errno));
	else if ((pid = spawn_command(&(struct exec_args){ r, pidfd, theirs,
				tty, cwd, argv, envp })) < 0)
		life_fail(e, errno, "clone: %s", strerror(errno));
	close(pidfd);
	if (tty)
		theirs[1] = theirs[2] = -1;
	close_all(theirs, 3);
	if (pid < 0) {
		close_all(ours, 3);
		return -1;
	}
	if (exec_reply(r, CRL_A_PID, (uint32_t)pid, ours,
		       (unsigned int)nours) < 0)
		kill(pid, SIGKILL);
	close_all(ours, 3);
	life_release(r);        /* the launcher forks the next one now */
	(void)exec_reply(r, CRL_A_EXIT, (uint32_t)wait_command(r, pid,
			 crl_msg_u32(r->m, CRL_A_TIMEOUT)), NULL, 0);
	return 0;
}
