/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corrald [--config FILE] [--log-stderr] [--check]
 *
 * Start-up order:
 *   1. read the configuration and the hub's public keys (refuse on error)
 *   2. take the listen sockets: from systemd (LISTEN_FDS) or bind them
 *   3. started as root: drop to the configured user for good (setgroups,
 *      setresgid, setresuid) and prove it (setuid(0) must fail, the saved
 *      ids are the user's); the user must not be root
 *   4. no_new_privs (unless the helper is spawned, which needs its
 *      setuid bit), non-dumpable (tokens in memory)
 *   5. start one libmicrohttpd daemon per listen socket, each with its
 *      own pool of epoll threads, and wait for SIGTERM/SIGINT
 * The helper is reached only after the drop, so the helper sees corrald's
 * real uid (its policy's frontend_user).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "frontend/corrald.h"

#define LISTEN_MAX 4

static void usage(FILE *f)
{
	fprintf(f, "usage: corrald [--config FILE] [--log-stderr] [--check]\n");
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static int die(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "corrald: %s\n", buf);
	syslog(LOG_ERR, "event=fatal detail=\"%s\"", buf);
	exit(1);
}

/* systemd socket activation: fds 3.. when LISTEN_PID is ours. */
static int listen_fds_from_systemd(int *fds, int max)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	long v;

	if (!pid || !n || strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	v = strtol(n, NULL, 10);
	if (v < 1 || v > max)
		die("LISTEN_FDS=%s: expected 1..%d sockets", n, max);
	for (int i = 0; i < v; i++) {
		fds[i] = 3 + i;
		if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0)
			die("LISTEN_FDS: fd %d: %s", fds[i], strerror(errno));
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (int)v;
}

static int bind_tcp(const char *addr)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints, *res = NULL;
	int fd, one = 1, r;
	size_t hl = (size_t)(colon - addr);

	if (hl >= sizeof(host))
		die("listen address too long");
	memcpy(host, addr, hl);
	host[hl] = '\0';
	/* [::1]:8470 */
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	r = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (r)
		die("listen address %s: %s", addr, gai_strerror(r));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
		die("bind %s: %s", addr, strerror(errno));
	freeaddrinfo(res);
	if (listen(fd, 1024) < 0)
		die("listen %s: %s", addr, strerror(errno));
	return fd;
}

static int bind_unix(const char *path, unsigned int mode, const struct passwd *pw)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		die("unix socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	/* a stale socket of a previous run; anything else stays */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			die("%s exists and is not a socket", path);
		if (unlink(path) < 0)
			die("unlink %s: %s", path, strerror(errno));
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind %s: %s", path, strerror(errno));
	umask(old);
	if (pw && chown(path, pw->pw_uid, pw->pw_gid) < 0)
		die("chown %s: %s", path, strerror(errno));
	if (chmod(path, (mode_t)mode) < 0)
		die("chmod %s: %s", path, strerror(errno));
	if (listen(fd, 1024) < 0)
		die("listen %s: %s", path, strerror(errno));
	return fd;
}

/* Become pw for good, and check that nothing of root is left. */
static void drop_root(const struct passwd *pw)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;

	if (uid == 0 || gid == 0)
		die("user %s is root: refusing to run as root", pw->pw_name);
	if (setgroups(0, NULL) < 0)
		die("setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid) < 0)
		die("setresgid: %s", strerror(errno));
	if (setresuid(uid, uid, uid) < 0)
		die("setresuid: %s", strerror(errno));
	/* prove it */
	if (setuid(0) == 0 || seteuid(0) == 0)
		die("could regain root after dropping it");
	if (setgid(0) == 0 || setegid(0) == 0)
		die("could regain gid 0 after dropping it");
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid ||
	    getresgid(&rg, &eg, &sg) < 0 || rg != gid || eg != gid || sg != gid)
		die("ids after the drop are not %u/%u", (unsigned int)uid,
		    (unsigned int)gid);
	if (getgroups(0, NULL) != 0)
		die("supplementary groups left after the drop");
}

static struct MHD_Daemon *start_daemon(struct cd_server *s, int fd, int is_unix)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem opts[16];
	int n = 0;

	if (s->log_stderr)
		flags |= MHD_USE_ERROR_LOG;
