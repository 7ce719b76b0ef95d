#!/bin/bash
# The project lifecycle through corralctl (DESIGN §3, §5): start, exec with
# and without a pty, status and list, stop (a double-forked daemon
# included), stop after the helper was killed and restarted, cleanup of
# mounts, cgroups, SysV IPC and processes, two projects side by side, and
# 20 projects started and stopped at once.  Real helper as root, temporary
# policy, home root, socket and uid range.
. "${top_srcdir:?}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/life-lib.sh"
require_root
require_life_features

life_world
start_helper "$T/helper.log" || { not_ok "helper starts"; finish; }
trap 'show_helper_log; life_cleanup; cleanup' EXIT

new_project || { not_ok "create a project"; finish; }
A=$P AU=$PU
echo "# project A $A uid $AU"

# ---------------------------------------------------------- status before start
check "status of a created project: not running" \
	expect_line "running: no" ctl status "$A"
check "exec into a project never started: not running" \
	expect_line "corralctl: exec $A: No such process \(project is not running\)" \
	ctl exec "$A" -- /bin/true
check "start of a project never created fails" \
	expect_line "corralctl: start [-0-9a-f]+: No such file or directory.*" \
	ctl start "$(new_uuid)"
check "stop of a project that is not running succeeds" ctl stop "$A"

# ---------------------------------------------------------- start, status, list
out=$(ctl start "$A" 2>&1)
check "start A prints its init's host pid ($out)" grep -Eqx '[0-9]+' <<<"$out"
APID=$out
check "... a live process of the project's uid" \
	test "$(awk '/^Uid:/ { print $2 }' /proc/"$APID"/status 2>/dev/null)" = "$AU"
check "start again: refused while running" \
	expect_line "corralctl: start $A: Device or resource busy.*" ctl start "$A"
st=$(ctl status "$A" 2>&1)
echo "$st" | sed 's/^/#   /'
check "status: running, with the init's pid" \
	grep -qx "pid: $APID" <<<"$st"
check "status: running: yes" grep -qx "running: yes" <<<"$st"
check "status: pids >= 2 (init and its command)" \
	grep -Eqx "pids: ([2-9]|[1-9][0-9]+)" <<<"$st"
check "status: memory in use is reported" grep -Eqx 'memory: [1-9][0-9]*' <<<"$st"
# other tests' helpers may run projects at the same time: only ours count
check "status with no project lists A" sh -c "\"$CTL_BIN\" --helper \"$SOCK\" status | grep -qx $A"
# a project with no home in this helper's home_root (as one of another
# helper, with another policy, would be) is neither listed nor stopped
mv "$HR/$A" "$HR/.away-$A"
check "list leaves out a running project without a home here" \
	sh -c "! \"$CTL_BIN\" --helper \"$SOCK\" status | grep -qx $A"
check "stop of a project without a home here is refused" \
	expect_line "corralctl: stop $A: No such file or directory.*" ctl stop "$A"
check "... and that project still runs" test -d "/proc/$APID"
mv "$HR/.away-$A" "$HR/$A"

# ---------------------------------------------------------- exec, pipes
out=$(ctl exec "$A" -- sh -c 'echo out; echo err >&2; exit 7' 2>"$T/err")
rc=$?
check "exec: stdout comes back ($out)" test "$out" = out
check "exec: stderr comes back separately ($(cat "$T/err"))" test "$(cat "$T/err")" = err
check "exec: exit status 7 comes back ($rc)" test "$rc" = 7
out=$(printf 'line1\nline2\n' | ctl exec "$A" -- sort -r)
check "exec: stdin goes to the command (sort -r: $(echo $out))" \
	test "$out" = "$(printf 'line2\nline1')"
head -c 300000 /dev/urandom > "$T/big"
check "exec: 300 kB through cat both ways, unchanged" \
	sh -c "\"$CTL_BIN\" --helper \"$SOCK\" exec $A -- cat < \"$T/big\" | cmp -s - \"$T/big\""
ctl exec "$A" -- sh -c 'kill -TERM $$' >/dev/null 2>&1
rc=$?
check "exec: killed by SIGTERM gives 128+15 ($rc)" test "$rc" = 143
check "exec: cwd is the home by default" expect_line /home/user ctl exec "$A" -- pwd
check "exec: --cwd /tmp" expect_line /tmp ctl exec "$A" --cwd /tmp -- pwd
check "exec: a relative --cwd is refused" \
	expect_line "corralctl: exec $A: Invalid argument.*" ctl exec "$A" --cwd tmp -- pwd
