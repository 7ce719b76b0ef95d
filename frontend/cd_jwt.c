/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JWT (RFC 7519) verification for corrald, Ed25519 only (RFC 8037).
 *
 * Why so narrow: the classic JWT failures come from letting the token
 * choose how it is checked ("alg": "none", or HS256 keyed with the RSA or
 * Ed25519 public key).  Here the algorithm is fixed by us: the header
 * must say exactly "EdDSA" and only Ed25519 public keys exist, so no
 * header can select another verifier.  Everything is bounded: the token
 * length first, then strict base64url (libsodium refuses padding, stray
 * characters and non-zero trailing bits), then jansson with
 * JSON_REJECT_DUPLICATES (a duplicate "prj" could otherwise be read one
 * way here and another way by the hub).
 */
#include "config.h"

#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "frontend/cd_jwt.h"
#include "frontend/cd_limit.h"

static const char *const reasons[CD_JWT_ERR_MAX_] = {
	[CD_JWT_OK] = "ok",
	[CD_JWT_MISSING] = "missing",
	[CD_JWT_OVERSIZED] = "oversized",
	[CD_JWT_MALFORMED] = "malformed",
	[CD_JWT_DUPLICATE] = "duplicate_key",
	[CD_JWT_BAD_ALG] = "bad_alg",
	[CD_JWT_BAD_SIGNATURE] = "bad_signature",
	[CD_JWT_WRONG_AUD] = "wrong_audience",
	[CD_JWT_EXPIRED] = "expired",
	[CD_JWT_NOT_YET_VALID] = "not_yet_valid",
	[CD_JWT_LIFETIME] = "lifetime_too_long",
	[CD_JWT_REPLAYED] = "replayed",
	[CD_JWT_REPLAY_FULL] = "replay_cache_full",
};

const char *cd_jwt_reason(enum cd_jwt_err e)
{
	return (unsigned int)e < CD_JWT_ERR_MAX_ ? reasons[e] : "unknown";
}

static const char *const perm_names[] = {
	"create", "start", "stop", "exec", "read", "write",
};

unsigned int cd_perm_bit(const char *name)
{
	for (unsigned int i = 0; i < sizeof(perm_names) / sizeof(perm_names[0]); i++)
		if (strcmp(name, perm_names[i]) == 0)
			return 1u << i;
	return 0;
}

const char *cd_perm_name(unsigned int bit)
{
	for (unsigned int i = 0; i < sizeof(perm_names) / sizeof(perm_names[0]); i++)
		if (bit == 1u << i)
			return perm_names[i];
	return "?";
}

/* Decode one base64url part into a fresh buffer (NUL-terminated, for
 * JSON).  The part must use the URL-safe alphabet only, without padding. */
static unsigned char *b64url(const char *s, size_t len, size_t *out_len)
{
	size_t cap = len / 4 * 3 + 3, n = 0;
	const char *end = NULL;
	unsigned char *buf;

	if (len == 0)
		return NULL;
	buf = malloc(cap + 1);
	if (!buf)
		return NULL;
	if (sodium_base642bin(buf, cap, s, len, NULL, &n, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    end != s + len) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*out_len = n;
	return buf;
}

/* Parse a JSON object; duplicates and anything but an object refused. */
static enum cd_jwt_err parse_object(const unsigned char *buf, size_t len,
				    json_t **out)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!j)
		return json_error_code(&je) == json_error_duplicate_key ?
		       CD_JWT_DUPLICATE : CD_JWT_MALFORMED;
	if (!json_is_object(j)) {
		json_decref(j);
		return CD_JWT_MALFORMED;
	}
	*out = j;
	return CD_JWT_OK;
}

static enum cd_jwt_err check_header(const json_t *h)
{
	const char *k;
	json_t *v;
	int have_alg = 0;

	json_object_foreach((json_t *)h, k, v) {
		if (strcmp(k, "alg") == 0) {
			/* exact and case-sensitive: "none", "HS256", "RS256",
			 * "eddsa", "Ed25519" ... all refused */
			if (!json_is_string(v) || strcmp(json_string_value(v), "EdDSA") != 0 ||
			    json_string_length(v) != 5)
				return CD_JWT_BAD_ALG;
			have_alg = 1;
		} else if (strcmp(k, "typ") == 0) {
			if (!json_is_string(v) || strcmp(json_string_value(v), "JWT") != 0)
				return CD_JWT_MALFORMED;
		} else if (strcmp(k, "kid") == 0) {
			if (!json_is_string(v))
				return CD_JWT_MALFORMED;
		} else if (strcmp(k, "crit") == 0) {
			/* extensions we do not implement must not be ignored */
			return CD_JWT_BAD_ALG;
		} else {
			return CD_JWT_MALFORMED;
		}
	}
	return have_alg ? CD_JWT_OK : CD_JWT_BAD_ALG;
}

