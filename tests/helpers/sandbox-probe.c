/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sandbox-probe: tries one thing a project process must not (or must) be
 * able to do, and prints what happened as one line "WHAT: RESULT", RESULT
 * being "ok" or the errno name (EPERM, ENOSYS...).  The integration tests
 * run it inside a project with "corralctl exec" and judge the line; the
 * probe itself judges nothing, so the same binary run on the host shows
 * that each attempt does succeed without the sandbox.
 *
 *   sandbox-probe mount                 mount a tmpfs on /tmp/.probe-mnt
 *   sandbox-probe fsopen                the new mount API (fsopen)
 *   sandbox-probe userns                unshare(CLONE_NEWUSER)
 *   sandbox-probe netns                 unshare(CLONE_NEWNET)
 *   sandbox-probe clone3                clone3() with CLONE_NEWUSER
 *   sandbox-probe keyctl                add_key() to the process keyring
 *   sandbox-probe keyjoin               join a new session keyring
 *   sandbox-probe handle PATH           name_to_handle_at + open_by_handle_at
 *   sandbox-probe tiocsti [FD]          TIOCSTI on FD (default 0)
 *   sandbox-probe tiocsti-high [FD]     the same with bit 32 set in the
 *                                       ioctl number (the kernel ignores it)
 *   sandbox-probe tioclinux[-high] [FD] TIOCLINUX, the same two ways
 *   sandbox-probe read PATH             open and read one byte
 *   sandbox-probe write PATH            create or truncate, write 4 bytes
 *   sandbox-probe fill PATH             write until an error: bytes, errno
 *   sandbox-probe fds                   descriptors open at start, "fds: 0 1 2"
 *   sandbox-probe procs                 pids listed in /proc, "procs: 1 7 ..."
 *   sandbox-probe ifaces                network interfaces, "ifaces: lo"
 *   sandbox-probe connect ADDR PORT     TCP connect to an IPv4 address
 *   sandbox-probe listen ADDR PORT      listen (PORT 0: any free port), print
 *                                       "listening PORT", accept connections
 *                                       until killed (host side)
 *   sandbox-probe unix-listen PATH      bind a SOCK_SEQPACKET socket at PATH,
 *                                       print "listening", take one
 *                                       connection and read it to its end
 *                                       (or 3 s of silence, then close it):
 *                                       "unix-listen: BYTES bytes FDS fds"
 *                                       (host side)
 *   sandbox-probe kill PID [SIG]        kill(PID, SIG) (default 0)
 *   sandbox-probe forkbomb              fork children that wait until a
 *                                       fork fails: "forkbomb: N ERRNO"
 *   sandbox-probe memhog MB             a child touches MB MiB: "memhog:
 *                                       done" or "memhog: killed SIG"
 *   sandbox-probe ipc                   create a SysV shm, sem set and msg
 *                                       queue and leave them
 *   sandbox-probe daemon                double-fork a process that sleeps,
 *                                       print its pid, return
 *
 * Exit status: 0 when the line was printed, 2 on a usage error.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sched.h>
#include <termios.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case ENOSYS: return "ENOSYS";
	case EDQUOT: return "EDQUOT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENETUNREACH: return "ENETUNREACH";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EUSERS: return "EUSERS";
	case ENOSTR: return "ENOSTR";
	default: {
		static char buf[32];
		snprintf(buf, sizeof(buf), "E%d", e);
		return buf;
	}
	}
}

static int say(const char *what, int err)
{
	printf("%s: %s\n", what, ename(err));
	return 0;
}

static int rc_errno(long r)
{
	return r < 0 ? errno : 0;
}

static int p_mount(void)
{
	const char *dir = "/tmp/.probe-mnt";
	int r;

	int e;

	mkdir(dir, 0700);
	r = mount("probe", dir, "tmpfs", 0, "size=1M");
	e = rc_errno(r);
	if (r == 0)
		umount(dir);
	rmdir(dir);
	return say("mount", e);
}

static int p_fsopen(void)
{
#ifdef SYS_fsopen
	long fd = syscall(SYS_fsopen, "tmpfs", 0);

	if (fd >= 0)
		close((int)fd);
	return say("fsopen", rc_errno(fd));
#else
	return say("fsopen", ENOSYS);
#endif
}

static int p_unshare(const char *what, int flag)
{
	return say(what, rc_errno(unshare(flag)));
}

static int p_clone3(void)
{
#ifdef SYS_clone3
	struct clone_args ca;
	long pid;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWUSER;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return say("clone3", rc_errno(pid));
#else
	return say("clone3", ENOSYS);
#endif
}

static int p_keyctl(void)
{
	/* add_key("user", "probe", "x", 1, KEY_SPEC_PROCESS_KEYRING) */
	long r = syscall(SYS_add_key, "user", "corral-probe", "x", (size_t)1,
			 (int32_t)-2);

	return say("keyctl", rc_errno(r));
}

static int p_keyjoin(void)
{
	/* keyctl(KEYCTL_JOIN_SESSION_KEYRING, name) */
	long r = syscall(SYS_keyctl, 1, "corral-probe");

	return say("keyjoin", rc_errno(r));
}

