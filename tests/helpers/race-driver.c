/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * race-driver: drives every mutating file operation through the helper
 * socket while race-attacker swaps the components of the paths.
 *
 *   race-driver create SOCKET PROJECT...
 *   race-driver run --socket S --project ID --home DIR --shm FILE
 *               --canary DIR --other DIR [--workers N] [--per-kind N]
 *               [--seconds S]
 *
 * "run" forks one worker per tree wK of race.h, each on a connection of
 * its own, and repeats a cycle of operations on the three bases wK,
 * wK/d1 and wK/d1/d2 until every kind has been attempted --per-kind
 * times (all workers together) or --seconds have passed.  It prints how
 * many operations succeeded and how many failed, by errno, and exits 1 if
 *  - the attack never landed: no operation failed with ELOOP, EXDEV or
 *    ENOTDIR, i.e. the helper never met a swapped-in symlink (the test
 *    would be vacuous);
 *  - no attacker swap happened while any request was in flight;
 *  - some kind never succeeded (the helper refusing everything is not
 *    safety) or fell short of --per-kind before the time ran out;
 *  - a descriptor the helper returned is not a regular file of the home
 *    (another device, or an inode of the canary or the other home), or a
 *    file read back through the helper holds the canary's marker;
 *  - a connection died under it (a helper process crashed).
 * Whether anything outside the home changed is the shell's part: it
 * compares snapshots taken before and after.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/helpers/fscall.h"
#include "tests/helpers/race.h"

#define MARKER "CORRAL-CANARY"     /* in every file outside the home */
#define PAYLOAD "race payload\n"
#define ERRNO_MAX 160
#define FORBIDDEN_MAX 8192

enum kind {
	K_MKDIR, K_MKDIR_P, K_RMDIR, K_UNLINK, K_RENAME, K_RENAME_NOREPLACE,
	K_LINK, K_SYMLINK, K_CHMOD, K_TRUNCATE, K_COPY, K_RM_R, K_UTIMES,
	K_OPEN_WRITE, K_REPLACE,
	K_MUTATING,                 /* kinds above mutate and are counted */
	K_OPEN_READ = K_MUTATING,   /* reads back what copy made */
	K_NKINDS,
};

static const char *const kind_name[K_NKINDS] = {
	"mkdir", "mkdir -p", "rmdir", "unlink", "rename", "rename_noreplace",
	"link", "symlink", "chmod", "truncate", "copy_file", "rm -r",
	"utimes", "open_write", "replace", "open_read",
};

struct kstats {
	uint64_t ok, fail;
	uint64_t err[ERRNO_MAX];    /* failures by errno; [0]: out of range */
};

struct wstats {
	struct kstats k[K_NKINDS];
	uint64_t inflight;          /* ops during which the attacker swapped */
	uint64_t escapes;           /* descriptors or contents from outside */
	uint64_t lost;              /* connections that died */
	uint64_t cycles;
};

struct inode_id {
	dev_t dev;
	ino_t ino;
};

struct cfg {
	const char *sock, *project, *home, *shm_path, *canary, *other;
	unsigned int workers;
	unsigned long per_kind;
	double seconds;
	dev_t home_dev;
	struct race_shm *shm;
};

struct worker {
	const struct cfg *cfg;
	struct crl_client c;
	char base[RACE_DEPTH][24];
	char path[8][64];           /* scratch paths of the current cycle */
	struct wstats st;
	unsigned int id;            /* works in tree wID */
	unsigned long want;         /* per kind, this worker's share */
};

/* Inodes of everything outside the home that the attacker aims at. */
static struct inode_id forbidden[FORBIDDEN_MAX];
static size_t nforbidden;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------- escape checks */

static int add_forbidden(const char *p, const struct stat *st, int flag,
			 struct FTW *f)
{
	(void)p; (void)flag; (void)f;
	if (nforbidden == FORBIDDEN_MAX)
		return 1;
	forbidden[nforbidden].dev = st->st_dev;
	forbidden[nforbidden].ino = st->st_ino;
	nforbidden++;
	return 0;
}

