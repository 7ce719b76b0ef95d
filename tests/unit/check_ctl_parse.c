/* SPDX-License-Identifier: GPL-2.0-or-later */
/* corralctl's parsers of modes, sizes and times: a typo must be refused,
 * never turned into another value sent to the helper. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/ctl_parse.h"

START_TEST(test_mode_octal)
{
	uint32_t m = 1;

	ck_assert_int_eq(ctl_parse_mode("755", &m), 0);
	ck_assert_uint_eq(m, 0755);
	ck_assert_int_eq(ctl_parse_mode("0000", &m), 0);
	ck_assert_uint_eq(m, 0);
	/* the helper, not corralctl, refuses setuid: it must get the bits */
	ck_assert_int_eq(ctl_parse_mode("4755", &m), 0);
	ck_assert_uint_eq(m, 04755);
	ck_assert_int_eq(ctl_parse_mode("37777777777", &m), 0);
	ck_assert_uint_eq(m, 0xffffffffu);
}
END_TEST

START_TEST(test_mode_refused)
{
	static const char *const bad[] = {
		"", "8", "0x1ff", "u+x", " 755", "755 ", "-1", "+755",
		"40000000000", "0777777777777777777777",
	};
	uint32_t m = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ctl_parse_mode(bad[i], &m) == -1, "%s", bad[i]);
		ck_assert_uint_eq(m, 42);
	}
	ck_assert_int_eq(ctl_parse_mode(NULL, &m), -1);
}
END_TEST

START_TEST(test_size_suffixes)
{
	uint64_t v = 0;

	ck_assert_int_eq(ctl_parse_size("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(ctl_parse_size("123", &v), 0);
	ck_assert_uint_eq(v, 123);
	ck_assert_int_eq(ctl_parse_size("4K", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(ctl_parse_size("4KiB", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(ctl_parse_size("4KB", &v), 0);
	ck_assert_uint_eq(v, 4000);
	ck_assert_int_eq(ctl_parse_size("3M", &v), 0);
	ck_assert_uint_eq(v, 3u << 20);
	ck_assert_int_eq(ctl_parse_size("2G", &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(ctl_parse_size("1T", &v), 0);
	ck_assert_uint_eq(v, 1ull << 40);
	ck_assert_int_eq(ctl_parse_size("15E", &v), 0);
	ck_assert_uint_eq(v, 15ull << 60);
	ck_assert_int_eq(ctl_parse_size("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(test_size_refused)
{
	static const char *const bad[] = {
		"", "K", "-1", "+1", "1.5K", "1 K", " 1", "1Q", "1KK", "1Kb",
		"0x10", "16E", "18446744073709551616", "99999999999999999999999",
		"<5", "%4",
	};
	uint64_t v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ctl_parse_size(bad[i], &v) == -1, "%s", bad[i]);
		ck_assert_uint_eq(v, 42);
	}
}
END_TEST

START_TEST(test_time_epoch)
{
	uint64_t t = 0;

	ck_assert_int_eq(ctl_parse_time("@0", &t), 0);
	ck_assert_uint_eq(t, 0);
	ck_assert_int_eq(ctl_parse_time("@1000000000", &t), 0);
	ck_assert_uint_eq(t, 1000000000ull * 1000000000ull);
	ck_assert_int_eq(ctl_parse_time("@1.5", &t), 0);
	ck_assert_uint_eq(t, 1500000000ull);
	ck_assert_int_eq(ctl_parse_time("@1.000000001", &t), 0);
	ck_assert_uint_eq(t, 1000000001ull);
	ck_assert_int_eq(ctl_parse_time("@18446744073.709551615", &t), 0);
	ck_assert_uint_eq(t, UINT64_MAX);
}
END_TEST

START_TEST(test_time_iso)
{
	uint64_t t = 0;

	ck_assert_int_eq(ctl_parse_time("2001-09-09 01:46:40", &t), 0);
	ck_assert_uint_eq(t, 1000000000ull * 1000000000ull);
	ck_assert_int_eq(ctl_parse_time("2001-09-09T01:46:40", &t), 0);
	ck_assert_uint_eq(t, 1000000000ull * 1000000000ull);
	ck_assert_int_eq(ctl_parse_time("2001-09-09T01:46:40.25Z", &t), 0);
	ck_assert_uint_eq(t, 1000000000250000000ull);
	ck_assert_int_eq(ctl_parse_time("1970-01-01 00:00:00", &t), 0);
	ck_assert_uint_eq(t, 0);
	ck_assert_int_eq(ctl_parse_time("2024-02-29 12:00:00", &t), 0);
	ck_assert_uint_eq(t, 1709208000ull * 1000000000ull);
}
END_TEST

START_TEST(test_time_refused)
{
	static const char *const bad[] = {
		"", "@", "@-1", "@+1", "@1.", "@1.1234567890", "@1e9", "@ 1",
		"@18446744074", "1000000000", "2001-09-09", "2001-9-9 01:46:40",
		"2001-09-09 01:46", "2001-09-09  01:46:40", "2001-09-09x01:46:40",
		"2023-02-29 00:00:00", "2023-02-30 00:00:00", "2023-13-01 00:00:00",
		"2023-00-01 00:00:00", "2023-01-00 00:00:00", "2023-01-01 24:00:00",
		"2023-01-01 00:60:00", "2023-01-01 00:00:60", "1969-12-31 23:59:59",
		"2023-01-01 00:00:00+01:00", "2023-01-01 00:00:00ZZ",
		"2023-01-01 00:00:00.", "2023-01-01 00:00:00 ",
	};
	uint64_t t = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ctl_parse_time(bad[i], &t) == -1, "%s", bad[i]);
		ck_assert_uint_eq(t, 42);
	}
}
END_TEST

START_TEST(test_time_round_trip)
{
	char buf[CTL_TIME_BUF + 1];
	uint64_t t = 0;

	buf[0] = '@';
	ctl_format_time(1234567890123456789ull, buf + 1);
	ck_assert_str_eq(buf, "@1234567890.123456789");
	ck_assert_int_eq(ctl_parse_time(buf, &t), 0);
	ck_assert_uint_eq(t, 1234567890123456789ull);
	ck_assert_str_eq(ctl_format_time(5, buf), "0.000000005");
	ck_assert_str_eq(ctl_format_time(UINT64_MAX, buf), "18446744073.709551615");
}
END_TEST

static Suite *ctl_parse_suite(void)
{
	Suite *s = suite_create("ctl_parse");
	TCase *tc = tcase_create("ctl_parse");

	tcase_add_test(tc, test_mode_octal);
	tcase_add_test(tc, test_mode_refused);
	tcase_add_test(tc, test_size_suffixes);
	tcase_add_test(tc, test_size_refused);
	tcase_add_test(tc, test_time_epoch);
	tcase_add_test(tc, test_time_iso);
	tcase_add_test(tc, test_time_refused);
	tcase_add_test(tc, test_time_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_parse_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
