#!/bin/bash
# What code running in a project can and cannot do (DESIGN §3 start, §6),
# against the real helper as root with a temporary policy: each check is
# one isolation layer, and the probe (tests/helpers/sandbox-probe) is first
# shown to succeed on the host wherever that makes sense, so that a check
# can only pass because of the layer it is about.
. "${top_srcdir:?}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/life-lib.sh"
require_root
require_life_features

life_world
start_helper "$T/helper.log" || { not_ok "helper starts"; finish; }
trap 'show_helper_log; life_cleanup; cleanup' EXIT

new_project || { not_ok "create a project"; finish; }
A=$P AU=$PU
new_project || { not_ok "create a second project"; finish; }
B=$P BU=$PU
echo "# project A $A uid $AU, project B $B uid $BU (B is created, not started)"

out=$(ctl start "$A" 2>&1)
if ! [[ "$out" =~ ^[0-9]+$ ]]; then
	not_ok "start A prints the host pid of its init (got: $out)"
	finish
fi
ok "start A: init is host pid $out"
APID=$out

# ---------------------------------------------------------- identity
status=$(ctl exec "$A" -- cat /proc/self/status 2>&1)
field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' <<<"$status"; }
echo "# inside: $(field Uid) / $(field Gid) / groups '$(field Groups)'"
check "runs as the project uid and gid, no supplementary groups" \
	test "$(field Uid)" = "$AU $AU $AU $AU" -a "$(field Gid)" = "$AU $AU $AU $AU" \
	-a -z "$(field Groups)"
for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
	check "$cap is empty ($(field $cap))" test "$(field $cap)" = 0000000000000000
done
check "NoNewPrivs: 1" test "$(field NoNewPrivs)" = 1
# Signals the helper's own parent ignored (a shell's background job ignores
# SIGINT and SIGQUIT; make may pass on 32 and 33, which glibc reserves for
# itself) must not reach project processes.
sig_clean() { # sig_clean SIGIGN SIGBLK: nothing ignored, nothing blocked
	[ -n "$1" ] && [ -n "$2" ] && [ $(( 0x$1 )) = 0 ] && [ $(( 0x$2 )) = 0 ]
}
check "no signal ignored or blocked (SigIgn $(field SigIgn), SigBlk $(field SigBlk))" \
	sig_clean "$(field SigIgn)" "$(field SigBlk)"
main=$(uid_pids "$AU" | grep -vx "$APID" | head -1)
mst=$(cat /proc/"$main"/status 2>/dev/null)
mfield() { awk -v k="$1:" '$1 == k { print $2; exit }' <<<"$mst"; }
check "the main command (host pid $main) neither (SigIgn $(mfield SigIgn), SigBlk $(mfield SigBlk))" \
	sig_clean "$(mfield SigIgn)" "$(mfield SigBlk)"
check "Seccomp: 2 (filter mode)" test "$(field Seccomp)" = 2

# ---------------------------------------------------------- environment, limits
env_names=$(ctl exec "$A" -- /usr/bin/env 2>&1 | sed 's/=.*//' | sort | tr '\n' ' ')
echo "# inside: env has $env_names"
check "environment: only names of env_allow (the helper's own are gone)" \
	sh -c 'for n in $0; do case " PATH LANG LC_ALL TERM HOME USER LOGNAME TZ " in
		*" $n "*) ;; *) echo "# unexpected: $n"; exit 1 ;; esac; done' "$env_names"
limits=$(ctl exec "$A" -- cat /proc/self/limits 2>&1)
check "rlimit: open files = the policy's nofile (777), host: $(ulimit -n)" \
	grep -Eq '^Max open files +777 +777 ' <<<"$limits"
check "rlimit: no core dumps" grep -Eq '^Max core file size +0 +0 ' <<<"$limits"

