/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpus of fuzz_frame.c: valid frames of every message
 * type, built with the real encoder.  Run from the source tree when the
 * protocol changes:
 *
 *   cc -I. -I_build -o /tmp/gen tests/fuzz/gen_frame_corpus.c common/proto.c
 *   /tmp/gen tests/fuzz/corpus/frame
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"

static uint8_t buf[CRL_FRAME_MAX];
static const char *dir;

static void save(const char *name, ssize_t len)
{
	char path[4096];
	FILE *f;

	if (len < 0) {
		fprintf(stderr, "%s: %s\n", name, crl_proto_strerror((int)len));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, (size_t)len, f) != (size_t)len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void hellos(void)
{
	struct crl_enc e;

	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_HELLO, 1);
	crl_put_u32(&e, CRL_A_VERSION_MIN, 1);
	crl_put_u32(&e, CRL_A_VERSION_MAX, 1);
	crl_put_str(&e, CRL_A_CLIENT, "corralctl 0.1.0");
	save("hello-request", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_HELLO, 2);
	crl_put_u32(&e, CRL_A_VERSION_MAX, 3);
	crl_put_u32(&e, CRL_A_VERSION_MIN, 1);
	save("hello-request-bare", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_HELLO | CRL_MSG_REPLY, 1);
	crl_put_u32(&e, CRL_A_VERSION, 1);
	crl_put_str(&e, CRL_A_SERVER, "corral-helper 0.1.0");
	save("hello-reply", crl_enc_finish(&e));
	save("hello-error", crl_enc_error(buf, sizeof(buf), CRL_MSG_HELLO, 1,
					  EPROTONOSUPPORT,
					  "helper speaks versions 1..1"));
}

static void pings(void)
{
	struct crl_enc e;

	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_PING, 3);
	crl_put_bytes(&e, CRL_A_DATA, "hello, helper", 13);
	save("ping-request", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_PING, 4);
	save("ping-request-empty", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_PING | CRL_MSG_REPLY, 3);
	crl_put_bytes(&e, CRL_A_DATA, "hello, helper", 13);
	save("ping-reply", crl_enc_finish(&e));
	save("ping-error", crl_enc_error(buf, sizeof(buf), CRL_MSG_PING, 5,
					 EACCES, ""));
}

static void digests(void)
{
	struct crl_enc e;
	uint8_t d[32];
	unsigned int i;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 37);
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_POLICY_DIGEST, 6);
	save("policy-digest-request", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf),
		     CRL_MSG_POLICY_DIGEST | CRL_MSG_REPLY, 6);
	crl_put_bytes(&e, CRL_A_DIGEST, d, sizeof(d));
	crl_put_str(&e, CRL_A_DIGEST_ALG, "sha256");
	save("policy-digest-reply", crl_enc_finish(&e));
}

/* For the fuzzer's all-kinds schema: lists, paths, a u64. */
static void all_kinds(void)
{
	static const char *argv[] = { "sh", "-c", "echo $HOME", "" };
	struct crl_enc e;
	unsigned int i;

	crl_enc_init(&e, buf, sizeof(buf), 0x0100, 7);
	crl_put_str(&e, CRL_A_PROJECT, "0d1c5e1e-35c6-4a5b-9d3e-6c1f1b2a9c00");
	crl_put_str(&e, CRL_A_PATH, "src/main.c");
	crl_put_str(&e, CRL_A_PATH2, "src/old.c");
	crl_list_begin(&e, CRL_A_ARGV);
	for (i = 0; i < 4; i++)
		crl_put_str(&e, CRL_A_ITEM, argv[i]);
	crl_list_end(&e);
	crl_list_begin(&e, CRL_A_ENV);
	crl_put_str(&e, CRL_A_ITEM, "LANG=C.UTF-8");
	crl_list_end(&e);
	crl_put_u64(&e, CRL_A_VERSION_MAX, 0x0123456789abcdefull);
	save("all-kinds", crl_enc_finish(&e));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	hellos();
	pings();
	digests();
	all_kinds();
	return 0;
}
