#!/bin/bash
# tests/pkg/deb-install.sh PHASE DEB STATE: the .deb on this machine, in
# four phases that test.sh counts as steps of their own:
#   install  apt-get install ./corral_*.deb; files, modes, conffiles, user
#   units    systemd-analyze verify on the installed units; exposure scores
#   run      the installed helper started by hand as the README says,
#            corralctl as root and as the corral user; spawn mode with the
#            exact commands of README.Debian, then undone
#   purge    apt-get purge; everything the package installed is gone, so
#            are the helper's empty parent cgroups, and nothing else
#            changed; then the test's own leftovers (the corral user and
#            group if it made them, the project it created) are removed,
#            so the machine is as it was found
# STATE is a directory kept between the phases (snapshots, lists).  Only
# processes this script starts are signalled.  Exit 0 pass, 1 fail, 77 skip.
set -u
phase=${1:?phase} deb=${2:?deb} state=${3:?state dir}
export DEBIAN_FRONTEND=noninteractive
n_ok=0 n_fail=0
ok() { n_ok=$((n_ok + 1)); echo "ok $((n_ok + n_fail)) - $*"; }
not_ok() { n_fail=$((n_fail + 1)); echo "not ok $((n_ok + n_fail)) - $*"; }
check() { local d="$1"; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
skip() { echo "SKIP: $*"; exit 77; }
finish() { echo "# $n_ok passed, $n_fail failed"; [ "$n_fail" = 0 ]; exit $?; }
[ "$(id -u)" = 0 ] || skip "needs root (apt-get install)"

# What the package may touch, listed before install and after purge.
snapshot() {
	find /etc /lib/systemd/system /usr/lib/sysusers.d /usr/lib/tmpfiles.d \
		/usr/sbin /usr/bin /usr/share/man /usr/share/doc /var/lib/systemd \
		/run/corral /srv -xdev 2>/dev/null | LC_ALL=C sort
}
as_corral() { setpriv --reuid=corral --regid=corral --clear-groups "$@"; }
mode_of() { stat -c '%a %U %G' "$1" 2>&1; }
PROJECT_FILE="$state/project"

# The helper's "corral" parent cgroups (v2, each v1 hierarchy) that hold
# no project's cgroup: what the purge is to remove.
cg_empty_parents() {
	local d
	for d in /sys/fs/cgroup/corral /sys/fs/cgroup/{pids,memory,cpu,cpuacct}/corral; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -maxdepth 1 -type d | grep -q . || realpath "$d"
	done | sort -u
}

phase_install() {
	# no state: a later purge phase then leaves any installed corral alone
	rm -rf "$state"
	dpkg-query -W -f='${Status}' corral 2>/dev/null | grep -q 'ok installed' &&
		skip "a corral package is installed here already; this test would replace it"
	mkdir -p "$state"
	snapshot > "$state/before.list"
	getent passwd corral > /dev/null && touch "$state/had-user"
	getent group corral > /dev/null && touch "$state/had-group"
	for f in passwd group shadow gshadow subuid subgid; do
		[ -e "/etc/$f-" ] && touch "$state/had-backup-$f"
	done
	[ -e /srv/corral ] && touch "$state/had-srv"
	# which of the package's paths (directories such as /usr) exist already
	dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|/$||; s|^$|/|' |
		while read -r f; do [ -e "$f" ] && echo "$f"; done > "$state/preexisting.list"

	if apt-get install -y -q --no-install-recommends "$(realpath "$deb")" > "$state/apt-install.log" 2>&1; then
		ok "apt-get install ./$(basename "$deb")"
	else
		not_ok "apt-get install ./$(basename "$deb")"; cat "$state/apt-install.log"; finish
	fi
	dpkg -L corral > "$state/files.list"
	local missing=0
	while read -r f; do [ -e "$f" ] || { echo "# missing: $f"; missing=1; }; done < "$state/files.list"
	check "every file dpkg lists exists" test $missing = 0
	check "corral-helper 0755 root:root (service mode)" test "$(mode_of /usr/sbin/corral-helper)" = "755 root root"
	check "corral-helper carries no file capability" test -z "$(getcap /usr/sbin/corral-helper)"
	check "corral-policy, corralctl 0755 root:root" test \
		"$(mode_of /usr/sbin/corral-policy) $(mode_of /usr/bin/corralctl)" = "755 root root 755 root root"
	check "/etc/corral/corral.conf 0644 root:root" test "$(mode_of /etc/corral/corral.conf)" = "644 root root"
	check "/etc/corral/corral.conf is a conffile" \
		grep -q '^ /etc/corral/corral.conf ' <(dpkg-query -W -f='${Conffiles}\n' corral)
	check "corrald 0755 root:root" test "$(mode_of /usr/sbin/corrald)" = "755 root root"
	# no secret in it (the hub's public key path, addresses, limits)
	check "/etc/corral/corrald.conf 0644 root:root" test "$(mode_of /etc/corral/corrald.conf)" = "644 root root"
	check "/etc/corral/corrald.conf is a conffile" \
		grep -q '^ /etc/corral/corrald.conf ' <(dpkg-query -W -f='${Conffiles}\n' corral)
	local m missing_man=""
	for m in man1/corralctl.1 man5/corral.conf.5 man5/corrald.conf.5 man7/corral-protocol.7 \
		man8/corral-helper.8 man8/corral-policy.8 man8/corrald.8; do
		[ -f "/usr/share/man/$m.gz" ] || missing_man="$missing_man $m"
	done
	check "every man page installed${missing_man:+ (missing:$missing_man)}" test -z "$missing_man"
	for u in corral-helper.socket corral-helper.service corrald.service; do
		check "unit $u in /lib/systemd/system" test -f "/lib/systemd/system/$u"
	done
	check "corral-helper.socket enabled (sockets.target.wants)" \
		test -L /etc/systemd/system/sockets.target.wants/corral-helper.socket
	check "corrald.service not enabled" test ! -e /etc/systemd/system/multi-user.target.wants/corrald.service
	check "sysusers.d and tmpfiles.d entries" test -f /usr/lib/sysusers.d/corral.conf -a -f /usr/lib/tmpfiles.d/corral.conf
	local uid shell
	uid=$(getent passwd corral | cut -d: -f3)
	shell=$(getent passwd corral | cut -d: -f7)
	check "system user corral exists (uid $uid < 1000)" test -n "$uid" -a "${uid:-1000}" -lt 1000
	check "its login shell is nologin ($shell)" test "${shell##*/}" = nologin
	check "group corral exists and is its primary group" \
		test "$(id -gn corral 2>/dev/null)" = corral
	check "/run/corral 0755 root:root (systemd-tmpfiles at install)" test "$(mode_of /run/corral)" = "755 root root"
	if /usr/sbin/corral-policy check > "$state/policy-check.out" 2>&1; then
		ok "corral-policy check accepts the default policy"
	else
		not_ok "corral-policy check accepts the default policy"; cat "$state/policy-check.out"
	fi
	finish
}

phase_units() {
	[ -f "$state/files.list" ] || skip "the install phase did not run"
	local u=/lib/systemd/system out
	out=$(systemd-analyze verify "$u/corral-helper.socket" "$u/corral-helper.service" 2>&1)
	check "systemd-analyze verify corral-helper.socket corral-helper.service${out:+: $out}" test -z "$out"
	out=$(systemd-analyze verify "$u/corrald.service" 2>&1)
	check "systemd-analyze verify corrald.service${out:+: $out}" test -z "$out"
	for unit in corral-helper.service corrald.service; do
		out=$(systemd-analyze security --offline=yes --no-pager "$u/$unit" 2>&1 | tail -n 1)
		echo "# $unit: $out"
		check "systemd-analyze security $unit gives an exposure score" grep -q 'exposure level' <<<"$out"
	done
	finish
}

# corrald by hand as the README says: the hub's public key where the
# installed /etc/corral/corrald.conf expects it (/etc/corral/hub.pub),
# corrald started as root (it drops to corral), driven by corralctl --url
# and curl with a minted token; the key removed again afterwards, the
# installed configuration left untouched.
run_corrald() {
	local id k="$state/corrald" cpid url=http://127.0.0.1:8470 out user
	id=$(cat /proc/sys/kernel/random/uuid)
	rm -rf "$k" && mkdir -m 0700 "$k"
	if [ -e /etc/corral/hub.pub ]; then
		not_ok "/etc/corral/hub.pub does not exist before the test"; return
	fi
	cp /etc/corral/corrald.conf "$k/corrald.conf.orig"
	if curl -s -o /dev/null --max-time 2 "$url/"; then
		not_ok "port 8470 (the installed corrald.conf's address) is free"; return
	fi
	check "corralctl token keygen (a development key pair, the hub's stand-in)" \
		/usr/bin/corralctl token keygen --out "$k/hub"
	install -m 0644 -o root -g root "$k/hub.pub" /etc/corral/hub.pub
	/usr/sbin/corrald --config /etc/corral/corrald.conf --log-stderr 2> "$state/corrald.log" &
	cpid=$!
	for _ in $(seq 1 100); do curl -s -o /dev/null "$url/healthz" && break; sleep 0.05; done
	check "the installed corrald answers $url/healthz" curl -sf -o /dev/null "$url/healthz"
	user=$(ps -o user= -p "$cpid" 2>/dev/null)
	check "corrald started as root runs as corral ($user)" test "$user" = corral
	/usr/bin/corralctl token mint --key "$k/hub.key" --project "$id" --aud corral-host \
		--perms create,read,write --ttl 600 > "$k/token"
	check "corralctl token mint" test -s "$k/token"
	check "corralctl --url create $id (through corrald)" \
		/usr/bin/corralctl --url "$url" --token-file "$k/token" create "$id"
	echo "$id" >> "$PROJECT_FILE"
	head -c 300000 /dev/urandom > "$k/upload.bin"
	out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$k/token")" \
		-T "$k/upload.bin" "$url/v1/projects/$id/files/upload.bin")
	check "curl upload (PUT) of 300 kB through corrald: HTTP $out" test "${out:0:1}" = 2
	curl -s -H "Authorization: Bearer $(cat "$k/token")" \
		"$url/v1/projects/$id/files/upload.bin" > "$k/download.bin"
	check "curl download gives the same bytes back" cmp -s "$k/upload.bin" "$k/download.bin"
	out=$(/usr/bin/corralctl --url "$url" --token-file "$k/token" fs "$id" cat upload.bin | sha256sum)
	check "corralctl --url fs cat gives the same bytes" test "$out" = "$(sha256sum < "$k/upload.bin")"
	check "the file is in the project's home, owned by the project's uid" test \
		"$(stat -c %u "/srv/corral/projects/$id/upload.bin" 2>&1)" = "$(stat -c %u "/srv/corral/projects/$id" 2>&1)"
	out=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/projects/$id/files/upload.bin")
	check "no token: 401 ($out)" test "$out" = 401
	kill -TERM "$cpid"
	wait "$cpid" 2>/dev/null
	check "corrald stopped" test ! -e "/proc/$cpid"
	grep -q "event=request .*op=create .*prj=$id .*result=ok" "$state/corrald.log" &&
		ok "corrald audited the create" || not_ok "corrald audited the create"
	grep -q 'event=auth result=deny ' "$state/corrald.log" && ok "corrald audited the refused request" ||
		not_ok "corrald audited the refused request"
	rm -f /etc/corral/hub.pub
	check "the installed corrald.conf is untouched" cmp -s /etc/corral/corrald.conf "$k/corrald.conf.orig"
	rm -rf "$k"
}