# ---------------------------------------------------------- mounts, /dev
mi=$(ctl exec "$A" -- cat /proc/self/mountinfo 2>&1)
opts() { awk -v m="$1" '$5 == m { print $6 }' <<<"$mi" | tail -1; }
echo "# inside: / $(opts /), /home/user $(opts /home/user), /tmp $(opts /tmp), /dev $(opts /dev)"
has_opts() { # has_opts MOUNTPOINT OPT...
	local o=",$(opts "$1"),"; shift
	for x in "$@"; do case "$o" in *",$x,"*) ;; *) return 1 ;; esac; done
}
check "the root is read-only, nosuid, nodev" has_opts / ro nosuid nodev
check "the home is read-write, nosuid, nodev" has_opts /home/user rw nosuid nodev
check "/tmp is nosuid, nodev" has_opts /tmp rw nosuid nodev
devs=$(ctl exec "$A" -- ls -A /dev 2>&1 | tr '\n' ' ')
echo "# inside: /dev has $devs"
check "/dev holds only null zero full random urandom tty, pts, ptmx, shm (host: $(ls /dev | wc -l) entries)" \
	sh -c 'for n in $0; do case " null zero full random urandom tty pts ptmx shm fd stdin stdout stderr " in
		*" $n "*) ;; *) echo "# unexpected: /dev/$n"; exit 1 ;; esac; done' "$devs"
check "devpts is private: no pty of the host in /dev/pts" \
	expect_line "ptmx" ctl exec "$A" -- ls -A /dev/pts
check "host: /run is not empty" test -n "$(ls -A /run)"
check "hidden paths are empty: /root /run /var/log" \
	expect_line "" ctl exec "$A" -- find /root /run /var/log -mindepth 1

# ---------------------------------------------------------- files
echo "# sanity on the host: the canaries are readable by any uid there"
check "host: project uid reads $CANARY on the host" \
	expect_line "read: ok" as_user "$AU" "$AU" "$PROBE_BIN" read "$CANARY"
check "host: project uid reads $HR/canary on the host" \
	expect_line "read: ok" as_user "$AU" "$AU" "$PROBE_BIN" read "$HR/canary"
check "cannot read a hidden host file by path" \
	expect_line "read: (ENOENT|EACCES)" probe_in "$A" read "$CANARY"
check "cannot read it through /proc/1/root" \
	expect_line "read: (ENOENT|EACCES)" probe_in "$A" read "/proc/1/root$CANARY"
check "cannot read it through /proc/$APID/root (its host pid)" \
	expect_line "read: (ENOENT|EACCES)" probe_in "$A" read "/proc/$APID/root$CANARY"
check "the home root is hidden (a file in it, readable on the host)" \
	expect_line "read: ENOENT" probe_in "$A" read "$HR/canary"
echo "secret of B" > "$HR/$B/secret"
chown "$BU:$BU" "$HR/$B/secret"
check "cannot read another project's home by path" \
	expect_line "read: (ENOENT|EACCES)" probe_in "$A" read "$HR/$B/secret"
check "cannot read it through /proc/1/root" \
	expect_line "read: (ENOENT|EACCES)" probe_in "$A" read "/proc/1/root$HR/$B/secret"

check "host: project uid writes in $RWDIR on the host" \
	expect_line "write: ok" as_user "$AU" "$AU" "$PROBE_BIN" write "$RWDIR/host-$AU"
rm -f "$RWDIR/host-$AU"
check "rootfs writes fail (EROFS in a world-writable host directory)" \
	expect_line "write: EROFS" probe_in "$A" write "$RWDIR/x"
check "... and nothing appeared on the host" test ! -e "$RWDIR/x"
check "home writes succeed" expect_line "write: ok" probe_in "$A" write /home/user/written
check "... and land in the project's home, owned by the project" \
	test "$(stat -c %u:%s "$HR/$A/written" 2>&1)" = "$AU:4"
check "/tmp writes succeed" expect_line "write: ok" probe_in "$A" write /tmp/written
check "... in the project's own /tmp, not the host's" test ! -e /tmp/written

# tmp_size = 4M: the file stops at the bound (tmpfs rounds to pages)
fill=$(probe_in "$A" fill /tmp/fill)
echo "#   $fill"
bytes=$(awk '{ print $2 }' <<<"$fill")
check "/tmp fills to its bound ($LIFE_TMP_SIZE) and no further" \
	grep -Eq '^fill: [0-9]+ (ENOSPC|EDQUOT)$' <<<"$fill"
check "... at $bytes bytes: between 3 MiB and 4 MiB" \
	test "${bytes:-0}" -ge $((3 << 20)) -a "${bytes:-0}" -le $((4 << 20))

# ---------------------------------------------------------- privileged calls
echo "# sanity on the host: every call below succeeds there (mount and"
echo "# open_by_handle_at as root, the others as the project's uid)"
check "host: mount succeeds as root" \
	expect_line "mount: ok" unshare -m "$PROBE_BIN" mount
check "host: open_by_handle_at succeeds as root" \
	expect_line "open_by_handle_at: ok" "$PROBE_BIN" handle /etc/passwd
