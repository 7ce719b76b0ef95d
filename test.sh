#!/bin/bash
# The whole test suite, from a fresh clone, on Debian 12, as root:
#   ./test.sh
# Installs what it needs (apt-get), builds with warnings as errors, runs the
# unit and integration tests, again under AddressSanitizer+UBSan, the fuzz
# targets for a bounded time, the man page lint, and make distcheck; then
# builds the .deb and the .rpm from a clean clone, runs lintian, installs
# the .deb, verifies its systemd units, runs the installed helper, and
# purges it again (tests/pkg/deb-install.sh).  The last line is
# "N passed, N failed, N skipped".
#
# Environment: CORRAL_FUZZ_SECONDS (default 60 per target),
# CORRAL_SKIP_DISTCHECK=1 to leave out the slowest stage while iterating.
set -u
cd "$(dirname "$0")"
top=$(pwd)
fuzz_seconds=${CORRAL_FUZZ_SECONDS:-60}
jobs=$(nproc 2>/dev/null || echo 2)

packages="build-essential autoconf automake autoconf-archive pkg-config
  libcap-dev libseccomp-dev libnl-3-dev libnl-route-3-dev check libsubunit-dev
  clang libclang-rt-14-dev mandoc util-linux systemd xz-utils
  git dpkg-dev debhelper fakeroot lintian rpm libcap2-bin passwd
  libmicrohttpd-dev libjansson-dev libsodium-dev curl iproute2"

install_deps() {
	local missing=""
	for p in $packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "test.sh: missing packages:$missing (run as root to install them)" >&2
		return 1
	fi
	echo "test.sh: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing
}

passed=0 failed=0 skipped=0
failures=""
logs="$top/_build-logs"

# stage NAME COMMAND...: one counted step, its output in _build-logs/NAME.log
stage() {
	local name="$1"; shift
	echo "== $name"
	"$@" > "$logs/$name.log" 2>&1
	local rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "   ok" ;;
	77) skipped=$((skipped + 1)); echo "   skipped: $(grep -m1 SKIP "$logs/$name.log")" ;;
	*) failed=$((failed + 1)); failures="$failures $name"
	   echo "   FAILED (exit $rc), last lines of $logs/$name.log:"
	   tail -n 40 "$logs/$name.log" | sed 's/^/   | /' ;;
	esac
	return $rc
}

# Tests counted case by case from automake's .trs files.
count_trs() {
	local dir="$1" line
	while read -r line; do
		case "$line" in
		*" passed, "*) set -- $line
		   passed=$((passed + $1)); failed=$((failed + $3)); skipped=$((skipped + $5)) ;;
		FAILED:*) echo "   $line"; failures="$failures $(basename "${line#FAILED: }")" ;;
		esac
	done < <(sh "$top/tests/summary.sh" "$dir")
}

build() { # build DIR CONFIGURE-ARGS...
	local dir="$1"; shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" &&
		"$top/configure" --enable-werror "$@" && make -j"$jobs"
}

# run_checks NAME DIR: make check there, then count every case from the
# .trs files; a make failure that left no failed case behind (a test
# program that did not build) counts as one failure of its own.
run_checks() {
	local name="$1" dir="$2" before=$failed rc
	echo "== $name"
	(cd "$dir" && make -j"$jobs" check) > "$logs/$name.log" 2>&1
	rc=$?
	count_trs "$dir/tests"
	if [ $rc != 0 ] && [ "$failed" = "$before" ]; then
		failed=$((failed + 1)); failures="$failures $name"
		echo "   FAILED: make check exited $rc; last lines of $logs/$name.log:"
		tail -n 40 "$logs/$name.log" | sed 's/^/   | /'
	fi
}

