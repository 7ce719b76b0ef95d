# Shared by sandbox.sh and lifecycle.sh (and bench/bench-life.sh): a
# temporary world for running projects, on top of lib.sh.
#
# life_world: make_world, then a policy of our own:
#   $T        socket, policy, logs (under /tmp, as lib.sh makes it)
#   $W        /var/lib/corral-life.XXXXXX, 0755: outside /tmp, so that what
#             the sandbox shows or hides of it is the policy's doing and not
#             the project's own /tmp hiding everything under /tmp
#   $HR       $W/homes, the home root (0711)
#   $CANARY   $W/canary/secret, 0644 in a 0755 directory: readable by any
#             uid on the host, hidden from projects by the policy
#   $RWDIR    $W/rw, mode 1777, not hidden: only the read-only rootfs keeps
#             a project from writing there
# and small limits, so that a fork bomb or a memory hog meets them quickly.

: "${LIFE_TMP_SIZE:=4M}"
: "${LIFE_PIDS:=64}"
: "${LIFE_MEMORY:=64M}"
PROBE_BIN="$TESTS_BIN/sandbox-probe"
PROBE=/home/user/probe          # where the probe appears inside a project

# Kernel features every lifecycle test needs; exit 77 naming the missing one.
require_life_features() {
	local ns
	for ns in mnt pid ipc uts net cgroup; do
		[ -e /proc/self/ns/$ns ] || skip "kernel without $ns namespaces"
	done
	grep -q '^Seccomp:' /proc/self/status || skip "kernel without seccomp"
	grep -q '^NoNewPrivs:' /proc/self/status || skip "kernel without no_new_privs"
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		for c in pids memory; do
			grep -qw $c /sys/fs/cgroup/cgroup.controllers ||
				skip "cgroup v2 without the $c controller"
		done
	else
		for c in pids memory; do
			[ -d /sys/fs/cgroup/$c ] || skip "no $c cgroup controller (v2 or v1)"
		done
	fi
	[ -x "$PROBE_BIN" ] || skip "$PROBE_BIN not built"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
}

life_world() {
	# a block of 65536 uids of its own, picked at random (blocks 16-3700
	# above 1900000000, below 2^31): two runs at once (two build trees,
	# two tests) must not allocate the same uid, since processes and IPC
	# objects are found by uid
	local blk=$(( (RANDOM * 32768 + RANDOM + $$) % 3685 + 16 ))
	local lo=$((1900000000 + blk * 65536)) hi
	hi=$((lo + 65535))
	make_world
	W=$(mktemp -d /var/lib/corral-life.XXXXXX)
	chmod 0755 "$W"
	at_cleanup "rm -rf '$W'"
	HR="$W/homes"
	mkdir -m 0711 "$HR"
	mkdir -m 0755 "$W/canary"
	CANARY="$W/canary/secret"
	echo "host canary $$" > "$CANARY"
	chmod 0644 "$CANARY"
	# a file in the home root itself, readable by path on the host
	echo "home root canary" > "$HR/canary"
	chmod 0644 "$HR/canary"
	RWDIR="$W/rw"
	mkdir -m 1777 "$RWDIR"
	UID_LO=$lo
	UID_HI=$hi
	cat > "$POLICY" <<EOP
# lifecycle test policy
[helper]
socket = $SOCK
frontend_user = nobody
max_connections = 64

[projects]
home_root = $HR
uid_range = $lo-$hi

[sandbox]
hide = /home /media /mnt /root /run /var/log /var/mail /var/spool /var/tmp $W/canary
tmp_size = $LIFE_TMP_SIZE
network = none
default_command = /bin/sleep infinity

[limits]
pids = $LIFE_PIDS
memory = $LIFE_MEMORY
nofile = 777
nproc = 100000
EOP
	chmod 0644 "$POLICY"
}

ctl() { "$CTL_BIN" --helper "$SOCK" "$@"; }

new_uuid() { cat /proc/sys/kernel/random/uuid; }

# new_project: create a project, put the probe in its home; sets P and PU
# (its uid).  Returns non-zero if create fails.
new_project() {
	P=$(new_uuid)
	PU=$(ctl create "$P") || return 1
	track "$P" "$PU"
	install -o "$PU" -g "$PU" -m 0755 "$PROBE_BIN" "$HR/$P/probe"
}

# probe_in PROJECT ARGS...: the probe's line, inside the project
probe_in() {
	local p="$1"; shift
	ctl exec "$p" -- "$PROBE" "$@" 2>&1 | tr -d '\r'
}

