/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key table: every key of corral.conf with its section, value parser,
 * canonical printer and default.  Defaults are strings in the file's own
 * syntax, run through the same parser as the file, so a default can never
 * hold a value the file could not.
 *
 * Every parser leaves the policy untouched when it fails, and every
 * printer writes exactly what its parser accepts back: that makes
 * crl_policy_show() a fixed point.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

#define FIELD(p, k, type) ((type *)(void *)((char *)(p) + (k)->off))
#define CFIELD(p, k, type) \
	((const type *)(const void *)((const char *)(p) + (k)->off))
#define BLANKS " \t"

const char *const crl_section_names[CRL_SEC_COUNT_] = {
	[CRL_SEC_HELPER] = "helper",
	[CRL_SEC_PROJECTS] = "projects",
	[CRL_SEC_SANDBOX] = "sandbox",
	[CRL_SEC_LIMITS] = "limits",
	[CRL_SEC_NETWORK] = "network",
};

/* Seccomp profiles the helper builds in; explain.c describes each. */
static const char *const known_profiles[] = { "default" };

/* ------------------------------------------------------------ numbers */

/* Decimal digits only: no sign, no blanks, no hex, no overflow. */
static int parse_decimal(const char *s, size_t n, uint64_t *v)
{
	uint64_t r = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (r > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		r = r * 10 + (uint64_t)(s[i] - '0');
	}
	*v = r;
	return 0;
}

static int parse_number(const struct crl_key *k, const char *val,
			uint64_t *v, char *why, size_t whylen)
{
	if (parse_decimal(val, strlen(val), v) < 0 || *v < k->min ||
	    *v > k->max) {
		snprintf(why, whylen, "expected a number from %" PRIu64
			 " to %" PRIu64, k->min, k->max);
		return -1;
	}
	return 0;
}

static int parse_uint(struct crl_policy *p, const struct crl_key *k,
		      const char *val, char *why, size_t whylen)
{
	uint64_t v;

	if (parse_number(k, val, &v, why, whylen) < 0)
		return -1;
	*FIELD(p, k, unsigned int) = (unsigned int)v;
	return 0;
}

static void show_uint(const struct crl_policy *p, const struct crl_key *k,
		      FILE *out)
{
	fprintf(out, "%u", *CFIELD(p, k, unsigned int));
}

static int parse_u64(struct crl_policy *p, const struct crl_key *k,
		     const char *val, char *why, size_t whylen)
{
	uint64_t v;

	if (parse_number(k, val, &v, why, whylen) < 0)
		return -1;
	*FIELD(p, k, uint64_t) = v;
	return 0;
}

static void show_u64(const struct crl_policy *p, const struct crl_key *k,
		     FILE *out)
{
	fprintf(out, "%" PRIu64, *CFIELD(p, k, uint64_t));
}

static const char size_units[] = "KMGT";

/* A size: a number of bytes, or of KiB, MiB, GiB or TiB with a suffix. */
static int parse_size(struct crl_policy *p, const struct crl_key *k,
		      const char *val, char *why, size_t whylen)
{
	size_t n = strlen(val);
	const char *u = n ? strchr(size_units, val[n - 1] & ~0x20) : NULL;
	unsigned int shift = u && *u ? 10u * (unsigned int)(u - size_units + 1) : 0;
	uint64_t v;

	if (shift)
		n--;
	if (parse_decimal(val, n, &v) < 0 || v > (k->max >> shift) ||
	    (v << shift) < k->min) {
		snprintf(why, whylen, "expected a size from %" PRIu64
			 "M to %" PRIu64 "T (a number of bytes, or with a "
			 "suffix K, M, G or T)", k->min >> 20, k->max >> 40);
		return -1;
	}
	*FIELD(p, k, uint64_t) = v << shift;
	return 0;
}

