/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The canonical dump of a policy and its digest.  The dump has every key,
 * in table order, one canonical spelling per value and no comments, so two
 * policies that mean the same print the same bytes, and the digest names
 * what the helper enforces rather than how the file was written.
 */
#include "config.h"

#include <stdlib.h>

#include "policy/internal.h"

static unsigned int list_len(const struct crl_policy *p, const struct crl_key *k)
{
	return *(const unsigned int *)(const void *)((const char *)p + k->off_n);
}

int crl_policy_show(const struct crl_policy *p, FILE *out)
{
	int section = -1;

	for (int i = 0; i < CRL_KEY_COUNT_; i++) {
		const struct crl_key *k = &crl_keys[i];

		if ((int)k->section != section) {
			fprintf(out, "%s[%s]\n", section < 0 ? "" : "\n",
				crl_section_names[k->section]);
			section = (int)k->section;
		}
		if ((k->flags & CRL_KF_LIST) && list_len(p, k) == 0) {
			fprintf(out, "%s =\n", k->name);
			continue;
		}
		fprintf(out, "%s = ", k->name);
		k->show(p, k, out);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

int crl_policy_digest(const struct crl_policy *p, uint8_t out[CRL_SHA256_LEN])
{
	struct crl_sha256 c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return -1;
	r = crl_policy_show(p, f);
	if (fclose(f) != 0)
		r = -1;
	if (r == 0) {
		crl_sha256_init(&c);
		crl_sha256_update(&c, buf, len);
		crl_sha256_final(&c, out);
	}
	free(buf);
	return r;
}
