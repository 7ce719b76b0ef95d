/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy grammar, one line at a time:
 *
 *   line     = blank* ( comment | header | setting )? blank*
 *   comment  = '#' anything            (only as the first non-blank)
 *   header   = '[' name ']'
 *   setting  = key blank* '=' blank* value
 *
 * A line is checked as bytes before it is parsed: at most CRL_LINE_MAX
 * bytes, no NUL, no control character but tab, valid UTF-8.  Values are
 * printable ASCII and cannot contain '#', so a trailing comment is an
 * error rather than part of a path or a command.  Every problem is
 * reported, then parsing goes on with the next line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

#define SECTION_NONE    (-1)  /* no header seen yet in this file */
#define SECTION_UNKNOWN (-2)  /* under a header that was reported */

struct lexer {
	struct crl_policy *p;
	struct crl_diag *d;
	const char *file;
	unsigned int line;
	int section;
};

static const char *add_file(struct crl_policy *p, const char *name)
{
	struct crl_policy_origin *o = p->origin;
	char **files = realloc(o->files, (o->nfiles + 1) * sizeof(*files));

	if (!files)
		return NULL;
	o->files = files;
	files[o->nfiles] = strdup(name);
	if (!files[o->nfiles])
		return NULL;
	return files[o->nfiles++];
}

struct crl_policy *crl_policy_new(const char *main_file)
{
	struct crl_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->frontend_uid = (uid_t)-1;
	p->frontend_gid = (gid_t)-1;
	p->origin = calloc(1, sizeof(*p->origin));
	if (!p->origin || !add_file(p, main_file)) {
		crl_policy_free(p);
		return NULL;
	}
	return p;
}

/* ------------------------------------------------------------ bytes */

/* Length of the UTF-8 sequence at s (n bytes left), or 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 :
		     s[0] < 0xf5 ? 4 : 0;
	unsigned char lo = 0x80, hi = 0xbf;

	if (len == 0 || len > n)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/* Report the first bad byte of a line; -1 if there was one. */
