/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-fsops: operations per second and round-trip latency of file
 * operations through the helper socket, next to two references measured
 * in the same run:
 *
 *  - echo: a bare server on the same socket type (SOCK_SEQPACKET, one
 *    forked process per connection, like the helper) that sends every
 *    datagram back; frames of the size of a stat request.  This is the
 *    floor of any round trip on this machine.
 *  - direct: the same system calls made in-process on the same home,
 *    with the project's fsuid, as the helper makes them.
 *
 *   bench-fsops --socket S --project ID --home DIR --dir TMPDIR
 *               [--seconds 2] [--rounds 3] [--clients 1,2]
 *               [--ops stat,mkdir,write,rename] [--pin HELPER_PID]
 *               [--strict]
 *
 * The project is created first (idempotent); DIR is its home, where the
 * direct reference works; TMPDIR receives the echo server's socket.
 *
 * Operations (one "op" is one request, one round trip):
 *   stat          FS_STAT of a file                 | fstatat
 *   mkdir+rmdir   FS_MKDIR and FS_RMDIR, alternating | mkdirat, unlinkat
 *   write         FS_OPEN_WRITE (create, truncate), then write 1 KiB and
 *                 close on the descriptor received  | openat, write, close
 *   rename        FS_RENAME a->b and b->a, alternating | renameat
 * With N clients, N processes run in parallel on N connections (or, for
 * "direct", N processes), each in a directory of its own; throughput is
 * their sum.  Where the scheduler puts a client and its server process
 * (same CPU: a round trip is two context switches; another, idle CPU: it
 * must be woken, which costs far more in a VM) changes a round trip
 * several times over; --pin puts client i and its server process (the
 * echo's, the helper's: HELPER_PID is the helper's main process, whose
 * forks inherit its affinity) on CPU i, for figures that depend on the
 * code only.  Each row is measured in --rounds rounds (echo, helper,
 * direct, --seconds / rounds each) and every figure is the median of its
 * rounds.
 *
 * Targets (README.md): stat with two clients reaches 60% of the echo's
 * throughput; every operation's median round trip is within
 * 2 x echo median + direct median.  --strict: exit 1 if one is missed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/helpers/fscall.h"

#define CLIENTS_MAX 4
#define BUCKET_NS 100                   /* histogram resolution */
#define NBUCKETS 100000                 /* up to 10 ms, then "over" */
#define WARMUP_S 0.1
#define ROUNDS_MAX 9
#define WRITE_SIZE 1024

enum op { OP_STAT, OP_MKDIR, OP_WRITE, OP_RENAME, OP_ECHO, OP_COUNT };
enum via { VIA_HELPER, VIA_DIRECT, VIA_ECHO };

static const char *const op_name[OP_COUNT] = {
	"stat", "mkdir+rmdir", "write", "rename", "echo",
};

/* One client's figures, in memory shared with the parent. */
struct result {
	uint64_t n;
	uint64_t over;                  /* slower than the histogram */
	int failed;
	char why[400];
	uint32_t hist[NBUCKETS];
};

struct figures {
	double ops;                     /* per second, all clients */
	double median, p99;             /* microseconds */
};

struct cfg {
	const char *sock, *project, *home, *dir;
	char echo_path[108];
	double seconds;                 /* per case, all rounds together */
	unsigned int rounds;
	double round_s;                 /* seconds / rounds */
	unsigned int clients[CLIENTS_MAX];
	unsigned int nclients;
	unsigned int ops;               /* 1 << enum op, for each one to run */
	int strict;
	int pin;                        /* client i and its server on CPU i */
	pid_t helper_pid;               /* with pin: the helper's main process */
	cpu_set_t all_cpus;             /* the affinity to give back */
	uid_t uid;                      /* the project's, for direct calls */
	gid_t gid;
	pid_t echo_pid;
};