static int cmp_inode(const void *a, const void *b)
{
	const struct inode_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static int load_forbidden(const struct cfg *cfg)
{
	if (nftw(cfg->canary, add_forbidden, 16, FTW_PHYS) != 0 ||
	    nftw(cfg->other, add_forbidden, 16, FTW_PHYS) != 0)
		return -1;
	qsort(forbidden, nforbidden, sizeof(forbidden[0]), cmp_inode);
	return 0;
}

static int is_forbidden(const struct stat *st)
{
	struct inode_id key = { st->st_dev, st->st_ino };

	return bsearch(&key, forbidden, nforbidden, sizeof(key),
		       cmp_inode) != NULL;
}

/* The first few escapes are shown; all are counted. */
static unsigned int shown;

/* A descriptor from the helper must be a regular file of the home. */
static int fd_escaped(const struct cfg *cfg, int fd, const char *path)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_dev == cfg->home_dev && !is_forbidden(&st))
		return 0;
	if (shown++ < 10)
		printf("ESCAPE: descriptor for %s is not a file of the home "
		       "(dev %lu ino %lu mode %o)\n", path,
		       (unsigned long)st.st_dev, (unsigned long)st.st_ino,
		       (unsigned int)st.st_mode);
	return 1;
}

/* Every file outside the home holds the marker; none inside does. */
static int content_escaped(int fd, const char *path)
{
	static char buf[16384];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	if (n <= 0 || !memmem(buf, (size_t)n, MARKER, sizeof(MARKER) - 1))
		return 0;
	if (shown++ < 10)
		printf("ESCAPE: %s read back through the helper holds a file "
		       "from outside the home\n", path);
	return 1;
}

/* ------------------------------------------------------- one request */

static void record(struct worker *w, enum kind k, int r)
{
	struct kstats *ks = &w->st.k[k];

	if (r == 0) {
		ks->ok++;
		return;
	}
	ks->fail++;
	ks->err[-r > 0 && -r < ERRNO_MAX ? -r : 0]++;
}

static void reconnect(struct worker *w)
{
	crl_client_close(&w->c);
	if (fsc_open(&w->c, w->cfg->sock, "race-driver") < 0) {
		fprintf(stderr, "race-driver: reconnect: %s\n", w->c.err);
		exit(2);
	}
}

/*
 * Send the request, note whether the attacker swapped anything while it
 * was in flight, and recover from a dead connection (counted: a helper
 * process died).  Returns 0 or -errno.
 */
static int call(struct worker *w, struct crl_enc *e, struct crl_msg *m,
		int *fd)
{
	uint64_t before = RACE_LOAD(&w->cfg->shm->swaps);
	int broken = 0;
	int r = fsc_call(&w->c, e, m, fd, &broken);

	if (RACE_LOAD(&w->cfg->shm->swaps) != before)
		w->st.inflight++;
	if (broken) {
		if (w->st.lost < 5)
			fprintf(stderr, "race-driver: connection lost: %s\n",
				w->c.err);
		w->st.lost++;
		reconnect(w);
	}
	return r;
}

static int simple(struct worker *w, enum kind k, struct crl_enc *e)
{
	struct crl_msg m;
	int r = call(w, e, &m, NULL);

	record(w, k, r);
	return r;
}

static void begin(struct worker *w, struct crl_enc *e, uint16_t type,
		  const char *path)
{
	fsc_begin(&w->c, e, type, w->cfg->project, path);
}

/* ------------------------------------------------------- the operations */

static void op_mkdir(struct worker *w, enum kind k, const char *path)
{
	struct crl_enc e;

	begin(w, &e, CRL_MSG_FS_MKDIR, path);
	crl_put_u32(&e, CRL_A_MODE, 0755);
	if (k == K_MKDIR_P)
		crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_PARENTS);
	simple(w, k, &e);
}

static void op_path(struct worker *w, enum kind k, uint16_t type,
		    const char *path)
{
	struct crl_enc e;

	begin(w, &e, type, path);
	simple(w, k, &e);
}

static void op_two(struct worker *w, enum kind k, uint16_t type,
		   const char *from, const char *to, uint32_t flags)
{
	struct crl_enc e;

	begin(w, &e, type, from);
	crl_put_str(&e, CRL_A_PATH2, to);
	if (flags)
		crl_put_u32(&e, CRL_A_FLAGS, flags);
	simple(w, k, &e);
}

static void op_symlink(struct worker *w, const char *path)
{
	struct crl_enc e;

	/* making a link that points out is allowed; following one never */
	begin(w, &e, CRL_MSG_FS_SYMLINK, path);
	crl_put_str(&e, CRL_A_TARGET, w->cfg->canary);
	simple(w, K_SYMLINK, &e);
}

static void op_u32(struct worker *w, enum kind k, uint16_t type,
		   const char *path, enum crl_attr_type a, uint32_t v)
{
	struct crl_enc e;

	begin(w, &e, type, path);
	crl_put_u32(&e, a, v);
	simple(w, k, &e);
}

