/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the frame decoder (common/proto.c).
 *
 * Each input is decoded twice: by message type, as the helper does, and
 * against a schema that uses every value kind (argv/env lists are in no
 * message yet, but their code must be sound already).  Whatever decodes
 * must keep every limit, go through the list getter, re-encode through the
 * public encoder to a frame of the same length, and decode again to the
 * same values.  Any broken promise aborts, which libFuzzer reports.
 *
 * Build and run: tests/fuzz/run-fuzz.sh frame SECONDS SRCDIR BUILDDIR
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/proto.h"
#include "tests/unit/proto_reencode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct crl_schema all_kinds = { "all kinds", {
	[CRL_A_VERSION_MIN] = { CRL_K_U32, 0 },
	[CRL_A_VERSION_MAX] = { CRL_K_U64, 0 },
	[CRL_A_CLIENT] = { CRL_K_STRING, 0 },
	[CRL_A_DATA] = { CRL_K_BYTES, 0 },
	[CRL_A_DIGEST] = { CRL_K_DIGEST, 0 },
	[CRL_A_PROJECT] = { CRL_K_STRING, 1 },
	[CRL_A_PATH] = { CRL_K_PATH, 0 },
	[CRL_A_PATH2] = { CRL_K_PATH, 0 },
	[CRL_A_ARGV] = { CRL_K_LIST, 0 },
	[CRL_A_ENV] = { CRL_K_LIST, 0 },
	[CRL_A_ENTRIES] = { CRL_K_ENTRIES, 0 },
} };

static uint8_t out[CRL_FRAME_MAX];

static int decode(const void *buf, size_t len, const struct crl_schema *s,
		  struct crl_msg *m)
{
	return s ? crl_decode_schema(buf, len, s, m) : crl_decode(buf, len, m);
}

/* The codes the decoder may return (proto.h). */
static int decoder_code(int rc)
{
	return (rc <= CRL_E_SHORT_HEADER && rc >= CRL_E_BAD_PADDING) ||
	       (rc <= CRL_E_ENTRY_NAME && rc >= CRL_E_LAST);
}

static void check_failed(const struct crl_msg *m, int rc)
{
	int a;

	if (!decoder_code(rc) ||
	    !crl_proto_strerror(rc) || crl_proto_errno(rc) <= 0)
		abort();
	for (a = 0; a < CRL_A_ATTR_MAX_; a++)
		if (m->attr[a].present)
			abort();
}

static void roundtrip(const uint8_t *data, size_t size,
		      const struct crl_schema *schema)
{
	static struct crl_msg m, m2;
	const struct crl_schema *s = schema;
	ssize_t n;
	int rc;

	rc = decode(data, size, schema, &m);
	if (rc != CRL_OK) {
		check_failed(&m, rc);
		return;
	}
	if (!s)
		s = crl_schema_lookup(m.type, m.is_reply, crl_msg_is_error(&m));
	if (!s || crl_t_msg_ok(&m, s, data, size))
		abort();
	n = crl_t_reencode(&m, s, out, sizeof(out));
	if (n != (ssize_t)size)
		abort();
	if (decode(out, (size_t)n, schema, &m2) != CRL_OK ||
	    crl_t_msg_equal(&m, &m2))
		abort();
	if (!schema && (crl_decode_request(data, size, &m2) == CRL_OK) ==
		       (m.is_reply != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip(data, size, NULL);
	roundtrip(data, size, &all_kinds);
	return 0;
}