phase_run() {
	[ -f "$state/files.list" ] || skip "the install phase did not run"
	command -v setpriv > /dev/null || skip "setpriv (util-linux) not installed"
	local pid id out
	# As the README says, without systemd as PID 1:
	systemd-tmpfiles --create corral.conf
	/usr/sbin/corral-helper --log-stderr 2> "$state/helper.log" &
	pid=$!
	for _ in $(seq 1 100); do [ -S /run/corral/helper.sock ] && break; sleep 0.05; done
	check "the installed helper serves /run/corral/helper.sock" test -S /run/corral/helper.sock
	check "the socket is 0660 root:corral" test "$(mode_of /run/corral/helper.sock)" = "660 root corral"
	check "corralctl ping as root" /usr/bin/corralctl ping
	check "corralctl ping as the corral user" as_corral /usr/bin/corralctl ping
	if setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/corralctl ping > /dev/null 2>&1; then
		not_ok "another user (nobody) cannot reach the socket"
	else
		ok "another user (nobody) cannot reach the socket"
	fi
	id=$(cat /proc/sys/kernel/random/uuid)
	echo "$id" > "$PROJECT_FILE"
	check "corralctl create $id (as corral)" as_corral /usr/bin/corralctl create "$id"
	check "its home is /srv/corral/projects/$id, 0700" test "$(stat -c %a "/srv/corral/projects/$id" 2>&1)" = 700
	echo "hello from the package test" | as_corral /usr/bin/corralctl fs "$id" put notes.txt
	out=$(as_corral /usr/bin/corralctl fs "$id" cat notes.txt 2>&1)
	check "fs put, then fs cat gives it back" test "$out" = "hello from the package test"
	check "fs ls shows it" grep -q notes.txt <(as_corral /usr/bin/corralctl fs "$id" ls)
	# The project lifecycle, with the installed policy, as the corral user
	out=$(as_corral /usr/bin/corralctl start "$id" 2>&1)
	check "corralctl start (as corral) prints the init's pid: $out" grep -Eqx '[0-9]+' <<<"$out"
	out=$(as_corral /usr/bin/corralctl exec "$id" -- sh -c 'id -u; cat /home/user/notes.txt' 2>&1)
	check "corralctl exec runs as the project's uid in its home: $(echo $out)" \
		test "$out" = "$(stat -c %u "/srv/corral/projects/$id")
hello from the package test"
	as_corral /usr/bin/corralctl exec "$id" -- sh -c 'exit 3'
	check "corralctl exec exits with the command's status" test "$?" = 3
	check "corralctl status: running" grep -qx 'running: yes' \
		<(as_corral /usr/bin/corralctl status "$id" 2>&1)
	check "corralctl stop" as_corral /usr/bin/corralctl stop "$id" --grace 1
	check "corralctl status after stop: not running" grep -qx 'running: no' \
		<(as_corral /usr/bin/corralctl status "$id" 2>&1)
	check "after stop no mount names the project" bash -c "! grep -q '$id' /proc/self/mountinfo"
	check "after stop no cgroup of the project is left" \
		bash -c "! ls -d /sys/fs/cgroup/*/corral/$id /sys/fs/cgroup/corral/$id 2>/dev/null | grep -q ."
	run_corrald
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	check "the helper stopped" test ! -e "/proc/$pid"
	grep -q 'op=create .*result=ok' "$state/helper.log" && ok "create was audited" || not_ok "create was audited"

	# Spawn mode, with the exact commands of debian/README.Debian.
	dpkg-statoverride --update --add root corral 4750 /usr/sbin/corral-helper
	check "setuid spawn mode: 4750 root:corral" test "$(mode_of /usr/sbin/corral-helper)" = "4750 root corral"
	check "setuid spawn mode serves the corral user" \
		as_corral /usr/bin/corralctl --spawn /usr/sbin/corral-helper ping
	dpkg-statoverride --remove /usr/sbin/corral-helper
	dpkg-statoverride --update --add root corral 0750 /usr/sbin/corral-helper
	setcap cap_chown,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_net_admin,cap_sys_chroot,cap_sys_ptrace,cap_sys_admin+ep /usr/sbin/corral-helper
	check "file-capability spawn mode serves the corral user" \
		as_corral /usr/bin/corralctl --spawn /usr/sbin/corral-helper ping
	if setpriv --reuid=65534 --regid=65534 --clear-groups test -x /usr/sbin/corral-helper; then
		not_ok "others (nobody) cannot execute the spawn-mode helper"
	else
		ok "others (nobody) cannot execute the spawn-mode helper"
	fi
	# back to service mode
	setcap -r /usr/sbin/corral-helper
	dpkg-statoverride --remove /usr/sbin/corral-helper
	chown root:root /usr/sbin/corral-helper && chmod 0755 /usr/sbin/corral-helper
	check "back to service mode: 0755 root:root, no capability, no override" test \
		"$(mode_of /usr/sbin/corral-helper)|$(getcap /usr/sbin/corral-helper)|$(dpkg-statoverride --list /usr/sbin/corral-helper)" = "755 root root||"
	finish
}

