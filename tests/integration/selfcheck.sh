#!/bin/bash
# The helper's start-up self-check (helper/selfcheck.c): it refuses to run
# when its own binary, a directory above it, or its socket's directory can
# be changed by anyone but root - and runs when they cannot, /tmp's sticky
# bit included.  Each refusal must come with its reason.
. "${top_srcdir:?}/tests/integration/lib.sh"
require_root
command -v timeout >/dev/null || skip "timeout (coreutils) not installed"

make_world

# refused DESCRIPTION PATTERN CMD...: CMD must exit non-zero at once (a
# helper still running after 5 s was not refused; timeout ends it) with
# PATTERN in its error output.
refused() {
	local d="$1" pat="$2" rc; shift 2
	timeout 5 "$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ $rc = 124 ]; then
		not_ok "$d (it ran)"
	elif [ $rc = 0 ]; then
		not_ok "$d (exit 0)"
	elif ! grep -q -- "$pat" "$T/err"; then
		not_ok "$d (no reason given: $(head -c 300 "$T/err"))"
	else
		ok "$d"
	fi
}

# runs DESCRIPTION SOCKET CMD...: CMD serves SOCKET (then it is stopped)
runs() {
	local d="$1" sock="$2" pid; shift 2
	"$@" 2> "$T/err" &
	pid=$!
	PIDS="$PIDS $pid"
	if wait_for_socket "$sock" && "$CTL_BIN" --helper "$sock" ping > /dev/null; then
		ok "$d"
	else
		not_ok "$d: $(head -c 300 "$T/err")"
	fi
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# --- the binary itself
install -m 0755 "$HELPER_BIN" "$T/bin/ok-helper"
runs "a root-owned 0755 copy in root's directories under sticky /tmp runs" \
	"$T/run/a.sock" "$T/bin/ok-helper" --policy "$POLICY" --socket "$T/run/a.sock"
install -m 0775 "$HELPER_BIN" "$T/bin/gw-helper"
refused "a group-writable binary is refused" "binary $T/bin/gw-helper must be .*mode 0775" \
	"$T/bin/gw-helper" --policy "$POLICY"
install -m 0757 "$HELPER_BIN" "$T/bin/ow-helper"
refused "a world-writable binary is refused" "mode 0757" \
	"$T/bin/ow-helper" --policy "$POLICY"
install -o 65534 -g 0 -m 0755 "$HELPER_BIN" "$T/bin/nobody-helper"
refused "a binary not owned by root is refused" "owner uid 65534" \
	"$T/bin/nobody-helper" --policy "$POLICY"

# --- directories above the binary
mkdir -m 0777 "$T/open"
install -m 0755 "$HELPER_BIN" "$T/open/helper"
refused "a binary in a world-writable directory is refused" \
	"above the helper's binary .*$T/open is writable by others" \
	"$T/open/helper" --policy "$POLICY"
mkdir -m 0775 "$T/grp" "$T/grp/sub"
chmod 0755 "$T/grp/sub"
install -m 0755 "$HELPER_BIN" "$T/grp/sub/helper"
refused "a binary below a group-writable directory is refused" \
	"$T/grp is writable by its group" \
	"$T/grp/sub/helper" --policy "$POLICY"
mkdir -m 0755 "$T/user"
chown 65534 "$T/user"
install -m 0755 "$HELPER_BIN" "$T/user/helper"
refused "a binary in a directory owned by another user is refused" \
	"$T/user is not owned by root" "$T/user/helper" --policy "$POLICY"
mkdir -m 1777 "$T/sticky"
install -m 0755 "$HELPER_BIN" "$T/sticky/helper"
refused "a binary directly in a sticky world-writable directory is refused" \
	"$T/sticky is writable by others" "$T/sticky/helper" --policy "$POLICY"

# --- the socket's directory and those above it
mkdir -m 0755 "$T/open/sub"
refused "--socket below a world-writable directory is refused" \
	"socket's directory $T/open/sub is not root's alone.*$T/open is writable by others" \
	"$HELPER_BIN" --policy "$POLICY" --socket "$T/open/sub/h.sock"
refused "--socket in a group-writable directory is refused" \
	"socket's directory $T/grp is not root's alone" \
	"$HELPER_BIN" --policy "$POLICY" --socket "$T/grp/h.sock"
check "nothing was bound there" test ! -e "$T/open/sub/h.sock" -a ! -e "$T/grp/h.sock"
runs "--socket in a missing directory under root's own is made and served" \
	"$T/run/new/h.sock" "$HELPER_BIN" --policy "$POLICY" --socket "$T/run/new/h.sock"

# --- socket activation: judged by the path systemd bound
if command -v systemd-socket-activate >/dev/null; then
	systemd-socket-activate --seqpacket -l "$T/grp/act.sock" \
		"$HELPER_BIN" --policy "$POLICY" --log-stderr 2> "$T/act.err" &
	act=$!
	PIDS="$PIDS $act"
	wait_for_socket "$T/grp/act.sock"
	if "$CTL_BIN" --helper "$T/grp/act.sock" ping > /dev/null 2>&1; then
		not_ok "an activated socket in a group-writable directory is refused (it answered)"
	else
		sleep 0.5
		check "an activated socket in a group-writable directory is refused" \
			grep -q "socket's directory $T/grp is not root's alone" "$T/act.err"
	fi
	kill -TERM "$act" 2>/dev/null
	wait "$act" 2>/dev/null
else
	echo "# systemd-socket-activate not installed: activation not tested"
fi

finish
