#!/bin/sh
# Runs each libFuzzer target for FUZZ_SECONDS on its seed corpus
# (corpus/fuzz/NAME/ and the seeds the build made in $B/seeds/NAME/) with a
# fresh working copy; any crash, leak or hang fails.
set -u
secs=${FUZZ_SECONDS:-60}
fail=0; pass=0
for f in "$@"; do
	name=$(basename "$f")
	work="build/fuzz/work/$name"; rm -rf "$work"; mkdir -p "$work"
	for d in "corpus/fuzz/$name" "${B:-build}/seeds/$name"; do # seeds in git, seeds built
		[ -d "$d" ] && cp -r "$d/." "$work/"
	done
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="build/fuzz/$name-" "$work" >"build/fuzz/$name.log" 2>&1; then
		pass=$((pass + 1)); echo "PASS $name: $(grep -E '^Done|stat::number_of_executed_units' "build/fuzz/$name.log" | tail -n 1)"
	else
		fail=$((fail + 1)); echo "FAIL $name"; tail -n 40 "build/fuzz/$name.log"
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
