#!/bin/bash
# network = veth: a project reaches the hub address and nothing else.
# The helper runs in a network namespace of this test's own, with a test
# bridge there holding the hub address: the host's network is untouched.
. "${top_srcdir:?}/tests/integration/lib.sh"
require_root
for c in unshare nsenter ip; do
	command -v "$c" >/dev/null || skip "$c not installed"
done

make_world
cat >> "$POLICY" <<EOP

[sandbox]
network = veth

[network]
bridge = crltest0
subnet = 10.213.0.0/16
EOP
cat > "$T/netns.sh" <<EOS
ip link add crltest0 type bridge &&
ip addr add 10.213.0.1/16 dev crltest0 &&
ip link set crltest0 up &&
ip link set lo up || exit 1
exec "$HELPER_BIN" --policy "$POLICY" --log-stderr
EOS
# unshare and bash both exec: \$! is the helper's pid
unshare -n bash "$T/netns.sh" 2> "$T/helper.log" &
HELPER_PID=$!
PIDS="$PIDS $HELPER_PID"
wait_for_socket "$SOCK" || { cat "$T/helper.log"; not_ok "helper starts in its namespace"; finish; }
ok "helper starts in a private network namespace with a test bridge"

ctl() { "$CTL_BIN" --helper "$SOCK" "$@"; }
innet() { nsenter --net="/proc/$HELPER_PID/ns/net" "$@"; }
A=0c6e7d2a-0000-4000-8000-00000000000a
B=0c6e7d2a-0000-4000-8000-00000000000b
# stop both while the helper still runs (lib.sh's cleanup stops it first)
trap 'ctl stop $A >/dev/null 2>&1; ctl stop $B >/dev/null 2>&1; cleanup' EXIT
AU=$(ctl create $A) && BU=$(ctl create $B) || { not_ok "create two projects"; finish; }
check "start A with network = veth" bash -c "'$CTL_BIN' --helper '$SOCK' start $A >/dev/null"
check "start B with network = veth" bash -c "'$CTL_BIN' --helper '$SOCK' start $B >/dev/null"

# /proc/net/route: one route, to the hub (10.213.0.1 = 0100D50A), on eth0
routes=$(ctl exec $A -- cat /proc/net/route | tail -n +2)
check "A has exactly one route, to the hub on eth0 ($(wc -l <<<"$routes"))" \
	bash -c "[ \$(wc -l <<<'$routes') = 1 ] && grep -q '^eth0[[:space:]]*0100D50A' <<<'$routes'"
check "A's eth0 has IPv6 disabled" \
	test "$(ctl exec $A -- cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" = 1
check "A has no IPv6 address on eth0" \
	bash -c "! '$CTL_BIN' --helper '$SOCK' exec $A -- cat /proc/net/if_inet6 | grep -q eth0"

# connect(): refused by the hub (reached), unreachable elsewhere
try() { ctl exec "$1" -- bash -c "exec 3<>/dev/tcp/$2/9" 2>&1 | head -1; }
out=$(try $A 10.213.0.1)
check "A reaches the hub address (refused, not unreachable: $out)" \
	grep -q "Connection refused" <<<"$out"
out=$(try $A 10.213.0.3)
check "A cannot reach B's address ($out)" grep -q "Network is unreachable" <<<"$out"
out=$(try $A 192.0.2.1)
check "A cannot reach beyond the hub ($out)" grep -q "Network is unreachable" <<<"$out"
check "the host ends are on the bridge" \
	bash -c "innet() { nsenter --net=/proc/$HELPER_PID/ns/net \"\$@\"; }; innet ip -br link show master crltest0 | grep -q crl$AU && innet ip -br link show master crltest0 | grep -q crl$BU"

check "stop A" ctl stop $A
check "stop B" ctl stop $B
gone=0
for _ in $(seq 100); do
	innet ip -br link | grep -q "^crl$AU\|^crl$BU" || { gone=1; break; }
	sleep 0.05
done
check "no veth left after stop" test "$gone" = 1
finish
