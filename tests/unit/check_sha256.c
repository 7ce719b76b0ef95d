/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for common/sha256.c: the FIPS 180-2 / NIST example vectors,
 * padding boundaries, and chunked updates. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"

static void digest_hex(const void *data, size_t len, char out[65])
{
	struct crl_sha256 c;
	uint8_t d[CRL_SHA256_LEN];

	crl_sha256_init(&c);
	crl_sha256_update(&c, data, len);
	crl_sha256_final(&c, d);
	crl_sha256_hex(d, out);
}

static void check_vector(const char *msg, const char *want)
{
	char got[65];

	digest_hex(msg, strlen(msg), got);
	ck_assert_str_eq(got, want);
}

START_TEST(test_empty)
{
	check_vector("", "e3b0c44298fc1c149afbf4c8996fb924"
			 "27ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_abc)
{
	check_vector("abc", "ba7816bf8f01cfea414140de5dae2223"
			    "b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_448_bits)
{
	check_vector("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		     "248d6a61d20638b8e5c026930c3e6039"
		     "a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_896_bits)
{
	check_vector("abcdefghbcdefghicdefghijdefghijkefghijklfghijklm"
		     "ghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
		     "mnopqrstnopqrstu",
		     "cf5b16a778af8380036ce59e7b049237"
		     "0b249b11e8f07a51afac45037afee9d1");
}
END_TEST

/* One million 'a', fed in uneven pieces to exercise the block buffer. */
START_TEST(test_million_a)
{
	static char chunk[1000];
	struct crl_sha256 c;
	uint8_t d[CRL_SHA256_LEN];
	char hex[65];
	size_t done = 0, n = 1;

	memset(chunk, 'a', sizeof(chunk));
	crl_sha256_init(&c);
	while (done < 1000000) {
		if (n > 1000000 - done)
			n = 1000000 - done;
		crl_sha256_update(&c, chunk, n);
		done += n;
		n = (n + 7) % sizeof(chunk) + 1;   /* 1..1000 */
	}
	crl_sha256_final(&c, d);
	crl_sha256_hex(d, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
			      "f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Lengths around the 55/56/64-byte padding boundaries (byte i = i). */
START_TEST(test_padding_boundaries)
{
	static const struct {
		size_t len;
		const char *hex;
	} v[] = {
		{ 55, "463eb28e72f82e0a96c0a4cc53690c57"
		      "1281131f672aa229e0d45ae59b598b59" },
		{ 56, "da2ae4d6b36748f2a318f23e7ab1dfdf"
		      "45acdc9d049bd80e59de82a60895f562" },
		{ 63, "29af2686fd53374a36b0846694cc3421"
		      "77e428d1647515f078784d69cdb9e488" },
		{ 64, "fdeab9acf3710362bd2658cdc9a29e8f"
		      "9c757fcf9811603a8c447cd1d9151108" },
		{ 65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2"
		      "694182027e6d0fc075074f2fabb31781" },
		{ 119, "da18797ed7c3a777f0847f429724a2d8"
		       "cd5138e6ed2895c3fa1a6d39d18f7ec6" },
		{ 120, "f52b23db1fbb6ded89ef42a23ce0c892"
		       "2c45f25c50b568a93bf1c075420bbb7c" },
		{ 128, "471fb943aa23c511f6f72f8d1652d9c8"
		       "80cfa392ad80503120547703e56a2be5" },
	};
	uint8_t buf[128];
	char hex[65];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		digest_hex(buf, v[i].len, hex);
		ck_assert_msg(strcmp(hex, v[i].hex) == 0, "length %zu: %s",
			      v[i].len, hex);
	}
}
END_TEST

/* Splitting the input anywhere gives the same digest. */
START_TEST(test_split_updates)
{
	uint8_t buf[300], d[CRL_SHA256_LEN];
	char want[65], got[65];
	struct crl_sha256 c;
	size_t i, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	digest_hex(buf, sizeof(buf), want);
	for (cut = 0; cut <= sizeof(buf); cut++) {
		crl_sha256_init(&c);
		crl_sha256_update(&c, buf, cut);
		crl_sha256_update(&c, NULL, 0);
		crl_sha256_update(&c, buf + cut, sizeof(buf) - cut);
		crl_sha256_final(&c, d);
		crl_sha256_hex(d, got);
		ck_assert_msg(strcmp(got, want) == 0, "cut at %zu", cut);
	}
}
END_TEST

static Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("fips180");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_abc);
	tcase_add_test(tc, test_448_bits);
	tcase_add_test(tc, test_896_bits);
	tcase_add_test(tc, test_million_a);
	tcase_add_test(tc, test_padding_boundaries);
	tcase_add_test(tc, test_split_updates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sha256_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
