#!/bin/sh
# rpm/build-on-debian.sh TARBALL OUTDIR [RPMBUILD-ARGS...]: build the
# binary .rpm from a release tarball (make dist) with Debian's rpm.
# --nodeps: the build dependencies are Debian packages, not rpm ones;
# macros.debian stands in for systemd-rpm-macros.  Extra arguments go to
# rpmbuild (e.g. --with spawn, --without check).
set -eu
tarball=$(realpath "$1") out=$(realpath "$2")
shift 2
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES" "$out"
cp "$tarball" "$work/SOURCES/"
rpmbuild -bb --nodeps --load "$here/macros.debian" \
	--define "_topdir $work" --define "_rpmdir $out" \
	--define "_build_id_links none" \
	"$@" "$here/corral.spec"