struct client {
	const struct cfg *cfg;
	enum via via;
	enum op op;
	unsigned int id;
	struct crl_client c;            /* helper and echo */
	int dirfd;                      /* direct */
	unsigned long flip;
	char path[4][64];
	uint8_t frame[CRL_FRAME_MAX];   /* echo: what is sent */
	size_t frame_len;
	char data[WRITE_SIZE];
	struct result *res;
	int synced;                     /* with pin: written once connected */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(struct client *cl, const char *what, int err)
{
	snprintf(cl->res->why, sizeof(cl->res->why), "%s %s: %s%s%s",
		 op_name[cl->op], what, strerror(err),
		 cl->c.err[0] ? ": " : "", cl->c.err);
	cl->res->failed = 1;
	exit(1);
}

/* ------------------------------------------------------- through the helper */

static void helper_simple(struct client *cl, struct crl_enc *e, int *fd)
{
	struct crl_msg m;
	int r = fsc_call(&cl->c, e, &m, fd, NULL);

	if (r < 0)
		fail(cl, "request", -r);
}

static void helper_op(struct client *cl)
{
	struct crl_enc e;
	int fd = -1, odd = (int)(cl->flip++ & 1);
	const char *p = cl->path[0];

	switch (cl->op) {
	case OP_STAT:
		fsc_begin(&cl->c, &e, CRL_MSG_FS_STAT, cl->cfg->project, p);
		break;
	case OP_MKDIR:
		fsc_begin(&cl->c, &e, odd ? CRL_MSG_FS_RMDIR : CRL_MSG_FS_MKDIR,
			  cl->cfg->project, cl->path[1]);
		if (!odd)
			crl_put_u32(&e, CRL_A_MODE, 0755);
		break;
	case OP_WRITE:
		fsc_begin(&cl->c, &e, CRL_MSG_FS_OPEN_WRITE, cl->cfg->project,
			  cl->path[2]);
		crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_CREATE | CRL_FS_TRUNC);
		crl_put_u32(&e, CRL_A_MODE, 0644);
		helper_simple(cl, &e, &fd);
		if (fd < 0 || write(fd, cl->data, sizeof(cl->data)) !=
		    (ssize_t)sizeof(cl->data))
			fail(cl, "write", fd < 0 ? EBADF : errno);
		close(fd);
		return;
	default:
		fsc_begin(&cl->c, &e, CRL_MSG_FS_RENAME, cl->cfg->project,
			  cl->path[odd ? 3 : 0]);
		crl_put_str(&e, CRL_A_PATH2, cl->path[odd ? 0 : 3]);
		break;
	}
	helper_simple(cl, &e, NULL);
}

/* The client's own directory and files, made through the helper itself
 * so that they belong to the project. */
static void helper_setup(struct client *cl)
{
	const char *proj = cl->cfg->project;
	struct crl_enc e;
	char dir[64];
	int fd = -1;

	if (fsc_open(&cl->c, cl->cfg->sock, "bench-fsops") < 0)
		fail(cl, "connect", ECONNREFUSED);
	snprintf(dir, sizeof(dir), "%s", cl->path[0]);
	*strrchr(dir, '/') = '\0';
	fsc_begin(&cl->c, &e, CRL_MSG_FS_MKDIR, proj, dir);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_PARENTS);
	crl_put_u32(&e, CRL_A_MODE, 0755);
	helper_simple(cl, &e, NULL);
	fsc_begin(&cl->c, &e, CRL_MSG_FS_OPEN_WRITE, proj, cl->path[0]);
	crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_CREATE);
	crl_put_u32(&e, CRL_A_MODE, 0644);
	helper_simple(cl, &e, &fd);
	if (fd >= 0)
		close(fd);
	/* what an earlier case may have left: rename's other name, mkdir's
	 * directory */
	for (int i = 1; i <= 3; i += 2) {
		fsc_begin(&cl->c, &e, CRL_MSG_FS_RM, proj, cl->path[i]);
		crl_put_u32(&e, CRL_A_FLAGS, CRL_FS_RECURSIVE | CRL_FS_FORCE);
		helper_simple(cl, &e, NULL);
	}
}

