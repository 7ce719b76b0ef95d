/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The launcher: the one helper process allowed to build sandboxes.
 *
 * Why a separate process.  The helper confines itself right after start
 * with a seccomp allowlist (priv.c) that every forked connection process
 * inherits and can never shed: no mount, no unshare, no setns, no
 * execve.  A sandbox needs all of those.  Widening the allowlist would
 * hand them to every connection process, the part that parses client
 * frames; exec'ing a separate launcher binary would need execve in the
 * allowlist, and a filter cannot check which path is executed.  So
 * main.c forks the launcher after the capability reduction and before
 * the seccomp filter: it has the helper's nine capabilities (no more)
 * and no filter, and it never reads a client socket.
 *
 * The channel.  A private SOCK_SEQPACKET socketpair made before the fork;
 * the launcher keeps one end, connection processes inherit the other.
 * A request is one datagram: the client's request frame exactly as the
 * connection process received and checked it, plus two descriptors: the
 * end of a fresh socketpair to the connection process, and the client's
 * connection itself.  The launcher's child sends its replies straight to
 * the client (one process hand-off less per reply: on a virtual machine
 * each wake-up of a process on an idle CPU costs tens of microseconds)
 * and never reads from that socket; when it is done it sends the last
 * reply again on the socketpair, from which the connection process,
 * waiting meanwhile, writes its audit line.  The launcher
 * decodes the frame again with the same strict schema (crl_decode_request)
 * and trusts nothing else of the sender: the project's uid comes from its
 * home's owner, its state from its cgroup, every limit from the policy.
 * A compromised connection process can thus ask for exactly what a client
 * could ask for, nothing more.
 *
 * Each request is served by a child of the launcher, so a slow stop or a
 * long exec does not block others.  That child is forked before its
 * request comes and reads it from the channel itself (request_process),
 * so no fork lies between a request and its answer.  The launcher is a child subreaper and
 * ignores SIGCHLD: the project inits whose starter exited are reparented
 * to it and reaped by the kernel.  It exits when every other end of the
 * channel is closed (the helper is gone); running projects stay, and a
 * new helper finds them through their cgroups.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper/fsops.h"
#include "helper/life.h"

#define GRACE_DEFAULT 10
#define GRACE_MAX 3600

int life_send(struct life_req *r, size_t len, const int *fds,
	      unsigned int nfds)
{
	r->last_len = len;
	return crl_send_frame(r->sock, r->out, len, fds, nfds);
}

/* The last reply again, without descriptors, to the connection process;
 * then neither socket is needed any more. */
static void life_done(struct life_req *r)
{
	if (r->conn >= 0) {
		if (r->last_len > 0)
			(void)crl_send_frame(r->conn, r->out, r->last_len,
					     NULL, 0);
		close(r->conn);
		r->conn = -1;
	}
	if (r->sock >= 0) {
		close(r->sock);
		r->sock = -1;
	}
}

static void send_reply(struct life_req *r, struct crl_enc *e)
{
	ssize_t n = crl_enc_finish(e);

	if (n > 0)
		(void)life_send(r, (size_t)n, NULL, 0);
}

static void send_error(struct life_req *r, const struct life_err *e)
{
	ssize_t n = crl_enc_error(r->out, sizeof(r->out), r->m->type,
				  r->m->request_id, e->err ? e->err : EIO,
				  e->msg[0] ? e->msg : strerror(e->err));

	if (n > 0)
		(void)life_send(r, (size_t)n, NULL, 0);
}

static void begin(struct life_req *r, struct crl_enc *e)
{
	crl_enc_init(e, r->out, sizeof(r->out),
		     (uint16_t)(r->m->type | CRL_MSG_REPLY), r->m->request_id);
}

