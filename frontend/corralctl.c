/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl: command-line client for operators and tests.
 *
 *   corralctl [--helper SOCKET | --spawn HELPER] [--policy FILE] COMMAND
 *
 * Failures print "corralctl: OP OBJECT: reason" and exit 1; usage errors
 * exit 2.  This file holds the global options, ping and create; the file
 * operations are in ctl_fs.c, start/stop/status/exec in ctl_life.c.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/escape.h"
#include "frontend/ctl.h"
#include "policy/policy.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: corralctl [--helper SOCKET | --spawn HELPER] [--policy FILE] COMMAND\n"
		"       corralctl --url URL --token-file FILE COMMAND   (through corrald)\n"
		"\n"
		"commands:\n"
		"  ping              check that the helper answers; show its version\n"
		"                    and the digest of the policy it enforces\n"
		"  create PROJECT    make the project's home (idempotent); print its uid\n"
		"  start PROJECT [-- CMD [ARG...]]\n"
		"                    start the project (default: the policy's command);\n"
		"                    print the host pid of its init\n"
		"  stop PROJECT [--grace SECONDS]\n"
		"                    end every process of the project, clean up\n"
		"  status [PROJECT]  a project's state; without PROJECT the running ones\n"
		"  exec PROJECT [--tty] [--cwd DIR] [--env K=V]... [--timeout SECONDS] -- CMD [ARG...]\n"
		"                    run CMD in the running project with this stdio;\n"
		"                    exit with its status (128+N: killed by signal N)\n"
		"  fs PROJECT OP ARGS...\n"
		"                    a file operation in the project's home:\n");
	ctl_fs_usage(f);
	fprintf(f,
		"  token keygen --out PREFIX\n"
		"  token mint --key FILE --project ID --perms P,... --ttl SECONDS\n"
		"             [--aud HOST] [--sub S] [--jti ID]\n"
		"                    development stand-in for a hub: Ed25519 keys, tokens\n");
}

int ctl_fail(const char *op, const char *object, const char *why)
{
	char esc[CRL_ESCAPE_OUT_MAX];

	fprintf(stderr, "corralctl: %s %s: %s\n", op,
		crl_escape_text(object, esc), why);
	return CTL_EXIT_FAIL;
}

static int failf(const struct ctl *t, const char *op, const char *why)
{
	return ctl_fail(op, t->target, why);
}

const char *ctl_reason(const struct crl_client *c, char *buf, size_t len)
{
	const char *base;

	if (!c->remote_errno) {
		snprintf(buf, len, "%s", c->err);
		return buf;
	}
	base = strerror(c->remote_errno);
	/* the helper's message is already escaped (client.c) */
	if (!c->err[0] || strcmp(c->err, base) == 0)
		snprintf(buf, len, "%s", base);
	else if (strncmp(c->err, base, strlen(base)) == 0)
		snprintf(buf, len, "%s", c->err);
	else
		snprintf(buf, len, "%s (%s)", base, c->err);
	return buf;
}

/* Without --helper: the policy's socket, else the built-in default. */
static const char *default_socket(const char *policy_path, char *buf, size_t len)
{
	struct crl_policy *p = NULL;

	snprintf(buf, len, "%s", CORRAL_HELPER_SOCKET);
	if (crl_policy_load(policy_path, &p, NULL) == 0) {
		snprintf(buf, len, "%s", p->socket_path);
		crl_policy_free(p);
	}
	return buf;
}

