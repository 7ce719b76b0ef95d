#!/bin/bash
# The helper serving its socket, as root, with a temporary policy:
# peer credentials, audit lines, reduced privileges, hostile frames,
# vanishing clients, spawn mode and socket activation.
. "${top_srcdir:?}/tests/integration/lib.sh"
require_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"

make_world
start_helper "$T/helper.log" || { not_ok "helper starts"; finish; }
ok "helper starts in service mode on a temporary socket"

# --- who may talk to the helper
out=$("$CTL_BIN" --helper "$SOCK" ping 2>&1)
check "root gets answers" grep -q '^policy: sha256:' <<<"$out"
digest=$("$POLICY_BIN" show --policy "$POLICY" | sha256sum | cut -d' ' -f1)
check "policy-digest is sha256 of 'corral-policy show'" grep -q "sha256:$digest" <<<"$out"
check "frontend_user gets answers" as_user 65534 65534 "$T/bin/corralctl" --helper "$SOCK" ping
if as_user 1 65534 "$T/bin/corralctl" --helper "$SOCK" ping 2> "$T/denied.err"; then
	not_ok "uid 1 (not frontend_user) is refused"
else
	ok "uid 1 (not frontend_user) is refused"
fi
if grep -q "not allowed" "$T/denied.err"; then
	ok "the refusal is explained"
else
	not_ok "the refusal is explained: $(cat "$T/denied.err")"
fi
sleep 0.2
check "the refusal is audited" grep -q 'op=connect peer_uid=1 .*result=denied errno=13' "$T/helper.log"
check "an answer is audited" grep -q 'op=ping peer_uid=65534 .*result=ok' "$T/helper.log"
check "socket is 0660 root:nogroup" test "$(stat -c '%a %U %G' "$SOCK")" = "660 root nogroup"

# --- the helper's own privileges, read from /proc
status=/proc/$HELPER_PID/status
expected=0
for name in $(grep -o '{ CAP_[A-Z_]*' "$top_srcdir/common/helper_caps.h" | cut -c3-); do
	num=$(awk -v n="$name" '$1 == "#define" && $2 == n { print $3 }' /usr/include/linux/capability.h)
	expected=$((expected | (1 << num)))
done
hex=$(printf '%016x' "$expected")
check "CapEff is exactly the kept set ($hex)" grep -q "^CapEff:[[:space:]]*$hex\$" "$status"
check "CapPrm is exactly the kept set" grep -q "^CapPrm:[[:space:]]*$hex\$" "$status"
check "CapBnd is exactly the kept set" grep -q "^CapBnd:[[:space:]]*$hex\$" "$status"
check "CapInh is empty" grep -q '^CapInh:[[:space:]]*0*$' "$status"
check "CapAmb is empty" grep -q '^CapAmb:[[:space:]]*0*$' "$status"
check "Seccomp: 2 (filter)" grep -q '^Seccomp:[[:space:]]*2$' "$status"
check "NoNewPrivs: 1" grep -q '^NoNewPrivs:[[:space:]]*1$' "$status"

# --- the launcher (helper/launcher.c): forked before the allowlist, so it
# has no seccomp filter; it must have no more capabilities than the helper
# and no descriptor of a client or of the listening socket
launcher=$(pgrep -P "$HELPER_PID" | head -1)
if [ -n "$launcher" ]; then
	lstatus=/proc/$launcher/status
	check "launcher: CapEff is the kept set" grep -q "^CapEff:[[:space:]]*$hex\$" "$lstatus"
	check "launcher: CapBnd is the kept set" grep -q "^CapBnd:[[:space:]]*$hex\$" "$lstatus"
	check "launcher: CapInh and CapAmb empty" bash -c "grep -q '^CapInh:[[:space:]]*0*\$' $lstatus && grep -q '^CapAmb:[[:space:]]*0*\$' $lstatus"
	check "launcher: NoNewPrivs: 1" grep -q '^NoNewPrivs:[[:space:]]*1$' "$lstatus"
	lsock=$(awk -v p="$SOCK" '$NF == p { print $7; exit }' /proc/net/unix)
	nsocks=$(find "/proc/$launcher/fd" -lname 'socket:*' | wc -l)
	# its channel, and syslog's socket
	check "launcher: at most two sockets ($nsocks), the listening one not among them" \
		bash -c "[ -n '$lsock' ] && [ $nsocks -le 2 ] && ! ls -l /proc/$launcher/fd | grep -q 'socket:\[$lsock\]'"
