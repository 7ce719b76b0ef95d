/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by tests/unit/check_proto.c and tests/fuzz/fuzz_frame.c: check
 * that a decoded message respects every limit, and encode it again through
 * the public encoder.  Since decoding is strict (no slack, no order-free
 * padding), the re-encoding of anything that decodes has the same length
 * and decodes to the same values.
 */
#ifndef CORRAL_TEST_PROTO_REENCODE_H
#define CORRAL_TEST_PROTO_REENCODE_H

#include <string.h>

#include "common/proto.h"

static inline int crl_t_in(const void *p, size_t n, const void *buf,
			   size_t len)
{
	const uint8_t *b = buf, *q = p;

	return q >= b && q <= b + len && n <= (size_t)(b + len - q);
}

static inline int crl_t_string_ok(const char *s, size_t len, size_t max)
{
	return len > 0 && s[len - 1] == '\0' && strlen(s) == len - 1 &&
	       len - 1 <= max;
}

/* 0 if the list attribute a is sound, else a nonzero line number. */
static inline int crl_t_list_ok(const struct crl_msg *m,
				enum crl_attr_type a, const void *buf,
				size_t len)
{
	static struct crl_list l;
	unsigned int i, n = crl_msg_list(m, a, &l);

	if (n != l.count || n > CRL_LIST_MAX)
		return __LINE__;
	for (i = 0; i < n; i++) {
		if (!crl_t_in(l.item[i], strlen(l.item[i]) + 1, buf, len) ||
		    strlen(l.item[i]) > CRL_STRING_MAX)
			return __LINE__;
	}
	return 0;
}

/* 0 if the entries of a list reply are sound, else a line number. */
static inline int crl_t_entries_ok(const struct crl_msg *m, const void *buf,
				   size_t len)
{
	struct crl_entry_hdr h;
	const char *name;
	size_t off = 0, n;
	int rc;

	while ((rc = crl_entries_next(m, &off, &h, &name)) == 1) {
		n = strlen(name);
		if (!crl_t_in(name, n + 1, buf, len) || n == 0 ||
		    n > CRL_ENTRY_NAME_MAX || strchr(name, '/') ||
		    h.type > CRL_FT_BLK || h.mode > 07777)
			return __LINE__;
	}
	return rc == 0 ? 0 : __LINE__;
}

/* 0 if one decoded value respects its kind, else a line number. */
static inline int crl_t_value_ok(const struct crl_msg *m, int a,
				 unsigned int kind, const void *buf,
				 size_t len)
{
	const struct crl_attr_val *v = &m->attr[a];

	if (!crl_t_in(v->data, v->len, buf, len))
		return __LINE__;
	switch (kind) {
	case CRL_K_U32:
		return v->len == 4 ? 0 : __LINE__;
	case CRL_K_U64:
		return v->len == 8 ? 0 : __LINE__;
	case CRL_K_DIGEST:
		return v->len == 32 ? 0 : __LINE__;
	case CRL_K_STRING:
		return crl_t_string_ok(v->data, v->len, CRL_STRING_MAX) ?
		       0 : __LINE__;
	case CRL_K_PATH:
		return crl_t_string_ok(v->data, v->len, CRL_PATH_MAX) ?
		       0 : __LINE__;
	case CRL_K_LIST:
		return crl_t_list_ok(m, (enum crl_attr_type)a, buf, len);
	case CRL_K_ENTRIES:
		return a == CRL_A_ENTRIES ? crl_t_entries_ok(m, buf, len) :
					    __LINE__;
	case CRL_K_BYTES:
		return 0;
	default:
		return __LINE__;
	}
}

/* 0 if a successfully decoded message keeps every promise of schema s. */
static inline int crl_t_msg_ok(const struct crl_msg *m,
			       const struct crl_schema *s, const void *buf,
			       size_t len)
{
	int a, rc;

	if (!s || len < CRL_HDR_LEN || len > CRL_FRAME_MAX ||
	    m->attr[CRL_A_UNSPEC].present)
		return __LINE__;
	for (a = 1; a < CRL_A_ATTR_MAX_; a++) {
		if (!m->attr[a].present) {
			if (s->attr[a].required)
				return __LINE__;
			continue;
		}
		rc = crl_t_value_ok(m, a, s->attr[a].kind, buf, len);
		if (rc)
			return rc;
	}
	return 0;
}

static inline void crl_t_put_list(struct crl_enc *e, const struct crl_msg *m,
				  enum crl_attr_type a)
{
	static struct crl_list l;
	unsigned int i;

	crl_msg_list(m, a, &l);
	crl_list_begin(e, a);
	for (i = 0; i < l.count; i++)
		crl_put_str(e, CRL_A_ITEM, l.item[i]);
	crl_list_end(e);
}

static inline void crl_t_put_entries(struct crl_enc *e,
				     const struct crl_msg *m)
{
	struct crl_entry_hdr h;
	const char *name;
	size_t off = 0;

	crl_list_begin(e, CRL_A_ENTRIES);
	while (crl_entries_next(m, &off, &h, &name) == 1)
		crl_put_entry(e, &h, name);
	crl_list_end(e);
}

static inline void crl_t_put_attr(struct crl_enc *e, const struct crl_msg *m,
				  enum crl_attr_type a, unsigned int kind)
{
	const void *p;
	size_t n;

	switch (kind) {
	case CRL_K_U32:
		crl_put_u32(e, a, crl_msg_u32(m, a));
		break;
	case CRL_K_U64:
		crl_put_u64(e, a, crl_msg_u64(m, a));
		break;
	case CRL_K_STRING:
	case CRL_K_PATH:
		crl_put_str(e, a, crl_msg_str(m, a));
		break;
	case CRL_K_LIST:
		crl_t_put_list(e, m, a);
		break;
	case CRL_K_ENTRIES:
		crl_t_put_entries(e, m);
		break;
	default:
		p = crl_msg_bytes(m, a, &n);
		crl_put_bytes(e, a, p, n);
		break;
	}
}

/* Encode m again, attributes in type order, through the typed putters. */
static inline ssize_t crl_t_reencode(const struct crl_msg *m,
				     const struct crl_schema *s, void *out,
				     size_t cap)
{
	struct crl_enc e;
	uint16_t type = m->type;
	int a;

	if (m->is_reply)
		type = (uint16_t)(type | CRL_MSG_REPLY);
	crl_enc_init(&e, out, cap, type, m->request_id);
	for (a = 1; a < CRL_A_ATTR_MAX_; a++)
		if (m->attr[a].present)
			crl_t_put_attr(&e, m, (enum crl_attr_type)a,
				       s->attr[a].kind);
	return crl_enc_finish(&e);
}

/* 0 if two decoded messages carry the same header and values. */
static inline int crl_t_msg_equal(const struct crl_msg *x,
				  const struct crl_msg *y)
{
	int a;

	if (x->type != y->type || x->is_reply != y->is_reply ||
	    x->request_id != y->request_id)
		return __LINE__;
	for (a = 0; a < CRL_A_ATTR_MAX_; a++) {
		const struct crl_attr_val *u = &x->attr[a], *v = &y->attr[a];

		if (u->present != v->present || u->len != v->len)
			return __LINE__;
		if (u->present && u->len && memcmp(u->data, v->data, u->len))
			return __LINE__;
	}
	return 0;
}

#endif
