/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp profiles of project processes: the text of each profile file
 * of policy/seccomp/ is compiled in (seccomp_profiles.h, generated from
 * the files at build time), parsed here, and turned into a filter by the
 * helper (helper/seccomp.c) and into words by corral-policy explain.
 * Compiled in rather than read at run time, so that nothing but the
 * helper's own binary decides what a project may call (DESIGN §6).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "policy/policy.h"
#include "policy/seccomp_profiles.h"

static const struct {
	const char *name;
	const char *text;
} compiled[] = {
	{ "default", crl_profile_default },
};

static const struct {
	const char *word;
	enum crl_sc_action action;
} actions[] = {
	{ "eperm", CRL_SC_EPERM },
	{ "enosys", CRL_SC_ENOSYS },
	{ "eperm-nsflags", CRL_SC_EPERM_NSFLAGS },
	{ "eperm-ioctl", CRL_SC_EPERM_IOCTL },
};

static const struct {
	const char *name;
	unsigned long value;
} ioctls[] = {
	{ "TIOCSTI", TIOCSTI },
	{ "TIOCLINUX", TIOCLINUX },
};

static int name_ok(const char *w)
{
	if (!*w || strlen(w) > 40)
		return 0;
	for (; *w; w++)
		if (!islower((unsigned char)*w) && !isdigit((unsigned char)*w) &&
		    *w != '_')
			return 0;
	return 1;
}

static int add_rule(struct crl_seccomp_profile *p, enum crl_sc_action a,
		    const char *w, char *why, size_t whylen)
{
	struct crl_sc_rule *r;

	if (p->n == CRL_SC_RULES_MAX) {
		snprintf(why, whylen, "more than %d rules", CRL_SC_RULES_MAX);
		return -1;
	}
	r = &p->rule[p->n];
	r->action = a;
	r->name = w;
	r->ioctl = 0;
	if (a == CRL_SC_EPERM_IOCTL) {
		size_t i;

		for (i = 0; i < sizeof(ioctls) / sizeof(*ioctls); i++)
			if (strcmp(w, ioctls[i].name) == 0)
				break;
		if (i == sizeof(ioctls) / sizeof(*ioctls)) {
			snprintf(why, whylen, "unknown ioctl request '%.40s' "
				 "(known: TIOCSTI TIOCLINUX)", w);
			return -1;
		}
		r->ioctl = ioctls[i].value;
	} else if (!name_ok(w)) {
		snprintf(why, whylen, "'%.40s' is not a system call name", w);
		return -1;
	}
	p->n++;
	return 0;
}

int crl_seccomp_profile_parse(const char *name, const char *text,
			      struct crl_seccomp_profile *p, char *why,
			      size_t whylen)
{
	char *save = NULL, *l;

	memset(p, 0, sizeof(*p));
	p->name = name;
	p->buf = strdup(text);
	if (!p->buf) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (l = strtok_r(p->buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *ws = NULL, *w = strtok_r(l, " \t", &ws);
		size_t a;

		if (!w || w[0] == '#')
			continue;
		for (a = 0; a < sizeof(actions) / sizeof(*actions); a++)
			if (strcmp(w, actions[a].word) == 0)
				break;
		if (a == sizeof(actions) / sizeof(*actions)) {
			snprintf(why, whylen, "unknown action '%.40s'", w);
			goto fail;
		}
		w = strtok_r(NULL, " \t", &ws);
		if (!w) {
			snprintf(why, whylen, "'%s' without a name",
				 actions[a].word);
			goto fail;
		}
		for (; w; w = strtok_r(NULL, " \t", &ws))
			if (add_rule(p, actions[a].action, w, why, whylen) < 0)
				goto fail;
	}
	return 0;
fail:
	free(p->buf);
	p->buf = NULL;
	p->n = 0;
	return -1;
}

const char *crl_seccomp_profile_text(const char *name)
{
	for (size_t i = 0; i < sizeof(compiled) / sizeof(*compiled); i++)
		if (strcmp(name, compiled[i].name) == 0)
			return compiled[i].text;
	return NULL;
}

int crl_seccomp_profile_load(const char *name, struct crl_seccomp_profile *p,
			     char *why, size_t whylen)
{
	const char *text = crl_seccomp_profile_text(name);

	if (!text) {
		snprintf(why, whylen, "unknown seccomp profile '%.40s'", name);
		return -1;
	}
	return crl_seccomp_profile_parse(name, text, p, why, whylen);
}

void crl_seccomp_profile_free(struct crl_seccomp_profile *p)
{
	free(p->buf);
	p->buf = NULL;
	p->n = 0;
}