static void op_truncate(struct worker *w, const char *path)
{
	struct crl_enc e;

	begin(w, &e, CRL_MSG_FS_TRUNCATE, path);
	crl_put_u64(&e, CRL_A_SIZE, 5);
	simple(w, K_TRUNCATE, &e);
}

/* Explicit times (an owner's right) and "now" (a writer's) in turn. */
static void op_utimes(struct worker *w, const char *path)
{
	struct crl_enc e;

	begin(w, &e, CRL_MSG_FS_UTIMES, path);
	if (w->st.cycles & 1) {
		crl_put_u64(&e, CRL_A_ATIME, 1000000000ull * 1000000000ull);
		crl_put_u64(&e, CRL_A_MTIME, 1000000000ull * 1000000000ull);
	}
	simple(w, K_UTIMES, &e);
}

/* Check a returned descriptor, write through it if asked, close it. */
static void use_fd(struct worker *w, int fd, const char *path, int write_it)
{
	if (fd_escaped(w->cfg, fd, path))
		w->st.escapes++;
	else if (write_it && write(fd, PAYLOAD, sizeof(PAYLOAD) - 1) < 0)
		perror("race-driver: write");
	close(fd);
}

static void op_open_write(struct worker *w, const char *path)
{
	struct crl_enc e;
	struct crl_msg m;
	int fd, r;

	begin(w, &e, CRL_MSG_FS_OPEN_WRITE, path);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_CREATE | CRL_FS_TRUNC);
	crl_put_u32(&e, CRL_A_MODE, 0644);
	r = call(w, &e, &m, &fd);
	if (r == 0 && fd < 0)
		r = -EBADMSG;   /* success without the descriptor */
	record(w, K_OPEN_WRITE, r);
	if (fd >= 0)
		use_fd(w, fd, path, 1);
}

static void op_open_read(struct worker *w, const char *path)
{
	struct crl_enc e;
	struct crl_msg m;
	int fd, r;

	begin(w, &e, CRL_MSG_FS_OPEN_READ, path);
	r = call(w, &e, &m, &fd);
	if (r == 0 && fd < 0)
		r = -EBADMSG;
	record(w, K_OPEN_READ, r);
	if (fd < 0)
		return;
	if (content_escaped(fd, path))
		w->st.escapes++;
	use_fd(w, fd, path, 0);
}

/* replace + write + commit: one operation, the first failure counts */
static void op_replace(struct worker *w, const char *path)
{
	struct crl_enc e;
	struct crl_msg m;
	uint32_t token;
	int fd, r;

	begin(w, &e, CRL_MSG_FS_REPLACE, path);
	crl_put_u32(&e, CRL_A_MODE, 0644);
	r = call(w, &e, &m, &fd);
	if (r == 0 && (fd < 0 || !crl_msg_has(&m, CRL_A_TOKEN)))
		r = -EBADMSG;
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		record(w, K_REPLACE, r);
		return;
	}
	token = crl_msg_u32(&m, CRL_A_TOKEN);
	use_fd(w, fd, path, 1);
	/* commit names the file by its token alone: the path was resolved
	 * at replace time and again, by the helper, at commit time */
	crl_client_begin(&w->c, &e, CRL_MSG_FS_COMMIT);
	crl_put_u32(&e, CRL_A_TOKEN, token);
	r = call(w, &e, &m, NULL);
	record(w, K_REPLACE, r);
	if (r < 0) {
		/* a commit that failed may leave the file pending */
		crl_client_begin(&w->c, &e, CRL_MSG_FS_ABORT);
		crl_put_u32(&e, CRL_A_TOKEN, token);
		call(w, &e, &m, NULL);
	}
}

/* ------------------------------------------------------- the cycle */

static const char *at(struct worker *w, unsigned int slot, const char *base,
		      const char *leaf)
{
	snprintf(w->path[slot], sizeof(w->path[slot]), "%s/%s", base, leaf);
	return w->path[slot];
}

/* Tell the attacker which components the next requests go through. */
static void aim(struct worker *w, unsigned int d, uint32_t leaves)
{
	RACE_STORE(&w->cfg->shm->aim[w->id], race_aim(d, leaves));
}

/*
 * Every mutating kind once or more, each on a path through base d and
 * leaves the attacker swaps.  Ordered so that, when nothing is swapped,
 * each operation finds what it needs: the failures are the attack's.
 */
