/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corral wire protocol: strict decoder, encoder, schemas.  See proto.h and
 * corral-protocol(7).
 *
 * This file is the helper's whole parsing attack surface, so it holds to a
 * few rules, each backed by tests/unit/check_proto.c:
 *
 *  - every byte of a frame is read through one bounded cursor (struct cur);
 *    lengths are only ever compared against what is left, by subtraction,
 *    so no sum can wrap;
 *  - the walk consumes the payload exactly: padding must be zero and there
 *    is no slack after the last attribute;
 *  - every attribute is checked against the schema of its message: unknown,
 *    duplicate, wrongly sized or missing attributes are errors, never
 *    skipped;
 *  - the full 16-bit attribute type must match the schema, so the netlink
 *    flag bits (NLA_F_NESTED, NLA_F_NET_BYTEORDER) make a type unknown;
 *  - decoded values point into the caller's buffer; nothing is allocated.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/proto.h"

#define REQ 1
#define OPT 0

/* What every file operation but commit and abort carries. */
#define FS_REQ \
	[CRL_A_PROJECT] = { CRL_K_STRING, REQ }, \
	[CRL_A_PATH] = { CRL_K_PATH, REQ }

/* Requests, indexed by message type.  A type number without an entry
 * stays unknown. */
static const struct crl_schema req_schemas[CRL_MSG_TYPE_MAX_] = {
	[CRL_MSG_HELLO] = { "hello", {
		[CRL_A_VERSION_MIN] = { CRL_K_U32, REQ },
		[CRL_A_VERSION_MAX] = { CRL_K_U32, REQ },
		[CRL_A_CLIENT] = { CRL_K_STRING, OPT },
	} },
	[CRL_MSG_PING] = { "ping", {
		[CRL_A_DATA] = { CRL_K_BYTES, OPT },
	} },
	[CRL_MSG_POLICY_DIGEST] = { "policy-digest", { { 0, 0 } } },
	[CRL_MSG_CREATE] = { "create", {
		[CRL_A_PROJECT] = { CRL_K_STRING, REQ },
	} },
	[CRL_MSG_START] = { "start", {
		[CRL_A_PROJECT] = { CRL_K_STRING, REQ },
		[CRL_A_ARGV] = { CRL_K_LIST, OPT },
	} },
	[CRL_MSG_EXEC] = { "exec", {
		[CRL_A_PROJECT] = { CRL_K_STRING, REQ },
		[CRL_A_ARGV] = { CRL_K_LIST, REQ },
		[CRL_A_ENV] = { CRL_K_LIST, OPT },
		[CRL_A_CWD] = { CRL_K_PATH, OPT },
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
		[CRL_A_TIMEOUT] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_STOP] = { "stop", {
		[CRL_A_PROJECT] = { CRL_K_STRING, REQ },
		[CRL_A_GRACE] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_STATUS] = { "status", {
		[CRL_A_PROJECT] = { CRL_K_STRING, REQ },
	} },
	[CRL_MSG_LIST] = { "list", { { 0, 0 } } },
	[CRL_MSG_FS_MKDIR] = { "fs-mkdir", { FS_REQ,
		[CRL_A_MODE] = { CRL_K_U32, OPT },
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_UNLINK] = { "fs-unlink", { FS_REQ } },
	[CRL_MSG_FS_RMDIR] = { "fs-rmdir", { FS_REQ } },
	[CRL_MSG_FS_RENAME] = { "fs-rename", { FS_REQ,
		[CRL_A_PATH2] = { CRL_K_PATH, REQ },
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_LINK] = { "fs-link", { FS_REQ,
		[CRL_A_PATH2] = { CRL_K_PATH, REQ },
	} },
	[CRL_MSG_FS_SYMLINK] = { "fs-symlink", { FS_REQ,
		[CRL_A_TARGET] = { CRL_K_PATH, REQ },
	} },
	[CRL_MSG_FS_CHMOD] = { "fs-chmod", { FS_REQ,
		[CRL_A_MODE] = { CRL_K_U32, REQ },
	} },
	[CRL_MSG_FS_TRUNCATE] = { "fs-truncate", { FS_REQ,
		[CRL_A_SIZE] = { CRL_K_U64, REQ },
	} },
	[CRL_MSG_FS_COPY] = { "fs-copy", { FS_REQ,
		[CRL_A_PATH2] = { CRL_K_PATH, REQ },
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_RM] = { "fs-rm", { FS_REQ,
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_UTIMES] = { "fs-utimes", { FS_REQ,
		[CRL_A_ATIME] = { CRL_K_U64, OPT },
		[CRL_A_MTIME] = { CRL_K_U64, OPT },
	} },
	[CRL_MSG_FS_STAT] = { "fs-stat", { FS_REQ } },
	[CRL_MSG_FS_LIST] = { "fs-list", { FS_REQ } },
	[CRL_MSG_FS_OPEN_READ] = { "fs-open-read", { FS_REQ } },
	[CRL_MSG_FS_OPEN_WRITE] = { "fs-open-write", { FS_REQ,
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
		[CRL_A_MODE] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_REPLACE] = { "fs-replace", { FS_REQ,
		[CRL_A_MODE] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_COMMIT] = { "fs-commit", {
		[CRL_A_TOKEN] = { CRL_K_U32, REQ },
	} },
	[CRL_MSG_FS_ABORT] = { "fs-abort", {
		[CRL_A_TOKEN] = { CRL_K_U32, REQ },
	} },
};

/* A reply without attributes (it still needs a schema to be known). */
#define EMPTY { 0, 0 }

/* Successful replies, indexed by the type of the request they answer. */
static const struct crl_schema reply_schemas[CRL_MSG_TYPE_MAX_] = {
	[CRL_MSG_HELLO] = { "hello reply", {
		[CRL_A_VERSION] = { CRL_K_U32, REQ },
		[CRL_A_SERVER] = { CRL_K_STRING, OPT },
	} },
	[CRL_MSG_PING] = { "ping reply", {
		[CRL_A_DATA] = { CRL_K_BYTES, OPT },
	} },
	[CRL_MSG_POLICY_DIGEST] = { "policy-digest reply", {
		[CRL_A_DIGEST] = { CRL_K_DIGEST, REQ },
		[CRL_A_DIGEST_ALG] = { CRL_K_STRING, REQ },
	} },
	[CRL_MSG_CREATE] = { "create reply", {
		[CRL_A_UID] = { CRL_K_U32, REQ },
		[CRL_A_GID] = { CRL_K_U32, REQ },
	} },
	[CRL_MSG_START] = { "start reply", {
		[CRL_A_PID] = { CRL_K_U32, REQ },
		[CRL_A_STARTED] = { CRL_K_U64, REQ },
	} },
	/* Two replies: the first with PID (and the fds), the last with EXIT. */
	[CRL_MSG_EXEC] = { "exec reply", {
		[CRL_A_PID] = { CRL_K_U32, OPT },
		[CRL_A_EXIT] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_STOP] = { "stop reply", { EMPTY } },
	[CRL_MSG_STATUS] = { "status reply", {
		[CRL_A_RUNNING] = { CRL_K_U32, REQ },
		[CRL_A_PID] = { CRL_K_U32, OPT },
		[CRL_A_STARTED] = { CRL_K_U64, OPT },
		[CRL_A_PIDS] = { CRL_K_U32, OPT },
		[CRL_A_MEMORY] = { CRL_K_U64, OPT },
		[CRL_A_CPU] = { CRL_K_U64, OPT },
	} },
	[CRL_MSG_LIST] = { "list reply", {
		[CRL_A_PROJECTS] = { CRL_K_LIST, REQ },
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_MKDIR] = { "fs-mkdir reply", { EMPTY } },
	[CRL_MSG_FS_UNLINK] = { "fs-unlink reply", { EMPTY } },
	[CRL_MSG_FS_RMDIR] = { "fs-rmdir reply", { EMPTY } },
	[CRL_MSG_FS_RENAME] = { "fs-rename reply", { EMPTY } },
	[CRL_MSG_FS_LINK] = { "fs-link reply", { EMPTY } },
	[CRL_MSG_FS_SYMLINK] = { "fs-symlink reply", { EMPTY } },
	[CRL_MSG_FS_CHMOD] = { "fs-chmod reply", { EMPTY } },
	[CRL_MSG_FS_TRUNCATE] = { "fs-truncate reply", { EMPTY } },
	[CRL_MSG_FS_COPY] = { "fs-copy reply", { EMPTY } },
	[CRL_MSG_FS_RM] = { "fs-rm reply", { EMPTY } },
	[CRL_MSG_FS_UTIMES] = { "fs-utimes reply", { EMPTY } },
	[CRL_MSG_FS_STAT] = { "fs-stat reply", {
		[CRL_A_FILE_TYPE] = { CRL_K_U32, REQ },
		[CRL_A_MODE] = { CRL_K_U32, REQ },
		[CRL_A_UID] = { CRL_K_U32, REQ },
		[CRL_A_GID] = { CRL_K_U32, REQ },
		[CRL_A_SIZE] = { CRL_K_U64, REQ },
		[CRL_A_NLINK] = { CRL_K_U32, REQ },
		[CRL_A_ATIME] = { CRL_K_U64, REQ },
		[CRL_A_MTIME] = { CRL_K_U64, REQ },
		[CRL_A_CTIME] = { CRL_K_U64, REQ },
	} },
	[CRL_MSG_FS_LIST] = { "fs-list reply", {
		[CRL_A_ENTRIES] = { CRL_K_ENTRIES, REQ },
		[CRL_A_FLAGS] = { CRL_K_U32, OPT },
	} },
	[CRL_MSG_FS_OPEN_READ] = { "fs-open-read reply", {
		[CRL_A_SIZE] = { CRL_K_U64, REQ },
	} },
	[CRL_MSG_FS_OPEN_WRITE] = { "fs-open-write reply", { EMPTY } },
	[CRL_MSG_FS_REPLACE] = { "fs-replace reply", {
		[CRL_A_TOKEN] = { CRL_K_U32, REQ },
	} },
	[CRL_MSG_FS_COMMIT] = { "fs-commit reply", { EMPTY } },
	[CRL_MSG_FS_ABORT] = { "fs-abort reply", { EMPTY } },
};

/* Any reply that carries CRL_A_ERRNO: nothing but errno and a message. */
static const struct crl_schema error_schema = { "error reply", {
	[CRL_A_ERRNO] = { CRL_K_U32, REQ },
	[CRL_A_MESSAGE] = { CRL_K_STRING, REQ },
} };

/* ------------------------------------------------------------ the cursor */

struct cur {
	const uint8_t *p;
	size_t left;
};

/* Take n bytes, or fail without moving. */
static int cur_take(struct cur *c, size_t n, const uint8_t **out)
{
	if (n > c->left)
		return -1;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return 0;
}

/* memcpy: the frame buffer need not be aligned for wider loads. */
static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* One attribute as found on the wire. */
struct nla {
	uint16_t type;
	uint16_t len;               /* value bytes, header and padding excluded */
	const uint8_t *data;
};

/* Take one attribute with its padding off the cursor.  *type_seen gets the
 * attribute type as soon as the header could be read. */
static int next_attr(struct cur *c, struct nla *a, int *type_seen)
{
	const uint8_t *h, *pad;
	uint16_t nla_len;
	size_t padlen, i;

	if (cur_take(c, CRL_ATTR_HDR_LEN, &h))
		return CRL_E_ATTR_TRUNCATED;
	nla_len = get16(h);
	a->type = get16(h + 2);
	*type_seen = a->type;
	if (nla_len < CRL_ATTR_HDR_LEN)
		return CRL_E_ATTR_ZERO_LEN;
	a->len = (uint16_t)(nla_len - CRL_ATTR_HDR_LEN);
	if (cur_take(c, a->len, &a->data))
		return CRL_E_ATTR_TRUNCATED;
	padlen = CRL_ALIGN((size_t)a->len) - a->len;
	if (cur_take(c, padlen, &pad))
		return CRL_E_ATTR_TRUNCATED;
	for (i = 0; i < padlen; i++)
		if (pad[i])
			return CRL_E_BAD_PADDING;
	return CRL_OK;
}

/* ------------------------------------------------------------ value kinds */

static int check_string(const uint8_t *s, size_t len, size_t max, int too_long)
{
	if (len == 0 || s[len - 1] != '\0')
		return CRL_E_STR_UNTERMINATED;
	if (memchr(s, '\0', len - 1))
		return CRL_E_STR_EMBEDDED_NUL;
	if (len - 1 > max)
		return too_long;
	return CRL_OK;
}

/* A list is a nested run of CRL_A_ITEM strings, each one a whole padded
 * attribute inside the list's value: a value whose length is not a
 * multiple of 4 therefore always ends in a truncated item. */
static int check_list(const uint8_t *data, size_t len)
{
	struct cur c = { data, len };
	unsigned int count = 0;
	struct nla item;
	int seen, rc;

	while (c.left > 0) {
		rc = next_attr(&c, &item, &seen);
		if (rc)
			return rc;
		if (item.type != CRL_A_ITEM)
			return CRL_E_ATTR_UNKNOWN;
		if (++count > CRL_LIST_MAX)
			return CRL_E_LIST_TOO_LONG;
		rc = check_string(item.data, item.len, CRL_STRING_MAX,
				  CRL_E_STR_TOO_LONG);
		if (rc)
			return rc;
	}
	return CRL_OK;
}

/* The name of a list entry: a file name as getdents64 gives it, never
 * one a client could misread as a path ("", ".", "..", "a/b"). */
static int check_entry_name(const char *name, size_t n)
{
	if (n > CRL_ENTRY_NAME_MAX)
		return CRL_E_ENTRY_NAME_TOO_LONG;
	if (n == 0 || memchr(name, '/', n) || (n == 1 && name[0] == '.') ||
	    (n == 2 && name[0] == '.' && name[1] == '.'))
		return CRL_E_ENTRY_NAME;
	return CRL_OK;
}

static int check_entry_fields(const struct crl_entry_hdr *h)
{
	if (h->type > CRL_FT_BLK || h->mode > 07777)
		return CRL_E_ENTRY_FIELD;
	return CRL_OK;
}

/* One CRL_A_ENTRY value: the fixed part, then a NUL-terminated name. */
static int check_entry(const uint8_t *data, size_t len,
		       struct crl_entry_hdr *hdr)
{
	const uint8_t *name = data + CRL_ENTRY_HDR_LEN;
	size_t n;
	int rc;

	if (len <= CRL_ENTRY_HDR_LEN)
		return CRL_E_ATTR_SIZE;
	n = len - CRL_ENTRY_HDR_LEN;
	if (name[n - 1] != '\0')
		return CRL_E_STR_UNTERMINATED;
	if (memchr(name, '\0', n - 1))
		return CRL_E_STR_EMBEDDED_NUL;
	rc = check_entry_name((const char *)name, n - 1);
	if (rc)
		return rc;
	memcpy(hdr, data, CRL_ENTRY_HDR_LEN);
	return check_entry_fields(hdr);
}

/* Entries nest like list items, with no count limit but the frame's. */
static int check_entries(const uint8_t *data, size_t len)
{
	struct cur c = { data, len };
	struct crl_entry_hdr hdr;
	struct nla item;
	int seen, rc;

	while (c.left > 0) {
		rc = next_attr(&c, &item, &seen);
		if (rc)
			return rc;
		if (item.type != CRL_A_ENTRY)
			return CRL_E_ATTR_UNKNOWN;
		rc = check_entry(item.data, item.len, &hdr);
		if (rc)
			return rc;
	}
	return CRL_OK;
}

static int check_kind(unsigned int kind, const uint8_t *data, size_t len)
{
	switch (kind) {
	case CRL_K_U32:
		return len == 4 ? CRL_OK : CRL_E_ATTR_SIZE;
	case CRL_K_U64:
		return len == 8 ? CRL_OK : CRL_E_ATTR_SIZE;
	case CRL_K_DIGEST:
		return len == 32 ? CRL_OK : CRL_E_ATTR_SIZE;
	case CRL_K_BYTES:
		return CRL_OK;
	case CRL_K_STRING:
		return check_string(data, len, CRL_STRING_MAX,
				    CRL_E_STR_TOO_LONG);
	case CRL_K_PATH:
		return check_string(data, len, CRL_PATH_MAX,
				    CRL_E_PATH_TOO_LONG);
	case CRL_K_LIST:
		return check_list(data, len);
	case CRL_K_ENTRIES:
		return check_entries(data, len);
	default:
		/* A schema entry with a kind we do not know: refuse. */
		return CRL_E_ATTR_UNKNOWN;
	}
}

/* ------------------------------------------------------------ decoding */

static int accept_attr(const struct crl_schema *s, struct crl_msg *msg,
		       const struct nla *a)
{
	struct crl_attr_val *v;
	int rc;

	if (a->type == CRL_A_UNSPEC || a->type >= CRL_A_ATTR_MAX_ ||
	    s->attr[a->type].kind == CRL_K_NONE)
		return CRL_E_ATTR_UNKNOWN;
	v = &msg->attr[a->type];
	if (v->present)
		return CRL_E_ATTR_DUPLICATE;
	rc = check_kind(s->attr[a->type].kind, a->data, a->len);
	if (rc)
		return rc;
	v->data = a->data;
	v->len = a->len;
	v->present = 1;
	return CRL_OK;
}

static int walk_attrs(struct cur *c, const struct crl_schema *s,
		      struct crl_msg *msg)
{
	struct nla a;
	int rc, i;

	while (c->left > 0) {
		rc = next_attr(c, &a, &msg->attr_bad);
		if (rc)
			return rc;
		rc = accept_attr(s, msg, &a);
		if (rc)
			return rc;
	}
	for (i = 1; i < CRL_A_ATTR_MAX_; i++) {
		if (s->attr[i].required && !msg->attr[i].present) {
			msg->attr_bad = i;
			return CRL_E_ATTR_MISSING;
		}
	}
	msg->attr_bad = -1;
	return CRL_OK;
}

/* Header checks up to the length; fills the header fields of *msg. */
static int decode_header(struct cur *c, size_t len, struct crl_msg *msg)
{
	const uint8_t *h;
	uint16_t type;

	if (cur_take(c, CRL_HDR_LEN, &h))
		return CRL_E_SHORT_HEADER;
	type = get16(h + 6);
	msg->type = (uint16_t)(type & ~CRL_MSG_REPLY);
	msg->is_reply = (type & CRL_MSG_REPLY) != 0;
	msg->request_id = get32(h + 8);
	if (get32(h) != CRL_MAGIC)
		return CRL_E_BAD_MAGIC;
	if (get16(h + 4) != CRL_PROTO_VERSION)
		return CRL_E_BAD_VERSION;
	if (len > CRL_FRAME_MAX)
		return CRL_E_OVERSIZED;
	if (get32(h + 12) != c->left)
		return CRL_E_LENGTH_MISMATCH;
	return CRL_OK;
}

/* Does the payload hold a top-level CRL_A_ERRNO?  Only picks the schema of
 * a reply; a malformed payload is reported by the real walk. */
static int has_errno_attr(struct cur c)
{
	struct nla a;
	int seen;

	while (c.left > 0) {
		if (next_attr(&c, &a, &seen) != CRL_OK)
			return 0;
		if (a.type == CRL_A_ERRNO)
			return 1;
	}
	return 0;
}

const struct crl_schema *crl_schema_lookup(unsigned int type, int is_reply,
					   int is_error)
{
	const struct crl_schema *s;

	type &= ~CRL_MSG_REPLY;
	/* type 0: an error about a datagram whose type could not be read */
	if (type == 0)
		return is_reply && is_error ? &error_schema : NULL;
	if (type >= CRL_MSG_TYPE_MAX_)
		return NULL;
	/* a type number without a schema (reserved, not yet served) is as
	 * unknown as one past the end */
	if (!req_schemas[type].name)
		return NULL;
	if (!is_reply)
		return &req_schemas[type];
	s = &reply_schemas[type];
	return is_error ? &error_schema : (s->name ? s : NULL);
}

static const struct crl_schema *schema_for(const struct crl_msg *msg,
					   const struct cur *payload)
{
	int is_error = msg->is_reply && has_errno_attr(*payload);

	return crl_schema_lookup(msg->type, msg->is_reply, is_error);
}

/* Which direction a caller accepts. */
enum dir { DIR_ANY, DIR_REQUEST, DIR_REPLY };

/* schema == NULL: take the one of the frame's type.  A frame going the
 * wrong way has no schema on this side: unknown type. */
static int decode(const void *buf, size_t len, const struct crl_schema *schema,
		  enum dir dir, struct crl_msg *msg)
{
	struct cur c = { buf, len };
	int rc;

	rc = decode_header(&c, len, msg);
	if (rc)
		return rc;
	if ((dir == DIR_REQUEST && msg->is_reply) ||
	    (dir == DIR_REPLY && !msg->is_reply))
		return CRL_E_UNKNOWN_TYPE;
	if (!schema)
		schema = schema_for(msg, &c);
	if (!schema)
		return CRL_E_UNKNOWN_TYPE;
	if (c.left % 4)
		return CRL_E_MISALIGNED;
	return walk_attrs(&c, schema, msg);
}

static int decode_msg(const void *buf, size_t len,
		      const struct crl_schema *schema, enum dir dir,
		      struct crl_msg *msg)
{
	int rc;

	if (!msg)
		return CRL_E_INVALID;
	memset(msg, 0, sizeof(*msg));
	msg->attr_bad = -1;
	if (!buf && len > 0)
		return CRL_E_INVALID;
	rc = decode(buf, len, schema, dir, msg);
	if (rc) {
		/* Never leave half a message for a careless caller. */
		memset(msg->attr, 0, sizeof(msg->attr));
	}
	return rc;
}

int crl_decode_schema(const void *buf, size_t len,
		      const struct crl_schema *schema, struct crl_msg *msg)
{
	return decode_msg(buf, len, schema, DIR_ANY, msg);
}

int crl_decode(const void *buf, size_t len, struct crl_msg *msg)
{
	return decode_msg(buf, len, NULL, DIR_ANY, msg);
}

int crl_decode_request(const void *buf, size_t len, struct crl_msg *msg)
{
	return decode_msg(buf, len, NULL, DIR_REQUEST, msg);
}

int crl_decode_reply(const void *buf, size_t len, struct crl_msg *msg)
{
	return decode_msg(buf, len, NULL, DIR_REPLY, msg);
}

/* ------------------------------------------------------------ getters */

static const struct crl_attr_val *attr_of(const struct crl_msg *msg,
					  enum crl_attr_type a)
{
	if (!msg || a <= CRL_A_UNSPEC || a >= CRL_A_ATTR_MAX_ ||
	    !msg->attr[a].present)
		return NULL;
	return &msg->attr[a];
}

int crl_msg_has(const struct crl_msg *msg, enum crl_attr_type a)
{
	return attr_of(msg, a) != NULL;
}

int crl_msg_is_error(const struct crl_msg *msg)
{
	return msg && msg->is_reply && crl_msg_has(msg, CRL_A_ERRNO);
}

uint32_t crl_msg_u32(const struct crl_msg *msg, enum crl_attr_type a)
{
	const struct crl_attr_val *v = attr_of(msg, a);
	uint32_t x = 0;

	if (v && v->len == sizeof(x))
		memcpy(&x, v->data, sizeof(x));
	return x;
}

uint64_t crl_msg_u64(const struct crl_msg *msg, enum crl_attr_type a)
{
	const struct crl_attr_val *v = attr_of(msg, a);
	uint64_t x = 0;

	if (v && v->len == sizeof(x))
		memcpy(&x, v->data, sizeof(x));
	return x;
}

const char *crl_msg_str(const struct crl_msg *msg, enum crl_attr_type a)
{
	const struct crl_attr_val *v = attr_of(msg, a);
	const char *s;

	if (!v || v->len == 0)
		return NULL;
	s = v->data;
	if (s[v->len - 1] != '\0' || memchr(s, '\0', v->len - 1u))
		return NULL;
	return s;
}

const void *crl_msg_bytes(const struct crl_msg *msg, enum crl_attr_type a,
			  size_t *len)
{
	const struct crl_attr_val *v = attr_of(msg, a);

	if (len)
		*len = v ? v->len : 0;
	return v ? v->data : NULL;
}

/* The schema has checked the list already; the walk is bounded anyway so
 * that a getter called on the wrong attribute cannot misbehave. */
unsigned int crl_msg_list(const struct crl_msg *msg, enum crl_attr_type a,
			  struct crl_list *out)
{
	const struct crl_attr_val *v = attr_of(msg, a);
	struct cur c;
	struct nla item;
	int seen;

	if (!out)
		return 0;
	out->count = 0;
	if (!v)
		return 0;
	c.p = v->data;
	c.left = v->len;
	while (c.left > 0 && out->count < CRL_LIST_MAX) {
		if (next_attr(&c, &item, &seen) != CRL_OK ||
		    item.type != CRL_A_ITEM ||
		    check_string(item.data, item.len, CRL_STRING_MAX,
				 CRL_E_STR_TOO_LONG) != CRL_OK)
			break;
		out->item[out->count++] = (const char *)item.data;
	}
	return out->count;
}

int crl_entries_next(const struct crl_msg *msg, size_t *off,
		     struct crl_entry_hdr *hdr, const char **name)
{
	const struct crl_attr_val *v = attr_of(msg, CRL_A_ENTRIES);
	struct crl_entry_hdr h;
	struct cur c;
	struct nla item;
	int seen, rc;

	if (!msg || !off || !hdr || !name)
		return CRL_E_INVALID;
	memset(hdr, 0, sizeof(*hdr));
	*name = NULL;
	if (!v)
		return *off == 0 ? 0 : CRL_E_INVALID;
	if (*off >= v->len)
		return *off == v->len ? 0 : CRL_E_INVALID;
	c.p = (const uint8_t *)v->data + *off;
	c.left = v->len - *off;
	rc = next_attr(&c, &item, &seen);
	if (rc == CRL_OK && item.type != CRL_A_ENTRY)
		rc = CRL_E_ATTR_UNKNOWN;
	if (rc == CRL_OK)
		rc = check_entry(item.data, item.len, &h);
	if (rc)
		return rc;
	*hdr = h;
	*name = (const char *)item.data + CRL_ENTRY_HDR_LEN;
	*off = v->len - c.left;
	return 1;
}

/* ------------------------------------------------------------ encoding */

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static size_t enc_limit(const struct crl_enc *e)
{
	return e->cap < CRL_FRAME_MAX ? e->cap : CRL_FRAME_MAX;
}

void crl_enc_init(struct crl_enc *e, void *buf, size_t cap, uint16_t type,
		  uint32_t request_id)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->cap = cap < CRL_FRAME_MAX ? cap : CRL_FRAME_MAX;
	if (!buf) {
		e->err = CRL_E_INVALID;
		return;
	}
	if (e->cap < CRL_HDR_LEN) {
		e->err = CRL_E_NO_SPACE;
		return;
	}
	put32(e->buf, CRL_MAGIC);
	put16(e->buf + 4, CRL_PROTO_VERSION);
	put16(e->buf + 6, type);
	put32(e->buf + 8, request_id);
	put32(e->buf + 12, 0);
	e->len = CRL_HDR_LEN;
}

/* The attribute type an open list takes: its header is in the buffer. */
static enum crl_attr_type list_member(const struct crl_enc *e)
{
	uint16_t t;

	memcpy(&t, e->buf + e->list_start + 2, sizeof(t));
	return t == CRL_A_ENTRIES ? CRL_A_ENTRY : CRL_A_ITEM;
}

/*
 * Append an attribute header for n value bytes plus zeroed padding; return
 * where the value goes, or NULL (e->err set).  Inside an open list only its
 * member type is allowed (CRL_A_ENTRY in CRL_A_ENTRIES, CRL_A_ITEM in any
 * other).  The encoder checks framing only, not schemas, so
 * tests can build frames the decoder must refuse.  Since the frame is at
 * most CRL_FRAME_MAX and starts with a header, nla_len (and a list's) can
 * never exceed 0xffff.
 */
static uint8_t *enc_attr(struct crl_enc *e, enum crl_attr_type a, size_t n)
{
	size_t room, total;
	uint8_t *p;

	if (e->err)
		return NULL;
	if (a <= CRL_A_UNSPEC || a >= CRL_A_ATTR_MAX_ ||
	    (e->list_start && a != list_member(e))) {
		e->err = CRL_E_INVALID;
		return NULL;
	}
	room = enc_limit(e) - e->len;
	if (room < CRL_ATTR_HDR_LEN || n > room - CRL_ATTR_HDR_LEN ||
	    CRL_ALIGN(CRL_ATTR_HDR_LEN + n) > room) {
		e->err = CRL_E_NO_SPACE;
		return NULL;
	}
	total = CRL_ATTR_HDR_LEN + n;
	p = e->buf + e->len;
	put16(p, (uint16_t)total);
	put16(p + 2, (uint16_t)a);
	memset(p + total, 0, CRL_ALIGN(total) - total);
	e->len += CRL_ALIGN(total);
	return p + CRL_ATTR_HDR_LEN;
}

void crl_put_u32(struct crl_enc *e, enum crl_attr_type a, uint32_t v)
{
	crl_put_bytes(e, a, &v, sizeof(v));
}

void crl_put_u64(struct crl_enc *e, enum crl_attr_type a, uint64_t v)
{
	crl_put_bytes(e, a, &v, sizeof(v));
}

/* A string of n bytes (no NUL among them) plus its terminator. */
static void put_strn(struct crl_enc *e, enum crl_attr_type a, const char *s,
		     size_t n)
{
	uint8_t *p;

	if (n == SIZE_MAX) {
		e->err = e->err ? e->err : CRL_E_NO_SPACE;
		return;
	}
	p = enc_attr(e, a, n + 1);
	if (!p)
		return;
	memcpy(p, s, n);
	p[n] = '\0';
}

void crl_put_str(struct crl_enc *e, enum crl_attr_type a, const char *s)
{
	if (!s) {
		e->err = e->err ? e->err : CRL_E_INVALID;
		return;
	}
	put_strn(e, a, s, strlen(s));
}

void crl_put_bytes(struct crl_enc *e, enum crl_attr_type a, const void *p,
		   size_t n)
{
	uint8_t *dst;

	if (!p && n > 0) {
		e->err = e->err ? e->err : CRL_E_INVALID;
		return;
	}
	dst = enc_attr(e, a, n);
	if (dst && n > 0)
		memcpy(dst, p, n);
}

void crl_list_begin(struct crl_enc *e, enum crl_attr_type a)
{
	size_t start = e->len;

	if (e->err)
		return;
	if (e->list_start) {
		/* Lists do not nest. */
		e->err = CRL_E_INVALID;
		return;
	}
	if (enc_attr(e, a, 0))
		e->list_start = start;
}

/* Patch the list header: its value is every item appended since. */
void crl_list_end(struct crl_enc *e)
{
	size_t n;

	if (e->err)
		return;
	if (!e->list_start) {
		e->err = CRL_E_INVALID;
		return;
	}
	n = e->len - e->list_start;
	if (n > UINT16_MAX) {
		e->err = CRL_E_NO_SPACE;
		return;
	}
	put16(e->buf + e->list_start, (uint16_t)n);
	e->list_start = 0;
}

_Static_assert(sizeof(struct crl_entry_hdr) == CRL_ENTRY_HDR_LEN,
	       "struct crl_entry_hdr must have no padding");

void crl_put_entry(struct crl_enc *e, const struct crl_entry_hdr *hdr,
		   const char *name)
{
	size_t n;
	uint8_t *p;

	if (e->err)
		return;
	if (!hdr || !name || check_entry_fields(hdr) != CRL_OK) {
		e->err = CRL_E_INVALID;
		return;
	}
	n = strnlen(name, CRL_ENTRY_NAME_MAX + 1);
	if (check_entry_name(name, n) != CRL_OK) {
		e->err = CRL_E_INVALID;
		return;
	}
	p = enc_attr(e, CRL_A_ENTRY, CRL_ENTRY_HDR_LEN + n + 1);
	if (!p)
		return;
	memcpy(p, hdr, CRL_ENTRY_HDR_LEN);
	memcpy(p + CRL_ENTRY_HDR_LEN, name, n + 1);
}

size_t crl_enc_room(const struct crl_enc *e)
{
	if (!e || e->err)
		return 0;
	return enc_limit(e) - e->len;
}

ssize_t crl_enc_finish(struct crl_enc *e)
{
	if (!e->err && e->list_start)
		e->err = CRL_E_INVALID;
	if (e->err)
		return e->err;
	put32(e->buf + 12, (uint32_t)(e->len - CRL_HDR_LEN));
	return (ssize_t)e->len;
}

/* An over-long message is cut rather than lost: the errno matters more. */
ssize_t crl_enc_error(void *buf, size_t cap, uint16_t type,
		      uint32_t request_id, int err, const char *message)
{
	struct crl_enc e;

	if (err <= 0 || !message)
		return CRL_E_INVALID;
	crl_enc_init(&e, buf, cap, (uint16_t)(type | CRL_MSG_REPLY),
		     request_id);
	crl_put_u32(&e, CRL_A_ERRNO, (uint32_t)err);
	put_strn(&e, CRL_A_MESSAGE, message, strnlen(message, CRL_STRING_MAX));
	return crl_enc_finish(&e);
}

/* ------------------------------------------------------------ names */

static const struct {
	const char *text;
	int err;
} proto_errors[] = {
	[-CRL_OK] = { "success", 0 },
	[-CRL_E_SHORT_HEADER] = { "frame shorter than its header", EBADMSG },
	[-CRL_E_BAD_MAGIC] = { "bad magic number", EPROTO },
	[-CRL_E_BAD_VERSION] = { "unsupported frame version", EPROTO },
	[-CRL_E_LENGTH_MISMATCH] =
		{ "payload length does not match the datagram", EBADMSG },
	[-CRL_E_OVERSIZED] = { "frame larger than 64 KiB", EMSGSIZE },
	[-CRL_E_UNKNOWN_TYPE] = { "unknown message type", EOPNOTSUPP },
	[-CRL_E_MISALIGNED] = { "payload not a multiple of 4 bytes", EBADMSG },
	[-CRL_E_ATTR_TRUNCATED] = { "attribute overruns its container",
				    EBADMSG },
	[-CRL_E_ATTR_ZERO_LEN] = { "attribute length shorter than its header",
				   EBADMSG },
	[-CRL_E_ATTR_UNKNOWN] = { "attribute not allowed here", EBADMSG },
	[-CRL_E_ATTR_DUPLICATE] = { "duplicate attribute", EBADMSG },
	[-CRL_E_ATTR_MISSING] = { "required attribute missing", EBADMSG },
	[-CRL_E_ATTR_SIZE] = { "attribute value of the wrong size", EBADMSG },
	[-CRL_E_STR_UNTERMINATED] = { "string without terminating NUL",
				      EBADMSG },
	[-CRL_E_STR_EMBEDDED_NUL] = { "string with an embedded NUL", EBADMSG },
	[-CRL_E_STR_TOO_LONG] = { "string longer than 4096 bytes", E2BIG },
	[-CRL_E_PATH_TOO_LONG] = { "path longer than 4096 bytes",
				   ENAMETOOLONG },
	[-CRL_E_LIST_TOO_LONG] = { "list with more than 256 entries", E2BIG },
	[-CRL_E_BAD_PADDING] = { "non-zero padding byte", EBADMSG },
	[-CRL_E_NO_SPACE] = { "frame would exceed its size limit", EMSGSIZE },
	[-CRL_E_FDS] = { "unexpected ancillary data or file descriptors",
			 EPROTO },
	[-CRL_E_TRUNCATED] = { "datagram truncated: larger than 64 KiB",
			       EMSGSIZE },
	[-CRL_E_INVALID] = { "invalid argument to the encoder", EINVAL },
	[-CRL_E_IO] = { "socket error", EIO },
	[-CRL_E_ENTRY_NAME] = { "list entry name empty, '.', '..' or with '/'",
				EBADMSG },
	[-CRL_E_ENTRY_NAME_TOO_LONG] = { "list entry name longer than 255 bytes",
					 ENAMETOOLONG },
	[-CRL_E_ENTRY_FIELD] = { "list entry of unknown type or mode",
				 EBADMSG },
};

#define N_PROTO_ERRORS (sizeof(proto_errors) / sizeof(proto_errors[0]))

const char *crl_proto_strerror(int code)
{
	if (code > 0 || code <= -(int)N_PROTO_ERRORS)
		return "unknown protocol error";
	return proto_errors[-code].text;
}

int crl_proto_errno(int code)
{
	if (code > 0 || code <= -(int)N_PROTO_ERRORS)
		return EPROTO;
	return proto_errors[-code].err;
}

/* The reply bit is ignored: a reply bears its request's name. */
const char *crl_msg_name(unsigned int type)
{
	type &= ~CRL_MSG_REPLY;
	if (type == 0 || type >= CRL_MSG_TYPE_MAX_)
		return NULL;
	return req_schemas[type].name;
}