int ctl_connect(struct ctl *t)
{
	char why[512];
	int r;

	if (t->spawn_helper)
		r = crl_client_spawn(&t->client, t->spawn_helper, t->policy_path);
	else
		r = crl_client_connect(&t->client, t->helper_socket);
	if (r == 0)
		r = crl_client_hello(&t->client, "corralctl");
	if (r < 0)
		return failf(t, "connect", ctl_reason(&t->client, why, sizeof(why)));
	return 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmd_ping(struct ctl *t)
{
	uint8_t probe[16];
	struct crl_enc e;
	struct crl_msg m;
	const void *echo;
	size_t len = 0;
	char hex[65], why[512];
	double t0, t1;
	int r;

	if (getrandom(probe, sizeof(probe), 0) != (ssize_t)sizeof(probe))
		return failf(t, "ping", strerror(errno));
	t0 = now_us();
	crl_client_begin(&t->client, &e, CRL_MSG_PING);
	crl_put_bytes(&e, CRL_A_DATA, probe, sizeof(probe));
	r = crl_client_call(&t->client, &e, &m);
	t1 = now_us();
	if (r < 0)
		return failf(t, "ping", ctl_reason(&t->client, why, sizeof(why)));
	echo = crl_msg_bytes(&m, CRL_A_DATA, &len);
	if (!echo || len != sizeof(probe) || memcmp(echo, probe, len) != 0)
		return failf(t, "ping", "reply does not echo the probe");
	crl_client_begin(&t->client, &e, CRL_MSG_POLICY_DIGEST);
	r = crl_client_call(&t->client, &e, &m);
	if (r < 0)
		return failf(t, "policy-digest",
			     ctl_reason(&t->client, why, sizeof(why)));
	crl_sha256_hex(crl_msg_bytes(&m, CRL_A_DIGEST, &len), hex);
	printf("helper: %s (%s, protocol %u)\n", t->target, t->client.server,
	       t->client.version);
	printf("policy: sha256:%s\n", hex);
	printf("round trip: %.0f us\n", t1 - t0);
	return 0;
}

static int parse_opts(struct ctl *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "helper", required_argument, NULL, 'H' },
		{ "spawn", required_argument, NULL, 'S' },
		{ "policy", required_argument, NULL, 'p' },
		{ "url", required_argument, NULL, 'U' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* '+': options end at the command, like git */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'H': t->helper_socket = optarg; break;
		case 'S': t->spawn_helper = optarg; break;
		case 'p': t->policy_path = optarg; break;
		case 'U': t->url = optarg; break;
		case 'T': t->token_file = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("corralctl %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (t->url && (t->helper_socket || t->spawn_helper)) {
		fprintf(stderr, "corralctl: --url excludes --helper and --spawn\n");
		exit(2);
	}
	if (t->helper_socket && t->spawn_helper) {
		fprintf(stderr, "corralctl: --helper and --spawn exclude each other\n");
		exit(2);
	}
	if (optind >= argc) {
		usage(stderr);
		exit(2);
	}
	return optind;
}

/* create PROJECT: make the home, print the project's uid. */
int ctl_cmd_create(struct ctl *t, int argc, char **argv)
{
	struct crl_enc e;
	struct crl_msg m;
	char why[512];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "corralctl: usage: create PROJECT\n");
		return CTL_EXIT_USAGE;
	}
	rc = ctl_connect(t);
	if (rc)
		return rc;
	crl_client_begin(&t->client, &e, CRL_MSG_CREATE);
	crl_put_str(&e, CRL_A_PROJECT, argv[1]);
	if (crl_client_call(&t->client, &e, &m) < 0)
		return ctl_fail("create", argv[1],
				ctl_reason(&t->client, why, sizeof(why)));
	if (!crl_msg_has(&m, CRL_A_UID))
		return ctl_fail("create", argv[1], "reply carries no uid");
	printf("%u\n", crl_msg_u32(&m, CRL_A_UID));
	return 0;
}

static int cmd_ping_args(struct ctl *t, int argc, char **argv)
{
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "corralctl: usage: ping\n");
		return CTL_EXIT_USAGE;
	}
	rc = ctl_connect(t);
	return rc ? rc : cmd_ping(t);
}

struct command {
	const char *name;
	int (*run)(struct ctl *t, int argc, char **argv);
};

static const struct command commands[] = {
	{ "ping", cmd_ping_args },
	{ "create", ctl_cmd_create },
	{ "fs", ctl_cmd_fs },
	{ "token", ctl_cmd_token },
	{ "start", ctl_cmd_start },
	{ "stop", ctl_cmd_stop },
	{ "status", ctl_cmd_status },
	{ "exec", ctl_cmd_exec },
};

int main(int argc, char **argv)
{
	static struct ctl t;
	char sockbuf[256];
	const struct command *cmd = NULL;
	int i, rc;

	/* a reader that goes away (cat | head) is EPIPE, handled where it
	 * happens, not a signal that kills us in the middle of a put */
	signal(SIGPIPE, SIG_IGN);
	t.client.fd = -1;           /* nothing to close before a connect */
	i = parse_opts(&t, argc, argv);
	if (t.url)
		return ctl_http_main(&t, argc - i, argv + i);
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			cmd = &commands[k];
	if (!cmd) {
		fprintf(stderr, "corralctl: unknown command: %s\n", argv[i]);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!t.spawn_helper && !t.helper_socket)
		t.helper_socket = default_socket(t.policy_path ? t.policy_path :
						 CORRAL_POLICY_PATH, sockbuf,
						 sizeof(sockbuf));
	t.target = t.spawn_helper ? t.spawn_helper : t.helper_socket;
	rc = cmd->run(&t, argc - i, argv + i);
	crl_client_close(&t.client);
	return rc;
}
