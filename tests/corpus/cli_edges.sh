#!/bin/sh
# cli_edges.sh: the command-line tools at their I/O edges, in a temporary
# directory: standard output that cannot be written (a full device, closed, a
# reader gone away with SIGPIPE ignored), inputs that cannot be read (a
# directory, a closed standard input, a test table, a broken directory),
# --jsonl streams (blank and CRLF lines, a caller waiting for each decision),
# outputs (devices, the build's own inputs, read-only files), images that
# cannot be used (named; a FIFO is not waited on). Every failure must be one
# precise line on stderr and the documented exit status (docs/cli.md), never
# a claimed success.
# Run by `make test` with B, NOMOSC, NOMOS_VM; one summary line last.
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

# fail, ok, expect and the $checks / $failed counts
. "$ROOT/tests/support/expect.sh"

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
# --format names the bad value, for every command that has it
for c in inspect verify explain; do
	expect 2 "nomos-vm $c: --format is text or json, not 'xml'" "$c --format xml" -- \
		"$NOMOS_VM" $c -i bundle.nbc --format xml "$ACTION"
	expect 2 "nomos-vm $c: --format needs a value" "$c --format" -- "$NOMOS_VM" $c -i bundle.nbc --format
done
expect 0 '"verdict":"ok"' "verify --format=json" -- "$NOMOS_VM" verify -i bundle.nbc --format=json
# --exit-code tells one decision; with a stream it would say nothing
expect 2 "exit-code is for a single action" "eval --jsonl --exit-code" -- \
	"$NOMOS_VM" eval --jsonl --exit-code big.jsonl
# the reader went away (SIGPIPE ignored): the stream stops at once, says so, exits 1
expect 1 "nomos-vm: cannot write standard output: Broken pipe" "eval --jsonl | head -1" -- \
	to_gone "$NOMOS_VM" eval --jsonl big.jsonl
expect 0 "" "endless stream into a closed pipe stops" -- \
	limit sh -c 'yes "$1" | (trap "" PIPE; "$2" eval --jsonl 2>/dev/null) | head -n 1 >/dev/null' \
	_ "$line" "$NOMOS_VM"

# ---- eval --jsonl: inputs that cannot be read are errors, not empty streams ----
expect 1 "^nomos-vm: cannot read dir: Is a directory$" "eval --jsonl DIR" -- \
	"$NOMOS_VM" eval --jsonl dir
expect 1 "^nomos-vm: cannot read standard input: Is a directory$" "eval --jsonl < DIR" -- \
	sh -c '"$0" eval --jsonl < dir' "$NOMOS_VM"
expect 1 "^nomos-vm: cannot read standard input: Bad file descriptor$" "eval --jsonl <&-" -- \
	sh -c '"$0" eval --jsonl <&-' "$NOMOS_VM"
expect 1 "^nomos-vm: cannot read nope.jsonl: No such file or directory$" "eval --jsonl MISSING" -- \
	"$NOMOS_VM" eval --jsonl nope.jsonl
expect 1 "^nomos-vm: cannot read standard input: Bad file descriptor$" "eval - <&-" -- \
	sh -c '"$0" eval - <&-' "$NOMOS_VM"

# ---- eval --jsonl: blank lines (blanks only, CRLF) are skipped ----
printf '%s\r\n\r\n  \n\t\r\n%s' "$line" "$line" > blanks.jsonl
out=$("$NOMOS_VM" eval --jsonl blanks.jsonl 2>&1); rc=$?
n=$(printf '%s\n' "$out" | grep -c '"reason_code":"deny_by_rule"')
[ "$rc" -eq 0 ] && [ "$n" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] && ok ||
	{ fail "eval --jsonl blank and CRLF lines: exit $rc"; printf '%s\n' "$out" | tail -n 3; }

