/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Token verification with real Ed25519 keys made here (libsodium): one
 * accepted token, then every way a token must be refused.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frontend/cd_jwt.h"
#include "frontend/cd_limit.h"
#include "frontend/cd_mint.h"

#define AUD "host-a"
#define PRJ "0c6f1f9e-2d3b-4c5a-8e7f-112233445566"
#define NOW 1800000000

static uint8_t pk[32], sk[64], pk2[32], sk2[64];
static uint8_t keys[2][32];
static struct cd_jwt_conf conf;
static struct cd_token tok;

static void setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	memcpy(keys[0], pk, 32);
	memset(&conf, 0, sizeof(conf));
	conf.keys = (const uint8_t (*)[32])keys;
	conf.nkeys = 1;
	conf.aud = AUD;
	conf.skew = 30;
	conf.max_bytes = 4096;
	conf.max_lifetime = 3600;
}

static const char *hdr_ok = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}";

/* claims with the given times and project/aud/perms */
static char *claims(const char *prj, const char *aud, const char *perms,
		    long long iat, long long nbf, long long exp)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"sub\":\"alice\",\"prj\":\"%s\",\"perms\":%s,\"aud\":\"%s\","
		 "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,\"jti\":\"j-%lld\"}",
		 prj, perms, aud, iat, nbf, exp, exp);
	return buf;
}

static char *good_claims(void)
{
	return claims(PRJ, AUD, "[\"read\",\"write\"]", NOW, NOW, NOW + 300);
}

static enum cd_jwt_err verify_str(const char *t)
{
	return cd_jwt_verify(&conf, t, strlen(t), NOW, &tok);
}

static enum cd_jwt_err mint_verify(const uint8_t *key, const char *h, const char *c)
{
	char *t = cd_mint_raw(key, h, strlen(h), c, strlen(c));
	enum cd_jwt_err r;

	ck_assert_ptr_nonnull(t);
	r = verify_str(t);
	free(t);
	return r;
}

START_TEST(valid_accepted)
{
	ck_assert_int_eq(mint_verify(sk, hdr_ok, good_claims()), CD_JWT_OK);
	ck_assert_str_eq(tok.sub, "alice");
	ck_assert_str_eq(tok.prj, PRJ);
	ck_assert_uint_eq(tok.perms, CD_PERM_READ | CD_PERM_WRITE);
	ck_assert_int_eq(strlen(tok.jti_hash), 16);
	/* header without typ, aud as an array */
	ck_assert_int_eq(mint_verify(sk, "{\"alg\":\"EdDSA\"}",
		"{\"sub\":\"s\",\"prj\":\"p\",\"perms\":[],\"aud\":[\"x\",\"host-a\"],"
		"\"iat\":1800000000,\"exp\":1800000100,\"jti\":\"a\"}"), CD_JWT_OK);
}
END_TEST

START_TEST(rotation_second_key)
{
	memcpy(keys[1], pk2, 32);
	conf.nkeys = 2;
	ck_assert_int_eq(mint_verify(sk2, hdr_ok, good_claims()), CD_JWT_OK);
	ck_assert_int_eq(mint_verify(sk, hdr_ok, good_claims()), CD_JWT_OK);
}
END_TEST

START_TEST(bad_signature)
{
	char *t = cd_mint_raw(sk, hdr_ok, strlen(hdr_ok), good_claims(),
			      strlen(good_claims()));
	char *last = strrchr(t, '.') + 5;

	/* flip one signature character to another base64url letter */
	*last = *last == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify_str(t), CD_JWT_BAD_SIGNATURE);
	free(t);
}
END_TEST

