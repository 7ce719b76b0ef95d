/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 as specified in FIPS 180-4, section 6.2.  Written for the policy
 * digest: it is not constant-time and must not be used on secrets.
 */
#include "config.h"

#include <string.h>

#include "common/sha256.h"

/* First 32 bits of the fractional parts of the cube roots of the first 64
 * primes (FIPS 180-4, 4.2.2). */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

/* Big-endian load and store: the standard fixes the byte order. */
static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Message schedule (6.2.2 step 1). */
static void schedule(uint32_t w[64], const uint8_t block[64])
{
	unsigned int t;

	for (t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^
			      (w[t - 15] >> 3);
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^
			      (w[t - 2] >> 10);

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
}

static void compress(uint32_t h[8], const uint8_t block[64])
{
	uint32_t w[64], v[8], t1, t2;
	unsigned int t, i;

	schedule(w, block);
	memcpy(v, h, sizeof(v));
	for (t = 0; t < 64; t++) {
		/* v[0..7] are the working variables a..h. */
		t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + K[t] + w[t];
		t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

void crl_sha256_init(struct crl_sha256 *c)
{
	/* First 32 bits of the fractional parts of the square roots of the
	 * first 8 primes (5.3.3). */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memset(c, 0, sizeof(*c));
	memcpy(c->h, h0, sizeof(h0));
}

void crl_sha256_update(struct crl_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	c->total += len;
	while (len > 0) {
		if (c->fill == 0 && len >= sizeof(c->block)) {
			compress(c->h, p);
			p += sizeof(c->block);
			len -= sizeof(c->block);
			continue;
		}
		n = sizeof(c->block) - c->fill;
		if (n > len)
			n = len;
		memcpy(c->block + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill == sizeof(c->block)) {
			compress(c->h, c->block);
			c->fill = 0;
		}
	}
}

/* Padding (5.1.1): a 1 bit, zeros, then the length in bits as 64 bits. */
void crl_sha256_final(struct crl_sha256 *c, uint8_t out[CRL_SHA256_LEN])
{
	uint64_t bits = c->total * 8;
	unsigned int i;

	c->block[c->fill++] = 0x80;
	if (c->fill > 56) {
		memset(c->block + c->fill, 0, sizeof(c->block) - c->fill);
		compress(c->h, c->block);
		c->fill = 0;
	}
	memset(c->block + c->fill, 0, 56 - c->fill);
	store_be32(c->block + 56, (uint32_t)(bits >> 32));
	store_be32(c->block + 60, (uint32_t)bits);
	compress(c->h, c->block);
	for (i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	/* The state says something about the input: do not leave it around. */
	memset(c, 0, sizeof(*c));
}

void crl_sha256_hex(const uint8_t d[CRL_SHA256_LEN], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < CRL_SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[64] = '\0';
}
