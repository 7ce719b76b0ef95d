/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The corral policy: /etc/corral/corral.conf plus corral.d/NAME.conf drop-ins.
 * See corral.conf(5) for the grammar and every key.
 *
 * Who frees what: crl_policy_load()/crl_policy_parse_buffer() return a
 * policy owned by the caller, released with crl_policy_free().
 */
#ifndef CORRAL_POLICY_H
#define CORRAL_POLICY_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/sha256.h"

enum crl_network_mode { CRL_NET_NONE = 0, CRL_NET_VETH = 1 };

#define CRL_POLICY_LIST_MAX 64  /* entries in hide / ro_bind / env lists */
#define CRL_POLICY_ARGV_MAX 32  /* words in default_command */
#define CRL_PROJECT_ID_LEN 36   /* canonical lower-case UUID */

/* Where each key was set; private to policy/, freed with the policy. */
struct crl_policy_origin;

struct crl_policy {
	/* [helper] */
	char *socket_path;          /* default CORRAL_HELPER_SOCKET */
	char *frontend_user;        /* user name; resolved below */
	uid_t frontend_uid;         /* both resolved by crl_policy_load(), */
	gid_t frontend_gid;         /* -1 before; the user's primary group is
				     * the socket group */
	unsigned int max_connections;

	/* [projects] */
	char *home_root;
	uid_t uid_first;            /* uid_range = FIRST-LAST, inclusive; */
	uid_t uid_last;             /* a project's gid equals its uid */
	int home_root_missing;      /* set by crl_policy_load(): the helper
				     * must create it (see corral.conf(5)) */

	/* [sandbox] */
	char *rootfs;
	char *home_mount;           /* where the home appears inside */
	char *hide[CRL_POLICY_LIST_MAX]; /* home_root is hidden as well */
	unsigned int n_hide;
	char *ro_bind[CRL_POLICY_LIST_MAX];
	unsigned int n_ro_bind;
	uint64_t tmp_size;          /* bytes */
	char *hostname;             /* pattern, "%p" = short project id */
	char *env_allow[CRL_POLICY_LIST_MAX];
	unsigned int n_env_allow;
	char *seccomp_profile;
	enum crl_network_mode network;
	int user_namespaces;        /* 0 = off (default) */
	char *default_command;      /* command run by start without one */
	char *default_argv[CRL_POLICY_ARGV_MAX + 1]; /* the same, split on
				     * blanks, NULL-terminated */
	unsigned int n_default_argv;

	/* [limits] */
	uint64_t pids_max;
	uint64_t memory_max;        /* bytes */
	unsigned int cpu_percent;   /* 100 = one full core */
	uint64_t nofile;
	uint64_t nproc;

	/* [network] (network = veth) */
	char *bridge;
	char *subnet;               /* CIDR the project addresses come from */
	char *hub_address;          /* the only host address projects reach */
	struct in_addr subnet_addr; /* subnet, parsed (network byte order) */
	unsigned int subnet_prefix;
	struct in_addr hub_addr;    /* hub_address, parsed */

	struct crl_policy_origin *origin;
};

/*
 * Parse one buffer (no file-system checks, no drop-ins): for tests and
 * fuzzing.  name is used in messages.  Each error is written to errs as
 * "name:line: reason\n" (errs may be NULL); all errors are reported, then
 * the call fails.  Returns 0 and sets *out, or -1.
 */
int crl_policy_parse_buffer(const char *name, const char *buf, size_t len,
			    struct crl_policy **out, FILE *errs);

/*
 * Load path and the *.conf drop-ins of the corral.d directory beside it, in
 * byte order, then check everything that depends on the host: the files,
 * corral.d and the directories above them are root-owned and not
 * group/world writable (sticky parents allowed), and no file is read
 * through a symbolic link; home_root and rootfs and each parent likewise,
 * with no symbolic link on the path (a missing home_root is only a
 * warning: home_root_missing is set and the caller creates it);
 * frontend_user exists, is not root and gets frontend_uid/gid; uid_range
 * overlaps no user or group and no /etc/subuid or /etc/subgid range;
 * ro_bind paths exist; the socket's directory, if it exists, is safe.
 * Errors as above.
 */
