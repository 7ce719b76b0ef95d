/* SPDX-License-Identifier: GPL-2.0-or-later */
/* corrald.conf: good files load, bad ones fail with FILE:LINE and why. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "frontend/cd_conf.h"

static char dir[] = "/tmp/check_cdconf.XXXXXX";
static char conf_path[256], keys_path[256];
static char err[1024];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	unsigned char pk[32], sk[64];
	char b64[64], text[256];

	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf_path, sizeof(conf_path), "%s/corrald.conf", dir);
	snprintf(keys_path, sizeof(keys_path), "%s/hub.pub", dir);
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(b64, sizeof(b64), pk, 32, sodium_base64_VARIANT_ORIGINAL);
	snprintf(text, sizeof(text), "# hub key, current\n%s\n\n", b64);
	put(keys_path, text);
}

static void teardown(void)
{
	unlink(conf_path);
	unlink(keys_path);
	rmdir(dir);
	strcpy(dir, "/tmp/check_cdconf.XXXXXX");
}

/* Load "[listen]...[auth]..." followed by extra lines. */
static int load_with(const char *extra, struct cd_conf *c)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "# test\n[listen]\naddress = 127.0.0.1:8470\n"
		 "[auth]\nhost_id = host-a\npublic_keys = %s\n%s", keys_path, extra);
	put(conf_path, text);
	return cd_conf_load(c, conf_path, err, sizeof(err));
}

static void expect_error(const char *extra, const char *where, const char *why)
{
	struct cd_conf c;

	ck_assert_int_eq(load_with(extra, &c), -1);
	if (where) {
		char want[512];
		snprintf(want, sizeof(want), "%s:%s", conf_path, where);
		ck_assert_msg(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	}
	ck_assert_msg(strstr(err, why) != NULL, "'%s' lacks '%s'", err, why);
}

START_TEST(good)
{
	struct cd_conf c;

	ck_assert_int_eq(load_with("single_use_tokens = yes\n[limits]\n"
				   "max_body = 100M\nrate_per_token = 5\n"
				   "burst_per_token = 5\n[daemon]\nuser = nobody\n", &c), 0);
	ck_assert_str_eq(c.tcp_address, "127.0.0.1:8470");
	ck_assert_str_eq(c.host_id, "host-a");
	ck_assert_uint_eq(c.nkeys, 1);
	ck_assert_int_eq(c.single_use_tokens, 1);
	ck_assert_uint_eq(c.max_body, 100u << 20);
	ck_assert_uint_eq(c.rate_per_token, 5);
	ck_assert_str_eq(c.user, "nobody");
	ck_assert_str_eq(c.helper_socket, CORRAL_HELPER_SOCKET);
	cd_conf_free(&c);
}
END_TEST

START_TEST(errors)
{
	expect_error("bogus = 1\n", "7:", "unknown key 'bogus' in [auth]");
	expect_error("host_id = again\n", "7:", "duplicate key 'host_id'");
	expect_error("[nope]\n", "7:", "unknown section [nope]");
	expect_error("single_use_tokens = maybe\n", "7:", "expected yes or no");
	expect_error("[limits]\nmax_body = 10X\n", "8:", "max_body");
	expect_error("[limits]\nthreads = 0\n", "8:", "threads");
	expect_error("[limits]\nthreads = -1\n", "8:", "threads");
	expect_error("just words\n", "7:", "expected 'key = value'");
	expect_error("[helper]\nsocket = /a\nspawn = /b\n", NULL, "exclude each other");
	expect_error("[limits]\nrate_per_token = 50\n", NULL, "burst must be at least");
}
END_TEST

START_TEST(missing)
{
	struct cd_conf c;

	put(conf_path, "[listen]\naddress = 127.0.0.1:1\n[auth]\nhost_id = h\n");
	ck_assert_int_eq(cd_conf_load(&c, conf_path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "public_keys is required"));
	put(conf_path, "[auth]\nhost_id = h\n");
	ck_assert_int_eq(cd_conf_load(&c, conf_path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "[listen] needs"));
	put(keys_path, "not base64 !!\n");
	expect_error("", NULL, "hub.pub:1: expected the base64 of a 32-byte Ed25519");
	put(keys_path, "# only a comment\n");
	expect_error("", NULL, "no public key");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cdconf");
	TCase *tc = tcase_create("conf");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, missing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
