/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/proto.c and common/wire.c.
 *
 * Every way a frame can be wrong has a test that asserts its own error
 * code; every message type round-trips through the encoder; random
 * mutations of valid frames never crash the decoder nor decode into
 * something outside the limits; and the socket layer is exercised over a
 * real SOCK_SEQPACKET socketpair, fd leaks included.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/proto.h"
#include "tests/unit/proto_reencode.h"

#define BUF_CAP (CRL_FRAME_MAX + 256)

static uint8_t fb[BUF_CAP];     /* the frame under test */
static uint8_t rb[BUF_CAP];     /* scratch: re-encodings, received frames */
static struct crl_msg m;

/* Decodes with extra schemas: paths, lists, u64 (no real message has them
 * yet).  0x0100 is a type crl_decode() does not know. */
#define TEST_TYPE 0x0100
static const struct crl_schema test_schema = { "test", {
	[CRL_A_PATH] = { CRL_K_PATH, 1 },
	[CRL_A_PATH2] = { CRL_K_PATH, 0 },
	[CRL_A_ARGV] = { CRL_K_LIST, 0 },
	[CRL_A_ENV] = { CRL_K_LIST, 0 },
	[CRL_A_PROJECT] = { CRL_K_STRING, 0 },
	[CRL_A_DATA] = { CRL_K_U64, 0 },
	[CRL_A_DIGEST] = { CRL_K_DIGEST, 0 },
} };

/* ------------------------------------------------------------ helpers */

static void set16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void set32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Make payload_len agree with a datagram of len bytes. */
static void fix_len(uint8_t *b, size_t len)
{
	set32(b + 12, (uint32_t)(len - CRL_HDR_LEN));
}

static size_t raw_hdr(uint8_t *b, uint16_t type, uint32_t id)
{
	set32(b, CRL_MAGIC);
	set16(b + 4, CRL_PROTO_VERSION);
	set16(b + 6, type);
	set32(b + 8, id);
	set32(b + 12, 0);
	return CRL_HDR_LEN;
}

/* Append an attribute with nla_len as given (it may lie), dlen value bytes
 * and zero padding; fix the header's payload_len.  Returns the new length. */
static size_t raw_attr(uint8_t *b, size_t len, uint16_t nla_len,
		       uint16_t type, const void *data, size_t dlen)
{
	size_t total = CRL_ATTR_HDR_LEN + dlen;

	set16(b + len, nla_len);
	set16(b + len + 2, type);
	if (dlen)
		memcpy(b + len + CRL_ATTR_HDR_LEN, data, dlen);
	memset(b + len + total, 0, CRL_ALIGN(total) - total);
	len += CRL_ALIGN(total);
	fix_len(b, len);
	return len;
}

static size_t add_attr(uint8_t *b, size_t len, uint16_t type,
		       const void *data, size_t dlen)
{
	return raw_attr(b, len, (uint16_t)(CRL_ATTR_HDR_LEN + dlen), type,
			data, dlen);
}

static size_t add_u32(uint8_t *b, size_t len, uint16_t type, uint32_t v)
{
	return add_attr(b, len, type, &v, sizeof(v));
}

static size_t add_str(uint8_t *b, size_t len, uint16_t type, const char *s)
{
	return add_attr(b, len, type, s, strlen(s) + 1);
}

/* HELLO [1,1]: VERSION_MIN at 16, VERSION_MAX at 24, CLIENT at 32. */
static size_t hello(uint8_t *b, const char *client)
{
	size_t len = raw_hdr(b, CRL_MSG_HELLO, 77);

	len = add_u32(b, len, CRL_A_VERSION_MIN, 1);
	len = add_u32(b, len, CRL_A_VERSION_MAX, 1);
	if (client)
		len = add_str(b, len, CRL_A_CLIENT, client);
	return len;
}

/* A frame of the test schema carrying PATH "a/b". */
static size_t test_frame(uint8_t *b)
{
	return add_str(b, raw_hdr(b, TEST_TYPE, 5), CRL_A_PATH, "a/b");
}

/* A list attribute of n items, each the string item. */
static size_t add_list(uint8_t *b, size_t len, uint16_t type, unsigned int n,
		       const char *item)
{
	size_t start = len, i;

	len += CRL_ATTR_HDR_LEN;
	for (i = 0; i < n; i++)
		len = add_str(b, len, CRL_A_ITEM, item);
	set16(b + start, (uint16_t)(len - start));
	set16(b + start + 2, type);
	fix_len(b, len);
	return len;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

#define expect(b, len, code) expect_at(__LINE__, (b), (len), (code), NULL)
#define expect_s(b, len, code) \
	expect_at(__LINE__, (b), (len), (code), &test_schema)

static void expect_at(int line, const uint8_t *b, size_t len, int code,
		      const struct crl_schema *s)
{
	int rc = s ? crl_decode_schema(b, len, s, &m) : crl_decode(b, len, &m);

	ck_assert_msg(rc == code, "line %d: got %d (%s), want %d (%s)", line,
		      rc, crl_proto_strerror(rc), code,
		      crl_proto_strerror(code));
}

/* ------------------------------------------------------------ header */

START_TEST(test_short_header)
{
	size_t n, len = hello(fb, "x");
	struct crl_msg *none = NULL;

	ck_assert_uint_gt(len, CRL_HDR_LEN);
	for (n = 0; n < CRL_HDR_LEN; n++)
		expect(fb, n, CRL_E_SHORT_HEADER);
	ck_assert_int_eq(crl_decode(NULL, 0, &m), CRL_E_SHORT_HEADER);
	ck_assert_int_eq(m.attr_bad, -1);
	ck_assert_int_eq(crl_decode(NULL, 20, &m), CRL_E_INVALID);
	ck_assert_int_eq(crl_decode(fb, len, none), CRL_E_INVALID);
}
END_TEST

START_TEST(test_bad_magic)
{
	size_t i, len;

	for (i = 0; i < 4; i++) {
		len = hello(fb, NULL);
		fb[i] ^= 0xff;
		expect(fb, len, CRL_E_BAD_MAGIC);
		/* The header was read: the request id is there for a reply. */
		ck_assert_uint_eq(m.request_id, 77);
	}
	len = hello(fb, NULL);
	set32(fb, __builtin_bswap32(CRL_MAGIC));    /* other byte order */
	expect(fb, len, CRL_E_BAD_MAGIC);
	set16(fb + 4, 99);  /* magic is checked first */
	expect(fb, len, CRL_E_BAD_MAGIC);
}
END_TEST

START_TEST(test_bad_version)
{
	static const uint16_t bad[] = { 0, 2, 0x0100, 0x8001, 0xffff };
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = hello(fb, NULL);
		set16(fb + 4, bad[i]);
		expect(fb, len, CRL_E_BAD_VERSION);
	}
}
END_TEST

START_TEST(test_length_mismatch)
{
	static const uint32_t lie[] = { 0, 4, 20, 23, 25, 28, 0x10000,
					0xfffffff0, 0xffffffff };
	size_t i, len = hello(fb, NULL);

	ck_assert_uint_eq(get32(fb + 12), 16);
	for (i = 0; i < sizeof(lie) / sizeof(lie[0]); i++) {
		set32(fb + 12, lie[i]);
		expect(fb, len, CRL_E_LENGTH_MISMATCH);
	}
	fix_len(fb, len);
	/* Datagram shorter, then longer, than the header says. */
	expect(fb, len - 4, CRL_E_LENGTH_MISMATCH);
	memset(fb + len, 0, 4);
	expect(fb, len + 4, CRL_E_LENGTH_MISMATCH);
	expect(fb, len, CRL_OK);
}
END_TEST

START_TEST(test_oversized)
{
	size_t len = raw_hdr(fb, CRL_MSG_PING, 1);
	size_t dlen = CRL_FRAME_MAX - CRL_HDR_LEN - CRL_ATTR_HDR_LEN;

	memset(rb, 'x', dlen);
	/* Exactly CRL_FRAME_MAX is fine... */
	len = add_attr(fb, len, CRL_A_DATA, rb, dlen);
	ck_assert_uint_eq(len, CRL_FRAME_MAX);
	expect(fb, len, CRL_OK);
	/* ...one attribute more is not, whatever payload_len says. */
	len = add_attr(fb, len, CRL_A_DATA, "", 0);
	expect(fb, len, CRL_E_OVERSIZED);
	expect(fb, CRL_FRAME_MAX + 1, CRL_E_OVERSIZED);
	set32(fb + 12, 0);
	expect(fb, CRL_FRAME_MAX + 1, CRL_E_OVERSIZED);
}
END_TEST

START_TEST(test_unknown_type)
{
	static const uint16_t bad[] = { 0, CRL_MSG_TYPE_MAX_,
					0x00ff, 0x7fff, 0x8000,
					0x8000 | CRL_MSG_TYPE_MAX_,
					0x4001, 0x4000 | CRL_MSG_FS_LIST,
					0xffff };
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = raw_hdr(fb, bad[i], 3);
		expect(fb, len, CRL_E_UNKNOWN_TYPE);
		ck_assert_uint_eq(m.request_id, 3);
	}
	/* Checked before the payload's alignment. */
	len = raw_hdr(fb, CRL_MSG_TYPE_MAX_, 3);
	memset(fb + len, 0, 2);
	fix_len(fb, len + 2);
	expect(fb, len + 2, CRL_E_UNKNOWN_TYPE);
}
END_TEST

START_TEST(test_misaligned)
{
	size_t n, len;

	for (n = 1; n < 8; n++) {
		if (n == 4)
			continue;
		len = raw_hdr(fb, CRL_MSG_PING, 1);
		memset(fb + len, 0, n);
		fix_len(fb, len + n);
		expect(fb, len + n, CRL_E_MISALIGNED);
	}
	/* Trailing bytes after a valid attribute. */
	for (n = 1; n < 4; n++) {
		len = hello(fb, "abc");
		memset(fb + len, 0, n);
		fix_len(fb, len + n);
		expect(fb, len + n, CRL_E_MISALIGNED);
	}
}
END_TEST

/* ------------------------------------------------------------ attributes */

START_TEST(test_attr_data_overrun)
{
	static const uint16_t lie[] = { 13, 16, 17, 100, 0xffff };
	size_t i, len;

	for (i = 0; i < sizeof(lie) / sizeof(lie[0]); i++) {
		len = hello(fb, "test");        /* CLIENT at 32, 12 bytes */
		set16(fb + 32, lie[i]);
		expect(fb, len, CRL_E_ATTR_TRUNCATED);
		ck_assert_int_eq(m.attr_bad, CRL_A_CLIENT);
	}
}
END_TEST

/* At top level a header cannot overrun: the payload is a multiple of 4 and
 * so is every padded attribute.  Inside a list it can. */
START_TEST(test_attr_header_overrun)
{
	uint8_t v[10] = { 0 };
	size_t len;

	/* One item "a" (6 bytes + 2 padding), then 2 stray bytes. */
	set16(v, 6);
	set16(v + 2, CRL_A_ITEM);
	v[4] = 'a';
	v[8] = 1;
	v[9] = 2;
	len = raw_attr(fb, test_frame(fb), 4 + 10, CRL_A_ARGV, v, 10);
	expect_s(fb, len, CRL_E_ATTR_TRUNCATED);
	ck_assert_int_eq(m.attr_bad, CRL_A_ARGV);

	/* A list value of 2 bytes: not even one item header. */
	len = raw_attr(fb, test_frame(fb), 6, CRL_A_ENV, "ab", 2);
	expect_s(fb, len, CRL_E_ATTR_TRUNCATED);
	ck_assert_int_eq(m.attr_bad, CRL_A_ENV);
}
END_TEST

/* An item whose padding lies outside the list value is truncated too. */
START_TEST(test_list_item_padding_overrun)
{
	size_t len = test_frame(fb), start = len;

	len = add_list(fb, len, CRL_A_ARGV, 1, "a");    /* item: 6 + 2 pad */
	set16(fb + start, 4 + 6);
	expect_s(fb, len, CRL_E_ATTR_TRUNCATED);
}
END_TEST

