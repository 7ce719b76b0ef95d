/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), for the policy digest.  Not for secrets. */
#ifndef CORRAL_SHA256_H
#define CORRAL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CRL_SHA256_LEN 32

struct crl_sha256 {
	uint32_t h[8];
	uint64_t total;             /* bytes hashed so far */
	uint8_t block[64];
	size_t fill;                /* bytes waiting in block */
};

void crl_sha256_init(struct crl_sha256 *c);
void crl_sha256_update(struct crl_sha256 *c, const void *data, size_t len);
void crl_sha256_final(struct crl_sha256 *c, uint8_t out[CRL_SHA256_LEN]);
/* Lower-case hex of a digest into out (65 bytes with the NUL). */
void crl_sha256_hex(const uint8_t d[CRL_SHA256_LEN], char out[65]);

#endif
