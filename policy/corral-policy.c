/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corral-policy check|show|explain [--policy FILE]
 *
 * Loads the policy exactly as corral-helper does (the same library, the
 * same host checks), except that a frontend_user that does not exist yet
 * is a warning, so a fresh install can be checked before its package has
 * created the user.  It only reads: there is no privilege to drop, and run
 * by a user who cannot read a file or directory it reports that as an
 * error rather than guessing.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#ifndef CORRAL_POLICY_PATH
#define CORRAL_POLICY_PATH "/etc/corral/corral.conf"
#endif

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
		"usage: corral-policy check|show|explain [--policy FILE]\n"
		"       corral-policy --help | --version\n"
		"\n"
		"  check    report every problem with the policy; exit 0 if none\n"
		"  show     print the effective policy, every default filled in\n"
		"  explain  describe in plain words what the policy allows\n"
		"\n"
		"  -p, --policy FILE  the policy file (default %s)\n"
		"  -h, --help         this text\n"
		"  -V, --version      the version\n", CORRAL_POLICY_PATH);
}

static int run(const char *cmd, const char *path)
{
	struct crl_policy *p;
	uint8_t d[CRL_SHA256_LEN];
	char hex[65];
	int r = 0;

	if (crl_policy_load_flags(path, CRL_POLICY_CHECK_ONLY, &p,
				  stderr) < 0) {
		fprintf(stderr, "%s: policy NOT OK\n", path);
		return EXIT_FAILURE;
	}
	if (strcmp(cmd, "check") == 0) {
		r = crl_policy_digest(p, d);
		if (r == 0) {
			crl_sha256_hex(d, hex);
			printf("%s: policy OK (sha256:%s)\n", path, hex);
		}
	} else if (strcmp(cmd, "show") == 0) {
		r = crl_policy_show(p, stdout);
	} else {
		r = crl_policy_explain(p, stdout);
	}
	crl_policy_free(p);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A full disk or a closed pipe must not pass for a successful dump. */
static int finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "corral-policy: write error: %s\n",
			strerror(errno));
		return EXIT_FAILURE;
	}
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CORRAL_POLICY_PATH, *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "p:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return finish_stdout(EXIT_SUCCESS);
		case 'V':
			printf("corral-policy %s\n", PACKAGE_VERSION);
			return finish_stdout(EXIT_SUCCESS);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "corral-policy: %s\n", optind == argc ?
			"missing command" : "too many arguments");
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "check") && strcmp(cmd, "show") &&
	    strcmp(cmd, "explain")) {
		fprintf(stderr, "corral-policy: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	return finish_stdout(run(cmd, path));
}
