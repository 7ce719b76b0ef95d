/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jwt-sign: build tokens a hub would never send, for the corrald tests.
 *   jwt-sign KEYFILE HEADER-JSON CLAIMS-JSON
 *       Ed25519-signed with the secret key file, JSON taken verbatim
 *       (duplicate keys included)
 *   jwt-sign --hs256 PUBFILE HEADER-JSON CLAIMS-JSON
 *       HMAC-SHA256 keyed with the text of a public key file (the classic
 *       algorithm-confusion forgery)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frontend/cd_mint.h"

int main(int argc, char **argv)
{
	char err[512], *t;
	uint8_t sk[64];

	if (sodium_init() < 0)
		return 1;
	if (argc == 5 && strcmp(argv[1], "--hs256") == 0) {
		char key[256], input[8192];
		unsigned char mac[crypto_auth_hmacsha256_BYTES];
		crypto_auth_hmacsha256_state st;
		char *h = cd_b64url(argv[3], strlen(argv[3]));
		char *c = cd_b64url(argv[4], strlen(argv[4]));
		FILE *f = fopen(argv[2], "r");

		if (!f || !fgets(key, sizeof(key), f) || !h || !c)
			return 1;
		fclose(f);
		key[strcspn(key, "\n")] = '\0';
		snprintf(input, sizeof(input), "%s.%s", h, c);
		crypto_auth_hmacsha256_init(&st, (unsigned char *)key, strlen(key));
		crypto_auth_hmacsha256_update(&st, (unsigned char *)input, strlen(input));
		crypto_auth_hmacsha256_final(&st, mac);
		t = cd_b64url(mac, sizeof(mac));
		printf("%s.%s\n", input, t);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: jwt-sign [--hs256] KEYFILE HEADER CLAIMS\n");
		return 2;
	}
	if (cd_read_secret_key(argv[1], sk, err, sizeof(err))) {
		fprintf(stderr, "jwt-sign: %s\n", err);
		return 1;
	}
	t = cd_mint_raw(sk, argv[2], strlen(argv[2]), argv[3], strlen(argv[3]));
	if (!t)
		return 1;
	printf("%s\n", t);
	return 0;
}
