#!/bin/sh
# make demo: compile the shipped safe policy, evaluate the quickstart actions, explain one.
set -eu
NOMOSC=$1 VM=$2 B=$3
echo "nomos demo: the main job on the shipped safe policy pack"
echo "\$ nomosc build stdlib-policies/safe-coding-agent.yaml -o $B/bundle.nbc"
"$NOMOSC" build stdlib-policies/safe-coding-agent.yaml -o "$B/bundle.nbc"
for a in corpus/quickstart/allow-readme.json corpus/quickstart/deny-env.json; do
	echo "\$ nomos-vm eval -i $B/bundle.nbc $a"
	"$VM" eval -i "$B/bundle.nbc" "$a"
done
echo "\$ nomos-vm explain -i $B/bundle.nbc corpus/quickstart/deny-env.json"
"$VM" explain -i "$B/bundle.nbc" corpus/quickstart/deny-env.json
