/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers of what an operator types.  Strict on purpose: a typo must be a
 * usage error, never a different file mode or size sent to the helper.
 * strtoul() is avoided because it skips blanks, takes a sign and saturates.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "frontend/ctl_parse.h"

#define NS_PER_SEC 1000000000ull

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Accumulate decimal digits into *v; returns the number of digits, or -1
 * on overflow. */
static int decimal(const char **sp, uint64_t *v)
{
	const char *s = *sp;
	int n = 0;

	*v = 0;
	for (; is_digit(*s); s++, n++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (*v > (UINT64_MAX - d) / 10)
			return -1;
		*v = *v * 10 + d;
	}
	*sp = s;
	return n;
}

int ctl_parse_mode(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

struct size_suffix {
	const char *name;
	uint64_t mult;
};

static const struct size_suffix suffixes[] = {
	{ "", 1 },
	{ "K", 1ull << 10 }, { "k", 1ull << 10 }, { "KiB", 1ull << 10 },
	{ "M", 1ull << 20 }, { "m", 1ull << 20 }, { "MiB", 1ull << 20 },
	{ "G", 1ull << 30 }, { "g", 1ull << 30 }, { "GiB", 1ull << 30 },
	{ "T", 1ull << 40 }, { "t", 1ull << 40 }, { "TiB", 1ull << 40 },
	{ "P", 1ull << 50 }, { "PiB", 1ull << 50 },
	{ "E", 1ull << 60 }, { "EiB", 1ull << 60 },
	{ "KB", 1000ull }, { "kB", 1000ull }, { "MB", 1000000ull },
	{ "GB", 1000000000ull }, { "TB", 1000000000000ull },
	{ "PB", 1000000000000000ull }, { "EB", 1000000000000000000ull },
};

int ctl_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;

	if (!s || decimal(&s, &v) <= 0)
		return -1;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (strcmp(s, suffixes[i].name) != 0)
			continue;
		if (v > UINT64_MAX / suffixes[i].mult)
			return -1;
		*out = v * suffixes[i].mult;
		return 0;
	}
	return -1;
}

/* ".D[D...]": 1-9 digits as nanoseconds; nothing there is 0. */
static int fraction(const char **sp, uint64_t *ns)
{
	const char *s = *sp;
	uint64_t scale = NS_PER_SEC / 10;
	int n = 0;

	*ns = 0;
	if (*s != '.')
		return 0;
	for (s++; is_digit(*s); s++, n++) {
		if (n == 9)
			return -1;
		*ns += (uint64_t)(*s - '0') * scale;
		scale /= 10;
	}
	if (n == 0)
		return -1;
	*sp = s;
	return 0;
}

static int combine(uint64_t sec, uint64_t ns, uint64_t *out)
{
	if (sec > (UINT64_MAX - ns) / NS_PER_SEC)
		return -1;
	*out = sec * NS_PER_SEC + ns;
	return 0;
}

static int parse_epoch(const char *s, uint64_t *out)
{
	uint64_t sec, ns;

	if (decimal(&s, &sec) <= 0 || fraction(&s, &ns) < 0 || *s)
		return -1;
	return combine(sec, ns, out);
}

/* Exactly n digits into *v. */
static int fixed(const char **sp, int n, int *v)
{
	const char *s = *sp;

	*v = 0;
	for (int i = 0; i < n; i++, s++) {
		if (!is_digit(*s))
			return -1;
		*v = *v * 10 + (*s - '0');
	}
	*sp = s;
	return 0;
}

/* "YYYY-MM-DD?HH:MM:SS" into tm; '?' is a space or a 'T'. */
static int parse_date_time(const char **sp, struct tm *tm)
{
	const char *s = *sp;

	memset(tm, 0, sizeof(*tm));
	if (fixed(&s, 4, &tm->tm_year) || *s++ != '-' ||
	    fixed(&s, 2, &tm->tm_mon) || *s++ != '-' ||
	    fixed(&s, 2, &tm->tm_mday) || (*s != ' ' && *s != 'T'))
		return -1;
	s++;
	if (fixed(&s, 2, &tm->tm_hour) || *s++ != ':' ||
	    fixed(&s, 2, &tm->tm_min) || *s++ != ':' ||
	    fixed(&s, 2, &tm->tm_sec))
		return -1;
	*sp = s;
	return 0;
}

static int parse_iso(const char *s, uint64_t *out)
{
	struct tm tm, back;
	int year, mon, mday;
	uint64_t ns;
	time_t t;

	if (parse_date_time(&s, &tm) || fraction(&s, &ns) < 0)
		return -1;
	if (*s == 'Z')
		s++;
	if (*s)
		return -1;
	year = tm.tm_year;
	mon = tm.tm_mon;
	mday = tm.tm_mday;
	if (year < 1970 || mon < 1 || mon > 12 || mday < 1 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	t = timegm(&tm);
	/* timegm() normalises 2023-02-30 to March 2: refuse such a date */
	if (t < 0 || !gmtime_r(&t, &back) || back.tm_mday != mday ||
	    back.tm_mon != mon - 1)
		return -1;
	return combine((uint64_t)t, ns, out);
}

int ctl_parse_time(const char *s, uint64_t *out)
{
	if (!s)
		return -1;
	if (*s == '@')
		return parse_epoch(s + 1, out);
	return parse_iso(s, out);
}

char *ctl_format_time(uint64_t ns, char buf[CTL_TIME_BUF])
{
	snprintf(buf, CTL_TIME_BUF, "%llu.%09llu",
		 (unsigned long long)(ns / NS_PER_SEC),
		 (unsigned long long)(ns % NS_PER_SEC));
	return buf;
}