lint_man() {
	local rc=0
	for m in "$top"/man/*.[1-8]; do
		out=$(mandoc -Tlint -Wwarning "$m" 2>&1) || rc=1
		[ -n "$out" ] && { echo "$out"; rc=1; }
	done
	return $rc
}

fuzz() { sh "$top/tests/fuzz/run-fuzz.sh" "$1" "$fuzz_seconds" "$top" "$top/_build"; }

distcheck() { cd "$top/_build" && make -j"$jobs" distcheck; }

# Packages, from a clean clone of the committed tree (what CI checks out).
pkg="$top/_build-pkg"
clean_clone() { # clean_clone DIR
	git -C "$top" rev-parse --verify -q HEAD > /dev/null ||
		{ echo "SKIP: $top is not a git checkout"; return 77; }
	rm -rf "$1" && git clone -q --no-checkout "$top" "$1" &&
		git -C "$1" checkout -q --detach "$(git -C "$top" rev-parse HEAD)"
}
build_deb() {
	rm -rf "$pkg/deb" && mkdir -p "$pkg/deb" && clean_clone "$pkg/deb/corral" &&
	cd "$pkg/deb/corral" &&
	# the test suite ran above, twice; the package build only builds
	DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b &&
	ls "$pkg"/deb/corral_*_*.deb
}
run_lintian() {
	# warnings count as failures too: each one is fixed or overridden
	# with its reason in debian/corral.lintian-overrides
	lintian --fail-on error,warning --pedantic -I --show-overrides \
		"$pkg"/deb/corral_*.changes
}
build_rpm() {
	local v b rc
	rm -rf "$pkg/rpm" && mkdir -p "$pkg/rpm" || return 1
	clean_clone "$pkg/rpm/corral" || { rc=$?; return $rc; }
	cd "$pkg/rpm/corral" || return 1
	# one version everywhere
	v=$(sed -n 's/^AC_INIT(\[corral\], \[\([^]]*\)\].*/\1/p' configure.ac)
	grep -q "^Version: *$v\$" rpm/corral.spec &&
		head -1 debian/changelog | grep -q "^corral ($v)" ||
		{ echo "version $v of configure.ac not in rpm/corral.spec and debian/changelog"; return 1; }
	autoreconf -fi && mkdir b && cd b && ../configure -q && make dist &&
	for b in "" spawn; do
		sh ../rpm/build-on-debian.sh "corral-$v.tar.xz" "$pkg/rpm/out${b:+-$b}" \
			--without check ${b:+--with $b} || return 1
	done
	# service mode by default; spawn mode: exactly the helper's capabilities
	rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' \
		"$pkg"/rpm/out/*/corral-*.rpm | grep ' /usr/sbin/corral-helper$' |
		grep -q '^-rwxr-xr-x root:root' &&
	rpm -qp --filecaps "$pkg"/rpm/out-spawn/*/corral-*.rpm |
		grep -q "^/usr/sbin/corral-helper.*cap_chown,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_net_admin,cap_sys_chroot,cap_sys_ptrace,cap_sys_admin=ep" &&
	rpm -qp --configfiles "$pkg"/rpm/out/*/corral-*.rpm | grep -qx /etc/corral/corral.conf &&
	rpm -qp --configfiles "$pkg"/rpm/out/*/corral-*.rpm | grep -qx /etc/corral/corrald.conf &&
	rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' \
		"$pkg"/rpm/out/*/corral-*.rpm | grep -qx -e '-rwxr-xr-x root:root /usr/sbin/corrald' &&
	rpm -qp --scripts "$pkg"/rpm/out/*/corral-*.rpm | grep -q 'systemctl.*corral-helper.socket'
}
deb_phase() { bash "$top/tests/pkg/deb-install.sh" "$1" "$(ls "$pkg"/deb/corral_*_*.deb)" "$pkg/state"; }

# The helper makes "corral", the parent of every project's cgroup (v2, or
# each v1 hierarchy it uses), and keeps it, as systemd keeps a slice.  The
# tests remove their projects' cgroups; the parents this run made are
# removed at the end (rmdir: only if empty), those there before are not
# (but the .deb's purge removes every empty one, as its postrm says).
cg_parents() {
	local d
	for d in /sys/fs/cgroup/corral /sys/fs/cgroup/{pids,memory,cpu,cpuacct}/corral; do
		[ -d "$d" ] && realpath "$d"
	done | sort -u
}
cg_tidy() {
	local d
	for d in $(cg_parents); do
		grep -qxF "$d" <<<"$cg_before" && continue
		rmdir "$d" 2>/dev/null ||
			echo "== note: $d was made by this run and is not empty: left in place"
	done
}
cg_before=$(cg_parents)

install_deps || exit 1
mkdir -p "$logs"
stage bootstrap autoreconf -fi || { echo "0 passed, 1 failed"; exit 1; }
if stage build build "$top/_build"; then
	run_checks tests "$top/_build"
	stage fuzz-frame fuzz frame
	stage fuzz-policy fuzz policy
	stage fuzz-jwt fuzz jwt
	if [ "${CORRAL_SKIP_DISTCHECK:-0}" = 1 ]; then
		echo "== distcheck: left out (CORRAL_SKIP_DISTCHECK=1)"
	else
		stage distcheck distcheck
	fi
fi
if stage build-sanitizers build "$top/_build-asan" --enable-sanitizers CFLAGS="-O1 -g"; then
	run_checks tests-sanitizers "$top/_build-asan"
fi
stage man-lint lint_man
if stage deb-build build_deb; then
	stage deb-lintian run_lintian
	if stage deb-install deb_phase install; then
		stage deb-units deb_phase units
		stage deb-run deb_phase run
	fi
	# purges whatever an install left, even a failed one
	stage deb-purge deb_phase purge
fi
stage rpm-build build_rpm
cg_tidy

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
