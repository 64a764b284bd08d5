#!/bin/sh
# Golden diagnostics: for every invalid bundle corpus/diagnostics/NAME.{yaml,json},
# `nomosc check` must print exactly NAME.expected on stderr (NO_COLOR, relative
# paths) and exit 1 (0 when the expected output holds only warnings). Then a
# nomos secret key file must be refused without being quoted.
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
# A secret signing key given as a bundle (any extension) is named, never quoted:
# a CI log must not show it. Every command that reads a policy file goes
# through the same check (fmt once read the file itself and quoted the key in
# its syntax error); fmt -w must leave the key as it is. The key is made here,
# so none is committed.
keydir=${B:-build}/diagnostics.keys
rm -rf "$keydir" && mkdir -p "$keydir"
if "$NOMOSC" keygen "$keydir/ci" >/dev/null 2>&1; then
	secret=$(cut -d' ' -f3 "$keydir/ci.key")
	cp "$keydir/ci.key" "$keydir/ci.yaml"
	cp "$keydir/ci.key" "$keydir/ci.nomos"
	cp "$keydir/ci.key" "$keydir/ci.json"
	for f in "$keydir/ci.key" "$keydir/ci.yaml" "$keydir/ci.nomos" "$keydir/ci.json"; do
		for cmd in check "check --format json" hash "build -o $keydir/out.nbc" convert \
			"convert --to json" "convert --to yaml" fmt "fmt --check" "fmt -w"; do
			# shellcheck disable=SC2086 # cmd holds the command and its options
			NO_COLOR=1 "$NOMOSC" $cmd "$f" >"$tmp.stdout" 2>"$tmp"
			rc=$?
			want="$f: error: $f is a nomos secret signing key, not a policy bundle (its contents are not shown) [-Wio]"
			[ "$cmd" = "check --format json" ] && want=""
			if [ "$rc" -ne 1 ] || [ "$(cat "$tmp")" != "$want" ] ||
				grep -qF "$secret" "$tmp" "$tmp.stdout" || ! cmp -s "$f" "$keydir/ci.key" ||
				[ -e "$keydir/out.nbc" ]; then
				echo "FAIL nomosc $cmd $f (secret key): exit $rc"; cat "$tmp"
				fail=$((fail + 1))
			else
				pass=$((pass + 1))
			fi
		done
	done
	rm -f "$tmp.stdout"
else
	echo "FAIL nomosc keygen"; fail=$((fail + 1))
fi
rm -rf "$keydir"
[ "$pass" -ge 20 ] || { echo "FAIL: only $pass diagnostics cases (want >= 20)"; fail=$((fail + 1)); }
echo "diagnostics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