#define OPT(o, v, p) do { opts[n].option = (o); opts[n].value = (intptr_t)(v); \
		opts[n].ptr_value = (p); n++; } while (0)
	OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	if (s->conf.threads > 1)
		OPT(MHD_OPTION_THREAD_POOL_SIZE, s->conf.threads, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, s->conf.connections, NULL);
	if (!is_unix)
		OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->conf.connections_per_ip, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->conf.connection_memory, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, s->conf.connection_timeout, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)cd_http_completed, s);
	OPT(MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)cd_http_unescape, NULL);
	OPT(MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL);
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, 0, NULL, NULL, cd_http_access, s,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log-stderr", no_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cd_server s;
	const char *config = CD_CONF_PATH_DEFAULT;
	struct MHD_Daemon *d[LISTEN_MAX];
	int fds[LISTEN_MAX], is_unix[LISTEN_MAX], nfds, check_only = 0, c;
	int was_root = getuid() == 0 || geteuid() == 0, bound_unix = 0;
	struct passwd *pw = NULL;
	char err[1024];
	sigset_t set;

	while ((c = getopt_long(argc, argv, "c:", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'l': s.log_stderr = 1; break;
		case 'C': check_only = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("corrald %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (sodium_init() < 0)
		die("libsodium failed to initialise");
	if (cd_conf_load(&s.conf, config, err, sizeof(err)))
		die("%s", err);
	if (check_only) {
		printf("%s: OK (%u public key%s)\n", config, s.conf.nkeys,
		       s.conf.nkeys == 1 ? "" : "s");
		return 0;
	}
	cd_audit_open(s.log_stderr);
	signal(SIGPIPE, SIG_IGN);

	if (was_root) {
		pw = getpwnam(s.conf.user);
		if (!pw)
			die("user %s does not exist (set [daemon] user)", s.conf.user);
	}
	nfds = listen_fds_from_systemd(fds, LISTEN_MAX);
	for (int i = 0; i < nfds; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		is_unix[i] = getsockname(fds[i], (struct sockaddr *)&ss, &sl) == 0 &&
			     ss.ss_family == AF_UNIX;
	}
	if (!nfds) {
		if (s.conf.tcp_address) {
			is_unix[nfds] = 0;
			fds[nfds++] = bind_tcp(s.conf.tcp_address);
		}
		if (s.conf.unix_path) {
			is_unix[nfds] = 1;
			fds[nfds++] = bind_unix(s.conf.unix_path, s.conf.unix_mode, pw);
			bound_unix = 1;
		}
	}
	if (was_root)
		drop_root(pw);
	if (getuid() == 0 || geteuid() == 0)
		die("still root: refusing to run");
	if (!s.conf.helper_spawn && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs: %s", strerror(errno));
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	s.jwt.keys = (const uint8_t (*)[32])s.conf.keys;
	s.jwt.nkeys = s.conf.nkeys;
	s.jwt.aud = s.conf.host_id;
	s.jwt.skew = s.conf.clock_skew;
	s.jwt.max_bytes = s.conf.max_token_bytes;
	s.jwt.max_lifetime = s.conf.max_token_lifetime;
	if (s.conf.single_use_tokens) {
		s.replay = cd_replay_new(s.conf.replay_cache_size);
		if (!s.replay)
			die("out of memory");
		s.jwt.replay = s.replay;
	}
	s.rate_token = cd_rate_new(s.conf.rate_per_token, s.conf.burst_per_token, 16384);
	s.rate_addr = cd_rate_new(s.conf.rate_per_address, s.conf.burst_per_address, 16384);
	if (!s.rate_token || !s.rate_addr)
		die("out of memory");

	/* the daemons' threads inherit this mask: signals come to sigwait */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < nfds; i++) {
		d[i] = start_daemon(&s, fds[i], is_unix[i]);
		if (!d[i])
			die("cannot start the HTTP server on socket %d", i);
	}
	syslog(LOG_NOTICE, "event=start uid=%u listen=%s%s%s helper=%s keys=%u single_use=%s",
	       (unsigned int)getuid(), s.conf.tcp_address ? s.conf.tcp_address : "",
	       s.conf.tcp_address && s.conf.unix_path ? "," : "",
	       s.conf.unix_path ? s.conf.unix_path : "",
	       s.conf.helper_spawn ? "spawn" : s.conf.helper_socket, s.conf.nkeys,
	       s.conf.single_use_tokens ? "yes" : "no");
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) == 0)
			break;
	}
	syslog(LOG_NOTICE, "event=stop");
	for (int i = 0; i < nfds; i++)
		MHD_stop_daemon(d[i]);
	/* only a socket we made; may fail: the directory is not ours to
	 * write any more after the drop */
	if (bound_unix)
		unlink(s.conf.unix_path);
	cd_rate_free(s.rate_token);
	cd_rate_free(s.rate_addr);
	cd_replay_free(s.replay);
	cd_conf_free(&s.conf);
	return 0;
}
