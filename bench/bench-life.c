/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-life: latency of the project lifecycle through the helper, next to
 * bubblewrap measured in the same run with the closest equivalent options.
 *
 *   bench-life --socket S --project ID --exec-project ID2 --home DIR
 *              --uid N [--runs 30] [--bwrap PATH] [--strict]
 *
 * Both projects are created beforehand (bench/run-bench-life.sh does it);
 * DIR is ID's home on the host, N its uid, both given to bwrap.  ID is
 * started and stopped run by run; ID2 runs its default command for the
 * whole benchmark, and takes the execs.
 *
 * Cases, interleaved run by run (one of each in turn, so that a slow phase
 * of the machine hits all of them alike):
 *
 *   corral start->exit  START with ARGV /bin/true, then wait until the
 *                       project's init (the PID of the reply, watched
 *                       through a pidfd) has exited: the sandbox was built
 *                       (namespaces, mounts, cgroup, uid switch, seccomp),
 *                       /bin/true ran, and the init ended
 *   corral stop         the STOP that follows (cleanup: cgroup, mounts);
 *                       shown, not part of a target
 *   bwrap /bin/true     fork+exec of bwrap --unshare-all --ro-bind / /
 *                       --tmpfs /home --bind DIR /home/user --proc /proc
 *                       --dev /dev --tmpfs /tmp --uid N --gid N
 *                       --cap-drop ALL /bin/true, until waitpid
 *                       (--tmpfs /home: bwrap cannot create /home/user on
 *                       the read-only root; corral hides /home too)
 *   corral exec         EXEC /bin/true into ID2, running its default
 *                       command, on a connection of its own, until the
 *                       EXIT reply
 * The rows "of which" show when the first reply came (START: PID; EXEC:
 * PID and the descriptors), as a breakdown for whoever tunes the helper;
 * "host /bin/true" (fork, exec, waitpid, nothing else) is the floor of
 * any launcher here.
 *
 * Targets (issue 4): corral start->exit median <= 0.8 x bwrap median;
 * exec median <= 0.3 x bwrap median.  --strict: exit 1 if one is missed.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frontend/client.h"

#define RUNS_MAX 1000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(const double *v, int n, double q)
{
	double s[RUNS_MAX];
	int i;

	if (n <= 0)
		return 0;
	memcpy(s, v, (size_t)n * sizeof(double));
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	i = (int)(q * (n - 1) + 0.5);
	return s[i];
}

static void die(const char *what, const struct crl_client *c)
{
	fprintf(stderr, "bench-life: %s: %s\n", what, c ? c->err : strerror(errno));
	exit(2);
}

static void simple_call(struct crl_client *c, uint16_t type, const char *project,
			const char *what)
{
	struct crl_enc e;
	struct crl_msg m;

	crl_client_begin(c, &e, type);
	crl_put_str(&e, CRL_A_PROJECT, project);
	if (type == CRL_MSG_STOP)
		crl_put_u32(&e, CRL_A_GRACE, 1);
	if (crl_client_call(c, &e, &m) < 0)
		die(what, c);
}

/* Wait for a process that is not our child to end. */
static void wait_exit(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pf;

	if (fd < 0) {
		if (errno == ESRCH)     /* already gone */
			return;
		die("pidfd_open", NULL);
	}
	pf.fd = fd;
	pf.events = POLLIN;
	while (poll(&pf, 1, -1) < 0 && errno == EINTR)
		;
	close(fd);
}

/* One START /bin/true; returns start->exit ms, *reply_ms when the START
 * reply came, *stop_ms the STOP after. */
static double corral_start(struct crl_client *c, const char *project,
			   double *reply_ms, double *stop_ms)
{
	struct crl_enc e;
	struct crl_msg m;
	double t0, t1, t2;

	t0 = now_ms();
	crl_client_begin(c, &e, CRL_MSG_START);
	crl_put_str(&e, CRL_A_PROJECT, project);
	crl_list_begin(&e, CRL_A_ARGV);
	crl_put_str(&e, CRL_A_ITEM, "/bin/true");
	crl_list_end(&e);
	if (crl_client_call(c, &e, &m) < 0)
		die("start", c);
	*reply_ms = now_ms() - t0;
	wait_exit((pid_t)crl_msg_u32(&m, CRL_A_PID));
	t1 = now_ms();
	simple_call(c, CRL_MSG_STOP, project, "stop");
	t2 = now_ms();
	*stop_ms = t2 - t1;
	return t1 - t0;
}

static double corral_exec(struct crl_client *c, const char *project,
			  double *reply_ms)
{
	struct crl_enc e;
	struct crl_msg m;
	int fds[CRL_FDS_MAX];
	unsigned int n = 0;
	double t0 = now_ms();

	crl_client_begin(c, &e, CRL_MSG_EXEC);
	crl_put_str(&e, CRL_A_PROJECT, project);
	crl_list_begin(&e, CRL_A_ARGV);
	crl_put_str(&e, CRL_A_ITEM, "/bin/true");
	crl_list_end(&e);
	if (crl_client_call_fds(c, &e, &m, fds, CRL_FDS_MAX, &n) < 0)
		die("exec", c);
	*reply_ms = now_ms() - t0;
	/* the command sees EOF on stdin; its output is not read */
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
	if (crl_client_next(c, &m) < 0)
		die("exec (exit status)", c);
	if (!crl_msg_has(&m, CRL_A_EXIT) || crl_msg_u32(&m, CRL_A_EXIT) != 0) {
		fprintf(stderr, "bench-life: exec /bin/true did not exit 0\n");
		exit(2);
	}
	return now_ms() - t0;
}