START_TEST(tampered_claims)
{
	char *t = cd_mint_raw(sk, hdr_ok, strlen(hdr_ok), good_claims(),
			      strlen(good_claims()));
	const char *oc = claims("other-project", AUD, "[\"read\"]", NOW, NOW, NOW + 300);
	char *other = cd_mint_raw(sk, hdr_ok, strlen(hdr_ok), oc, strlen(oc));
	char *c1 = strchr(t, '.') + 1, *c2 = strchr(other, '.') + 1;
	char buf[4096];

	/* header and signature of one token, claims of another */
	snprintf(buf, sizeof(buf), "%.*s%.*s%s", (int)(c1 - t), t,
		 (int)(strchr(c2, '.') - c2), c2, strrchr(t, '.'));
	ck_assert_int_eq(verify_str(buf), CD_JWT_BAD_SIGNATURE);
	free(t);
	free(other);
}
END_TEST

START_TEST(other_key)
{
	ck_assert_int_eq(mint_verify(sk2, hdr_ok, good_claims()), CD_JWT_BAD_SIGNATURE);
}
END_TEST

START_TEST(alg_none)
{
	char *h = cd_b64url("{\"alg\":\"none\"}", 14);
	char *c = cd_b64url(good_claims(), strlen(good_claims()));
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s.%s.", h, c);
	ck_assert_int_eq(verify_str(buf), CD_JWT_MALFORMED); /* empty signature part */
	snprintf(buf, sizeof(buf), "%s.%s.AAAA", h, c);
	ck_assert_int_eq(verify_str(buf), CD_JWT_BAD_ALG);
	free(h);
	free(c);
	/* even signed with the right key, alg none is refused */
	ck_assert_int_eq(mint_verify(sk, "{\"alg\":\"none\"}", good_claims()), CD_JWT_BAD_ALG);
	ck_assert_int_eq(mint_verify(sk, "{\"alg\":\"eddsa\"}", good_claims()), CD_JWT_BAD_ALG);
	ck_assert_int_eq(mint_verify(sk, "{\"alg\":\"RS256\"}", good_claims()), CD_JWT_BAD_ALG);
	ck_assert_int_eq(mint_verify(sk, "{\"typ\":\"JWT\"}", good_claims()), CD_JWT_BAD_ALG);
	ck_assert_int_eq(mint_verify(sk, "{\"alg\":\"EdDSA\",\"crit\":[\"x\"]}", good_claims()), CD_JWT_BAD_ALG);
}
END_TEST

START_TEST(alg_hs256_public_key_as_secret)
{
	const char *h = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	char *hb = cd_b64url(h, strlen(h));
	char *cb = cd_b64url(good_claims(), strlen(good_claims()));
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char input[2048], buf[4096], *sig;

	snprintf(input, sizeof(input), "%s.%s", hb, cb);
	/* the classic confusion: HMAC keyed with the verifier's public key */
	crypto_auth_hmacsha256_init(&st, pk, sizeof(pk));
	crypto_auth_hmacsha256_update(&st, (unsigned char *)input, strlen(input));
	crypto_auth_hmacsha256_final(&st, mac);
	sig = cd_b64url(mac, sizeof(mac));
	snprintf(buf, sizeof(buf), "%s.%s", input, sig);
	ck_assert_int_eq(verify_str(buf), CD_JWT_BAD_ALG);
	free(hb);
	free(cb);
	free(sig);
}
END_TEST

START_TEST(expired)
{
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW - 600, NOW - 600, NOW - 31)), CD_JWT_EXPIRED);
	/* inside the skew: still fine */
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW - 600, NOW - 600, NOW - 29)), CD_JWT_OK);
}
END_TEST

START_TEST(nbf_future)
{
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW, NOW + 60, NOW + 300)), CD_JWT_NOT_YET_VALID);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW + 60, NOW, NOW + 300)), CD_JWT_NOT_YET_VALID);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW, NOW + 20, NOW + 300)), CD_JWT_OK);
}
END_TEST

START_TEST(lifetime)
{
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW, NOW, NOW + 3601)), CD_JWT_LIFETIME);
	/* exp not after iat: refused, even while both are within the skew */
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW + 1, NOW, NOW)), CD_JWT_MALFORMED);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\"]", NOW + 10, NOW, NOW + 5)), CD_JWT_MALFORMED);
}
END_TEST

