/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for corrald's token verification (frontend/cd_jwt.c).
 *
 * The first byte chooses what the rest is:
 *   0: a token as it comes in an Authorization header;
 *   1: HEADER NUL CLAIMS, two JSON texts that the harness signs with its
 *      own key, so that what follows a good signature gets fuzzed too.
 * Whatever the input, verification must end with one of its reasons, and
 * a token it accepts must have been signed by the harness's key, carry an
 * "EdDSA" header, the audience, NUL-terminated claims within their sizes
 * and only known permission bits.  Any broken promise aborts.
 *
 * Build and run: tests/fuzz/run-fuzz.sh jwt SECONDS SRCDIR BUILDDIR
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frontend/cd_jwt.h"
#include "frontend/cd_limit.h"
#include "frontend/cd_mint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000

static uint8_t pk[32], sk[64];
static struct cd_jwt_conf conf;

static void init(void)
{
	static int done;
	unsigned char seed[32] = { 0 };

	if (done)
		return;
	if (sodium_init() < 0)
		abort();
	crypto_sign_seed_keypair(pk, sk, seed);
	conf.keys = (const uint8_t (*)[32])&pk;
	conf.nkeys = 1;
	conf.aud = "host-a";
	conf.skew = 30;
	conf.max_bytes = 4096;
	conf.max_lifetime = 3600;
	done = 1;
}

static void check_token(const struct cd_token *t)
{
	if (memchr(t->sub, 0, sizeof(t->sub)) == NULL ||
	    memchr(t->prj, 0, sizeof(t->prj)) == NULL ||
	    memchr(t->jti, 0, sizeof(t->jti)) == NULL ||
	    !t->sub[0] || !t->prj[0] || !t->jti[0] || strlen(t->jti_hash) != 16 ||
	    (t->perms & ~0x3fu) || t->exp < t->iat)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cd_token t;
	enum cd_jwt_err r;
	char *tok;

	init();
	if (size < 1)
		return 0;
	if (data[0] == 1) {
		const uint8_t *h = data + 1, *nul = memchr(h, 0, size - 1);
		size_t hl, cl;

		if (!nul)
			return 0;
		hl = (size_t)(nul - h);
		cl = size - 1 - hl - 1;
		tok = cd_mint_raw(sk, (const char *)h, hl, (const char *)nul + 1, cl);
		if (!tok)
			abort();
	} else {
		tok = malloc(size);
		if (!tok)
			abort();
		memcpy(tok, data + 1, size - 1);
		tok[size - 1] = '\0';
		/* the header value is a C string: no NUL inside */
		if (strlen(tok) != size - 1) {
			free(tok);
			return 0;
		}
	}
	r = cd_jwt_verify(&conf, tok, strlen(tok), NOW, &t);
	if ((unsigned int)r >= CD_JWT_ERR_MAX_ || !cd_jwt_reason(r)[0])
		abort();
	if (r == CD_JWT_OK)
		check_token(&t);
	free(tok);
	return 0;
}
