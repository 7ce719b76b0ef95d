#!/bin/bash
# Symlink-swap race (DESIGN §3, §6): while a process running as project A
# swaps every component of the paths it uses between the real directory or
# file and a symlink out of the home (to a canary tree outside home_root,
# to project B's home, through /proc/self/root, "../../.."), the helper
# serves at least CORRAL_RACE_PER_KIND operations of every mutating kind
# on those paths.  Afterwards the canary and B's home must be unchanged to
# the byte, mode, owner, link count, mtime and ctime; no file from outside
# may have been read into A's home; every file in A's home belongs to A.
# The run fails if the attack never landed (no operation ever met a
# swapped-in symlink), so it cannot pass vacuously.
#
# Power: private builds of the helper with one flaw each were all caught
# by a default run: openat2 without RESOLVE_* flags, utimes following the
# last component, and rm -r opening subdirectories without refusing
# symlinks (a window of two system calls).
#
# Environment: CORRAL_RACE_PER_KIND (default 20000), CORRAL_RACE_SECONDS
# (time limit of the operations, default 100), CORRAL_RACE_WORKERS
# (driver processes, default 2), CORRAL_RACE_ATTACKER_OPTS (extra
# race-attacker options, e.g. --no-focus).
. "${top_srcdir:?}/tests/integration/lib.sh"
require_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"

PER_KIND=${CORRAL_RACE_PER_KIND:-20000}
SECONDS_MAX=${CORRAL_RACE_SECONDS:-100}
WORKERS=${CORRAL_RACE_WORKERS:-2}
MARKER=CORRAL-CANARY
PA=7ace0000-0000-4000-8000-00000000000a
PB=7ace0000-0000-4000-8000-00000000000b

make_world
W="$T/work"
mkdir -m 0755 "$W"
cp "$TESTS_BIN/race-attacker" "$T/bin/race-attacker"
chmod 0755 "$T/bin/race-attacker"
start_helper "$T/helper.log" || { not_ok "helper starts"; finish; }

if ! "$TESTS_BIN/race-driver" create "$SOCK" "$PA" "$PB" > "$W/create.out" 2>&1; then
	not_ok "projects A and B created"; sed 's/^/# /' "$W/create.out"; finish
fi
HA="$T/homes/$PA"
HB="$T/homes/$PB"
uid_a=$(stat -c %u "$HA") gid_a=$(stat -c %g "$HA")
check "A's home belongs to an unprivileged uid" test "$uid_a" -gt 0 -a "$gid_a" -gt 0

# The canary and B's home are writable by A on purpose, and most of what
# they hold belongs to A: a helper that escaped with A's fsuid must be able
# to do visible damage (write, truncate, but also chmod and set times,
# which only an owner may), not be stopped by permissions that would hide
# the escape.  A few root-owned files, writable by all, remain.
C="$T/canary"
# Both mirror the tree of the attacked home (d1/d2 and the leaves f, c, g,
# p/q), at their top and under dir/, so that an operation that followed a
# symlink to either finds something to damage however deep the swapped
# component was.
mirror() { # mirror DIR
	local m f
	for m in "$1" "$1/d1" "$1/d1/d2"; do
		mkdir -p "$m/p/q"
		for f in f c g; do printf '%s %s\n' "$MARKER" "$f" > "$m/$f"; done
		chmod 0777 "$m" "$m/p" "$m/p/q"
		chmod 0666 "$m/f" "$m/c" "$m/g"
		chown "$uid_a:$gid_a" "$m/p" "$m/p/q" "$m/f" "$m/c" "$m/g"
	done
}
populate() { # populate DIR: files, directories, modes, owners, mtimes
	local d="$1"
	mkdir -p "$d/dir/sub" "$d/dir/mine"
	mirror "$d"
	mirror "$d/dir"
	printf '%s file\n' "$MARKER" > "$d/file"
	printf '%s a\n' "$MARKER" > "$d/dir/a"
	printf '%s b\n' "$MARKER" > "$d/dir/sub/b"
	printf '%s owned by A\n' "$MARKER" > "$d/dir/mine/c"
	head -c 4096 /dev/urandom > "$d/dir/random"
	printf '%s x\n' "$MARKER" >> "$d/dir/random"
	ln -s file "$d/link"
	chmod 0777 "$d" "$d/dir" "$d/dir/sub"
	chmod 0666 "$d/file" "$d/dir/a" "$d/dir/random"
	chmod 0640 "$d/dir/sub/b"
	chown "$uid_a:$gid_a" "$d/file" "$d/dir" "$d/dir/mine" "$d/dir/mine/c"
	chmod 0755 "$d/dir/mine"
	chmod 0600 "$d/dir/mine/c"
	find "$d" -depth -exec touch -h -d '2001-02-03 04:05:06.123456789' {} +
}
mkdir -m 0777 "$C"
populate "$C"
populate "$HB"

snapshot() {
	{
		find "$C" "$HB" -printf '%p %y %m %u %g %s %n %T@ %C@ %l\n' | sort
		find "$T" "$T/homes" -maxdepth 0 -printf '%p %y %m %u %g %n %T@ %C@\n'
		find "$C" "$HB" -type f -exec sha256sum {} + | sort -k2
	} > "$1"
}
snapshot "$W/before"

