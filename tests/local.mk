# Integration tests: real binaries, as root, temporary policy and socket.
check_PROGRAMS += tests/helpers/frame-blaster
tests_helpers_frame_blaster_SOURCES = tests/helpers/frame-blaster.c
tests_helpers_frame_blaster_LDADD = frontend/libcorralclient.a common/libcorralcommon.a

TESTS += tests/integration/helper-serve.sh tests/integration/selfcheck.sh
dist_check_SCRIPTS += tests/integration/helper-serve.sh \
	tests/integration/selfcheck.sh
EXTRA_DIST += tests/integration/lib.sh tests/summary.sh

check_PROGRAMS += tests/unit/check_escape
TESTS += tests/unit/check_escape
tests_unit_check_escape_SOURCES = tests/unit/check_escape.c
tests_unit_check_escape_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_escape_LDADD = common/libcorralcommon.a $(CHECK_LIBS)
