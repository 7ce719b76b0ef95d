/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks that relate keys to each other and need nothing from the host.
 * They run after the defaults are filled in, so a default can clash with a
 * key the sysadmin set: the message then points at the key that was set.
 * A key whose own value was bad is left out, so one mistake gives one
 * message.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "policy/internal.h"

/* Mount points the helper makes itself in every sandbox. */
static const char *const reserved[] = { "/proc", "/dev", "/sys", "/tmp" };

static int is_reserved(const char *path)
{
	for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved); i++) {
		if (crl_path_within(path, reserved[i]))
			return 1;
	}
	return 0;
}

/* Of two keys in a conflict, the one to blame: one the sysadmin set. */
static enum crl_key_id blame(const struct crl_policy *p, enum crl_key_id a,
			     enum crl_key_id b)
{
	return crl_key_line(p, a) || !crl_key_line(p, b) ? a : b;
}

static int both_ok(const struct crl_policy *p, enum crl_key_id a,
		   enum crl_key_id b)
{
	return crl_key_ok(p, a) && crl_key_ok(p, b);
}

static void check_hide(struct crl_policy *p, struct crl_diag *d)
{
	enum crl_key_id k = blame(p, CRL_KEY_HIDE, CRL_KEY_HOME_MOUNT);

	if (!both_ok(p, CRL_KEY_HIDE, CRL_KEY_HOME_MOUNT))
		return;
	for (unsigned int i = 0; i < p->n_hide; i++) {
		if (crl_path_within(p->hide[i], p->home_mount))
			crl_diag_key(d, p, k, "hide path %s is inside "
				     "home_mount %s, where the home is mounted "
				     "over it", p->hide[i], p->home_mount);
	}
}

static void check_ro_bind_one(struct crl_policy *p, struct crl_diag *d,
			      const char *b)
{
	if (crl_key_ok(p, CRL_KEY_HOME_ROOT) &&
	    (crl_path_within(b, p->home_root) ||
	     crl_path_within(p->home_root, b)))
		crl_diag_key(d, p, blame(p, CRL_KEY_RO_BIND, CRL_KEY_HOME_ROOT),
			     "ro_bind path %s overlaps home_root %s: it would "
			     "show projects each other's homes", b,
			     p->home_root);
	if (crl_key_ok(p, CRL_KEY_HOME_MOUNT) &&
	    (crl_path_within(b, p->home_mount) ||
	     crl_path_within(p->home_mount, b)))
		crl_diag_key(d, p, blame(p, CRL_KEY_RO_BIND,
					 CRL_KEY_HOME_MOUNT),
			     "ro_bind path %s overlaps home_mount %s", b,
			     p->home_mount);
	/* below /tmp is fine: bound after the sandbox's own /tmp tmpfs */
	if (is_reserved(b) && !(crl_path_within(b, "/tmp") &&
				strcmp(b, "/tmp") != 0))
		crl_diag_key(d, p, CRL_KEY_RO_BIND, "ro_bind path %s is under "
			     "/proc, /dev, /sys or /tmp, which the helper sets "
			     "up itself", b);
	for (unsigned int i = 0; crl_key_ok(p, CRL_KEY_HIDE) && i < p->n_hide;
	     i++) {
		if (strcmp(p->hide[i], b) == 0)
			crl_diag_key(d, p, blame(p, CRL_KEY_RO_BIND,
						 CRL_KEY_HIDE),
				     "%s is both hidden and bound", b);
	}
}

static void check_mounts(struct crl_policy *p, struct crl_diag *d)
{
	for (unsigned int i = 0; crl_key_ok(p, CRL_KEY_RO_BIND) &&
	     i < p->n_ro_bind; i++)
		check_ro_bind_one(p, d, p->ro_bind[i]);
	if (crl_key_ok(p, CRL_KEY_HOME_MOUNT) && is_reserved(p->home_mount))
		crl_diag_key(d, p, CRL_KEY_HOME_MOUNT, "home_mount %s is under "
			     "/proc, /dev, /sys or /tmp, which the helper sets "
			     "up itself", p->home_mount);
	if (!both_ok(p, CRL_KEY_ROOTFS, CRL_KEY_HOME_ROOT) ||
	    strcmp(p->rootfs, "/") == 0)
		return;
	/* With rootfs "/" the helper masks home_root at its own path;
	 * inside another rootfs it would appear under a different one. */
	if (crl_path_within(p->home_root, p->rootfs))
		crl_diag_key(d, p, blame(p, CRL_KEY_ROOTFS, CRL_KEY_HOME_ROOT),
			     "home_root %s lies inside rootfs %s: projects "
			     "would see every home", p->home_root, p->rootfs);
	else if (crl_path_within(p->rootfs, p->home_root))
		crl_diag_key(d, p, blame(p, CRL_KEY_ROOTFS, CRL_KEY_HOME_ROOT),
			     "rootfs %s lies inside home_root %s", p->rootfs,
			     p->home_root);
}

static void check_network(struct crl_policy *p, struct crl_diag *d)
{
	uint32_t net, hub, mask;

	if (p->network != CRL_NET_VETH ||
	    !both_ok(p, CRL_KEY_SUBNET, CRL_KEY_HUB_ADDRESS))
		return;
	net = ntohl(p->subnet_addr.s_addr);
	hub = ntohl(p->hub_addr.s_addr);
	mask = (uint32_t)(UINT64_C(0xffffffff) << (32 - p->subnet_prefix));
	if ((hub & mask) == net && (hub == net || hub == (net | ~mask)))
		crl_diag_key(d, p, blame(p, CRL_KEY_HUB_ADDRESS,
					 CRL_KEY_SUBNET),
			     "hub_address %s is the network or broadcast "
			     "address of subnet %s", p->hub_address,
			     p->subnet);
}

void crl_validate(struct crl_policy *p, struct crl_diag *d)
{
	if (crl_key_ok(p, CRL_KEY_FRONTEND_USER) &&
	    strcmp(p->frontend_user, "root") == 0)
		crl_diag_key(d, p, CRL_KEY_FRONTEND_USER, "frontend_user must "
			     "not be root: the front end is the unprivileged "
			     "half");
	check_hide(p, d);
	check_mounts(p, d);
	check_network(p, d);
}

/* One character of an expanded hostname; labels checked by the caller. */
static int host_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int host_labels_ok(const char *h)
{
	for (const char *l = h; *l;) {
		size_t n = strcspn(l, ".");

		if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-')
			return 0;
		l += n;
		if (*l == '.' && *++l == '\0')
			return 0;
	}
	return *h != '\0';
}

int crl_hostname_pattern_ok(const char *pattern, char *why, size_t whylen)
{
	char host[CRL_LINE_MAX * 8 + 1];
	size_t o = 0;

	/* Expand with a sample short id: every id expands the same way. */
	for (const char *c = pattern; *c; c++) {
		if (*c == '%' && c[1] != 'p') {
			snprintf(why, whylen, "'%%' must be followed by 'p' "
				 "(%%p is the short project id)");
			return 0;
		}
		if (*c == '%') {
			c++;
			memcpy(host + o, "0123abcd", 8);
			o += 8;
		} else {
			host[o++] = *c;
		}
	}
	host[o] = '\0';
	for (size_t i = 0; i < o; i++) {
		if (!host_char_ok(host[i]))
			goto bad;
	}
	if (o <= 64 && host_labels_ok(host))
		return 1;
bad:
	snprintf(why, whylen, "expected a host name pattern: letters, digits, "
		 "'-' and '.', labels of 1 to 63 characters, at most 64 in "
		 "all once %%p becomes 8 hex digits");
	return 0;
}