for op in userns keyctl keyjoin; do
	check "host: $op succeeds as uid $AU" \
		expect_line "$op: ok" as_user "$AU" "$AU" "$PROBE_BIN" $op
done
check "cannot mount" expect_line "mount: (EPERM|EACCES)" probe_in "$A" mount
check "the new mount API answers ENOSYS" expect_line "fsopen: ENOSYS" probe_in "$A" fsopen
check "cannot unshare a user namespace" \
	expect_line "userns: (EPERM|ENOSYS|EUSERS)" probe_in "$A" userns
check "clone3 answers ENOSYS" expect_line "clone3: ENOSYS" probe_in "$A" clone3
check "cannot unshare a network namespace" \
	expect_line "netns: (EPERM|ENOSYS)" probe_in "$A" netns
check "cannot add a key" expect_line "keyctl: (EPERM|EACCES|ENOSYS)" probe_in "$A" keyctl
check "cannot join a new session keyring" \
	expect_line "keyjoin: (EPERM|EACCES|ENOSYS)" probe_in "$A" keyjoin
check "cannot open_by_handle_at" \
	expect_line "open_by_handle_at: (EPERM|ENOSYS)" probe_in "$A" handle /etc/passwd

# TIOCSTI on the project's own terminal: allowed by the kernel to the
# terminal's owner unless dev.tty.legacy_tiocsti = 0; the seccomp filter
# must refuse it, whatever the upper 32 bits of the ioctl number say
tiocsti_host=$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo '?')
echo "# dev.tty.legacy_tiocsti = $tiocsti_host"
# probe_tty PROJECT ARGS...: the probe on a pty (its controlling terminal)
probe_tty() {
	local p="$1"; shift
	ctl exec "$p" --tty -- "$PROBE" "$@" </dev/null 2>&1 | tr -d '\r'
}
tio() { probe_tty "$A" "$@" | grep -Eo 'tiocsti[-a-z]*: [A-Za-z0-9]+'; }
if [ "$tiocsti_host" = 1 ] && command -v script >/dev/null; then
	# on the host, as the project uid, on a pty of script(1): the kernel
	# lets the owner inject, and ignores the upper bits of the number
	for op in tiocsti tiocsti-high; do
		check "host: $op succeeds as uid $AU on its own terminal" \
			expect_line "$op: ok" sh -c "setpriv --reuid=$AU --regid=$AU --clear-groups \
				script -qec '$PROBE_BIN $op' /dev/null </dev/null | grep -Eo 'tiocsti[-a-z]*: [A-Za-z0-9]+'"
	done
fi
check "TIOCSTI on its own pty is refused" expect_line "tiocsti: (EPERM|EACCES|ENOSYS)" tio tiocsti
check "TIOCSTI with bit 32 set in the ioctl number is refused" \
	expect_line "tiocsti-high: (EPERM|EACCES|ENOSYS)" tio tiocsti-high
# TIOCLINUX means something on a virtual console only; on a pty the kernel
# answers EINVAL or ENOTTY, so EPERM here is the filter's answer
tlx() { probe_tty "$A" "$@" | grep -Eo 'tioclinux[-a-z]*: [A-Za-z0-9]+'; }
if command -v script >/dev/null; then
	check "host: TIOCLINUX on a pty is the tty's refusal (ENOTTY or EINVAL)" \
		expect_line "tioclinux: (ENOTTY|EINVAL)" sh -c "script -qec '$PROBE_BIN tioclinux' /dev/null </dev/null | tr -d '\r'"
fi
check "TIOCLINUX is refused by the filter (EPERM, not the tty's answer)" \
	expect_line "tioclinux: EPERM" tlx tioclinux
check "... also with bit 32 set" expect_line "tioclinux-high: EPERM" tlx tioclinux-high

# ---------------------------------------------------------- processes
procs=$(probe_in "$A" procs)
echo "#   $procs"
n=$(wc -w <<<"${procs#procs:}")
check "sees only its own processes (init, its command, this exec: <= 4)" \
	test "$n" -ge 2 -a "$n" -le 4
check "... and its init as pid 1" grep -Eq '^procs: 1( |$)' <<<"$procs"
check "hostname is the policy's" \
	expect_line "project-${A:0:8}" ctl exec "$A" -- cat /proc/sys/kernel/hostname

