/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl's parsers of operator input (modes, sizes, times) and the one
 * time format it prints.  Pure functions, no I/O: unit-tested in
 * tests/unit/check_ctl_parse.c.  Each returns 0, or -1 for input it does
 * not accept, leaving *out untouched.
 */
#ifndef CORRAL_CTL_PARSE_H
#define CORRAL_CTL_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Octal digits only ("755", "0644"), any value that fits 32 bits.  Which
 * bits are allowed is the helper's decision (it refuses setuid/setgid), so
 * that the rule is enforced in one place. */
int ctl_parse_mode(const char *s, uint32_t *out);

/* Decimal bytes with an optional suffix, as coreutils truncate -s takes
 * them: K M G T P E (or k m g t, or with "iB": KiB) are powers of 1024,
 * KB MB GB TB PB EB powers of 1000.  No sign, no relative sizes. */
int ctl_parse_size(const char *s, uint64_t *out);

/* A point in time as nanoseconds since the epoch, UTC:
 *   @SECONDS[.FRACTION]
 *   YYYY-MM-DD HH:MM:SS[.FRACTION][Z]   (or a 'T' between date and time)
 * FRACTION has 1 to 9 digits.  Times before 1970 are refused (the wire
 * carries unsigned nanoseconds). */
int ctl_parse_time(const char *s, uint64_t *out);

/* "SECONDS.NNNNNNNNN": how stat and ls print times; with a leading '@' it
 * is accepted back by ctl_parse_time(). */
#define CTL_TIME_BUF 32
char *ctl_format_time(uint64_t ns, char buf[CTL_TIME_BUF]);

#endif
