/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl start / stop / status / exec: the project lifecycle (DESIGN §3,
 * §5).
 *
 *   start PROJECT [-- CMD [ARG...]]       prints the host pid of its init
 *   stop PROJECT [--grace SECONDS]
 *   status [PROJECT]                      no PROJECT: the running projects
 *   exec PROJECT [--tty] [--cwd DIR] [--env K=V]... [--timeout SECONDS]
 *        -- CMD [ARG...]
 *
 * As for "fs", project ids, commands, directories and variables go to the
 * helper verbatim: the helper judges them against its policy.
 *
 * exec gets the command's stdio as descriptors the helper opened (three
 * pipes, or one pty master with --tty) and pumps data between them and its
 * own stdio in one poll loop, never blocking on a write to the command (a
 * command that does not read its stdin must not stop its output from being
 * copied).  The second reply, on the same connection, carries the wait
 * status; corralctl then exits with the command's exit code, or 128 + the
 * signal that killed it, as shells report it.  With --tty and a terminal on
 * stdin, that terminal is put in raw mode (every key goes to the command,
 * ^C included) and restored on every way out; its size is copied to the pty
 * at start and on SIGWINCH.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/escape.h"
#include "frontend/ctl.h"

#define IO_BUF   (64 * 1024)
/* After the exit status came: how long output still held open by a
 * process the command left behind is waited for. */
#define DRAIN_MS 200

static int fail_reply(struct ctl *t, const char *op, const char *project)
{
	char why[512];

	return ctl_fail(op, project, ctl_reason(&t->client, why, sizeof(why)));
}