static void show_size(const struct crl_policy *p, const struct crl_key *k,
		      FILE *out)
{
	uint64_t v = *CFIELD(p, k, uint64_t);
	int u = 4;

	/* The largest unit that divides exactly: 268435456 prints 256M. */
	while (u > 0 && (v & ((UINT64_C(1) << (10 * u)) - 1)) != 0)
		u--;
	if (u == 0)
		fprintf(out, "%" PRIu64, v);
	else
		fprintf(out, "%" PRIu64 "%c", v >> (10 * u), size_units[u - 1]);
}

/* ------------------------------------------------------------ strings */

static int set_string(char **field, const char *v, char *why, size_t whylen)
{
	char *s = strdup(v);

	if (!s) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	free(*field);
	*field = s;
	return 0;
}

static void show_string(const struct crl_policy *p, const struct crl_key *k,
			FILE *out)
{
	fputs(*CFIELD(p, k, char *), out);
}

static int parse_path_one(const struct crl_key *k, const char *val,
			  char *norm, size_t size, char *why, size_t whylen)
{
	const char *reason;

	if (strchr(val, ' ') || strchr(val, '\t')) {
		snprintf(why, whylen, "expected one path (paths cannot "
			 "contain blanks)");
		return -1;
	}
	if (crl_path_normalize(val, norm, size, &reason) < 0) {
		snprintf(why, whylen, "%s", reason);
		return -1;
	}
	if ((k->flags & CRL_KF_NOT_ROOT) && strcmp(norm, "/") == 0) {
		snprintf(why, whylen, "'/' is not allowed here");
		return -1;
	}
	if (k->max && strlen(norm) > k->max) {
		snprintf(why, whylen, "path longer than %" PRIu64 " bytes",
			 k->max);
		return -1;
	}
	return 0;
}

static int parse_path(struct crl_policy *p, const struct crl_key *k,
		      const char *val, char *why, size_t whylen)
{
	char norm[CRL_LINE_MAX + 2];

	if (parse_path_one(k, val, norm, sizeof(norm), why, whylen) < 0)
		return -1;
	return set_string(FIELD(p, k, char *), norm, why, whylen);
}

/* ------------------------------------------------------------ lists */

typedef int crl_item_fn(const struct crl_key *k, const char *item,
			char *norm, size_t size, char *why, size_t whylen);

static void free_list(char **items, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(items[i]);
}

static int list_add(char **items, unsigned int *n, const char *norm,
		    char *why, size_t whylen)
{
	char q[CRL_QUOTE_MAX];

	for (unsigned int i = 0; i < *n; i++) {
		if (strcmp(items[i], norm) == 0) {
			snprintf(why, whylen, "'%s' is listed twice",
				 crl_quote(norm, strlen(norm), q));
			return -1;
		}
	}
	if (*n == CRL_POLICY_LIST_MAX) {
		snprintf(why, whylen, "more than %d entries",
			 CRL_POLICY_LIST_MAX);
		return -1;
	}
	items[*n] = strdup(norm);
	if (!items[*n]) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	(*n)++;
	return 0;
}

/* Split on blanks, check each item, then replace the list as a whole. */
static int parse_list(struct crl_policy *p, const struct crl_key *k,
		      const char *val, crl_item_fn *item, char *why,
		      size_t whylen)
{
	char *items[CRL_POLICY_LIST_MAX];
	char word[CRL_LINE_MAX + 1], norm[CRL_LINE_MAX + 2];
	unsigned int n = 0, *np = (unsigned int *)(void *)((char *)p + k->off_n);
	char **field = FIELD(p, k, char *);

	for (const char *c = val + strspn(val, BLANKS); *c;
	     c += strspn(c, BLANKS)) {
		size_t len = strcspn(c, BLANKS);

		memcpy(word, c, len);
		word[len] = '\0';
		c += len;
		if (item(k, word, norm, sizeof(norm), why, whylen) < 0 ||
		    list_add(items, &n, norm, why, whylen) < 0) {
			free_list(items, n);
			return -1;
		}
	}
	free_list(field, *np);
	memset(field, 0, CRL_POLICY_LIST_MAX * sizeof(items[0]));
	memcpy(field, items, n * sizeof(items[0]));
	*np = n;
	return 0;
}

