#!/bin/bash
# Benchmark of file operations through the helper, with its references
# (bare echo server, direct syscalls), in a temporary world like the
# integration tests': temporary policy, home root, socket and uid range.
#
#   bench/run-bench.sh [BUILDDIR]       (or: make bench, in a build dir)
#
# Needs root (the helper runs as root).  BUILDDIR defaults to _build-bench
# in the source tree, configured and built if needed.  Environment:
# CORRAL_BENCH_SECONDS (per case, default 2), CORRAL_BENCH_CLIENTS
# (default 1,2), CORRAL_BENCH_OPS (default stat,mkdir,write,rename),
# CORRAL_BENCH_PIN=1 (client i and its server process on CPU i),
# CORRAL_BENCH_ROUNDS (rounds per row, 1-9, default 3),
# CORRAL_BENCH_STRICT=1 (exit 1 when a target is missed).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(mkdir -p "${1:-$top/_build-bench}" && cd "${1:-$top/_build-bench}" && pwd)
seconds=${CORRAL_BENCH_SECONDS:-2}
clients=${CORRAL_BENCH_CLIENTS:-1,2}

. "$top/bench/lib.sh"
bench_need_root run-bench.sh
bench_build run-bench.sh helper/corral-helper frontend/corralctl bench/bench-fsops

export top_srcdir="$top" top_builddir="$build"
. "$top/tests/integration/lib.sh"
make_world
log=${CORRAL_BENCH_AUDIT_LOG:-$T/helper.log}
start_helper "$log" || { echo "run-bench.sh: the helper did not start" >&2; exit 2; }

project=be7c0000-0000-4000-8000-000000000001
echo "# corral-helper $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) CPUs, $(uname -r), $seconds s per case"
opts=()
[ "${CORRAL_BENCH_STRICT:-0}" = 1 ] && opts+=(--strict)
[ "${CORRAL_BENCH_PIN:-0}" = 1 ] && opts+=(--pin "$HELPER_PID")
[ -n "${CORRAL_BENCH_ROUNDS:-}" ] && opts+=(--rounds "$CORRAL_BENCH_ROUNDS")
"$build/bench/bench-fsops" --socket "$SOCK" --project "$project" \
	--home "$T/homes/$project" --dir "$T/run" --seconds "$seconds" \
	--clients "$clients" --ops "${CORRAL_BENCH_OPS:-stat,mkdir,write,rename}" \
	"${opts[@]}"
bench_exit run-bench.sh "$log" $?
