/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corral wire protocol: framed messages over a SOCK_SEQPACKET Unix socket.
 *
 * One datagram carries exactly one frame:
 *
 *   offset size  field
 *        0    4  magic        CRL_MAGIC (bytes 'C' 'R' 'L' 0x01 on the wire)
 *        4    2  version      CRL_PROTO_VERSION
 *        6    2  type         message type (enum crl_msg_type), | CRL_MSG_REPLY
 *        8    4  request_id   chosen by the client, echoed in the reply
 *       12    4  payload_len  bytes of attributes that follow; must equal
 *                             datagram length - 16
 *       16    -  attributes
 *
 * All integers are in host byte order (the socket is local, as in netlink).
 * Attributes use the netlink attribute layout (struct nlattr): u16 nla_len
 * (header + data, without padding), u16 nla_type, data, then zero padding
 * to a multiple of 4.  Every attribute, the last included, is padded.
 *
 * Decoding is strict: a frame is checked against the schema of its message
 * type; an unknown attribute, a duplicate, a missing required one, a value of
 * the wrong size, a string without its terminating NUL or with an embedded
 * NUL, non-zero padding or trailing bytes are all errors, each with its own
 * code.  Nothing is skipped or ignored.  See corral-protocol(7).
 */
#ifndef CORRAL_PROTO_H
#define CORRAL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CRL_MAGIC            0x014c5243u /* "CRL\1" read as little-endian */
#define CRL_PROTO_VERSION    1
#define CRL_HDR_LEN          16
#define CRL_FRAME_MAX        65536  /* whole datagram, header included */
#define CRL_PAYLOAD_MAX      (CRL_FRAME_MAX - CRL_HDR_LEN)
#define CRL_PATH_MAX         4096   /* bytes, terminating NUL excluded */
#define CRL_STRING_MAX       4096   /* any other string attribute */
#define CRL_LIST_MAX         256    /* entries in an argv or env list */
#define CRL_ATTR_HDR_LEN     4
#define CRL_ALIGN(n)         (((n) + 3u) & ~3u)
#define CRL_FDS_MAX          3      /* fds in one reply (stdin/out/err) */