static int path_item(const struct crl_key *k, const char *item, char *norm,
		     size_t size, char *why, size_t whylen)
{
	if (parse_path_one(k, item, norm, size, why, whylen) < 0) {
		size_t n = strlen(why);
		char q[CRL_QUOTE_MAX];

		snprintf(why + n, whylen - n, " ('%s')",
			 crl_quote(item, strlen(item), q));
		return -1;
	}
	return 0;
}

static int parse_path_list(struct crl_policy *p, const struct crl_key *k,
			   const char *val, char *why, size_t whylen)
{
	return parse_list(p, k, val, path_item, why, whylen);
}

static int env_item(const struct crl_key *k, const char *item, char *norm,
		    size_t size, char *why, size_t whylen)
{
	size_t n = strspn(item, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "abcdefghijklmnopqrstuvwxyz0123456789_");
	char q[CRL_QUOTE_MAX];

	(void)k;
	if (item[n] != '\0' || (item[0] >= '0' && item[0] <= '9') ||
	    n >= size) {
		snprintf(why, whylen, "'%s' is not a variable name (letters, "
			 "digits and '_', not starting with a digit)",
			 crl_quote(item, strlen(item), q));
		return -1;
	}
	memcpy(norm, item, n + 1);
	return 0;
}

static int parse_env_list(struct crl_policy *p, const struct crl_key *k,
			  const char *val, char *why, size_t whylen)
{
	return parse_list(p, k, val, env_item, why, whylen);
}

static void show_list(const struct crl_policy *p, const struct crl_key *k,
		      FILE *out)
{
	const unsigned int *n =
		(const unsigned int *)(const void *)((const char *)p + k->off_n);
	char *const *items = (char *const *)CFIELD(p, k, char *);

	for (unsigned int i = 0; i < *n; i++)
		fprintf(out, "%s%s", i ? " " : "", items[i]);
}

/* ------------------------------------------------------------ names */

/* The portable user name syntax of useradd(8), without a trailing '$'. */
static int parse_user(struct crl_policy *p, const struct crl_key *k,
		      const char *val, char *why, size_t whylen)
{
	size_t n = strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	if (val[n] != '\0' || n > 32 || val[0] == '-' ||
	    (val[0] >= '0' && val[0] <= '9')) {
		snprintf(why, whylen, "expected a user name (lower-case "
			 "letters, digits, '_' and '-', at most 32)");
		return -1;
	}
	return set_string(FIELD(p, k, char *), val, why, whylen);
}

static int parse_profile(struct crl_policy *p, const struct crl_key *k,
			 const char *val, char *why, size_t whylen)
{
	for (size_t i = 0; i < sizeof(known_profiles) / sizeof(*known_profiles);
	     i++) {
		if (strcmp(val, known_profiles[i]) == 0 &&
		    crl_seccomp_profile_text(val))
			return set_string(FIELD(p, k, char *), val, why, whylen);
	}
	snprintf(why, whylen, "unknown seccomp profile (known: default)");
	return -1;
}

static int parse_hostname(struct crl_policy *p, const struct crl_key *k,
			  const char *val, char *why, size_t whylen)
{
	if (!crl_hostname_pattern_ok(val, why, whylen))
		return -1;
	return set_string(FIELD(p, k, char *), val, why, whylen);
}

/* A Linux interface name: at most 15 bytes, none of '/', ':', blanks. */
static int parse_ifname(struct crl_policy *p, const struct crl_key *k,
			const char *val, char *why, size_t whylen)
{
	size_t n = strspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "abcdefghijklmnopqrstuvwxyz0123456789_.-");

	if (val[n] != '\0' || n > 15 || strcmp(val, ".") == 0 ||
	    strcmp(val, "..") == 0) {
		snprintf(why, whylen, "expected an interface name (at most 15 "
			 "letters, digits, '_', '.' or '-')");
		return -1;
	}
	return set_string(FIELD(p, k, char *), val, why, whylen);
}