/* Decimal seconds, 0 .. UINT32_MAX; -1 for anything else. */
static int parse_seconds(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int usage_err(const char *cmd, const char *why, const char *usage)
{
	if (why)
		fprintf(stderr, "corralctl: %s: %s\n", cmd, why);
	fprintf(stderr, "usage: corralctl %s %s\n", cmd, usage);
	return CTL_EXIT_USAGE;
}

/* ------------------------------------------------------------ start */

#define START_USAGE "PROJECT [-- CMD [ARG...]]"

int ctl_cmd_start(struct ctl *t, int argc, char **argv)
{
	struct crl_enc e;
	struct crl_msg m;
	int rc, first_cmd = 0;

	if (argc < 2)
		return usage_err("start", NULL, START_USAGE);
	if (argc > 2) {
		if (strcmp(argv[2], "--") != 0)
			return usage_err("start", "a command follows \"--\"",
					 START_USAGE);
		if (argc == 3)
			return usage_err("start", "no command after \"--\"",
					 START_USAGE);
		first_cmd = 3;
		if (argc - first_cmd > CRL_LIST_MAX)
			return usage_err("start", "more than 256 arguments",
					 START_USAGE);
	}
	rc = ctl_connect(t);
	if (rc)
		return rc;
	crl_client_begin(&t->client, &e, CRL_MSG_START);
	crl_put_str(&e, CRL_A_PROJECT, argv[1]);
	if (first_cmd) {
		crl_list_begin(&e, CRL_A_ARGV);
		for (int i = first_cmd; i < argc; i++)
			crl_put_str(&e, CRL_A_ITEM, argv[i]);
		crl_list_end(&e);
	}
	if (crl_client_call(&t->client, &e, &m) < 0)
		return fail_reply(t, "start", argv[1]);
	if (!crl_msg_has(&m, CRL_A_PID))
		return ctl_fail("start", argv[1], "reply carries no pid");
	printf("%u\n", crl_msg_u32(&m, CRL_A_PID));
	return 0;
}

/* ------------------------------------------------------------ stop */

#define STOP_USAGE "PROJECT [--grace SECONDS]"

int ctl_cmd_stop(struct ctl *t, int argc, char **argv)
{
	struct crl_enc e;
	struct crl_msg m;
	uint32_t grace = 0;
	int has_grace = 0, rc;

	if (argc != 2 && argc != 4)
		return usage_err("stop", NULL, STOP_USAGE);
	if (argc == 4) {
		if (strcmp(argv[2], "--grace") != 0)
			return usage_err("stop", "unknown option", STOP_USAGE);
		if (parse_seconds(argv[3], &grace) < 0)
			return usage_err("stop", "--grace takes whole seconds",
					 STOP_USAGE);
		has_grace = 1;
	}
	rc = ctl_connect(t);
	if (rc)
		return rc;
	crl_client_begin(&t->client, &e, CRL_MSG_STOP);
	crl_put_str(&e, CRL_A_PROJECT, argv[1]);
	if (has_grace)
		crl_put_u32(&e, CRL_A_GRACE, grace);
	if (crl_client_call(&t->client, &e, &m) < 0)
		return fail_reply(t, "stop", argv[1]);
	return 0;
}

/* ------------------------------------------------------------ status */

static void print_status(const struct crl_msg *m)
{
	struct timespec now;
	uint64_t started, now_ns;

	if (!crl_msg_u32(m, CRL_A_RUNNING)) {
		printf("running: no\n");
		return;
	}
	started = crl_msg_u64(m, CRL_A_STARTED);
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	printf("running: yes\n");
	printf("pid: %u\n", crl_msg_u32(m, CRL_A_PID));
	printf("started: %llu.%09llu\n",
	       (unsigned long long)(started / 1000000000u),
	       (unsigned long long)(started % 1000000000u));
	printf("uptime: %llu s\n", now_ns > started ?
	       (unsigned long long)((now_ns - started) / 1000000000u) : 0ull);
	printf("pids: %u\n", crl_msg_u32(m, CRL_A_PIDS));
	printf("memory: %llu\n",
	       (unsigned long long)crl_msg_u64(m, CRL_A_MEMORY));
	printf("cpu: %llu.%09llu\n",
	       (unsigned long long)(crl_msg_u64(m, CRL_A_CPU) / 1000000000u),
	       (unsigned long long)(crl_msg_u64(m, CRL_A_CPU) % 1000000000u));
}

static int run_list(struct ctl *t)
{
	struct crl_client *c = &t->client;
	char esc[CRL_ESCAPE_OUT_MAX];
	struct crl_enc e;
	struct crl_msg m;
	struct crl_list l;
	int r;

	crl_client_begin(c, &e, CRL_MSG_LIST);
	r = crl_client_call(c, &e, &m);
	for (;;) {
		if (r < 0)
			return fail_reply(t, "status", t->target);
		crl_msg_list(&m, CRL_A_PROJECTS, &l);
		for (unsigned int i = 0; i < l.count; i++)
			printf("%s\n", crl_escape_text(l.item[i], esc));
		if (!crl_client_reply_more(&m))
			return 0;
		r = crl_client_next(c, &m);
	}
}

int ctl_cmd_status(struct ctl *t, int argc, char **argv)
{
	struct crl_enc e;
	struct crl_msg m;
	int rc;

	if (argc > 2)
		return usage_err("status", NULL, "[PROJECT]");
	rc = ctl_connect(t);
	if (rc)
		return rc;
	if (argc == 1)
		return run_list(t);
	crl_client_begin(&t->client, &e, CRL_MSG_STATUS);
	crl_put_str(&e, CRL_A_PROJECT, argv[1]);
	if (crl_client_call(&t->client, &e, &m) < 0)
		return fail_reply(t, "status", argv[1]);
	print_status(&m);
	return 0;
}

/* ------------------------------------------------------------ exec */

#define EXEC_USAGE \
	"PROJECT [--tty] [--cwd DIR] [--env K=V]... [--timeout SECONDS] " \
	"-- CMD [ARG...]"

struct exec_args {
	const char *project;
	const char *cwd;
	const char *env[CRL_LIST_MAX];
	unsigned int nenv;
	char **argv;
	unsigned int argc;
	uint32_t timeout;
	int has_timeout;
	int tty;
};

static int parse_exec(int argc, char **argv, struct exec_args *a)
{
	static const struct option opts[] = {
		{ "tty", no_argument, NULL, 't' },
		{ "cwd", required_argument, NULL, 'c' },
		{ "env", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	if (argc < 2 || argv[1][0] == '-')
		return usage_err("exec", argc < 2 ? NULL : "PROJECT comes first",
				 EXEC_USAGE);
	a->project = argv[1];
	/* options between PROJECT and "--", with PROJECT in argv[0]'s place;
	 * optind 0 makes getopt start afresh; it must neither permute nor
	 * print */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			a->tty = 1;
			break;
		case 'c':
			a->cwd = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return usage_err("exec", "--env takes NAME=VALUE",
						 EXEC_USAGE);
			if (a->nenv == CRL_LIST_MAX)
				return usage_err("exec", "more than 256 --env",
						 EXEC_USAGE);
			a->env[a->nenv++] = optarg;
			break;
		case 'T':
			if (parse_seconds(optarg, &a->timeout) < 0)
				return usage_err("exec",
						 "--timeout takes whole seconds",
						 EXEC_USAGE);
			a->has_timeout = 1;
			break;
		default:
			return usage_err("exec", "unknown option or missing value",
					 EXEC_USAGE);
		}
	}
	/* getopt consumed the "--" that ended the options */
	if (optind < 2 || strcmp(argv[optind - 1], "--") != 0)
		return usage_err("exec", "the command follows \"--\"", EXEC_USAGE);
	if (optind >= argc)
		return usage_err("exec", "no command after \"--\"", EXEC_USAGE);
	if (argc - optind > CRL_LIST_MAX)
		return usage_err("exec", "more than 256 arguments", EXEC_USAGE);
	a->argv = argv + optind;
	a->argc = (unsigned int)(argc - optind);
	return 0;
}

/* Terminal state, restored by every way out once raw mode is on. */
static struct termios saved_tio;
static int tio_saved;
static volatile sig_atomic_t got_winch, got_term;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_saved = 0;
}

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_term = sig;
}