START_TEST(test_attr_zero_len)
{
	uint16_t n;
	size_t len;

	for (n = 0; n < CRL_ATTR_HDR_LEN; n++) {
		len = raw_attr(fb, hello(fb, NULL), n, CRL_A_CLIENT, NULL, 0);
		expect(fb, len, CRL_E_ATTR_ZERO_LEN);
		ck_assert_int_eq(m.attr_bad, CRL_A_CLIENT);
		/* Same inside a list. */
		len = raw_attr(fb, test_frame(fb), 8, CRL_A_ARGV, "abcd", 4);
		set16(fb + len - 4, n);
		set16(fb + len - 2, CRL_A_ITEM);
		expect_s(fb, len, CRL_E_ATTR_ZERO_LEN);
		ck_assert_int_eq(m.attr_bad, CRL_A_ARGV);
	}
}
END_TEST

static void expect_unknown_attr(uint16_t msg_type, uint16_t attr)
{
	size_t len = raw_hdr(fb, msg_type, 1);

	if (msg_type == CRL_MSG_HELLO)
		len = hello(fb, NULL);
	len = add_str(fb, len, attr, "zz");
	expect(fb, len, CRL_E_ATTR_UNKNOWN);
	ck_assert_int_eq(m.attr_bad, attr);
}

START_TEST(test_attr_unknown)
{
	uint16_t reply = CRL_MSG_REPLY;

	expect_unknown_attr(CRL_MSG_HELLO, CRL_A_PROJECT);
	expect_unknown_attr(CRL_MSG_HELLO, CRL_A_UNSPEC);
	expect_unknown_attr(CRL_MSG_HELLO, CRL_A_ATTR_MAX_);
	expect_unknown_attr(CRL_MSG_HELLO, 0x3fff);
	expect_unknown_attr(CRL_MSG_HELLO, CRL_A_ITEM);  /* only in lists */
	expect_unknown_attr(CRL_MSG_HELLO, CRL_A_SERVER); /* reply only */
	expect_unknown_attr(CRL_MSG_PING, CRL_A_DIGEST);
	expect_unknown_attr(CRL_MSG_PING, CRL_A_MESSAGE);
	expect_unknown_attr(CRL_MSG_POLICY_DIGEST, CRL_A_DIGEST_ALG);
	expect_unknown_attr(CRL_MSG_POLICY_DIGEST, CRL_A_DATA);
	expect_unknown_attr(reply | CRL_MSG_HELLO, CRL_A_CLIENT);
	expect_unknown_attr(reply | CRL_MSG_PING, CRL_A_PATH);
}
END_TEST

/* The netlink flag bits are not masked off: the whole type must match. */
START_TEST(test_attr_flag_bits)
{
	static const uint16_t flags[] = { 0x8000, 0x4000, 0xc000 };
	size_t i, len;

	for (i = 0; i < 3; i++) {
		len = hello(fb, NULL);
		set16(fb + 18, (uint16_t)(CRL_A_VERSION_MIN | flags[i]));
		expect(fb, len, CRL_E_ATTR_UNKNOWN);
		ck_assert_int_eq(m.attr_bad, CRL_A_VERSION_MIN | flags[i]);
		/* Nested items too. */
		len = add_list(fb, test_frame(fb), CRL_A_ARGV, 1, "a");
		set16(fb + len - 6, (uint16_t)(CRL_A_ITEM | flags[i]));
		expect_s(fb, len, CRL_E_ATTR_UNKNOWN);
		/* And the list attribute itself. */
		len = add_list(fb, test_frame(fb), CRL_A_ARGV, 1, "a");
		set16(fb + len - 10, (uint16_t)(CRL_A_ARGV | flags[i]));
		expect_s(fb, len, CRL_E_ATTR_UNKNOWN);
	}
}
END_TEST

START_TEST(test_attr_duplicate)
{
	size_t len = add_u32(fb, hello(fb, NULL), CRL_A_VERSION_MIN, 1);

	expect(fb, len, CRL_E_ATTR_DUPLICATE);
	ck_assert_int_eq(m.attr_bad, CRL_A_VERSION_MIN);
	len = add_str(fb, hello(fb, "a"), CRL_A_CLIENT, "a");
	expect(fb, len, CRL_E_ATTR_DUPLICATE);
	len = raw_hdr(fb, CRL_MSG_PING, 1);
	len = add_attr(fb, len, CRL_A_DATA, "", 0);
	len = add_attr(fb, len, CRL_A_DATA, "", 0);
	expect(fb, len, CRL_E_ATTR_DUPLICATE);
	len = crl_enc_error(fb, BUF_CAP, CRL_MSG_PING, 1, EIO, "x");
	len = add_str(fb, len, CRL_A_MESSAGE, "y");
	expect(fb, len, CRL_E_ATTR_DUPLICATE);
	ck_assert_int_eq(m.attr_bad, CRL_A_MESSAGE);
	len = add_list(fb, test_frame(fb), CRL_A_ENV, 1, "a");
	len = add_list(fb, len, CRL_A_ENV, 1, "a");
	expect_s(fb, len, CRL_E_ATTR_DUPLICATE);
}
END_TEST

START_TEST(test_attr_missing)
{
	uint8_t digest[32] = { 0 };
	uint16_t reply = CRL_MSG_REPLY;
	size_t len = raw_hdr(fb, CRL_MSG_HELLO, 1);

	expect(fb, len, CRL_E_ATTR_MISSING);
	ck_assert_int_eq(m.attr_bad, CRL_A_VERSION_MIN);
	len = add_u32(fb, len, CRL_A_VERSION_MIN, 1);
	expect(fb, len, CRL_E_ATTR_MISSING);
	ck_assert_int_eq(m.attr_bad, CRL_A_VERSION_MAX);
	len = raw_hdr(fb, reply | CRL_MSG_HELLO, 1);
	expect(fb, len, CRL_E_ATTR_MISSING);
	ck_assert_int_eq(m.attr_bad, CRL_A_VERSION);
	len = raw_hdr(fb, reply | CRL_MSG_POLICY_DIGEST, 1);
	len = add_attr(fb, len, CRL_A_DIGEST, digest, sizeof(digest));
	expect(fb, len, CRL_E_ATTR_MISSING);
	ck_assert_int_eq(m.attr_bad, CRL_A_DIGEST_ALG);
	len = add_u32(fb, raw_hdr(fb, reply | CRL_MSG_PING, 1), CRL_A_ERRNO, 5);
	expect(fb, len, CRL_E_ATTR_MISSING);
	ck_assert_int_eq(m.attr_bad, CRL_A_MESSAGE);
	expect_s(fb, raw_hdr(fb, TEST_TYPE, 1), CRL_E_ATTR_MISSING);
	ck_assert_int_eq(m.attr_bad, CRL_A_PATH);
}
END_TEST

START_TEST(test_attr_size)
{
	static const uint8_t zero[40];
	static const size_t u32_bad[] = { 0, 1, 2, 3, 5, 8 };
	static const size_t digest_bad[] = { 0, 4, 31, 33, 36 };
	size_t i, len;

	for (i = 0; i < sizeof(u32_bad) / sizeof(u32_bad[0]); i++) {
		len = raw_hdr(fb, CRL_MSG_HELLO, 1);
		len = add_attr(fb, len, CRL_A_VERSION_MIN, zero, u32_bad[i]);
		expect(fb, len, CRL_E_ATTR_SIZE);
		ck_assert_int_eq(m.attr_bad, CRL_A_VERSION_MIN);
	}
	for (i = 0; i < sizeof(digest_bad) / sizeof(digest_bad[0]); i++) {
		len = raw_hdr(fb, CRL_MSG_REPLY | CRL_MSG_POLICY_DIGEST, 1);
		len = add_attr(fb, len, CRL_A_DIGEST, zero, digest_bad[i]);
		expect(fb, len, CRL_E_ATTR_SIZE);
	}
	/* u64: exactly 8. */
	len = add_attr(fb, test_frame(fb), CRL_A_DATA, zero, 4);
	expect_s(fb, len, CRL_E_ATTR_SIZE);
	len = add_attr(fb, test_frame(fb), CRL_A_DATA, zero, 16);
	expect_s(fb, len, CRL_E_ATTR_SIZE);
	len = add_attr(fb, test_frame(fb), CRL_A_DATA, zero, 8);
	expect_s(fb, len, CRL_OK);
	/* errno in an error reply. */
	len = raw_hdr(fb, CRL_MSG_REPLY | CRL_MSG_PING, 1);
	len = add_attr(fb, len, CRL_A_ERRNO, zero, 8);
	len = add_str(fb, len, CRL_A_MESSAGE, "m");
	expect(fb, len, CRL_E_ATTR_SIZE);
}
END_TEST

/* ------------------------------------------------------------ strings */

START_TEST(test_str_unterminated)
{
	size_t len = add_attr(fb, hello(fb, NULL), CRL_A_CLIENT, "abc", 3);

	expect(fb, len, CRL_E_STR_UNTERMINATED);
	ck_assert_int_eq(m.attr_bad, CRL_A_CLIENT);
	len = add_attr(fb, hello(fb, NULL), CRL_A_CLIENT, "abcd", 4);
	expect(fb, len, CRL_E_STR_UNTERMINATED);
	len = add_attr(fb, hello(fb, NULL), CRL_A_CLIENT, "", 0);
	expect(fb, len, CRL_E_STR_UNTERMINATED);
	len = add_attr(fb, test_frame(fb), CRL_A_PATH2, "a/b", 3);
	expect_s(fb, len, CRL_E_STR_UNTERMINATED);
}
END_TEST

START_TEST(test_str_embedded_nul)
{
	size_t len = add_attr(fb, hello(fb, NULL), CRL_A_CLIENT, "a\0b", 4);

	expect(fb, len, CRL_E_STR_EMBEDDED_NUL);
	ck_assert_int_eq(m.attr_bad, CRL_A_CLIENT);
	len = add_attr(fb, hello(fb, NULL), CRL_A_CLIENT, "\0", 2);
	expect(fb, len, CRL_E_STR_EMBEDDED_NUL);
	len = add_attr(fb, hello(fb, NULL), CRL_A_CLIENT, "abc\0", 5);
	expect(fb, len, CRL_E_STR_EMBEDDED_NUL);
	len = add_attr(fb, test_frame(fb), CRL_A_PATH2, "a\0/b", 5);
	expect_s(fb, len, CRL_E_STR_EMBEDDED_NUL);
}
END_TEST

/* "" (a lone NUL) is a valid string. */
START_TEST(test_str_empty_ok)
{
	size_t len = hello(fb, "");

	expect(fb, len, CRL_OK);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_CLIENT), "");
}
END_TEST

START_TEST(test_str_too_long)
{
	char *s = repeat('s', CRL_STRING_MAX + 1);
	size_t len;

	len = add_str(fb, hello(fb, NULL), CRL_A_CLIENT, s);
	expect(fb, len, CRL_E_STR_TOO_LONG);
	ck_assert_int_eq(m.attr_bad, CRL_A_CLIENT);
	s[CRL_STRING_MAX] = '\0';
	len = add_str(fb, hello(fb, NULL), CRL_A_CLIENT, s);
	expect(fb, len, CRL_OK);
	ck_assert_uint_eq(strlen(crl_msg_str(&m, CRL_A_CLIENT)),
			  CRL_STRING_MAX);
	free(s);
}
END_TEST

START_TEST(test_path_too_long)
{
	char *s = repeat('p', CRL_PATH_MAX + 1);
	size_t len;

	len = add_str(fb, raw_hdr(fb, TEST_TYPE, 1), CRL_A_PATH, s);
	expect_s(fb, len, CRL_E_PATH_TOO_LONG);
	ck_assert_int_eq(m.attr_bad, CRL_A_PATH);
	len = add_str(fb, test_frame(fb), CRL_A_PATH2, s);
	expect_s(fb, len, CRL_E_PATH_TOO_LONG);
	ck_assert_int_eq(m.attr_bad, CRL_A_PATH2);
	s[CRL_PATH_MAX] = '\0';
	len = add_str(fb, raw_hdr(fb, TEST_TYPE, 1), CRL_A_PATH, s);
	expect_s(fb, len, CRL_OK);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_PATH), s);
	free(s);
}
END_TEST

