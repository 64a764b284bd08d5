#!/bin/sh
# readme.sh: the README's quickstart and examples say what the tools print.
# Runs each shown command (hash, build, the two quickstart decisions, explain's
# verdict, the pack table, the layered build) and requires its output line to
# appear verbatim in README.md, so the README cannot drift from the tools.
# Run by `make test` with B, NOMOSC, NOMOS_VM; one summary line last.
set -u
B=${B:-build}
NOMOSC=${NOMOSC:-$B/nomosc}
NOMOS_VM=${NOMOS_VM:-$B/nomos-vm}
OUT=$B/readme
mkdir -p "$OUT"
SAFE=corpus/conformance/upstream/policies/safe.yaml
checks=0; failed=0

# Requires every line of $1 (command output) to be a line of README.md.
shown() { # label output
	printf '%s\n' "$2" | while IFS= read -r line; do
		[ -n "$line" ] || continue
		grep -qxF -- "$line" README.md || { echo "FAIL $1: README.md lacks: $line"; exit 1; }
	done && checks=$((checks + 1)) || failed=$((failed + 1))
}

shown "hash" "$("$NOMOSC" hash "$SAFE")"
# the build line, with the image name the README uses
out=$("$NOMOSC" build "$SAFE" -o "$OUT/bundle.nbc" 2>&1 | sed "s|$OUT/||")
shown "build" "$out"
for a in allow-readme deny-env; do
	shown "eval $a" "$("$NOMOS_VM" eval --allow-unsigned -i "$OUT/bundle.nbc" corpus/quickstart/$a.json)"
done
shown "explain verdict" "$("$NOMOS_VM" explain --allow-unsigned -i "$OUT/bundle.nbc" \
	corpus/quickstart/deny-env.json | sed -n '/^decision:/,$p')"
"$NOMOSC" build stdlib-policies/safe-coding-agent.yaml -o "$OUT/coding.nbc" 2>/dev/null
shown "pack table" "  $("$NOMOS_VM" test --allow-unsigned -i "$OUT/coding.nbc" \
	corpus/packs/safe-coding-agent.tests.jsonl)"
out=$("$NOMOSC" build --role baseline stdlib-policies/baseline.yaml \
	--role repo stdlib-policies/safe-coding-agent.yaml -o "$OUT/layered.nbc" 2>&1 | sed "s|$OUT/||")
shown "layered build" "  $out"

echo "readme: $checks checks passed, $failed failed"
[ "$failed" -eq 0 ]