/* Message types.  A reply carries the request's type | CRL_MSG_REPLY. */
enum crl_msg_type {
	CRL_MSG_HELLO = 1,          /* version negotiation, must come first */
	CRL_MSG_PING = 2,           /* liveness: echoes CRL_A_DATA if given */
	CRL_MSG_POLICY_DIGEST = 3,  /* SHA-256 of the loaded policy */
	CRL_MSG_CREATE = 4,         /* make a project's home (idempotent):
				     * PROJECT; reply: UID GID */
	/* Project lifecycle (DESIGN 3).  See corral-protocol(7). */
	CRL_MSG_START = 5,          /* PROJECT, ARGV opt (default: the
				     * policy's command); reply: PID STARTED */
	CRL_MSG_EXEC = 6,           /* PROJECT ARGV, ENV CWD FLAGS(TTY)
				     * TIMEOUT opt; first reply: PID and the
				     * fds (stdin stdout stderr, or one pty
				     * master); second reply: EXIT */
	CRL_MSG_STOP = 7,           /* PROJECT, GRACE opt (seconds) */
	CRL_MSG_STATUS = 8,         /* PROJECT; reply: RUNNING, and when
				     * running PID STARTED PIDS MEMORY CPU */
	CRL_MSG_LIST = 9,           /* reply: PROJECTS (running ones); FLAGS
				     * MORE when further replies follow */
	/* File operations in one project's home (DESIGN 3), all PROJECT+PATH
	 * but COMMIT and ABORT (TOKEN only); replies are empty unless said */
	CRL_MSG_FS_MKDIR = 10,      /* MODE opt, FLAGS opt: PARENTS */
	CRL_MSG_FS_UNLINK = 11,
	CRL_MSG_FS_RMDIR = 12,
	CRL_MSG_FS_RENAME = 13,     /* PATH -> PATH2, FLAGS opt: NOREPLACE */
	CRL_MSG_FS_LINK = 14,       /* hard link: existing PATH, new PATH2 */
	CRL_MSG_FS_SYMLINK = 15,    /* new link PATH containing TARGET */
	CRL_MSG_FS_CHMOD = 16,      /* MODE (no setuid/setgid bits) */
	CRL_MSG_FS_TRUNCATE = 17,   /* SIZE */
	CRL_MSG_FS_COPY = 18,       /* regular file PATH -> PATH2, FLAGS: NOREPLACE */
	CRL_MSG_FS_RM = 19,         /* FLAGS opt: RECURSIVE, FORCE */
	CRL_MSG_FS_UTIMES = 20,     /* ATIME, MTIME opt (ns since the epoch;
				     * absent: now) */
	CRL_MSG_FS_STAT = 21,       /* reply: FILE_TYPE MODE UID GID SIZE
				     * NLINK ATIME MTIME CTIME */
	CRL_MSG_FS_LIST = 22,       /* reply: ENTRIES; FLAGS MORE when further
				     * replies with the same id follow */
	CRL_MSG_FS_OPEN_READ = 23,  /* reply: SIZE, one fd (read-only) */
	CRL_MSG_FS_OPEN_WRITE = 24, /* FLAGS: CREATE TRUNC APPEND EXCL, MODE
				     * opt; reply: one fd (write-only) */
	CRL_MSG_FS_REPLACE = 25,    /* atomic replace of PATH, MODE opt; reply:
				     * TOKEN, one fd of an unnamed file */
	CRL_MSG_FS_COMMIT = 26,     /* TOKEN: the file takes PATH's place */
	CRL_MSG_FS_ABORT = 27,      /* TOKEN: the file is discarded */
	CRL_MSG_TYPE_MAX_ = 28,     /* one past the last known request type */
};

/* CRL_A_FLAGS bits.  A request with a bit its operation does not take is
 * refused with EINVAL. */
#define CRL_FS_PARENTS      0x001u  /* mkdir -p */
#define CRL_FS_NOREPLACE    0x002u  /* rename, copy: fail with EEXIST */
#define CRL_FS_RECURSIVE    0x004u  /* rm -r */
#define CRL_FS_FORCE        0x008u  /* rm -f: a missing path is success */
#define CRL_FS_CREATE       0x010u  /* open_write: O_CREAT */
#define CRL_FS_TRUNC        0x020u  /* open_write: O_TRUNC */
#define CRL_FS_APPEND       0x040u  /* open_write: O_APPEND */
#define CRL_FS_EXCL         0x080u  /* open_write: O_EXCL (with CREATE) */
#define CRL_FS_MORE         0x100u  /* list reply: more replies follow */
#define CRL_EXEC_TTY        0x200u  /* exec: a pty instead of three pipes */

/* CRL_A_FILE_TYPE and the type field of a list entry. */
enum crl_file_type {
	CRL_FT_UNKNOWN = 0, CRL_FT_REG = 1, CRL_FT_DIR = 2, CRL_FT_LNK = 3,
	CRL_FT_FIFO = 4, CRL_FT_SOCK = 5, CRL_FT_CHR = 6, CRL_FT_BLK = 7,
};

/* One CRL_A_ENTRY of a list reply: this fixed part (host byte order),
 * then the name, NUL-terminated, 1-255 bytes, no '/', no embedded NUL. */
struct crl_entry_hdr {
	uint32_t type;              /* enum crl_file_type */
	uint32_t mode;              /* permission bits */
	uint64_t size;
	uint64_t mtime_ns;
};
#define CRL_ENTRY_NAME_MAX 255
#define CRL_ENTRY_HDR_LEN  24       /* sizeof(struct crl_entry_hdr) */
/* Bytes one entry with a name of n bytes takes in a frame, padding and
 * attribute header included. */
