# Shared by the integration tests: TAP-like "ok"/"not ok" lines in the log,
# a temporary policy/home root/socket, and cleanup of everything started.
# The tests run under automake's plain driver: exit 0 pass, 77 skip, 1 fail.

: "${top_builddir:?}" "${top_srcdir:?}"
HELPER_BIN="$top_builddir/helper/corral-helper"
CTL_BIN="$top_builddir/frontend/corralctl"
POLICY_BIN="$top_builddir/policy/corral-policy"
TESTS_BIN="$top_builddir/tests/helpers"

# Sanitizer builds: LeakSanitizer's exit-time scan needs ptrace and threads,
# which the helper's own seccomp allowlist rightly refuses.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

n_ok=0
n_fail=0
PIDS=""
T=""

skip() { echo "SKIP: $*"; exit 77; }
ok() { n_ok=$((n_ok + 1)); echo "ok $((n_ok + n_fail)) - $*"; }
not_ok() { n_fail=$((n_fail + 1)); echo "not ok $((n_ok + n_fail)) - $*"; }
check() { # check DESCRIPTION CMD...
	local d="$1"; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

require_root() { [ "$(id -u)" = 0 ] || skip "needs root (real namespaces, setuid, peer uids)"; }

# at_cleanup CMD: a command string run (eval) at exit, after the started
# processes are gone and before $T is removed (umount a test's mount).
CLEANUP_CMDS=()
at_cleanup() { CLEANUP_CMDS+=("$1"); }

cleanup() {
	local p c
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for c in "${CLEANUP_CMDS[@]}"; do eval "$c"; done
	[ -n "$T" ] && rm -rf "$T"
}
trap cleanup EXIT

finish() {
	echo "# $n_ok passed, $n_fail failed"
	[ "$n_fail" = 0 ] || exit 1
	exit 0
}

# A temporary world: $T (0755 so unprivileged test clients reach the
# socket), a root-owned home root, a policy naming them, uids far from any
# real user.
make_world() {
	T=$(mktemp -d /tmp/corral-test.XXXXXX)
	chmod 0755 "$T"
	mkdir -m 0711 "$T/homes"
	mkdir -m 0755 "$T/bin" "$T/run"
	SOCK="$T/run/helper.sock"
	POLICY="$T/corral.conf"
	cat > "$POLICY" <<EOP
# test policy
[helper]
socket = $SOCK
frontend_user = nobody
max_connections = 64

[projects]
home_root = $T/homes
uid_range = 1900000000-1900065535
EOP
	chmod 0644 "$POLICY"
	# copies reachable by unprivileged test users, whatever the checkout's
	# parent directories allow
	cp "$CTL_BIN" "$T/bin/corralctl"
	chmod 0755 "$T/bin/corralctl"
}

# start_helper LOG [ARGS...]: service mode on $SOCK; sets HELPER_PID
start_helper() {
	local log="$1"; shift
	"$HELPER_BIN" --policy "$POLICY" --log-stderr "$@" 2> "$log" &
	HELPER_PID=$!
	PIDS="$PIDS $HELPER_PID"
	wait_for_socket "$SOCK" || { cat "$log"; return 1; }
	# the name exists from bind(); wait until the helper answers
	for _ in $(seq 1 100); do
		"$CTL_BIN" --helper "$SOCK" ping > /dev/null 2>&1 && return 0
		kill -0 "$HELPER_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$log"
	return 1
}

wait_for_socket() {
	for _ in $(seq 1 100); do
		[ -S "$1" ] && return 0
		sleep 0.05
	done
	echo "# socket $1 did not appear"
	return 1
}

# as_user UID GID CMD...: run with only these ids, no supplementary groups
as_user() {
	local u="$1" g="$2"; shift 2
	setpriv --reuid="$u" --regid="$g" --clear-groups "$@"
}