static int check_bytes(struct lexer *lx, const char *line, size_t n)
{
	const unsigned char *s = (const unsigned char *)line;

	for (size_t i = 0; i < n; i++) {
		size_t len = 1;

		if (s[i] == '\0')
			crl_diag_error(lx->d, lx->file, lx->line, "NUL byte");
		else if (s[i] == '\r')
			crl_diag_error(lx->d, lx->file, lx->line, "carriage "
				       "return (DOS line endings?)");
		else if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			crl_diag_error(lx->d, lx->file, lx->line,
				       "control character 0x%02x", s[i]);
		else if (s[i] >= 0x80 && (len = utf8_len(s + i, n - i)) == 0)
			crl_diag_error(lx->d, lx->file, lx->line,
				       "invalid UTF-8 (byte 0x%02x)", s[i]);
		else {
			i += len - 1;
			continue;
		}
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ grammar */

static char *trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int is_name(const char *s)
{
	return *s && s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_")] == 0;
}

static void parse_header(struct lexer *lx, char *s)
{
	char *end = strchr(s, ']');
	char q[CRL_QUOTE_MAX];

	lx->section = SECTION_UNKNOWN;
	if (!end) {
		crl_diag_error(lx->d, lx->file, lx->line, "missing ']' in "
			       "section header");
		return;
	}
	if (end[1] != '\0') {
		crl_diag_error(lx->d, lx->file, lx->line, "unexpected text "
			       "after ']' (comments must be on a line of "
			       "their own)");
		return;
	}
	*end = '\0';
	if (!is_name(s + 1)) {
		crl_diag_error(lx->d, lx->file, lx->line, "malformed section "
			       "header '[%s]' (expected '[name]')",
			       crl_quote(s + 1, strlen(s + 1), q));
		return;
	}
	lx->section = crl_section_lookup(s + 1);
	if (lx->section < 0) {
		lx->section = SECTION_UNKNOWN;
		crl_diag_error(lx->d, lx->file, lx->line, "unknown section "
			       "[%s] (known: [helper], [projects], [sandbox], "
			       "[limits], [network])", s + 1);
	}
}

/* The key's place is known: an unknown or misplaced key. */
static int find_key(struct lexer *lx, const char *key)
{
	int k = lx->section >= 0 ? crl_key_lookup(lx->section, key) : -1;
	int elsewhere = crl_key_lookup(-1, key);

	if (k >= 0)
		return k;
	if (lx->section == SECTION_UNKNOWN)
		return -1;      /* the header was reported already */
	if (lx->section == SECTION_NONE && elsewhere >= 0)
		crl_diag_error(lx->d, lx->file, lx->line, "key '%s' outside a "
			       "section (it belongs in [%s])", key,
			       crl_section_names[crl_keys[elsewhere].section]);
	else if (lx->section == SECTION_NONE)
		crl_diag_error(lx->d, lx->file, lx->line, "key '%s' outside a "
			       "section", key);
	else if (elsewhere >= 0)
		crl_diag_error(lx->d, lx->file, lx->line, "unknown key '%s' in "
			       "section [%s] (it belongs in [%s])", key,
			       crl_section_names[lx->section],
			       crl_section_names[crl_keys[elsewhere].section]);
	else
		crl_diag_error(lx->d, lx->file, lx->line, "unknown key '%s' in "
			       "section [%s]", key,
			       crl_section_names[lx->section]);
	return -1;
}

/* Problems with a value as text, before its parser sees it. */
static int check_value(struct lexer *lx, const struct crl_key *k,
		       const char *val)
{
	if (strchr(val, '#')) {
		crl_diag_error(lx->d, lx->file, lx->line, "'#' in the value of "
			       "'%s' (comments must be on a line of their own)",
			       k->name);
		return -1;
	}
	for (const char *c = val; *c; c++) {
		if ((unsigned char)*c >= 0x80) {
			crl_diag_error(lx->d, lx->file, lx->line, "non-ASCII "
				       "character in the value of '%s' (values "
				       "are printable ASCII)", k->name);
			return -1;
		}
	}
	if (!*val && !(k->flags & CRL_KF_LIST)) {
		crl_diag_error(lx->d, lx->file, lx->line, "empty value for "
			       "'%s'", k->name);
		return -1;
	}
	return 0;
}

static void set_key(struct lexer *lx, int id, const char *val)
{
	const struct crl_key *k = &crl_keys[id];
	struct crl_origin *o = &lx->p->origin->key[id];
	char why[CRL_WHY_MAX], q[CRL_QUOTE_MAX];

	if (o->line) {
		crl_diag_error(lx->d, lx->file, lx->line, "duplicate key '%s' "
			       "(first set at %s:%u)", k->name, o->file,
			       o->line);
		return;
	}
	o->file = lx->file;
	o->line = lx->line;
	if (check_value(lx, k, val) < 0) {
		o->bad = 1;
		return;
	}
	why[0] = '\0';
	if (k->parse(lx->p, k, val, why, sizeof(why)) < 0) {
		o->bad = 1;
		crl_diag_error(lx->d, lx->file, lx->line, "bad value '%s' for "
			       "'%s': %s", crl_quote(val, strlen(val), q),
			       k->name, why);
	}
}

static void parse_setting(struct lexer *lx, char *s)
{
	char *eq = strchr(s, '=');
	char *key, q[CRL_QUOTE_MAX];
	int id;

	if (!eq) {
		crl_diag_error(lx->d, lx->file, lx->line, "missing '=' in '%s' "
			       "(expected 'key = value')",
			       crl_quote(s, strlen(s), q));
		return;
	}
	*eq = '\0';
	key = trim(s);
	if (!*key) {
		crl_diag_error(lx->d, lx->file, lx->line, "missing key before "
			       "'='");
		return;
	}
	if (!is_name(key)) {
		crl_diag_error(lx->d, lx->file, lx->line, "malformed key '%s' "
			       "(keys are lower-case letters, digits and '_')",
			       crl_quote(key, strlen(key), q));
		return;
	}
	id = find_key(lx, key);
	if (id >= 0)
		set_key(lx, id, trim(eq + 1));
}

static void parse_line(struct lexer *lx, const char *text, size_t n)
{
	char buf[CRL_LINE_MAX + 1], *s;

	if (n > CRL_LINE_MAX) {
		crl_diag_error(lx->d, lx->file, lx->line, "line too long (%zu "
			       "bytes, at most %d)", n, CRL_LINE_MAX);
		return;
	}
	if (check_bytes(lx, text, n) < 0)
		return;
	memcpy(buf, text, n);
	buf[n] = '\0';
	s = trim(buf);
	if (*s == '\0' || *s == '#')
		return;
	if (*s == '[')
		parse_header(lx, s);
	else
		parse_setting(lx, s);
}

void crl_parse_feed(struct crl_policy *p, struct crl_diag *d,
		    const char *name, const char *buf, size_t len)
{
	struct lexer lx = { .p = p, .d = d, .section = SECTION_NONE };

	lx.file = add_file(p, name);
	if (!lx.file) {
		crl_diag_error(d, name, 0, "out of memory");
		return;
	}
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;

		lx.line++;
		parse_line(&lx, buf + at, n);
		at += n + 1;
	}
}

void crl_policy_finish(struct crl_policy *p, struct crl_diag *d)
{
	char why[CRL_WHY_MAX];

	if (crl_keys_defaults(p, why, sizeof(why)) < 0) {
		crl_diag_error(d, p->origin->files[0], 0, "%s", why);
		return;
	}
	crl_validate(p, d);
}

int crl_policy_parse_buffer(const char *name, const char *buf, size_t len,
			    struct crl_policy **out, FILE *errs)
{
	struct crl_diag d = { .out = errs };
	struct crl_policy *p;

	*out = NULL;
	if (!name)
		name = "(buffer)";
	p = crl_policy_new(name);
	if (!p) {
		crl_diag_error(&d, name, 0, "out of memory");
		return -1;
	}
	crl_parse_feed(p, &d, name, buf, len);
	crl_policy_finish(p, &d);
	if (d.nerr) {
		crl_policy_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static void free_strv(char **v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(v[i]);
}

void crl_policy_free(struct crl_policy *p)
{
	if (!p)
		return;
	free(p->socket_path);
	free(p->frontend_user);
	free(p->home_root);
	free(p->rootfs);
	free(p->home_mount);
	free_strv(p->hide, p->n_hide);
	free_strv(p->ro_bind, p->n_ro_bind);
	free(p->hostname);
	free_strv(p->env_allow, p->n_env_allow);
	free(p->seccomp_profile);
	free(p->default_command);
	free_strv(p->default_argv, p->n_default_argv);
	free(p->bridge);
	free(p->subnet);
	free(p->hub_address);
	if (p->origin) {
		free_strv(p->origin->files, p->origin->nfiles);
		free(p->origin->files);
		free(p->origin);
	}
	free(p);
}
