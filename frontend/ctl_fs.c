/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl fs PROJECT OP ARGS...: file operations in a project's home,
 * with the coreutils order of arguments (DESIGN §5, a stable contract).
 *
 * corralctl checks only the shape of a command line: known options, the
 * number of operands, the syntax of a mode, size or time.  The project id
 * and the paths go to the helper verbatim, without any check here: the
 * helper is the one place that judges them, and the integration tests
 * depend on reaching it with bad ones.
 *
 * Each op is described by a table entry; parsing ends before connecting,
 * so a usage error (exit 2) never reaches the helper.  Most ops are one
 * request and print nothing; these do more:
 *   touch  utimes; on ENOENT, open_write(CREATE) then utimes again
 *   stat   prints the reply as "key: value" lines
 *   ls     collects entries over the replies announced by CRL_FS_MORE
 *   cat    (ctl_data.c) copies the descriptor of open_read to stdout
 *   put    (ctl_data.c) atomic replace from stdin: commit or abort
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/escape.h"
#include "frontend/ctl_fs.h"
#include "frontend/ctl_parse.h"

struct fs_op {
	const char *name;
	const char *usage;          /* what follows the name */
	enum crl_msg_type type;
	const char *shortopts;
	const struct option *longopts;
	/* one option; 0, or CTL_EXIT_USAGE after printing why */
	int (*option)(struct fs *f, int c, const char *arg);
	unsigned int min_operands, max_operands;
	int (*operands)(struct fs *f, char **v, unsigned int n);
	int (*run)(struct fs *f);   /* NULL: one request, no output */
};

/* ------------------------------------------------------------ messages */

int fs_fail_why(const struct fs *f, const char *why)
{
	char a[CRL_ESCAPE_OUT_MAX], b[CRL_ESCAPE_OUT_MAX];

	if (f->shown[1])
		fprintf(stderr, "corralctl: %s %s %s: %s\n", f->op->name,
			crl_escape_text(f->shown[0], a),
			crl_escape_text(f->shown[1], b), why);
	else
		fprintf(stderr, "corralctl: %s %s: %s\n", f->op->name,
			crl_escape_text(f->shown[0], a), why);
	return CTL_EXIT_FAIL;
}

int fs_fail(const struct fs *f)
{
	char why[512];

	return fs_fail_why(f, ctl_reason(&f->t->client, why, sizeof(why)));
}

int fs_fail_errno(const struct fs *f, int err, const char *doing)
{
	char why[512];

	snprintf(why, sizeof(why), "%s (%s)", strerror(err), doing);
	return fs_fail_why(f, why);
}

static int usage_error(const struct fs *f, const char *why, const char *what)
{
	char esc[CRL_ESCAPE_OUT_MAX];

	if (what)
		fprintf(stderr, "corralctl: fs %s: %s: %s\n", f->op->name, why,
			crl_escape_text(what, esc));
	else
		fprintf(stderr, "corralctl: fs %s: %s\n", f->op->name, why);
	fprintf(stderr, "usage: corralctl fs PROJECT %s %s\n", f->op->name,
		f->op->usage);
	return CTL_EXIT_USAGE;
}

/* ------------------------------------------------------------ requests */

void fs_encode(struct fs *f, struct crl_enc *e, enum crl_msg_type type)
{
	const struct fs_args *a = &f->a;

	crl_client_begin(&f->t->client, e, (uint16_t)type);
	crl_put_str(e, CRL_A_PROJECT, f->project);
	if (a->path)
		crl_put_str(e, CRL_A_PATH, a->path);
	if (a->path2)
		crl_put_str(e, CRL_A_PATH2, a->path2);
	if (a->target)
		crl_put_str(e, CRL_A_TARGET, a->target);
	if (a->flags)
		crl_put_u32(e, CRL_A_FLAGS, a->flags);
	if (a->has_mode)
		crl_put_u32(e, CRL_A_MODE, a->mode);
	if (a->has_size)
		crl_put_u64(e, CRL_A_SIZE, a->size);
	if (a->has_time) {
		crl_put_u64(e, CRL_A_ATIME, a->time_ns);
		crl_put_u64(e, CRL_A_MTIME, a->time_ns);
	}
}

