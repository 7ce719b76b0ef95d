#!/bin/sh
# Print one plain "N passed, N failed, N skipped" line from automake's
# .trs files (every Check case counts, every integration script counts),
# and list what failed.  Usage: summary.sh BUILDDIR...
pass=0 fail=0 skip=0
for dir in "$@"; do
	for trs in $(find "$dir" -name '*.trs' 2>/dev/null | sort); do
		while read -r key res _; do
			[ "$key" = ":test-result:" ] || continue
			case "$res" in
			PASS|XFAIL) pass=$((pass + 1)) ;;
			SKIP) skip=$((skip + 1)); echo "skipped: ${trs%.trs}" ;;
			*) fail=$((fail + 1)); echo "FAILED: ${trs%.trs} ($res)" ;;
			esac
		done < "$trs"
	done
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
