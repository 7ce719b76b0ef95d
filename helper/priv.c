/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The helper's own privileges.
 *
 * MUST (each backed by tests/integration/helper-serve.sh):
 * - keep exactly the capabilities of common/helper_caps.h, in the permitted
 *   and effective sets, drop every other one from the bounding set, and keep
 *   the inheritable and ambient sets empty;
 * - lock the securebits so that no later execve as root regains a full set
 *   and no uid change keeps capabilities;
 * - confine itself with a seccomp allowlist before it serves a request.
 * Each step is read back; a step that did not stick is fatal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/securebits.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/helper_caps.h"
#include "helper/fsops.h"
#include "helper/helper.h"

static int cap_is_kept(cap_value_t c)
{
	for (size_t i = 0; i < CRL_HELPER_NCAPS; i++)
		if (crl_helper_caps[i].cap == c)
			return 1;
	return 0;
}

static int drop_bounding(void)
{
	/* cap_max_bits(): what the running kernel knows, which may be more
	 * than the CAP_LAST_CAP this was compiled against */
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (cap_is_kept(c))
			continue;
		if (cap_drop_bound(c) < 0)
			return -1;
	}
	return 0;
}

static int set_kept_caps(void)
{
	cap_value_t kept[CRL_HELPER_NCAPS];
	cap_t caps = cap_init();    /* all sets empty */
	int ret = -1;

	if (!caps)
		return -1;
	for (size_t i = 0; i < CRL_HELPER_NCAPS; i++)
		kept[i] = crl_helper_caps[i].cap;
	if (cap_set_flag(caps, CAP_PERMITTED, (int)CRL_HELPER_NCAPS, kept, CAP_SET) == 0 &&
	    cap_set_flag(caps, CAP_EFFECTIVE, (int)CRL_HELPER_NCAPS, kept, CAP_SET) == 0 &&
	    cap_set_proc(caps) == 0)
		ret = 0;
	cap_free(caps);
	return ret;
}

/* Read every set back and compare with what we asked for. */
static int verify_caps(void)
{
	cap_t caps = cap_get_proc();
	int ok = caps != NULL;

	for (cap_value_t c = 0; ok && c < (cap_value_t)cap_max_bits(); c++) {
		cap_flag_value_t p = CAP_CLEAR, e = CAP_CLEAR, i = CAP_CLEAR;
		int want = cap_is_kept(c);

		cap_get_flag(caps, c, CAP_PERMITTED, &p);
		cap_get_flag(caps, c, CAP_EFFECTIVE, &e);
		cap_get_flag(caps, c, CAP_INHERITABLE, &i);
		if ((p == CAP_SET) != want || (e == CAP_SET) != want ||
		    i == CAP_SET || cap_get_bound(c) != want ||
		    cap_get_ambient(c) > 0)
			ok = 0;
	}
	if (caps)
		cap_free(caps);
	if (!ok)
		errno = EPERM;
	return ok ? 0 : -1;
}

/* Every kept capability must be there to begin with, or the environment
 * (a container, a unit's CapabilityBoundingSet=) is too narrow. */
static int have_kept_caps(const char **missing)
{
	cap_t caps = cap_get_proc();
	int ok = caps != NULL;

	for (size_t i = 0; ok && i < CRL_HELPER_NCAPS; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		cap_get_flag(caps, crl_helper_caps[i].cap, CAP_PERMITTED, &v);
		if (v != CAP_SET) {
			*missing = crl_helper_caps[i].name;
			ok = 0;
		}
	}
	if (caps)
		cap_free(caps);
	if (!ok)
		errno = EPERM;
	return ok ? 0 : -1;
}

int priv_reduce_caps(const char **missing)
{
	const unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
		SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

	if (have_kept_caps(missing) < 0)
		return -1;
	if (drop_bounding() < 0)
		return -1;
	if (cap_reset_ambient() < 0)
		return -1;
	/* needs CAP_SETPCAP, which is kept */
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
		return -1;
	if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != (int)bits) {
		errno = EPERM;
		return -1;
	}
	if (set_kept_caps() < 0)
		return -1;
	return verify_caps();
}

/*
 * Spawn mode: the caller's real uid was checked; now make every id root so
 * that the caller can no longer signal us (kill(2) matches real uids) and
 * prove we cannot go back.
 */
