/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics, path helpers and project ids for the policy library. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

static void CRL_PRINTF(5, 0)
diag_v(struct crl_diag *d, const char *file, unsigned int line,
       const char *kind, const char *fmt, va_list ap)
{
	if (!d->out)
		return;
	/* A binary file fed by mistake must not flood the terminal. */
	if (d->nerr + d->nwarn > CRL_ERRORS_MAX)
		return;
	if (d->nerr + d->nwarn == CRL_ERRORS_MAX) {
		fprintf(d->out, "%s: too many problems, not listing more\n",
			file);
		return;
	}
	if (line)
		fprintf(d->out, "%s:%u: %s", file, line, kind);
	else
		fprintf(d->out, "%s: %s", file, kind);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
}

void crl_diag_error(struct crl_diag *d, const char *file, unsigned int line,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_v(d, file, line, "", fmt, ap);
	va_end(ap);
	d->nerr++;
}

void crl_diag_warn(struct crl_diag *d, const char *file, unsigned int line,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_v(d, file, line, "warning: ", fmt, ap);
	va_end(ap);
	d->nwarn++;
}

const char *crl_quote(const char *s, size_t len, char out[CRL_QUOTE_MAX])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = len > 48 ? 48 : len;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else {
			out[o++] = (char)c;
		}
	}
	if (n < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* Append one component to out (which holds o bytes); -1 if it won't fit. */
static int path_push(char *out, size_t size, size_t *o, const char *c,
		     size_t n)
{
	if (*o + 1 + n + 1 > size)
		return -1;
	out[(*o)++] = '/';
	memcpy(out + *o, c, n);
	*o += n;
	out[*o] = '\0';
	return 0;
}

int crl_path_normalize(const char *in, char *out, size_t size,
		       const char **why)
{
	size_t o = 0;

	if (in[0] != '/') {
		*why = "expected an absolute path (starting with '/')";
		return -1;
	}
	for (const char *c = in; *c;) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			*why = "'..' components are not allowed in paths";
			return -1;
		}
		if (n && !(n == 1 && c[0] == '.') &&
		    path_push(out, size, &o, c, n) < 0) {
			*why = "path too long";
			return -1;
		}
		c += n;
	}
	if (o == 0) {
		out[o++] = '/';
		out[o] = '\0';
	}
	return 0;
}

int crl_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return 1;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *crl_key_file(const struct crl_policy *p, enum crl_key_id k)
{
	const struct crl_origin *o = &p->origin->key[k];

	return o->line ? o->file : p->origin->files[0];
}

unsigned int crl_key_line(const struct crl_policy *p, enum crl_key_id k)
{
	return p->origin->key[k].line;
}

const char *crl_key_dflt(const struct crl_policy *p, enum crl_key_id k)
{
	return p->origin->key[k].line ? "" : " (default)";
}

int crl_key_ok(const struct crl_policy *p, enum crl_key_id k)
{
	return !p->origin->key[k].bad;
}

void crl_diag_key(struct crl_diag *d, const struct crl_policy *p,
		  enum crl_key_id k, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	crl_diag_error(d, crl_key_file(p, k), crl_key_line(p, k), "%s", msg);
}

void crl_warn_key(struct crl_diag *d, const struct crl_policy *p,
		  enum crl_key_id k, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	crl_diag_warn(d, crl_key_file(p, k), crl_key_line(p, k), "%s", msg);
}

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int crl_project_id_valid(const char *id)
{
	/* Only one spelling per UUID, so one project has one home. */
	for (size_t i = 0; i < CRL_PROJECT_ID_LEN; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? id[i] != '-' : !is_lower_hex(id[i]))
			return 0;
	}
	return id[CRL_PROJECT_ID_LEN] == '\0';
}

int crl_policy_hostname(const struct crl_policy *p, const char *project_id,
			char *buf, size_t size)
{
	size_t o = 0;

	if (!crl_project_id_valid(project_id) || size == 0)
		return -1;
	for (const char *c = p->hostname; *c; c++) {
		const char *add = c;
		size_t n = 1;

		/* The pattern was checked: '%' is always followed by 'p'. */
		if (c[0] == '%' && c[1] == 'p') {
			add = project_id;
			n = 8;
			c++;
		}
		if (o + n >= size)
			return -1;
		memcpy(buf + o, add, n);
		o += n;
	}
	buf[o] = '\0';
	return 0;
}
