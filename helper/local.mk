# corral-helper: the privileged half.  Installed in sbindir (service mode,
# started by systemd or root); spawn mode uses the same binary.
sbin_PROGRAMS += helper/corral-helper
helper_corral_helper_SOURCES = \
	helper/helper.h \
	helper/main.c \
	helper/startup.c \
	helper/selfcheck.c helper/selfcheck.h \
	helper/homeroot.c \
	helper/priv.c \
	helper/listen.c \
	helper/serve.c \
	helper/ops.c \
	helper/audit.c \
	helper/project.c \
	helper/fspath.c helper/fspath.h \
	helper/fsops.c helper/fsops.h \
	helper/fsops_tree.c \
	helper/fsops_io.c \
	helper/fsops_replace.c \
	helper/life.h \
	helper/life.c \
	helper/launcher.c \
	helper/cgroup.c \
	helper/sandbox.c \
	helper/net.c \
	helper/seccomp.c \
	helper/exec.c \
	helper/init.c
helper_corral_helper_CFLAGS = $(AM_CFLAGS) $(LIBCAP_CFLAGS) $(LIBSECCOMP_CFLAGS) \
	$(LIBNL_CFLAGS) $(LIBNL_ROUTE_CFLAGS)
helper_corral_helper_LDADD = policy/libcorralpolicy.a common/libcorralcommon.a \
	$(LIBCAP_LIBS) $(LIBSECCOMP_LIBS) $(LIBNL_ROUTE_LIBS) $(LIBNL_LIBS)

# Unit tests of the pure path checks (no system call, no privilege).
check_PROGRAMS += tests/unit/check_fspath
TESTS += tests/unit/check_fspath
tests_unit_check_fspath_SOURCES = tests/unit/check_fspath.c \
	helper/fspath.c helper/fspath.h
tests_unit_check_fspath_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_fspath_LDADD = $(CHECK_LIBS)

# network = veth, in a network namespace of the test's own (root).
TESTS += tests/integration/net-veth.sh
dist_check_SCRIPTS += tests/integration/net-veth.sh
