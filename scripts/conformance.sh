#!/usr/bin/env bash
# Runs the conformance corpus (../shared/conformance) against a freshly built tickc
# and fails when a case listed in testdata/conformance/passing.txt no longer passes.
#
#   scripts/conformance.sh            check for regressions
#   scripts/conformance.sh -update    rewrite the list of passing cases
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${TICKC_CONFORMANCE:-$root/../shared/conformance}
list=$root/testdata/conformance/passing.txt
if [ ! -d "$corpus/cases" ]; then
	echo "conformance: corpus not found at $corpus, skipped"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tickc" "$root/cmd/tickc"
(cd "$corpus" && GOFLAGS= go run ./runner -cases cases -tickc "$work/tickc" -j "${JOBS:-2}" -timeout 60s) >"$work/out" 2>&1 || true
grep -E '^(PASS|FAIL|ERROR) ' "$work/out" >"$work/lines" || true
awk '$1 == "PASS" {print $2}' "$work/lines" | sort >"$work/passed"
pass=$(wc -l <"$work/passed")
total=$(wc -l <"$work/lines")
echo "conformance corpus — $pass of $total cases pass"
if [ "${1:-}" = "-update" ]; then
	mkdir -p "$(dirname "$list")"
	cp "$work/passed" "$list"
	echo "conformance: wrote $list"
	exit 0
fi
touch "$work/expected"
[ -f "$list" ] && sort "$list" >"$work/expected"
regressed=$(comm -23 "$work/expected" "$work/passed")
if [ -n "$regressed" ]; then
	echo "conformance: cases that passed before and fail now:"
	for c in $regressed; do grep -E "^(FAIL|ERROR) $c(:| |$)" "$work/lines" || echo "MISSING $c"; done
	exit 1
fi
new=$(comm -13 "$work/expected" "$work/passed" | wc -l)
[ "$new" -gt 0 ] && echo "conformance: $new more cases pass than listed; run scripts/conformance.sh -update"
exit 0
