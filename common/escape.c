/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "common/escape.h"

/* Audit values: nothing that could end a field or start another. */
static int audit_escape(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '=';
}

/* Terminal text: nothing that a terminal would interpret. */
static int text_escape(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || c == '\\';
}

static char *escape_with(int (*needs_escape)(unsigned char), const void *s,
			 size_t len, char out[CRL_ESCAPE_OUT_MAX])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = s;
	size_t n = len > CRL_ESCAPE_IN_MAX ? CRL_ESCAPE_IN_MAX : len;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (needs_escape(p[i])) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 0xf];
		} else {
			out[o++] = (char)p[i];
		}
	}
	if (n < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

char *crl_escape(const void *s, size_t len, char out[CRL_ESCAPE_OUT_MAX])
{
	return escape_with(audit_escape, s, len, out);
}

char *crl_escape_text(const char *s, char out[CRL_ESCAPE_OUT_MAX])
{
	if (!s)
		s = "-";
	return escape_with(text_escape, s, strnlen(s, CRL_ESCAPE_IN_MAX + 1), out);
}

char *crl_escape_str(const char *s, char out[CRL_ESCAPE_OUT_MAX])
{
	if (!s) {
		out[0] = '-';
		out[1] = '\0';
		return out;
	}
	return crl_escape(s, strnlen(s, CRL_ESCAPE_IN_MAX + 1), out);
}