static double run_wait(const char *const *argv)
{
	double t0 = now_ms();
	pid_t p = fork();
	int st;

	if (p < 0)
		die("fork", NULL);
	if (p == 0) {
		/* execv's prototype predates const; it writes nothing */
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench-life: %s failed (status 0x%x)\n", argv[0], st);
		exit(2);
	}
	return now_ms() - t0;
}

static void row(const char *name, const double *v, int n)
{
	printf("%-22s %9.3f %9.3f %9.3f\n", name, quantile(v, n, 0.5),
	       quantile(v, n, 0.1), quantile(v, n, 0.9));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "project", required_argument, NULL, 'p' },
		{ "exec-project", required_argument, NULL, 'x' },
		{ "home", required_argument, NULL, 'h' },
		{ "uid", required_argument, NULL, 'u' },
		{ "runs", required_argument, NULL, 'r' },
		{ "bwrap", required_argument, NULL, 'b' },
		{ "strict", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	static double t_start[RUNS_MAX], t_stop[RUNS_MAX], t_bwrap[RUNS_MAX],
		t_exec[RUNS_MAX], t_sreply[RUNS_MAX], t_ereply[RUNS_MAX],
		t_host[RUNS_MAX];
	const char *sock = NULL, *project = NULL, *home = NULL, *uid = NULL;
	const char *xproject = NULL;
	const char *bwrap = "/usr/bin/bwrap";
	struct crl_client c, x;
	int runs = 30, strict = 0, opt, i, miss = 0;
	double ms, mb, me, rs, re, dummy;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'p': project = optarg; break;
		case 'x': xproject = optarg; break;
		case 'h': home = optarg; break;
		case 'u': uid = optarg; break;
		case 'r': runs = atoi(optarg); break;
		case 'b': bwrap = optarg; break;
		case 'S': strict = 1; break;
		default: return 2;
		}
	}
	if (!sock || !project || !xproject || !home || !uid || runs < 1 ||
	    runs > RUNS_MAX) {
		fprintf(stderr, "usage: bench-life --socket S --project ID "
			"--exec-project ID2 --home DIR --uid N [--runs 1-%d] "
			"[--bwrap PATH] [--strict]\n", RUNS_MAX);
		return 2;
	}
	const char *const bw[] = {
		bwrap, "--unshare-all", "--ro-bind", "/", "/",
		"--tmpfs", "/home", "--bind", home, "/home/user",
		"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
		"--uid", uid, "--gid", uid, "--cap-drop", "ALL",
		"/bin/true", NULL,
	};
	const char *const bare[] = { "/bin/true", NULL };

	signal(SIGPIPE, SIG_IGN);
	if (crl_client_connect(&c, sock) < 0 || crl_client_hello(&c, "bench-life") < 0)
		die("connect", &c);
	if (crl_client_connect(&x, sock) < 0 || crl_client_hello(&x, "bench-life") < 0)
		die("connect", &x);

	/* ID2 runs its default command throughout, for the execs */
	{
		struct crl_enc e;
		struct crl_msg m;

		crl_client_begin(&x, &e, CRL_MSG_START);
		crl_put_str(&e, CRL_A_PROJECT, xproject);
		if (crl_client_call(&x, &e, &m) < 0)
			die("start (default command)", &x);
	}
	/* warm-up: caches, the first cgroup, page tables of every binary */
	for (i = 0; i < 3; i++) {
		corral_start(&c, project, &dummy, &ms);
		run_wait(bw);
		corral_exec(&x, xproject, &dummy);
	}
	for (i = 0; i < runs; i++) {
		t_start[i] = corral_start(&c, project, &t_sreply[i], &t_stop[i]);
		t_bwrap[i] = run_wait(bw);
		t_host[i] = run_wait(bare);
		t_exec[i] = corral_exec(&x, xproject, &t_ereply[i]);
	}
	simple_call(&x, CRL_MSG_STOP, xproject, "stop");

	printf("%-22s %9s %9s %9s   (ms, %d runs each)\n", "case", "median",
	       "p10", "p90", runs);
	row("host /bin/true", t_host, runs);
	row("bwrap /bin/true", t_bwrap, runs);
	row("corral start->exit", t_start, runs);
	row("  of which: reply", t_sreply, runs);
	row("corral stop after", t_stop, runs);
	row("corral exec /bin/true", t_exec, runs);
	row("  of which: 1st reply", t_ereply, runs);
	mb = quantile(t_bwrap, runs, 0.5);
	ms = quantile(t_start, runs, 0.5);
	me = quantile(t_exec, runs, 0.5);
	rs = ms / mb;
	re = me / mb;
	printf("\n");
	printf("start->exit / bwrap = %.3f   target <= 0.80   %s\n", rs,
	       rs <= 0.8 ? "PASS" : "MISS");
	printf("exec / bwrap start  = %.3f   target <= 0.30   %s\n", re,
	       re <= 0.3 ? "PASS" : "MISS");
	miss = rs > 0.8 || re > 0.3;
	crl_client_close(&c);
	crl_client_close(&x);
	return strict && miss ? 1 : 0;
}