START_TEST(wrong_aud)
{
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, "host-b", "[\"read\"]", NOW, NOW, NOW + 300)), CD_JWT_WRONG_AUD);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, "host-a2", "[\"read\"]", NOW, NOW, NOW + 300)), CD_JWT_WRONG_AUD);
}
END_TEST

START_TEST(project_and_perms_read_back)
{
	/* the project and the permission checks are the HTTP layer's (403);
	 * here: the claims come back exactly, unknown perms refused */
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims("another", AUD, "[\"exec\"]", NOW, NOW, NOW + 300)), CD_JWT_OK);
	ck_assert_str_eq(tok.prj, "another");
	ck_assert_uint_eq(tok.perms, CD_PERM_EXEC);
	ck_assert(!(tok.perms & CD_PERM_WRITE));
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"root\"]", NOW, NOW, NOW + 300)), CD_JWT_MALFORMED);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "\"read\"", NOW, NOW, NOW + 300)), CD_JWT_MALFORMED);
}
END_TEST

START_TEST(malformed_base64)
{
	char *t = cd_mint_raw(sk, hdr_ok, strlen(hdr_ok), good_claims(),
			      strlen(good_claims()));
	char buf[4096];

	/* standard-alphabet characters, padding, spaces: all refused */
	snprintf(buf, sizeof(buf), "%s", t);
	buf[3] = '+';
	ck_assert_int_eq(verify_str(buf), CD_JWT_MALFORMED);
	snprintf(buf, sizeof(buf), "%s=", t);
	ck_assert_int_eq(verify_str(buf), CD_JWT_MALFORMED);
	snprintf(buf, sizeof(buf), " %s", t);
	ck_assert_int_eq(verify_str(buf), CD_JWT_MALFORMED);
	/* two parts, four parts */
	ck_assert_int_eq(verify_str("abc.def"), CD_JWT_MALFORMED);
	snprintf(buf, sizeof(buf), "%s.AAAA", t);
	ck_assert_int_eq(verify_str(buf), CD_JWT_MALFORMED);
	/* non-canonical trailing bits: "eyJ" + 'B' vs 'A' in a 2-char tail */
	ck_assert_int_eq(verify_str("e3.e3.e3"), CD_JWT_MALFORMED);
	/* not JSON inside */
	ck_assert_int_eq(mint_verify(sk, "not json", good_claims()), CD_JWT_MALFORMED);
	ck_assert_int_eq(mint_verify(sk, hdr_ok, "[1,2]"), CD_JWT_MALFORMED);
	ck_assert_int_eq(mint_verify(sk, hdr_ok, "{\"sub\":\"x\"} trailing"), CD_JWT_MALFORMED);
	free(t);
}
END_TEST

START_TEST(oversized)
{
	char big[8192];

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(verify_str(big), CD_JWT_OVERSIZED);
	ck_assert_int_eq(verify_str(""), CD_JWT_MISSING);
}
END_TEST

START_TEST(duplicate_claims)
{
	char c[1024];

	snprintf(c, sizeof(c), "{\"sub\":\"a\",\"prj\":\"%s\",\"prj\":\"other\","
		 "\"perms\":[\"read\"],\"aud\":\"%s\",\"iat\":%d,\"exp\":%d,"
		 "\"jti\":\"x\"}", PRJ, AUD, NOW, NOW + 100);
	ck_assert_int_eq(mint_verify(sk, hdr_ok, c), CD_JWT_DUPLICATE);
	ck_assert_int_eq(mint_verify(sk, "{\"alg\":\"EdDSA\",\"alg\":\"none\"}",
				     good_claims()), CD_JWT_DUPLICATE);
	/* a permission twice is a malformed list */
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		claims(PRJ, AUD, "[\"read\",\"read\"]", NOW, NOW, NOW + 300)), CD_JWT_MALFORMED);
}
END_TEST