check "exec: --env LANG=C.UTF-8 reaches the command" \
	expect_line C.UTF-8 ctl exec "$A" --env LANG=C.UTF-8 -- printenv LANG
check "exec: a variable outside env_allow is refused" \
	expect_line "corralctl: exec $A: Invalid argument.*" \
	ctl exec "$A" --env LD_PRELOAD=/x.so -- /bin/true
env_out=$(FOO_SECRET=1 ctl exec "$A" -- env 2>&1)
check "exec: the client's environment does not leak in" \
	sh -c '! grep -q FOO_SECRET' <<<"$env_out"
check "exec: a missing command fails (exit 127 or a clear error)" \
	sh -c "\"$CTL_BIN\" --helper \"$SOCK\" exec $A -- /nonexistent >/dev/null 2>&1; test \$? = 127 -o \$? = 1"
check "exec: --timeout 1 ends a sleep 30 with SIGKILL (137)" \
	sh -c "\"$CTL_BIN\" --helper \"$SOCK\" exec $A --timeout 1 -- sleep 30; test \$? = 137"

n=$(head -c 3000000 /dev/zero | ctl exec "$A" -- head -c 2000000 /dev/zero | wc -c)
check "exec: 2 MB of output while the command ignores 3 MB of input ($n)" \
	test "$n" = 2000000
# corralctl itself in the background ($! is its pid, not a subshell's)
"$CTL_BIN" --helper "$SOCK" exec "$A" -- sleep 1000 &
cpid=$!
for _ in $(seq 50); do
	ctl status "$A" | grep -qx 'pids: 3' && break
	sleep 0.1
done
kill -TERM "$cpid"
wait "$cpid"
rc=$?
check "exec: corralctl ended by SIGTERM exits 143 ($rc)" test "$rc" = 143
for _ in $(seq 50); do
	ctl status "$A" | grep -qx 'pids: 2' && break
	sleep 0.1
done
check "... and the helper ended its command (back to 2 processes)" \
	expect_line "pids: 2" sh -c "\"$CTL_BIN\" --helper \"$SOCK\" status $A | grep '^pids:'"

# bad command lines: exit 2, nothing sent
usage() { "$@" >/dev/null 2>&1; test $? = 2; }
check "usage: exec without \"--\"" usage ctl exec "$A" /bin/true
check "usage: exec with an unknown option" usage ctl exec "$A" --bogus -- /bin/true
check "usage: exec --env without '='" usage ctl exec "$A" --env FOO -- /bin/true
check "usage: stop --grace that is not a number" usage ctl stop "$A" --grace 1x
check "usage: start with words but no \"--\"" usage ctl start "$A" /bin/true
check "usage: status with two projects" usage ctl status "$A" "$A"
check "a project id that is not a UUID is refused by the helper" \
	expect_line "corralctl: start \.\./x: Invalid argument.*" ctl start ../x