# ---- eval --jsonl: a caller waiting for each decision gets it at once ----
# The writer keeps the stream open until the decision has arrived (5 s at most).
: > got
{ printf '%s\n' "$line"; n=0
  while [ ! -s got ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  [ -s got ] && : > seen; } | "$NOMOS_VM" eval --jsonl > got 2>/dev/null
[ -e seen ] && ok || fail "eval --jsonl from a pipe: no decision until the stream ended"

# ---- test: a table that cannot be read fails, with its name ----
expect 1 "^nomos-vm test: cannot read dir: Is a directory$" "test DIR" -- "$NOMOS_VM" test dir
expect 1 "^nomos-vm test: cannot read nope.jsonl: No such file or directory$" "test MISSING" -- \
	"$NOMOS_VM" test nope.jsonl
printf '\r\n  \n' > blank-table.jsonl
expect 0 "^0 passed, 0 failed$" "test: blank CRLF lines" -- "$NOMOS_VM" test blank-table.jsonl

# ---- nomosc writes its outputs atomically, into devices, with their reasons,
# and never over what it reads ----
# (links to the devices: an unfixed nomosc replaces the link, not the device)
ln -s /dev/null null.nbc
"$NOMOSC" build "$SAFE" -o null.nbc 2>/dev/null && [ -L null.nbc ] && ok ||
	fail "build -o a link to /dev/null failed or replaced it"
if [ -c /dev/full ]; then
	ln -s /dev/full full.nbc
	expect 1 "^nomosc: cannot write full.nbc: No space left on device$" "build -o /dev/full" -- \
		"$NOMOSC" build "$SAFE" -o full.nbc
	[ -L full.nbc ] && ok || fail "build -o a link to /dev/full replaced it"
	ln -s /dev/full full.nomos
	expect 1 "^nomosc: cannot write full.nomos: No space left on device$" "convert -o /dev/full" -- \
		"$NOMOSC" convert "$SAFE" -o full.nomos
fi
expect 1 "^nomosc: cannot write nodir/x.nomos: No such file or directory$" "convert -o MISSING/X" -- \
	"$NOMOSC" convert "$SAFE" -o nodir/x.nomos
"$NOMOSC" build "$SAFE" -o keep.nbc 2>/dev/null && chmod 600 keep.nbc &&
	"$NOMOSC" build "$SAFE" -o keep.nbc 2>/dev/null
[ "$(stat -c %a keep.nbc)" = 600 ] && ok || fail "build: a replaced image lost its mode 600"
cp "$SAFE" in.yaml
expect 2 "^nomosc build: -o in.yaml would overwrite in.yaml, an input of this build; refusing$" \
	"build -o INPUT" -- "$NOMOSC" build in.yaml -o in.yaml
cmp -s in.yaml "$SAFE" && ok || fail "build -o INPUT overwrote it"
mkdir layers && cp "$SAFE" layers/a.yaml
expect 2 "would overwrite layers/a.yaml" "build DIR -o DIR/FILE" -- \
	"$NOMOSC" build layers -o ./layers/a.yaml
"$NOMOSC" keygen ci >/dev/null 2>&1 && cp ci.key ci.key.orig
expect 2 "would overwrite ci.key" "build --sign KEY -o KEY" -- \
	"$NOMOSC" build "$SAFE" --sign ci.key -o ci.key
expect 2 "^nomosc sign: ci.key is the secret key; refusing" "sign --key KEY -o KEY" -- \
	"$NOMOSC" sign bundle.nbc --key ci.key -o ci.key
cmp -s ci.key ci.key.orig && ok || fail "the secret key was overwritten"
expect 2 "^nomosc build: --role repo is not followed by an INPUT" "build INPUT --role R" -- \
	"$NOMOSC" build "$SAFE" --role repo -o role.nbc
# fmt -w rewrites only what could be written in place: not a read-only file
# (as an unprivileged user: root may write anything)
nobody() {
	if [ "$(id -u)" -ne 0 ]; then "$@"
	elif command -v setpriv >/dev/null 2>&1; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else return 125; fi
}
chmod 755 "$T" && mkdir ro && cp ugly.nomos ro/ugly.nomos && chmod 444 ro/ugly.nomos &&
	{ [ "$(id -u)" -ne 0 ] || chown -R 65534:65534 ro; }
if nobody "$NOMOSC" --version >/dev/null 2>&1; then
	expect 1 "^ro/ugly.nomos: error: cannot write the formatted file: Permission denied" \
		"fmt -w READONLY" -- nobody "$NOMOSC" fmt -w ro/ugly.nomos
	cmp -s ro/ugly.nomos ugly.nomos && ok || fail "fmt -w rewrote a read-only file"
fi

# ---- images that cannot be used are named, and never waited on ----
i=0; while [ $i -lt 20 ]; do echo 'not an image'; i=$((i + 1)); done > garbage.nbc
: > empty.nbc
mkfifo fifo.nbc
expect 1 "^nomos-vm: invalid image: garbage.nbc: bad magic" "NOMOS_IMAGE=garbage" -- \
	env NOMOS_IMAGE=garbage.nbc "$NOMOS_VM" inspect
expect 1 "^nomos-vm: invalid image: empty.nbc: 0 bytes, shorter than an image header$" \
	"empty image" -- "$NOMOS_VM" inspect -i empty.nbc
expect 1 "^nomos-vm: invalid image: fifo.nbc: not a regular file$" "FIFO image" -- \
	limit "$NOMOS_VM" inspect -i fifo.nbc
n=$("$NOMOS_VM" eval -i garbage.nbc "$ACTION" 2>&1 >/dev/null | wc -l)
[ "$n" -eq 1 ] && ok || fail "eval with a refused image: $n lines on stderr, want 1"

# ---- nomosc inputs: one error per problem ----
mkdir broken && ln -s nowhere broken/x.yaml
out=$("$NOMOSC" check broken 2>&1); rc=$?
[ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && ok ||
	{ fail "check DIR with a dangling link: exit $rc"; printf '%s\n' "$out"; }

echo "cli_edges: $checks checks passed, $failed failed"
[ "$failed" -eq 0 ]