/* ------------------------------------------------------- direct */

static void direct_op(struct client *cl)
{
	int fd, odd = (int)(cl->flip++ & 1), r = 0;
	struct stat st;

	switch (cl->op) {
	case OP_STAT:
		r = fstatat(cl->dirfd, cl->path[0], &st, AT_SYMLINK_NOFOLLOW);
		break;
	case OP_MKDIR:
		r = odd ? unlinkat(cl->dirfd, cl->path[1], AT_REMOVEDIR) :
			  mkdirat(cl->dirfd, cl->path[1], 0755);
		break;
	case OP_WRITE:
		fd = openat(cl->dirfd, cl->path[2], O_WRONLY | O_CREAT |
			    O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, cl->data, sizeof(cl->data)) !=
		    (ssize_t)sizeof(cl->data))
			r = -1;
		if (fd >= 0)
			close(fd);
		break;
	default:
		r = renameat(cl->dirfd, cl->path[odd ? 3 : 0], cl->dirfd,
			     cl->path[odd ? 0 : 3]);
		break;
	}
	if (r < 0)
		fail(cl, "syscall", errno);
}

/* In-process, with the project's fsuid, as the helper works. */
static void direct_setup(struct client *cl)
{
	char dir[64];
	int fd;

	setfsgid(cl->cfg->gid);
	setfsuid(cl->cfg->uid);
	if ((uid_t)setfsuid((uid_t)-1) != cl->cfg->uid)
		fail(cl, "setfsuid", EPERM);
	cl->dirfd = open(cl->cfg->home, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cl->dirfd < 0)
		fail(cl, "home", errno);
	snprintf(dir, sizeof(dir), "%s", cl->path[0]);
	*strrchr(dir, '/') = '\0';
	mkdirat(cl->dirfd, "bench", 0755);
	if (mkdirat(cl->dirfd, dir, 0755) < 0 && errno != EEXIST)
		fail(cl, "mkdir", errno);
	fd = openat(cl->dirfd, cl->path[0], O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644);
	if (fd < 0)
		fail(cl, "create", errno);
	close(fd);
	/* what an earlier case may have left */
	unlinkat(cl->dirfd, cl->path[1], AT_REMOVEDIR);
	unlinkat(cl->dirfd, cl->path[3], 0);
}

/* ------------------------------------------------------- echo */

static void echo_op(struct client *cl)
{
	ssize_t n;

	if (crl_send_frame(cl->c.fd, cl->frame, cl->frame_len, NULL, 0) < 0)
		fail(cl, "send", errno);
	n = crl_recv_frame(cl->c.fd, cl->c.in, sizeof(cl->c.in), NULL, 0, NULL);
	if (n != (ssize_t)cl->frame_len)
		fail(cl, "receive", n < 0 ? errno : EPROTO);
}

/* What goes back and forth: a stat request of the helper benchmark. */
static void echo_setup(struct client *cl)
{
	struct crl_enc e;
	ssize_t n;

	memset(&cl->c, 0, sizeof(cl->c));
	if (crl_client_connect(&cl->c, cl->cfg->echo_path) < 0)
		fail(cl, "connect", ECONNREFUSED);
	crl_enc_init(&e, cl->frame, sizeof(cl->frame), CRL_MSG_FS_STAT, 1);
	crl_put_str(&e, CRL_A_PROJECT, cl->cfg->project);
	crl_put_str(&e, CRL_A_PATH, cl->path[0]);
	n = crl_enc_finish(&e);
	if (n < 0)
		fail(cl, "encode", EINVAL);
	cl->frame_len = (size_t)n;
	echo_op(cl);            /* the server has forked its process now */
}

/* Whatever ends this benchmark (a signal, a closed pipe) ends its
 * children too, rather than leaving servers and clients behind. */
static pid_t bench_pid;

static void follow_parent(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != bench_pid)
		_exit(1);
}

