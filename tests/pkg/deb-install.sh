#!/bin/bash
# tests/pkg/deb-install.sh PHASE DEB STATE: the .deb on this machine, in
# four phases that test.sh counts as steps of their own:
#   install  apt-get install ./corral_*.deb; files, modes, conffiles, user
#   units    systemd-analyze verify on the installed units; exposure scores
#   run      the installed helper started by hand as the README says,
#            corralctl as root and as the corral user; spawn mode with the
#            exact commands of README.Debian, then undone
#   purge    apt-get purge; everything the package installed is gone and
#            nothing else changed; then the test's own leftovers (the
#            corral user and group if it made them, the project it
#            created) are removed, so the machine is as it was found
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
	if [ ! -x /usr/sbin/corrald ]; then
		# corrald is not built yet (frontend/): only its absence may show.
		out=$(grep -v -e "Command /usr/sbin/corrald is not executable" \
			-e "Command 'man corrald(8)' failed" <<<"$out")
		echo "# corrald is not packaged yet: its missing binary and man page are expected"
	fi
	check "systemd-analyze verify corrald.service${out:+: $out}" test -z "$out"
	for unit in corral-helper.service corrald.service; do
		out=$(systemd-analyze security --offline=yes --no-pager "$u/$unit" 2>&1 | tail -n 1)
		echo "# $unit: $out"
		check "systemd-analyze security $unit gives an exposure score" grep -q 'exposure level' <<<"$out"
	done
	finish
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
	# LIFECYCLE: once start/exec/stop are merged, add here:
	#   as_corral corralctl start "$id"; corralctl exec "$id" -- /bin/true;
	#   corralctl status "$id"; corralctl stop "$id"; and check that no
	#   process, mount or cgroup of the project is left.
	# CORRALD: once corrald is packaged, start it as the README says
	#   (setpriv --reuid=corral ... /usr/sbin/corrald --config
	#   /etc/corral/corrald.conf) and drive the same steps over HTTP.
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
	local id gone=1
	id=$(cat "$PROJECT_FILE" 2>/dev/null)
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
	check "the socket unit is no longer enabled" test ! -L /etc/systemd/system/sockets.target.wants/corral-helper.socket
	if [ -n "$id" ]; then
		check "project data stays (home_root is never purged)" test -d "/srv/corral/projects/$id"
	fi
	check "the corral user stays (Debian keeps system users)" getent passwd corral

	# The test's own leftovers: the project it created, home_root if the
	# helper made it for this test, the user and group if it was new.
	[ -n "$id" ] && rm -rf --one-file-system "/srv/corral/projects/$id"
	if [ ! -e "$state/had-srv" ]; then
		rmdir /srv/corral/projects /srv/corral 2>/dev/null
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
