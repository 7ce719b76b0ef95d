/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter of project processes (DESIGN §6), built with
 * libseccomp from the policy's profile (policy/seccomp/NAME.profile,
 * compiled into the binary: never read from anything a project can
 * write).  Built and compiled to BPF once at start-up, loaded by the
 * project's init and by every exec'd command after the uid switch and
 * no_new_privs, right before execve.
 *
 * Default action: allow; the profile lists what fails with EPERM or
 * ENOSYS.  Namespace flags are tested one rule per flag on argument 0;
 * ioctl requests are compared with SCMP_CMP_MASKED_EQ under 0xffffffff,
 * so a TIOCSTI with high bits set still matches (the kernel ignores
 * them: CVE-2019-10063).  The filter holds only the native architecture,
 * so a system call of another one (i386 through int 0x80, x32) kills
 * the process (libseccomp's default bad-architecture action).
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper/life.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const unsigned long ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET,
	CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWUSER,
};

/* Built and compiled to BPF once at start-up (an unknown system call
 * name refuses lifecycle requests then, not at the first start); every
 * project process loads the same program. */
#define PROG_MAX 4096
static struct sock_filter prog_insns[PROG_MAX];
static struct sock_fprog prog;

static int add_one(scmp_filter_ctx ctx, const struct crl_policy *p,
		   const struct crl_sc_rule *rule, int nr)
{
	int r = 0;

	switch (rule->action) {
	case CRL_SC_EPERM:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	case CRL_SC_ENOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	case CRL_SC_EPERM_NSFLAGS:
		/* one rule per flag: any namespace flag refuses the call */
		for (size_t i = 0; i < sizeof(ns_flags) / sizeof(*ns_flags); i++) {
			if (ns_flags[i] == CLONE_NEWUSER && p->user_namespaces)
				continue;
			r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
					      SCMP_A0(SCMP_CMP_MASKED_EQ,
						      ns_flags[i], ns_flags[i]));
		}
		return r;
	case CRL_SC_EPERM_IOCTL:
		/* the low 32 bits only, whatever the high ones hold */
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
					1, SCMP_A1(SCMP_CMP_MASKED_EQ,
						   0xffffffffUL, rule->ioctl));
	}
	return -EINVAL;
}

/* The BPF program of ctx, through a memfd (libseccomp exports to a
 * descriptor only). */
static int compile(scmp_filter_ctx ctx)
{
	int fd = memfd_create("corral-seccomp", MFD_CLOEXEC);
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	if (seccomp_export_bpf(ctx, fd) == 0 && lseek(fd, 0, SEEK_SET) == 0)
		n = read(fd, prog_insns, sizeof(prog_insns));
	close(fd);
	if (n <= 0 || n % (ssize_t)sizeof(struct sock_filter) != 0 ||
	    n == (ssize_t)sizeof(prog_insns))
		return -1;
	prog.len = (unsigned short)(n / (ssize_t)sizeof(struct sock_filter));
	prog.filter = prog_insns;
	return 0;
}

int project_seccomp_prepare(const struct crl_policy *p, char *why,
			    size_t whylen)
{
	struct crl_seccomp_profile prof;
	scmp_filter_ctx ctx;
	int r = 0;

	if (crl_seccomp_profile_load(p->seccomp_profile, &prof, why, whylen) < 0)
		return -1;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		crl_seccomp_profile_free(&prof);
		snprintf(why, whylen, "seccomp_init failed");
		return -1;
	}
	/* a binary tree on the system call number instead of a chain of
	 * compares: the same decisions, in a few steps.  It matters at every
	 * load too: the kernel runs the filter for each system call number
	 * when it attaches it (to cache the always-allowed ones), with
	 * interrupts off, once per project process. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0) {
		crl_seccomp_profile_free(&prof);
		seccomp_release(ctx);
		snprintf(why, whylen, "libseccomp cannot build a binary tree");
		return -1;
	}
	for (unsigned int i = 0; i < prof.n && r == 0; i++) {
		const struct crl_sc_rule *rule = &prof.rule[i];
		int nr = rule->action == CRL_SC_EPERM_IOCTL ? SCMP_SYS(ioctl) :
			seccomp_syscall_resolve_name(rule->name);

		if (nr == __NR_SCMP_ERROR) {
			snprintf(why, whylen, "seccomp profile %s: unknown system "
				 "call %s", prof.name, rule->name);
			r = -1;
			break;
		}
		r = add_one(ctx, p, rule, nr);
		if (r)
			snprintf(why, whylen, "seccomp profile %s: rule for %s "
				 "refused by libseccomp (%d)", prof.name,
				 rule->name, r);
	}
	crl_seccomp_profile_free(&prof);
	if (r == 0 && compile(ctx) < 0) {
		snprintf(why, whylen, "seccomp profile %s: cannot export the "
			 "filter", p->seccomp_profile);
		r = -1;
	}
	seccomp_release(ctx);
	return r ? -1 : 0;
}

/* After no_new_privs, as the project's uid: the compiled program. */
int project_seccomp_load(void)
{
	if (prog.len == 0)
		return -EINVAL;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}