# expect_line WANT_ERE CMD...: CMD's whole output (stdout and stderr, one
# final newline removed) matches WANT_ERE, anchored at both ends
expect_line() {
	local want="$1" got; shift
	got=$("$@" 2>&1 | tr -d '\r')
	if [[ "$got" =~ ^($want)$ ]]; then
		echo "#   $got"
		return 0
	fi
	echo "# expected: $want"
	echo "# got:      $(head -c 1000 <<<"$got")"
	return 1
}

# The project's cgroup directories, whatever the hierarchy (v2 or v1).
project_cgroups() {
	find /sys/fs/cgroup -maxdepth 4 -type d -name "$1" 2>/dev/null
}

# Host pids of every process of a uid (a number of this test's range only:
# anything else, an empty string included, gives nothing).
uid_pids() {
	local f u
	case "$1" in ''|*[!0-9]*) return 0 ;; esac
	[ "$1" -ge "$UID_LO" ] && [ "$1" -le "$UID_HI" ] || return 0
	for f in /proc/[0-9]*/status; do
		u=$(awk '/^Uid:/ { print $2; exit }' "$f" 2>/dev/null)
		[ -n "$u" ] && [ "$u" = "$1" ] && { f=${f#/proc/}; echo "${f%/status}"; }
	done
}

# residue PROJECT UID: print whatever is left of the project on the host:
# mounts naming it, cgroup directories, its init's exec socket, SysV IPC
# objects and processes of its uid.  Empty output: nothing left.
residue() {
	local p="$1" u="$2"
	grep -F "$p" /proc/self/mountinfo | sed 's/^/mount: /'
	[ -e "$HR/.exec/$p" ] && echo "exec socket: $HR/.exec/$p"
	project_cgroups "$p" | sed 's/^/cgroup: /'
	# uid is column 8 (shm, msg) or 5 (sem); cuid 10 / 7
	awk -v u="$u" 'FNR > 1 && ($8 == u || $10 == u) { print "shm/msg: " $0 }' \
		/proc/sysvipc/shm /proc/sysvipc/msg
	awk -v u="$u" 'FNR > 1 && ($5 == u || $7 == u) { print "sem: " $0 }' \
		/proc/sysvipc/sem
	uid_pids "$u" | sed 's/^/process: /'
}

no_residue() {
	local r
	r=$(residue "$1" "$2")
	[ -z "$r" ] && return 0
	echo "# left behind by $1:"
	head -20 <<<"$r" | sed 's/^/#   /'
	return 1
}

# wait_stopped PROJECT [TENTHS]: until status says "running: no"
wait_stopped() {
	local n="${2:-100}"
	while [ "$n" -gt 0 ]; do
		ctl status "$1" 2>/dev/null | grep -qx 'running: no' && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# At exit, before lib.sh's cleanup stops the helper: stop every project
# still running (a failed test must not leave sandboxes behind), and as a
# last resort kill what runs under a project's uid (unique to this test's
# range) and remove cgroups named after its id (a fresh UUID), so that a
# broken helper still leaves nothing behind on the machine.
LIFE_PROJECTS=""
life_cleanup() {
	local pu p u pid d
	for pu in $LIFE_PROJECTS; do
		ctl stop "${pu%%:*}" --grace 0 >/dev/null 2>&1
	done
	for pu in $LIFE_PROJECTS; do
		p=${pu%%:*}
		u=${pu##*:}
		for pid in $(uid_pids "$u"); do
			echo "# cleanup: killing $pid left by $p"
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for pu in $LIFE_PROJECTS; do
		p=${pu%%:*}
		for d in $(project_cgroups "$p" | sort -r); do
			echo "# cleanup: removing cgroup $d"
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				rmdir "$d" 2>/dev/null && break
				sleep 0.1
			done
		done
	done
}
# track PROJECT UID: a project to stop (and clean up after) at exit
track() {
	case "$2" in ''|*[!0-9]*) echo "# track: no uid for $1"; return 1 ;; esac
	LIFE_PROJECTS="$LIFE_PROJECTS $1:$2"
}
trap 'life_cleanup; cleanup' EXIT
# At exit after a failure: the end of the helper's logs, while $T exists.
show_helper_log() {
	local l
	[ "$n_fail" = 0 ] && return
	for l in "$T"/helper*.log; do
		[ -f "$l" ] || continue
		echo "# $(basename "$l"), last lines:"
		tail -n 40 "$l" | sed 's/^/#   /'
	done
}
