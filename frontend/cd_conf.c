/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corrald.conf parser.  A table names every key, its section, its type
 * and its bounds; a line is either blank, a comment, "[section]" or
 * "key = value".  The first error stops the load with "FILE:LINE: why".
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frontend/cd_conf.h"

#define LINE_MAX_LEN 1024

enum key_type { K_STR, K_UINT, K_SIZE, K_BOOL, K_MODE };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off;
	uint64_t min, max;
};

#define O(f) offsetof(struct cd_conf, f)
static const struct key keys[] = {
	{ "listen", "address", K_STR, O(tcp_address), 0, 0 },
	{ "listen", "unix", K_STR, O(unix_path), 0, 0 },
	{ "listen", "unix_mode", K_MODE, O(unix_mode), 0, 0777 },
	{ "auth", "host_id", K_STR, O(host_id), 0, 0 },
	{ "auth", "public_keys", K_STR, O(public_keys_file), 0, 0 },
	{ "auth", "clock_skew", K_UINT, O(clock_skew), 0, 300 },
	{ "auth", "max_token_bytes", K_UINT, O(max_token_bytes), 256, 65536 },
	{ "auth", "max_token_lifetime", K_UINT, O(max_token_lifetime), 1, 604800 },
	{ "auth", "single_use_tokens", K_BOOL, O(single_use_tokens), 0, 1 },
	{ "auth", "replay_cache_size", K_UINT, O(replay_cache_size), 16, 1u << 22 },
	{ "helper", "socket", K_STR, O(helper_socket), 0, 0 },
	{ "helper", "spawn", K_STR, O(helper_spawn), 0, 0 },
	{ "helper", "policy", K_STR, O(helper_policy), 0, 0 },
	{ "limits", "max_body", K_SIZE, O(max_body), 0, UINT64_C(1) << 50 },
	{ "limits", "max_json", K_UINT, O(max_json), 256, 1u << 24 },
	{ "limits", "connection_memory", K_UINT, O(connection_memory), 4096, 1u << 24 },
	{ "limits", "connections", K_UINT, O(connections), 1, 1u << 20 },
	{ "limits", "connections_per_ip", K_UINT, O(connections_per_ip), 1, 1u << 20 },
	{ "limits", "connection_timeout", K_UINT, O(connection_timeout), 1, 3600 },
	{ "limits", "threads", K_UINT, O(threads), 1, 64 },
	{ "limits", "rate_per_token", K_UINT, O(rate_per_token), 1, 1000000 },
	{ "limits", "burst_per_token", K_UINT, O(burst_per_token), 1, 1000000 },
	{ "limits", "rate_per_address", K_UINT, O(rate_per_address), 1, 1000000 },
	{ "limits", "burst_per_address", K_UINT, O(burst_per_address), 1, 1000000 },
	{ "limits", "exec_timeout_max", K_UINT, O(exec_timeout_max), 1, 86400 },
	{ "limits", "exec_output_max", K_UINT, O(exec_output_max), 0, 1u << 26 },
	{ "limits", "exec_max", K_UINT, O(exec_max), 1, 4096 },
	{ "daemon", "user", K_STR, O(user), 0, 0 },
};
#undef O
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void cd_conf_defaults(struct cd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->unix_mode = 0660;
	c->clock_skew = 30;
	c->max_token_bytes = 4096;
	c->max_token_lifetime = 3600;
	c->replay_cache_size = 65536;
	c->max_body = UINT64_C(1) << 30;
	c->max_json = 65536;
	c->connection_memory = 32768;
	c->connections = 1024;
	c->connections_per_ip = 128;
	c->connection_timeout = 30;
	c->threads = 4;
	c->rate_per_token = 20;
	c->burst_per_token = 40;
	c->rate_per_address = 100;
	c->burst_per_address = 200;
	c->exec_timeout_max = 300;
	c->exec_output_max = 1u << 20;
	c->exec_max = 64;
}

void cd_conf_free(struct cd_conf *c)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == K_STR) {
			char **p = (char **)((char *)c + keys[i].off);
			free(*p);
			*p = NULL;
		}
	sodium_memzero(c->keys, sizeof(c->keys));
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Decimal, with an optional K M G T suffix (powers of 1024) for sizes. */
static int parse_number(const char *v, int suffix, uint64_t *out)
{
	unsigned long long n;
	char *end;
	unsigned int shift = 0;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	if (suffix && *end) {
		switch (*end) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		case 'T': shift = 40; break;
		default: return -1;
		}
		end++;
	}
	if (*end)
		return -1;
	if (shift && n > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

static int set_value(struct cd_conf *c, const struct key *k, const char *v,
		     char *why, size_t whylen)
{
	void *p = (char *)c + k->off;
	uint64_t n = 0;
	char *end;

	switch (k->type) {
	case K_STR:
		if (!*v || strlen(v) > 4095) {
			snprintf(why, whylen, "%s: value must be 1-4095 bytes", k->name);
			return -1;
		}
		if (strcmp(k->name, "host_id") == 0 && strlen(v) > CD_HOST_ID_MAX) {
			snprintf(why, whylen, "host_id: longer than %d bytes", CD_HOST_ID_MAX);
			return -1;
		}
		*(char **)p = strdup(v);
		if (!*(char **)p) {
			snprintf(why, whylen, "%s", strerror(ENOMEM));
			return -1;
		}
		return 0;
	case K_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			*(int *)p = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			*(int *)p = 0;
		else {
			snprintf(why, whylen, "%s: expected yes or no, not '%s'", k->name, v);
			return -1;
		}
		return 0;
	case K_MODE:
		errno = 0;
		n = strtoull(v, &end, 8);
		if (!*v || *end || errno || n > k->max) {
			snprintf(why, whylen, "%s: expected an octal mode, not '%s'", k->name, v);
			return -1;
		}
		*(unsigned int *)p = (unsigned int)n;
		return 0;
	case K_UINT:
	case K_SIZE:
		if (parse_number(v, k->type == K_SIZE, &n) || n < k->min || n > k->max) {
			snprintf(why, whylen, "%s: expected %s %llu..%llu, not '%s'",
				 k->name, k->type == K_SIZE ? "a size (K, M, G, T suffix) in" :
				 "an integer in", (unsigned long long)k->min,
				 (unsigned long long)k->max, v);
			return -1;
		}
		if (k->type == K_SIZE)
			*(uint64_t *)p = n;
		else
			*(unsigned int *)p = (unsigned int)n;
		return 0;
	}
	return -1;
}

static int known_section(const char *s)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, s) == 0)
			return 1;
	return 0;
}

