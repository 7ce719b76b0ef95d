/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corralctl: command-line client for operators and tests.
 *
 *   corralctl [--helper SOCKET | --spawn HELPER] [--policy FILE] COMMAND
 *
 * Failures print "corralctl: OP OBJECT: reason" and exit 1; usage errors
 * exit 2.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/escape.h"
#include "frontend/client.h"
#include "policy/policy.h"

struct ctl {
	const char *helper_socket;  /* --helper */
	const char *spawn_helper;   /* --spawn */
	const char *policy_path;    /* --policy */
	const char *target;         /* what error messages name */
	struct crl_client client;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: corralctl [--helper SOCKET | --spawn HELPER] [--policy FILE] COMMAND\n"
		"\n"
		"commands:\n"
		"  ping        check that the helper answers; show its version and\n"
		"              the digest of the policy it enforces\n");
}

static int failf(const struct ctl *t, const char *op, const char *why)
{
	char esc[CRL_ESCAPE_OUT_MAX];

	fprintf(stderr, "corralctl: %s %s: %s\n", op,
		crl_escape_text(t->target, esc), why);
	return 1;
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

static int ctl_connect(struct ctl *t)
{
	int r;

	if (t->spawn_helper)
		r = crl_client_spawn(&t->client, t->spawn_helper, t->policy_path);
	else
		r = crl_client_connect(&t->client, t->helper_socket);
	if (r == 0)
		r = crl_client_hello(&t->client, "corralctl");
	return r;
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
	char hex[65];
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
		return failf(t, "ping", t->client.err);
	echo = crl_msg_bytes(&m, CRL_A_DATA, &len);
	if (!echo || len != sizeof(probe) || memcmp(echo, probe, len) != 0)
		return failf(t, "ping", "reply does not echo the probe");
	crl_client_begin(&t->client, &e, CRL_MSG_POLICY_DIGEST);
	r = crl_client_call(&t->client, &e, &m);
	if (r < 0)
		return failf(t, "policy-digest", t->client.err);
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
		case 'h': usage(stdout); exit(0);
		case 'V': printf("corralctl %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); exit(2);
		}
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

int main(int argc, char **argv)
{
	static struct ctl t;
	char sockbuf[256];
	const char *cmd;
	int i, rc;

	i = parse_opts(&t, argc, argv);
	cmd = argv[i];
	if (strcmp(cmd, "ping") != 0 || i + 1 != argc) {
		fprintf(stderr, "corralctl: unknown command or extra arguments: %s\n", cmd);
		usage(stderr);
		return 2;
	}
	if (!t.spawn_helper && !t.helper_socket)
		t.helper_socket = default_socket(t.policy_path ? t.policy_path :
						 CORRAL_POLICY_PATH, sockbuf,
						 sizeof(sockbuf));
	t.target = t.spawn_helper ? t.spawn_helper : t.helper_socket;
	if (ctl_connect(&t) < 0)
		return failf(&t, "connect", t.client.err);
	rc = cmd_ping(&t);
	crl_client_close(&t.client);
	return rc;
}