#define CRL_ENTRY_SPACE(n) \
	CRL_ALIGN(CRL_ATTR_HDR_LEN + CRL_ENTRY_HDR_LEN + (n) + 1u)
#define CRL_MSG_REPLY        0x8000u

/* Attribute types.  One numbering for all messages; which attributes a
 * message may carry is fixed by its schema (proto.c). */
enum crl_attr_type {
	CRL_A_UNSPEC = 0,           /* never valid on the wire */
	CRL_A_VERSION_MIN = 1,      /* u32: lowest version the client speaks */
	CRL_A_VERSION_MAX = 2,      /* u32: highest version the client speaks */
	CRL_A_VERSION = 3,          /* u32: version chosen by the helper */
	CRL_A_ERRNO = 4,            /* u32: errno of a failed request */
	CRL_A_MESSAGE = 5,          /* string: short human-readable reason */
	CRL_A_CLIENT = 6,           /* string: client name, for the audit log */
	CRL_A_SERVER = 7,           /* string: helper name and version */
	CRL_A_DATA = 8,             /* bytes: opaque payload (ping) */
	CRL_A_DIGEST = 9,           /* 32 bytes: SHA-256 */
	CRL_A_DIGEST_ALG = 10,      /* string: "sha256" */
	CRL_A_PROJECT = 11,         /* string: project id (UUID) */
	CRL_A_PATH = 12,            /* path: relative path in a home */
	CRL_A_PATH2 = 13,           /* path: second path (rename, link) */
	CRL_A_ARGV = 14,            /* list of strings (nested CRL_A_ITEM) */
	CRL_A_ENV = 15,             /* list of strings (nested CRL_A_ITEM) */
	CRL_A_ITEM = 16,            /* string: one entry inside a list */
	CRL_A_FLAGS = 17,           /* u32: CRL_FS_* bits */
	CRL_A_MODE = 18,            /* u32: permission bits */
	CRL_A_SIZE = 19,            /* u64: bytes */
	CRL_A_ATIME = 20,           /* u64: ns since the epoch */
	CRL_A_MTIME = 21,           /* u64: ns since the epoch */
	CRL_A_CTIME = 22,           /* u64: ns since the epoch */
	CRL_A_UID = 23,             /* u32 */
	CRL_A_GID = 24,             /* u32 */
	CRL_A_FILE_TYPE = 25,       /* u32: enum crl_file_type */
	CRL_A_NLINK = 26,           /* u32 */
	CRL_A_TARGET = 27,          /* path: a symlink's content, verbatim */
	CRL_A_ENTRIES = 28,         /* nested CRL_A_ENTRY attributes */
	CRL_A_ENTRY = 29,           /* struct crl_entry_hdr + name */
	CRL_A_TOKEN = 30,           /* u32: names a pending atomic replace */
	CRL_A_PID = 31,             /* u32: a host pid (start: the project's
				     * init; exec: the command) */
	CRL_A_EXIT = 32,            /* u32: wait status, as waitpid() gives */
	CRL_A_CWD = 33,             /* path: absolute, inside the sandbox */
	CRL_A_GRACE = 34,           /* u32: seconds between SIGTERM and SIGKILL */
	CRL_A_TIMEOUT = 35,         /* u32: seconds before the command is
				     * killed (0: none) */
	CRL_A_RUNNING = 36,         /* u32: 1 running, 0 not */
	CRL_A_STARTED = 37,         /* u64: start time, ns since the epoch */
	CRL_A_PIDS = 38,            /* u32: processes in the project now */
	CRL_A_MEMORY = 39,          /* u64: bytes charged to the project */
	CRL_A_CPU = 40,             /* u64: cpu time used, ns */
	CRL_A_PROJECTS = 41,        /* list of strings: project ids */
	CRL_A_ATTR_MAX_ = 42,       /* one past the last known attribute */
};