# ---------------------------------------------------------- exec, pty
out=$(ctl exec "$A" --tty -- sh -c 'tty; echo hi; exit 3' </dev/null 2>&1 | tr -d '\r')
rc=${PIPESTATUS[0]}
echo "$out" | sed 's/^/#   /'
check "exec --tty: the command's stdin is a pty" grep -Eqx '/dev/pts/[0-9]+' <<<"$out"
check "exec --tty: output comes back" grep -qx hi <<<"$out"
ctl exec "$A" --tty -- sh -c 'exit 3' </dev/null >/dev/null 2>&1
rc=$?
check "exec --tty: exit status 3 comes back ($rc)" test "$rc" = 3
out=$(printf 'typed\n' | ctl exec "$A" --tty -- head -n 1 2>&1 | tr -d '\r')
check "exec --tty: input reaches the command ($(echo $out))" grep -q typed <<<"$out"
out=$(printf 'x\n' | ctl exec "$A" --tty -- cat 2>&1 | tr -d '\r')
check "exec --tty: end of input ends cat (EOF through the pty)" grep -q x <<<"$out"
out=$(ctl exec "$A" --tty -- sh -c 'test -t 0 && test -t 1 && test -t 2 && echo all-tty' </dev/null 2>&1 | tr -d '\r')
check "exec --tty: stdin, stdout and stderr are the terminal" grep -qx all-tty <<<"$out"
if command -v script >/dev/null; then
	# a real terminal on corralctl's side: its size reaches the pty, and
	# its mode is the same after corralctl (raw while it ran) as before.
	# corralctl can set the size only once it holds the pty master, when
	# the command already runs (the protocol carries no size): the sleep
	# lets that happen before stty reads it (a shell or an editor gets
	# SIGWINCH instead)
	out=$(script -qec "stty cols 123 rows 45; stty -g > $T/stty.before; \
		$CTL_BIN --helper $SOCK exec $A --tty -- sh -c 'sleep 0.5; stty size'; \
		stty -g > $T/stty.after" /dev/null </dev/null 2>&1 | tr -d '\r')
	check "exec --tty: the window size is forwarded ($(grep -E '^[0-9]+ [0-9]+$' <<<"$out"))" \
		grep -qx '45 123' <<<"$out"
	check "exec --tty: the local terminal mode is restored" \
		cmp -s "$T/stty.before" "$T/stty.after"
	# the same when corralctl is ended by SIGTERM while in raw mode
	# (stdin from /dev/tty: a background job's stdin is /dev/null)
	script -qec "stty -g > $T/stty.before2; \
		$CTL_BIN --helper $SOCK exec $A --tty -- sleep 100 < /dev/tty > /dev/null & \
		c=\$!; sleep 1; stty -g > $T/stty.during; kill -TERM \$c; wait \$c; \
		echo rc=\$? > $T/rc.term; stty -g > $T/stty.after2" /dev/null </dev/null >/dev/null 2>&1
	check "exec --tty: raw mode while it runs" \
		sh -c "! cmp -s $T/stty.before2 $T/stty.during"
	check "exec --tty: ended by SIGTERM, it restores the terminal ($(cat "$T/rc.term" 2>&1))" \
		sh -c "cmp -s $T/stty.before2 $T/stty.after2 && grep -qx rc=143 $T/rc.term"
fi

# ---------------------------------------------------------- the init's exec socket
xs="$HR/.exec/$A"
check "exec goes through the init's socket, home_root/.exec/A" test -S "$xs"
check "... in a directory of root's, mode 0700" \
	test "$(stat -c '%u %a' "$HR/.exec" 2>&1)" = "0 700"
# with the directory opened up, another uid reaches the socket: the init
# must still refuse it (only root may ask for a command), while root gets
# the init's answer (corralctl's hello is not an exec request)
xmode=$(stat -c %a "$xs")
chmod 0711 "$HR/.exec"; chmod 0666 "$xs"
check "root reaches the init, which refuses a frame that is not an exec" \
	expect_line "corralctl: .*the project's init got a bad request.*" \
	"$CTL_BIN" --helper "$xs" exec "$A" -- /bin/true
out=$(as_user 65534 65534 "$CTL_BIN" --helper "$xs" exec "$A" -- /bin/true 2>&1)
echo "#   $out"
check "the init closes, unanswered, a connection of a uid other than root" \
	sh -c 'case "$1" in ""|*"init got"*) exit 1 ;; esac' sh "$out"
chmod 0700 "$HR/.exec"; chmod "$xmode" "$xs"
mv "$xs" "$HR/.exec/moved-away"
# an impostor in the init's place, listening as root: the request process
# must refuse it before it sends the request or the command's stdio
"$PROBE_BIN" unix-listen "$xs" >"$T/impostor" 2>&1 &
ipid=$!
for _ in $(seq 50); do grep -q listening "$T/impostor" && break; sleep 0.1; done
check "exec to a listener that is not the project's init is refused" \
	expect_line "corralctl: exec $A: Operation not permitted \(the exec socket is not the project's init\)" \
	ctl exec "$A" -- /bin/true
wait "$ipid"
check "... before anything was sent to it ($(tail -n 1 "$T/impostor"))" \
	grep -qx "unix-listen: 0 bytes 0 fds" "$T/impostor"
rm -f "$xs"
check "exec with the init's socket gone: a clear error" \
	expect_line "corralctl: exec $A: Connection refused \(the project's init takes no commands.*\)" \
	ctl exec "$A" -- /bin/true
check "... and A still runs" expect_line "running: yes" \
	sh -c "\"$CTL_BIN\" --helper \"$SOCK\" status $A | grep '^running:'"
