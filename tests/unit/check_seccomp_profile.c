/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for policy/seccomp.c: the compiled-in default profile keeps
 * every rule DESIGN §6 asks for, and the parser refuses malformed
 * profiles with a reason instead of building a weaker filter.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "policy/policy.h"

static int has_rule(const struct crl_seccomp_profile *p,
		    enum crl_sc_action a, const char *name)
{
	for (unsigned int i = 0; i < p->n; i++)
		if (p->rule[i].action == a && strcmp(p->rule[i].name, name) == 0)
			return 1;
	return 0;
}

START_TEST(test_default_has_design_rules)
{
	static const char *const eperm[] = {
		"setns", "mount", "umount2", "pivot_root", "add_key",
		"request_key", "keyctl", "bpf", "perf_event_open",
		"open_by_handle_at", "init_module", "finit_module",
		"delete_module", "kexec_load", "kexec_file_load",
	};
	static const char *const enosys[] = {
		"clone3", "fsopen", "fsconfig", "fsmount", "fspick",
		"move_mount", "open_tree", "mount_setattr",
	};
	struct crl_seccomp_profile p;
	char why[128] = "";

	ck_assert_msg(crl_seccomp_profile_load("default", &p, why,
					       sizeof(why)) == 0, "%s", why);
	for (size_t i = 0; i < sizeof(eperm) / sizeof(*eperm); i++)
		ck_assert_msg(has_rule(&p, CRL_SC_EPERM, eperm[i]),
			      "default profile lacks eperm %s", eperm[i]);
	for (size_t i = 0; i < sizeof(enosys) / sizeof(*enosys); i++)
		ck_assert_msg(has_rule(&p, CRL_SC_ENOSYS, enosys[i]),
			      "default profile lacks enosys %s", enosys[i]);
	ck_assert(has_rule(&p, CRL_SC_EPERM_NSFLAGS, "clone"));
	ck_assert(has_rule(&p, CRL_SC_EPERM_NSFLAGS, "unshare"));
	ck_assert(has_rule(&p, CRL_SC_EPERM_IOCTL, "TIOCSTI"));
	ck_assert(has_rule(&p, CRL_SC_EPERM_IOCTL, "TIOCLINUX"));
	for (unsigned int i = 0; i < p.n; i++)
		if (p.rule[i].action == CRL_SC_EPERM_IOCTL)
			ck_assert(p.rule[i].ioctl == TIOCSTI ||
				  p.rule[i].ioctl == TIOCLINUX);
	crl_seccomp_profile_free(&p);
}
END_TEST

START_TEST(test_unknown_profile)
{
	struct crl_seccomp_profile p;
	char why[128] = "";

	ck_assert_int_eq(crl_seccomp_profile_load("lax", &p, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "unknown seccomp profile"));
	ck_assert_ptr_null(crl_seccomp_profile_text("lax"));
}
END_TEST

/* Refused, with a reason mentioning want. */
static void refused(const char *text, const char *want)
{
	struct crl_seccomp_profile p;
	char why[128] = "";

	ck_assert_msg(crl_seccomp_profile_parse("t", text, &p, why,
						sizeof(why)) == -1,
		      "accepted: %s", text);
	ck_assert_msg(strstr(why, want), "'%s': reason '%s'", text, why);
	ck_assert_uint_eq(p.n, 0);
}

START_TEST(test_parser_refusals)
{
	refused("allow setns\n", "unknown action");
	refused("eperm\n", "without a name");
	refused("eperm SetNs\n", "not a system call name");
	refused("eperm set-ns\n", "not a system call name");
	refused("eperm-ioctl TIOCGWINSZ\n", "unknown ioctl request");
	refused("enosys clone3 ../x\n", "not a system call name");
}
END_TEST

START_TEST(test_parser_accepts)
{
	struct crl_seccomp_profile p;
	char why[128] = "";

	ck_assert_int_eq(crl_seccomp_profile_parse("t",
		"# comment\n\neperm a b\n\tenosys c\neperm-ioctl TIOCSTI\n",
		&p, why, sizeof(why)), 0);
	ck_assert_uint_eq(p.n, 4);
	ck_assert(has_rule(&p, CRL_SC_EPERM, "a"));
	ck_assert(has_rule(&p, CRL_SC_EPERM, "b"));
	ck_assert(has_rule(&p, CRL_SC_ENOSYS, "c"));
	ck_assert_uint_eq(p.rule[3].ioctl, TIOCSTI);
	crl_seccomp_profile_free(&p);
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("seccomp profile");
	TCase *tc = tcase_create("profile");

	tcase_add_test(tc, test_default_has_design_rules);
	tcase_add_test(tc, test_unknown_profile);
	tcase_add_test(tc, test_parser_refusals);
	tcase_add_test(tc, test_parser_accepts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(profile_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
