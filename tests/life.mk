# tests/life.mk: the project lifecycle (issue 4, DESIGN §3, §6).
#
# sandbox-probe: run inside a project by "corralctl exec", it tries one
# thing (mount, unshare, keyctl, TIOCSTI, connect...) and prints what
# happened; the scripts judge.
# sandbox.sh: one security property of a running project per check.
# lifecycle.sh: start/exec/stop/status, cleanup after stop, helper restart,
# projects side by side, 20 at once.
check_PROGRAMS += tests/helpers/sandbox-probe
tests_helpers_sandbox_probe_SOURCES = tests/helpers/sandbox-probe.c

LIFE_TESTS = tests/integration/sandbox.sh tests/integration/lifecycle.sh
TESTS += $(LIFE_TESTS)
dist_check_SCRIPTS += $(LIFE_TESTS)
EXTRA_DIST += tests/integration/life-lib.sh

# only these two: make check-life
.PHONY: check-life
check-life: all $(check_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(LIFE_TESTS)'