/* ------------------------------------------------------------ choices */

static int parse_network(struct crl_policy *p, const struct crl_key *k,
			 const char *val, char *why, size_t whylen)
{
	(void)k;
	if (strcmp(val, "none") == 0)
		p->network = CRL_NET_NONE;
	else if (strcmp(val, "veth") == 0)
		p->network = CRL_NET_VETH;
	else {
		snprintf(why, whylen, "expected 'none' or 'veth'");
		return -1;
	}
	return 0;
}

static void show_network(const struct crl_policy *p, const struct crl_key *k,
			 FILE *out)
{
	(void)k;
	fputs(p->network == CRL_NET_VETH ? "veth" : "none", out);
}

static int parse_bool(struct crl_policy *p, const struct crl_key *k,
		      const char *val, char *why, size_t whylen)
{
	if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0) {
		snprintf(why, whylen, "expected 'yes' or 'no'");
		return -1;
	}
	*FIELD(p, k, int) = val[0] == 'y';
	return 0;
}

static void show_bool(const struct crl_policy *p, const struct crl_key *k,
		      FILE *out)
{
	fputs(*CFIELD(p, k, int) ? "yes" : "no", out);
}

/* ------------------------------------------------------------ uid_range */

static int uid_range_why(uint64_t a, uint64_t b, char *why, size_t whylen)
{
	if (a > b)
		snprintf(why, whylen, "the range is inverted: FIRST (%" PRIu64
			 ") is above LAST (%" PRIu64 ")", a, b);
	else if (a == 0)
		snprintf(why, whylen, "the range includes uid 0 (root)");
	else if (a < CRL_UID_FLOOR)
		snprintf(why, whylen, "the range must start at %d or above: "
			 "below lie regular users, systemd's dynamic users, "
			 "nobody and the 16-bit -1, not all of them listed in "
			 "/etc/passwd", CRL_UID_FLOOR);
	else if (b > CRL_UID_CEILING)
		snprintf(why, whylen, "the range must end at %u or below "
			 "(higher uids look negative to some tools)",
			 CRL_UID_CEILING);
	else if (b - a + 1 < CRL_UID_RANGE_MIN)
		snprintf(why, whylen, "the range is too small: %" PRIu64
			 " uids, at least %d are needed", b - a + 1,
			 CRL_UID_RANGE_MIN);
	else
		return 0;
	return -1;
}

static int parse_uid_range(struct crl_policy *p, const struct crl_key *k,
			   const char *val, char *why, size_t whylen)
{
	size_t n = strcspn(val, "-");
	uint64_t a, b;

	(void)k;
	if (val[n] != '-' || parse_decimal(val, n, &a) < 0 ||
	    parse_decimal(val + n + 1, strlen(val + n + 1), &b) < 0) {
		snprintf(why, whylen, "expected FIRST-LAST, two uids such as "
			 "1900000000-1900999999");
		return -1;
	}
	if (uid_range_why(a, b, why, whylen) < 0)
		return -1;
	p->uid_first = (uid_t)a;
	p->uid_last = (uid_t)b;
	return 0;
}

static void show_uid_range(const struct crl_policy *p, const struct crl_key *k,
			   FILE *out)
{
	(void)k;
	fprintf(out, "%u-%u", (unsigned int)p->uid_first,
		(unsigned int)p->uid_last);
}

/* ------------------------------------------------------------ command */

