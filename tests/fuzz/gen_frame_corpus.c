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

#define PRJ "0d1c5e1e-35c6-4a5b-9d3e-6c1f1b2a9c00"

static void fs_begin(struct crl_enc *e, uint16_t type, uint32_t id,
		     const char *path)
{
	crl_enc_init(e, buf, sizeof(buf), type, id);
	crl_put_str(e, CRL_A_PROJECT, PRJ);
	crl_put_str(e, CRL_A_PATH, path);
}

static void create(void)
{
	struct crl_enc e;

	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_CREATE, 20);
	crl_put_str(&e, CRL_A_PROJECT, PRJ);
	save("create-request", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_CREATE | CRL_MSG_REPLY, 20);
	crl_put_u32(&e, CRL_A_UID, 1900000000);
	crl_put_u32(&e, CRL_A_GID, 1900000000);
	save("create-reply", crl_enc_finish(&e));
	save("create-error", crl_enc_error(buf, sizeof(buf), CRL_MSG_CREATE,
					   20, EINVAL, "project id is not a "
					   "lower-case UUID"));
}

/* Requests with a path only, then those with more. */
static void fs_simple(void)
{
	static const struct { uint16_t type; const char *name; } t[] = {
		{ CRL_MSG_FS_UNLINK, "fs-unlink-request" },
		{ CRL_MSG_FS_RMDIR, "fs-rmdir-request" },
		{ CRL_MSG_FS_STAT, "fs-stat-request" },
		{ CRL_MSG_FS_LIST, "fs-list-request" },
		{ CRL_MSG_FS_OPEN_READ, "fs-open-read-request" },
	};
	struct crl_enc e;
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fs_begin(&e, t[i].type, 30 + i, "dir/file");
		save(t[i].name, crl_enc_finish(&e));
	}
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_FS_UNLINK | CRL_MSG_REPLY,
		     30);
	save("fs-empty-reply", crl_enc_finish(&e));
}

static void fs_two_paths(void)
{
	struct crl_enc e;

	fs_begin(&e, CRL_MSG_FS_RENAME, 40, "old");
	crl_put_str(&e, CRL_A_PATH2, "new/name");
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_NOREPLACE);
	save("fs-rename-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_LINK, 41, "a");
	crl_put_str(&e, CRL_A_PATH2, "b");
	save("fs-link-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_COPY, 42, "src.txt");
	crl_put_str(&e, CRL_A_PATH2, "dst.txt");
	save("fs-copy-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_SYMLINK, 43, "link");
	crl_put_str(&e, CRL_A_TARGET, "../target");
	save("fs-symlink-request", crl_enc_finish(&e));
}

static void fs_values(void)
{
	struct crl_enc e;

	fs_begin(&e, CRL_MSG_FS_MKDIR, 50, "a/b/c");
	crl_put_u32(&e, CRL_A_MODE, 0750);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_PARENTS);
	save("fs-mkdir-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_CHMOD, 51, ".");
	crl_put_u32(&e, CRL_A_MODE, 0700);
	save("fs-chmod-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_TRUNCATE, 52, "f");
	crl_put_u64(&e, CRL_A_SIZE, 4096);
	save("fs-truncate-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_RM, 53, "tree");
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_RECURSIVE | CRL_FS_FORCE);
	save("fs-rm-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_UTIMES, 54, "f");
	crl_put_u64(&e, CRL_A_ATIME, 1700000000000000000ull);
	crl_put_u64(&e, CRL_A_MTIME, 1700000000123456789ull);
	save("fs-utimes-request", crl_enc_finish(&e));
	fs_begin(&e, CRL_MSG_FS_OPEN_WRITE, 55, "log");
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_CREATE | CRL_FS_APPEND);
	crl_put_u32(&e, CRL_A_MODE, 0600);
	save("fs-open-write-request", crl_enc_finish(&e));
}

static void fs_replies(void)
{
	struct crl_enc e;

	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_FS_STAT | CRL_MSG_REPLY, 21);
	crl_put_u32(&e, CRL_A_FILE_TYPE, CRL_FT_DIR);
	crl_put_u32(&e, CRL_A_MODE, 0755);
	crl_put_u32(&e, CRL_A_UID, 1900000000);
	crl_put_u32(&e, CRL_A_GID, 1900000000);
	crl_put_u64(&e, CRL_A_SIZE, 4096);
	crl_put_u32(&e, CRL_A_NLINK, 2);
	crl_put_u64(&e, CRL_A_ATIME, 1700000000000000000ull);
	crl_put_u64(&e, CRL_A_MTIME, 1700000000000000001ull);
	crl_put_u64(&e, CRL_A_CTIME, 1700000000000000002ull);
	save("fs-stat-reply", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf),
		     CRL_MSG_FS_OPEN_READ | CRL_MSG_REPLY, 22);
	crl_put_u64(&e, CRL_A_SIZE, 123456);
	save("fs-open-read-reply", crl_enc_finish(&e));
	save("fs-stat-error", crl_enc_error(buf, sizeof(buf), CRL_MSG_FS_STAT,
					    21, ELOOP, "symbolic link in path"));
}

static void fs_list_reply(void)
{
	static const char *names[] = { "README", ".hidden", "src", "l" };
	struct crl_entry_hdr h = { CRL_FT_REG, 0644, 1234, 1700000000ull };
	struct crl_enc e;
	unsigned int i;

	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_FS_LIST | CRL_MSG_REPLY, 33);
	crl_list_begin(&e, CRL_A_ENTRIES);
	for (i = 0; i < 4; i++) {
		h.type = i + 1;
		crl_put_entry(&e, &h, names[i]);
	}
	crl_list_end(&e);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_MORE);
	save("fs-list-reply-more", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_FS_LIST | CRL_MSG_REPLY, 33);
	crl_list_begin(&e, CRL_A_ENTRIES);
	crl_list_end(&e);
	save("fs-list-reply-last", crl_enc_finish(&e));
}

static void fs_replace(void)
{
	struct crl_enc e;

	fs_begin(&e, CRL_MSG_FS_REPLACE, 60, "config.json");
	crl_put_u32(&e, CRL_A_MODE, 0644);
	save("fs-replace-request", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_FS_REPLACE | CRL_MSG_REPLY,
		     60);
	crl_put_u32(&e, CRL_A_TOKEN, 1);
	save("fs-replace-reply", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_FS_COMMIT, 61);
	crl_put_u32(&e, CRL_A_TOKEN, 1);
	save("fs-commit-request", crl_enc_finish(&e));
	crl_enc_init(&e, buf, sizeof(buf), CRL_MSG_FS_ABORT, 62);
	crl_put_u32(&e, CRL_A_TOKEN, 2);
	save("fs-abort-request", crl_enc_finish(&e));
}

/* For the fuzzer's all-kinds schema: lists, paths, a u64. */
static void all_kinds(void)
{
	static const char *argv[] = { "sh", "-c", "echo $HOME", "" };
	struct crl_entry_hdr entry = { CRL_FT_DIR, 0700, 4096, 1 };
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
	crl_list_begin(&e, CRL_A_ENTRIES);
	crl_put_entry(&e, &entry, "name");
	crl_list_end(&e);
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
	create();
	fs_simple();
	fs_two_paths();
	fs_values();
	fs_replies();
	fs_list_reply();
	fs_replace();
	all_kinds();
	return 0;
}