int fs_call_fd(struct fs *f, struct crl_enc *e, struct crl_msg *m, int *fd)
{
	unsigned int n = 0;

	if (crl_client_call_fds(&f->t->client, e, m, fd, 1, &n) < 0)
		return fs_fail(f);
	if (n != 1)
		return fs_fail_why(f, "Protocol error (reply carries no file descriptor)");
	return 0;
}

static int run_simple(struct fs *f)
{
	struct crl_enc e;
	struct crl_msg m;

	fs_encode(f, &e, f->type);
	if (crl_client_call(&f->t->client, &e, &m) < 0)
		return fs_fail(f);
	return 0;
}

/* touch: like coreutils, set the times of an existing file (which needs
 * no write permission) and create only a missing one. */
static int run_touch(struct fs *f)
{
	struct crl_client *c = &f->t->client;
	struct crl_enc e;
	struct crl_msg m;
	int fd, rc;

	fs_encode(f, &e, CRL_MSG_FS_UTIMES);
	if (crl_client_call(c, &e, &m) == 0)
		return 0;
	if (c->remote_errno != ENOENT)
		return fs_fail(f);
	crl_client_begin(c, &e, CRL_MSG_FS_OPEN_WRITE);
	crl_put_str(&e, CRL_A_PROJECT, f->project);
	crl_put_str(&e, CRL_A_PATH, f->a.path);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_CREATE);
	rc = fs_call_fd(f, &e, &m, &fd);
	if (rc)
		return rc;
	close(fd);
	/* a fresh file already has both times "now" */
	return f->a.has_time ? run_simple(f) : 0;
}

/* ------------------------------------------------------------ stat */

