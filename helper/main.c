/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corral-helper: the privileged half of corral.
 *
 *   corral-helper [--policy FILE] [--socket PATH]   service mode
 *   corral-helper --fd N [--policy FILE]            spawn mode
 *
 * Start-up order, and why:
 *  1. non-dumpable, stdio sane, inherited fds closed, environment emptied
 *     (startup.c) - before a byte of input is read;
 *  2. the policy is read with the caller's filesystem identity when the
 *     caller is not root (setuid or file-capability start), so a caller can
 *     make us read only files it could read itself - no error message can
 *     leak a root-only file;
 *  3. the caller is checked: service mode needs root, spawn mode needs the
 *     policy's frontend_user as real uid, after which every id becomes 0;
 *     then the helper's binary and socket directory must be root's alone
 *     (selfcheck.c);
 *  4. a missing home_root is created and opened once, O_PATH, for every
 *     later file operation; supplementary groups are dropped; the socket
 *     is set up;
 *  5. capabilities reduced, securebits locked, the launcher forked (the
 *     one process that builds sandboxes, launcher.c), then the seccomp
 *     allowlist loaded;
 *  6. only then is the first frame read.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "helper/helper.h"
#include "helper/selfcheck.h"
#include "helper/life.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "corral-helper: %s\n", msg);
	syslog(LOG_AUTHPRIV | LOG_ERR, "fatal: %s", msg);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: corral-helper [--policy FILE] [--socket PATH] [--log-stderr]\n"
		"       corral-helper --fd N [--policy FILE] [--log-stderr]\n"
		"       corral-helper --help | --version\n");
}

static int parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 3 || v > INT_MAX)
		return -1;
	return (int)v;
}

static void parse_args(struct helper *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'f' },
		{ "log-stderr", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': h->policy_path = optarg; break;
		case 's': h->socket_override = optarg; break;
		case 'l': h->log_stderr = 1; break;
		case 'f':
			h->spawn_fd = parse_fd(optarg);
			if (h->spawn_fd < 0)
				die("--fd: '%s' is not a descriptor number >= 3", optarg);
			h->mode = MODE_SPAWN;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("corral-helper %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (h->mode == MODE_SPAWN && h->socket_override)
		die("--socket and --fd exclude each other");
}

/* systemd socket activation: LISTEN_PID must name us; one socket only. */
static int systemd_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	char *end;
	long v;

	if (!pid || !n)
		return 0;
	errno = 0;
	v = strtol(pid, &end, 10);
	if (errno || *end || v != (long)getpid())
		return 0;
	v = strtol(n, &end, 10);
	if (errno || *end || v < 0 || v > 64)
		die("LISTEN_FDS: bad value");
	return (int)v;
}

static int set_fs_ids(uid_t u, gid_t g)
{
	setfsgid(g);
	setfsuid(u);
	/* setfs*id return the previous value: a second call reads it back */
	if ((uid_t)setfsuid(u) != u || (gid_t)setfsgid(g) != g) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void load_policy(struct helper *h)
{
	uid_t ruid = getuid();
	gid_t rgid = getgid();

	if (ruid != 0 && set_fs_ids(ruid, rgid) < 0)
		die("cannot take the caller's filesystem identity");
	if (crl_policy_load(h->policy_path, &h->policy, stderr) < 0)
		die("%s: policy refused (see the errors above)", h->policy_path);
	if (ruid != 0 && set_fs_ids(0, 0) < 0)
		die("cannot restore the filesystem identity");
	if (crl_policy_digest(h->policy, h->policy_digest) < 0)
		die("cannot compute the policy digest");
}

static void check_caller(struct helper *h)
{
	uid_t ruid = getuid();

	if (h->mode == MODE_SERVICE) {
		if (ruid != 0 || geteuid() != 0)
			die("service mode must be started by root (real uid %u)",
			    (unsigned int)ruid);
		return;
	}
	if (ruid != h->policy->frontend_uid)
		die("spawn mode: real uid %u is not frontend_user '%s' (uid %u)",
		    (unsigned int)ruid, h->policy->frontend_user,
		    (unsigned int)h->policy->frontend_uid);
	if (priv_become_root_only() < 0)
		die("spawn mode: cannot switch to root ids: %s (is the helper "
		    "installed setuid root or with file capabilities?)",
		    strerror(errno));
	if (!spawn_fd_ok(h->spawn_fd))
		die("--fd %d is not a connected SOCK_SEQPACKET Unix socket",
		    h->spawn_fd);
}

/*
 * home_root, opened once: every project home is reached from this
 * descriptor, never from the path again.  No symbolic link on the way
 * (the policy loader checked the path; this closes the window since).
 * Without openat2 the helper still serves, but refuses create and every
 * file operation rather than resolve paths some weaker way (DESIGN §6).
 */
static void open_home_root(struct helper *h)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	long fd;

	fd = syscall(SYS_openat2, AT_FDCWD, h->policy->home_root, &how,
		     sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		h->fs_unavailable = "openat2 is not available (Linux 5.6 or "
			"later needed): create and file operations refused";
		log_error("%s", h->fs_unavailable);
		return;
	}
	if (fd < 0)
		die("cannot open home_root %s: %s", h->policy->home_root,
		    strerror(errno));
	if (fstat((int)fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022))
		die("home_root %s must be owned by root and not writable by "
		    "group or others", h->policy->home_root);
	h->home_root_fd = (int)fd;
}

