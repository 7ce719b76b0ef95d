# tests/fsops.mk: file operations through corralctl.
#
# check_ctl_parse: corralctl's parsers of modes, sizes and times (Check).
# fsops.sh: every "corralctl fs" operation against a real helper running
# as root with a temporary policy, home root and socket (exit 77 when not
# root).
check_PROGRAMS += tests/unit/check_ctl_parse
TESTS += tests/unit/check_ctl_parse
tests_unit_check_ctl_parse_SOURCES = tests/unit/check_ctl_parse.c \
	frontend/ctl_parse.c frontend/ctl_parse.h
tests_unit_check_ctl_parse_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_ctl_parse_LDADD = $(CHECK_LIBS)

TESTS += tests/integration/fsops.sh
dist_check_SCRIPTS += tests/integration/fsops.sh

# fs-session: several requests on one connection, for what a connection
# process keeps between them (fsops.sh).
check_PROGRAMS += tests/helpers/fs-session
tests_helpers_fs_session_SOURCES = tests/helpers/fs-session.c \
	tests/helpers/fscall.c tests/helpers/fscall.h
tests_helpers_fs_session_LDADD = frontend/libcorralclient.a \
	common/libcorralcommon.a