START_TEST(types)
{
	/* exp as a string or a real, missing jti */
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		"{\"sub\":\"a\",\"prj\":\"p\",\"perms\":[],\"aud\":\"host-a\","
		"\"iat\":1800000000,\"exp\":\"1800000100\",\"jti\":\"x\"}"), CD_JWT_MALFORMED);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		"{\"sub\":\"a\",\"prj\":\"p\",\"perms\":[],\"aud\":\"host-a\","
		"\"iat\":1800000000,\"exp\":1800000100.5,\"jti\":\"x\"}"), CD_JWT_MALFORMED);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		"{\"sub\":\"a\",\"prj\":\"p\",\"perms\":[],\"aud\":\"host-a\","
		"\"iat\":1800000000,\"exp\":1800000100}"), CD_JWT_MALFORMED);
	/* a time so large that adding the skew would overflow */
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		"{\"sub\":\"a\",\"prj\":\"p\",\"perms\":[],\"aud\":\"host-a\","
		"\"iat\":1800000000,\"exp\":9223372036854775807,\"jti\":\"x\"}"), CD_JWT_MALFORMED);
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		"{\"sub\":\"a\",\"prj\":\"p\",\"perms\":[],\"aud\":\"host-a\","
		"\"iat\":-5,\"exp\":1800000100,\"jti\":\"x\"}"), CD_JWT_MALFORMED);
	/* an embedded NUL in a claim */
	ck_assert_int_eq(mint_verify(sk, hdr_ok,
		"{\"sub\":\"a\",\"prj\":\"p\\u0000x\",\"perms\":[],\"aud\":\"host-a\","
		"\"iat\":1800000000,\"exp\":1800000100,\"jti\":\"x\"}"), CD_JWT_MALFORMED);
	/* unknown header field */
	ck_assert_int_eq(mint_verify(sk, "{\"alg\":\"EdDSA\",\"jku\":\"http://x\"}",
				     good_claims()), CD_JWT_MALFORMED);
}
END_TEST

START_TEST(single_use)
{
	struct cd_replay *r = cd_replay_new(64);
	char *t = cd_mint_raw(sk, hdr_ok, strlen(hdr_ok), good_claims(),
			      strlen(good_claims()));

	conf.replay = r;
	ck_assert_int_eq(verify_str(t), CD_JWT_OK);
	ck_assert_int_eq(verify_str(t), CD_JWT_REPLAYED);
	/* after its expiry the id is forgotten, and the token is expired */
	ck_assert_int_eq(cd_jwt_verify(&conf, t, strlen(t), NOW + 400, &tok), CD_JWT_EXPIRED);
	conf.replay = NULL;
	ck_assert_int_eq(verify_str(t), CD_JWT_OK); /* multi-use mode */
	cd_replay_free(r);
	free(t);
}
END_TEST

START_TEST(rate_bucket)
{
	struct cd_rate *r = cd_rate_new(2, 3, 64);
	uint64_t t0 = 1000000000ull;

	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(cd_rate_take(r, "a", t0), 0);
	ck_assert_uint_ge(cd_rate_take(r, "a", t0), 1);
	ck_assert_uint_eq(cd_rate_take(r, "b", t0), 0);   /* other key */
	ck_assert_uint_eq(cd_rate_take(r, "a", t0 + 600000000ull), 0); /* refilled */
	cd_rate_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jwt");
	TCase *tc = tcase_create("verify");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, valid_accepted);
	tcase_add_test(tc, rotation_second_key);
	tcase_add_test(tc, bad_signature);
	tcase_add_test(tc, tampered_claims);
	tcase_add_test(tc, other_key);
	tcase_add_test(tc, alg_none);
	tcase_add_test(tc, alg_hs256_public_key_as_secret);
	tcase_add_test(tc, expired);
	tcase_add_test(tc, nbf_future);
	tcase_add_test(tc, lifetime);
	tcase_add_test(tc, wrong_aud);
	tcase_add_test(tc, project_and_perms_read_back);
	tcase_add_test(tc, malformed_base64);
	tcase_add_test(tc, oversized);
	tcase_add_test(tc, duplicate_claims);
	tcase_add_test(tc, types);
	tcase_add_test(tc, single_use);
	tcase_add_test(tc, rate_bucket);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