static int p_handle(const char *path)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[128];
	} h;
	int mnt = -1, r, fd;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(h.bytes);
	r = name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0);
	if (r < 0) {
		/* a made-up handle still reaches the permission check */
		h.fh.handle_bytes = 8;
		h.fh.handle_type = 1;
	}
	fd = open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY);
	if (fd >= 0)
		close(fd);
	return say("open_by_handle_at", rc_errno(fd));
}

static int p_tiocsti(int fd, int high)
{
	unsigned long cmd = TIOCSTI;
	char c = ' ';
	long r;

	if (high)
		cmd |= 1UL << 32;
	r = syscall(SYS_ioctl, fd, cmd, &c);
	return say(high ? "tiocsti-high" : "tiocsti", rc_errno(r));
}

static int p_tioclinux(int fd, int high)
{
	unsigned long cmd = TIOCLINUX;
	char sub = 0;
	long r;

	if (high)
		cmd |= 1UL << 32;
	r = syscall(SYS_ioctl, fd, cmd, &sub);
	return say(high ? "tioclinux-high" : "tioclinux", rc_errno(r));
}

static int p_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int e = 0;

	if (fd < 0)
		return say("read", errno);
	if (read(fd, &c, 1) < 0)
		e = errno;
	close(fd);
	return say("read", e);
}

static int p_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int e = 0;

	if (fd < 0)
		return say("write", errno);
	if (write(fd, "abc\n", 4) != 4)
		e = errno ? errno : EIO;
	if (close(fd) < 0 && !e)
		e = errno;
	return say("write", e);
}

static int p_fill(const char *path)
{
	static char buf[64 * 1024];
	unsigned long long total = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int e = 0;

	if (fd < 0)
		return say("fill", errno);
	memset(buf, 'x', sizeof(buf));
	/* stop at 4 GiB whatever happens: a /tmp without a bound must not
	 * fill the host's memory */
	while (total < (4ull << 30)) {
		ssize_t n = write(fd, buf, sizeof(buf));

		if (n < 0) {
			e = errno;
			break;
		}
		total += (unsigned long long)n;
	}
	close(fd);
	unlink(path);
	printf("fill: %llu %s\n", total, ename(e));
	return 0;
}

static int p_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self;

	if (!d)
		return say("fds", errno);
	self = dirfd(d);
	printf("fds:");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == self)
			continue;
		printf(" %s", de->d_name);
	}
	printf("\n");
	closedir(d);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int p_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int pids[4096];
	unsigned int n = 0;

	if (!d)
		return say("procs", errno);
	while ((de = readdir(d)) != NULL && n < 4096)
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			pids[n++] = atoi(de->d_name);
	closedir(d);
	qsort(pids, n, sizeof(int), cmp_int);
	printf("procs:");
	for (unsigned int i = 0; i < n; i++)
		printf(" %d", pids[i]);
	printf("\n");
	return 0;
}

static int p_ifaces(void)
{
	struct if_nameindex *ni = if_nameindex(), *i;

	if (!ni)
		return say("ifaces", errno);
	printf("ifaces:");
	for (i = ni; i->if_index; i++)
		printf(" %s", i->if_name);
	printf("\n");
	if_freenameindex(ni);
	return 0;
}

static int p_connect(const char *addr, const char *port)
{
	struct sockaddr_in sa;
	int s, r, e;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return say("connect", EINVAL);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return say("connect", errno);
	r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	e = r < 0 ? errno : 0;
	close(s);
	return say("connect", e);
}

static int p_listen(const char *addr, const char *port)
{
	struct sockaddr_in sa;
	int s, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return say("listen", EINVAL);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return say("listen", errno);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0)
		return say("listen", errno);
	{
		socklen_t sl = sizeof(sa);

		if (getsockname(s, (struct sockaddr *)&sa, &sl) < 0)
			return say("listen", errno);
	}
	printf("listening %u\n", (unsigned)ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);

		if (c >= 0)
			close(c);
	}
}

static int p_unix_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(16 * sizeof(int))];
	} cm;
	char data[4096];
	long bytes = 0, fds = 0;
	int s, c;

	if (strlen(path) >= sizeof(sa.sun_path))
		return say("unix-listen", ENAMETOOLONG);
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 1) < 0)
		return say("unix-listen", errno);
	printf("listening\n");
	c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return say("unix-listen", errno);
	for (;;) {
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
		};
		struct pollfd pf = { .fd = c, .events = POLLIN };
		ssize_t n = poll(&pf, 1, 3000) == 1 ?
			recvmsg(c, &mh, MSG_CMSG_CLOEXEC) : -1;

		if (n <= 0)
			break;
		bytes += n;
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h;
		     h = CMSG_NXTHDR(&mh, h))
			if (h->cmsg_level == SOL_SOCKET &&
			    h->cmsg_type == SCM_RIGHTS)
				fds += (long)((h->cmsg_len - CMSG_LEN(0)) /
					      sizeof(int));
	}
	close(c);
	unlink(path);
	printf("unix-listen: %ld bytes %ld fds\n", bytes, fds);
	return 0;
}

