# bench/lib.sh: what the benchmark scripts share.  Sourced with $top (the
# source tree) and $build (the build directory) set.

# bench_need_root NAME: the helper runs as root; without it, SKIP (77).
bench_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "$1: needs root (the helper runs as root)" >&2
		exit 77
	fi
}

# bench_build NAME TARGET...: configure $build if it is not yet, then
# build the targets; exit 2 on failure.
bench_build() {
	local name=$1
	shift
	if [ ! -f "$build/Makefile" ]; then
		(cd "$build" && "$top/configure" --enable-werror > configure.log) ||
			{ echo "$name: configure failed, see $build/configure.log" >&2; exit 2; }
	fi
	make -s -C "$build" -j"$(nproc)" "$@" ||
		{ echo "$name: build failed" >&2; exit 2; }
}

# bench_exit NAME LOG RC: exit with RC, or with 2 when LOG shows that a
# helper process crashed (the figures of such a run mean nothing).
bench_exit() {
	local pat='killed by signal|AddressSanitizer|runtime error'

	if [ -f "$2" ] && grep -Eq "$pat" "$2"; then
		echo "$1: a helper process crashed, see below" >&2
		grep -E "$pat" "$2" >&2
		exit 2
	fi
	exit "$3"
}