int priv_become_root_only(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 ||
	    setresuid(0, 0, 0) < 0)
		return -1;
	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		return -1;
	if (ruid || euid || suid || rgid || egid || sgid || getgroups(0, NULL) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * Service mode: no supplementary group may come along from whoever started
 * us; a file operation acts with the project's fsuid/fsgid, and a group
 * of root's would add its access (spawn mode clears them above).
 */
int priv_clear_groups(void)
{
	if (setgroups(0, NULL) < 0)
		return -1;
	if (getgroups(0, NULL) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * The filesystem identity of a project, for its file operations.  Setting
 * fsuid from 0 to non-zero clears CAP_CHOWN (and any other file capability)
 * from the effective set, since the securebits leave SECBIT_NO_SETUID_FIXUP
 * unset: the project's own permissions apply, root's never do.  Back at
 * fsuid 0 the kept capabilities return.  setfsuid()/setfsgid() return the
 * previous value, so a second call with the same value reads it back (the
 * way OpenSSH's uidswap.c and bubblewrap prove a switch stuck).
 *
 * A connection's process keeps a project's identity from one file
 * operation to the next (ops.c returns to 0 before anything else), so the
 * identity in force is recorded here.  These two functions are the only
 * code after start-up that changes it, and they record only what the
 * kernel read back; failing to return to 0 ends the process.
 */
static uid_t fs_uid_now;
static gid_t fs_gid_now;

/* The identity is not what it should be and cannot be put right: nothing
 * more may run in this process. */
static void __attribute__((noreturn)) priv_fsid_lost(void)
{
	log_error("cannot restore filesystem identity 0: exiting");
	_exit(1);
}

int priv_fsid_enter(uid_t uid, gid_t gid)
{
	if (uid == 0 || gid == 0) {
		errno = EPERM;
		return -1;
	}
	if (fs_uid_now == uid && fs_gid_now == gid)
		return 0;
	priv_fsid_leave();      /* from one project to another through 0 */
	setfsgid(gid);
	setfsuid(uid);
	if ((uid_t)setfsuid(uid) != uid || (gid_t)setfsgid(gid) != gid) {
		fs_uid_now = (uid_t)-1;  /* unknown: make leave switch */
		fs_gid_now = (gid_t)-1;
		priv_fsid_leave();
		errno = EPERM;
		return -1;
	}
	fs_uid_now = uid;
	fs_gid_now = gid;
	return 0;
}

void priv_fsid_leave(void)
{
	if (fs_uid_now == 0 && fs_gid_now == 0)
		return;
	setfsuid(0);
	setfsgid(0);
	if (setfsuid(0) != 0 || setfsgid(0) != 0)
		priv_fsid_lost();
	fs_uid_now = 0;
	fs_gid_now = 0;
}

/* ---------------------------------------------------------------- seccomp */

/*
 * The allowlist: what the serving loop and the connection processes use.
 * Anything else kills the process.  A connection process that dies this
 * way takes only its own connection with it.
 */
static const int allow_plain[] = {
	/* I/O on fds we already hold */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek),
	SCMP_SYS(fcntl), SCMP_SYS(ppoll), SCMP_SYS(poll),
	/* the socket protocol */
	SCMP_SYS(accept4), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(getsockopt), SCMP_SYS(shutdown),
	/* syslog: (re)connects to /dev/log */
	SCMP_SYS(connect), SCMP_SYS(sendto),
	/* memory (executable mappings are refused below) */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise), SCMP_SYS(mremap),
	/* processes: one per connection, reaped by the listener */
	SCMP_SYS(wait4), SCMP_SYS(kill), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid),
	SCMP_SYS(set_robust_list), SCMP_SYS(set_tid_address),
	/* signals */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(signalfd4), SCMP_SYS(sigaltstack), SCMP_SYS(restart_syscall),
	/* identity and time */
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	SCMP_SYS(gettimeofday), SCMP_SYS(time),
	/* libc internals; getrandom also names fs-replace's temporary files */
	SCMP_SYS(futex), SCMP_SYS(getrandom), SCMP_SYS(sched_yield),
	/* file operations: every path resolved by openat2 from a directory
	 * descriptor (plain open/openat, which follow links, stay out) */
	SCMP_SYS(openat2),
	/* ...and acted on relative to a descriptor, never following the
	 * last component (fsops.c, fsops_tree.c, fsops_replace.c) */
	SCMP_SYS(mkdirat), SCMP_SYS(unlinkat), SCMP_SYS(renameat2),
	SCMP_SYS(linkat), SCMP_SYS(symlinkat), SCMP_SYS(utimensat),
	SCMP_SYS(getdents64),
	/* file contents: truncate, copy, replace's fsync (fsops_io.c) */
	SCMP_SYS(ftruncate), SCMP_SYS(copy_file_range), SCMP_SYS(fsync),
	/* modes exactly as asked: umask 0 around a creation */
	SCMP_SYS(umask),
	/* create: the home_root lock, the new home's mode and owner */
	SCMP_SYS(flock), SCMP_SYS(fchmod), SCMP_SYS(fchown),
	/* the project's filesystem identity while a file operation runs */
	SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
};

/* Namespace flags must never reach clone from the helper itself. */
#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
	CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | \
	CLONE_NEWTIME | CLONE_THREAD | CLONE_VM)

static int add_arg_rules(scmp_filter_ctx ctx)
{
	int r = 0;

	/* fork only: no threads, no namespaces from this process */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0));
	/* glibc tries clone3 first; ENOSYS makes it fall back to clone */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* Unix sockets only (syslog) */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	/* lifecycle requests: a private channel to the launcher (life.c) */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
			      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	/* no executable memory */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return r ? -1 : 0;
}

int priv_confine_self(void)
{
	scmp_filter_ctx ctx;
	int r = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -1;
	for (size_t i = 0; i < sizeof(allow_plain) / sizeof(allow_plain[0]); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow_plain[i], 0);
	/* chmod without following the last component (Linux 6.6); by number,
	 * since older headers do not name it; an older kernel answers ENOSYS */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_fchmodat2, 0);
	if (r == 0)
		r = add_arg_rules(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r != 0) {
		errno = r < 0 ? -r : EINVAL;
		return -1;
	}
	return 0;
}
