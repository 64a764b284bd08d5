#!/bin/sh
# cli_edges.sh: the command-line tools at their I/O edges, in a temporary
# directory: standard output that cannot be written (a full device, closed, a
# reader gone away with SIGPIPE ignored), inputs that cannot be read (a
# directory, a closed standard input). Every failure must be one precise line
# on stderr and the documented exit status (docs/cli.md), never a claimed
# success. Run by `make test` with B, NOMOSC, NOMOS_VM; one summary line last.
set -u
B=${B:-build}
NOMOSC=${NOMOSC:-$B/nomosc}
NOMOS_VM=${NOMOS_VM:-$B/nomos-vm}
case $NOMOSC in /*) ;; *) NOMOSC=$(pwd)/$NOMOSC ;; esac
case $NOMOS_VM in /*) ;; *) NOMOS_VM=$(pwd)/$NOMOS_VM ;; esac
ROOT=$(pwd)
SAFE=$ROOT/corpus/conformance/upstream/policies/safe.yaml
ACTION=$ROOT/corpus/quickstart/deny-env.json
unset NOMOS_TRUST NOMOS_STATE NOMOS_IMAGE
NOMOS_ALLOW_UNSIGNED=1
export NOMOS_ALLOW_UNSIGNED
T=$(mktemp -d "${TMPDIR:-/tmp}/nomos-cli-edges.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

checks=0; failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
ok() { checks=$((checks + 1)); }

# expect STATUS PATTERN LABEL -- CMD...: exit status and a pattern in stdout+stderr.
expect() {
	want=$1 pat=$2 label=$3; shift 4
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$label: exit $rc, want $want: $*"; printf '%s\n' "$out" | tail -n 5
	elif [ -n "$pat" ] && ! printf '%s\n' "$out" | grep -q -- "$pat"; then
		fail "$label: output lacks '$pat': $*"; printf '%s\n' "$out" | tail -n 5
	else
		ok
	fi
}

# Standard output to a full device, closed, or into a pipe nobody reads
# (SIGPIPE ignored, as under many supervisors).
to_full() { "$@" >/dev/full; }
to_closed() { "$@" >&-; }
to_gone() {
	(trap '' PIPE; { "$@"; echo $? > gone.rc; } | head -n 1 >/dev/null)
	return "$(cat gone.rc)"
}
# At most 20 s: a check that would hang fails instead.
limit() { if command -v timeout >/dev/null 2>&1; then timeout 20 "$@"; else "$@"; fi; }

"$NOMOSC" build "$SAFE" -o bundle.nbc 2>/dev/null || fail "build bundle.nbc"
tr -d '\n' < "$ACTION" > action.line
line=$(cat action.line)
i=0
while [ $i -lt 2000 ]; do printf '%s\n' "$line"; i=$((i + 1)); done > big.jsonl
mkdir dir
printf 'allow fs.read  "file://workspace/**"   as r1\n' > ugly.nomos

# ---- standard output cannot be written: exit 1 and why, never 0 ----
if [ -c /dev/full ]; then
	full="cannot write standard output: No space left on device"
	expect 1 "nomos-vm: $full" "eval >/dev/full" -- to_full "$NOMOS_VM" eval "$ACTION"
	expect 1 "nomos-vm: $full" "eval --exit-code >/dev/full" -- \
		to_full "$NOMOS_VM" eval --exit-code "$ACTION"
	expect 1 "nomos-vm: $full" "eval --jsonl >/dev/full" -- \
		to_full "$NOMOS_VM" eval --jsonl big.jsonl
	expect 1 "nomos-vm: $full" "explain >/dev/full" -- to_full "$NOMOS_VM" explain "$ACTION"
	expect 1 "nomos-vm: $full" "inspect >/dev/full" -- to_full "$NOMOS_VM" inspect
	expect 1 "nomos-vm: $full" "disasm >/dev/full" -- to_full "$NOMOS_VM" disasm
	expect 1 "nomos-vm: $full" "verify >/dev/full" -- to_full "$NOMOS_VM" verify
	expect 1 "nomos-vm: $full" "nomos-vm --help >/dev/full" -- to_full "$NOMOS_VM" --help
	expect 1 "nomosc: $full" "nomosc --version >/dev/full" -- to_full "$NOMOSC" --version
	expect 1 "nomosc: $full" "hash >/dev/full" -- to_full "$NOMOSC" hash "$SAFE"
	expect 1 "nomosc: $full" "check --format json >/dev/full" -- \
		to_full "$NOMOSC" check --format json "$SAFE"
	expect 1 "nomosc: $full" "fmt >/dev/full" -- to_full "$NOMOSC" fmt ugly.nomos
	expect 1 "nomosc: $full" "convert >/dev/full" -- to_full "$NOMOSC" convert "$SAFE"
	expect 1 "nomosc: $full" "build --report >/dev/full" -- \
		to_full "$NOMOSC" build --report -o r.nbc "$SAFE"
	expect 1 "nomosc: $full" "keygen >/dev/full" -- to_full "$NOMOSC" keygen k
fi
closed="cannot write standard output: Bad file descriptor"
expect 1 "nomos-vm: $closed" "eval >&-" -- to_closed "$NOMOS_VM" eval "$ACTION"
expect 1 "nomos-vm: $closed" "eval --jsonl >&-" -- to_closed "$NOMOS_VM" eval --jsonl big.jsonl
expect 1 "nomosc: $closed" "hash >&-" -- to_closed "$NOMOSC" hash "$SAFE"
# the reader went away (SIGPIPE ignored): said so, exit 1
expect 1 "nomos-vm: cannot write standard output: Broken pipe" "eval --jsonl | head -1" -- \
	to_gone "$NOMOS_VM" eval --jsonl big.jsonl

echo "cli_edges: $checks checks passed, $failed failed"
[ "$failed" -eq 0 ]