static int p_kill(const char *pid, const char *sig)
{
	return say("kill", rc_errno(kill((pid_t)atoi(pid), sig ? atoi(sig) : 0)));
}

/* Children block on a pipe until the parent, after its first failed fork,
 * closes the write end; then everyone is gone. */
static int p_forkbomb(void)
{
	int pfd[2], n = 0, e = 0;
	char c;

	if (pipe(pfd) < 0)
		return say("forkbomb", errno);
	while (n < 100000) {
		pid_t p = fork();

		if (p == 0) {
			close(pfd[1]);
			if (read(pfd[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (p < 0) {
			e = errno;
			break;
		}
		n++;
	}
	close(pfd[1]);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	printf("forkbomb: %d %s\n", n, ename(e));
	return 0;
}

static int p_memhog(const char *mb)
{
	size_t len = (size_t)atoi(mb) << 20;
	pid_t p;
	int st;

	fflush(stdout);
	p = fork();
	if (p < 0)
		return say("memhog", errno);
	if (p == 0) {
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(3);
		for (size_t i = 0; i < len; i += 4096)
			m[i] = 1;
		_exit(0);
	}
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		printf("memhog: killed %d\n", WTERMSIG(st));
	else if (WEXITSTATUS(st) == 0)
		printf("memhog: done\n");
	else
		printf("memhog: exit %d\n", WEXITSTATUS(st));
	return 0;
}

static int p_ipc(void)
{
	int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	printf("ipc: %s %s %s\n", shm < 0 ? ename(errno) : "ok",
	       sem < 0 ? ename(errno) : "ok", msg < 0 ? ename(errno) : "ok");
	return 0;
}

/* The grandchild: new session, no stdio of ours, sleeps until killed. */
static int p_daemon(void)
{
	int pfd[2];
	pid_t p;
	int gp = 0;

	if (pipe(pfd) < 0)
		return say("daemon", errno);
	fflush(stdout);
	p = fork();
	if (p < 0)
		return say("daemon", errno);
	if (p == 0) {
		pid_t q;

		setsid();
		q = fork();
		if (q == 0) {
			int fd = open("/dev/null", O_RDWR);

			gp = (int)getpid();
			if (write(pfd[1], &gp, sizeof(gp)) < 0)
				_exit(1);
			close(pfd[0]);
			close(pfd[1]);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			for (;;)
				pause();
		}
		_exit(q < 0 ? 1 : 0);
	}
	close(pfd[1]);
	waitpid(p, NULL, 0);
	if (read(pfd[0], &gp, sizeof(gp)) != sizeof(gp))
		return say("daemon", EIO);
	printf("daemon: %d\n", gp);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *a1 = argc > 2 ? argv[2] : NULL;
	const char *a2 = argc > 3 ? argv[3] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(op, "mount"))
		return p_mount();
	if (!strcmp(op, "fsopen"))
		return p_fsopen();
	if (!strcmp(op, "userns"))
		return p_unshare("userns", CLONE_NEWUSER);
	if (!strcmp(op, "netns"))
		return p_unshare("netns", CLONE_NEWNET);
	if (!strcmp(op, "clone3"))
		return p_clone3();
	if (!strcmp(op, "keyctl"))
		return p_keyctl();
	if (!strcmp(op, "keyjoin"))
		return p_keyjoin();
	if (!strcmp(op, "tioclinux"))
		return p_tioclinux(a1 ? atoi(a1) : 0, 0);
	if (!strcmp(op, "tioclinux-high"))
		return p_tioclinux(a1 ? atoi(a1) : 0, 1);
	if (!strcmp(op, "handle") && a1)
		return p_handle(a1);
	if (!strcmp(op, "tiocsti"))
		return p_tiocsti(a1 ? atoi(a1) : 0, 0);
	if (!strcmp(op, "tiocsti-high"))
		return p_tiocsti(a1 ? atoi(a1) : 0, 1);
	if (!strcmp(op, "read") && a1)
		return p_read(a1);
	if (!strcmp(op, "write") && a1)
		return p_write(a1);
	if (!strcmp(op, "fill") && a1)
		return p_fill(a1);
	if (!strcmp(op, "fds"))
		return p_fds();
	if (!strcmp(op, "procs"))
		return p_procs();
	if (!strcmp(op, "ifaces"))
		return p_ifaces();
	if (!strcmp(op, "connect") && a2)
		return p_connect(a1, a2);
	if (!strcmp(op, "listen") && a2)
		return p_listen(a1, a2);
	if (!strcmp(op, "unix-listen") && a1)
		return p_unix_listen(a1);
	if (!strcmp(op, "kill") && a1)
		return p_kill(a1, a2);
	if (!strcmp(op, "forkbomb"))
		return p_forkbomb();
	if (!strcmp(op, "memhog") && a1)
		return p_memhog(a1);
	if (!strcmp(op, "ipc"))
		return p_ipc();
	if (!strcmp(op, "daemon"))
		return p_daemon();
	fprintf(stderr, "sandbox-probe: unknown or incomplete operation: %s\n", op);
	return 2;
}