/* ------------------------------------------------------------ lists */

START_TEST(test_list_limits)
{
	struct crl_list *l = malloc(sizeof(*l));
	unsigned int i;
	size_t len;

	ck_assert_ptr_nonnull(l);
	len = add_list(fb, test_frame(fb), CRL_A_ARGV, CRL_LIST_MAX, "arg");
	expect_s(fb, len, CRL_OK);
	ck_assert_uint_eq(crl_msg_list(&m, CRL_A_ARGV, l), CRL_LIST_MAX);
	for (i = 0; i < l->count; i++)
		ck_assert_str_eq(l->item[i], "arg");
	len = add_list(fb, test_frame(fb), CRL_A_ARGV, CRL_LIST_MAX + 1, "a");
	expect_s(fb, len, CRL_E_LIST_TOO_LONG);
	ck_assert_int_eq(m.attr_bad, CRL_A_ARGV);
	len = add_list(fb, test_frame(fb), CRL_A_ENV, CRL_LIST_MAX + 1, "");
	expect_s(fb, len, CRL_E_LIST_TOO_LONG);
	ck_assert_int_eq(m.attr_bad, CRL_A_ENV);
	/* Empty list, and absent list. */
	len = add_list(fb, test_frame(fb), CRL_A_ENV, 0, "");
	expect_s(fb, len, CRL_OK);
	ck_assert(crl_msg_has(&m, CRL_A_ENV));
	ck_assert_uint_eq(crl_msg_list(&m, CRL_A_ENV, l), 0);
	ck_assert_uint_eq(crl_msg_list(&m, CRL_A_ARGV, l), 0);
	free(l);
}
END_TEST

START_TEST(test_list_items)
{
	char *s = repeat('i', CRL_STRING_MAX + 1);
	size_t len;

	len = add_list(fb, test_frame(fb), CRL_A_ARGV, 1, s);
	expect_s(fb, len, CRL_E_STR_TOO_LONG);
	ck_assert_int_eq(m.attr_bad, CRL_A_ARGV);
	s[CRL_STRING_MAX] = '\0';
	len = add_list(fb, test_frame(fb), CRL_A_ARGV, 1, s);
	expect_s(fb, len, CRL_OK);
	free(s);

	/* Only ITEM inside a list. */
	len = add_list(fb, test_frame(fb), CRL_A_ARGV, 2, "a");
	set16(fb + len - 6, CRL_A_PATH);
	expect_s(fb, len, CRL_E_ATTR_UNKNOWN);
	ck_assert_int_eq(m.attr_bad, CRL_A_ARGV);
	/* Item strings are checked like any string. */
	len = add_list(fb, test_frame(fb), CRL_A_ARGV, 2, "abc");
	fb[len - 1] = 'x';
	expect_s(fb, len, CRL_E_STR_UNTERMINATED);
	len = add_list(fb, test_frame(fb), CRL_A_ARGV, 2, "abc");
	fb[len - 3] = '\0';
	expect_s(fb, len, CRL_E_STR_EMBEDDED_NUL);
	len = add_list(fb, test_frame(fb), CRL_A_ARGV, 2, "ab");
	fb[len - 1] = 1;
	expect_s(fb, len, CRL_E_BAD_PADDING);
	ck_assert_int_eq(m.attr_bad, CRL_A_ARGV);
	/* A list is not a string: a bare string value is a broken item. */
	len = add_str(fb, test_frame(fb), CRL_A_ARGV, "abcdefg");
	expect_s(fb, len, CRL_E_ATTR_TRUNCATED);
}
END_TEST

/* ------------------------------------------------------------ layout */

START_TEST(test_bad_padding)
{
	size_t len, pos;

	len = hello(fb, "ab");      /* CLIENT nla_len 7: one pad byte, 39 */
	fb[39] = 1;
	expect(fb, len, CRL_E_BAD_PADDING);
	ck_assert_int_eq(m.attr_bad, CRL_A_CLIENT);
	for (pos = 38; pos < 40; pos++) {
		len = hello(fb, "a");   /* nla_len 6: pad at 38, 39 */
		fb[pos] = 0x80;
		expect(fb, len, CRL_E_BAD_PADDING);
	}
	/* Padding after an opaque value is checked too. */
	len = add_attr(fb, raw_hdr(fb, CRL_MSG_PING, 1), CRL_A_DATA, "x", 1);
	fb[len - 1] = 0xff;
	expect(fb, len, CRL_E_BAD_PADDING);
}
END_TEST

/* Nothing may follow the last attribute: extra bytes are read as another
 * attribute and fail as one, or fail the length check. */
START_TEST(test_trailing_bytes)
{
	size_t len = hello(fb, "abc");

	memset(fb + len, 0, 4);
	expect(fb, len + 4, CRL_E_LENGTH_MISMATCH);
	fix_len(fb, len + 4);
	expect(fb, len + 4, CRL_E_ATTR_ZERO_LEN);
	set16(fb + len, 4);
	expect(fb, len + 4, CRL_E_ATTR_UNKNOWN);
	set16(fb + len, 8);
	set16(fb + len + 2, CRL_A_VERSION);
	expect(fb, len + 4, CRL_E_ATTR_TRUNCATED);
	memset(fb + len, 0xff, 4);
	expect(fb, len + 4, CRL_E_ATTR_TRUNCATED);
}
END_TEST

/* ------------------------------------------------------------ round trips */

static void decode_ok(int (*fn)(const void *, size_t, struct crl_msg *),
		      const void *b, ssize_t len)
{
	int rc;

	ck_assert_int_gt(len, 0);
	rc = fn(b, (size_t)len, &m);
	ck_assert_msg(rc == CRL_OK, "decode: %s", crl_proto_strerror(rc));
}

/* Decode m's frame again through the re-encoder: same length, same values. */
static void reencode_same(const void *b, size_t len)
{
	static struct crl_msg m2;
	const struct crl_schema *s;
	ssize_t n;

	s = crl_schema_lookup(m.type, m.is_reply, crl_msg_is_error(&m));
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(crl_t_msg_ok(&m, s, b, len), 0);
	n = crl_t_reencode(&m, s, rb, sizeof(rb));
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert_int_eq(crl_decode(rb, (size_t)n, &m2), CRL_OK);
	ck_assert_int_eq(crl_t_msg_equal(&m, &m2), 0);
}

START_TEST(test_roundtrip_hello)
{
	struct crl_enc e;
	ssize_t len;

	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_HELLO, 0xdeadbeef);
	crl_put_u32(&e, CRL_A_VERSION_MIN, 1);
	crl_put_u32(&e, CRL_A_VERSION_MAX, 3);
	crl_put_str(&e, CRL_A_CLIENT, "corralctl 0.1.0");
	len = crl_enc_finish(&e);
	decode_ok(crl_decode_request, fb, len);
	ck_assert_uint_eq(m.type, CRL_MSG_HELLO);
	ck_assert_uint_eq(m.is_reply, 0);
	ck_assert_uint_eq(m.request_id, 0xdeadbeef);
	ck_assert_uint_eq(crl_msg_u32(&m, CRL_A_VERSION_MIN), 1);
	ck_assert_uint_eq(crl_msg_u32(&m, CRL_A_VERSION_MAX), 3);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_CLIENT), "corralctl 0.1.0");
	ck_assert(!crl_msg_is_error(&m));
	reencode_same(fb, (size_t)len);
	/* A request is not a reply. */
	ck_assert_int_eq(crl_decode_reply(fb, (size_t)len, &m),
			 CRL_E_UNKNOWN_TYPE);
	ck_assert(!crl_msg_has(&m, CRL_A_VERSION_MIN));

	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_HELLO | CRL_MSG_REPLY, 0xdeadbeef);
	crl_put_u32(&e, CRL_A_VERSION, 1);
	crl_put_str(&e, CRL_A_SERVER, "corral-helper 0.1.0");
	len = crl_enc_finish(&e);
	decode_ok(crl_decode_reply, fb, len);
	ck_assert_uint_eq(m.is_reply, 1);
	ck_assert_uint_eq(crl_msg_u32(&m, CRL_A_VERSION), 1);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_SERVER), "corral-helper 0.1.0");
	reencode_same(fb, (size_t)len);
	ck_assert_int_eq(crl_decode_request(fb, (size_t)len, &m),
			 CRL_E_UNKNOWN_TYPE);
	/* The direction is checked before the attributes. */
	set16(fb + 18, CRL_A_CLIENT);
	ck_assert_int_eq(crl_decode(fb, (size_t)len, &m), CRL_E_ATTR_UNKNOWN);
	ck_assert_int_eq(crl_decode_request(fb, (size_t)len, &m),
			 CRL_E_UNKNOWN_TYPE);
	ck_assert_int_eq(m.request_id, 0xdeadbeef);
}
END_TEST

static void ping_roundtrip(uint16_t type, size_t n)
{
	static uint8_t data[CRL_PAYLOAD_MAX];
	struct crl_enc e;
	const void *p;
	size_t i, got;
	ssize_t len;

	for (i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 31);
	crl_enc_init(&e, fb, BUF_CAP, type, (uint32_t)n);
	crl_put_bytes(&e, CRL_A_DATA, data, n);
	len = crl_enc_finish(&e);
	ck_assert_int_eq(len, CRL_HDR_LEN + CRL_ALIGN(CRL_ATTR_HDR_LEN + n));
	decode_ok(crl_decode, fb, len);
	p = crl_msg_bytes(&m, CRL_A_DATA, &got);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(got, n);
	ck_assert(n == 0 || memcmp(p, data, n) == 0);
	reencode_same(fb, (size_t)len);
}

START_TEST(test_roundtrip_ping)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 1000,
					CRL_PAYLOAD_MAX - CRL_ATTR_HDR_LEN };
	struct crl_enc e;
	ssize_t len;
	size_t i, n;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ping_roundtrip(CRL_MSG_PING, sizes[i]);
		ping_roundtrip(CRL_MSG_PING | CRL_MSG_REPLY, sizes[i]);
	}
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 9);
	len = crl_enc_finish(&e);
	decode_ok(crl_decode_request, fb, len);
	ck_assert(!crl_msg_has(&m, CRL_A_DATA));
	ck_assert_ptr_null(crl_msg_bytes(&m, CRL_A_DATA, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_roundtrip_policy_digest)
{
	uint8_t d[32];
	struct crl_enc e;
	ssize_t len;
	size_t n;

	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_POLICY_DIGEST, 42);
	len = crl_enc_finish(&e);
	ck_assert_int_eq(len, CRL_HDR_LEN);
	decode_ok(crl_decode_request, fb, len);
	ck_assert_uint_eq(m.request_id, 42);

	memset(d, 0xab, sizeof(d));
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_POLICY_DIGEST | CRL_MSG_REPLY,
		     42);
	crl_put_bytes(&e, CRL_A_DIGEST, d, sizeof(d));
	crl_put_str(&e, CRL_A_DIGEST_ALG, "sha256");
	len = crl_enc_finish(&e);
	decode_ok(crl_decode_reply, fb, len);
	ck_assert_mem_eq(crl_msg_bytes(&m, CRL_A_DIGEST, &n), d, sizeof(d));
	ck_assert_uint_eq(n, 32);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_DIGEST_ALG), "sha256");
	reencode_same(fb, (size_t)len);
}
END_TEST