static int raw_tty(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return -errno;
	raw = saved_tio;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0)
		return -errno;
	tio_saved = 1;
	return 0;
}

static void copy_winsize(int pty)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(pty, TIOCSWINSZ, &ws);
}

/* The data streams of one exec. */
struct pump {
	int in_fd;                  /* the command's stdin (or the pty), -1 */
	int out_fd[2];              /* its stdout, stderr (pty: [0] only) */
	int tty;
	int stdin_open;             /* our stdin not yet at EOF */
	char *inbuf;                /* read from our stdin, not yet written */
	size_t in_len, in_off;
	char last;                  /* last byte read from our stdin, or 0 */
	char *buf;
};

/* Move one chunk of the command's output to our fd; 0 at its end. */
static int pump_out(struct pump *p, int i)
{
	ssize_t n = read(p->out_fd[i], p->buf, IO_BUF);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	/* a pty master reads EIO once the last slave fd is closed */
	if (n <= 0) {
		close(p->out_fd[i]);
		p->out_fd[i] = -1;
		return 0;
	}
	/* our reader may be gone (| head): keep draining, drop the data */
	ctl_write_all(i == 0 ? STDOUT_FILENO : STDERR_FILENO, p->buf, (size_t)n);
	return 1;
}

/* Our stdin reached its end: the command sees EOF.  A pipe is closed; a pty
 * in canonical mode gets its EOF character, twice after a partial line (the
 * first only ends that line), as one would type it. */
static void input_ended(struct pump *p)
{
	struct termios tio;

	p->stdin_open = 0;
	if (p->in_fd < 0)
		return;
	if (!p->tty) {
		close(p->in_fd);
		p->in_fd = -1;
		return;
	}
	if (tcgetattr(p->in_fd, &tio) == 0 && (tio.c_lflag & ICANON)) {
		char eof[2] = { (char)tio.c_cc[VEOF], (char)tio.c_cc[VEOF] };

		ctl_write_all(p->in_fd, eof, p->last && p->last != '\n' ? 2 : 1);
	}
}

