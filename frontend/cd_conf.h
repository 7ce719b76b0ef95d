/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corrald's configuration: /etc/corral/corrald.conf, the same
 * "[section]" and "key = value" lines as the policy, '#' comments.
 * An unknown section or key, a duplicate key or a bad value is an error
 * naming file:line; nothing is half-loaded.  See corrald.conf(5).
 */
#ifndef CORRAL_CD_CONF_H
#define CORRAL_CD_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CD_CONF_PATH_DEFAULT  "/etc/corral/corrald.conf"
#define CD_KEYS_MAX           8     /* public keys held at once (rotation) */
#define CD_KEY_LEN            32    /* Ed25519 public key */
#define CD_HOST_ID_MAX        255

struct cd_conf {
	/* [listen] */
	char *tcp_address;          /* "HOST:PORT" or NULL */
	char *unix_path;            /* or NULL; at least one of the two */
	unsigned int unix_mode;
	/* [auth] */
	char *host_id;              /* the token audience */
	char *public_keys_file;     /* one base64 key per line */
	uint8_t keys[CD_KEYS_MAX][CD_KEY_LEN];
	unsigned int nkeys;
	unsigned int clock_skew;    /* seconds */
	unsigned int max_token_bytes;
	unsigned int max_token_lifetime; /* exp - iat, seconds */
	int single_use_tokens;
	unsigned int replay_cache_size;
	/* [helper] */
	char *helper_socket;        /* service mode */
	char *helper_spawn;         /* or: spawn this helper binary */
	char *helper_policy;        /* policy passed to a spawned helper */
	/* [limits] */
	uint64_t max_body;          /* upload bytes */
	unsigned int max_json;      /* JSON request bytes */
	unsigned int connection_memory; /* per connection, bounds headers */
	unsigned int connections;
	unsigned int connections_per_ip;
	unsigned int connection_timeout; /* seconds of inactivity */
	unsigned int threads;
	unsigned int rate_per_token, burst_per_token;     /* per second */
	unsigned int rate_per_address, burst_per_address;
	unsigned int exec_timeout_max;   /* seconds */
	unsigned int exec_output_max;    /* bytes kept of stdout/stderr each */
	unsigned int exec_max;           /* execs running at once */
	/* [daemon] */
	char *user;                 /* dropped to when started as root */
};

/* Defaults, without reading anything. */
void cd_conf_defaults(struct cd_conf *c);
/* Read path into c (defaults first), then the public key file.  On
 * error returns -1 with "FILE:LINE: why" in err; c is then freed. */
int cd_conf_load(struct cd_conf *c, const char *path, char *err, size_t errlen);
/* Parse one public key file (one base64 key of 32 bytes a line, '#'
 * comments, blank lines); -1 with "FILE:LINE: why" in err. */
int cd_conf_load_keys(struct cd_conf *c, const char *path, char *err,
		      size_t errlen);
void cd_conf_free(struct cd_conf *c);

#endif