START_TEST(test_roundtrip_error)
{
	uint16_t t;
	ssize_t len;

	for (t = 0; t < CRL_MSG_TYPE_MAX_; t++) {
		if (t && !crl_schema_lookup(t, 0, 0))
			continue;       /* reserved number, nothing served */
		len = crl_enc_error(fb, BUF_CAP, t, 1000u + t, EACCES,
				    "permission denied");
		decode_ok(crl_decode_reply, fb, len);
		ck_assert_uint_eq(m.type, t);
		ck_assert_uint_eq(m.request_id, 1000u + t);
		ck_assert(crl_msg_is_error(&m));
		ck_assert_uint_eq(crl_msg_u32(&m, CRL_A_ERRNO), EACCES);
		ck_assert_str_eq(crl_msg_str(&m, CRL_A_MESSAGE),
				 "permission denied");
		reencode_same(fb, (size_t)len);
	}
	/* Empty message; reply bit already set by the caller. */
	len = crl_enc_error(fb, BUF_CAP, CRL_MSG_PING | CRL_MSG_REPLY, 1,
			    EBADMSG, "");
	decode_ok(crl_decode_reply, fb, len);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_MESSAGE), "");
	/* An error reply holds nothing else. */
	len = add_u32(fb, (size_t)len, CRL_A_VERSION, 1);
	expect(fb, (size_t)len, CRL_E_ATTR_UNKNOWN);
	ck_assert_int_eq(m.attr_bad, CRL_A_VERSION);
	/* A request carrying ERRNO is not an error reply. */
	len = add_u32(fb, raw_hdr(fb, CRL_MSG_PING, 1), CRL_A_ERRNO, 1);
	expect(fb, (size_t)len, CRL_E_ATTR_UNKNOWN);
}
END_TEST

START_TEST(test_error_encoder)
{
	char *s = repeat('m', CRL_STRING_MAX + 100);
	ssize_t len;

	/* An over-long message is cut to the limit, not refused. */
	len = crl_enc_error(fb, BUF_CAP, CRL_MSG_HELLO, 1, EPROTO, s);
	decode_ok(crl_decode_reply, fb, len);
	ck_assert_uint_eq(strlen(crl_msg_str(&m, CRL_A_MESSAGE)),
			  CRL_STRING_MAX);
	free(s);
	ck_assert_int_eq(crl_enc_error(fb, BUF_CAP, 1, 1, 0, "x"),
			 CRL_E_INVALID);
	ck_assert_int_eq(crl_enc_error(fb, BUF_CAP, 1, 1, -EIO, "x"),
			 CRL_E_INVALID);
	ck_assert_int_eq(crl_enc_error(fb, BUF_CAP, 1, 1, EIO, NULL),
			 CRL_E_INVALID);
	ck_assert_int_eq(crl_enc_error(fb, 20, 1, 1, EIO, "x"),
			 CRL_E_NO_SPACE);
	/* The helper may answer a request of unknown type; such a reply has
	 * no schema on the client side. */
	len = crl_enc_error(fb, BUF_CAP, 77, 1, EOPNOTSUPP, "unknown");
	ck_assert_int_gt(len, 0);
	expect(fb, (size_t)len, CRL_E_UNKNOWN_TYPE);
}
END_TEST

START_TEST(test_roundtrip_lists)
{
	static struct crl_msg m2;
	static struct crl_list l;
	static const char *argv[] = { "sh", "-c", "echo hi", "" };
	struct crl_enc e;
	uint8_t d[32] = { 1, 2, 3 };
	ssize_t len;
	unsigned int i;

	crl_enc_init(&e, fb, BUF_CAP, TEST_TYPE, 7);
	crl_put_str(&e, CRL_A_PATH, "dir/file");
	crl_list_begin(&e, CRL_A_ARGV);
	for (i = 0; i < 4; i++)
		crl_put_str(&e, CRL_A_ITEM, argv[i]);
	crl_list_end(&e);
	crl_list_begin(&e, CRL_A_ENV);
	crl_list_end(&e);
	crl_put_u64(&e, CRL_A_DATA, 0x0102030405060708ull);
	crl_put_bytes(&e, CRL_A_DIGEST, d, sizeof(d));
	len = crl_enc_finish(&e);
	ck_assert_int_gt(len, 0);
	expect_s(fb, (size_t)len, CRL_OK);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_PATH), "dir/file");
	ck_assert_uint_eq(crl_msg_list(&m, CRL_A_ARGV, &l), 4);
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(l.item[i], argv[i]);
	ck_assert_uint_eq(crl_msg_list(&m, CRL_A_ENV, &l), 0);
	ck_assert_uint_eq(crl_msg_u64(&m, CRL_A_DATA), 0x0102030405060708ull);
	ck_assert_int_eq(crl_t_msg_ok(&m, &test_schema, fb, (size_t)len), 0);
	/* Same length; the order differs (the re-encoder sorts by type). */
	ck_assert_int_eq(crl_t_reencode(&m, &test_schema, rb, sizeof(rb)),
			 len);
	ck_assert_int_eq(crl_decode_schema(rb, (size_t)len, &test_schema, &m2),
			 CRL_OK);
	ck_assert_int_eq(crl_t_msg_equal(&m, &m2), 0);
	/* The real decoder does not know this type. */
	expect(fb, (size_t)len, CRL_E_UNKNOWN_TYPE);
}
END_TEST

START_TEST(test_getters)
{
	size_t len = hello(fb, "c");

	expect(fb, len, CRL_OK);
	/* Absent, out of range, or of the wrong kind: 0 / NULL. */
	ck_assert_uint_eq(crl_msg_u32(&m, CRL_A_VERSION), 0);
	ck_assert_uint_eq(crl_msg_u32(&m, CRL_A_CLIENT), 0);
	ck_assert_uint_eq(crl_msg_u64(&m, CRL_A_VERSION_MIN), 0);
	ck_assert_ptr_null(crl_msg_str(&m, CRL_A_SERVER));
	ck_assert_ptr_null(crl_msg_str(&m, CRL_A_VERSION_MIN)); /* 1\0\0\0 */
	ck_assert(!crl_msg_has(&m, CRL_A_UNSPEC));
	ck_assert(!crl_msg_has(&m, CRL_A_ATTR_MAX_));
	ck_assert(!crl_msg_has(&m, (enum crl_attr_type)-1));
	ck_assert_uint_eq(crl_msg_list(&m, CRL_A_CLIENT, NULL), 0);
	/* A failed decode leaves no attribute behind. */
	fb[len - 2] = 1;
	expect(fb, len, CRL_E_BAD_PADDING);
	ck_assert(!crl_msg_has(&m, CRL_A_VERSION_MIN));
}
END_TEST

/* ------------------------------------------------------------ encoder */

START_TEST(test_encoder_space)
{
	struct crl_enc e;

	crl_enc_init(&e, fb, CRL_HDR_LEN - 1, CRL_MSG_PING, 1);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_E_NO_SPACE);
	crl_enc_init(&e, fb, CRL_HDR_LEN, CRL_MSG_PING, 1);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_HDR_LEN);
	crl_enc_init(&e, fb, CRL_HDR_LEN + 8, CRL_MSG_HELLO, 1);
	crl_put_u32(&e, CRL_A_VERSION_MIN, 1);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_HDR_LEN + 8);
	/* The padding counts: 1 byte of value takes 8. */
	crl_enc_init(&e, fb, CRL_HDR_LEN + 7, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, "x", 1);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_E_NO_SPACE);
	/* Sticky: a later put that would fit changes nothing. */
	crl_enc_init(&e, fb, 64, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, fb, 100);
	ck_assert_int_eq(e.err, CRL_E_NO_SPACE);
	ck_assert_uint_eq(e.len, CRL_HDR_LEN);
	crl_put_u32(&e, CRL_A_VERSION, 1);
	ck_assert_uint_eq(e.len, CRL_HDR_LEN);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_E_NO_SPACE);
}
END_TEST

/* A cap above CRL_FRAME_MAX is clamped; huge sizes cannot wrap. */
START_TEST(test_encoder_frame_max)
{
	static uint8_t data[CRL_FRAME_MAX];
	size_t max = CRL_FRAME_MAX - CRL_HDR_LEN - CRL_ATTR_HDR_LEN;
	struct crl_enc e;

	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, data, max);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_FRAME_MAX);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, data, max + 1);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_E_NO_SPACE);
	crl_enc_init(&e, fb, SIZE_MAX, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, data, SIZE_MAX);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_E_NO_SPACE);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, data, SIZE_MAX - 2);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_E_NO_SPACE);
	/* A list can grow only as far as the frame. */
	crl_enc_init(&e, fb, BUF_CAP, TEST_TYPE, 1);
	crl_list_begin(&e, CRL_A_ARGV);
	while (!e.err)
		crl_put_str(&e, CRL_A_ITEM, "0123456789");
	crl_list_end(&e);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_E_NO_SPACE);
	ck_assert_uint_le(e.len, CRL_FRAME_MAX);
}
END_TEST

START_TEST(test_encoder_padding_zeroed)
{
	struct crl_enc e;
	ssize_t len;

	memset(fb, 0xaa, 64);
	crl_enc_init(&e, fb, 64, CRL_MSG_HELLO, 1);
	crl_put_u32(&e, CRL_A_VERSION_MIN, 1);
	crl_put_u32(&e, CRL_A_VERSION_MAX, 1);
	crl_put_str(&e, CRL_A_CLIENT, "a");
	len = crl_enc_finish(&e);
	ck_assert_int_eq(len, 40);
	ck_assert_uint_eq(fb[38], 0);
	ck_assert_uint_eq(fb[39], 0);
	expect(fb, (size_t)len, CRL_OK);
}
END_TEST

static void expect_enc_invalid(struct crl_enc *e)
{
	ck_assert_int_eq(crl_enc_finish(e), CRL_E_INVALID);
}

START_TEST(test_encoder_invalid)
{
	struct crl_enc e;

	crl_enc_init(&e, NULL, BUF_CAP, CRL_MSG_PING, 1);
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_u32(&e, CRL_A_UNSPEC, 1);
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_u32(&e, CRL_A_ATTR_MAX_, 1);
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_str(&e, CRL_A_CLIENT, NULL);
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, NULL, 1);
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_list_end(&e);
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_list_begin(&e, CRL_A_ARGV);
	crl_list_begin(&e, CRL_A_ENV);          /* lists do not nest */
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_list_begin(&e, CRL_A_ARGV);
	crl_put_u32(&e, CRL_A_VERSION, 1);      /* only items in a list */
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_list_begin(&e, CRL_A_ARGV);
	crl_put_str(&e, CRL_A_ITEM, "x");       /* never closed */
	expect_enc_invalid(&e);
	/* NULL with 0 bytes is an empty value, not an error. */
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_PING, 1);
	crl_put_bytes(&e, CRL_A_DATA, NULL, 0);
	ck_assert_int_eq(crl_enc_finish(&e), CRL_HDR_LEN + 4);
}
END_TEST

/* ------------------------------------------------------------ names */

START_TEST(test_strerror)
{
	const char *seen[32];
	int code, j, n = 0;

	for (code = CRL_OK; code >= CRL_E_LAST; code--) {
		const char *s = crl_proto_strerror(code);

		ck_assert_ptr_nonnull(s);
		ck_assert_str_ne(s, "unknown protocol error");
		for (j = 0; j < n; j++)
			ck_assert_str_ne(s, seen[j]);
		seen[n++] = s;
		ck_assert_int_ge(crl_proto_errno(code), 0);
		ck_assert((code == CRL_OK) == (crl_proto_errno(code) == 0));
	}
	ck_assert_str_eq(crl_proto_strerror(CRL_E_LAST - 1),
			 "unknown protocol error");
	ck_assert_int_eq(crl_proto_errno(CRL_E_ENTRY_NAME), EBADMSG);
	ck_assert_int_eq(crl_proto_errno(CRL_E_ENTRY_NAME_TOO_LONG),
			 ENAMETOOLONG);
	ck_assert_int_eq(crl_proto_errno(CRL_E_ENTRY_FIELD), EBADMSG);
	ck_assert_str_eq(crl_proto_strerror(1), "unknown protocol error");
	ck_assert_str_eq(crl_proto_strerror(-2147483647 - 1),
			 "unknown protocol error");
	ck_assert_int_eq(crl_proto_errno(CRL_E_BAD_MAGIC), EPROTO);
	ck_assert_int_eq(crl_proto_errno(CRL_E_BAD_VERSION), EPROTO);
	ck_assert_int_eq(crl_proto_errno(CRL_E_ATTR_UNKNOWN), EBADMSG);
	ck_assert_int_eq(crl_proto_errno(CRL_E_BAD_PADDING), EBADMSG);
	ck_assert_int_eq(crl_proto_errno(CRL_E_OVERSIZED), EMSGSIZE);
	ck_assert_int_eq(crl_proto_errno(CRL_E_TRUNCATED), EMSGSIZE);
	ck_assert_int_eq(crl_proto_errno(CRL_E_PATH_TOO_LONG), ENAMETOOLONG);
	ck_assert_int_eq(crl_proto_errno(CRL_E_LIST_TOO_LONG), E2BIG);
	ck_assert_int_eq(crl_proto_errno(CRL_E_STR_TOO_LONG), E2BIG);
	ck_assert_int_eq(crl_proto_errno(-999), EPROTO);
}
END_TEST