/* A bare echo server: one process per connection, like the helper. */
static void echo_serve(int lfd)
{
	static uint8_t buf[CRL_FRAME_MAX];
	ssize_t n;
	int fd;

	signal(SIGCHLD, SIG_IGN);       /* connection processes reap themselves */
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (fork() != 0) {
			close(fd);
			continue;
		}
		close(lfd);
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
				break;
		_exit(0);
	}
}

static int echo_start(struct cfg *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;

	snprintf(cfg->echo_path, sizeof(cfg->echo_path), "%s/echo.sock",
		 cfg->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cfg->echo_path);
	unlink(cfg->echo_path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 16) < 0) {
		perror(cfg->echo_path);
		return -1;
	}
	cfg->echo_pid = fork();
	if (cfg->echo_pid < 0)
		return -1;
	if (cfg->echo_pid == 0) {
		follow_parent();
		echo_serve(lfd);
	}
	close(lfd);
	return 0;
}

/* ------------------------------------------------------- one case */

static void record(struct result *r, double dt)
{
	uint64_t b = (uint64_t)(dt * 1e9 / BUCKET_NS);

	r->n++;
	if (b < NBUCKETS)
		r->hist[b]++;
	else
		r->over++;
}

static void client_paths(struct client *cl)
{
	const char *tag = cl->via == VIA_DIRECT ? "d" : "h";

	snprintf(cl->path[0], sizeof(cl->path[0]), "bench/%s%u/file", tag, cl->id);
	snprintf(cl->path[1], sizeof(cl->path[1]), "bench/%s%u/dir", tag, cl->id);
	snprintf(cl->path[2], sizeof(cl->path[2]), "bench/%s%u/new", tag, cl->id);
	snprintf(cl->path[3], sizeof(cl->path[3]), "bench/%s%u/other", tag, cl->id);
	memset(cl->data, 'x', sizeof(cl->data));
}

/* Move pid (0: this process) to the CPU of client i. */
static void pin(const struct cfg *cfg, pid_t pid, unsigned int i)
{
	int n = CPU_COUNT(&cfg->all_cpus), k = (int)i % (n ? n : 1), cpu;
	cpu_set_t set;

	/* the k-th CPU we may use */
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &cfg->all_cpus) && k-- == 0)
			break;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(pid, sizeof(set), &set) < 0)
		perror("bench-fsops: sched_setaffinity");
}

/* The process that forks a server process for each connection. */
static pid_t server_of(const struct cfg *cfg, enum via via)
{
	return via == VIA_ECHO ? cfg->echo_pid :
	       via == VIA_HELPER ? cfg->helper_pid : 0;
}

/* One client process: set up, wait for the common start, measure. */
static void client_run(struct client *cl, double start)
{
	void (*op)(struct client *) = cl->via == VIA_HELPER ? helper_op :
				      cl->via == VIA_DIRECT ? direct_op : echo_op;
	double t, t1, end = start + WARMUP_S + cl->cfg->round_s;

	client_paths(cl);
	if (cl->cfg->pin)
		pin(cl->cfg, 0, cl->id);
	if (cl->via == VIA_HELPER)
		helper_setup(cl);
	else if (cl->via == VIA_DIRECT)
		direct_setup(cl);
	else
		echo_setup(cl);
	if (cl->synced >= 0 && write(cl->synced, "", 1) != 1)
		fail(cl, "sync", errno);
	while (now() < start)
		usleep(1000);
	while (now() < start + WARMUP_S)
		op(cl);
	for (t = now(); t < end; t = t1) {
		op(cl);
		t1 = now();
		record(cl->res, t1 - t);
	}
	exit(0);
}

static double quantile(const struct result *r, double q)
{
	uint64_t want = (uint64_t)((double)r->n * q), seen = 0;

	for (uint64_t b = 0; b < NBUCKETS; b++) {
		seen += r->hist[b];
		if (seen > want)
			return ((double)b + 0.5) * BUCKET_NS / 1000.0;
	}
	return (double)NBUCKETS * BUCKET_NS / 1000.0;
}

