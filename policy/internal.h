/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private interfaces of the policy library (the .c files of policy/) and its tests.
 * Nothing outside policy/ and tests/ includes this file.
 *
 * Error idiom: functions that find a problem in the policy report it
 * through a struct crl_diag as "file:line: reason" and keep going, so that
 * one run shows every problem; the caller decides from the error count.
 */
#ifndef CORRAL_POLICY_INTERNAL_H
#define CORRAL_POLICY_INTERNAL_H

#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "policy/policy.h"

/* Makefile.am defines this; the fallback lets the library be compiled on
 * its own (tests/fuzz/run-fuzz.sh) with the configure default. */
#ifndef CORRAL_HELPER_SOCKET
#define CORRAL_HELPER_SOCKET "/run/corral/helper.sock"
#endif

#define CRL_LINE_MAX     1024         /* bytes in a line, newline excluded */
#define CRL_FILE_MAX     (1 << 20)    /* bytes in one policy file */
#define CRL_DROPIN_MAX   256          /* files in corral.d */
#define CRL_ERRORS_MAX   100          /* printed; later ones are counted */
#define CRL_UID_RANGE_MIN 10          /* uids in uid_range, at least */
#define CRL_UID_FLOOR    65536        /* uid_range starts at or above */
#define CRL_UID_CEILING  2147483646u  /* and ends at or below (2^31 - 2) */
#define CRL_SOCKET_PATH_MAX 107       /* sizeof(sun_path) - 1 */
#define CRL_WHY_MAX      256

#define CRL_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ------------------------------------------------------------ diagnostics */

struct crl_diag {
	FILE *out;                  /* may be NULL: count only */
	unsigned int nerr;
	unsigned int nwarn;
};

/* "file:line: reason" (line 0: "file: reason"), counted as an error. */
void crl_diag_error(struct crl_diag *d, const char *file, unsigned int line,
		    const char *fmt, ...) CRL_PRINTF(4, 5);
/* "file:line: warning: reason"; never makes a load fail. */
void crl_diag_warn(struct crl_diag *d, const char *file, unsigned int line,
		   const char *fmt, ...) CRL_PRINTF(4, 5);

/* ------------------------------------------------------------ keys */

enum crl_section {
	CRL_SEC_HELPER,
	CRL_SEC_PROJECTS,
	CRL_SEC_SANDBOX,
	CRL_SEC_LIMITS,
	CRL_SEC_NETWORK,
	CRL_SEC_COUNT_
};

/* In the order show() prints them; grouped by section. */
enum crl_key_id {
	CRL_KEY_SOCKET,
	CRL_KEY_FRONTEND_USER,
	CRL_KEY_MAX_CONNECTIONS,
	CRL_KEY_HOME_ROOT,
	CRL_KEY_UID_RANGE,
	CRL_KEY_ROOTFS,
	CRL_KEY_HOME_MOUNT,
	CRL_KEY_HIDE,
	CRL_KEY_RO_BIND,
	CRL_KEY_TMP_SIZE,
	CRL_KEY_HOSTNAME,
	CRL_KEY_ENV_ALLOW,
	CRL_KEY_SECCOMP_PROFILE,
	CRL_KEY_NETWORK,
	CRL_KEY_USER_NAMESPACES,
	CRL_KEY_DEFAULT_COMMAND,
	CRL_KEY_PIDS,
	CRL_KEY_MEMORY,
	CRL_KEY_CPU,
	CRL_KEY_NOFILE,
	CRL_KEY_NPROC,
	CRL_KEY_BRIDGE,
	CRL_KEY_SUBNET,
	CRL_KEY_HUB_ADDRESS,
	CRL_KEY_COUNT_
};

struct crl_key;

/* Parse val (trimmed, printable ASCII, no '#') into the policy.  On error
 * return -1 with the reason in why, and leave the policy untouched. */
typedef int crl_parse_fn(struct crl_policy *p, const struct crl_key *k,
			 const char *val, char *why, size_t whylen);
/* Print the value in canonical form (what the parser accepts back). */
typedef void crl_show_fn(const struct crl_policy *p, const struct crl_key *k,
			 FILE *out);

#define CRL_KF_LIST     0x1u  /* a blank-separated list; may be empty */
#define CRL_KF_NOT_ROOT 0x2u  /* a path that must not be "/" */

struct crl_key {
	enum crl_section section;
	const char *name;
	crl_parse_fn *parse;
	crl_show_fn *show;
	const char *def;            /* default, in file syntax; NULL: computed */
	size_t off;                 /* the field in struct crl_policy */
	size_t off_n;               /* the count of a list */
	uint64_t min, max;          /* numbers; max length of a path */
	unsigned int flags;
};

extern const struct crl_key crl_keys[CRL_KEY_COUNT_];
extern const char *const crl_section_names[CRL_SEC_COUNT_];

/* Section by name, or -1. */
int crl_section_lookup(const char *name);
/* Key by section and name, or -1; with section -1, in any section. */
int crl_key_lookup(int section, const char *name);
/* Fill every key that is unset (or was set to a bad value) with its
 * default, parsed by the same code as the file.  Returns 0, or -1 with the
 * reason in why. */
int crl_keys_defaults(struct crl_policy *p, char *why, size_t whylen);

/* ------------------------------------------------------------ origins */

struct crl_origin {
	const char *file;           /* points into crl_policy_origin.files */
	unsigned int line;          /* 0: not set, the default applies */
	int bad;                    /* set, but to a value that did not parse */
};