# --- where everyone runs: a window of a few system calls is only hit when
# the attacker runs at the same time as the helper, so with two CPUs or
# more the attacker gets the last one to itself and the helper (whose
# connection processes inherit its affinity) and the driver the others.
# (A project may pin its own processes as well; it cannot pin the helper,
# but nothing keeps the scheduler from doing what we do here.)
ATTACKER_CPU="" DRIVER_CPUS=""
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then
	ATTACKER_CPU="taskset -c $((ncpu - 1))"
	DRIVER_CPUS="taskset -c 0-$((ncpu - 2))"
	taskset -p -c "0-$((ncpu - 2))" "$HELPER_PID" > /dev/null
fi

# --- the attacker, as project A
truncate -s 4096 "$W/race.shm"
chown "$uid_a:$gid_a" "$W/race.shm"
chmod 0600 "$W/race.shm"
# setpriv itself, not as_user: a function put in the background runs in a
# subshell, and $! would name the subshell, not the attacker (taskset and
# setpriv exec, so $! is the attacker's pid)
$ATTACKER_CPU setpriv --reuid="$uid_a" --regid="$gid_a" --clear-groups \
	"$T/bin/race-attacker" --shm "$W/race.shm" \
	--home "$HA" --canary "$C" --other "$HB" --trees "$WORKERS" \
	${CORRAL_RACE_ATTACKER_OPTS:-} \
	> "$W/attacker.out" 2>&1 &
ATTACKER_PID=$!
PIDS="$PIDS $ATTACKER_PID"
# setpriv execs the attacker: same pid, its ids switched just before
attacker_ids() {
	awk '/^(Uid|Gid):/ { printf "%s %s %s %s ", $2, $3, $4, $5 }
	     /^Groups:/ { printf "groups:%s", $2 }' "/proc/$ATTACKER_PID/status" 2>/dev/null
}
want="$uid_a $uid_a $uid_a $uid_a $gid_a $gid_a $gid_a $gid_a groups:"
for _ in $(seq 1 50); do [ "$(attacker_ids)" = "$want" ] && break; sleep 0.1; done
check "the attacker runs as project A (all uids and gids, no groups)" \
	test "$(attacker_ids)" = "$want"

# --- the operations, as root (an allowed peer); timeout kills the
# driver's whole process group if the helper hangs.  In the background, so
# that a signal to this script reaches cleanup at once, which ends the
# driver (in PIDS) with the rest.
$DRIVER_CPUS timeout -s KILL $((SECONDS_MAX + 60)) "$TESTS_BIN/race-driver" run \
	--socket "$SOCK" --project "$PA" --home "$HA" --shm "$W/race.shm" \
	--canary "$C" --other "$HB" --workers "$WORKERS" \
	--per-kind "$PER_KIND" --seconds "$SECONDS_MAX" > "$W/driver.out" 2>&1 &
DRIVER_PID=$!
PIDS="$PIDS $DRIVER_PID"
wait "$DRIVER_PID"
rc=$?
grep '^race:' "$W/driver.out"
sed 's/^/# /' "$W/driver.out" | grep -v '^# race:'

# the driver sets stop in the shared file; give the attacker a moment
for _ in $(seq 1 50); do kill -0 "$ATTACKER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$ATTACKER_PID" 2>/dev/null; then
	kill -KILL "$ATTACKER_PID"
	not_ok "the attacker stops when told"
else
	ok "the attacker stops when told"
fi
wait "$ATTACKER_PID" 2>/dev/null
sed 's/^/# /' "$W/attacker.out"
check "the attacker reported its work" \
	grep -q '^attacker: [0-9]* swaps' "$W/attacker.out"

case $rc in
0) ok "race: every kind ran, the attack landed, nothing came from outside" ;;
1) not_ok "race: $(grep '^FAIL' "$W/driver.out" | tr '\n' ' ')" ;;
*) not_ok "race driver failed (exit $rc)" ;;
esac

snapshot "$W/after"
if diff -u "$W/before" "$W/after" > "$W/snap.diff"; then
	ok "canary outside the home and B's home unchanged (bytes, modes, owners, mtimes, ctimes)"
else
	not_ok "canary outside the home and B's home unchanged"
	sed 's/^/# /' "$W/snap.diff" | head -n 60
fi
if grep -rl "$MARKER" "$HA" > "$W/leaked" 2>/dev/null; then
	not_ok "nothing from outside was copied into A's home"
	sed 's/^/# /' "$W/leaked" | head
else
	ok "nothing from outside was copied into A's home"
fi
find "$HA" ! -user "$uid_a" > "$W/foreign"
check "every file in A's home belongs to A (fsuid switched)" test ! -s "$W/foreign"
check "helper still running" kill -0 "$HELPER_PID"
check "no helper process crashed" \
	bash -c "! grep -Eq 'killed by signal|AddressSanitizer|runtime error' '$T/helper.log'"

finish