static void pump_in(struct pump *p)
{
	ssize_t n;

	if (p->in_off < p->in_len) {
		n = write(p->in_fd, p->inbuf + p->in_off, p->in_len - p->in_off);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n < 0) {
			/* the command closed its stdin: nothing more goes there */
			p->in_len = p->in_off = 0;
			p->stdin_open = 0;
			close(p->in_fd);
			p->in_fd = -1;
			return;
		}
		p->in_off += (size_t)n;
		if (p->in_off == p->in_len)
			p->in_off = p->in_len = 0;
		return;
	}
	n = read(STDIN_FILENO, p->inbuf, IO_BUF);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		input_ended(p);
		return;
	}
	p->in_len = (size_t)n;
	p->in_off = 0;
	p->last = p->inbuf[n - 1];
}

static int wait_status_code(uint32_t st)
{
	int s = (int)st;

	if (WIFEXITED(s))
		return WEXITSTATUS(s);
	if (WIFSIGNALED(s))
		return 128 + WTERMSIG(s);
	return CTL_EXIT_FAIL;
}

/*
 * The poll loop.  Returns the exit code, or -1 after printing why.
 */
static int exec_loop(struct ctl *t, struct pump *p, const char *project)
{
	struct crl_client *c = &t->client;
	struct pollfd pf[5];
	struct crl_msg m;
	sigset_t block, orig;
	int have_exit = 0, code = 0;
	struct timespec deadline = { 0, 0 };

	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	for (;;) {
		int nfd = 0, idx_in = -1, idx_out[2] = { -1, -1 }, idx_sock = -1;
		struct timespec ts, *tsp = NULL;
		int r;

		if (got_term) {
			ctl_fail("exec", project, got_term == SIGINT ?
				 "interrupted" : "terminated");
			code = 128 + got_term;
			break;
		}
		if (got_winch && p->tty) {
			got_winch = 0;
			copy_winsize(p->in_fd >= 0 ? p->in_fd : p->out_fd[0]);
		}
		if (p->out_fd[0] < 0 && p->out_fd[1] < 0 && have_exit)
			break;
		if (p->in_fd >= 0 && !have_exit) {
			if (p->in_off < p->in_len) {
				pf[nfd] = (struct pollfd){ p->in_fd, POLLOUT, 0 };
				idx_in = nfd++;
			} else if (p->stdin_open) {
				pf[nfd] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
				idx_in = nfd++;
			}
		}
		for (int i = 0; i < 2; i++)
			if (p->out_fd[i] >= 0) {
				pf[nfd] = (struct pollfd){ p->out_fd[i], POLLIN, 0 };
				idx_out[i] = nfd++;
			}
		if (!have_exit) {
			pf[nfd] = (struct pollfd){ c->fd, POLLIN, 0 };
			idx_sock = nfd++;
		} else {
			/* an absolute end: a process left behind that keeps
			 * writing does not keep us here */
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			ts.tv_sec = deadline.tv_sec - now.tv_sec;
			ts.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (ts.tv_nsec < 0) {
				ts.tv_nsec += 1000000000L;
				ts.tv_sec--;
			}
			if (ts.tv_sec < 0)
				break;
			tsp = &ts;
		}
		r = ppoll(pf, (nfds_t)nfd, tsp, &orig);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ctl_fail("exec", project, strerror(errno));
			code = -1;
			break;
		}
		if (r == 0)             /* drain time is over */
			break;
		for (int i = 0; i < 2; i++)
			if (idx_out[i] >= 0 && pf[idx_out[i]].revents)
				pump_out(p, i);
		if (idx_in >= 0 && pf[idx_in].revents)
			pump_in(p);
		if (idx_sock >= 0 && pf[idx_sock].revents) {
			if (crl_client_next(c, &m) < 0) {
				fail_reply(t, "exec", project);
				code = -1;
				break;
			}
			if (!crl_msg_has(&m, CRL_A_EXIT)) {
				ctl_fail("exec", project,
					 "Protocol error (reply carries no exit status)");
				code = -1;
				break;
			}
			code = wait_status_code(crl_msg_u32(&m, CRL_A_EXIT));
			have_exit = 1;
			clock_gettime(CLOCK_MONOTONIC, &deadline);
			deadline.tv_nsec += DRAIN_MS * 1000000L;
			deadline.tv_sec += deadline.tv_nsec / 1000000000L;
			deadline.tv_nsec %= 1000000000L;
		}
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return code;
}

