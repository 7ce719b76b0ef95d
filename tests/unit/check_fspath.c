/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for helper/fspath.c: every class of malformed path a request
 * can carry is refused with its own errno and reason, before the helper
 * makes a single system call; well-formed paths pass and split right.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "helper/fspath.h"

static int check(const char *p, unsigned int flags, const char **why)
{
	return fspath_check(p, p ? strlen(p) : 0, flags, why);
}

/* Refused with err, and the reason mentions want. */
#define refused(p, flags, err, want) refused_at(__LINE__, p, flags, err, want)
static void refused_at(int line, const char *p, unsigned int flags, int err,
		       const char *want)
{
	const char *why = NULL;
	int got = check(p, flags, &why);

	ck_assert_msg(got == err, "line %d: '%s': got %d, want %d", line,
		      p ? p : "(null)", got, err);
	ck_assert_msg(why && strstr(why, want), "line %d: '%s': reason '%s'",
		      line, p ? p : "(null)", why ? why : "(null)");
}

static void accepted(const char *p, unsigned int flags)
{
	const char *why = "x";

	ck_assert_msg(check(p, flags, &why) == 0, "'%s' refused: %s", p, why);
	ck_assert_ptr_null(why);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(test_absolute)
{
	refused("/", 0, EINVAL, "absolute");
	refused("/etc/passwd", 0, EINVAL, "absolute");
	refused("//x", 0, EINVAL, "absolute");
	refused("/.", FSPATH_DOT_OK, EINVAL, "absolute");
}
END_TEST

START_TEST(test_dotdot)
{
	static const char *p[] = { "..", "../x", "a/..", "a/../b", "a/b/..",
				   "../../../etc/shadow" };

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		refused(p[i], 0, EINVAL, "'..'");
		refused(p[i], FSPATH_DOT_OK, EINVAL, "'..'");
	}
	/* Names that only start with dots are names. */
	accepted("...", 0);
	accepted("..a", 0);
	accepted("a..", 0);
	accepted(".hidden/..x/x..", 0);
}
END_TEST

START_TEST(test_dot)
{
	refused(".", 0, EINVAL, "'.'");
	accepted(".", FSPATH_DOT_OK);
	refused("./a", FSPATH_DOT_OK, EINVAL, "'.'");
	refused("a/.", FSPATH_DOT_OK, EINVAL, "'.'");
	refused("a/./b", 0, EINVAL, "'.'");
	accepted(".a", 0);
}
END_TEST

START_TEST(test_empty_components)
{
	refused("", 0, EINVAL, "empty path");
	refused("", FSPATH_DOT_OK, EINVAL, "empty path");
	refused("a//b", 0, EINVAL, "empty path component");
	refused("a/", 0, EINVAL, "empty path component");
	refused("a/b/", 0, EINVAL, "empty path component");
	refused("./", FSPATH_DOT_OK, EINVAL, "component");
}
END_TEST

START_TEST(test_nul)
{
	const char *why = NULL;

	/* The decoder refuses embedded NULs; the check holds by itself. */
	ck_assert_int_eq(fspath_check("a\0/etc/passwd", 13, 0, &why), EINVAL);
	ck_assert_str_eq(why, "NUL byte in path");
	ck_assert_int_eq(fspath_check("a\0", 2, 0, &why), EINVAL);
	ck_assert_int_eq(fspath_check("\0", 1, FSPATH_DOT_OK, &why), EINVAL);
	ck_assert_int_eq(fspath_check(NULL, 0, 0, &why), EINVAL);
	ck_assert_str_eq(why, "missing path");
}
END_TEST

START_TEST(test_lengths)
{
	char *s = repeat('a', CRL_PATH_MAX + 1);
	char *name = repeat('n', NAME_MAX + 1);
	size_t i;

	refused(s, 0, ENAMETOOLONG, "longer than 4096");
	/* Checked before anything else: even an absolute one. */
	s[0] = '/';
	refused(s, 0, ENAMETOOLONG, "longer than 4096");
	/* 4096 bytes of short components is fine. */
	for (i = 0; i < CRL_PATH_MAX; i++)
		s[i] = i % 2 ? '/' : 'a';
	s[CRL_PATH_MAX - 1] = 'b';
	s[CRL_PATH_MAX] = '\0';
	accepted(s, 0);
	refused(name, 0, ENAMETOOLONG, "component longer than 255");
	name[NAME_MAX] = '\0';
	accepted(name, 0);
	snprintf(s, CRL_PATH_MAX, "dir/%s/x", name);
	accepted(s, 0);
	snprintf(s, CRL_PATH_MAX, "dir/%sn/x", name);
	refused(s, 0, ENAMETOOLONG, "component longer than 255");
	free(s);
	free(name);
}
END_TEST

START_TEST(test_good_paths)
{
	static const char *p[] = { "a", "a/b/c", "file name with spaces",
				   "\x01\x1b[31m", "caf\xc3\xa9/x", "-rf",
				   "a\\b", "*", "~", ".corral-replace.x" };

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		accepted(p[i], 0);
		accepted(p[i], FSPATH_DOT_OK);
	}
}
END_TEST

static void split_is(const char *p, const char *dir, const char *leaf)
{
	char buf[CRL_PATH_MAX + 1];
	const char *l = NULL;

	ck_assert_int_eq(fspath_split(p, buf, sizeof(buf), &l), 0);
	ck_assert_str_eq(buf, dir);
	ck_assert_str_eq(l, leaf);
}

START_TEST(test_split)
{
	char small[2];
	const char *l;

	split_is("a", ".", "a");
	split_is(".", ".", ".");
	split_is("a/b", "a", "b");
	split_is("a/b/c", "a/b", "c");
	ck_assert_int_eq(fspath_split("ab/c", small, sizeof(small), &l), -1);
	ck_assert_int_eq(fspath_split("c", small, sizeof(small), &l), 0);
}
END_TEST

static Suite *fspath_suite(void)
{
	Suite *s = suite_create("fspath");
	TCase *tc = tcase_create("check");

	tcase_add_test(tc, test_absolute);
	tcase_add_test(tc, test_dotdot);
	tcase_add_test(tc, test_dot);
	tcase_add_test(tc, test_empty_components);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_good_paths);
	tcase_add_test(tc, test_split);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fspath_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