static void cycle(struct worker *w, unsigned int d)
{
	const char *b = w->base[d];
	const char *f = at(w, 0, b, "f"), *c = at(w, 1, b, "c");
	const char *g = at(w, 2, b, "g"), *h = at(w, 3, b, "h");

	aim(w, d, RACE_N);
	op_mkdir(w, K_MKDIR, at(w, 4, b, "n"));
	op_path(w, K_RMDIR, CRL_MSG_FS_RMDIR, w->path[4]);
	aim(w, d, RACE_P | RACE_Q);
	op_mkdir(w, K_MKDIR_P, at(w, 5, b, "p/q/r"));
	op_open_write(w, at(w, 6, b, "p/q/r/x"));
	op_u32(w, K_RM_R, CRL_MSG_FS_RM, at(w, 7, b, "p"), CRL_A_FLAGS,
	       CRL_FS_RECURSIVE);
	aim(w, d, RACE_F);
	op_open_write(w, f);
	op_u32(w, K_CHMOD, CRL_MSG_FS_CHMOD, f, CRL_A_MODE, 0640);
	op_truncate(w, f);
	op_utimes(w, f);
	aim(w, d, RACE_F | RACE_H);
	op_two(w, K_LINK, CRL_MSG_FS_LINK, f, h, 0);
	op_path(w, K_UNLINK, CRL_MSG_FS_UNLINK, h);
	aim(w, d, RACE_F | RACE_C);
	op_two(w, K_COPY, CRL_MSG_FS_COPY, f, c, 0);
	op_open_read(w, c);
	aim(w, d, RACE_C | RACE_G);
	op_two(w, K_RENAME, CRL_MSG_FS_RENAME, c, g, 0);
	op_two(w, K_RENAME_NOREPLACE, CRL_MSG_FS_RENAME, g, c,
	       CRL_FS_NOREPLACE);
	op_path(w, K_UNLINK, CRL_MSG_FS_UNLINK, c);
	aim(w, d, 0);
	op_symlink(w, at(w, 4, b, "s"));
	op_path(w, K_UNLINK, CRL_MSG_FS_UNLINK, w->path[4]);
	aim(w, d, RACE_F);
	op_replace(w, f);
	w->st.cycles++;
}

static int enough(const struct worker *w)
{
	for (int k = 0; k < K_MUTATING; k++)
		if (w->st.k[k].ok + w->st.k[k].fail < w->want)
			return 0;
	return 1;
}

static void worker_run(struct worker *w, int out)
{
	double deadline = now() + w->cfg->seconds;
	unsigned int i = 0;

	for (int d = 0; d < RACE_DEPTH; d++)
		snprintf(w->base[d], sizeof(w->base[d]), "w%u%s", w->id,
			 d == 0 ? "" : d == 1 ? "/d1" : "/d1/d2");
	if (fsc_open(&w->c, w->cfg->sock, "race-driver") < 0) {
		fprintf(stderr, "race-driver: %s: %s\n", w->cfg->sock, w->c.err);
		exit(2);
	}
	while (!enough(w) && now() < deadline)
		cycle(w, i++ % RACE_DEPTH);
	crl_client_close(&w->c);
	if (write(out, &w->st, sizeof(w->st)) != (ssize_t)sizeof(w->st))
		exit(2);
	exit(0);
}

/* ------------------------------------------------------- the summary */

static void add_stats(struct wstats *to, const struct wstats *from)
{
	for (int k = 0; k < K_NKINDS; k++) {
		to->k[k].ok += from->k[k].ok;
		to->k[k].fail += from->k[k].fail;
		for (int e = 0; e < ERRNO_MAX; e++)
			to->k[k].err[e] += from->k[k].err[e];
	}
	to->inflight += from->inflight;
	to->escapes += from->escapes;
	to->lost += from->lost;
	to->cycles += from->cycles;
}

static const char *errname(int e)
{
	static char buf[24];

	switch (e) {
	case ELOOP: return "ELOOP";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EISDIR: return "EISDIR";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EBADMSG: return "EBADMSG";
	case EPROTO: return "EPROTO";
	case ECONNRESET: return "ECONNRESET";
	case 0: return "errno?";
	default:
		snprintf(buf, sizeof(buf), "errno %d", e);
		return buf;
	}
}

/* "(ELOOP 8000, ENOENT 127)" for a set of errno counts */
static void print_errnos(const uint64_t *err)
{
	const char *sep = "";

	printf("(");
	for (int e = 0; e < ERRNO_MAX; e++) {
		if (!err[e])
			continue;
		printf("%s%s %lu", sep, errname(e), (unsigned long)err[e]);
		sep = ", ";
	}
	printf(")");
}

