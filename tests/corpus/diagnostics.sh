#!/bin/sh
# Golden diagnostics: for every invalid bundle corpus/diagnostics/NAME.{yaml,json},
# `nomosc check` must print exactly NAME.expected on stderr (NO_COLOR, relative
# paths) and exit 1 (0 when the expected output holds only warnings).
# Environment: NOMOSC (default build/nomosc), B (scratch directory).
set -u
NOMOSC=${NOMOSC:-build/nomosc}
tmp=${B:-build}/diagnostics.out
pass=0; fail=0
for f in corpus/diagnostics/*.yaml corpus/diagnostics/*.json; do
	[ -f "$f" ] || continue
	want="${f%.*}.expected"
	if [ ! -f "$want" ]; then
		echo "FAIL $f: no $want"; fail=$((fail + 1)); continue
	fi
	NO_COLOR=1 "$NOMOSC" check "$f" >/dev/null 2>"$tmp"
	rc=$?
	if grep -q ': error: ' "$want"; then want_rc=1; else want_rc=0; fi
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $f: exit $rc, want $want_rc"; fail=$((fail + 1)); continue
	fi
	if ! cmp -s "$tmp" "$want"; then
		echo "FAIL $f: stderr differs"; diff "$want" "$tmp" | head -20
		fail=$((fail + 1)); continue
	fi
	pass=$((pass + 1))
done
[ "$pass" -ge 20 ] || { echo "FAIL: only $pass diagnostics cases (want >= 20)"; fail=$((fail + 1)); }
echo "diagnostics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