int crl_policy_load(const char *path, struct crl_policy **out, FILE *errs);

/*
 * crl_policy_load() with flags.  CRL_POLICY_CHECK_ONLY is for tools that
 * only inspect the policy (corral-policy): a frontend_user that does not
 * exist yet is then a warning, not an error, and frontend_uid/gid stay -1.
 * Warnings ("name:line: warning: ...") never make a load fail.
 */
#define CRL_POLICY_CHECK_ONLY 0x1u
int crl_policy_load_flags(const char *path, unsigned int flags,
			  struct crl_policy **out, FILE *errs);

void crl_policy_free(struct crl_policy *p);

/* The effective policy, every default filled in, in the file's own syntax
 * (the output parses back to the same policy).  Returns 0 or -1. */
int crl_policy_show(const struct crl_policy *p, FILE *out);

/* SHA-256 of exactly what crl_policy_show() prints, so that
 * "corral-policy show | sha256sum" matches the helper's policy-digest. */
int crl_policy_digest(const struct crl_policy *p, uint8_t out[CRL_SHA256_LEN]);

/* Plain-language audit for a sysadmin.  Returns 0 or -1. */
int crl_policy_explain(const struct crl_policy *p, FILE *out);

/* 1 if id is a project id: a UUID in canonical lower-case form
 * (8-4-4-4-12 hex digits), else 0.  Only such ids name homes. */
int crl_project_id_valid(const char *id);

/* The hostname of a project: the hostname pattern with "%p" replaced by the
 * first 8 hex digits of its id.  Returns 0, or -1 if the id is not valid
 * or buf (size bytes) is too small (65 bytes always suffice). */
int crl_policy_hostname(const struct crl_policy *p, const char *project_id,
			char *buf, size_t size);

/*
 * The ownership rule of the policy's own directories, for other paths the
 * helper trusts (its binary's directory, its socket's): walk absolute
 * path dir from "/" without following symbolic links; every directory
 * must be owned by root and not writable by group or others (a sticky
 * parent such as /tmp is fine).  Returns 0 if it passes (*dirfd, if not
 * NULL, is then an O_PATH descriptor of dir), 1 if it passes but a tail is
 * missing and missing_ok is set, -1 with the reason in why.
 */
int crl_root_only_dir(const char *dir, int missing_ok, int *dirfd,
		      char *why, size_t whylen);

/*
 * Seccomp profiles (policy/seccomp/NAME.profile, compiled in; see
 * policy/seccomp.c and the profile file for the grammar).
 */
enum crl_sc_action {
	CRL_SC_EPERM,           /* the call fails with EPERM */
	CRL_SC_ENOSYS,          /* the call fails with ENOSYS */
	CRL_SC_EPERM_NSFLAGS,   /* EPERM when arg 0 has a CLONE_NEW* flag */
	CRL_SC_EPERM_IOCTL,     /* ioctl request (low 32 bits) gets EPERM */
};
#define CRL_SC_RULES_MAX 128
struct crl_sc_rule {
	enum crl_sc_action action;
	const char *name;           /* system call, or ioctl request name */
	unsigned long ioctl;        /* CRL_SC_EPERM_IOCTL: its number */
};
struct crl_seccomp_profile {
	const char *name;
	char *buf;                  /* owns the strings of rule[] */
	unsigned int n;
	struct crl_sc_rule rule[CRL_SC_RULES_MAX];
};
/* The compiled-in text of a profile, or NULL if there is none by name. */
const char *crl_seccomp_profile_text(const char *name);
/* Parse a profile's text; 0, or -1 with a reason in why. */
int crl_seccomp_profile_parse(const char *name, const char *text,
			      struct crl_seccomp_profile *p, char *why,
			      size_t whylen);
/* Both at once, by name; free with crl_seccomp_profile_free(). */
int crl_seccomp_profile_load(const char *name, struct crl_seccomp_profile *p,
			     char *why, size_t whylen);
void crl_seccomp_profile_free(struct crl_seccomp_profile *p);

#endif
