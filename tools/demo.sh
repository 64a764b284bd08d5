#!/bin/sh
# make demo: the main job on the shipped safe policy: create a signing key,
# compile and sign, then evaluate and explain under a trust file (docs/signing.md).
set -eu
NOMOSC=$1 VM=$2 B=$3
D=$B/demo
rm -rf "$D" && mkdir -p "$D"
echo "nomos demo: the main job on the shipped safe policy pack"
echo "\$ nomosc keygen $D/ci            # once; the secret stays in CI"
"$NOMOSC" keygen "$D/ci" >/dev/null
echo "\$ cat $D/ci.pub > $D/trust.txt   # shipped to every node"
cat "$D/ci.pub" > "$D/trust.txt"
echo "\$ nomosc build stdlib-policies/safe-coding-agent.yaml --revision 1 --sign $D/ci.key -o $D/bundle.nbc"
"$NOMOSC" build stdlib-policies/safe-coding-agent.yaml --revision 1 --sign "$D/ci.key" -o "$D/bundle.nbc"
echo "\$ nomos-vm verify -i $D/bundle.nbc --trust $D/trust.txt --state $D/state"
"$VM" verify -i "$D/bundle.nbc" --trust "$D/trust.txt" --state "$D/state"
for a in corpus/quickstart/allow-readme.json corpus/quickstart/deny-env.json; do
	echo "\$ nomos-vm eval -i $D/bundle.nbc --trust $D/trust.txt $a"
	"$VM" eval -i "$D/bundle.nbc" --trust "$D/trust.txt" "$a"
done
echo "\$ nomos-vm explain -i $D/bundle.nbc --trust $D/trust.txt corpus/quickstart/deny-env.json"
"$VM" explain -i "$D/bundle.nbc" --trust "$D/trust.txt" corpus/quickstart/deny-env.json