static void human(char *buf, size_t n, uint64_t v)
{
	if (v >= 1000000)
		snprintf(buf, n, "%.1fM", (double)v / 1e6);
	else if (v >= 10000)
		snprintf(buf, n, "%.1fk", (double)v / 1e3);
	else
		snprintf(buf, n, "%lu", (unsigned long)v);
}

static void print_kinds(const struct wstats *t)
{
	for (int k = 0; k < K_NKINDS; k++) {
		const struct kstats *ks = &t->k[k];

		printf("  %-17s %7lu ops %7lu ok %7lu failed ", kind_name[k],
		       (unsigned long)(ks->ok + ks->fail),
		       (unsigned long)ks->ok, (unsigned long)ks->fail);
		print_errnos(ks->err);
		printf("\n");
	}
}

static uint64_t landed(const struct wstats *t)
{
	uint64_t n = 0;

	for (int k = 0; k < K_NKINDS; k++)
		n += t->k[k].err[ELOOP] + t->k[k].err[EXDEV] +
		     t->k[k].err[ENOTDIR];
	return n;
}

static void print_summary(const struct cfg *cfg, const struct wstats *t,
			  double secs)
{
	uint64_t all[ERRNO_MAX] = { 0 }, ok = 0, fail = 0;
	char swaps[32];

	for (int k = 0; k < K_NKINDS; k++) {
		ok += t->k[k].ok;
		fail += t->k[k].fail;
		for (int e = 0; e < ERRNO_MAX; e++)
			all[e] += t->k[k].err[e];
	}
	human(swaps, sizeof(swaps), RACE_LOAD(&cfg->shm->swaps));
	printf("race: %lu ops, %lu ok, %lu failed ", (unsigned long)(ok + fail),
	       (unsigned long)ok, (unsigned long)fail);
	print_errnos(all);
	printf(", attacker swaps %s\n", swaps);
	printf("race: %.1f s, %u workers, %lu cycles; attack landed (ELOOP, "
	       "EXDEV, ENOTDIR) %lu times; a swap happened during %lu ops; "
	       "attacker plants %lu, relinks %lu, rotations %lu, errors %lu\n",
	       secs, cfg->workers, (unsigned long)t->cycles,
	       (unsigned long)landed(t), (unsigned long)t->inflight,
	       (unsigned long)RACE_LOAD(&cfg->shm->plants),
	       (unsigned long)RACE_LOAD(&cfg->shm->relinks),
	       (unsigned long)RACE_LOAD(&cfg->shm->rotations),
	       (unsigned long)RACE_LOAD(&cfg->shm->errors));
	print_kinds(t);
}

/* The verdict: 0 if the run proves something and found nothing. */
static int verdict(const struct cfg *cfg, const struct wstats *t)
{
	int bad = 0;

	if (landed(t) == 0) {
		printf("FAIL: attack never landed: test is vacuous\n");
		bad = 1;
	}
	if (t->inflight == 0) {
		printf("FAIL: no swap happened while a request was in flight\n");
		bad = 1;
	}
	for (int k = 0; k < K_NKINDS; k++) {
		uint64_t n = t->k[k].ok + t->k[k].fail;

		if (t->k[k].ok == 0) {
			printf("FAIL: %s never succeeded\n", kind_name[k]);
			bad = 1;
		}
		if (k < K_MUTATING && n < cfg->per_kind) {
			printf("FAIL: %s: %lu ops, fewer than %lu in %.0f s\n",
			       kind_name[k], (unsigned long)n, cfg->per_kind,
			       cfg->seconds);
			bad = 1;
		}
	}
	if (t->escapes) {
		printf("FAIL: %lu escapes\n", (unsigned long)t->escapes);
		bad = 1;
	}
	if (t->lost) {
		printf("FAIL: %lu connections died\n", (unsigned long)t->lost);
		bad = 1;
	}
	return bad;
}

/* ------------------------------------------------------- set-up */

static struct race_shm *map_shm(const char *path)
{
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	struct race_shm *shm;

	if (fd < 0)
		return NULL;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	close(fd);
	return shm == MAP_FAILED ? NULL : shm;
}

static int wait_ready(const struct cfg *cfg)
{
	double until = now() + 20;

	while (!RACE_LOAD(&cfg->shm->ready)) {
		if (now() > until)
			return -1;
		usleep(10000);
	}
	return RACE_LOAD(&cfg->shm->trees) >= cfg->workers ? 0 : -1;
}

