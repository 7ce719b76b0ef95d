/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Service mode: the listening socket and the accept loop.
 *
 * Each accepted connection is served by a forked process of its own, so a
 * slow request on one connection never stalls another, and a crash ends
 * one connection, not the service (DESIGN §1).  The listener itself does
 * nothing but accept, count and reap.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper/helper.h"

/* A socket handed to us (systemd, --fd) must be what we expect. */
static int socket_is(int fd, int want_listening)
{
	int type = 0, domain = 0, acc = 0;
	socklen_t l1 = sizeof(type), l2 = sizeof(domain), l3 = sizeof(acc);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l2) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l3) < 0)
		return 0;
	return type == SOCK_SEQPACKET && domain == AF_UNIX &&
	       (acc != 0) == (want_listening != 0);
}

int spawn_fd_ok(int fd)
{
	return socket_is(fd, 0);
}

/*
 * The socket's directory must be root's alone, or whoever can write it
 * could replace the socket under a client.  The last component is created
 * if missing (/run/corral when started by hand).
 */
static int check_socket_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;

	strcpy(dir, path);  /* length checked by the caller */
	slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		errno = EINVAL;
		return -1;
	}
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* A leftover socket from an earlier run is replaced; anything else not. */
static int clear_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return unlink(path);
}

static int bind_socket(struct helper *h, const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (check_socket_dir(path) < 0 || clear_stale(path) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* umask 077 is in force: the socket is born 0600, listens at once
	 * (root's connections wait in the backlog from the first instant the
	 * name exists) and only then is opened up to the frontend's group */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0 ||
	    chown(path, 0, h->policy->frontend_gid) < 0 ||
	    chmod(path, 0660) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int listen_setup(struct helper *h)
{
	const char *path = h->socket_override ? h->socket_override
					      : h->policy->socket_path;

	if (h->listen_from_systemd) {
		if (!socket_is(3, 1)) {
			errno = ENOTSOCK;
			return -1;
		}
		h->listen_fd = 3;
		return fcntl(3, F_SETFD, FD_CLOEXEC);
	}
	h->listen_fd = bind_socket(h, path);
	return h->listen_fd < 0 ? -1 : 0;
}

/* Returns -1 when the launcher has ended: lifecycle requests could no
 * longer be served, so the helper stops too (and is restarted by its
 * service manager) rather than limp on. */
static int reap(struct helper *h)
{
	int status, ret = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (h->launcher_pid > 0 && pid == h->launcher_pid) {
			log_error("the launcher ended (status %d): exiting",
				  status);
			h->launcher_pid = -1;   /* seen by listen_serve() */
			ret = -1;
			continue;
		}
		if (h->nconn)
			h->nconn--;
		if (WIFSIGNALED(status))
			log_error("connection process %d killed by signal %d",
				  (int)pid, WTERMSIG(status));
	}
	return ret;
}

static void refuse_busy(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	memset(&cr, 0, sizeof(cr));
	(void)getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len);
	audit_peer(cr.uid, cr.pid, "connect", "busy", EAGAIN,
		   "connection limit reached");
	refuse_connection(fd, EAGAIN, "helper busy: connection limit reached");
}

static void accept_one(struct helper *h, int sfd)
{
	int fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return;
	/* children that ended since the last SIGCHLD was read free their
	 * slots now, not after this client was turned away */
	(void)reap(h);
	if (h->nconn >= h->policy->max_connections) {
		refuse_busy(fd);
		close(fd);
		return;
	}
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		close(h->listen_fd);
		close(sfd);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		audit_reopen();
		serve_connection(h, fd);
		_exit(0);
	}
	if (pid > 0)
		h->nconn++;
	else
		log_error("fork: %s", strerror(errno));
	close(fd);
}

/* Returns 1 on a termination signal, -1 when the launcher ended, 0
 * otherwise. */
static int handle_signal(struct helper *h, int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	if (si.ssi_signo == SIGCHLD)
		return reap(h) < 0 ? -1 : 0;
	log_info("signal %u: no longer accepting connections", si.ssi_signo);
	return 1;
}

int listen_serve(struct helper *h)
{
	sigset_t set;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return -1;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = h->listen_fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[1].revents & POLLIN) {
			int r = handle_signal(h, sfd);

			if (r < 0) {
				close(sfd);
				return -1;
			}
			if (r > 0)
				break;
		}
		if (p[0].revents & POLLIN)
			accept_one(h, sfd);
		if (h->launcher_pid < 0) {
			close(sfd);
			return -1;
		}
	}
	close(sfd);
	return 0;
}