mv "$HR/.exec/moved-away" "$xs"
check "... and takes commands again once it is back" ctl exec "$A" -- /bin/true

# ---------------------------------------------------------- stop
d=$(probe_in "$A" daemon)
echo "#   $d"
check "a double-forked daemon runs in the project" grep -Eqx 'daemon: [0-9]+' <<<"$d"
host_pids=$(uid_pids "$AU")
echo "#   host pids of A: $(echo $host_pids)"
check "... next to init, as processes of A's uid" test "$(wc -w <<<"$host_pids")" -ge 3
check "A makes a SysV shm segment, semaphore set and message queue" \
	expect_line "ipc: ok ok ok" probe_in "$A" ipc
check "... in its own IPC namespace: none in the host's tables" \
	test -z "$(residue "$A" "$AU" | grep -E '^(shm/msg|sem):')"
check "stop A (--grace 1)" ctl stop "$A" --grace 1
check "after stop, status says not running" expect_line "running: no" ctl status "$A"
check "after stop, exec says not running" \
	expect_line "corralctl: exec $A: No such process \(project is not running\)" \
	ctl exec "$A" --tty -- /bin/true
check "after stop, list does not show A" sh -c "! \"$CTL_BIN\" --helper \"$SOCK\" status | grep -qx $A"
alive=""
for p in $host_pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
check "every process of A is gone, the daemon included ($alive)" test -z "$alive"
check "nothing of A is left: mountinfo, cgroups, sysvipc, processes" no_residue "$A" "$AU"
check "stop again succeeds" ctl stop "$A"

# ---------------------------------------------------------- a main command that exits
out=$(ctl start "$A" -- /bin/sh -c 'exit 0' 2>&1)
check "start with a command ($out)" grep -Eqx '[0-9]+' <<<"$out"
check "when its command exits, the project is no longer running" wait_stopped "$A" 50
for _ in $(seq 50); do [ -e "$HR/.exec/$A" ] || break; sleep 0.1; done
check "... and its exec socket is gone without a stop" test ! -e "$HR/.exec/$A"
check "stop then cleans up" ctl stop "$A"
check "nothing of A is left" no_residue "$A" "$AU"

# ---------------------------------------------------------- grace, running execs
# the main command leaves a file when SIGTERM comes, then exits: the grace
# period lets it, and stop does not wait the whole period once all is gone
rm -f "$HR/$A/bye"
ctl start "$A" -- /bin/sh -c 'trap "echo bye > /home/user/bye; exit 0" TERM
	while :; do sleep 0.1; done' >/dev/null
"$CTL_BIN" --helper "$SOCK" exec "$A" -- sleep 100 >/dev/null 2>&1 &
epid=$!
sleep 0.5
s0=$(date +%s%N)
check "stop --grace 20 of a project that exits on SIGTERM" ctl stop "$A" --grace 20
s1=$(date +%s%N)
ms=$(( (s1 - s0) / 1000000 ))
check "... its SIGTERM handler ran (the home has its file)" \
	test "$(cat "$HR/$A/bye" 2>&1)" = bye
check "... and stop returned once everything was gone ($ms ms, well under 20 s)" \
	test "$ms" -lt 10000
wait "$epid"
rc=$?
check "a corralctl exec running at stop ends with the signal's status ($rc)" \
	test "$rc" = 143 -o "$rc" = 137
check "nothing of A is left" no_residue "$A" "$AU"

# ---------------------------------------------------------- helper killed
check "start A again" sh -c "\"$CTL_BIN\" --helper \"$SOCK\" start $A >/dev/null"
probe_in "$A" daemon >/dev/null
host_pids=$(uid_pids "$AU")
echo "# before: A's processes:"
ps -o pid,ppid,pgid,sid,uid,stat,args -p "$(echo $host_pids | tr ' ' ,)" | sed 's/^/#   /'
kill -KILL "$HELPER_PID"
wait "$HELPER_PID" 2>/dev/null
echo "# helper $HELPER_PID killed with SIGKILL"
echo "# after: A's processes: $(echo $(uid_pids "$AU"))"
check "the project outlives its helper" test -n "$(uid_pids "$AU")"
rm -f "$SOCK"
start_helper "$T/helper2.log" || not_ok "a new helper starts"
check "the new helper sees A running" expect_line "running: yes" \
	sh -c "\"$CTL_BIN\" --helper \"$SOCK\" status $A | head -1"