/* Whole-file checks, after the last line. */
static int check_conf(const struct cd_conf *c, char *why, size_t whylen)
{
	if (!c->tcp_address && !c->unix_path)
		snprintf(why, whylen, "[listen] needs address or unix (or both)");
	else if (c->tcp_address && !strrchr(c->tcp_address, ':'))
		snprintf(why, whylen, "[listen] address must be HOST:PORT");
	else if (!c->host_id)
		snprintf(why, whylen, "[auth] host_id is required (the token audience)");
	else if (!c->public_keys_file)
		snprintf(why, whylen, "[auth] public_keys is required");
	else if (c->helper_socket && c->helper_spawn)
		snprintf(why, whylen, "[helper] socket and spawn exclude each other");
	else if (c->helper_policy && !c->helper_spawn)
		snprintf(why, whylen, "[helper] policy is only for spawn");
	else if (c->burst_per_token < c->rate_per_token ||
		 c->burst_per_address < c->rate_per_address)
		snprintf(why, whylen, "[limits] a burst must be at least its rate");
	else if (c->unix_path && c->unix_path[0] != '/')
		snprintf(why, whylen, "[listen] unix must be an absolute path");
	else
		return 0;
	return -1;
}

int cd_conf_load(struct cd_conf *c, const char *path, char *err, size_t errlen)
{
	char line[LINE_MAX_LEN + 2], why[512], section[64] = "";
	unsigned char seen[NKEYS];
	unsigned int lineno = 0;
	FILE *f;
	int rc = -1;

	cd_conf_defaults(c);
	memset(seen, 0, sizeof(seen));
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	why[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *k, *v;
		size_t i, len = strlen(line);

		lineno++;
		if (len > LINE_MAX_LEN) {
			snprintf(why, sizeof(why), "line longer than %d bytes", LINE_MAX_LEN);
			goto out;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || e[1] || e - s - 1 <= 0 || (size_t)(e - s - 1) >= sizeof(section)) {
				snprintf(why, sizeof(why), "malformed section header");
				goto out;
			}
			*e = '\0';
			if (!known_section(s + 1)) {
				snprintf(why, sizeof(why), "unknown section [%s]", s + 1);
				goto out;
			}
			snprintf(section, sizeof(section), "%s", s + 1);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(why, sizeof(why), "expected 'key = value'");
			goto out;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		if (!section[0]) {
			snprintf(why, sizeof(why), "key '%s' outside any section", k);
			goto out;
		}
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].section, section) == 0 &&
			    strcmp(keys[i].name, k) == 0)
				break;
		if (i == NKEYS) {
			snprintf(why, sizeof(why), "unknown key '%s' in [%s]", k, section);
			goto out;
		}
		if (seen[i]) {
			snprintf(why, sizeof(why), "duplicate key '%s' in [%s]", k, section);
			goto out;
		}
		seen[i] = 1;
		if (set_value(c, &keys[i], v, why, sizeof(why)))
			goto out;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		cd_conf_free(c);
		return -1;
	}
	if (check_conf(c, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		fclose(f);
		cd_conf_free(c);
		return -1;
	}
	if (!c->user)
		c->user = strdup("corral");
	if (!c->helper_socket && !c->helper_spawn)
		c->helper_socket = strdup(CORRAL_HELPER_SOCKET);
	if (!c->user || (!c->helper_socket && !c->helper_spawn)) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		fclose(f);
		cd_conf_free(c);
		return -1;
	}
	fclose(f);
	if (cd_conf_load_keys(c, c->public_keys_file, err, errlen)) {
		cd_conf_free(c);
		return -1;
	}
	return 0;
out:
	snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
	fclose(f);
	cd_conf_free(c);
	return rc;
}

int cd_conf_load_keys(struct cd_conf *c, const char *path, char *err,
		      size_t errlen)
{
	char line[256];
	unsigned int lineno = 0;
	FILE *f;

	c->nkeys = 0;
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		uint8_t key[CD_KEY_LEN + 1];
		size_t n = 0;
		const char *end = NULL;
		char *s;

		lineno++;
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (c->nkeys == CD_KEYS_MAX) {
			snprintf(err, errlen, "%s:%u: more than %d keys", path,
				 lineno, CD_KEYS_MAX);
			goto fail;
		}
		if (sodium_base642bin(key, sizeof(key), s, strlen(s), NULL, &n,
				      &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    *end || n != CD_KEY_LEN) {
			snprintf(err, errlen, "%s:%u: expected the base64 of a "
				 "32-byte Ed25519 public key", path, lineno);
			goto fail;
		}
		memcpy(c->keys[c->nkeys++], key, CD_KEY_LEN);
	}
	fclose(f);
	if (!c->nkeys) {
		snprintf(err, errlen, "%s: no public key", path);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	return -1;
}
