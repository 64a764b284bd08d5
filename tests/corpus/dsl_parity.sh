#!/bin/sh
# dsl_parity.sh: the .nomos language lowers to the same bundles as YAML.
# 1. every upstream example corpus/conformance/upstream/policies/NAME.yaml has a
#    twin corpus/dsl/upstream/NAME.nomos with the same `nomosc hash`;
# 2. every stdlib-policies/NAME.yaml has a NAME.nomos twin with the same hash
#    (so does every upstream .json example);
# 3. convert round trips (YAML -> nomos -> YAML/JSON -> nomos) keep the hash,
#    and every twin is already in the canonical layout (`nomosc fmt --check`);
# 4. the docs/language.md examples; 5. the fmt and convert command lines.
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
for j in corpus/conformance/upstream/policies/*.json; do
	twin="corpus/dsl/upstream/$(basename "$j" .json).nomos"
	if [ -f "$twin" ]; then same_hash "upstream json twin" "$j" "$twin"
	else bad "no twin $twin for $j"; fi
	round_trip "$j"
done

n_std=0
for y in stdlib-policies/*.yaml; do
	[ -f "$y" ] || continue
	round_trip "$y"
	twin="${y%.yaml}.nomos"
	if [ ! -f "$twin" ]; then bad "stdlib policy $y has no .nomos twin"; continue; fi
	n_std=$((n_std + 1))
	same_hash "stdlib twin" "$y" "$twin"
done
[ "$n_std" -gt 0 ] || bad "no stdlib policies found"
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

# 5. the fmt and convert command lines: --check shows the diff that makes
#    the file formatted (the one diff -u prints) and exits 1; plain fmt prints
#    the canonical text; -w rewrites in place and keeps the file's mode; a
#    syntax error exits 1, a usage error 2; convert refuses to write JSON that
#    would hash differently.
src=corpus/dsl/valid/every-construct.nomos
messy="$tmp/messy.nomos"
# the same bundle, unformatted: extra blanks, no newline at the end
sed -e '/^#/!s/ as / as   /' -e 's/^allow/allow  /' "$src" |
	awk 'NR > 1 { print prev } { prev = $0 } END { printf "%s", prev }' >"$messy"
chmod 640 "$messy"
"$NOMOSC" fmt --check "$messy" >"$tmp/check.out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ]; then ok; else bad "fmt --check on an unformatted file: exit $rc, want 1"; fi
diff -u "$messy" "$src" | tail -n +3 >"$tmp/diff.want"
tail -n +3 "$tmp/check.out" >"$tmp/diff.got"
if [ -s "$tmp/diff.want" ] && cmp -s "$tmp/diff.want" "$tmp/diff.got" &&
	[ "$(head -n 2 "$tmp/check.out")" = "--- $messy
+++ $messy (formatted)" ]; then ok
else bad "fmt --check diff differs from diff -u:"; diff "$tmp/diff.want" "$tmp/diff.got" | head -20; fi
if "$NOMOSC" fmt "$messy" >"$tmp/fmt.out" 2>"$tmp/err" && cmp -s "$tmp/fmt.out" "$src"; then ok
else bad "fmt $messy does not print the canonical text"; fi
same_hash "fmt keeps the bundle" "$messy" "$src"
if "$NOMOSC" fmt -w "$messy" 2>"$tmp/err" && cmp -s "$messy" "$src" &&
	[ "$(stat -c %a "$messy")" = 640 ]; then ok
else bad "fmt -w: file not rewritten to the canonical text, or its mode changed ($(stat -c %a "$messy"))"; fi
if "$NOMOSC" fmt --check "$messy" >"$tmp/check.out" 2>&1 && [ ! -s "$tmp/check.out" ]; then ok
else bad "fmt --check after -w: exit $?, output $(cat "$tmp/check.out")"; fi
"$NOMOSC" fmt corpus/dsl/invalid/missing-as.nomos >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "error: expected 'as'" "$tmp/err"; then ok
else bad "fmt on a syntax error: exit $rc, want 1 with the diagnostic"; fi
"$NOMOSC" fmt --check -w "$src" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then ok; else bad "fmt --check -w: exit $rc, want 2"; fi
# convert's write errors are named with their cause, and leave nothing behind
"$NOMOSC" convert -o "$tmp/no/such/dir/x.nomos" corpus/conformance/upstream/policies/safe.yaml 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^nomosc: cannot write .*/x.nomos: No such file or directory" "$tmp/err"; then ok
else bad "convert -o into a missing directory: exit $rc:"; cat "$tmp/err"; fi
if [ -w /dev/full ]; then
	"$NOMOSC" convert corpus/conformance/upstream/policies/safe.yaml >/dev/full 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "^nomosc: cannot write standard output: No space left on device" "$tmp/err"; then ok
	else bad "convert to a full stdout: exit $rc:"; cat "$tmp/err"; fi
fi
# a YAML or JSON bundle is named as such, not parsed as the language
for y in corpus/conformance/upstream/policies/safe.yaml corpus/conformance/upstream/policies/safe.json; do
	cp "$y" "$tmp/before"
	"$NOMOSC" fmt -w "$y" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "^$y: error: nomosc fmt formats .nomos files; this is a \(YAML\|JSON\) bundle ('nomosc convert $y'" "$tmp/err" &&
		cmp -s "$y" "$tmp/before"; then ok
	else bad "fmt on $y: exit $rc, want 1 naming the format:"; cat "$tmp/err"; fi
done
printf 'version: v1\nrules:\n  - id: r\n    action_type: fs.read\n    resource: "file://w/**"\n    decision: ALLOW\n    obligations: {big: 12345678901234567890}\n' >"$tmp/big.yaml"
rm -f "$tmp/big.json"
"$NOMOSC" convert -o "$tmp/big.json" "$tmp/big.yaml" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -f "$tmp/big.json" ] &&
	grep -q "big.yaml:7:24: error: 12345678901234567890 cannot be written as JSON" "$tmp/err"; then ok
else bad "convert of a big integer to JSON: exit $rc, want 1 and no output:"; cat "$tmp/err"; fi
for to in nomos yaml; do
	if "$NOMOSC" convert --to $to -o "$tmp/big.$to" "$tmp/big.yaml" 2>"$tmp/err"; then
		same_hash "big integer to $to" "$tmp/big.yaml" "$tmp/big.$to"
	else bad "convert of a big integer to $to: $(cat "$tmp/err")"; fi
done

echo "dsl_parity: $pass passed, $fail failed ($n_up upstream twins, $n_std stdlib twins, $n_doc doc examples)"
[ "$fail" -eq 0 ]