/* Value kinds a schema can demand of an attribute. */
enum crl_kind {
	CRL_K_NONE = 0,
	CRL_K_U32,      /* exactly 4 bytes */
	CRL_K_U64,      /* exactly 8 bytes */
	CRL_K_STRING,   /* NUL-terminated, no embedded NUL, <= CRL_STRING_MAX */
	CRL_K_PATH,     /* as STRING, but <= CRL_PATH_MAX */
	CRL_K_BYTES,    /* any length that fits the frame */
	CRL_K_DIGEST,   /* exactly 32 bytes */
	CRL_K_LIST,     /* nested CRL_A_ITEM strings, <= CRL_LIST_MAX entries */
	CRL_K_ENTRIES,  /* nested CRL_A_ENTRY values (see crl_entry_hdr) */
};

/* Decoding errors: each way a frame can be wrong has its own code. */
enum crl_proto_err {
	CRL_OK = 0,
	CRL_E_SHORT_HEADER = -1,    /* datagram shorter than the header */
	CRL_E_BAD_MAGIC = -2,
	CRL_E_BAD_VERSION = -3,
	CRL_E_LENGTH_MISMATCH = -4, /* payload_len != datagram length - 16 */
	CRL_E_OVERSIZED = -5,       /* frame larger than CRL_FRAME_MAX */
	CRL_E_UNKNOWN_TYPE = -6,    /* message type without a schema */
	CRL_E_MISALIGNED = -7,      /* payload or attribute not 4-aligned */
	CRL_E_ATTR_TRUNCATED = -8,  /* attribute header or data overruns */
	CRL_E_ATTR_ZERO_LEN = -9,   /* nla_len < 4 (no room for a header) */
	CRL_E_ATTR_UNKNOWN = -10,   /* attribute not in the message's schema */
	CRL_E_ATTR_DUPLICATE = -11,
	CRL_E_ATTR_MISSING = -12,   /* required attribute absent */
	CRL_E_ATTR_SIZE = -13,      /* fixed-size value of the wrong size */
	CRL_E_STR_UNTERMINATED = -14,
	CRL_E_STR_EMBEDDED_NUL = -15,
	CRL_E_STR_TOO_LONG = -16,   /* string longer than CRL_STRING_MAX */
	CRL_E_PATH_TOO_LONG = -17,  /* path longer than CRL_PATH_MAX */
	CRL_E_LIST_TOO_LONG = -18,  /* more than CRL_LIST_MAX entries */
	CRL_E_BAD_PADDING = -19,    /* non-zero padding byte */
	CRL_E_NO_SPACE = -20,       /* encoder: frame would exceed the limit */
	CRL_E_FDS = -21,            /* unexpected or malformed ancillary data */
	CRL_E_TRUNCATED = -22,      /* datagram cut by the kernel (MSG_TRUNC) */
	CRL_E_INVALID = -23,        /* encoder: invalid argument */
	CRL_E_IO = -24,             /* socket error: see errno */
	/* Decoding errors inside CRL_K_ENTRIES (a value shorter than the
	 * fixed part is CRL_E_ATTR_SIZE; the name's NUL rules are those of
	 * strings: CRL_E_STR_UNTERMINATED, CRL_E_STR_EMBEDDED_NUL). */
	CRL_E_ENTRY_NAME = -25,     /* name empty, ".", ".." or with a '/' */
	CRL_E_ENTRY_NAME_TOO_LONG = -26, /* name over CRL_ENTRY_NAME_MAX */
	CRL_E_ENTRY_FIELD = -27,    /* type not a crl_file_type, or mode
				     * above 07777 */
};
/* The decoder's codes are CRL_E_SHORT_HEADER..CRL_E_BAD_PADDING and
 * CRL_E_ENTRY_NAME..CRL_E_ENTRY_FIELD; the others come from the encoder
 * and the socket layer. */
#define CRL_E_LAST CRL_E_ENTRY_FIELD