START_TEST(test_names_and_schemas)
{
	const struct crl_schema *s;

	ck_assert_str_eq(crl_msg_name(CRL_MSG_HELLO), "hello");
	ck_assert_str_eq(crl_msg_name(CRL_MSG_PING), "ping");
	ck_assert_str_eq(crl_msg_name(CRL_MSG_POLICY_DIGEST), "policy-digest");
	ck_assert_str_eq(crl_msg_name(CRL_MSG_PING | CRL_MSG_REPLY), "ping");
	ck_assert_ptr_null(crl_msg_name(0));
	ck_assert_ptr_null(crl_msg_name(CRL_MSG_TYPE_MAX_));
	ck_assert_ptr_null(crl_msg_name(0xffff));
	ck_assert_ptr_null(crl_schema_lookup(0, 0, 0));
	ck_assert_ptr_null(crl_schema_lookup(CRL_MSG_TYPE_MAX_, 1, 1));
	s = crl_schema_lookup(CRL_MSG_HELLO, 0, 0);
	ck_assert_uint_eq(s->attr[CRL_A_VERSION_MIN].kind, CRL_K_U32);
	ck_assert_uint_eq(s->attr[CRL_A_VERSION_MIN].required, 1);
	ck_assert_uint_eq(s->attr[CRL_A_CLIENT].required, 0);
	s = crl_schema_lookup(CRL_MSG_POLICY_DIGEST, 1, 0);
	ck_assert_uint_eq(s->attr[CRL_A_DIGEST].kind, CRL_K_DIGEST);
	s = crl_schema_lookup(CRL_MSG_PING, 1, 1);
	ck_assert_uint_eq(s->attr[CRL_A_ERRNO].required, 1);
	ck_assert_uint_eq(s->attr[CRL_A_DATA].kind, CRL_K_NONE);
}
END_TEST

/* ------------------------------------------------------------ file ops */

#define PRJ "0d1c5e1e-35c6-4a5b-9d3e-6c1f1b2a9c00"

/* The schemas as proto.h documents them: the contract that clients are
 * written against.  One row per message and direction: each attribute
 * allowed, and whether it is required; everything else is refused. */
#define MAX_ATTRS 10
struct contract {
	uint16_t type;
	uint8_t reply;
	uint8_t a[MAX_ATTRS][2];
};
#define P_ { CRL_A_PROJECT, 1 }, { CRL_A_PATH, 1 }
static const struct contract contracts[] = {
	{ CRL_MSG_CREATE, 0, { { CRL_A_PROJECT, 1 } } },
	{ CRL_MSG_CREATE, 1, { { CRL_A_UID, 1 }, { CRL_A_GID, 1 } } },
	{ CRL_MSG_FS_MKDIR, 0, { P_, { CRL_A_MODE, 0 }, { CRL_A_FLAGS, 0 } } },
	{ CRL_MSG_FS_UNLINK, 0, { P_ } },
	{ CRL_MSG_FS_RMDIR, 0, { P_ } },
	{ CRL_MSG_FS_RENAME, 0, { P_, { CRL_A_PATH2, 1 }, { CRL_A_FLAGS, 0 } } },
	{ CRL_MSG_FS_LINK, 0, { P_, { CRL_A_PATH2, 1 } } },
	{ CRL_MSG_FS_SYMLINK, 0, { P_, { CRL_A_TARGET, 1 } } },
	{ CRL_MSG_FS_CHMOD, 0, { P_, { CRL_A_MODE, 1 } } },
	{ CRL_MSG_FS_TRUNCATE, 0, { P_, { CRL_A_SIZE, 1 } } },
	{ CRL_MSG_FS_COPY, 0, { P_, { CRL_A_PATH2, 1 }, { CRL_A_FLAGS, 0 } } },
	{ CRL_MSG_FS_RM, 0, { P_, { CRL_A_FLAGS, 0 } } },
	{ CRL_MSG_FS_UTIMES, 0, { P_, { CRL_A_ATIME, 0 }, { CRL_A_MTIME, 0 } } },
	{ CRL_MSG_FS_STAT, 0, { P_ } },
	{ CRL_MSG_FS_STAT, 1, { { CRL_A_FILE_TYPE, 1 }, { CRL_A_MODE, 1 },
		{ CRL_A_UID, 1 }, { CRL_A_GID, 1 }, { CRL_A_SIZE, 1 },
		{ CRL_A_NLINK, 1 }, { CRL_A_ATIME, 1 }, { CRL_A_MTIME, 1 },
		{ CRL_A_CTIME, 1 } } },
	{ CRL_MSG_FS_LIST, 0, { P_ } },
	{ CRL_MSG_FS_LIST, 1, { { CRL_A_ENTRIES, 1 }, { CRL_A_FLAGS, 0 } } },
	{ CRL_MSG_FS_OPEN_READ, 0, { P_ } },
	{ CRL_MSG_FS_OPEN_READ, 1, { { CRL_A_SIZE, 1 } } },
	{ CRL_MSG_FS_OPEN_WRITE, 0, { P_, { CRL_A_FLAGS, 0 }, { CRL_A_MODE, 0 } } },
	{ CRL_MSG_FS_REPLACE, 0, { P_, { CRL_A_MODE, 0 } } },
	{ CRL_MSG_FS_REPLACE, 1, { { CRL_A_TOKEN, 1 } } },
	{ CRL_MSG_FS_COMMIT, 0, { { CRL_A_TOKEN, 1 } } },
	{ CRL_MSG_FS_ABORT, 0, { { CRL_A_TOKEN, 1 } } },
};
#define N_CONTRACTS (sizeof(contracts) / sizeof(contracts[0]))

/* The kind of each attribute is fixed by its number, in every message. */
static unsigned int kind_of(int a)
{
	switch (a) {
	case CRL_A_PROJECT:
		return CRL_K_STRING;
	case CRL_A_PATH: case CRL_A_PATH2: case CRL_A_TARGET:
		return CRL_K_PATH;
	case CRL_A_SIZE: case CRL_A_ATIME: case CRL_A_MTIME: case CRL_A_CTIME:
		return CRL_K_U64;
	case CRL_A_ENTRIES:
		return CRL_K_ENTRIES;
	default:
		return CRL_K_U32;
	}
}

/* Replies not in the table are empty. */
static const struct contract *contract_of(uint16_t type, int reply)
{
	static struct contract empty;
	size_t i;

	for (i = 0; i < N_CONTRACTS; i++)
		if (contracts[i].type == type && contracts[i].reply == reply)
			return &contracts[i];
	ck_assert_msg(reply, "no contract for request %u", type);
	empty.type = type;
	empty.reply = 1;
	return &empty;
}

static int is_fs_type(uint16_t t)
{
	return t == CRL_MSG_CREATE ||
	       (t >= CRL_MSG_FS_MKDIR && t < CRL_MSG_TYPE_MAX_);
}

START_TEST(test_fs_schema_contract)
{
	uint16_t t;
	int reply, a, i;

	for (t = CRL_MSG_CREATE; t < CRL_MSG_TYPE_MAX_; t++) {
		if (!is_fs_type(t))
			continue;
		for (reply = 0; reply < 2; reply++) {
			const struct contract *c = contract_of(t, reply);
			const struct crl_schema *s;
			struct crl_attr_rule want[CRL_A_ATTR_MAX_];

			memset(want, 0, sizeof(want));
			for (i = 0; i < MAX_ATTRS && c->a[i][0]; i++) {
				want[c->a[i][0]].kind = (uint8_t)kind_of(c->a[i][0]);
				want[c->a[i][0]].required = c->a[i][1];
			}
			s = crl_schema_lookup(t, reply, 0);
			ck_assert_ptr_nonnull(s);
			for (a = 0; a < CRL_A_ATTR_MAX_; a++)
				ck_assert_msg(s->attr[a].kind == want[a].kind &&
					      s->attr[a].required == want[a].required,
					      "%s: attribute %d", s->name, a);
		}
	}
}
END_TEST

/* 5-9 are reserved for the project lifecycle: no schema, unknown. */
START_TEST(test_reserved_types)
{
	uint16_t t;

	/* No gaps: every number below the last has both schemas. */
	for (t = 1; t < CRL_MSG_TYPE_MAX_; t++) {
		ck_assert_ptr_nonnull(crl_schema_lookup(t, 0, 0));
		ck_assert_ptr_nonnull(crl_schema_lookup(t, 1, 0));
		ck_assert_ptr_nonnull(crl_schema_lookup(t, 1, 1));
	}
	ck_assert_ptr_null(crl_schema_lookup(CRL_MSG_TYPE_MAX_, 0, 0));
	ck_assert_ptr_null(crl_msg_name(CRL_MSG_TYPE_MAX_));
}
END_TEST

START_TEST(test_fs_names)
{
	static const char *names[] = {
		"create", "start", "exec", "stop", "status", "list", "fs-mkdir",
		"fs-unlink", "fs-rmdir", "fs-rename", "fs-link", "fs-symlink",
		"fs-chmod", "fs-truncate", "fs-copy", "fs-rm", "fs-utimes",
		"fs-stat", "fs-list", "fs-open-read", "fs-open-write",
		"fs-replace", "fs-commit", "fs-abort",
	};
	unsigned int t;

	ck_assert_uint_eq(sizeof(names) / sizeof(names[0]),
			  CRL_MSG_TYPE_MAX_ - CRL_MSG_CREATE);
	for (t = CRL_MSG_CREATE; t < CRL_MSG_TYPE_MAX_; t++) {
		const char *want = names[t - CRL_MSG_CREATE];

		if (!want) {
			ck_assert_ptr_null(crl_msg_name(t));
			continue;
		}
		ck_assert_str_eq(crl_msg_name(t), want);
		ck_assert_str_eq(crl_msg_name(t | CRL_MSG_REPLY), want);
	}
}
END_TEST

static const char *sample_str(int a)
{
	switch (a) {
	case CRL_A_PROJECT:
		return PRJ;
	case CRL_A_PATH:
		return "dir/file name";
	case CRL_A_PATH2:
		return "other/\x01odd";
	default:
		return "../../etc/passwd";   /* TARGET: verbatim */
	}
}

static const char *const sample_names[] = { "link", ".hidden", "\xc3\xa9t\xc3\xa9" };

static struct crl_entry_hdr sample_entry(unsigned int i)
{
	struct crl_entry_hdr h = { (uint32_t)(CRL_FT_LNK + i), 0777 - i,
				   7 + i, 1234567890123456789ull + i };
	return h;
}

static void put_sample(struct crl_enc *e, int a, unsigned int kind)
{
	struct crl_entry_hdr h;
	unsigned int i;

	switch (kind) {
	case CRL_K_U32:
		crl_put_u32(e, a, 0x01020300u + (uint32_t)a);
		break;
	case CRL_K_U64:
		crl_put_u64(e, a, 0x0102030405060700ull + (uint64_t)a);
		break;
	case CRL_K_STRING:
	case CRL_K_PATH:
		crl_put_str(e, a, sample_str(a));
		break;
	case CRL_K_ENTRIES:
		crl_list_begin(e, a);
		for (i = 0; i < 3; i++) {
			h = sample_entry(i);
			crl_put_entry(e, &h, sample_names[i]);
		}
		crl_list_end(e);
		break;
	default:
		break;
	}
}