static int prepare(struct cfg *cfg)
{
	struct stat st;

	if (stat(cfg->home, &st) < 0) {
		perror(cfg->home);
		return -1;
	}
	cfg->home_dev = st.st_dev;
	if (load_forbidden(cfg) < 0) {
		fprintf(stderr, "race-driver: cannot list %s and %s\n",
			cfg->canary, cfg->other);
		return -1;
	}
	cfg->shm = map_shm(cfg->shm_path);
	if (!cfg->shm) {
		perror(cfg->shm_path);
		return -1;
	}
	if (wait_ready(cfg) < 0) {
		fprintf(stderr, "race-driver: the attacker is not ready\n");
		return -1;
	}
	return 0;
}

/* Fork the workers; collect their figures through one pipe. */
static int run_workers(const struct cfg *cfg, struct wstats *total)
{
	static struct worker w;
	struct wstats one;
	pid_t parent = getpid();
	int p[2], st, bad = 0;
	unsigned int i;

	if (pipe(p) < 0)
		return -1;
	for (i = 0; i < cfg->workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			/* killed with the driver, not left behind */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != parent)
				_exit(2);
			close(p[0]);
			w.cfg = cfg;
			w.id = i;
			w.want = (cfg->per_kind + cfg->workers - 1) / cfg->workers;
			worker_run(&w, p[1]);
		}
	}
	close(p[1]);
	memset(total, 0, sizeof(*total));
	for (i = 0; i < cfg->workers; i++) {
		if (read(p[0], &one, sizeof(one)) != (ssize_t)sizeof(one)) {
			bad = 1;
			break;
		}
		add_stats(total, &one);
	}
	close(p[0]);
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	return bad ? -1 : 0;
}

static int parse_run(struct cfg *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "project", required_argument, NULL, 'P' },
		{ "home", required_argument, NULL, 'H' },
		{ "shm", required_argument, NULL, 'm' },
		{ "canary", required_argument, NULL, 'c' },
		{ "other", required_argument, NULL, 'o' },
		{ "workers", required_argument, NULL, 'w' },
		{ "per-kind", required_argument, NULL, 'k' },
		{ "seconds", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'S': cfg->sock = optarg; break;
		case 'P': cfg->project = optarg; break;
		case 'H': cfg->home = optarg; break;
		case 'm': cfg->shm_path = optarg; break;
		case 'c': cfg->canary = optarg; break;
		case 'o': cfg->other = optarg; break;
		case 'w': cfg->workers = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'k': cfg->per_kind = strtoul(optarg, NULL, 10); break;
		case 't': cfg->seconds = strtod(optarg, NULL); break;
		default: return -1;
		}
	}
	if (!cfg->sock || !cfg->project || !cfg->home || !cfg->shm_path ||
	    !cfg->canary || !cfg->other || cfg->workers < 1 ||
	    cfg->workers > RACE_TREES_MAX || cfg->seconds <= 0) {
		fprintf(stderr, "race-driver run: missing or bad option\n");
		return -1;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct cfg cfg = { .workers = 1, .per_kind = 20000, .seconds = 60 };
	static struct wstats total;
	double t0;
	int r;

	if (parse_run(&cfg, argc, argv) < 0 || prepare(&cfg) < 0)
		return 2;
	t0 = now();
	r = run_workers(&cfg, &total);
	RACE_STORE(&cfg.shm->stop, 1);
	if (r < 0) {
		fprintf(stderr, "race-driver: a worker failed\n");
		return 2;
	}
	print_summary(&cfg, &total, now() - t0);
	return verdict(&cfg, &total);
}

static int cmd_create(int argc, char **argv)
{
	static struct crl_client c;
	int r;

	if (argc < 3) {
		fprintf(stderr, "usage: race-driver create SOCKET PROJECT...\n");
		return 2;
	}
	if (fsc_open(&c, argv[1], "race-driver") < 0) {
		fprintf(stderr, "race-driver: %s: %s\n", argv[1], c.err);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		r = fsc_create(&c, argv[i]);
		if (r < 0) {
			fprintf(stderr, "race-driver: create %s: %s (%s)\n",
				argv[i], strerror(-r), c.err);
			return 1;
		}
	}
	crl_client_close(&c);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "create") == 0)
		return cmd_create(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	fprintf(stderr, "usage: race-driver create|run ...\n");
	return 2;
}
