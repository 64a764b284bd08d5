#!/bin/sh
# dsl_parity.sh: the .nomos language lowers to the same bundles as YAML.
# 1. every upstream example corpus/conformance/upstream/policies/NAME.yaml has a
#    twin corpus/dsl/upstream/NAME.nomos with the same `nomosc hash`;
# 2. every stdlib-policies/NAME.yaml with a NAME.nomos twin hashes the same;
# 3. convert round trips (YAML -> nomos -> YAML/JSON -> nomos) keep the hash,
#    and every twin is already in the canonical layout (`nomosc fmt --check`).
# Environment: NOMOSC (default build/nomosc), B (build dir for scratch files).
set -u
NOMOSC=${NOMOSC:-build/nomosc}
B=${B:-build}
tmp="$B/dsl_parity.tmp"
rm -rf "$tmp"; mkdir -p "$tmp"
pass=0; fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

same_hash() { # label file-a file-b
	ha=$("$NOMOSC" hash "$2" 2>"$tmp/err") || { bad "$1: hash $2: $(cat "$tmp/err")"; return; }
	hb=$("$NOMOSC" hash "$3" 2>"$tmp/err") || { bad "$1: hash $3: $(cat "$tmp/err")"; return; }
	if [ -n "$ha" ] && [ "$ha" = "$hb" ]; then ok; else bad "$1: $2 ($ha) != $3 ($hb)"; fi
}

round_trip() { # file
	name=$(basename "$1")
	"$NOMOSC" convert --to nomos -o "$tmp/$name.1.nomos" "$1" 2>"$tmp/err" \
		|| { bad "convert $1 to nomos: $(cat "$tmp/err")"; return; }
	same_hash "yaml->nomos" "$1" "$tmp/$name.1.nomos"
	for to in yaml json; do
		"$NOMOSC" convert --to $to -o "$tmp/$name.2.$to" "$tmp/$name.1.nomos" 2>"$tmp/err" \
			|| { bad "convert $name to $to: $(cat "$tmp/err")"; continue; }
		same_hash "nomos->$to" "$1" "$tmp/$name.2.$to"
		"$NOMOSC" convert --to nomos -o "$tmp/$name.3.nomos" "$tmp/$name.2.$to" 2>"$tmp/err" \
			|| { bad "convert $name.$to back: $(cat "$tmp/err")"; continue; }
		if cmp -s "$tmp/$name.1.nomos" "$tmp/$name.3.nomos"; then ok
		else bad "$name: nomos -> $to -> nomos is not the same text"; fi
	done
}

n_up=0
for y in corpus/conformance/upstream/policies/*.yaml; do
	n_up=$((n_up + 1))
	twin="corpus/dsl/upstream/$(basename "$y" .yaml).nomos"
	if [ ! -f "$twin" ]; then bad "no twin $twin for $y"; continue; fi
	same_hash "upstream twin" "$y" "$twin"
	if "$NOMOSC" fmt --check "$twin" >"$tmp/diff" 2>&1; then ok
	else bad "$twin is not formatted:"; cat "$tmp/diff"; fi
	round_trip "$y"
done
[ "$n_up" -gt 0 ] || bad "no upstream examples found"
for j in corpus/conformance/upstream/policies/*.json; do round_trip "$j"; done

n_std=0
for y in stdlib-policies/*.yaml; do
	[ -f "$y" ] || continue
	round_trip "$y"
	twin="${y%.yaml}.nomos"
	[ -f "$twin" ] || continue
	n_std=$((n_std + 1))
	same_hash "stdlib twin" "$y" "$twin"
done
for n in stdlib-policies/*.nomos corpus/dsl/valid/*.nomos; do
	[ -f "$n" ] || continue
	round_trip "$n"
	if "$NOMOSC" fmt --check "$n" >"$tmp/diff" 2>&1; then ok
	else bad "$n is not formatted:"; cat "$tmp/diff"; fi
done

# 4. every ```nomos example in docs/language.md loads, validates and is formatted.
n_doc=0
if [ -f docs/language.md ]; then
	awk -v dir="$tmp" '
		/^```nomos$/ { n++; f = sprintf("%s/doc-%02d.nomos", dir, n); inb = 1; next }
		/^```/ { inb = 0; next }
		inb { print > f }
	' docs/language.md
	for d in "$tmp"/doc-*.nomos; do
		[ -f "$d" ] || continue
		n_doc=$((n_doc + 1))
		if "$NOMOSC" check "$d" >/dev/null 2>"$tmp/err"; then ok
		else bad "docs/language.md example $(basename "$d"):"; cat "$tmp/err"; fi
		if "$NOMOSC" fmt --check "$d" >"$tmp/diff" 2>&1; then ok
		else bad "docs/language.md example $(basename "$d") is not formatted:"; cat "$tmp/diff"; fi
	done
	[ "$n_doc" -gt 0 ] || bad "no nomos examples found in docs/language.md"
fi

echo "dsl_parity: $pass passed, $fail failed ($n_up upstream twins, $n_std stdlib twins, $n_doc doc examples)"
[ "$fail" -eq 0 ]