static void merge(struct result *to, const struct result *from)
{
	to->n += from->n;
	to->over += from->over;
	for (size_t b = 0; b < NBUCKETS; b++)
		to->hist[b] += from->hist[b];
}

/* What a case runs: which server, which operation, from when. */
struct spec {
	const struct cfg *cfg;
	enum via via;
	enum op op;
	double start;
};

/*
 * Fork client i (its figures go to *res).  Pinned, the server's main
 * process is moved to the client's CPU until the client is connected, so
 * that the process it forks for the connection starts there: wait for the
 * client's word (or its death) before going on.
 */
static int spawn_client(const struct spec *sp, unsigned int i,
			struct result *res, pid_t *pid)
{
	static struct client cl;
	const struct cfg *cfg = sp->cfg;
	pid_t server = cfg->pin ? server_of(cfg, sp->via) : 0;
	int sync[2] = { -1, -1 }, r;
	char c;

	if (cfg->pin && pipe(sync) < 0)
		return -1;
	if (server > 0)
		pin(cfg, server, i);
	*pid = fork();
	if (*pid == 0) {
		follow_parent();
		if (sync[0] >= 0)
			close(sync[0]);
		cl.cfg = cfg;
		cl.via = sp->via;
		cl.op = sp->op;
		cl.id = i;
		cl.res = res;
		cl.synced = sync[1];
		client_run(&cl, sp->start);
	}
	if (!cfg->pin)
		return *pid < 0 ? -1 : 0;
	close(sync[1]);
	r = *pid > 0 && read(sync[0], &c, 1) == 1 ? 0 : -1;
	close(sync[0]);
	return r;
}

/* Wait for the clients (by pid: the echo server is a child too) and sum
 * up their figures. */
static int collect(const struct cfg *cfg, const pid_t *pid, unsigned int n,
		   struct result *res, struct figures *f)
{
	static struct result total;
	int st, bad = 0;