static int get_str(const json_t *o, const char *key, char *out, size_t cap)
{
	json_t *v = json_object_get(o, key);
	size_t n;

	if (!json_is_string(v))
		return -1;
	n = json_string_length(v);
	if (n == 0 || n >= cap || memchr(json_string_value(v), '\0', n))
		return -1;
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

/* NumericDate: an integer (not a real, not a string), 0..2^40 (year
 * 36812). */
#define CD_JWT_TIME_MAX ((json_int_t)1 << 40)
static int get_time(const json_t *o, const char *key, int64_t *out, int required)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return required ? -1 : 0;
	/* bounded, so that adding the skew cannot overflow */
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > CD_JWT_TIME_MAX)
		return -1;
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static enum cd_jwt_err check_aud(const json_t *claims, const char *aud)
{
	json_t *v = json_object_get(claims, "aud"), *x;
	size_t i;

	if (json_is_string(v))
		return strcmp(json_string_value(v), aud) == 0 &&
		       json_string_length(v) == strlen(aud) ? CD_JWT_OK : CD_JWT_WRONG_AUD;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return CD_JWT_MALFORMED;
	json_array_foreach(v, i, x)
		if (!json_is_string(x))
			return CD_JWT_MALFORMED;
	json_array_foreach(v, i, x)
		if (strcmp(json_string_value(x), aud) == 0 &&
		    json_string_length(x) == strlen(aud))
			return CD_JWT_OK;
	return CD_JWT_WRONG_AUD;
}

static enum cd_jwt_err read_claims(const json_t *c, struct cd_token *t)
{
	json_t *perms = json_object_get(c, "perms"), *p;
	size_t i;

	if (get_str(c, "sub", t->sub, sizeof(t->sub)) ||
	    get_str(c, "prj", t->prj, sizeof(t->prj)) ||
	    get_str(c, "jti", t->jti, sizeof(t->jti)))
		return CD_JWT_MALFORMED;
	if (get_time(c, "exp", &t->exp, 1) || get_time(c, "iat", &t->iat, 1) ||
	    get_time(c, "nbf", &t->nbf, 0))
		return CD_JWT_MALFORMED;
	if (!json_is_array(perms))
		return CD_JWT_MALFORMED;
	json_array_foreach(perms, i, p) {
		unsigned int bit;

		if (!json_is_string(p))
			return CD_JWT_MALFORMED;
		bit = cd_perm_bit(json_string_value(p));
		/* an unknown permission is a hub bug or a newer hub: refuse
		 * rather than guess what it meant */
		if (!bit || (t->perms & bit))
			return CD_JWT_MALFORMED;
		t->perms |= bit;
	}
	return CD_JWT_OK;
}

static void hash_jti(struct cd_token *t)
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)t->jti, strlen(t->jti));
	sodium_bin2hex(t->jti_hash, sizeof(t->jti_hash), d, 8);
}

enum cd_jwt_err cd_jwt_verify(const struct cd_jwt_conf *c, const char *token,
			      size_t len, time_t now, struct cd_token *t)
{
	const char *d1, *d2;
	unsigned char *hdr = NULL, *body = NULL, *sig = NULL;
	size_t hlen = 0, blen = 0, slen = 0;
	json_t *h = NULL, *claims = NULL;
	enum cd_jwt_err r;
	int64_t skew = c->skew;
	unsigned int k;

	memset(t, 0, sizeof(*t));
	if (len == 0)
		return CD_JWT_MISSING;
	if (len > c->max_bytes)
		return CD_JWT_OVERSIZED;
	d1 = memchr(token, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
	if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)))
		return CD_JWT_MALFORMED;
	r = CD_JWT_MALFORMED;
	hdr = b64url(token, (size_t)(d1 - token), &hlen);
	body = b64url(d1 + 1, (size_t)(d2 - d1 - 1), &blen);
	sig = b64url(d2 + 1, len - (size_t)(d2 + 1 - token), &slen);
	if (!hdr || !body || !sig)
		goto out;
	r = parse_object(hdr, hlen, &h);
	if (r)
		goto out;
	r = check_header(h);
	if (r)
		goto out;
	r = CD_JWT_BAD_SIGNATURE;
	if (slen != crypto_sign_BYTES)
		goto out;
	for (k = 0; k < c->nkeys; k++)
		if (crypto_sign_verify_detached(sig, (const unsigned char *)token,
						(size_t)(d2 - token), c->keys[k]) == 0)
			break;
	if (k == c->nkeys)
		goto out;
	/* authentic from here on; still checked as strictly */
	r = parse_object(body, blen, &claims);
	if (r)
		goto out;
	r = read_claims(claims, t);
	if (r)
		goto out;
	/* a token that expires before it was issued contradicts itself */
	if (t->exp <= t->iat) {
		r = CD_JWT_MALFORMED;
		goto out;
	}
	hash_jti(t);
	r = check_aud(claims, c->aud);
	if (r)
		goto out;
	if ((int64_t)now >= t->exp + skew)
		r = CD_JWT_EXPIRED;
	else if (t->nbf > (int64_t)now + skew || t->iat > (int64_t)now + skew)
		r = CD_JWT_NOT_YET_VALID;
	else if (t->exp - t->iat > (int64_t)c->max_lifetime)
		r = CD_JWT_LIFETIME;
	else if (c->replay) {
		int rr = cd_replay_add(c->replay, t->jti, t->exp + skew, now);
		r = rr == 0 ? CD_JWT_OK : rr > 0 ? CD_JWT_REPLAYED : CD_JWT_REPLAY_FULL;
	} else
		r = CD_JWT_OK;
out:
	json_decref(h);
	json_decref(claims);
	free(hdr);
	free(body);
	free(sig);
	return r;
}