else
	not_ok "the launcher runs beside the helper"
fi

# --- hostile input: 10,000 random and mutated frames, then clients that
# vanish at every stage; a connection opened before must still work
if "$TESTS_BIN/frame-blaster" "$SOCK" frames 10000 "$RANDOM" > "$T/blast.out" 2>&1; then
	ok "10,000 hostile frames: helper still answers ($(head -1 "$T/blast.out"))"
else
	not_ok "10,000 hostile frames: helper still answers"; cat "$T/blast.out"
fi
check "helper survived the storm" kill -0 "$HELPER_PID"
check "hostile frames are audited as bad frames" grep -q 'op=frame .*result=bad-frame' "$T/helper.log"
if "$TESTS_BIN/frame-blaster" "$SOCK" disconnect 400 > "$T/vanish.out" 2>&1; then
	ok "clients vanishing mid-conversation disturb no one"
else
	not_ok "clients vanishing mid-conversation disturb no one"; cat "$T/vanish.out"
fi
check "no connection process was killed by seccomp or a crash" \
	bash -c "! grep -q 'killed by signal' '$T/helper.log'"

# --- start-up hygiene: inherited fds and a bad socket directory
exec 7< "$POLICY"
SOCK2="$T/run/second.sock"
"$HELPER_BIN" --policy "$POLICY" --socket "$SOCK2" 2> "$T/h2.log" &
h2=$!
PIDS="$PIDS $h2"
exec 7<&-
wait_for_socket "$SOCK2"
check "inherited fd 7 is closed by the helper" test ! -e "/proc/$h2/fd/7"
check "--socket overrides the policy's socket" "$CTL_BIN" --helper "$SOCK2" ping
mkdir -m 0777 "$T/open"
if "$HELPER_BIN" --policy "$POLICY" --socket "$T/open/h.sock" 2> "$T/h3.log"; then
	not_ok "a socket in a world-writable directory is refused"
else
	ok "a socket in a world-writable directory is refused"
fi

# --- a missing home_root is created, root-owned 0711, parents 0755
sed "s|^home_root = .*|home_root = $T/made/homes|; s|^socket = .*|socket = $T/run/third.sock|" \
	"$POLICY" > "$T/made.conf"
chmod 0644 "$T/made.conf"
"$HELPER_BIN" --policy "$T/made.conf" 2> "$T/h4.log" &
PIDS="$PIDS $!"
wait_for_socket "$T/run/third.sock"
check "missing home_root created 0711 root" test "$(stat -c '%a %U' "$T/made/homes" 2>&1)" = "711 root"
check "its missing parent created 0755 root" test "$(stat -c '%a %U' "$T/made" 2>&1)" = "755 root"

# --- spawn mode: setuid copy, run by the frontend user and by another uid
install -o root -g root -m 4755 "$HELPER_BIN" "$T/bin/corral-helper"
check "spawn mode serves the frontend user" \
	as_user 65534 65534 "$T/bin/corralctl" --spawn "$T/bin/corral-helper" --policy "$POLICY" ping
if as_user 1 1 "$T/bin/corralctl" --spawn "$T/bin/corral-helper" --policy "$POLICY" ping 2> "$T/spawn1.err"; then
	not_ok "spawn mode refuses another real uid"
else
	ok "spawn mode refuses another real uid"
fi
check "spawn refusal names the uid" grep -q 'real uid 1 is not frontend_user' "$T/spawn1.err"
# a policy the caller cannot read must not be read for it
chmod 0600 "$POLICY"
if as_user 65534 65534 "$T/bin/corralctl" --spawn "$T/bin/corral-helper" --policy "$POLICY" ping 2> "$T/spawn2.err"; then
	not_ok "spawn mode reads the policy with the caller's file access"
else
	ok "spawn mode reads the policy with the caller's file access"
fi
chmod 0644 "$POLICY"

# --- systemd socket activation (LISTEN_FDS)
if command -v systemd-socket-activate >/dev/null; then
	SA="$T/run/activated.sock"
	systemd-socket-activate --seqpacket -l "$SA" \
		"$HELPER_BIN" --policy "$POLICY" 2> "$T/sa.log" &
	PIDS="$PIDS $!"
	wait_for_socket "$SA"
	check "socket activation: helper serves the passed socket" "$CTL_BIN" --helper "$SA" ping
else
	echo "# systemd-socket-activate not installed: activation not tested"
fi

finish
