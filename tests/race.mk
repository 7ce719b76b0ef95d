# tests/race.mk: the symlink-swap race test (DESIGN §3: under a concurrent
# attacker an operation happens inside the home or fails).  The attacker
# runs as the project, the driver as root; see tests/integration/fs-race.sh.
check_PROGRAMS += tests/helpers/race-attacker tests/helpers/race-driver
tests_helpers_race_attacker_SOURCES = tests/helpers/race-attacker.c \
	tests/helpers/race.h
tests_helpers_race_driver_SOURCES = tests/helpers/race-driver.c \
	tests/helpers/race.h tests/helpers/fscall.c tests/helpers/fscall.h
tests_helpers_race_driver_LDADD = frontend/libcorralclient.a \
	common/libcorralcommon.a

TESTS += tests/integration/fs-race.sh
dist_check_SCRIPTS += tests/integration/fs-race.sh