/* Encode the message with every attribute its schema allows, but skip. */
static size_t build_full(uint16_t type, int reply, int skip)
{
	const struct crl_schema *s = crl_schema_lookup(type, reply, 0);
	struct crl_enc e;
	ssize_t len;
	int a;

	ck_assert_ptr_nonnull(s);
	crl_enc_init(&e, fb, BUF_CAP,
		     (uint16_t)(type | (reply ? CRL_MSG_REPLY : 0)), 1000u + type);
	for (a = 1; a < CRL_A_ATTR_MAX_; a++)
		if (a != skip)
			put_sample(&e, a, s->attr[a].kind);
	len = crl_enc_finish(&e);
	ck_assert_int_gt(len, 0);
	return (size_t)len;
}

static void check_entries_sample(void)
{
	struct crl_entry_hdr h, want;
	const char *name;
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), 1);
		want = sample_entry(i);
		ck_assert_mem_eq(&h, &want, sizeof(h));
		ck_assert_str_eq(name, sample_names[i]);
	}
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), 0);
}

static void check_samples(const struct crl_schema *s)
{
	int a;

	for (a = 1; a < CRL_A_ATTR_MAX_; a++) {
		switch (s->attr[a].kind) {
		case CRL_K_NONE:
			ck_assert(!crl_msg_has(&m, a));
			break;
		case CRL_K_U32:
			ck_assert_uint_eq(crl_msg_u32(&m, a), 0x01020300u + a);
			break;
		case CRL_K_U64:
			ck_assert(crl_msg_u64(&m, a) == 0x0102030405060700ull + a);
			break;
		case CRL_K_ENTRIES:
			check_entries_sample();
			break;
		default:
			ck_assert_str_eq(crl_msg_str(&m, a), sample_str(a));
		}
	}
}

static void fs_roundtrip(int reply)
{
	int (*dec)(const void *, size_t, struct crl_msg *) =
		reply ? crl_decode_reply : crl_decode_request;
	uint16_t t;
	size_t len;

	for (t = CRL_MSG_CREATE; t < CRL_MSG_TYPE_MAX_; t++) {
		if (!is_fs_type(t))
			continue;
		len = build_full(t, reply, 0);
		decode_ok(dec, fb, (ssize_t)len);
		ck_assert_uint_eq(m.type, t);
		ck_assert_uint_eq(m.is_reply, reply);
		ck_assert_uint_eq(m.request_id, 1000u + t);
		check_samples(crl_schema_lookup(t, reply, 0));
		reencode_same(fb, len);
		ck_assert_int_eq((reply ? crl_decode_request : crl_decode_reply)
				 (fb, len, &m), CRL_E_UNKNOWN_TYPE);
	}
}

START_TEST(test_roundtrip_fs_requests)
{
	fs_roundtrip(0);
}
END_TEST

START_TEST(test_roundtrip_fs_replies)
{
	fs_roundtrip(1);
}
END_TEST

/* Every required attribute missing, every foreign one added: refused. */
static void fs_refusals(uint16_t t, int reply)
{
	const struct crl_schema *s = crl_schema_lookup(t, reply, 0);
	size_t len;
	int a;

	for (a = 1; a < CRL_A_ATTR_MAX_; a++) {
		if (s->attr[a].required) {
			len = build_full(t, reply, a);
			expect(fb, len, CRL_E_ATTR_MISSING);
			ck_assert_int_eq(m.attr_bad, a);
		}
		if (s->attr[a].kind != CRL_K_NONE || a == CRL_A_ERRNO)
			continue;
		len = add_u32(fb, build_full(t, reply, 0), (uint16_t)a, 1);
		expect(fb, len, CRL_E_ATTR_UNKNOWN);
		ck_assert_int_eq(m.attr_bad, a);
	}
}

START_TEST(test_fs_schema_refusals)
{
	char *s = repeat('p', CRL_PATH_MAX + 1);
	uint64_t wide = 1;
	uint16_t t;
	size_t len;

	for (t = CRL_MSG_CREATE; t < CRL_MSG_TYPE_MAX_; t++) {
		if (!is_fs_type(t))
			continue;
		fs_refusals(t, 0);
		fs_refusals(t, 1);
	}
	len = add_str(fb, raw_hdr(fb, CRL_MSG_FS_STAT, 1), CRL_A_PROJECT, PRJ);
	len = add_str(fb, len, CRL_A_PATH, s);
	expect(fb, len, CRL_E_PATH_TOO_LONG);
	len = add_str(fb, build_full(CRL_MSG_FS_SYMLINK, 0, CRL_A_TARGET),
		      CRL_A_TARGET, s);
	expect(fb, len, CRL_E_PATH_TOO_LONG);
	len = add_str(fb, build_full(CRL_MSG_FS_STAT, 0, CRL_A_PROJECT),
		      CRL_A_PROJECT, s);
	expect(fb, len, CRL_E_STR_TOO_LONG);
	len = add_attr(fb, build_full(CRL_MSG_FS_RM, 0, CRL_A_FLAGS),
		       CRL_A_FLAGS, &wide, sizeof(wide));
	expect(fb, len, CRL_E_ATTR_SIZE);
	len = add_u32(fb, build_full(CRL_MSG_FS_TRUNCATE, 0, CRL_A_SIZE),
		      CRL_A_SIZE, 1);
	expect(fb, len, CRL_E_ATTR_SIZE);
	free(s);
}
END_TEST

/* A list reply: one good entry "ok", then an ENTRY of raw value bytes. */
static size_t entries_frame(const void *val, size_t vlen, uint16_t type)
{
	struct crl_entry_hdr h = { CRL_FT_REG, 0600, 1, 2 };
	uint8_t good[CRL_ENTRY_HDR_LEN + 3];
	size_t len = raw_hdr(fb, CRL_MSG_FS_LIST | CRL_MSG_REPLY, 4), start;

	memcpy(good, &h, sizeof(h));
	memcpy(good + CRL_ENTRY_HDR_LEN, "ok", 3);
	start = len;
	len += CRL_ATTR_HDR_LEN;
	len = add_attr(fb, len, CRL_A_ENTRY, good, sizeof(good));
	len = add_attr(fb, len, type, val, vlen);
	set16(fb + start, (uint16_t)(len - start));
	set16(fb + start + 2, CRL_A_ENTRIES);
	fix_len(fb, len);
	return len;
}

/* The value of an entry: type and mode as given, then name (n bytes,
 * copied verbatim, NULs included). */
static size_t entry_val(uint8_t *v, uint32_t type, uint32_t mode,
			const char *name, size_t n)
{
	struct crl_entry_hdr h = { type, mode, 3, 4 };

	memcpy(v, &h, sizeof(h));
	memcpy(v + CRL_ENTRY_HDR_LEN, name, n);
	return CRL_ENTRY_HDR_LEN + n;
}

#define expect_entry(v, n, code) do { \
	expect(fb, entries_frame((v), (n), CRL_A_ENTRY), (code)); \
	ck_assert_int_eq(m.attr_bad, (code) ? CRL_A_ENTRIES : -1); \
} while (0)

START_TEST(test_entries_errors)
{
	static const char *bad_names[] = { "", ".", "..", "a/b", "/", "a/" };
	uint8_t v[CRL_ENTRY_HDR_LEN + 300] = { 0 };
	size_t i, n;

	for (n = 0; n <= CRL_ENTRY_HDR_LEN; n++)
		expect_entry(v, n, CRL_E_ATTR_SIZE);
	expect_entry(v, entry_val(v, 1, 0644, "abc", 3), CRL_E_STR_UNTERMINATED);
	expect_entry(v, entry_val(v, 1, 0644, "a\0b", 4),
		     CRL_E_STR_EMBEDDED_NUL);
	expect_entry(v, entry_val(v, 1, 0644, "\0\0", 2),
		     CRL_E_STR_EMBEDDED_NUL);
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		expect_entry(v, entry_val(v, 1, 0644, bad_names[i],
					  strlen(bad_names[i]) + 1),
			     CRL_E_ENTRY_NAME);
	expect_entry(v, entry_val(v, CRL_FT_BLK + 1, 0644, "x", 2),
		     CRL_E_ENTRY_FIELD);
	expect_entry(v, entry_val(v, 0xffffffffu, 0644, "x", 2),
		     CRL_E_ENTRY_FIELD);
	expect_entry(v, entry_val(v, 1, 010000, "x", 2), CRL_E_ENTRY_FIELD);
	expect_entry(v, entry_val(v, CRL_FT_BLK, 07777, "...", 4), CRL_OK);
	expect_entry(v, entry_val(v, CRL_FT_UNKNOWN, 0, ".a", 3), CRL_OK);
	/* Only ENTRY inside ENTRIES, flag bits included. */
	n = entry_val(v, 1, 0644, "x", 2);
	expect(fb, entries_frame(v, n, CRL_A_ITEM), CRL_E_ATTR_UNKNOWN);
	ck_assert_int_eq(m.attr_bad, CRL_A_ENTRIES);
	expect(fb, entries_frame(v, n, CRL_A_ENTRY | 0x8000),
	       CRL_E_ATTR_UNKNOWN);
	expect(fb, entries_frame("ab\0", 4, CRL_A_ITEM), CRL_E_ATTR_UNKNOWN);
}
END_TEST

START_TEST(test_entries_name_limits)
{
	uint8_t v[CRL_ENTRY_HDR_LEN + 300];
	char *name = repeat('n', CRL_ENTRY_NAME_MAX + 1);

	expect_entry(v, entry_val(v, 1, 0644, name, CRL_ENTRY_NAME_MAX + 2),
		     CRL_E_ENTRY_NAME_TOO_LONG);
	name[CRL_ENTRY_NAME_MAX] = '\0';
	expect_entry(v, entry_val(v, 1, 0644, name, CRL_ENTRY_NAME_MAX + 1),
		     CRL_OK);
	free(name);
}
END_TEST

/* Framing inside the list: padding, overruns, short headers. */
START_TEST(test_entries_layout)
{
	uint8_t v[CRL_ENTRY_HDR_LEN + 8];
	size_t n = entry_val(v, 1, 0644, "ab", 3), len;

	len = entries_frame(v, n, CRL_A_ENTRY);     /* 27 bytes, 1 pad */
	fb[len - 1] = 1;
	expect(fb, len, CRL_E_BAD_PADDING);
	ck_assert_int_eq(m.attr_bad, CRL_A_ENTRIES);
	len = entries_frame(v, n, CRL_A_ENTRY);
	set16(fb + len - 32, 200);                  /* nla_len overruns */
	expect(fb, len, CRL_E_ATTR_TRUNCATED);
	set16(fb + len - 32, 3);
	expect(fb, len, CRL_E_ATTR_ZERO_LEN);
	/* An ENTRY outside ENTRIES, ENTRIES in a request: not allowed. */
	len = add_attr(fb, raw_hdr(fb, CRL_MSG_FS_LIST | CRL_MSG_REPLY, 1),
		       CRL_A_ENTRY, v, n);
	expect(fb, len, CRL_E_ATTR_UNKNOWN);
	ck_assert_int_eq(m.attr_bad, CRL_A_ENTRY);
	len = add_attr(fb, build_full(CRL_MSG_FS_LIST, 0, 0), CRL_A_ENTRIES,
		       NULL, 0);
	expect(fb, len, CRL_E_ATTR_UNKNOWN);
	/* An empty ENTRIES is a valid (last) page. */
	len = add_attr(fb, raw_hdr(fb, CRL_MSG_FS_LIST | CRL_MSG_REPLY, 1),
		       CRL_A_ENTRIES, NULL, 0);
	expect(fb, len, CRL_OK);
}
END_TEST