	for (unsigned int i = 0; i < n; i++)
		if (pid[i] <= 0 || waitpid(pid[i], &st, 0) < 0 ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	memset(&total, 0, sizeof(total));
	for (unsigned int i = 0; i < n; i++) {
		if (res[i].failed)
			fprintf(stderr, "bench-fsops: %s\n", res[i].why);
		merge(&total, &res[i]);
	}
	if (bad || total.n == 0)
		return -1;
	f->ops = (double)total.n / cfg->round_s;
	f->median = quantile(&total, 0.5);
	f->p99 = quantile(&total, 0.99);
	return 0;
}

static int run_case(const struct cfg *cfg, enum via via, enum op op,
		    unsigned int nclients, struct figures *f)
{
	/* time to fork and connect before the common start */
	const struct spec sp = { cfg, via, op, now() + 0.15 };
	size_t sz = sizeof(struct result) * nclients;
	struct result *res = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid[CLIENTS_MAX] = { 0 };
	pid_t server = cfg->pin ? server_of(cfg, via) : 0;
	int r = 0;

	if (res == MAP_FAILED)
		return -1;
	for (unsigned int i = 0; i < nclients && r == 0; i++)
		r = spawn_client(&sp, i, &res[i], &pid[i]);
	if (server > 0)
		sched_setaffinity(server, sizeof(cfg->all_cpus), &cfg->all_cpus);
	if (collect(cfg, pid, nclients, res, f) < 0)
		r = -1;
	munmap(res, sz);
	return r;
}

/* ------------------------------------------------------- the table */

static void print_header(void)
{
	printf("%-12s %3s %9s %8s %8s | %9s %8s %8s | %6s %6s %s\n",
	       "op", "cl", "ops/s", "med us", "p99 us", "echo/s", "echo med",
	       "dir med", "thr", "lat", "target");
}

/*
 * thr: helper throughput / echo throughput (target >= 0.60 for stat with
 * two clients); lat: helper median / (2 x echo median + direct median)
 * (target <= 1.00 for all).
 */
static int print_row(enum op op, unsigned int n, const struct figures *h,
		     const struct figures *echo, const struct figures *d)
{
	double thr = h->ops / echo->ops;
	double lat = h->median / (2 * echo->median + d->median);
	int miss = lat > 1.0 || (op == OP_STAT && n >= 2 && thr < 0.60);

	printf("%-12s %3u %9.0f %8.1f %8.1f | %9.0f %8.1f %8.1f | %6.2f %6.2f %s\n",
	       op_name[op], n, h->ops, h->median, h->p99, echo->ops,
	       echo->median, d->median, thr, lat, miss ? "MISS" : "PASS");
	return miss;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Field by field, the median over the rounds. */
static void median_of(const struct figures *f, unsigned int n,
		      struct figures *out)
{
	double v[3][ROUNDS_MAX];

	for (unsigned int i = 0; i < n; i++) {
		v[0][i] = f[i].ops;
		v[1][i] = f[i].median;
		v[2][i] = f[i].p99;
	}
	for (int k = 0; k < 3; k++)
		qsort(v[k], n, sizeof(double), cmp_double);
	out->ops = v[0][n / 2];
	out->median = v[1][n / 2];
	out->p99 = v[2][n / 2];
}

/*
 * A row is measured in rounds, each one echo, helper, direct in turn: on
 * a shared machine the floor drifts, and where the scheduler puts a
 * client and its server (same CPU or not) changes a round trip several
 * times over, so every figure is the median of its rounds, each taken
 * next to its references.
 */
static int run_row(const struct cfg *cfg, enum op op, unsigned int n,
		   struct figures out[3])
{
	struct figures f[3][ROUNDS_MAX];
	static const enum via order[3] = { VIA_ECHO, VIA_HELPER, VIA_DIRECT };

	for (unsigned int r = 0; r < cfg->rounds; r++) {
		for (int k = 0; k < 3; k++) {
			if (run_case(cfg, order[k], k ? op : OP_ECHO, n,
				     &f[k][r]) < 0)
				return -1;
		}
	}
	for (int k = 0; k < 3; k++)
		median_of(f[k], cfg->rounds, &out[k]);
	return 0;
}

static int run_table(const struct cfg *cfg)
{
	struct figures fig[3];          /* echo, helper, direct */
	int misses = 0;

	print_header();
	for (int op = 0; op < OP_ECHO; op++) {
		if (!(cfg->ops & (1u << op)))
			continue;
		for (unsigned int i = 0; i < cfg->nclients; i++) {
			unsigned int n = cfg->clients[i];

			if (run_row(cfg, (enum op)op, n, fig) < 0)
				return -1;
			misses += print_row((enum op)op, n, &fig[1], &fig[0],
					    &fig[2]);
		}
	}
	printf("direct: in-process syscalls with the project's fsuid; "
	       "echo: bare SOCK_SEQPACKET echo, same frame size; each figure "
	       "the median of %u rounds of %.2f s; %s\n", cfg->rounds,
	       cfg->round_s, cfg->pin ? "pinned: client i and its server "
	       "process on CPU i" : "placement left to the scheduler");
	printf("targets: thr >= 0.60 for stat with 2 clients; lat <= 1.00 "
	       "for all; %d missed\n", misses);
	return misses;
}

/* ------------------------------------------------------- main */

/* The project's home, made by the helper (idempotent). */
static int create_project(const struct cfg *cfg)
{
	static struct crl_client c;
	int r = fsc_open(&c, cfg->sock, "bench-fsops");

	if (r == 0)
		r = fsc_create(&c, cfg->project);
	if (r < 0)
		fprintf(stderr, "bench-fsops: create %s: %s (%s)\n",
			cfg->project, strerror(-r), c.err);
	crl_client_close(&c);
	return r;
}

static int parse_clients(struct cfg *cfg, const char *s)
{
	char *end;

	cfg->nclients = 0;
	while (*s && cfg->nclients < CLIENTS_MAX) {
		unsigned long n = strtoul(s, &end, 10);

		if (end == s || n < 1 || n > CLIENTS_MAX)
			return -1;
		cfg->clients[cfg->nclients++] = (unsigned int)n;
		s = *end == ',' ? end + 1 : end;
	}
	return cfg->nclients ? 0 : -1;
}

/* "stat,rename": the operations by name (mkdir+rmdir as "mkdir"). */
static int parse_ops(struct cfg *cfg, const char *s)
{
	static const char *const names[OP_ECHO] = {
		"stat", "mkdir", "write", "rename",
	};
	size_t len;
	int op;

	cfg->ops = 0;
	while (*s) {
		len = strcspn(s, ",");
		for (op = 0; op < OP_ECHO; op++)
			if (strlen(names[op]) == len &&
			    strncmp(s, names[op], len) == 0)
				break;
		if (op == OP_ECHO)
			return -1;
		cfg->ops |= 1u << op;
		s += len + (s[len] == ',');
	}
	return cfg->ops ? 0 : -1;
}

static int parse(struct cfg *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "project", required_argument, NULL, 'P' },
		{ "home", required_argument, NULL, 'H' },
		{ "dir", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 't' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "clients", required_argument, NULL, 'c' },
		{ "ops", required_argument, NULL, 'o' },
		{ "pin", required_argument, NULL, 'p' },
		{ "strict", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'S': cfg->sock = optarg; break;
		case 'P': cfg->project = optarg; break;
		case 'H': cfg->home = optarg; break;
		case 'd': cfg->dir = optarg; break;
		case 't': cfg->seconds = strtod(optarg, NULL); break;
		case 'r': cfg->rounds = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'c':
			if (parse_clients(cfg, optarg) < 0)
				return -1;
			break;
		case 'o':
			if (parse_ops(cfg, optarg) < 0)
				return -1;
			break;
		case 'p':
			cfg->pin = 1;
			cfg->helper_pid = (pid_t)strtol(optarg, NULL, 10);
			break;
		case 's': cfg->strict = 1; break;
		default: return -1;
		}
	}
	if (!cfg->sock || !cfg->project || !cfg->home || !cfg->dir ||
	    cfg->seconds <= 0 || cfg->rounds < 1 || cfg->rounds > ROUNDS_MAX ||
	    (cfg->pin && cfg->helper_pid <= 0))
		return -1;
	cfg->round_s = cfg->seconds / cfg->rounds;
	return 0;
}

