#!/bin/sh
# `nomosc hash` against corpus/conformance/bundle_hashes.jsonl: every file entry
# and every merged set (inline sources are covered by tests/unit/test_frontend.c),
# plus `--canonical` of safe.yaml against safe.canonical.json byte for byte.
# Entries our stricter rules reject on purpose must fail with their message,
# and give upstream's hash with --compat.
# Environment: NOMOSC (default build/nomosc), B (scratch directory).
set -u
NOMOSC=${NOMOSC:-build/nomosc}
C=corpus/conformance
tmp=${B:-build}/bundle_hashes.out
pass=0; fail=0

# bundle -> expected rejection message (docs/nomos-compat.md)
rejection() {
	case "$1" in
	bundles/risk-and-identity.json) echo 'rule deny-backslash resource contains a backslash' ;;
	*) echo '' ;;
	esac
}

check() { # name, expected hash, args...
	name=$1; want=$2; shift 2
	got=$("$NOMOSC" hash "$@" 2>"$tmp")
	if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
		echo "FAIL $name: got '$got' want $want"; cat "$tmp"; fail=$((fail + 1)); fi
}

while IFS= read -r line; do
	h=$(printf '%s\n' "$line" | sed -n 's/.*"policy_bundle_hash": *"\([0-9a-f]*\)".*/\1/p')
	case "$line" in
	'{"merged"'*)
		paths=$(printf '%s\n' "$line" | sed -n 's/.*"merged": *\[\([^]]*\)\].*/\1/p' | tr -d '",')
		set --; for p in $paths; do set -- "$@" "$C/$p"; done
		check "merged $paths" "$h" "$@" ;;
	'{"bundle": "inline:'*) ;;
	*)
		b=$(printf '%s\n' "$line" | sed -n 's/^{"bundle": *"\([^"]*\)".*/\1/p')
		msg=$(rejection "$b")
		if [ -n "$msg" ]; then
			if "$NOMOSC" hash "$C/$b" >/dev/null 2>"$tmp"; then
				echo "FAIL $b: accepted, want rejection"; fail=$((fail + 1))
			elif grep -qF "$msg" "$tmp"; then pass=$((pass + 1))
			else echo "FAIL $b: want '$msg'"; cat "$tmp"; fail=$((fail + 1)); fi
			# --compat applies upstream's meaning: upstream's hash
			check "$b --compat" "$h" --compat "$C/$b"
		else
			check "$b" "$h" "$C/$b"
		fi ;;
	esac
done < "$C/bundle_hashes.jsonl"

check safe.yaml 7ec7bd2481d8cb07eed2c21c21563a62e6fe6277ae8333d1cbf9c01bd8b0bafb "$C/upstream/policies/safe.yaml"
if "$NOMOSC" hash --canonical "$C/upstream/policies/safe.yaml" > "$tmp" &&
	printf '%s\n' "$(cat "$C/safe.canonical.json")" | cmp -s - "$tmp"; then
	pass=$((pass + 1))
else
	echo "FAIL safe.yaml --canonical differs from safe.canonical.json"; fail=$((fail + 1))
fi
[ "$pass" -ge 19 ] || { echo "FAIL: only $pass checks ran (want 19)"; fail=$((fail + 1)); }
echo "bundle_hashes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
