/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The capabilities corral-helper keeps after start-up, each with the reason
 * it is needed.  The helper drops every other capability from all of its
 * sets (bounding included); corral-policy explain prints this table.
 *
 * Not here, on purpose: CAP_DAC_OVERRIDE and CAP_FOWNER (the helper owns
 * everything it touches as root, and acts in homes as the project's uid),
 * CAP_SYS_RESOURCE (project rlimits only ever lower the helper's own),
 * CAP_MKNOD (device nodes are bind-mounted, never created).
 */
#ifndef CORRAL_HELPER_CAPS_H
#define CORRAL_HELPER_CAPS_H

#include <linux/capability.h>

struct crl_cap_reason {
	int cap;
	const char *name;
	const char *why;
};

static const struct crl_cap_reason crl_helper_caps[] = {
	{ CAP_CHOWN, "cap_chown",
	  "give the socket its group, homes and exec ptys a project uid" },
	{ CAP_KILL, "cap_kill",
	  "signal the processes of a project it stops" },
	{ CAP_SETGID, "cap_setgid",
	  "switch to a project gid (filesystem and process)" },
	{ CAP_SETUID, "cap_setuid",
	  "switch to a project uid (filesystem and process)" },
	{ CAP_SETPCAP, "cap_setpcap",
	  "empty the bounding set of project processes" },
	{ CAP_NET_ADMIN, "cap_net_admin",
	  "bring up loopback and veth links of a project's network" },
	{ CAP_SYS_CHROOT, "cap_sys_chroot",
	  "enter a project's root when joining it" },
	{ CAP_SYS_PTRACE, "cap_sys_ptrace",
	  "reach a running project through its non-dumpable init (exec)" },
	{ CAP_SYS_ADMIN, "cap_sys_admin",
	  "create and join namespaces, mount sandboxes, set host names" },
};

#define CRL_HELPER_NCAPS (sizeof(crl_helper_caps) / sizeof(crl_helper_caps[0]))

#endif
