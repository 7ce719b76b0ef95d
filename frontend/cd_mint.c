/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frontend/cd_mint.h"

char *cd_b64url(const void *p, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *s = malloc(cap);

	if (s)
		sodium_bin2base64(s, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

char *cd_mint_raw(const uint8_t sk[64], const char *header, size_t hlen,
		  const char *claims, size_t clen)
{
	char *h = cd_b64url(header, hlen), *c = cd_b64url(claims, clen);
	char *input = NULL, *sig = NULL, *out = NULL;
	unsigned char s[crypto_sign_BYTES];
	size_t n;

	if (!h || !c)
		goto done;
	n = strlen(h) + 1 + strlen(c);
	input = malloc(n + 1);
	if (!input)
		goto done;
	snprintf(input, n + 1, "%s.%s", h, c);
	crypto_sign_detached(s, NULL, (const unsigned char *)input, n, sk);
	sig = cd_b64url(s, sizeof(s));
	if (!sig)
		goto done;
	out = malloc(n + 1 + strlen(sig) + 1);
	if (out)
		sprintf(out, "%s.%s", input, sig);
done:
	free(h);
	free(c);
	free(input);
	free(sig);
	return out;
}

int cd_read_secret_key(const char *path, uint8_t sk[64], char *err,
		       size_t errlen)
{
	char line[256], *b;
	size_t n = 0;
	const char *end = NULL;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		snprintf(err, errlen, "%s: empty", path);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, CD_SECRET_TAG " ", strlen(CD_SECRET_TAG) + 1) != 0) {
		snprintf(err, errlen, "%s: not a corral secret key (first word must be %s)",
			 path, CD_SECRET_TAG);
		sodium_memzero(line, sizeof(line));
		return -1;
	}
	b = line + strlen(CD_SECRET_TAG) + 1;
	if (sodium_base642bin(sk, 64, b, strlen(b), NULL, &n, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || *end || n != 64) {
		snprintf(err, errlen, "%s: bad secret key encoding", path);
		sodium_memzero(line, sizeof(line));
		return -1;
	}
	sodium_memzero(line, sizeof(line));
	return 0;
}