int main(int argc, char **argv)
{
	static struct cfg cfg = { .seconds = 2, .rounds = 3,
				  .clients = { 1, 2 }, .nclients = 2,
				  .ops = (1u << OP_ECHO) - 1 };
	struct stat st;
	int misses, status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_pid = getpid();
	sched_getaffinity(0, sizeof(cfg.all_cpus), &cfg.all_cpus);
	if (parse(&cfg, argc, argv) < 0) {
		fprintf(stderr, "usage: bench-fsops --socket S --project ID "
			"--home DIR --dir TMPDIR [--seconds S] [--rounds N] "
			"[--clients 1,2] [--ops stat,mkdir,write,rename] "
			"[--pin HELPER_PID] [--strict]\n");
		return 2;
	}
	if (create_project(&cfg) < 0 || stat(cfg.home, &st) < 0) {
		perror(cfg.home);
		return 2;
	}
	cfg.uid = st.st_uid;
	cfg.gid = st.st_gid;
	if (echo_start(&cfg) < 0)
		return 2;
	misses = run_table(&cfg);
	kill(cfg.echo_pid, SIGTERM);
	waitpid(cfg.echo_pid, &status, 0);
	unlink(cfg.echo_path);
	if (misses < 0) {
		fprintf(stderr, "bench-fsops: a case failed\n");
		return 2;
	}
	return cfg.strict && misses ? 1 : 0;
}
