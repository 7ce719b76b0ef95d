/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "common/escape.h"

enum esc_kind { ESC_AUDIT, ESC_TEXT };

/* Audit values: nothing that could end a field or start another.
 * Terminal text: nothing that a terminal would interpret. */
static inline int needs_escape(enum esc_kind k, unsigned char c)
{
	if (k == ESC_TEXT)
		return c < 0x20 || c >= 0x7f || c == '\\';
	return c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '=';
}

/* Returns the length written before the NUL.  Inline with a constant kind:
 * this runs for every field of every audit line. */
static inline size_t escape_with(enum esc_kind k, const void *s, size_t len,
				 char out[CRL_ESCAPE_OUT_MAX])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = s;
	size_t n = len > CRL_ESCAPE_IN_MAX ? CRL_ESCAPE_IN_MAX : len;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (needs_escape(k, p[i])) {
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
	return o;
}

char *crl_escape(const void *s, size_t len, char out[CRL_ESCAPE_OUT_MAX])
{
	escape_with(ESC_AUDIT, s, len, out);
	return out;
}

char *crl_escape_text(const char *s, char out[CRL_ESCAPE_OUT_MAX])
{
	if (!s)
		s = "-";
	escape_with(ESC_TEXT, s, strnlen(s, CRL_ESCAPE_IN_MAX + 1), out);
	return out;
}

char *crl_escape_str(const char *s, char out[CRL_ESCAPE_OUT_MAX])
{
	crl_escape_str_len(s, out);
	return out;
}

size_t crl_escape_str_len(const char *s, char out[CRL_ESCAPE_OUT_MAX])
{
	if (!s) {
		out[0] = '-';
		out[1] = '\0';
		return 1;
	}
	return escape_with(ESC_AUDIT, s, strnlen(s, CRL_ESCAPE_IN_MAX + 1), out);
}
