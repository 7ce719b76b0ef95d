/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl token keygen|mint: a stand-in for the hub, for development
 * and tests.  A real deployment keeps the secret key on the hub only;
 * corrald holds just the public key and cannot mint tokens.
 *
 *   corralctl token keygen --out PREFIX
 *       writes PREFIX.key (secret, mode 0600, "corral-ed25519-secret-v1
 *       BASE64") and PREFIX.pub (base64 of the 32-byte public key, the
 *       format of corrald.conf's public_keys file)
 *   corralctl token mint --key FILE --project ID --perms a,b --ttl SECONDS
 *       [--aud HOST] [--sub S] [--jti ID] [--nbf-offset SECONDS]
 *       [--time-offset SECONDS]   (as if minted that much later/earlier:
 *       tests make expired and not-yet-valid tokens with it)
 *       prints the token (JWT, EdDSA) on stdout
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "frontend/cd_jwt.h"
#include "frontend/cd_mint.h"
#include "frontend/ctl.h"

static int keygen(int argc, char **argv)
{
	static const struct option o[] = {
		{ "out", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 },
	};
	unsigned char pk[32], sk[64];
	char path[4096], b64[128];
	const char *out = NULL;
	FILE *f;
	int c, fd;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", o, NULL)) != -1) {
		if (c != 'o')
			goto usage;
		out = optarg;
	}
	if (!out || optind != argc)
		goto usage;
	crypto_sign_keypair(pk, sk);
	snprintf(path, sizeof(path), "%s.key", out);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctl_fail("token keygen", path, strerror(errno));
	sodium_bin2base64(b64, sizeof(b64), sk, 64, sodium_base64_VARIANT_ORIGINAL);
	f = fdopen(fd, "w");
	if (!f || fprintf(f, "%s %s\n", CD_SECRET_TAG, b64) < 0 || fclose(f) != 0)
		return ctl_fail("token keygen", path, strerror(errno));
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(b64, sizeof(b64));
	snprintf(path, sizeof(path), "%s.pub", out);
	f = fopen(path, "wx");
	sodium_bin2base64(b64, sizeof(b64), pk, 32, sodium_base64_VARIANT_ORIGINAL);
	if (!f || fprintf(f, "%s\n", b64) < 0 || fclose(f) != 0)
		return ctl_fail("token keygen", path, strerror(errno));
	return 0;
usage:
	fprintf(stderr, "usage: corralctl token keygen --out PREFIX\n");
	return CTL_EXIT_USAGE;
}

static int mint(int argc, char **argv)
{
	static const struct option o[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "project", required_argument, NULL, 'p' },
		{ "perms", required_argument, NULL, 'P' },
		{ "ttl", required_argument, NULL, 't' },
		{ "aud", required_argument, NULL, 'a' },
		{ "sub", required_argument, NULL, 's' },
		{ "jti", required_argument, NULL, 'j' },
		{ "nbf-offset", required_argument, NULL, 'n' },
		{ "time-offset", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *project = NULL, *perms = NULL, *aud = NULL;
	const char *sub = "dev", *jti = NULL;
	long ttl = -1, nbf_off = 0, time_off = 0;
	uint8_t sk[64];
	char err[512], jbuf[33], *tok, *claims, *end;
	json_t *j, *pa;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", o, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'p': project = optarg; break;
		case 'P': perms = optarg; break;
		case 'a': aud = optarg; break;
		case 's': sub = optarg; break;
		case 'j': jti = optarg; break;
		case 't':
			ttl = strtol(optarg, &end, 10);
			if (*end || ttl <= 0 || ttl > 31536000)
				goto usage;
			break;
		case 'n':
			nbf_off = strtol(optarg, &end, 10);
			if (*end)
				goto usage;
			break;
		case 'T':
			time_off = strtol(optarg, &end, 10);
			if (*end)
				goto usage;
			break;
		default: goto usage;
		}
	}
	if (!key || !project || !perms || ttl < 0 || optind != argc)
		goto usage;
	pa = json_array();
	for (const char *p = perms; *p;) {
		size_t n = strcspn(p, ",");
		char name[16];

		if (n == 0 || n >= sizeof(name))
			goto bad_perm;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!cd_perm_bit(name))
			goto bad_perm;
		json_array_append_new(pa, json_string(name));
		p += n;
		if (*p == ',')
			p++;
	}
	if (!aud) {
		/* default audience: this host's name */
		static char host[256];
		if (gethostname(host, sizeof(host) - 1) < 0)
			goto usage;
		aud = host;
	}
	if (!jti) {
		unsigned char r[16];
		randombytes_buf(r, sizeof(r));
		sodium_bin2hex(jbuf, sizeof(jbuf), r, sizeof(r));
		jti = jbuf;
	}
	if (cd_read_secret_key(key, sk, err, sizeof(err)))
		return ctl_fail("token mint", key, err + strlen(key) + 2);
	time_t now = time(NULL) + time_off;
	j = json_pack("{s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:s}", "sub", sub,
		      "prj", project, "perms", pa, "aud", aud,
		      "iat", (json_int_t)now, "nbf", (json_int_t)(now + nbf_off),
		      "exp", (json_int_t)(now + ttl), "jti", jti);
	claims = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!claims)
		return ctl_fail("token mint", project, "cannot encode the claims (not UTF-8?)");
	tok = cd_mint_raw(sk, "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}", 27, claims,
			  strlen(claims));
	sodium_memzero(sk, sizeof(sk));
	free(claims);
	if (!tok)
		return ctl_fail("token mint", project, strerror(ENOMEM));
	printf("%s\n", tok);
	free(tok);
	return 0;
bad_perm:
	json_decref(pa);
	fprintf(stderr, "corralctl: token mint: --perms takes a comma-separated "
		"list of create, start, stop, exec, read, write\n");
	return CTL_EXIT_USAGE;
usage:
	fprintf(stderr, "usage: corralctl token mint --key FILE --project ID "
		"--perms P[,P...] --ttl SECONDS [--aud HOST] [--sub S] [--jti ID] "
		"[--nbf-offset SECONDS] [--time-offset SECONDS]\n");
	return CTL_EXIT_USAGE;
}

int ctl_cmd_token(struct ctl *t, int argc, char **argv)
{
	(void)t;
	if (sodium_init() < 0)
		return ctl_fail("token", "libsodium", "cannot initialise");
	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return keygen(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "mint") == 0)
		return mint(argc - 1, argv + 1);
	fprintf(stderr, "usage: corralctl token keygen|mint ...\n");
	return CTL_EXIT_USAGE;
}
