/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Token verification: JWT compact form signed with Ed25519 ("EdDSA").
 *
 * Order of checks, each failure with its own reason:
 *   size -> three base64url parts (strict alphabet, no padding, canonical)
 *   -> header JSON (duplicates refused; only alg, typ, kid; alg exactly
 *   "EdDSA") -> signature against every configured key -> claims JSON
 *   (duplicates refused; types) -> aud -> exp / nbf / iat with the skew
 *   -> lifetime -> replay (when single use).
 * The claims are parsed only after the signature checked out.
 */
#ifndef CORRAL_CD_JWT_H
#define CORRAL_CD_JWT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CD_PERM_CREATE  0x01u
#define CD_PERM_START   0x02u
#define CD_PERM_STOP    0x04u
#define CD_PERM_EXEC    0x08u
#define CD_PERM_READ    0x10u
#define CD_PERM_WRITE   0x20u

#define CD_SUB_MAX 256
#define CD_PRJ_MAX 64
#define CD_JTI_MAX 128

enum cd_jwt_err {
	CD_JWT_OK = 0,
	CD_JWT_MISSING,         /* no Authorization: Bearer */
	CD_JWT_OVERSIZED,
	CD_JWT_MALFORMED,       /* parts, base64url, JSON, types */
	CD_JWT_DUPLICATE,       /* duplicate key in header or claims */
	CD_JWT_BAD_ALG,         /* alg other than EdDSA, or crit */
	CD_JWT_BAD_SIGNATURE,   /* no configured key verifies it */
	CD_JWT_WRONG_AUD,
	CD_JWT_EXPIRED,
	CD_JWT_NOT_YET_VALID,   /* nbf or iat in the future */
	CD_JWT_LIFETIME,        /* exp - iat above the configured maximum */
	CD_JWT_REPLAYED,        /* single use: jti seen before */
	CD_JWT_REPLAY_FULL,     /* single use: replay cache full (503) */
	CD_JWT_ERR_MAX_
};

struct cd_token {
	char sub[CD_SUB_MAX + 1];
	char prj[CD_PRJ_MAX + 1];
	char jti[CD_JTI_MAX + 1];
	char jti_hash[17];      /* 16 hex of SHA-256(jti): for logs and keys */
	unsigned int perms;
	int64_t exp, nbf, iat;
};

struct cd_replay;           /* cd_limit.c */

struct cd_jwt_conf {
	const uint8_t (*keys)[32];
	unsigned int nkeys;
	const char *aud;
	unsigned int skew;
	unsigned int max_bytes;
	unsigned int max_lifetime;
	struct cd_replay *replay; /* non-NULL: tokens are single use */
};

/* Verify token (len bytes, not NUL-terminated) at time now.  Fills *t on
 * success and, as far as they could be read, on failure too (for the
 * audit line; fields are "" when unknown). */
enum cd_jwt_err cd_jwt_verify(const struct cd_jwt_conf *c, const char *token,
			      size_t len, time_t now, struct cd_token *t);
/* Stable short name of a reason, for logs and metrics ("expired"). */
const char *cd_jwt_reason(enum cd_jwt_err e);
/* Parse a permission name ("read"); 0 when unknown. */
unsigned int cd_perm_bit(const char *name);
const char *cd_perm_name(unsigned int bit);

#endif
