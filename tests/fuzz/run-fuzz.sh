#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build one libFuzzer target with ASan and UBSan and run it for a while on a
# scratch copy of its seed corpus (the corpus in the tree is never touched).
#
#   usage: run-fuzz.sh TARGET SECONDS SRCDIR BUILDDIR
#     TARGET    frame | policy | jwt  (tests/fuzz/fuzz_TARGET.c)
#     SRCDIR    top of the source tree
#     BUILDDIR  top of a configured build tree (for config.h)
#
# Exit status: 0 no crash, 1 crash, leak or build failure, 2 usage,
# 77 clang with libFuzzer is not available (automake's SKIP).
# A crashing input is kept as BUILDDIR/tests/fuzz/crash-* (or leak-*,
# timeout-*), next to the fuzzer binary BUILDDIR/tests/fuzz/fuzz_TARGET;
# replay with: BUILDDIR/tests/fuzz/fuzz_TARGET BUILDDIR/tests/fuzz/crash-...
set -u

usage() {
	echo "usage: $0 TARGET SECONDS SRCDIR BUILDDIR" >&2
	exit 2
}

[ $# -eq 4 ] || usage
target=$1
seconds=$2
srcdir=$3
builddir=$4
case $seconds in '' | *[!0-9]*) usage ;; esac
case $target in '' | *[!a-z0-9_]*) usage ;; esac

# Sources linked into each target, relative to SRCDIR.  Globs are expanded
# there; files that define main() (the corral-policy tool) are left out.
# TARGET_OPTIONS are extra libFuzzer options: frames may be as long as the
# protocol allows, so that the length limits themselves get fuzzed.
# shellcheck disable=SC2034 # read through eval below
{
	frame_SOURCES="common/proto.c"
	frame_OPTIONS="-max_len=65552"
	policy_SOURCES="policy/*.c common/sha256.c"
	policy_OPTIONS=""
	jwt_SOURCES="frontend/cd_jwt.c frontend/cd_limit.c frontend/cd_mint.c"
	jwt_OPTIONS="-max_len=8192"
	jwt_LIBS="-ljansson -lsodium -lpthread"
}

sources=""
options=""
libs=""
eval "sources=\${${target}_SOURCES-}"
eval "options=\${${target}_OPTIONS-}"
eval "libs=\${${target}_LIBS-}"
harness="tests/fuzz/fuzz_$target.c"
if [ -z "$sources" ] || [ ! -f "$srcdir/$harness" ]; then
	echo "run-fuzz.sh: unknown target '$target'" >&2
	exit 2
fi
if [ ! -f "$builddir/config.h" ]; then
	echo "run-fuzz.sh: $builddir/config.h missing: run configure there" >&2
	exit 2
fi

cc=${FUZZ_CC:-clang}
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined"
flags="$flags -fno-sanitize-recover=all"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corral-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Probe: can this compiler build and link a libFuzzer target at all?
cat >"$tmp/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	return (int)(n && d[0] == 0);
}
EOF
# shellcheck disable=SC2086 # $flags is a list
if ! command -v "$cc" >/dev/null 2>&1 ||
	! $cc $flags -o "$tmp/probe" "$tmp/probe.c" >/dev/null 2>&1; then
	echo "SKIP: clang with libFuzzer not available"
	exit 77
fi

# Expand the globs inside SRCDIR (never in the current directory: hence
# set -f while splitting), drop files with a main().
files=""
set -f
for pattern in $sources; do
	set +f
	for f in "$srcdir"/$pattern; do
		[ -f "$f" ] || continue
		if grep -Eq '^(int[[:space:]]+)?main[[:space:]]*\(' "$f"; then
			continue
		fi
		files="$files $f"
	done
	set -f
done
set +f

mkdir -p "$builddir/tests/fuzz" || exit 1
bin="$builddir/tests/fuzz/fuzz_$target"
echo "run-fuzz.sh: building $target from$files"
# shellcheck disable=SC2086 # word splitting of $flags and $files wanted
if ! $cc $flags -I "$srcdir" -I "$builddir" -o "$bin" \
	"$srcdir/$harness" $files $libs; then
	echo "run-fuzz.sh: build of fuzz_$target failed" >&2
	exit 1
fi

mkdir -p "$tmp/corpus"
if [ -d "$srcdir/tests/fuzz/corpus/$target" ]; then
	cp -R "$srcdir/tests/fuzz/corpus/$target/." "$tmp/corpus/"
fi

echo "run-fuzz.sh: running fuzz_$target for ${seconds}s"
# shellcheck disable=SC2086 # $options is a list
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 $options \
	-artifact_prefix="$builddir/tests/fuzz/" "$tmp/corpus" \
	>"$tmp/log" 2>&1
rc=$?
tail -n 25 "$tmp/log"
# libFuzzer reports a crash with exit status 77 by default, which automake
# would take for SKIP: every failure becomes 1.
if [ $rc -ne 0 ]; then
	echo "FAIL: fuzz_$target exited with status $rc; input kept in" \
		"$builddir/tests/fuzz/" >&2
	exit 1
fi
echo "PASS: fuzz_$target ran ${seconds}s without a crash"
exit 0
