# policy/local.mk: the policy library (parsed by the helper and by
# corral-policy), the corral-policy tool, the default policy and its tests.
noinst_LIBRARIES += policy/libcorralpolicy.a
policy_libcorralpolicy_a_SOURCES = \
	policy/policy.h \
	policy/internal.h \
	policy/parse.c \
	policy/keys.c \
	policy/validate.c \
	policy/check.c \
	policy/load.c \
	policy/show.c \
	policy/explain.c \
	policy/util.c \
	policy/seccomp.c
nodist_policy_libcorralpolicy_a_SOURCES = policy/seccomp_profiles.h
BUILT_SOURCES = policy/seccomp_profiles.h
CLEANFILES += policy/seccomp_profiles.h
# BUILT_SOURCES only orders 'all' and 'check': building one program alone
# (bench/run-bench.sh does) needs the dependency spelled out.
policy/seccomp.$(OBJEXT): policy/seccomp_profiles.h

# Seccomp profiles: compiled in (policy/seccomp.c), installed for reading.
corralseccompdir = $(pkgdatadir)/seccomp
dist_corralseccomp_DATA = policy/seccomp/default.profile
policy/seccomp_profiles.h: $(srcdir)/policy/seccomp/default.profile
	$(AM_V_GEN)$(MKDIR_P) policy && { \
	  echo '/* generated from policy/seccomp/default.profile: do not edit */'; \
	  echo 'static const char crl_profile_default[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	    $(srcdir)/policy/seccomp/default.profile; \
	  echo ';'; } > $@-t && mv $@-t $@

# An administrator's tool: it reads /etc/corral and checks root-owned paths.
sbin_PROGRAMS += policy/corral-policy
policy_corral_policy_SOURCES = policy/corral-policy.c
policy_corral_policy_LDADD = policy/libcorralpolicy.a common/libcorralcommon.a

# The default policy, every key commented out at its default (mode 0644).
corralconfdir = $(sysconfdir)/corral
dist_corralconf_DATA = policy/corral.conf

dist_man_MANS += man/corral.conf.5 man/corral-policy.8

# Unit tests parse from buffers and feed the host checks explicit data;
# the integration test runs the built tool as root on files it makes.
check_PROGRAMS += tests/unit/check_policy
tests_unit_check_policy_SOURCES = tests/unit/check_policy.c
tests_unit_check_policy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_policy_LDADD = policy/libcorralpolicy.a \
	common/libcorralcommon.a $(CHECK_LIBS)

TESTS += tests/unit/check_policy tests/integration/policy-check.sh
dist_check_SCRIPTS += tests/integration/policy-check.sh

EXTRA_DIST += \
	tests/fuzz/fuzz_policy.c \
	tests/fuzz/corpus/policy

# The seccomp profile parser and the rules the default profile must keep.
check_PROGRAMS += tests/unit/check_seccomp_profile
TESTS += tests/unit/check_seccomp_profile
tests_unit_check_seccomp_profile_SOURCES = tests/unit/check_seccomp_profile.c
tests_unit_check_seccomp_profile_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_seccomp_profile_LDADD = policy/libcorralpolicy.a \
	common/libcorralcommon.a $(CHECK_LIBS)