START_TEST(test_entries_encoder)
{
	static const char *bad[] = { "", ".", "..", "a/b", "/" };
	struct crl_entry_hdr h = { CRL_FT_REG, 0644, 0, 0 };
	char *longname = repeat('l', CRL_ENTRY_NAME_MAX + 1);
	struct crl_enc e;
	size_t i;

	for (i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_FS_LIST | CRL_MSG_REPLY, 1);
		crl_list_begin(&e, CRL_A_ENTRIES);
		crl_put_entry(&e, &h, i < 5 ? bad[i] : longname);
		crl_list_end(&e);
		expect_enc_invalid(&e);
	}
	free(longname);
	crl_enc_init(&e, fb, BUF_CAP, 1, 1);
	crl_put_entry(&e, &h, NULL);
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, 1, 1);
	crl_put_entry(&e, NULL, "x");
	expect_enc_invalid(&e);
	h.type = CRL_FT_BLK + 1;
	crl_enc_init(&e, fb, BUF_CAP, 1, 1);
	crl_put_entry(&e, &h, "x");
	expect_enc_invalid(&e);
	h.type = CRL_FT_REG;
	h.mode = 010000;
	crl_enc_init(&e, fb, BUF_CAP, 1, 1);
	crl_put_entry(&e, &h, "x");
	expect_enc_invalid(&e);
	h.mode = 0;
	/* Members of the wrong list. */
	crl_enc_init(&e, fb, BUF_CAP, 1, 1);
	crl_list_begin(&e, CRL_A_ENTRIES);
	crl_put_str(&e, CRL_A_ITEM, "x");
	expect_enc_invalid(&e);
	crl_enc_init(&e, fb, BUF_CAP, 1, 1);
	crl_list_begin(&e, CRL_A_ARGV);
	crl_put_entry(&e, &h, "x");
	expect_enc_invalid(&e);
}
END_TEST

/* Fill one reply the way the helper pages a listing: as many entries as
 * fit with room for FLAGS; the frame decodes and holds them all. */
START_TEST(test_entries_paging)
{
	struct crl_entry_hdr h = { CRL_FT_REG, 0644, 1, 1 }, got;
	char name[CRL_ENTRY_NAME_MAX + 1];
	const char *gname;
	struct crl_enc e;
	unsigned int n = 0, k = 0;
	size_t off = 0, flags_space = CRL_ALIGN(CRL_ATTR_HDR_LEN + 4);
	ssize_t len;

	ck_assert_uint_eq(CRL_ENTRY_SPACE(1), 32);
	ck_assert_uint_eq(CRL_ENTRY_SPACE(CRL_ENTRY_NAME_MAX), 284);
	crl_enc_init(&e, fb, BUF_CAP, CRL_MSG_FS_LIST | CRL_MSG_REPLY, 1);
	crl_list_begin(&e, CRL_A_ENTRIES);
	for (;;) {
		snprintf(name, sizeof(name), "%0*u", (int)(n % 200) + 1, n);
		if (crl_enc_room(&e) < CRL_ENTRY_SPACE(strlen(name)) + flags_space)
			break;
		crl_put_entry(&e, &h, name);
		n++;
	}
	crl_list_end(&e);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_MORE);
	ck_assert_uint_lt(crl_enc_room(&e), CRL_ENTRY_SPACE(strlen(name)));
	len = crl_enc_finish(&e);
	ck_assert_int_gt(len, CRL_FRAME_MAX - 300);
	ck_assert_int_le(len, CRL_FRAME_MAX);
	decode_ok(crl_decode_reply, fb, len);
	ck_assert_uint_eq(crl_msg_u32(&m, CRL_A_FLAGS), CRL_FS_MORE);
	while (crl_entries_next(&m, &off, &got, &gname) == 1) {
		snprintf(name, sizeof(name), "%0*u", (int)(k % 200) + 1, k);
		ck_assert_str_eq(gname, name);
		k++;
	}
	ck_assert_uint_eq(k, n);
	reencode_same(fb, (size_t)len);
	/* One put too many fails and stays failed. */
	crl_enc_init(&e, fb, 64, CRL_MSG_FS_LIST | CRL_MSG_REPLY, 1);
	crl_list_begin(&e, CRL_A_ENTRIES);
	crl_put_entry(&e, &h, "0123456789012345678901234567890123");
	ck_assert_int_eq(e.err, CRL_E_NO_SPACE);
	ck_assert_uint_eq(crl_enc_room(&e), 0);
}
END_TEST

START_TEST(test_entries_iterator)
{
	struct crl_entry_hdr h;
	const char *name = "x";
	size_t off = 0, len;
	uint8_t v[CRL_ENTRY_HDR_LEN + 4];

	ck_assert_int_eq(crl_entries_next(NULL, &off, &h, &name),
			 CRL_E_INVALID);
	ck_assert_int_eq(crl_entries_next(&m, NULL, &h, &name), CRL_E_INVALID);
	ck_assert_int_eq(crl_entries_next(&m, &off, NULL, &name),
			 CRL_E_INVALID);
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, NULL), CRL_E_INVALID);
	/* No ENTRIES: nothing to walk. */
	expect(fb, hello(fb, NULL), CRL_OK);
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), 0);
	ck_assert_ptr_null(name);
	off = 4;
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), CRL_E_INVALID);
	/* Past the end is an error, at the end is the end. */
	len = entries_frame(v, entry_val(v, 1, 0, "ab", 3), CRL_A_ENTRY);
	expect(fb, len, CRL_OK);
	off = 0;
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), 1);
	ck_assert_str_eq(name, "ok");
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), 1);
	ck_assert_str_eq(name, "ab");
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), 0);
	off++;
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), CRL_E_INVALID);
	/* Bounded even if the buffer changes under a decoded message. */
	fb[len - 3] = '/';          /* "ab" becomes "a/" */
	off = 0;
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name), 1);
	ck_assert_int_eq(crl_entries_next(&m, &off, &h, &name),
			 CRL_E_ENTRY_NAME);
	ck_assert_ptr_null(name);
}
END_TEST

/* A stat reply with every field. */
static ssize_t stat_reply(uint8_t *b, size_t cap)
{
	struct crl_enc e;

	crl_enc_init(&e, b, cap, CRL_MSG_FS_STAT | CRL_MSG_REPLY, 10);
	crl_put_u32(&e, CRL_A_FILE_TYPE, CRL_FT_REG);
	crl_put_u32(&e, CRL_A_MODE, 0640);
	crl_put_u32(&e, CRL_A_UID, 1900000000);
	crl_put_u32(&e, CRL_A_GID, 1900000000);
	crl_put_u64(&e, CRL_A_SIZE, 12345);
	crl_put_u32(&e, CRL_A_NLINK, 1);
	crl_put_u64(&e, CRL_A_ATIME, 1700000000000000000ull);
	crl_put_u64(&e, CRL_A_MTIME, 1700000000000000001ull);
	crl_put_u64(&e, CRL_A_CTIME, 1700000000000000002ull);
	return crl_enc_finish(&e);
}

/* ------------------------------------------------------------ random */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible, good enough to scatter mutations. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static uint16_t interesting16(void)
{
	static const uint16_t v[] = { 0, 1, 3, 4, 5, 6, 8, 12, 16, 17, 36,
				      0x7fff, 0x8000, 0x8001, 0x4001, 0xffff };

	return rnd() % 2 ? v[rnd() % 16] : (uint16_t)rnd();
}

/* Split out to keep mutate() short: edits at attribute boundaries. */
static size_t mutate_aligned(uint8_t *b, size_t len)
{
	size_t off;

	if (len < CRL_HDR_LEN + 4)
		return len;
	off = CRL_HDR_LEN + 4 * (rnd() % ((len - CRL_HDR_LEN) / 4));
	switch (rnd() % 3) {
	case 0:
		set16(b + off + 2 * (rnd() % 2), interesting16());
		return len;
	case 1:
		if (len + 4 > CRL_FRAME_MAX + 8)
			return len;
		memmove(b + off + 4, b + off, len - off);
		set32(b + off, rnd());
		return len + 4;
	default:
		memmove(b + off, b + off + 4, len - off - 4);
		return len - 4;
	}
}

static size_t mutate(uint8_t *b, size_t len)
{
	size_t n;

	switch (rnd() % 5) {
	case 0:
		if (len)
			b[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
		return len;
	case 1:
		if (len)
			b[rnd() % len] = (uint8_t)rnd();
		return len;
	case 2:
		return len ? rnd() % len : 0;
	case 3:
		for (n = rnd() % 12; n > 0 && len < CRL_FRAME_MAX + 8; n--)
			b[len++] = (uint8_t)(rnd() % 3 ? 0 : rnd());
		return len;
	default:
		return mutate_aligned(b, len);
	}
}

/* The codes crl_decode() may return on failure (proto.h). */
static int is_decode_error(int rc)
{
	return (rc <= CRL_E_SHORT_HEADER && rc >= CRL_E_BAD_PADDING) ||
	       (rc <= CRL_E_ENTRY_NAME && rc >= CRL_E_LAST);
}

struct seed {
	uint8_t b[512];
	size_t len;
	const struct crl_schema *schema;   /* NULL: crl_decode */
};

/* A list reply with three entries, then a rename and a stat reply. */
static size_t seed_fs_frames(struct seed *s)
{
	struct crl_entry_hdr h = { CRL_FT_REG, 0644, 12, 34 };
	struct crl_enc e;

	crl_enc_init(&e, s[0].b, sizeof(s[0].b),
		     CRL_MSG_FS_LIST | CRL_MSG_REPLY, 8);
	crl_list_begin(&e, CRL_A_ENTRIES);
	crl_put_entry(&e, &h, "a");
	crl_put_entry(&e, &h, "file.txt");
	h.type = CRL_FT_DIR;
	crl_put_entry(&e, &h, "dir");
	crl_list_end(&e);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_MORE);
	s[0].len = (size_t)crl_enc_finish(&e);
	crl_enc_init(&e, s[1].b, sizeof(s[1].b), CRL_MSG_FS_RENAME, 9);
	crl_put_str(&e, CRL_A_PROJECT, PRJ);
	crl_put_str(&e, CRL_A_PATH, "a/b");
	crl_put_str(&e, CRL_A_PATH2, "c");
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_NOREPLACE);
	s[1].len = (size_t)crl_enc_finish(&e);
	s[2].len = (size_t)stat_reply(s[2].b, sizeof(s[2].b));
	return 3;
}

/* One valid frame of each kind; returns how many. */
static size_t seed_frames(struct seed *s)
{
	uint8_t d[32] = { 9 }, *b;
	size_t len;

	s[0].len = hello(s[0].b, "client");
	s[1].len = hello(s[1].b, NULL);
	b = s[2].b;
	len = raw_hdr(b, CRL_MSG_HELLO | CRL_MSG_REPLY, 1);
	len = add_u32(b, len, CRL_A_VERSION, 1);
	s[2].len = add_str(b, len, CRL_A_SERVER, "srv");
	b = s[3].b;
	s[3].len = add_attr(b, raw_hdr(b, CRL_MSG_PING, 2), CRL_A_DATA,
			    "pingpong!", 9);
	s[4].len = raw_hdr(s[4].b, CRL_MSG_POLICY_DIGEST, 3);
	b = s[5].b;
	len = raw_hdr(b, CRL_MSG_POLICY_DIGEST | CRL_MSG_REPLY, 3);
	len = add_attr(b, len, CRL_A_DIGEST, d, sizeof(d));
	s[5].len = add_str(b, len, CRL_A_DIGEST_ALG, "sha256");
	s[6].len = (size_t)crl_enc_error(s[6].b, sizeof(s[6].b), CRL_MSG_PING,
					 4, EIO, "io");
	b = s[7].b;
	len = add_list(b, test_frame(b), CRL_A_ARGV, 3, "ab");
	len = add_list(b, len, CRL_A_ENV, 2, "K=V");
	len = add_attr(b, len, CRL_A_DATA, "12345678", 8);
	s[7].len = add_str(b, len, CRL_A_PATH2, "x/y");
	s[7].schema = &test_schema;
	return 8 + seed_fs_frames(s + 8);
}

/* Any successful decode keeps every promise, and re-encodes to a frame of
 * the same length that decodes to the same values. */
static void check_decoded(const uint8_t *b, size_t len,
			  const struct crl_schema *schema)
{
	static struct crl_msg m2;
	const struct crl_schema *s = schema;
	ssize_t n;
	int rc;

	if (!s)
		s = crl_schema_lookup(m.type, m.is_reply, crl_msg_is_error(&m));
	ck_assert_ptr_nonnull(s);
	rc = crl_t_msg_ok(&m, s, b, len);
	ck_assert_msg(rc == 0, "invariant at line %d", rc);
	n = crl_t_reencode(&m, s, rb, sizeof(rb));
	ck_assert_int_eq(n, (ssize_t)len);
	rc = schema ? crl_decode_schema(rb, (size_t)n, schema, &m2) :
		      crl_decode(rb, (size_t)n, &m2);
	ck_assert_int_eq(rc, CRL_OK);
	ck_assert_int_eq(crl_t_msg_equal(&m, &m2), 0);
}