# ---------------------------------------------------------- network
# a free port chosen by the kernel, so that nothing else is on it
"$PROBE_BIN" listen 127.0.0.1 0 > "$T/listen.out" &
PIDS="$PIDS $!"
for _ in $(seq 200); do grep -q listening "$T/listen.out" && break; sleep 0.05; done
PORT=$(awk '$1 == "listening" { print $2 }' "$T/listen.out")
[ -n "$PORT" ] || echo "# the listener did not start: $(cat "$T/listen.out")"
check "host: the loopback listener on 127.0.0.1:$PORT is reachable" \
	expect_line "connect: ok" as_user "$AU" "$AU" "$PROBE_BIN" connect 127.0.0.1 $PORT
check "only lo exists with network = none" expect_line "ifaces: lo" probe_in "$A" ifaces
check "the host's loopback listener is unreachable" \
	expect_line "connect: (ECONNREFUSED|ENETUNREACH|ETIMEDOUT)" probe_in "$A" connect 127.0.0.1 $PORT

# ---------------------------------------------------------- fds
check "no fd beyond stdio is open at the start of the command" \
	expect_line "fds: 0 1 2" probe_in "$A" fds
check "... nor with a pty" \
	expect_line "fds: 0 1 2" probe_tty "$A" fds

# from the host: the init and the main command hold nothing of the helper
# (no socket, no pipe, no file), only /dev/null as stdio; the init has,
# besides, its signalfd and the listening socket of its exec requests,
# the one bound at home_root/.exec/PROJECT (/proc/net/unix: flag 00010000
# is a listening socket; the path ends with the project id)
exec_sock_inode() {
	awk -v id="$A" '$4 == "00010000" && $8 ~ ("/" id "$") { print $7 }' /proc/net/unix
}
fdl=""
for p in $(uid_pids "$AU"); do
	fdl="$fdl $(cat /proc/$p/comm 2>/dev/null): "
	for f in /proc/$p/fd/*; do fdl="$fdl$(readlink "$f"),"; done
done
echo "# host view of A's fds:$fdl"
echo "# A's exec socket: inode $(exec_sock_inode)"
only_devnull() { # every fd target in $fdl is /dev/null, but the init's two
	local ino=$(exec_sock_inode)
	[ -n "$fdl" ] && [ -n "$ino" ] || return 1
	! tr ' ,' '\n\n' <<<"$fdl" | grep -v -e '^$' -e ':$' -e '^/dev/null$' \
		-e '^anon_inode:\[signalfd\]$' -e "^socket:\[$ino\]$" | grep -q .
}
init_extras() { # ... and those two belong to the init alone
	local n=0 p
	for p in $(uid_pids "$AU"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = corral-init ] && continue
		ls -l /proc/$p/fd/ 2>/dev/null | grep -q -e signalfd -e 'socket:' && n=$((n + 1))
	done
	[ "$n" = 0 ]
}
check "init and the main command hold only /dev/null (no fd of the helper)" only_devnull
check "... the init's signalfd and exec socket are not the command's" init_extras
check "init's fds are not readable from inside (it is not dumpable)" \
	expect_line "(ls: cannot open directory '/proc/1/fd': Permission denied)" \
	ctl exec "$A" -- ls /proc/1/fd

# ---------------------------------------------------------- limits
bomb=$(probe_in "$A" forkbomb)
echo "#   $bomb"
forks=$(awk '{ print $2 }' <<<"$bomb")
check "a fork bomb stops at the pids limit ($LIFE_PIDS)" \
	grep -Eq '^forkbomb: [0-9]+ EAGAIN$' <<<"$bomb"
check "... after fewer than $LIFE_PIDS forks ($forks)" test "${forks:-999999}" -lt "$LIFE_PIDS"
check "the project still answers after the fork bomb" \
	expect_line "ok" ctl exec "$A" -- echo ok
hog=$(probe_in "$A" memhog 256)
echo "#   $hog (limit $LIFE_MEMORY)"
check "a memory hog (256 MiB) is stopped by the memory limit" \
	grep -Eq '^memhog: killed 9$' <<<"$hog"
check "the project still answers after the memory hog" \
	expect_line "ok" ctl exec "$A" -- echo ok
check "the helper still answers" sh -c "\"$CTL_BIN\" --helper \"$SOCK\" ping >/dev/null"

check "stop A" ctl stop "$A" --grace 1
check "nothing of A is left (mounts, cgroups, IPC, processes)" no_residue "$A" "$AU"
finish
