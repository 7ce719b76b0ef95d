/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping of untrusted text for audit lines and terminal output. */
#ifndef CORRAL_ESCAPE_H
#define CORRAL_ESCAPE_H

#include <stddef.h>

/* Longest text crl_escape() copies before it truncates and appends "...". */
#define CRL_ESCAPE_IN_MAX 256
/* Worst case: every byte as \xHH, plus "..." and the NUL. */
#define CRL_ESCAPE_OUT_MAX (CRL_ESCAPE_IN_MAX * 4 + 4)

/*
 * Copy at most CRL_ESCAPE_IN_MAX bytes of s (len bytes; NUL bytes count as
 * data) into out, writing every byte that is not printable ASCII, and the
 * characters space, backslash, '"' and '=', as \xHH, so that one value can
 * neither forge another key=value field nor control a terminal.  out must
 * hold CRL_ESCAPE_OUT_MAX bytes.  Returns out.
 */
char *crl_escape(const void *s, size_t len, char out[CRL_ESCAPE_OUT_MAX]);
/* The same for a NUL-terminated string (NULL gives "-"). */
char *crl_escape_str(const char *s, char out[CRL_ESCAPE_OUT_MAX]);
/* crl_escape_str() that returns the length written (before the NUL). */
size_t crl_escape_str_len(const char *s, char out[CRL_ESCAPE_OUT_MAX]);
/* For a terminal: only control bytes, DEL, non-ASCII and backslash are
 * written as \xHH; spaces and punctuation stay readable. */
char *crl_escape_text(const char *s, char out[CRL_ESCAPE_OUT_MAX]);

#endif
