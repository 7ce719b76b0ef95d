/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minting tokens: the hub's job.  corralctl token mint uses this as a
 * development stand-in for a hub, and the tests use it to build good and
 * hostile tokens; corrald itself never signs anything.
 */
#ifndef CORRAL_CD_MINT_H
#define CORRAL_CD_MINT_H

#include <stddef.h>
#include <stdint.h>

/* BASE64URL(header) "." BASE64URL(claims) "." BASE64URL(Ed25519 signature
 * by sk over the first two parts), as given: the JSON texts are not
 * checked, so tests can sign malformed ones.  Returns a malloc'd string,
 * or NULL. */
char *cd_mint_raw(const uint8_t sk[64], const char *header, size_t hlen,
		  const char *claims, size_t clen);
/* base64url (no padding) of n bytes, malloc'd. */
char *cd_b64url(const void *p, size_t n);

/* A key file: "corral-ed25519-secret-v1 " followed by the standard
 * base64 of libsodium's 64-byte secret key (seed || public key), one
 * line.  Public key files hold the standard base64 of the 32-byte key. */
#define CD_SECRET_TAG "corral-ed25519-secret-v1"
int cd_read_secret_key(const char *path, uint8_t sk[64], char *err,
		       size_t errlen);

#endif