int ctl_cmd_exec(struct ctl *t, int argc, char **argv)
{
	struct exec_args a;
	struct pump p;
	struct crl_enc e;
	struct crl_msg m;
	struct sigaction sa;
	int fds[CRL_FDS_MAX];
	unsigned int nfds = 0;
	int rc, code;

	rc = parse_exec(argc, argv, &a);
	if (rc)
		return rc;
	rc = ctl_connect(t);
	if (rc)
		return rc;
	crl_client_begin(&t->client, &e, CRL_MSG_EXEC);
	crl_put_str(&e, CRL_A_PROJECT, a.project);
	crl_list_begin(&e, CRL_A_ARGV);
	for (unsigned int i = 0; i < a.argc; i++)
		crl_put_str(&e, CRL_A_ITEM, a.argv[i]);
	crl_list_end(&e);
	if (a.nenv) {
		crl_list_begin(&e, CRL_A_ENV);
		for (unsigned int i = 0; i < a.nenv; i++)
			crl_put_str(&e, CRL_A_ITEM, a.env[i]);
		crl_list_end(&e);
	}
	if (a.cwd)
		crl_put_str(&e, CRL_A_CWD, a.cwd);
	if (a.tty)
		crl_put_u32(&e, CRL_A_FLAGS, CRL_EXEC_TTY);
	if (a.has_timeout)
		crl_put_u32(&e, CRL_A_TIMEOUT, a.timeout);
	if (crl_client_call_fds(&t->client, &e, &m, fds, CRL_FDS_MAX, &nfds) < 0)
		return fail_reply(t, "exec", a.project);
	if (nfds != (a.tty ? 1u : 3u)) {
		for (unsigned int i = 0; i < nfds; i++)
			close(fds[i]);
		return ctl_fail("exec", a.project,
				"Protocol error (wrong number of descriptors)");
	}

	memset(&p, 0, sizeof(p));
	p.tty = a.tty;
	p.stdin_open = 1;
	p.inbuf = malloc(IO_BUF);
	p.buf = malloc(IO_BUF);
	if (!p.inbuf || !p.buf) {
		for (unsigned int i = 0; i < nfds; i++)
			close(fds[i]);
		free(p.inbuf);
		free(p.buf);
		return ctl_fail("exec", a.project, strerror(ENOMEM));
	}
	if (a.tty) {
		/* one descriptor both ways: a dup lets each direction close
		 * its own */
		p.in_fd = fds[0];
		p.out_fd[0] = fcntl(fds[0], F_DUPFD_CLOEXEC, 3);
		p.out_fd[1] = -1;
		if (p.out_fd[0] < 0) {
			close(fds[0]);
			free(p.inbuf);
			free(p.buf);
			return ctl_fail("exec", a.project, strerror(errno));
		}
	} else {
		p.in_fd = fds[0];
		p.out_fd[0] = fds[1];
		p.out_fd[1] = fds[2];
	}
	/* our own ends only: nobody else holds these file descriptions */
	fcntl(p.in_fd, F_SETFL, fcntl(p.in_fd, F_GETFL) | O_NONBLOCK);
	for (int i = 0; i < 2; i++)
		if (p.out_fd[i] >= 0)
			fcntl(p.out_fd[i], F_SETFL,
			      fcntl(p.out_fd[i], F_GETFL) | O_NONBLOCK);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (a.tty && isatty(STDIN_FILENO)) {
		copy_winsize(p.in_fd);
		if (raw_tty() < 0) {
			/* not fatal: keys then go through the local line
			 * discipline first */
		}
	}

	code = exec_loop(t, &p, a.project);
	restore_tty();

	if (p.in_fd >= 0)
		close(p.in_fd);
	for (int i = 0; i < 2; i++)
		if (p.out_fd[i] >= 0)
			close(p.out_fd[i]);
	free(p.inbuf);
	free(p.buf);
	fflush(stdout);
	return code < 0 ? CTL_EXIT_FAIL : code;
}
