/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the policy parser (policy/parse.c, keys.c,
 * validate.c).
 *
 * Every input is parsed as a policy file.  Whatever the input, the messages
 * must be printable ASCII lines (the parser escapes what it echoes, so a
 * policy cannot drive the terminal of the sysadmin who checks it).  A
 * policy that parses must show, parse back without a single message, and
 * show again to the same bytes and digest; explain must succeed on it.  Any
 * broken promise aborts, which libFuzzer reports.
 *
 * Build and run: tests/fuzz/run-fuzz.sh policy SECONDS SRCDIR BUILDDIR
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static char *dump(const struct crl_policy *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f || crl_policy_show(p, f) < 0 || fclose(f) != 0)
		abort();
	return buf;
}

static void check_messages(const char *m, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (m[i] != '\n' && (m[i] < 0x20 || m[i] > 0x7e))
			abort();
	}
	if (len && m[len - 1] != '\n')
		abort();
}

static struct crl_policy *parse(const char *name, const void *buf, size_t len,
				int must_pass)
{
	struct crl_policy *p = NULL;
	char *errs = NULL;
	size_t elen = 0;
	FILE *f = open_memstream(&errs, &elen);
	int rc;

	if (!f)
		abort();
	rc = crl_policy_parse_buffer(name, buf, len, &p, f);
	if (fclose(f) != 0)
		abort();
	check_messages(errs, elen);
	if ((rc == 0) != (p != NULL) || (must_pass && (rc != 0 || elen)))
		abort();
	free(errs);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t da[CRL_SHA256_LEN], db[CRL_SHA256_LEN];
	struct crl_policy *p, *q;
	size_t alen, blen;
	char *a, *b;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	p = parse("fuzz.conf", data, size, 0);
	if (!p)
		return 0;
	a = dump(p, &alen);
	q = parse("show", a, alen, 1);
	b = dump(q, &blen);
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
	if (crl_policy_digest(p, da) < 0 || crl_policy_digest(q, db) < 0 ||
	    memcmp(da, db, sizeof(da)) != 0)
		abort();
	if (!devnull || crl_policy_explain(p, devnull) < 0)
		abort();
	free(a);
	free(b);
	crl_policy_free(p);
	crl_policy_free(q);
	return 0;
}