phase_purge() {
	[ -f "$state/before.list" ] || skip "the install phase did not run"
	local id ids gone=1 cg parents
	ids=$(cat "$PROJECT_FILE" 2>/dev/null)
	parents=$(cg_empty_parents)
	if apt-get purge -y -q corral > "$state/apt-purge.log" 2>&1; then
		ok "apt-get purge corral"
	else
		not_ok "apt-get purge corral"; cat "$state/apt-purge.log"
	fi
	check "dpkg no longer knows corral" bash -c "! dpkg-query -W -f='\${Status}' corral 2>/dev/null | grep -q installed"
	while read -r f; do
		[ "$f" = /. ] && continue
		grep -qxF -- "$f" "$state/preexisting.list" && continue
		[ -e "$f" ] || [ -L "$f" ] && { echo "# left behind: $f"; gone=0; }
	done < "$state/files.list"
	check "every file it installed is gone" test $gone = 1
	check "/etc/corral is gone" test ! -e /etc/corral
	check "/run/corral is gone" test ! -e /run/corral
	if [ -n "$parents" ]; then
		for cg in $parents; do
			check "the helper's empty parent cgroup is gone: $cg" test ! -e "$cg"
		done
	else
		echo "# no empty 'corral' parent cgroup before the purge: nothing to check"
	fi
	check "the socket unit is no longer enabled" test ! -L /etc/systemd/system/sockets.target.wants/corral-helper.socket
	for id in $ids; do
		check "project data stays (home_root is never purged): $id" test -d "/srv/corral/projects/$id"
	done
	check "the corral user stays (Debian keeps system users)" getent passwd corral

	# The test's own leftovers: the project it created, home_root if the
	# helper made it for this test (with its .exec directory, empty once
	# no project runs), the user and group if it was new.
	for id in $ids; do rm -rf --one-file-system "/srv/corral/projects/$id"; done
	if [ ! -e "$state/had-srv" ]; then
		rmdir /srv/corral/projects/.exec /srv/corral/projects /srv/corral 2>/dev/null
	fi
	[ -e "$state/had-user" ] || userdel corral
	[ -e "$state/had-group" ] || { getent group corral > /dev/null && groupdel corral; }
	for f in passwd group shadow gshadow subuid subgid; do
		[ -e "$state/had-backup-$f" ] || rm -f "/etc/$f-"
	done
	snapshot > "$state/after.list"
	if diff "$state/before.list" "$state/after.list" > "$state/diff.out"; then
		ok "the machine's files are as before the install"
	else
		not_ok "the machine's files are as before the install"; cat "$state/diff.out"
	fi
	finish
}

case "$phase" in
install|units|run|purge) "phase_$phase" ;;
*) echo "usage: $0 install|units|run|purge DEB STATE" >&2; exit 2 ;;
esac
