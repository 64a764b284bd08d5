#!/bin/sh
# dsl_diagnostics.sh: golden diagnostics of the .nomos front end. For each
# corpus/dsl/invalid/NAME.nomos, `NO_COLOR=1 nomosc check` must exit 1 and
# print exactly corpus/dsl/invalid/NAME.expected on stderr (GCC shape, caret).
# Run from the repository root. Environment: NOMOSC (default build/nomosc), B.
set -u
NOMOSC=${NOMOSC:-build/nomosc}
B=${B:-build}
tmp="$B/dsl_diagnostics.tmp"
rm -rf "$tmp"; mkdir -p "$tmp"
pass=0; fail=0; n=0
for src in corpus/dsl/invalid/*.nomos; do
	n=$((n + 1))
	exp="${src%.nomos}.expected"
	if [ ! -f "$exp" ]; then
		fail=$((fail + 1)); echo "FAIL $src: no $exp"; continue
	fi
	NO_COLOR=1 "$NOMOSC" check "$src" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		fail=$((fail + 1)); echo "FAIL $src: exit status $rc, want 1"; cat "$tmp/err"; continue
	fi
	if cmp -s "$exp" "$tmp/err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL $src: diagnostics differ"; diff "$exp" "$tmp/err"
	fi
done
[ "$n" -ge 25 ] || { fail=$((fail + 1)); echo "FAIL: only $n invalid sources (want >= 25)"; }
echo "dsl_diagnostics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