check "the new helper stops A" ctl stop "$A" --grace 1
alive=""
for p in $host_pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
check "every process of A is gone ($alive)" test -z "$alive"
check "nothing of A is left" no_residue "$A" "$AU"

# ---------------------------------------------------------- side by side
new_project || not_ok "create B"
B=$P BU=$PU
new_project || not_ok "create C"
C=$P CU=$PU
BPID=$(ctl start "$B")
CPID=$(ctl start "$C")
echo "# B $B (init $BPID), C $C (init $CPID)"
pb=$(probe_in "$B" procs)
pc=$(probe_in "$C" procs)
echo "#   B $pb"
echo "#   C $pc"
check "B sees only its own processes" test "$(wc -w <<<"${pb#procs:}")" -le 4
check "C sees only its own processes" test "$(wc -w <<<"${pc#procs:}")" -le 4
check "B cannot signal C's init by its host pid" \
	expect_line "kill: (ESRCH|EPERM)" probe_in "$B" kill "$CPID" 9
check "B cannot signal C's command (host pid) either" \
	expect_line "kill: (ESRCH|EPERM)" probe_in "$B" kill \
	"$(uid_pids "$CU" | grep -vx "$CPID" | head -1)" 9
check "C is still running after B's attempts" expect_line "running: yes" \
	sh -c "\"$CTL_BIN\" --helper \"$SOCK\" status $C | head -1"
check "C's init is the same process" test -d "/proc/$CPID"
check "B cannot read C's home through /proc/$CPID/root" \
	expect_line "read: (ENOENT|EACCES)" probe_in "$B" read "/proc/$CPID/root/home/user/probe"
check "B makes SysV IPC objects" expect_line "ipc: ok ok ok" probe_in "$B" ipc
check "C sees none of them (its own IPC namespace)" \
	expect_line "0" sh -c "\"$CTL_BIN\" --helper \"$SOCK\" exec $C -- cat /proc/sysvipc/shm /proc/sysvipc/sem /proc/sysvipc/msg | grep -vc key"
check "stop B and C" sh -c "\"$CTL_BIN\" --helper \"$SOCK\" stop $B && \"$CTL_BIN\" --helper \"$SOCK\" stop $C"
check "nothing of B is left" no_residue "$B" "$BU"
check "nothing of C is left" no_residue "$C" "$CU"

# ---------------------------------------------------------- 20 at once
N=20
many=()
for i in $(seq $N); do
	new_project || { not_ok "create project $i"; break; }
	many+=("$P:$PU")
done
echo "# starting $N projects at once"
# run_all OP: OP (start or stop) on every project at once; 0 if all succeed
run_all() {
	local pu jobs_=() rc=0 j
	for pu in "${many[@]}"; do
		ctl "$1" "${pu%%:*}" > "$T/$1.${pu%%:*}" 2>&1 &
		jobs_+=($!)
	done
	for j in "${jobs_[@]}"; do wait "$j" || rc=1; done
	[ "$rc" = 0 ] || cat "$T/$1".* | grep corralctl | head -5 | sed 's/^/#   /'
	return $rc
}
check "$N concurrent starts succeed" run_all start
running=$(ctl status | grep -cxF "$(printf '%s\n' "${many[@]}" | sed 's/:.*//')")
check "list shows the $N running projects ($running)" test "$running" = "$N"
check "$N concurrent stops succeed" run_all stop
left=0
for pu in "${many[@]}"; do no_residue "${pu%%:*}" "${pu##*:}" || left=$((left + 1)); done
check "the $N projects leave no residue ($left with some)" test "$left" = 0
running=$(ctl status | grep -cxF "$(printf '%s\n' "${many[@]}" | sed 's/:.*//')")
check "list shows none of them ($running)" test "$running" = 0

# ---------------------------------------------------------- audit
# one line per lifecycle request, naming the project and the result
for op in start exec stop status; do
	check "audit: op=$op lines name the project and the result" \
		grep -Eq "op=$op .*project=$A .*result=(ok|error)" "$T/helper.log"
done
check "audit: op=list lines" grep -Eq "op=list .*result=ok" "$T/helper.log"
check "audit: a refused start says why" \
	grep -Eq "op=start .*project=$A .*result=error errno=16" "$T/helper.log"
finish