/* A decoded attribute value: points into the frame buffer. */
struct crl_attr_val {
	const void *data;           /* value bytes (string: includes the NUL) */
	uint16_t len;               /* value length (string: includes the NUL) */
	uint16_t present;
};

/* A decoded list (argv, env): pointers into the frame buffer. */
struct crl_list {
	const char *item[CRL_LIST_MAX];
	unsigned int count;
};

/* A decoded frame.  Valid only as long as the buffer it came from. */
struct crl_msg {
	uint16_t type;              /* without CRL_MSG_REPLY */
	uint16_t is_reply;
	uint32_t request_id;
	struct crl_attr_val attr[CRL_A_ATTR_MAX_];
	int attr_bad;               /* on error: attribute type involved, or -1 */
};

/* Decode one datagram of len bytes.  Returns CRL_OK or a CRL_E_* code; on
 * error *msg holds whatever header fields were read (request_id is valid
 * once the header is), so the caller can address its error reply, and no
 * attribute.  attr_bad names the top-level attribute at fault (for an error
 * inside a list: the list attribute), or is -1.  A reply carrying
 * CRL_A_ERRNO is checked against the error-reply schema. */
int crl_decode(const void *buf, size_t len, struct crl_msg *msg);

/* The direction-checked forms the two ends should use: a request decoded by
 * crl_decode_request() is never a reply (and a reply never a request); the
 * wrong direction fails with CRL_E_UNKNOWN_TYPE. */
int crl_decode_request(const void *buf, size_t len, struct crl_msg *msg);
int crl_decode_reply(const void *buf, size_t len, struct crl_msg *msg);
/* Nonzero for a decoded error reply (one carrying CRL_A_ERRNO). */
int crl_msg_is_error(const struct crl_msg *msg);

/* A message schema: for each attribute type, its kind (CRL_K_NONE: not
 * allowed) and whether it is required.  proto.c holds one per request, one
 * per reply and one for error replies. */
struct crl_attr_rule {
	uint8_t kind;               /* enum crl_kind */
	uint8_t required;
};
struct crl_schema {
	const char *name;
	struct crl_attr_rule attr[CRL_A_ATTR_MAX_];
};
/* The schema crl_decode() applies to a frame of this type and direction
 * (is_error: a reply carrying CRL_A_ERRNO), or NULL for an unknown type. */
const struct crl_schema *crl_schema_lookup(unsigned int type, int is_reply,
					   int is_error);
/* Decode against an explicit schema instead of the one of the frame's type
 * (the type is then not checked).  For tests, fuzzing and new messages. */
int crl_decode_schema(const void *buf, size_t len,
		      const struct crl_schema *schema, struct crl_msg *msg);

/* Typed getters, valid after a successful crl_decode (the schema has
 * already checked sizes).  Absent attributes give 0 / NULL. */
int crl_msg_has(const struct crl_msg *msg, enum crl_attr_type a);
uint32_t crl_msg_u32(const struct crl_msg *msg, enum crl_attr_type a);
uint64_t crl_msg_u64(const struct crl_msg *msg, enum crl_attr_type a);
const char *crl_msg_str(const struct crl_msg *msg, enum crl_attr_type a);
const void *crl_msg_bytes(const struct crl_msg *msg, enum crl_attr_type a,
			  size_t *len);
/* Fill *out from a list attribute; returns the number of entries. */
unsigned int crl_msg_list(const struct crl_msg *msg, enum crl_attr_type a,
			  struct crl_list *out);
/*
 * Walk the CRL_A_ENTRIES of a decoded list reply.  *off starts at 0 and is
 * advanced past each entry.  Returns 1 with *hdr and *name (pointing into
 * the frame buffer) filled, 0 after the last entry (or when the message has
 * no CRL_A_ENTRIES), or a negative CRL_E_* code for a malformed value,
 * which crl_decode() would already have refused.
 */
