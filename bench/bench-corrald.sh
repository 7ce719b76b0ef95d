#!/bin/bash
# Benchmark of corrald: GET of a small file and fs/stat through the HTTP
# API, driven by wrk, next to the helper's own stat throughput measured
# by bench-fsops in the same run (same machine, same helper, same home).
#
#   bench/bench-corrald.sh [BUILDDIR]     (make bench runs it too)
#
# Needs root (the helper runs as root; corrald drops to nobody) and wrk
# (apt-get install wrk).  Environment: CORRAL_BENCH_SECONDS (per case,
# default 5), CORRAL_BENCH_CONNECTIONS (wrk connections, default 1,16),
# CORRAL_BENCH_THREADS (corrald threads, default 2).
#
# The HTTP figures include what the helper figure does not: TCP, HTTP
# parsing, JSON, the Ed25519 signature check of the token on every
# request, and the response.  "vs helper" is the ratio of corrald's stat
# requests per second to the helper's stat operations per second with
# as many clients as wrk has threads.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(mkdir -p "${1:-$top/_build-bench}" && cd "${1:-$top/_build-bench}" && pwd)
seconds=${CORRAL_BENCH_SECONDS:-5}
conns=${CORRAL_BENCH_CONNECTIONS:-1,16}
threads=${CORRAL_BENCH_THREADS:-2}

. "$top/bench/lib.sh"
bench_need_root bench-corrald.sh
if ! command -v wrk > /dev/null; then
	echo "bench-corrald.sh: SKIP: wrk is not installed (apt-get install wrk)" >&2
	exit 77
fi
bench_build bench-corrald.sh helper/corral-helper frontend/corrald \
	frontend/corralctl bench/bench-fsops

export top_srcdir="$top" top_builddir="$build"
. "$top/tests/integration/lib.sh"
make_world
start_helper "$T/helper.log" || { echo "bench-corrald.sh: the helper did not start" >&2; exit 2; }

CTL="$T/bin/corralctl"
"$CTL" token keygen --out "$T/hub" && chmod 0644 "$T/hub.pub"
port=$((30000 + $$ % 20000))
cat > "$T/corrald.conf" <<EOC
[listen]
address = 127.0.0.1:$port
[auth]
host_id = bench-host
public_keys = $T/hub.pub
[helper]
socket = $SOCK
[limits]
threads = $threads
connections_per_ip = 4096
connections = 4096
rate_per_token = 1000000
burst_per_token = 1000000
rate_per_address = 1000000
burst_per_address = 1000000
[daemon]
user = nobody
EOC
"$build/frontend/corrald" --config "$T/corrald.conf" 2> "$T/corrald.log" &
CORRALD_PID=$!
PIDS="$PIDS $CORRALD_PID"
U="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -s -o /dev/null "$U/healthz" && break; sleep 0.05; done

project=be7c0000-0000-4000-8000-0000000000c0
tok=$("$CTL" token mint --key "$T/hub.key" --project "$project" --aud bench-host \
	--perms create,read,write --ttl 3600)
curl -s -o /dev/null -X PUT -H "Authorization: Bearer $tok" "$U/v1/projects/$project"
head -c 1024 /dev/urandom > "$T/small"
curl -s -o /dev/null -H "Authorization: Bearer $tok" -T "$T/small" \
	"$U/v1/projects/$project/files/small.bin"
cmp -s "$T/small" "$T/homes/$project/small.bin" ||
	{ echo "bench-corrald.sh: setup upload failed" >&2; cat "$T/corrald.log" >&2; exit 2; }

cat > "$T/stat.lua" <<'EOL'
wrk.method = "POST"
wrk.body = '{"path":"small.bin"}'
wrk.headers["Content-Type"] = "application/json"
EOL

# run_wrk CONNS URL [SCRIPT]: "req/s p50 p90 p99 errors" (latencies in us)
run_wrk() {
	local c="$1" url="$2" script="${3:-}" out
	local t=$(( c < 2 ? 1 : 2 ))
	out=$(wrk -t"$t" -c"$c" -d"${seconds}s" --latency \
		-H "Authorization: Bearer $tok" ${script:+-s "$script"} "$url" 2>&1)
	echo "$out" > "$T/wrk-last.txt"
	awk '
	function us(v) {
		if (v ~ /us$/) { sub(/us$/, "", v); return v + 0 }
		if (v ~ /ms$/) { sub(/ms$/, "", v); return v * 1000 }
		if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000000 }
		return v + 0
	}
	/^ +50%/ { p50 = us($2) } /^ +90%/ { p90 = us($2) } /^ +99%/ { p99 = us($2) }
	/^Requests\/sec:/ { rps = $2 }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { bad += 1 }
	END { printf "%.0f %.0f %.0f %.0f %d\n", rps, p50, p90, p99, bad }' <<< "$out"
}

# the helper's own figure, same run: bench-fsops stat with 1 and 2 clients
"$build/bench/bench-fsops" --socket "$SOCK" --project "$project" \
	--home "$T/homes/$project" --dir "$T/run" --seconds 2 --clients 1,2 \
	--ops stat > "$T/fsops.txt" 2>&1 ||
	{ echo "bench-corrald.sh: bench-fsops failed" >&2; cat "$T/fsops.txt" >&2; exit 2; }
helper1=$(awk '$1 == "stat" && $2 == 1 {print $3}' "$T/fsops.txt")
helper2=$(awk '$1 == "stat" && $2 == 2 {print $3}' "$T/fsops.txt")

echo "# corrald $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) CPUs, $(uname -r), wrk ${seconds}s per case, corrald threads=$threads"
echo "# helper direct (bench-fsops, same run): stat ${helper1} ops/s with 1 client, ${helper2} ops/s with 2"
printf "%-14s %5s %9s %8s %8s %8s %6s %9s\n" case conns "req/s" "p50 us" "p90 us" "p99 us" errors "vs helper"
rc=0
IFS=, read -r -a clist <<< "$conns"
for c in "${clist[@]}"; do
	for case in get-small stat; do
		if [ "$case" = stat ]; then
			set -- $(run_wrk "$c" "$U/v1/projects/$project/fs/stat" "$T/stat.lua")
		else
			set -- $(run_wrk "$c" "$U/v1/projects/$project/files/small.bin")
		fi
		ref=$helper2; [ "$c" = 1 ] && ref=$helper1
		ratio=$(awk -v a="$1" -v b="$ref" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		printf "%-14s %5s %9s %8s %8s %8s %6s %9s\n" "$case" "$c" "$1" "$2" "$3" "$4" "$5" "$ratio"
		if [ "${1:-0}" = 0 ] || [ "${5:-0}" != 0 ]; then
			echo "bench-corrald.sh: $case failed or had errors; wrk said:" >&2
			cat "$T/wrk-last.txt" >&2
			rc=1
		fi
	done
done
echo "# vs helper: corrald req/s over the helper's direct stat ops/s (1 client for 1 connection, else 2)"
exit $rc