struct crl_policy_origin {
	char **files;               /* every file name fed, in order */
	unsigned int nfiles;
	struct crl_origin key[CRL_KEY_COUNT_];
};

/* An empty policy (no defaults yet) whose messages name main_file. */
struct crl_policy *crl_policy_new(const char *main_file);
/* Parse one file's text into p.  name appears in messages. */
void crl_parse_feed(struct crl_policy *p, struct crl_diag *d,
		    const char *name, const char *buf, size_t len);
/* Defaults, then the checks that relate keys to each other. */
void crl_policy_finish(struct crl_policy *p, struct crl_diag *d);

/* The file messages about key k name: where it was set, else main file. */
const char *crl_key_file(const struct crl_policy *p, enum crl_key_id k);
unsigned int crl_key_line(const struct crl_policy *p, enum crl_key_id k);
/* " (default)" if key k was not set in any file, else "". */
const char *crl_key_dflt(const struct crl_policy *p, enum crl_key_id k);
/* 1 if k holds a usable value (not one that failed to parse). */
int crl_key_ok(const struct crl_policy *p, enum crl_key_id k);
/* An error or warning located at key k. */
void crl_diag_key(struct crl_diag *d, const struct crl_policy *p,
		  enum crl_key_id k, const char *fmt, ...) CRL_PRINTF(4, 5);
void crl_warn_key(struct crl_diag *d, const struct crl_policy *p,
		  enum crl_key_id k, const char *fmt, ...) CRL_PRINTF(4, 5);

/* ------------------------------------------------------------ utilities */

/*
 * Normalize an absolute path into out (size bytes): repeated '/', "."
 * components and a trailing '/' go away.  Returns 0, or -1 with a reason
 * in *why (relative path, ".." component, too long).
 */
int crl_path_normalize(const char *in, char *out, size_t size,
		       const char **why);
/* 1 if normalized path equals dir or lies below it. */
int crl_path_within(const char *path, const char *dir);
/* Copy s into out for a message: at most 48 bytes, non-printable bytes as
 * \xHH, "..." when cut. */
#define CRL_QUOTE_MAX (48 * 4 + 4)
const char *crl_quote(const char *s, size_t len, char out[CRL_QUOTE_MAX]);

/* ------------------------------------------------------------ validation */

/* The checks in validate.c, run by crl_policy_finish(). */
void crl_validate(struct crl_policy *p, struct crl_diag *d);
/* 1 if the hostname pattern expands to valid hostnames. */
int crl_hostname_pattern_ok(const char *pattern, char *why, size_t whylen);

/* ------------------------------------------------------------ host checks */

/*
 * The ownership rule for one directory on a path: NULL if st is
 * acceptable, else why not.  Every directory must be owned by root and not
 * writable by group or others; a parent (leaf = 0) that has the sticky bit
 * may be writable, because then nobody but root can rename or remove the
 * root-owned entry below it.
 */
const char *crl_dir_problem(const struct stat *st, int leaf);

#define CRL_WALK_OWNER   0x1u  /* apply crl_dir_problem() to every step */
#define CRL_WALK_MISSING 0x2u  /* a missing tail is not an error */
#define CRL_WALK_ANY     0x4u  /* the last step may be a non-directory */

/*
 * Walk normalized absolute path from "/" without following symbolic links
 * (every step opened O_PATH|O_NOFOLLOW, checked with fstat on that fd).
 * Returns 0 if the whole path exists and passes, 1 if a tail is missing
 * (with CRL_WALK_MISSING; *missing_at names the first missing directory,
 * caller frees), -1 with the reason in why.
 */
int crl_walk(const char *path, unsigned int flags, char *why, size_t whylen,
	     char **missing_at);
/* The same, and on success *dirfd is the O_PATH fd of the last step. */
int crl_walk_open(const char *path, unsigned int flags, char *why,
		  size_t whylen, char **missing_at, int *dirfd);

typedef struct passwd *crl_next_user_fn(void *ctx);
typedef struct group *crl_next_group_fn(void *ctx);

/* uid_range against a user database (getpwent, or fgetpwent in tests). */
void crl_check_users(struct crl_diag *d, const struct crl_policy *p,
		     crl_next_user_fn *next, void *ctx, const char *db);
/* uid_range (which is also the gid range) against a group database. */
void crl_check_groups(struct crl_diag *d, const struct crl_policy *p,
		      crl_next_group_fn *next, void *ctx, const char *db);
/* uid_range against a subordinate id file (/etc/subuid format). */
void crl_check_subids(struct crl_diag *d, const struct crl_policy *p,
		      FILE *f, const char *fname);
/* frontend_user: pw is its passwd entry or NULL; fills frontend_uid/gid. */
void crl_check_frontend(struct crl_diag *d, struct crl_policy *p,
			const struct passwd *pw, unsigned int flags);
/* Every host check, on the real host. */
void crl_check_host(struct crl_diag *d, struct crl_policy *p,
		    unsigned int flags);

/* ------------------------------------------------------------ files */

/*
 * Open name below dirfd for reading as a policy file: not through a
 * symbolic link, a regular file, owned by root, not writable by group or
 * others, at most CRL_FILE_MAX bytes.  Problems with the file are reported
 * against label; its text is returned in *buf (caller frees) even when the
 * file fails the ownership rule, so its lines are checked too.  Returns 0,
 * or -1 if it could not be read at all.
 */
int crl_read_policy_file(struct crl_diag *d, int dirfd, const char *name,
			 const char *label, char **buf, size_t *len);

#endif