static const char *type_name(uint32_t t)
{
	static const char *const names[] = {
		[CRL_FT_UNKNOWN] = "unknown", [CRL_FT_REG] = "regular",
		[CRL_FT_DIR] = "directory", [CRL_FT_LNK] = "symlink",
		[CRL_FT_FIFO] = "fifo", [CRL_FT_SOCK] = "socket",
		[CRL_FT_CHR] = "char-device", [CRL_FT_BLK] = "block-device",
	};

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* One letter per type, as find -printf %y prints them. */
static char type_char(uint32_t t)
{
	static const char chars[] = "?fdlpscb";

	return t < sizeof(chars) - 1 ? chars[t] : '?';
}

static int run_stat(struct fs *f)
{
	struct crl_enc e;
	struct crl_msg m;
	char tb[3][CTL_TIME_BUF];

	fs_encode(f, &e, CRL_MSG_FS_STAT);
	if (crl_client_call(&f->t->client, &e, &m) < 0)
		return fs_fail(f);
	printf("type: %s\nmode: %04o\nuid: %u\ngid: %u\nsize: %llu\n"
	       "nlink: %u\natime: %s\nmtime: %s\nctime: %s\n",
	       type_name(crl_msg_u32(&m, CRL_A_FILE_TYPE)),
	       crl_msg_u32(&m, CRL_A_MODE), crl_msg_u32(&m, CRL_A_UID),
	       crl_msg_u32(&m, CRL_A_GID),
	       (unsigned long long)crl_msg_u64(&m, CRL_A_SIZE),
	       crl_msg_u32(&m, CRL_A_NLINK),
	       ctl_format_time(crl_msg_u64(&m, CRL_A_ATIME), tb[0]),
	       ctl_format_time(crl_msg_u64(&m, CRL_A_MTIME), tb[1]),
	       ctl_format_time(crl_msg_u64(&m, CRL_A_CTIME), tb[2]));
	return 0;
}

/* ------------------------------------------------------------ ls */

struct ls_entry {
	struct crl_entry_hdr h;
	char *name;
};

struct ls_list {
	struct ls_entry *v;
	size_t n, cap;
};

static int ls_add(struct ls_list *l, const struct crl_entry_hdr *h,
		  const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct ls_entry *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = strdup(name);
	if (!l->v[l->n].name)
		return -1;
	l->v[l->n++].h = *h;
	return 0;
}

/* The entries of one reply into l: NULL, or a reason. */
static const char *ls_collect(struct ls_list *l, const struct crl_msg *m)
{
	struct crl_entry_hdr h;
	const char *name;
	size_t off = 0;
	int r;

	while ((r = crl_entries_next(m, &off, &h, &name)) > 0)
		if (ls_add(l, &h, name) < 0)
			return strerror(ENOMEM);
	return r < 0 ? "Bad message (malformed directory entry)" : NULL;
}

static int ls_cmp(const void *x, const void *y)
{
	const struct ls_entry *a = x, *b = y;

	return strcmp(a->name, b->name);
}

static void ls_print(const struct ls_list *l)
{
	char esc[CRL_ESCAPE_OUT_MAX], tb[CTL_TIME_BUF];

	for (size_t i = 0; i < l->n; i++) {
		const struct crl_entry_hdr *h = &l->v[i].h;

		/* names come from the project: escaped */
		printf("%c %04o %llu %s %s\n", type_char(h->type), h->mode,
		       (unsigned long long)h->size,
		       ctl_format_time(h->mtime_ns, tb),
		       crl_escape_text(l->v[i].name, esc));
	}
}

static void ls_free(struct ls_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
}

static int ls_receive(struct fs *f, struct ls_list *l)
{
	struct crl_client *c = &f->t->client;
	struct crl_enc e;
	struct crl_msg m;
	const char *bad;

	fs_encode(f, &e, CRL_MSG_FS_LIST);
	if (crl_client_call(c, &e, &m) < 0)
		return fs_fail(f);
	for (;;) {
		bad = ls_collect(l, &m);
		if (bad)
			return fs_fail_why(f, bad);
		if (!crl_client_reply_more(&m))
			return 0;
		if (crl_client_next(c, &m) < 0)
			return fs_fail(f);
	}
}

static int run_ls(struct fs *f)
{
	struct ls_list l = { NULL, 0, 0 };
	int rc = ls_receive(f, &l);

	if (rc == 0) {
		/* byte order, like LC_ALL=C ls: the same on every host */
		qsort(l.v, l.n, sizeof(l.v[0]), ls_cmp);
		ls_print(&l);
	}
	ls_free(&l);
	return rc;
}

/* ------------------------------------------------------------ options */

static int opt_mode(struct fs *f, const char *arg)
{
	if (ctl_parse_mode(arg, &f->a.mode))
		return usage_error(f, "MODE must be octal", arg);
	f->a.has_mode = 1;
	return 0;
}

static int opt_mkdir(struct fs *f, int c, const char *arg)
{
	if (c == 'p')
		f->a.flags |= CRL_FS_PARENTS;
	else
		return opt_mode(f, arg);
	return 0;
}

static int opt_rm(struct fs *f, int c, const char *arg)
{
	(void)arg;
	f->a.flags |= c == 'f' ? CRL_FS_FORCE : CRL_FS_RECURSIVE;
	return 0;
}

static int opt_noreplace(struct fs *f, int c, const char *arg)
{
	(void)c;
	(void)arg;
	f->a.flags |= CRL_FS_NOREPLACE;
	return 0;
}

static int opt_ln(struct fs *f, int c, const char *arg)
{
	(void)c;
	(void)arg;
	f->type = CRL_MSG_FS_SYMLINK;
	return 0;
}

static int opt_truncate(struct fs *f, int c, const char *arg)
{
	(void)c;
	if (ctl_parse_size(arg, &f->a.size))
		return usage_error(f, "SIZE must be bytes, optionally with K, M, G, T, P, E, KB, MB, ...", arg);
	f->a.has_size = 1;
	return 0;
}

static int opt_touch(struct fs *f, int c, const char *arg)
{
	(void)c;
	if (ctl_parse_time(arg, &f->a.time_ns))
		return usage_error(f, "TIME must be @SECONDS[.FRACTION] or 'YYYY-MM-DD HH:MM:SS[.FRACTION]' (UTC)", arg);
	f->a.has_time = 1;
	return 0;
}

static int opt_put(struct fs *f, int c, const char *arg)
{
	(void)c;
	return opt_mode(f, arg);
}

/* ------------------------------------------------------------ operands */

static int args_path(struct fs *f, char **v, unsigned int n)
{
	f->a.path = n ? v[0] : ".";
	f->shown[0] = f->a.path;
	return 0;
}

static int args_two(struct fs *f, char **v, unsigned int n)
{
	(void)n;
	f->a.path = f->shown[0] = v[0];
	f->a.path2 = f->shown[1] = v[1];
	return 0;
}

/* ln TARGET NEW: a hard link names an existing file (PATH) and the new
 * name (PATH2); a symlink is the new name (PATH) holding TARGET as is. */
static int args_ln(struct fs *f, char **v, unsigned int n)
{
	(void)n;
	f->shown[0] = v[0];
	f->shown[1] = v[1];
	if (f->type == CRL_MSG_FS_SYMLINK) {
		f->a.target = v[0];
		f->a.path = v[1];
	} else {
		f->a.path = v[0];
		f->a.path2 = v[1];
	}
	return 0;
}

static int args_chmod(struct fs *f, char **v, unsigned int n)
{
	int rc = opt_mode(f, v[0]);

	(void)n;
	if (rc)
		return rc;
	return args_path(f, v + 1, 1);
}

static int args_truncate(struct fs *f, char **v, unsigned int n)
{
	if (!f->a.has_size)
		return usage_error(f, "-s SIZE is required", NULL);
	return args_path(f, v, n);
}

/* ------------------------------------------------------------ the table */

static const struct option lo_mkdir[] = {
	{ "parents", no_argument, NULL, 'p' },
	{ "mode", required_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};
static const struct option lo_rm[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "force", no_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};
static const struct option lo_noreplace[] = {
	{ "no-replace", no_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 },
};
static const struct option lo_ln[] = {
	{ "symbolic", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};
static const struct option lo_truncate[] = {
	{ "size", required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};
static const struct option lo_touch[] = {
	{ "date", required_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 },
};
static const struct option lo_put[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};
static const struct option lo_none[] = {
	{ NULL, 0, NULL, 0 },
};

static const struct fs_op fs_ops[] = {
	{ "mkdir", "[-p] [-m MODE] PATH", CRL_MSG_FS_MKDIR, "pm:", lo_mkdir,
	  opt_mkdir, 1, 1, args_path, NULL },
	{ "rm", "[-r] [-f] PATH", CRL_MSG_FS_RM, "rRf", lo_rm,
	  opt_rm, 1, 1, args_path, NULL },
	{ "rmdir", "PATH", CRL_MSG_FS_RMDIR, "", lo_none,
	  NULL, 1, 1, args_path, NULL },
	{ "unlink", "PATH", CRL_MSG_FS_UNLINK, "", lo_none,
	  NULL, 1, 1, args_path, NULL },
	{ "mv", "[--no-replace] OLD NEW", CRL_MSG_FS_RENAME, "", lo_noreplace,
	  opt_noreplace, 2, 2, args_two, NULL },
	{ "ln", "[-s] TARGET NEW", CRL_MSG_FS_LINK, "s", lo_ln,
	  opt_ln, 2, 2, args_ln, NULL },
	{ "chmod", "MODE PATH", CRL_MSG_FS_CHMOD, "", lo_none,
	  NULL, 2, 2, args_chmod, NULL },
	{ "truncate", "-s SIZE PATH", CRL_MSG_FS_TRUNCATE, "s:", lo_truncate,
	  opt_truncate, 1, 1, args_truncate, NULL },
	{ "cp", "[--no-replace] SRC DST", CRL_MSG_FS_COPY, "", lo_noreplace,
	  opt_noreplace, 2, 2, args_two, NULL },
	{ "touch", "[-d TIME] PATH", CRL_MSG_FS_UTIMES, "d:", lo_touch,
	  opt_touch, 1, 1, args_path, run_touch },
	{ "stat", "PATH", CRL_MSG_FS_STAT, "", lo_none,
	  NULL, 1, 1, args_path, run_stat },
	{ "ls", "[PATH]", CRL_MSG_FS_LIST, "", lo_none,
	  NULL, 0, 1, args_path, run_ls },
	{ "cat", "PATH", CRL_MSG_FS_OPEN_READ, "", lo_none,
	  NULL, 1, 1, args_path, fs_run_cat },
	{ "put", "[--mode MODE] PATH", CRL_MSG_FS_REPLACE, "m:", lo_put,
	  opt_put, 1, 1, args_path, fs_run_put },
};

void ctl_fs_usage(FILE *out)
{
	for (size_t i = 0; i < sizeof(fs_ops) / sizeof(fs_ops[0]); i++)
		fprintf(out, "      %s %s\n", fs_ops[i].name, fs_ops[i].usage);
}

static const struct fs_op *op_find(const char *name)
{
	for (size_t i = 0; i < sizeof(fs_ops) / sizeof(fs_ops[0]); i++)
		if (strcmp(fs_ops[i].name, name) == 0)
			return &fs_ops[i];
	return NULL;
}

static int bad_option(const struct fs *f, int c, const char *word)
{
	char opt[3] = { '-', (char)optopt, '\0' };

	/* optopt names a short option; for a long one, the word has it */
	return usage_error(f, c == '?' ? "unknown option" :
			   "option needs a value", optopt ? opt : word);
}

/* Options stop at the first operand ('+'), so "rm -- -x" names a file
 * "-x"; errors are reported here, not by getopt. */
static int parse_options(struct fs *f, int argc, char **argv)
{
	char spec[16];
	int c, rc;

	snprintf(spec, sizeof(spec), "+:%s", f->op->shortopts);
	optind = 0;                 /* glibc: start over on a new argv */
	while ((c = getopt_long(argc, argv, spec, f->op->longopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(f, c, argv[optind - 1]);
		rc = f->op->option(f, c, optarg);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_op(struct fs *f, int argc, char **argv)
{
	unsigned int n;
	int rc = parse_options(f, argc, argv);

	if (rc)
		return rc;
	n = (unsigned int)(argc - optind);
	if (n < f->op->min_operands)
		return usage_error(f, "missing operand", NULL);
	if (n > f->op->max_operands)
		return usage_error(f, "extra operand", argv[optind + (int)f->op->max_operands]);
	return f->op->operands(f, argv + optind, n);
}

/* argv: "fs" PROJECT OP ARGS... */
int ctl_cmd_fs(struct ctl *t, int argc, char **argv)
{
	struct fs f;
	int rc;

	memset(&f, 0, sizeof(f));

	if (argc < 3) {
		fprintf(stderr, "usage: corralctl fs PROJECT OP ARGS...\n");
		ctl_fs_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	f.t = t;
	f.project = argv[1];
	f.op = op_find(argv[2]);
	if (!f.op) {
		char esc[CRL_ESCAPE_OUT_MAX];

		fprintf(stderr, "corralctl: fs: unknown operation: %s\n",
			crl_escape_text(argv[2], esc));
		ctl_fs_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	f.type = f.op->type;
	rc = parse_op(&f, argc - 2, argv + 2);
	if (rc)
		return rc;
	if (t->url)
		return ctl_http_fs(&f);
	rc = ctl_connect(t);
	if (rc)
		return rc;
	return f.op->run ? f.op->run(&f) : run_simple(&f);
}