/* The project's home and uid, from the descriptor of home_root. */
static int open_home(struct life_req *r, struct life_err *e)
{
	struct stat st;
	int fd;

	fd = fs_openat(r->h->home_root_fd, r->project, O_PATH | O_DIRECTORY, 0);
	if (fd == -ENOENT)
		return life_fail(e, ENOENT, "no such project");
	if (fd < 0)
		return life_fail(e, -fd, "project home: %s", strerror(-fd));
	if (fstat(fd, &st) < 0 || !project_home_valid(r->h->policy, &st)) {
		close(fd);
		return life_fail(e, EPERM, "project home has an unsafe owner "
				 "or mode");
	}
	r->home_fd = fd;
	r->uid = st.st_uid;
	return 0;
}

/* Start and stop of any project are serialised by a lock on home_root
 * (the one create takes too), so two starts of one project cannot both
 * find it stopped. */
static int lock_projects(const struct helper *h)
{
	int fd = fs_openat(h->home_root_fd, ".", O_RDONLY | O_DIRECTORY, 0);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

/* Start time of a process, ns since the epoch, from the kernel's own
 * record (/proc/PID/stat field 22 and the boot time). */
static uint64_t started_ns(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0, btime = 0;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return 0;
	/* field 3 starts after ") "; starttime is field 22 */
	for (i = 3, p += 2; i < 22 && p; i++)
		if ((p = strchr(p, ' ')))
			p++;
	if (!p)
		return 0;
	ticks = strtoull(p, NULL, 10);
	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	if (hz <= 0)
		hz = 100;
	return (uint64_t)btime * 1000000000ULL +
	       (uint64_t)ticks * (1000000000ULL / (uint64_t)hz);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Under the lock, after the grace period: SIGKILL to the init (the
 * kernel kills its whole pid namespace) and to every process of the
 * cgroup until it is empty, then the cgroups go.
 * Last, the init must be gone, not only dead: it leaves only once every
 * process of its namespace has been reaped.  It is watched through its
 * /proc directory, opened before the kill: once the process is reaped,
 * that descriptor answers ESRCH even if the pid is used again.
 */
static int stop_project(const struct helper *h, const char *id,
			struct life_err *e)
{
	pid_t init = cg_init_pid(id);
	int pfd = -1, sfd = -1;

	if (!cg_exists(id)) {
		exec_sock_unlink(h, id);
		return 0;
	}
	if (init > 0) {
		char path[32];

		/* both taken, then the pid checked again: they name the init */
		snprintf(path, sizeof(path), "/proc/%d", (int)init);
		pfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		sfd = (int)syscall(SYS_pidfd_open, init, 0);
		if (pfd < 0 || sfd < 0 || cg_init_pid(id) != init)
			init = 0;
	}
	if (init > 0)
		syscall(SYS_pidfd_send_signal, sfd, SIGKILL, NULL, 0);
	if (sfd >= 0)
		close(sfd);
	if (cg_kill_all(id, 10000) < 0) {
		if (pfd >= 0)
			close(pfd);
		return life_fail(e, errno, "cannot kill every process: %s",
				 strerror(errno));
	}
	for (int i = 0; init > 0 && i < 500; i++) {
		struct stat st;

		if (fstatat(pfd, "stat", &st, 0) < 0)
			break;
		sleep_ms(2);
	}
	if (pfd >= 0)
		close(pfd);
	if (cg_remove(id) < 0)
		return life_fail(e, errno, "cannot remove the cgroups: %s",
				 strerror(errno));
	exec_sock_unlink(h, id);
	return 0;
}

/*
 * After the reply: this process is the init's parent.  When the init ends
 * (its command exited, or a stop killed it), the kernel has killed the
 * rest of its pid namespace; what is left is the cgroup and the init's
 * exec socket, removed here under the lock, and only if the cgroup is
 * empty (a stop and a new start may have come in between: then both are
 * theirs).
 */
static void wait_and_clean(struct life_req *r, pid_t init)
{
	int status, lock;

	life_done(r);
	if (r->home_fd >= 0) {
		close(r->home_fd);
		r->home_fd = -1;
	}
	while (waitpid(init, &status, 0) < 0 && errno == EINTR)
		;
	/* the kernel kills the rest of the pid namespace; processes still
	 * in the cgroup after that belong to a later start */
	for (int i = 0; i < 100 && cg_procs(r->project, NULL, 0) > 0; i++)
		sleep_ms(10);
	lock = lock_projects(r->h);
	if (lock < 0)
		return;
	if (cg_procs(r->project, NULL, 0) == 0) {
		if (cg_exists(r->project))
			(void)cg_remove(r->project);
		exec_sock_unlink(r->h, r->project);
	}
	close(lock);
}

static int do_start(struct life_req *r, struct life_err *e)
{
	const struct crl_policy *p = r->h->policy;
	static char *argv[CRL_LIST_MAX + 1];
	static char *envp[CRL_LIST_MAX + 8];
	static char store[CRL_PATH_MAX + 16];
	struct crl_list l;
	struct crl_enc enc;
	pid_t init = 0;
	int lock, ret;

	if (crl_msg_list(r->m, CRL_A_ARGV, &l) > 0) {
		for (unsigned int i = 0; i < l.count; i++)
			argv[i] = (char *)l.item[i];
		argv[l.count] = NULL;
	} else if (crl_msg_has(r->m, CRL_A_ARGV)) {
		return life_fail(e, EINVAL, "empty command");
	} else {
		for (unsigned int i = 0; i <= p->n_default_argv; i++)
			argv[i] = p->default_argv[i];
	}
	if (!argv[0] || !argv[0][0])
		return life_fail(e, EINVAL, "empty command");
	if (sandbox_env(p, NULL, 0, envp, sizeof(envp) / sizeof(*envp), store,
			sizeof(store), e) < 0)
		return -1;
	if (open_home(r, e) < 0)
		return -1;
	lock = lock_projects(r->h);
	if (lock < 0)
		return life_fail(e, errno, "lock: %s", strerror(errno));
	ret = -1;
	if (cg_procs(r->project, NULL, 0) > 0) {
		life_fail(e, EBUSY, "project is already running");
		goto out;
	}
	/* a cgroup left by a project whose processes all ended */
	if (cg_exists(r->project) && cg_remove(r->project) < 0) {
		life_fail(e, errno, "stale cgroup: %s", strerror(errno));
		goto out;
	}
	if (cg_create(r->project, p) < 0) {
		life_fail(e, errno, "cgroup: %s", strerror(errno));
		(void)cg_remove(r->project);
		goto out;
	}
	if (sandbox_start(r, argv, envp, &init, e) < 0) {
		struct life_err ignored;

		(void)stop_project(r->h, r->project, &ignored);
		goto out;
	}
	begin(r, &enc);
	crl_put_u32(&enc, CRL_A_PID, (uint32_t)init);
	crl_put_u64(&enc, CRL_A_STARTED, started_ns(init));
	send_reply(r, &enc);
	close(lock);
	wait_and_clean(r, init);
	return 0;
out:
	close(lock);
	return ret;
}

/* SIGTERM to the init, which passes it to the command, then up to grace
 * seconds for the cgroup to empty. */
static void term_and_wait(const char *id, unsigned int grace)
{
	pid_t init = cg_init_pid(id);
	int sfd;

	if (init <= 0 || grace == 0)
		return;
	sfd = (int)syscall(SYS_pidfd_open, init, 0);
	if (sfd < 0)
		return;
	if (cg_init_pid(id) == init &&
	    syscall(SYS_pidfd_send_signal, sfd, SIGTERM, NULL, 0) == 0)
		for (unsigned int ms = 0; ms < grace * 1000; ms += 20) {
			if (cg_procs(id, NULL, 0) <= 0)
				break;
			sleep_ms(20);
		}
	close(sfd);
}

static int do_stop(struct life_req *r, struct life_err *e)
{
	uint32_t grace = GRACE_DEFAULT;
	struct crl_enc enc;
	int lock, ret;

	/* only a project of this policy's home_root: a helper never acts on
	 * the cgroup of a project it does not know */
	if (open_home(r, e) < 0)
		return -1;
	if (crl_msg_has(r->m, CRL_A_GRACE))
		grace = crl_msg_u32(r->m, CRL_A_GRACE);
	if (grace > GRACE_MAX)
		return life_fail(e, EINVAL, "grace longer than %d seconds",
				 GRACE_MAX);
	/* the polite part needs no lock: a project slow to end must not
	 * hold up the starts and stops of every other */
	term_and_wait(r->project, grace);
	lock = lock_projects(r->h);
	if (lock < 0)
		return life_fail(e, errno, "lock: %s", strerror(errno));
	ret = stop_project(r->h, r->project, e);
	close(lock);
	if (ret == 0) {
		begin(r, &enc);
		send_reply(r, &enc);
	}
	return ret;
}

static int do_status(struct life_req *r, struct life_err *e)
{
	struct crl_enc enc;
	pid_t init = 0;

	if (open_home(r, e) < 0)
		return -1;
	begin(r, &enc);
	init = cg_procs(r->project, NULL, 0) > 0 ? cg_init_pid(r->project) : 0;
	crl_put_u32(&enc, CRL_A_RUNNING, init > 0);
	if (init > 0) {
		uint32_t pids;
		uint64_t mem, cpu;

		cg_stats(r->project, &pids, &mem, &cpu);
		crl_put_u32(&enc, CRL_A_PID, (uint32_t)init);
		crl_put_u64(&enc, CRL_A_STARTED, started_ns(init));
		crl_put_u32(&enc, CRL_A_PIDS, pids);
		crl_put_u64(&enc, CRL_A_MEMORY, mem);
		crl_put_u64(&enc, CRL_A_CPU, cpu);
	}
	send_reply(r, &enc);
	return 0;
}

struct lister {
	struct life_req *r;
	struct crl_enc enc;
	unsigned int n;
};

static int list_one(void *arg, const char *id)
{
	struct lister *s = arg;
	ssize_t len;

	struct stat st;

	/* running, and a project of this policy's home_root (another helper
	 * on the host, with another policy, may run projects of its own) */
	if (cg_procs(id, NULL, 0) <= 0 ||
	    fstatat(s->r->h->home_root_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !project_home_valid(s->r->h->policy, &st))
		return 0;
	if (s->n == CRL_LIST_MAX) {
		crl_list_end(&s->enc);
		crl_put_u32(&s->enc, CRL_A_FLAGS, CRL_FS_MORE);
		len = crl_enc_finish(&s->enc);
		if (len < 0 || life_send(s->r, (size_t)len, NULL, 0) < 0)
			return EIO;
		begin(s->r, &s->enc);
		crl_list_begin(&s->enc, CRL_A_PROJECTS);
		s->n = 0;
	}
	crl_put_str(&s->enc, CRL_A_ITEM, id);
	s->n++;
	return 0;
}

static int do_list(struct life_req *r, struct life_err *e)
{
	static struct lister s;

	s.r = r;
	s.n = 0;
	begin(r, &s.enc);
	crl_list_begin(&s.enc, CRL_A_PROJECTS);
	if (cg_each(list_one, &s) != 0)
		return life_fail(e, EIO, "reading the cgroup tree");
	crl_list_end(&s.enc);
	send_reply(r, &s.enc);
	return 0;
}

/*
 * The launcher forks the next request process when this one says 't'.
 * exec says it only once its command runs (exec.c): a fork of the
 * launcher costs a hundred microseconds or more, and the scheduler tends
 * to run the woken launcher on the CPU of the process that woke it, in
 * the middle of the exec.  Every other request says it at once.
 */
void life_release(struct life_req *r)
{
	if (r->taken_fd < 0)
		return;
	(void)!write(r->taken_fd, "t", 1);
	close(r->taken_fd);
	r->taken_fd = -1;
}

/* In a launcher child: one request, start to end. */
void life_serve_request(const struct helper *h, int conn, int sock,
			const void *frame, size_t len, int taken_fd)
{
	static struct life_req r;
	static struct crl_msg m;
	struct life_err e = { 0, "" };
	int ret;

	/* every field but the output buffer (64 KiB, written before it is
	 * sent): zeroing that would fault in 16 pages for nothing */
	r.uid = 0;
	r.project = NULL;
	r.h = h;
	r.sock = sock;
	r.conn = conn;
	r.last_len = 0;
	r.home_fd = -1;
	r.taken_fd = taken_fd;
	r.frame = frame;
	r.frame_len = len;
	r.m = &m;
	if (!spawn_fd_ok(sock) || !spawn_fd_ok(conn) ||
	    crl_decode_request(frame, len, &m) != CRL_OK) {
		life_release(&r);
		return;         /* the connection process checked both: corrupt */
	}
	if (m.type != CRL_MSG_EXEC)
		life_release(&r);
	r.project = crl_msg_str(&m, CRL_A_PROJECT);
	if (m.type != CRL_MSG_LIST && !crl_project_id_valid(r.project)) {
		life_fail(&e, EINVAL, "project id is not a lower-case UUID");
		send_error(&r, &e);
		return;
	}
	switch (m.type) {
	case CRL_MSG_START: ret = do_start(&r, &e); break;
	case CRL_MSG_EXEC:
		ret = open_home(&r, &e);
		if (ret == 0)
			ret = life_exec(&r, &e);
		break;
	case CRL_MSG_STOP: ret = do_stop(&r, &e); break;
	case CRL_MSG_STATUS: ret = do_status(&r, &e); break;
	case CRL_MSG_LIST: ret = do_list(&r, &e); break;
	default:
		ret = life_fail(&e, EOPNOTSUPP, "not a lifecycle request");
	}
	if (ret < 0)
		send_error(&r, &e);
	life_release(&r);
	life_done(&r);
}

/* The code of one loaded object (the helper, each library): page tables
 * filled from the page cache, which costs no memory of its own. */
static int prefault_object(struct dl_phdr_info *info, size_t size, void *pg)
{
	uintptr_t mask = ~((uintptr_t)*(long *)pg - 1);

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start, end;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		start = (info->dlpi_addr + ph->p_vaddr) & mask;
		end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		(void)madvise((void *)start, end - start, MADV_POPULATE_READ);
	}
	return 0;
}

/* Room the serving code may use on the stack, touched once. */
static __attribute__((noinline)) void prefault_stack(void)
{
	volatile char room[32 * 1024];

	for (size_t i = 0; i < sizeof(room); i += 4096)
		room[i] = 0;
}

/*
 * Ahead of its request, a request process maps what serving it will
 * touch first: a fork copies no page-table entry of a file mapping, so
 * each page of code the request runs (the helper's, libc's) would
 * otherwise fault on its first use, and so would each new page of stack
 * (a copy-on-write).  Best effort: MADV_POPULATE_READ is Linux 5.14.
 */
static void prefault(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	prefault_stack();
	if (pg > 0)
		(void)dl_iterate_phdr(prefault_object, &pg);
}

/*
 * A request process, forked ahead of its request: it reads the next
 * request from the channel itself, tells the launcher it has one ('r'
 * on its pipe), serves it, and on the way tells the launcher to fork the
 * next one ('t', life_release()).  The fork, and the copy of the
 * launcher's page tables it costs, are thus done while no request waits.
 * 'x': the channel failed, the launcher ends; nothing (the pipe closed):
 * the helper is gone, or this process was killed.
 */
static __attribute__((noreturn)) void request_process(const struct helper *h,
						      int chan, int taken)
{
	static uint8_t buf[CRL_FRAME_MAX];
	int fds[2] = { -1, -1 };
	unsigned int nfds = 0;
	ssize_t n;

	prefault();
	for (;;) {
		nfds = 0;
		n = crl_recv_frame(chan, buf, sizeof(buf), fds, 2, &nfds);
		if (n == 0)
			_exit(0);       /* the helper is gone */
		if (n < 0) {
			if (n == CRL_E_IO && errno != EINTR) {
				(void)!write(taken, "x", 1);
				_exit(1);
			}
			continue;
		}
		if (nfds == 2)
			break;
		for (unsigned int i = 0; i < nfds; i++)
			close(fds[i]);
	}
	(void)!write(taken, "r", 1);
	close(chan);
	signal(SIGCHLD, SIG_DFL);
	life_serve_request(h, fds[0], fds[1], buf, (size_t)n, taken);
	_exit(0);
}

/* How long a request process may hold back 't' once it has taken a
 * request: past this, that request may be hanging (on a home whose file
 * system does not answer, say), and the next process is forked anyway. */
#define RELEASE_MS 50

/* What a request process says: 't' (fork the next one), 'x' (the
 * channel failed), or 0 (it ended, or was killed, before taking one). */
static char await_child(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int busy = 0, n;
	ssize_t k;
	char c;

	for (;;) {
		n = poll(&p, 1, busy ? RELEASE_MS : -1);
		if (n == 0)
			return 't';
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return busy ? 't' : 0;
		}
		k = read(fd, &c, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)             /* gone, after a request: no pause */
			return busy ? 't' : 0;
		if (c != 'r')
			return c;
		busy = 1;
	}
}

static __attribute__((noreturn)) void launcher_main(const struct helper *h,
						    int chan)
{
	/* never executes anything itself; the project processes set it too */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(1);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGCHLD, SIG_IGN);       /* children reaped by the kernel */
	signal(SIGPIPE, SIG_IGN);
	/* the start-up (policy, seccomp filters) left many small freed
	 * chunks; merged once here, not again by every request process at
	 * its first larger allocation (touching, and so copying, each page
	 * of the heap they lie on) */
	malloc_trim(0);
	for (;;) {
		struct pollfd p = { .fd = chan, .events = 0 };
		int tp[2];
		char c = 0;
		pid_t pid;

		if (pipe2(tp, O_CLOEXEC) < 0) {
			sleep_ms(10);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			close(tp[0]);
			request_process(h, chan, tp[1]);
		}
		close(tp[1]);
		if (pid > 0)
			c = await_child(tp[0]);
		close(tp[0]);
		if (c == 't')
			continue;
		if (c == 'x')
			_exit(1);
		/* no request taken: the helper is gone (every other end of
		 * the channel closed), or the fork failed or the process was
		 * killed; then try again, without spinning */
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
			_exit(0);
		sleep_ms(10);
	}
}