int crl_entries_next(const struct crl_msg *msg, size_t *off,
		     struct crl_entry_hdr *hdr, const char **name);

/* Encoder: builds one frame in a caller-owned buffer of CRL_FRAME_MAX. */
struct crl_enc {
	uint8_t *buf;
	size_t cap;                 /* capacity of buf, <= CRL_FRAME_MAX */
	size_t len;                 /* bytes used, header included */
	size_t list_start;          /* offset of an open list, or 0 */
	int err;                    /* first error; later puts are no-ops */
};

void crl_enc_init(struct crl_enc *e, void *buf, size_t cap, uint16_t type,
		  uint32_t request_id);
void crl_put_u32(struct crl_enc *e, enum crl_attr_type a, uint32_t v);
void crl_put_u64(struct crl_enc *e, enum crl_attr_type a, uint64_t v);
void crl_put_str(struct crl_enc *e, enum crl_attr_type a, const char *s);
void crl_put_bytes(struct crl_enc *e, enum crl_attr_type a, const void *p,
		   size_t n);
/* A list: crl_list_begin(), then its members, then crl_list_end().  Lists
 * do not nest.  Inside CRL_A_ENTRIES only crl_put_entry() is allowed,
 * inside any other list only CRL_A_ITEM strings. */
void crl_list_begin(struct crl_enc *e, enum crl_attr_type a);
void crl_list_end(struct crl_enc *e);
/* One CRL_A_ENTRY: the fixed part, then name with its NUL.  A name or a
 * field the decoder would refuse makes the encoder fail (CRL_E_INVALID). */
void crl_put_entry(struct crl_enc *e, const struct crl_entry_hdr *hdr,
		   const char *name);
/* Bytes still free in the frame (0 once a put has failed): a reply that
 * spans frames compares this with CRL_ENTRY_SPACE() before each entry. */
size_t crl_enc_room(const struct crl_enc *e);
/* Write payload_len into the header; returns the frame length or a
 * CRL_E_* code if any put failed. */
ssize_t crl_enc_finish(struct crl_enc *e);

/* Encode an error reply (type | CRL_MSG_REPLY, CRL_A_ERRNO, CRL_A_MESSAGE). */
ssize_t crl_enc_error(void *buf, size_t cap, uint16_t type,
		      uint32_t request_id, int err, const char *message);

/* Short English text for a CRL_E_* code ("attribute not allowed here"). */
const char *crl_proto_strerror(int code);
/* errno value that best describes a CRL_E_* code (EBADMSG, E2BIG, ...). */
int crl_proto_errno(int code);
/* Name of a message type ("hello"), or NULL when unknown. */
const char *crl_msg_name(unsigned int type);

/*
 * Socket I/O (common/wire.c).  Both sides use SOCK_SEQPACKET, so one
 * sendmsg is one frame.  crl_recv_frame() receives into buf (CRL_FRAME_MAX
 * bytes), detects truncation (MSG_TRUNC/MSG_CTRUNC) and collects at most
 * max_fds descriptors (SCM_RIGHTS) into fds; any descriptors beyond that, or
 * any when max_fds == 0, are closed and the call fails with CRL_E_FDS.
 * Returns the datagram length, 0 at EOF, or a negative CRL_E_* code
 * (CRL_E_IO with errno set for a socket error).
 */
ssize_t crl_recv_frame(int sock, void *buf, size_t cap, int *fds,
		       unsigned int max_fds, unsigned int *nfds);
/* crl_recv_frame() without descriptors, for a socket with SO_PASSCRED:
 * *cr gets the sender's credentials (all zero if none came). */
struct ucred;
ssize_t crl_recv_frame_cred(int sock, void *buf, size_t cap,
			    struct ucred *cr);
/* Send one frame, with nfds descriptors attached (SCM_RIGHTS).  Returns 0,
 * or -1 with errno set. */
int crl_send_frame(int sock, const void *buf, size_t len, const int *fds,
		   unsigned int nfds);

#endif
