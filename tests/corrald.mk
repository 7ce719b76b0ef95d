# tests/corrald.mk: corrald end to end (real helper as root, corrald as an
# unprivileged user, curl), plus the token-forging helper it uses.
check_PROGRAMS += tests/helpers/jwt-sign
tests_helpers_jwt_sign_SOURCES = tests/helpers/jwt-sign.c
tests_helpers_jwt_sign_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS)
tests_helpers_jwt_sign_LDADD = frontend/libcorrald.a $(JANSSON_LIBS) $(SODIUM_LIBS)

TESTS += tests/integration/corrald.sh
dist_check_SCRIPTS += tests/integration/corrald.sh

# libFuzzer target for token verification (run by test.sh, see run-fuzz.sh)
EXTRA_DIST += tests/fuzz/fuzz_jwt.c tests/fuzz/corpus/jwt