static int command_split(const char *val, char **argv, unsigned int *argc,
			 char *why, size_t whylen)
{
	char word[CRL_LINE_MAX + 2], prog[CRL_LINE_MAX + 2];
	const char *reason;

	*argc = 0;
	for (const char *c = val + strspn(val, BLANKS); *c;
	     c += strspn(c, BLANKS)) {
		size_t len = strcspn(c, BLANKS);

		if (*argc == CRL_POLICY_ARGV_MAX) {
			snprintf(why, whylen, "more than %d words",
				 CRL_POLICY_ARGV_MAX);
			return -1;
		}
		memcpy(word, c, len);
		word[len] = '\0';
		c += len;
		if (*argc == 0) {
			if (crl_path_normalize(word, prog, sizeof(prog),
					       &reason) < 0) {
				snprintf(why, whylen, "the program: %s",
					 reason);
				return -1;
			}
			strcpy(word, prog);
		}
		argv[*argc] = strdup(word);
		if (!argv[(*argc)++]) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	argv[*argc] = NULL;
	return 0;
}

/* An absolute program path and its arguments, split on blanks; there is
 * no quoting, so what the sysadmin reads is what runs. */
static int parse_command(struct crl_policy *p, const struct crl_key *k,
			 const char *val, char *why, size_t whylen)
{
	char *argv[CRL_POLICY_ARGV_MAX + 1];
	char line[CRL_LINE_MAX + 2] = "";
	unsigned int argc;

	(void)k;
	if (command_split(val, argv, &argc, why, whylen) < 0) {
		free_list(argv, argc);
		return -1;
	}
	for (unsigned int i = 0; i < argc; i++) {
		if (i)
			strcat(line, " ");
		strcat(line, argv[i]);
	}
	if (set_string(&p->default_command, line, why, whylen) < 0) {
		free_list(argv, argc);
		return -1;
	}
	free_list(p->default_argv, p->n_default_argv);
	memset(p->default_argv, 0, sizeof(p->default_argv));
	memcpy(p->default_argv, argv, argc * sizeof(argv[0]));
	p->n_default_argv = argc;
	return 0;
}

/* ------------------------------------------------------------ addresses */

/* "This" network, loopback, multicast and the reserved space above it:
 * no project address or hub comes from there. */
static int special_ipv4(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 14;
}

static int parse_ipv4(const char *s, struct in_addr *a)
{
	/* glibc's inet_pton() wants exactly four decimal parts, no leading
	 * zeros: one spelling per address. */
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

/* ADDRESS/PREFIX into a and prefix; -1 with the reason in why. */
static int parse_cidr(const char *val, struct in_addr *a, uint64_t *prefix,
		      char *why, size_t whylen)
{
	char addr[INET_ADDRSTRLEN + 4], q[CRL_QUOTE_MAX];
	size_t n = strcspn(val, "/");

	if (n >= INET_ADDRSTRLEN || val[n] != '/' ||
	    parse_decimal(val + n + 1, strlen(val + n + 1), prefix) < 0 ||
	    *prefix < 8 || *prefix > 30) {
		snprintf(why, whylen, "expected an IPv4 network ADDRESS/PREFIX "
			 "with a prefix from 8 to 30, such as 10.213.0.0/16");
		return -1;
	}
	memcpy(addr, val, n);
	addr[n] = '\0';
	if (parse_ipv4(addr, a) < 0) {
		snprintf(why, whylen, "'%s' is not an IPv4 address",
			 crl_quote(addr, n, q));
		return -1;
	}
	return 0;
}

static int parse_subnet(struct crl_policy *p, const struct crl_key *k,
			const char *val, char *why, size_t whylen)
{
	char canon[INET_ADDRSTRLEN + 8];
	struct in_addr a;
	uint64_t prefix;
	uint32_t mask, host;

	if (parse_cidr(val, &a, &prefix, why, whylen) < 0)
		return -1;
	if (special_ipv4(a)) {
		snprintf(why, whylen, "expected a unicast network, not in "
			 "0.0.0.0/8, loopback, multicast or reserved space");
		return -1;
	}
	mask = (uint32_t)(UINT64_C(0xffffffff) << (32 - prefix));
	host = ntohl(a.s_addr) & ~mask;
	a.s_addr = htonl(ntohl(a.s_addr) & mask);
	inet_ntop(AF_INET, &a, canon, INET_ADDRSTRLEN);
	snprintf(canon + strlen(canon), 8, "/%u", (unsigned int)prefix);
	/* Host bits or a prefix such as "/016": one spelling per network. */
	if (strcmp(canon, val) != 0) {
		snprintf(why, whylen, "%s; did you mean %s?", host ?
			 "host bits are set" : "not in canonical form", canon);
		return -1;
	}
	if (set_string(FIELD(p, k, char *), canon, why, whylen) < 0)
		return -1;
	p->subnet_addr = a;
	p->subnet_prefix = (unsigned int)prefix;
	return 0;
}

static int parse_hub(struct crl_policy *p, const struct crl_key *k,
		     const char *val, char *why, size_t whylen)
{
	struct in_addr a;

	if (parse_ipv4(val, &a) < 0) {
		snprintf(why, whylen, "expected an IPv4 address such as "
			 "10.213.0.1");
		return -1;
	}
	if (special_ipv4(a)) {
		snprintf(why, whylen, "expected a unicast address, not "
			 "0.0.0.0/8, loopback, multicast or broadcast");
		return -1;
	}
	if (set_string(FIELD(p, k, char *), val, why, whylen) < 0)
		return -1;
	p->hub_addr = a;
	return 0;
}

/* ------------------------------------------------------------ the table */

#define OFF(f) offsetof(struct crl_policy, f)
#define KEY(sec, nm, fn, sh, dflt, f) \
	.section = CRL_SEC_##sec, .name = nm, .parse = fn, .show = sh, \
	.def = dflt, .off = OFF(f)

const struct crl_key crl_keys[CRL_KEY_COUNT_] = {
	[CRL_KEY_SOCKET] = { KEY(HELPER, "socket", parse_path, show_string,
		CORRAL_HELPER_SOCKET, socket_path),
		.max = CRL_SOCKET_PATH_MAX, .flags = CRL_KF_NOT_ROOT },
	[CRL_KEY_FRONTEND_USER] = { KEY(HELPER, "frontend_user", parse_user,
		show_string, "corral", frontend_user) },
	[CRL_KEY_MAX_CONNECTIONS] = { KEY(HELPER, "max_connections",
		parse_uint, show_uint, "64", max_connections),
		.min = 1, .max = 4096 },
	[CRL_KEY_HOME_ROOT] = { KEY(PROJECTS, "home_root", parse_path,
		show_string, "/srv/corral/projects", home_root),
		.flags = CRL_KF_NOT_ROOT },
	[CRL_KEY_UID_RANGE] = { KEY(PROJECTS, "uid_range", parse_uid_range,
		show_uid_range, "1900000000-1900999999", uid_first) },
	[CRL_KEY_ROOTFS] = { KEY(SANDBOX, "rootfs", parse_path, show_string,
		"/", rootfs) },
	[CRL_KEY_HOME_MOUNT] = { KEY(SANDBOX, "home_mount", parse_path,
		show_string, "/home/user", home_mount),
		.flags = CRL_KF_NOT_ROOT },
	[CRL_KEY_HIDE] = { KEY(SANDBOX, "hide", parse_path_list, show_list,
		"/home /media /mnt /root /run /var/log /var/mail /var/spool "
		"/var/tmp", hide),
		.off_n = OFF(n_hide), .flags = CRL_KF_LIST | CRL_KF_NOT_ROOT },
	[CRL_KEY_RO_BIND] = { KEY(SANDBOX, "ro_bind", parse_path_list,
		show_list, "", ro_bind),
		.off_n = OFF(n_ro_bind), .flags = CRL_KF_LIST | CRL_KF_NOT_ROOT },
	[CRL_KEY_TMP_SIZE] = { KEY(SANDBOX, "tmp_size", parse_size, show_size,
		"256M", tmp_size), .min = 1 << 20, .max = UINT64_C(1) << 40 },
	[CRL_KEY_HOSTNAME] = { KEY(SANDBOX, "hostname", parse_hostname,
		show_string, "project-%p", hostname) },
	[CRL_KEY_ENV_ALLOW] = { KEY(SANDBOX, "env_allow", parse_env_list,
		show_list, "PATH LANG LC_ALL TERM HOME USER LOGNAME TZ",
		env_allow), .off_n = OFF(n_env_allow), .flags = CRL_KF_LIST },
	[CRL_KEY_SECCOMP_PROFILE] = { KEY(SANDBOX, "seccomp_profile",
		parse_profile, show_string, "default", seccomp_profile) },
	[CRL_KEY_NETWORK] = { KEY(SANDBOX, "network", parse_network,
		show_network, "none", network) },
	[CRL_KEY_USER_NAMESPACES] = { KEY(SANDBOX, "user_namespaces",
		parse_bool, show_bool, "no", user_namespaces) },
	[CRL_KEY_DEFAULT_COMMAND] = { KEY(SANDBOX, "default_command",
		parse_command, show_string, "/bin/sleep infinity",
		default_command) },
	[CRL_KEY_PIDS] = { KEY(LIMITS, "pids", parse_u64, show_u64, "1024",
		pids_max), .min = 1, .max = 4194304 },
	[CRL_KEY_MEMORY] = { KEY(LIMITS, "memory", parse_size, show_size, "2G",
		memory_max), .min = 16 << 20, .max = UINT64_C(1) << 50 },
	[CRL_KEY_CPU] = { KEY(LIMITS, "cpu", parse_uint, show_uint, "100",
		cpu_percent), .min = 1, .max = 100000 },
	[CRL_KEY_NOFILE] = { KEY(LIMITS, "nofile", parse_u64, show_u64, "4096",
		nofile), .min = 16, .max = 1048576 },
	[CRL_KEY_NPROC] = { KEY(LIMITS, "nproc", parse_u64, show_u64, "1024",
		nproc), .min = 1, .max = 4194304 },
	[CRL_KEY_BRIDGE] = { KEY(NETWORK, "bridge", parse_ifname, show_string,
		"corral0", bridge) },
	[CRL_KEY_SUBNET] = { KEY(NETWORK, "subnet", parse_subnet, show_string,
		"10.213.0.0/16", subnet) },
	/* Default: the first address of subnet, computed after the files. */
	[CRL_KEY_HUB_ADDRESS] = { KEY(NETWORK, "hub_address", parse_hub,
		show_string, NULL, hub_address) },
};

int crl_section_lookup(const char *name)
{
	for (int s = 0; s < CRL_SEC_COUNT_; s++) {
		if (strcmp(crl_section_names[s], name) == 0)
			return s;
	}
	return -1;
}

int crl_key_lookup(int section, const char *name)
{
	for (int k = 0; k < CRL_KEY_COUNT_; k++) {
		if ((section < 0 || (int)crl_keys[k].section == section) &&
		    strcmp(crl_keys[k].name, name) == 0)
			return k;
	}
	return -1;
}

/* The first address of the subnet: the host's end of the bridge.  The
 * subnet parser refuses networks where that would not be unicast. */
static int default_hub(struct crl_policy *p, char *why, size_t whylen)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a = { htonl(ntohl(p->subnet_addr.s_addr) + 1) };

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return parse_hub(p, &crl_keys[CRL_KEY_HUB_ADDRESS], buf, why, whylen);
}

/* Only memory exhaustion makes this fail: the unit tests parse every
 * default of the table. */
int crl_keys_defaults(struct crl_policy *p, char *why, size_t whylen)
{
	for (int k = 0; k < CRL_KEY_COUNT_; k++) {
		const struct crl_origin *o = &p->origin->key[k];

		if ((o->line && !o->bad) || !crl_keys[k].def)
			continue;
		if (crl_keys[k].parse(p, &crl_keys[k], crl_keys[k].def, why,
				      whylen) < 0)
			return -1;
	}
	if (!p->hub_address)
		return default_hub(p, why, whylen);
	return 0;
}