int main(int argc, char **argv)
{
	struct helper h;
	int keep[1], nkeep = 0, nsd;
	const char *missing = NULL;
	char hex[65], why[1024];

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	memset(&h, 0, sizeof(h));
	h.policy_path = CORRAL_POLICY_PATH;
	h.spawn_fd = -1;
	h.listen_fd = -1;
	h.home_root_fd = -1;
	h.launcher_fd = -1;
	parse_args(&h, argc, argv);

	nsd = systemd_fds();
	if (nsd > 1)
		die("socket activation passed %d sockets; exactly one expected", nsd);
	if (nsd == 1 && h.mode == MODE_SPAWN)
		die("--fd cannot be combined with socket activation");
	if (nsd == 1) {
		h.listen_from_systemd = 1;
		keep[nkeep++] = 3;
	} else if (h.mode == MODE_SPAWN) {
		keep[nkeep++] = h.spawn_fd;
	}
	if (startup_hygiene(keep, (unsigned int)nkeep) < 0)
		die("start-up hygiene failed: %s", strerror(errno));

	load_policy(&h);
	check_caller(&h);
	if (selfcheck(&h, why, sizeof(why)) < 0)
		die("refusing to run: %s", why);
	audit_open(h.log_stderr);
	if (h.policy->home_root_missing && homeroot_ensure(h.policy->home_root) < 0)
		die("cannot create home_root %s: %s", h.policy->home_root,
		    strerror(errno));
	open_home_root(&h);
	if (priv_clear_groups() < 0)
		die("cannot drop supplementary groups: %s", strerror(errno));
	if (h.mode == MODE_SERVICE && listen_setup(&h) < 0)
		die("cannot listen on %s: %s", h.listen_from_systemd ? "fd 3" :
		    (h.socket_override ? h.socket_override : h.policy->socket_path),
		    strerror(errno));
	launcher_prepare(&h);
	if (priv_reduce_caps(&missing) < 0) {
		if (missing)
			die("capability %s is needed but not available to the "
			    "helper (bounding set of this environment?)", missing);
		die("cannot reduce capabilities: %s", strerror(errno));
	}
	/* the launcher keeps what the filter below would take (launcher.c) */
	if (launcher_spawn(&h) < 0)
		die("cannot start the launcher: %s", strerror(errno));
	if (priv_confine_self() < 0)
		die("cannot load the seccomp allowlist: %s", strerror(errno));

	crl_sha256_hex(h.policy_digest, hex);
	log_info("started mode=%s policy_sha256=%s", h.mode == MODE_SPAWN ?
		 "spawn" : "service", hex);
	if (h.mode == MODE_SPAWN) {
		serve_connection(&h, h.spawn_fd);
		return 0;
	}
	return listen_serve(&h) < 0 ? 1 : 0;
}
