# common/local.mk: wire protocol, socket I/O and SHA-256, shared by the
# helper, corrald, corralctl and corral-policy.
noinst_LIBRARIES += common/libcorralcommon.a
common_libcorralcommon_a_SOURCES = \
	common/proto.c common/proto.h \
	common/wire.c \
	common/sha256.c common/sha256.h \
	common/helper_caps.h

# Unit tests (Check, run under the TAP driver).
check_PROGRAMS += tests/unit/check_proto tests/unit/check_sha256
TESTS += tests/unit/check_proto tests/unit/check_sha256

tests_unit_check_proto_SOURCES = tests/unit/check_proto.c \
	tests/unit/proto_reencode.h
tests_unit_check_proto_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_proto_LDADD = common/libcorralcommon.a $(CHECK_LIBS)

tests_unit_check_sha256_SOURCES = tests/unit/check_sha256.c
tests_unit_check_sha256_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_sha256_LDADD = common/libcorralcommon.a $(CHECK_LIBS)

dist_man_MANS += man/corral-protocol.7

# Fuzzing (clang + libFuzzer, run by hand or by CI: see run-fuzz.sh).
EXTRA_DIST += \
	tests/fuzz/fuzz_frame.c \
	tests/fuzz/gen_frame_corpus.c \
	tests/fuzz/run-fuzz.sh \
	tests/fuzz/corpus/frame

# Escaping of untrusted text (audit lines, CLI output).
common_libcorralcommon_a_SOURCES += common/escape.c common/escape.h