/*
 * Fork the launcher: after the capability reduction, before the seccomp
 * allowlist.  Lifecycle requests are refused (life_unavailable) when the
 * cgroups they need are missing.
 */
/* Before the capability reduction: find the cgroups, make our own
 * directory in them (cgroup.c). */
void launcher_prepare(struct helper *h)
{
	static char buf[256];
	const char *why = NULL;

	if (project_seccomp_prepare(h->policy, buf, sizeof(buf)) < 0) {
		why = buf;
		h->life_unavailable = why;
	} else if (cg_init(&why) < 0) {
		h->life_unavailable = why;
	} else if (cg_prepare() < 0) {
		why = "cannot create the corral cgroup directories";
		h->life_unavailable = why;
	}
	if (why)
		log_error("lifecycle requests refused: %s", why);
}

int launcher_spawn(struct helper *h)
{
	int sv[2];
	pid_t pid;

	h->launcher_fd = -1;
	if (h->life_unavailable)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		/* no client socket, no listening socket in here */
		if (h->listen_fd >= 0)
			close(h->listen_fd);
		if (h->spawn_fd >= 0)
			close(h->spawn_fd);
		launcher_main(h, sv[1]);
	}
	close(sv[1]);
	h->launcher_fd = sv[0];
	h->launcher_pid = pid;
	return 0;
}
