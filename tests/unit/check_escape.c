/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"

static char out[CRL_ESCAPE_OUT_MAX];

START_TEST(test_plain_text_unchanged)
{
	ck_assert_str_eq(crl_escape_str("corralctl-1.0_x/y", out), "corralctl-1.0_x/y");
}
END_TEST

START_TEST(test_field_forgery_escaped)
{
	/* a value must not be able to start a field of its own */
	ck_assert_str_eq(crl_escape_str("a result=ok", out), "a\\x20result\\x3dok");
	ck_assert_str_eq(crl_escape_str("\"q\"\\", out), "\\x22q\\x22\\x5c");
}
END_TEST

START_TEST(test_control_and_high_bytes)
{
	ck_assert_str_eq(crl_escape_str("\n\x1b[2J\x7f\xc3\xa9", out),
			 "\\x0a\\x1b[2J\\x7f\\xc3\\xa9");
}
END_TEST

START_TEST(test_embedded_nul_is_data)
{
	ck_assert_str_eq(crl_escape("a\0b", 3, out), "a\\x00b");
}
END_TEST

START_TEST(test_truncation_bounded)
{
	char big[CRL_ESCAPE_IN_MAX * 2];

	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	crl_escape_str(big, out);
	ck_assert_uint_eq(strlen(out), CRL_ESCAPE_IN_MAX * 4 + 3);
	ck_assert_str_eq(out + CRL_ESCAPE_IN_MAX * 4, "...");
}
END_TEST

START_TEST(test_text_keeps_spaces)
{
	ck_assert_str_eq(crl_escape_text("no such file: a=b \"c\"", out),
			 "no such file: a=b \"c\"");
	ck_assert_str_eq(crl_escape_text("x\x1b]0;owned\x07\\", out),
			 "x\\x1b]0;owned\\x07\\x5c");
}
END_TEST

START_TEST(test_null_is_dash)
{
	ck_assert_str_eq(crl_escape_str(NULL, out), "-");
}
END_TEST

static Suite *escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, test_plain_text_unchanged);
	tcase_add_test(tc, test_field_forgery_escaped);
	tcase_add_test(tc, test_control_and_high_bytes);
	tcase_add_test(tc, test_embedded_nul_is_data);
	tcase_add_test(tc, test_truncation_bounded);
	tcase_add_test(tc, test_text_keeps_spaces);
	tcase_add_test(tc, test_null_is_dash);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(escape_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
