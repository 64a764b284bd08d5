#!/bin/sh
# Runs every cmocka unit binary given as arguments (a fuzz target's replay
# binary, $B/replay/NAME, runs over corpus/fuzz/NAME and the seeds the build
# made in $B/seeds/NAME, those that exist), then every corpus runner in
# tests/corpus/*.sh, and prints one closing line "N passed, N failed".
# Environment: B (build dir), NOMOSC, NOMOS_VM.
set -u
pass=0; fail=0; failed=""
for t in "$@"; do
	# a fuzz target replays its seed corpus
	seeds=""
	case "$t" in */replay/*)
		for d in "corpus/fuzz/$(basename "$t")" "$B/seeds/$(basename "$t")"; do
			[ -d "$d" ] && seeds="$seeds $d"
		done ;;
	esac
	if "$t" $seeds >"$t.log" 2>&1; then
		pass=$((pass + 1)); echo "PASS $t"
	else
		fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t"; tail -n 30 "$t.log"
	fi
done
# Corpus runners evaluate unsigned images built on the fly; signing.sh unsets
# this to check that unsigned images are refused by default (docs/signing.md).
NOMOS_ALLOW_UNSIGNED=1
export NOMOS_ALLOW_UNSIGNED
for s in tests/corpus/*.sh; do
	[ -f "$s" ] || continue
	log="$B/$(basename "$s" .sh).log"
	if sh "$s" >"$log" 2>&1; then
		pass=$((pass + 1)); echo "PASS $s ($(tail -n 1 "$log"))"
	else
		fail=$((fail + 1)); failed="$failed $s"; echo "FAIL $s"; tail -n 30 "$log"
	fi
done
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