START_TEST(test_random_mutations)
{
	static struct seed seeds[16];
	size_t nseeds = seed_frames(seeds), len;
	unsigned long iter, ok = 0, errs = 0;
	unsigned int k;
	int rc;

	rng ^= (uint64_t)_i * 0x100000001b3ull;
	for (iter = 0; iter < 100000; iter++) {
		const struct seed *s = &seeds[rnd() % nseeds];

		memcpy(fb, s->b, s->len);
		len = s->len;
		for (k = rnd() % 4 + 1; k > 0; k--)
			len = mutate(fb, len);
		if (len >= CRL_HDR_LEN && rnd() % 4)
			fix_len(fb, len);
		rc = s->schema ? crl_decode_schema(fb, len, s->schema, &m) :
				 crl_decode(fb, len, &m);
		ck_assert_msg(rc == CRL_OK || is_decode_error(rc),
			      "not a decoder error: %d", rc);
		if (rc == CRL_OK) {
			check_decoded(fb, len, s->schema);
			ok++;
		} else {
			errs++;
		}
	}
	/* Both outcomes must have been reached for the test to mean much. */
	ck_assert_uint_gt(ok, 100);
	ck_assert_uint_gt(errs, 10000);
}
END_TEST

/* ------------------------------------------------------------ wire */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void seqpacket_pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
}

START_TEST(test_wire_roundtrip)
{
	int sv[2], fds[CRL_FDS_MAX];
	unsigned int nfds = 99;
	size_t len = hello(fb, "wire");
	ssize_t n;

	seqpacket_pair(sv);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, NULL, 0), 0);
	n = crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, fds, CRL_FDS_MAX, &nfds);
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert_uint_eq(nfds, 0);
	ck_assert_mem_eq(rb, fb, len);
	ck_assert_int_eq(crl_decode_request(rb, (size_t)n, &m), CRL_OK);
	ck_assert_str_eq(crl_msg_str(&m, CRL_A_CLIENT), "wire");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A frame of exactly CRL_FRAME_MAX bytes is not mistaken for a cut one. */
START_TEST(test_wire_frame_max)
{
	int sv[2];
	unsigned int nfds;
	size_t len = raw_hdr(fb, CRL_MSG_PING, 1);

	len = add_attr(fb, len, CRL_A_DATA, rb,
		       CRL_FRAME_MAX - CRL_HDR_LEN - CRL_ATTR_HDR_LEN);
	seqpacket_pair(sv);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, NULL, 0), 0);
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, NULL, 0,
					&nfds), CRL_FRAME_MAX);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_wire_fd_passing)
{
	struct stat want, got;
	int sv[2], fd, fds[CRL_FDS_MAX];
	unsigned int nfds = 0;
	size_t len = hello(fb, NULL);

	seqpacket_pair(sv);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &want), 0);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, &fd, 1), 0);
	close(fd);
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, fds,
					CRL_FDS_MAX, &nfds), (ssize_t)len);
	ck_assert_uint_eq(nfds, 1);
	ck_assert_int_eq(fstat(fds[0], &got), 0);
	ck_assert_uint_eq(got.st_ino, want.st_ino);
	ck_assert_uint_eq(got.st_dev, want.st_dev);
	/* Received close-on-exec. */
	ck_assert_int_ne(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
	close(fds[0]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Send nsend descriptors, receive with max_fds; expect code, no leak. */
static void refuse_fds(unsigned int nsend, unsigned int max_fds, size_t len)
{
	int sv[2], out[8], in[8];
	unsigned int i, nfds = 99;
	int before;

	seqpacket_pair(sv);
	for (i = 0; i < nsend; i++) {
		out[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(out[i], 0);
	}
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, out, nsend), 0);
	for (i = 0; i < nsend; i++)
		close(out[i]);
	before = count_fds();
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, in, max_fds,
					&nfds), CRL_E_FDS);
	ck_assert_uint_eq(nfds, 0);
	ck_assert_int_eq(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

START_TEST(test_wire_fds_refused)
{
	size_t len = hello(fb, NULL);

	refuse_fds(1, 0, len);
	refuse_fds(3, 0, len);
	refuse_fds(3, 2, len);
	refuse_fds(8, CRL_FDS_MAX, len);
}
END_TEST

/* SO_PASSCRED adds SCM_CREDENTIALS: only SCM_RIGHTS is accepted. */
START_TEST(test_wire_passcred_refused)
{
	int sv[2], one = 1;
	unsigned int nfds;
	size_t len = hello(fb, NULL);

	seqpacket_pair(sv);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one,
				    sizeof(one)), 0);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, NULL, 0), 0);
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, NULL, 0,
					&nfds), CRL_E_FDS);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* crl_recv_frame_cred(): the sender's credentials come back, from the
 * kernel; a descriptor still fails the frame (and is closed). */
START_TEST(test_wire_cred)
{
	struct ucred cr;
	int sv[2], one = 1, fd;
	size_t len = hello(fb, NULL);

	seqpacket_pair(sv);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one,
				    sizeof(one)), 0);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, NULL, 0), 0);
	ck_assert_int_eq(crl_recv_frame_cred(sv[1], rb, CRL_FRAME_MAX, &cr),
			 (ssize_t)len);
	ck_assert_int_eq(cr.pid, getpid());
	ck_assert_uint_eq(cr.uid, getuid());
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, &fd, 1), 0);
	close(fd);
	ck_assert_int_eq(crl_recv_frame_cred(sv[1], rb, CRL_FRAME_MAX, &cr),
			 CRL_E_FDS);
	close(sv[0]);
	ck_assert_int_eq(crl_recv_frame_cred(sv[1], rb, CRL_FRAME_MAX, &cr), 0);
	close(sv[1]);
}
END_TEST

/* sendmsg() without crl_send_frame()'s checks, with one descriptor. */
static ssize_t send_raw(int sock, void *data, size_t len, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr mh;
	struct cmsghdr *c;

	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	c = CMSG_FIRSTHDR(&mh);
	ck_assert_ptr_nonnull(c);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return sendmsg(sock, &mh, 0);
}

/* A datagram larger than the buffer is reported, its descriptors closed,
 * and the next frame still arrives whole. */
START_TEST(test_wire_truncated)
{
	static uint8_t big[CRL_FRAME_MAX + 100];
	int sv[2], fd, fds[CRL_FDS_MAX], before;
	unsigned int nfds = 99;
	size_t len = hello(fb, "after");

	seqpacket_pair(sv);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(send_raw(sv[0], big, sizeof(big), fd),
			 (ssize_t)sizeof(big));
	close(fd);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, len, NULL, 0), 0);
	before = count_fds();
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, fds,
					CRL_FDS_MAX, &nfds), CRL_E_TRUNCATED);
	ck_assert_uint_eq(nfds, 0);
	ck_assert_int_eq(count_fds(), before);
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, fds,
					CRL_FDS_MAX, &nfds), (ssize_t)len);
	ck_assert_mem_eq(rb, fb, len);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_wire_eof)
{
	int sv[2], fd, before;
	unsigned int nfds = 99;

	seqpacket_pair(sv);
	/* An empty datagram reads as EOF; its descriptors are closed. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(send_raw(sv[0], fb, 0, fd), 0);
	close(fd);
	before = count_fds();
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, &fd, 1,
					&nfds), 0);
	ck_assert_uint_eq(nfds, 0);
	ck_assert_int_eq(count_fds(), before);
	close(sv[0]);
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, NULL, 0,
					&nfds), 0);
	close(sv[1]);
}
END_TEST

START_TEST(test_wire_errors)
{
	int sv[2], fd = 0;
	unsigned int nfds;

	seqpacket_pair(sv);
	errno = 0;
	ck_assert_int_eq(crl_send_frame(sv[0], fb, CRL_FRAME_MAX + 1, NULL, 0),
			 -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, 0, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(crl_send_frame(sv[0], fb, 16, NULL, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(crl_recv_frame(sv[1], rb, CRL_FRAME_MAX, NULL, 1,
					&nfds), CRL_E_INVALID);
	ck_assert_int_eq(crl_recv_frame(sv[1], NULL, 0, &fd, 1, &nfds),
			 CRL_E_INVALID);
	close(sv[1]);
	/* Peer gone: EPIPE, and no SIGPIPE kills the test. */
	ck_assert_int_eq(crl_send_frame(sv[0], fb, 16, NULL, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(crl_recv_frame(-1, rb, CRL_FRAME_MAX, NULL, 0, &nfds),
			 CRL_E_IO);
	ck_assert_int_eq(errno, EBADF);
	close(sv[0]);
}
END_TEST

/* ------------------------------------------------------------ main */

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_short_header);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_bad_version);
	tcase_add_test(tc, test_length_mismatch);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_unknown_type);
	tcase_add_test(tc, test_misaligned);
	tcase_add_test(tc, test_attr_data_overrun);
	tcase_add_test(tc, test_attr_header_overrun);
	tcase_add_test(tc, test_list_item_padding_overrun);
	tcase_add_test(tc, test_attr_zero_len);
	tcase_add_test(tc, test_attr_unknown);
	tcase_add_test(tc, test_attr_flag_bits);
	tcase_add_test(tc, test_attr_duplicate);
	tcase_add_test(tc, test_attr_missing);
	tcase_add_test(tc, test_attr_size);
	tcase_add_test(tc, test_str_unterminated);
	tcase_add_test(tc, test_str_embedded_nul);
	tcase_add_test(tc, test_str_empty_ok);
	tcase_add_test(tc, test_str_too_long);
	tcase_add_test(tc, test_path_too_long);
	tcase_add_test(tc, test_list_limits);
	tcase_add_test(tc, test_list_items);
	tcase_add_test(tc, test_bad_padding);
	tcase_add_test(tc, test_trailing_bytes);
	tcase_add_test(tc, test_getters);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, test_roundtrip_hello);
	tcase_add_test(tc, test_roundtrip_ping);
	tcase_add_test(tc, test_roundtrip_policy_digest);
	tcase_add_test(tc, test_roundtrip_error);
	tcase_add_test(tc, test_error_encoder);
	tcase_add_test(tc, test_roundtrip_lists);
	tcase_add_test(tc, test_encoder_space);
	tcase_add_test(tc, test_encoder_frame_max);
	tcase_add_test(tc, test_encoder_padding_zeroed);
	tcase_add_test(tc, test_encoder_invalid);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_names_and_schemas);
	suite_add_tcase(s, tc);

	tc = tcase_create("file operations");
	tcase_add_test(tc, test_fs_schema_contract);
	tcase_add_test(tc, test_reserved_types);
	tcase_add_test(tc, test_fs_names);
	tcase_add_test(tc, test_roundtrip_fs_requests);
	tcase_add_test(tc, test_roundtrip_fs_replies);
	tcase_add_test(tc, test_fs_schema_refusals);
	tcase_add_test(tc, test_entries_errors);
	tcase_add_test(tc, test_entries_name_limits);
	tcase_add_test(tc, test_entries_layout);
	tcase_add_test(tc, test_entries_encoder);
	tcase_add_test(tc, test_entries_paging);
	tcase_add_test(tc, test_entries_iterator);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_random_mutations, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("wire");
	tcase_add_test(tc, test_wire_roundtrip);
	tcase_add_test(tc, test_wire_frame_max);
	tcase_add_test(tc, test_wire_fd_passing);
	tcase_add_test(tc, test_wire_fds_refused);
	tcase_add_test(tc, test_wire_passcred_refused);
	tcase_add_test(tc, test_wire_cred);
	tcase_add_test(tc, test_wire_truncated);
	tcase_add_test(tc, test_wire_eof);
	tcase_add_test(tc, test_wire_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
