/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter of project processes (DESIGN §6), the "default"
 * profile of corral.conf(5).  Built with libseccomp in the process that
 * is about to become the project's init or exec command, after the uid
 * switch and no_new_privs, right before execve; never read from anything
 * a project can write.
 *
 * Default action: allow.  What it refuses, and how:
 *  - EPERM: namespaces (unshare and clone with a CLONE_NEW* flag, setns),
 *    mounts (mount, umount2, pivot_root), keyrings (add_key, request_key,
 *    keyctl), bpf, perf_event_open, userfaultfd, open_by_handle_at and
 *    name_to_handle_at (the "shocker" escape), modules and kexec, and the
 *    ioctls TIOCSTI and TIOCLINUX compared on the low 32 bits only (the
 *    kernel ignores the high half of the command: CVE-2019-10063);
 *  - ENOSYS: clone3 and the new mount API, whose arguments sit behind
 *    pointers the filter cannot read; ENOSYS makes libc fall back to
 *    clone and mount, which the rules above see.
 * Syscalls of another architecture (i386 through int 0x80, x32) are
 * killed: only the native one is in the filter.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include "helper/life.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int deny_eperm[] = {
	SCMP_SYS(setns), SCMP_SYS(mount), SCMP_SYS(umount2),
	SCMP_SYS(pivot_root), SCMP_SYS(chroot),
	SCMP_SYS(add_key), SCMP_SYS(request_key), SCMP_SYS(keyctl),
	SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
	SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
	SCMP_SYS(init_module), SCMP_SYS(finit_module),
	SCMP_SYS(delete_module), SCMP_SYS(kexec_load),
	SCMP_SYS(kexec_file_load),
};

static const int deny_enosys[] = {
	SCMP_SYS(clone3), SCMP_SYS(fsopen), SCMP_SYS(fsconfig),
	SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(move_mount),
	SCMP_SYS(open_tree), SCMP_SYS(mount_setattr),
};

static const unsigned long ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET,
	CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWUSER,
};

static const unsigned long bad_ioctls[] = { TIOCSTI, TIOCLINUX };

int project_seccomp_load(const struct crl_policy *p)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r = 0;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(deny_eperm) / sizeof(*deny_eperm); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), deny_eperm[i], 0);
	for (size_t i = 0; i < sizeof(deny_enosys) / sizeof(*deny_enosys); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), deny_enosys[i], 0);
	/* one rule per flag: any namespace flag set refuses the call */
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(*ns_flags); i++) {
		if (ns_flags[i] == CLONE_NEWUSER && p->user_namespaces)
			continue;
		r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare),
				      1, SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i],
						 ns_flags[i]));
		r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone),
				      1, SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i],
						 ns_flags[i]));
	}
	/* the low 32 bits only, whatever the high ones hold */
	for (size_t i = 0; i < sizeof(bad_ioctls) / sizeof(*bad_ioctls); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
				      1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
						 bad_ioctls[i]));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
