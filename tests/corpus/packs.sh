#!/bin/sh
# packs.sh: the starter policy packs (stdlib-policies/) against their decision
# tables (corpus/packs/NAME.tests.jsonl). For each pack: build the image, run
# its table, check the .nomos twin (when present) hashes like the YAML, then
# layer baseline under it: no duplicate ids, and every DENY of the pack stays
# DENY (baseline only adds deny rules). Run by `make test` with B, NOMOSC,
# NOMOS_VM; prints one summary line last; exits 1 on any failure.
set -u
B=${B:-build}
NOMOSC=${NOMOSC:-$B/nomosc}
NOMOS_VM=${NOMOS_VM:-$B/nomos-vm}
OUT=$B/packs
MIN_CASES=10
mkdir -p "$OUT"

packs=0; checks=0; failed=0; cases=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { checks=$((checks + 1)); }

# Runs one table against one image; adds its case count on success.
run_table() { # image table label
	if log=$("$NOMOS_VM" test -i "$1" "$2" 2>&1); then
		pass; n=$(grep -c . "$2"); cases=$((cases + n))
	else
		fail "$3: nomos-vm test -i $1 $2"; printf '%s\n' "$log" | tail -n 40
	fi
}

for src in stdlib-policies/*.yaml; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .yaml)
	table=corpus/packs/$name.tests.jsonl
	packs=$((packs + 1))

	if [ ! -f "$table" ]; then
		fail "$name: no decision table $table"; continue
	fi
	n=$(grep -c . "$table")
	if [ "$n" -lt "$MIN_CASES" ]; then
		fail "$name: $table has $n cases, at least $MIN_CASES required"
	fi

	if ! log=$("$NOMOSC" build "$src" -o "$OUT/$name.nbc" 2>&1); then
		fail "$name: nomosc build $src"; printf '%s\n' "$log"; continue
	fi
	pass
	run_table "$OUT/$name.nbc" "$table" "$name"

	# The DSL twin must describe the same bundle: same policy_bundle_hash.
	twin=stdlib-policies/$name.nomos
	if [ -f "$twin" ]; then
		if hy=$("$NOMOSC" hash "$src" 2>&1) && hn=$("$NOMOSC" hash "$twin" 2>&1) &&
			[ -n "$hy" ] && [ "$hy" = "$hn" ]; then
			pass
		else
			fail "$name: nomosc hash differs: $src [$hy] vs $twin [$hn]"
		fi
	fi

	[ "$name" = baseline ] && continue
	# Layered under baseline: the build rejects duplicate rule ids across
	# layers, and since baseline only denies, the pack's DENY cases must
	# still be DENY (matched ids may grow, so only the decision is checked).
	img="$OUT/baseline+$name.nbc"
	if ! log=$("$NOMOSC" build stdlib-policies/baseline.yaml "$src" -o "$img" 2>&1); then
		fail "baseline+$name: nomosc build"; printf '%s\n' "$log"; continue
	fi
	pass
	denies="$OUT/baseline+$name.denies.jsonl"
	grep '"decision": "DENY"' "$table" |
		sed -e 's/, "matched_rule_ids": \[[^]]*\]//' -e 's/, "reason_code": "[a-z_]*"//' >"$denies"
	if [ -s "$denies" ]; then
		run_table "$img" "$denies" "baseline+$name"
	fi
done

# The directory holds every pack twice (.nomos and .yaml): built whole, each
# twin pair is one error naming both files, not one per shared rule id.
rm -f "$OUT/all.nbc"
"$NOMOSC" build stdlib-policies/ -o "$OUT/all.nbc" >/dev/null 2>"$OUT/all.err"
rc=$?
n_twins=$(grep -c ': error: stdlib-policies/[a-z-]*\.yaml is the same bundle as stdlib-policies/[a-z-]*\.nomos ' "$OUT/all.err")
if [ "$rc" -eq 1 ] && [ "$n_twins" -eq "$packs" ] && ! grep -q 'duplicate rule id' "$OUT/all.err" &&
	[ ! -e "$OUT/all.nbc" ]; then pass
else fail "build stdlib-policies/: exit $rc, $n_twins twin errors for $packs packs"; head -n 5 "$OUT/all.err"; fi
# --role names the INPUT after it: a trailing or doubled --role is a usage error
for args in "stdlib-policies/baseline.yaml --role repo" "--role org --role repo stdlib-policies/baseline.yaml"; do
	rm -f "$OUT/role.nbc"
	# shellcheck disable=SC2086
	"$NOMOSC" build $args -o "$OUT/role.nbc" >/dev/null 2>"$OUT/role.err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- '--role' "$OUT/role.err" && [ ! -e "$OUT/role.nbc" ]; then pass
	else fail "build $args: exit $rc, want 2"; cat "$OUT/role.err"; fi
done
if "$NOMOSC" build --role baseline stdlib-policies/baseline.yaml --role repo stdlib-policies/ci-agent.yaml \
	-o "$OUT/role.nbc" >/dev/null 2>&1; then pass; else fail "build with a --role per layer"; fi

if [ "$packs" -lt 8 ]; then
	fail "only $packs packs in stdlib-policies/, at least 8 expected"
fi
echo "packs: $packs packs, $cases cases, $checks checks passed, $failed failed"
[ "$failed" -eq 0 ]
