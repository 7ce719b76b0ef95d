#!/bin/bash
# Benchmark of the project lifecycle (start->exit of /bin/true, exec into a
# running project) next to bubblewrap in the same run, in a temporary world
# like the integration tests': temporary policy, home root, socket and uid
# range (tests/integration/life-lib.sh).
#
#   bench/run-bench-life.sh [BUILDDIR]      (or: make bench-life, in a build dir)
#
# Needs root and bwrap (Debian: bubblewrap).  BUILDDIR defaults to
# _build-bench in the source tree, configured and built if needed.
# Environment: CORRAL_BENCH_RUNS (default 30), CORRAL_BENCH_STRICT=1 (exit
# 1 when a target is missed), CORRAL_BENCH_AUDIT_LOG (the helper's log and
# audit lines; default a file of the temporary world, removed with it).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(mkdir -p "${1:-$top/_build-bench}" && cd "${1:-$top/_build-bench}" && pwd)

log=${CORRAL_BENCH_AUDIT_LOG:-}

. "$top/bench/lib.sh"
bench_need_root run-bench-life.sh
BWRAP=$(command -v bwrap) || {
	echo "run-bench-life.sh: bwrap not found (apt-get install bubblewrap)" >&2
	exit 77
}
bench_build run-bench-life.sh helper/corral-helper frontend/corralctl \
	tests/helpers/sandbox-probe bench/bench-life

export top_srcdir="$top" top_builddir="$build"
. "$top/tests/integration/lib.sh"
. "$top/tests/integration/life-lib.sh"
LIFE_MEMORY=512M LIFE_PIDS=1024 LIFE_TMP_SIZE=64M
life_world
log=${log:-$T/helper.log}
start_helper "$log" || { echo "run-bench-life.sh: the helper did not start" >&2; exit 2; }
new_project || { echo "run-bench-life.sh: create failed" >&2; exit 2; }
X=$P
new_project || { echo "run-bench-life.sh: create failed" >&2; exit 2; }

echo "# corral-helper $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) CPUs, $(uname -r), $("$BWRAP" --version)"
opts=()
[ "${CORRAL_BENCH_STRICT:-0}" = 1 ] && opts+=(--strict)
"$build/bench/bench-life" --socket "$SOCK" --project "$P" --exec-project "$X" --home "$HR/$P" \
	--uid "$PU" --runs "${CORRAL_BENCH_RUNS:-30}" --bwrap "$BWRAP" "${opts[@]}"
bench_exit run-bench-life.sh "$log" $?
