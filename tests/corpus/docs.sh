#!/bin/sh
# docs.sh: the operator documentation says what the tools print and accept.
# 1. Runs the examples of docs/cli.md, docs/signing.md, docs/language.md,
#    docs/packs.md and the man pages docs/man/*.1 (EXAMPLES), each in a
#    scratch directory that links corpus/ and stdlib-policies/, with the two
#    programs on PATH, and requires the command line and its output to appear
#    together in the document: the lines "$ COMMAND" and then exactly the
#    output (stdout and stderr, each in order), up to the end of the example
#    (the next "$ " line, a ``` fence or .fi). A document line "..." stands for
#    any number of output lines, "..." inside a line for any text. Key ids and
#    public keys, which differ for every key, are replaced by the ones the
#    document shows before comparing.
# 2. Every command in `nomosc --help` and `nomos-vm --help` has a section in
#    docs/cli.md and is in its man page; every flag and exit status in a
#    command's --help is in its docs/cli.md section and in the man page.
# Run by `make test` with B, NOMOSC, NOMOS_VM; one summary line last.
set -u
B=${B:-build}
NOMOSC=${NOMOSC:-$B/nomosc}
NOMOS_VM=${NOMOS_VM:-$B/nomos-vm}
ROOT=$(pwd)
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$ROOT/$1" ;; esac; }
OUT=$(abs "$B")/docs
rm -rf "$OUT"
mkdir -p "$OUT/bin"
ln -s "$(abs "$NOMOSC")" "$OUT/bin/nomosc"
ln -s "$(abs "$NOMOS_VM")" "$OUT/bin/nomos-vm"
PATH=$OUT/bin:$PATH
NO_COLOR=1
export PATH NO_COLOR
unset NOMOS_IMAGE NOMOS_TRUST NOMOS_STATE NOMOS_RUNTIME_DEPLOYMENT_MODE
CLI=$ROOT/docs/cli.md SIGNING=$ROOT/docs/signing.md
LANGUAGE=$ROOT/docs/language.md PACKS=$ROOT/docs/packs.md
# the man pages as text: roff's \- is -, \e is a backslash, fonts dropped
for m in nomosc nomos-vm; do
	sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\f[BIRP]//g' "docs/man/$m.1" >"$OUT/$m.1.txt"
done
MAN_NOMOSC=$OUT/nomosc.1.txt MAN_VM=$OUT/nomos-vm.1.txt
checks=0; failed=0

pass() { checks=$((checks + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# match.awk C O E DOC: DOC holds the lines of C (the command, "$ " first;
# none for an output shown without a command) followed by the lines of O
# and E, interleaved in any way that keeps each one's order, up to the end of
# the example. See the header for "...".
cat >"$OUT/match.awk" <<'EOF'
FILENAME == ARGV[1] { c[++nc] = $0; next }
FILENAME == ARGV[2] { o[++no] = $0; next }
FILENAME == ARGV[3] { e[++ne] = $0; next }
{ d[++nd] = $0 }
function wild(s) { return s ~ /^[ \t]*\.\.\.[ \t]*$/ }
function ends(k) {
	while (k <= nd && wild(d[k])) k++
	while (k <= nd && d[k] == "") k++
	return k > nd || d[k] ~ /^```/ || d[k] ~ /^\$ / || d[k] ~ /^\.fi/
}
function same(pat, s,    n, p, i, at) {
	if (!index(pat, "...")) return pat == s
	n = split(pat, p, /\.\.\./)
	if (substr(s, 1, length(p[1])) != p[1]) return 0
	s = substr(s, length(p[1]) + 1)
	for (i = 2; i < n; i++) {
		at = index(s, p[i])
		if (!at) return 0
		s = substr(s, at + length(p[i]))
	}
	return length(s) >= length(p[n]) && substr(s, length(s) - length(p[n]) + 1) == p[n]
}
function push(k, io, ie) { stk[++sp] = k SUBSEP io SUBSEP ie }
# Depth-first over (doc line, next stdout line, next stderr line), without
# recursion (mawk's stack is small): 1 when the whole output is matched.
function search(k0,    st, k, io, ie) {
	split("", seen); sp = 0
	push(k0, 1, 1)
	while (sp > 0) {
		if (stk[sp] in seen) { sp--; continue }
		seen[stk[sp]] = 1
		split(stk[sp--], st, SUBSEP); k = st[1] + 0; io = st[2] + 0; ie = st[3] + 0
		if (io > no && ie > ne && ends(k)) return 1
		if (k > nd) continue
		if (wild(d[k])) {
			push(k + 1, io, ie)
			if (io <= no) push(k, io + 1, ie)
			if (ie <= ne) push(k, io, ie + 1)
		} else {
			if (io <= no && same(d[k], o[io])) push(k + 1, io + 1, ie)
			if (ie <= ne && same(d[k], e[ie])) push(k + 1, io, ie + 1)
		}
	}
	return 0
}
END {
	if (!nc && !no && !ne) exit 1
	for (i = 1; i <= nd; i++) {
		if (nc) {
			for (j = 1; j <= nc && d[i + j - 1] == c[j]; j++) ;
			if (j <= nc) continue
		} else if (i > 1 && d[i - 1] !~ /^```/ && d[i - 1] !~ /^\.nf/)
			continue
		if (search(i + nc)) exit 0
	}
	exit 1
}
EOF

: >"$OUT/subst.sed"
# Key ids and public keys of fresh keys -> the ones the document shows.
subst() { # real shown
	printf 's#%s#%s#g\n' "$1" "$2" >>"$OUT/subst.sed"
}
setrc() { return "$1"; }
rc=0
# run CMD: runs CMD (as the document writes it, after "$ ") in this shell, so
# that variables it sets and $? carry over to the next one.
run() {
	printf '%s\n' "$1" | sed '1s/^/$ /' >"$OUT/c"
	setrc "$rc"
	eval "$1" >"$OUT/o" 2>"$OUT/e"
	rc=$?
}
# shown DOC LABEL: the last run's command and output are an example of DOC.
shown() {
	for f in o e; do
		sed -f "$OUT/subst.sed" "$OUT/$f" >"$OUT/$f.s" && mv "$OUT/$f.s" "$OUT/$f"
	done
	if awk -f "$OUT/match.awk" "$OUT/c" "$OUT/o" "$OUT/e" "$1"; then pass
	else
		fail "$(basename "$1"): $2: the document does not show this command and output:"
		cat "$OUT/c"; cat "$OUT/o"; cat "$OUT/e"
	fi
}
ex() { run "$2"; shown "$1" "$2"; } # doc command
# runs DOC CMD: an example shown without its output: it succeeds, and nothing
# follows it in the document.
runs() {
	run "$2"
	if [ "$rc" -ne 0 ]; then fail "$(basename "$1"): $2: exit $rc"; cat "$OUT/e"; return; fi
	: >"$OUT/o"; : >"$OUT/e"
	shown "$1" "$2"
}
# output DOC LABEL FILE: FILE is shown (without a command) as one whole
# example of DOC, from its opening fence to its end.
output() {
	: >"$OUT/c"; cp "$3" "$OUT/o"; : >"$OUT/e"
	shown "$1" "$2"
}
# A scratch directory with the shipped policies, as the root of the tree.
workdir() {
	mkdir -p "$OUT/$1"
	cd "$OUT/$1" || exit 1
	ln -s "$ROOT/corpus" corpus
	ln -s "$ROOT/stdlib-policies" stdlib-policies
	ln -s "$OUT/bin" build
}
# A key made by keygen, written as the document writes it (its id and key).
as_shown() { # name id-shown pub-shown
	subst "$(cut -d' ' -f2 "$1.pub")" "$2"
	subst "$(cut -d' ' -f3 "$1.pub")" "$3"
	kid=$(cut -d' ' -f2 "$1.pub")
	if [ "$(cut -d' ' -f3 "$1.pub" | base64 -d | sha256sum | cut -c1-16)" = "$kid" ]; then pass
	else fail "$1.pub: key id $kid is not the first 8 bytes of the SHA-256 of the key"; fi
}

# ---- docs/cli.md -------------------------------------------------------------
workdir cli
export NOMOS_ALLOW_UNSIGNED=1
printf 'version: v1\nrules:\n  - id: r1\n    action_type: fs.read\n    resource: file://workspace/.env\n    decision: alow\n' >bad.yaml
ex "$CLI" 'cat bad.yaml'
ex "$CLI" 'nomosc check bad.yaml'
run 'nomosc build stdlib-policies/' # the same bundle given twice
if [ "$rc" -eq 1 ] && grep -q ': error: stdlib-policies/baseline.yaml is the same bundle as stdlib-policies/baseline.nomos (' "$OUT/e" &&
	grep -qF '(`nomosc build stdlib-policies/` reports' "$CLI"; then pass
else fail "cli.md: nomosc build stdlib-policies/: exit $rc"; head -3 "$OUT/e"; fi
ex "$CLI" 'nomosc --help'
ex "$CLI" 'nomos-vm --help'
ex "$CLI" 'nomosc build corpus/conformance/upstream/policies/safe.yaml -o bundle.nbc'
ex "$CLI" 'P=corpus/conformance/upstream/policies'
ex "$CLI" 'nomosc build --role baseline $P/base.yaml --role repo $P/repo.yaml \
    --role env $P/dev.yaml --role local_override $P/local-override.yaml \
    --revision 7 --expires 2027-01-31T00:00:00Z -o layered.nbc'
ex "$CLI" 'nomosc build --report -o safe.nbc corpus/conformance/upstream/policies/safe.yaml'
# keygen first: the signed build uses ci.key
run 'nomosc keygen ci'
as_shown ci 2c54c43d4098d607 NTjAA2rF/kcdXBZFcHh8Mm7penJD4Z+J7Xj/fp6QfKk=
shown "$CLI" 'nomosc keygen ci'
ex "$CLI" 'cat ci.pub'
ex "$CLI" 'nomosc keygen ci; echo $?'
if [ "$(stat -c %a ci.key)" = 600 ]; then pass; else fail "cli.md: ci.key has mode $(stat -c %a ci.key)"; fi
ex "$CLI" 'nomosc build corpus/conformance/upstream/policies/safe.yaml --revision 1 --sign ci.key -o signed.nbc'
ex "$CLI" 'S=corpus/conformance/signature'
ex "$CLI" 'nomosc build --bundle-pubkey $S/test_pub.pem --bundle-signature $S/bundle.sig $S/bundle.json -o sig.nbc'
ex "$CLI" 'nomosc build --bundle-pubkey $S/test_pub.pem --bundle-signature $S/bundle.sig $S/bundle_tampered.json -o sig.nbc; echo $?'
ex "$CLI" 'nomosc check corpus/conformance/upstream/policies/safe.yaml; echo $?'
ex "$CLI" 'nomosc check --format json bad.yaml 2>/dev/null; echo $?'
ex "$CLI" 'nomosc hash corpus/conformance/upstream/policies/safe.yaml'
ex "$CLI" 'nomosc hash stdlib-policies/safe-coding-agent.nomos'
ex "$CLI" 'nomosc hash --canonical corpus/conformance/upstream/policies/safe.yaml'
ex "$CLI" 'printf '\''allow fs.read  "file://workspace/**"   as r1\n'\'' > ugly.nomos'
ex "$CLI" 'nomosc fmt ugly.nomos'
ex "$CLI" 'nomosc fmt --check ugly.nomos; echo $?'
ex "$CLI" 'nomosc convert corpus/conformance/upstream/policies/repo.yaml'
ex "$CLI" 'nomosc convert --to json ugly.nomos'
ex "$CLI" 'nomosc build corpus/conformance/upstream/policies/safe.yaml -o unsigned.nbc'
ex "$CLI" 'nomosc sign unsigned.nbc --key ci.key'
unset NOMOS_ALLOW_UNSIGNED
ex "$CLI" 'nomos-vm inspect'
ex "$CLI" 'echo $?'
ex "$CLI" 'nomos-vm verify; echo $?          # NOMOS_ALLOW_UNSIGNED unset'
export NOMOS_ALLOW_UNSIGNED=1
ex "$CLI" 'nomos-vm verify --allow-unsigned'
ex "$CLI" 'nomos-vm verify --allow-unsigned --format json'
ex "$CLI" 'cat corpus/quickstart/deny-env.json'
ex "$CLI" 'nomos-vm eval corpus/quickstart/deny-env.json'
ex "$CLI" 'nomos-vm eval --exit-code corpus/quickstart/deny-env.json >/dev/null; echo $?'
printf '%s\n' '{"schema_version":"v1","action_id":"x","action_type":"fs.read","resource":"file://workspace/a/../.env","params":{},"principal":"p","agent":"a","environment":"dev","trace_id":"t1"}' >trav.json
ex "$CLI" 'cat trav.json'
ex "$CLI" 'nomos-vm eval trav.json; echo $?'
for a in allow-readme deny-env; do tr -d '\n' <corpus/quickstart/$a.json; echo; done >actions.jsonl
echo 'not json' >>actions.jsonl
ex "$CLI" 'nomos-vm eval --jsonl actions.jsonl; echo $?'
ex "$CLI" 'nomos-vm explain corpus/quickstart/deny-env.json'
ex "$CLI" 'nomos-vm explain --format json corpus/quickstart/deny-env.json'
ex "$CLI" 'nomosc build -o coding.nbc stdlib-policies/safe-coding-agent.yaml'
ex "$CLI" 'nomos-vm test -i coding.nbc corpus/packs/safe-coding-agent.tests.jsonl'
ex "$CLI" 'nomos-vm test -v -i coding.nbc corpus/packs/safe-coding-agent.tests.jsonl | head -2'
printf '{"name":"wrong","action":%s,"decision":"ALLOW"}\n' "$(tr -d '\n' <corpus/quickstart/deny-env.json)" >t.jsonl
ex "$CLI" 'nomos-vm test t.jsonl; echo $?     # t.jsonl: one case "wrong", deny-env expecting ALLOW'
ex "$CLI" 'nomos-vm inspect -i layered.nbc'
ex "$CLI" 'nomos-vm disasm safe-deny-git-push safe-allow-git-exec'
ex "$CLI" "nomos-vm normalize 'url://Example.COM:443/x' 'file://workspace/%2eenv' 'file://workspace/./a/../.env'; echo \$?"
ex "$CLI" "nomos-vm normalize --action-type payments.refund 'stripe://Acct/ch_1'"

# ---- docs/signing.md ---------------------------------------------------------
# The verify examples: a key of ours in trust.txt, revision 5 accepted, then 3.
workdir signing
: >"$OUT/subst.sed"
unset NOMOS_ALLOW_UNSIGNED
nomosc keygen ci >/dev/null 2>&1
as_shown ci b4f06c8f359e761a QyaP+dgB+FqBnZbX1t5OquW645r92NW+0oeW9BJzXTY=
cp ci.pub trust.txt
nomosc build corpus/conformance/upstream/policies/safe.yaml --revision 5 --sign ci.key -o bundle.nbc 2>/dev/null
nomosc build corpus/conformance/upstream/policies/safe.yaml --revision 3 --sign ci.key -o old.nbc 2>/dev/null
nomos-vm verify -i bundle.nbc --trust trust.txt --state state >/dev/null
ex "$SIGNING" 'nomos-vm verify -i bundle.nbc --trust trust.txt --format json'
ex "$SIGNING" 'nomos-vm verify -i old.nbc --trust trust.txt --state state; echo $?'
# The trust file shown is one a node loads (its key ids match their keys),
# and the error shown for a key id that does not match its key.
sed -n '/^# \/etc\/nomos\/trust.txt/,/^revoke /p' "$SIGNING" >shown-trust.txt
run 'nomos-vm verify -i bundle.nbc --trust shown-trust.txt'
if [ "$rc" -eq 11 ] && [ "$(wc -l <shown-trust.txt)" -eq 4 ]; then pass
else fail "signing.md: the trust file shown: verify exit $rc, want 11 (unknown key)"; cat "$OUT/o"; fi
printf '# keys\n\nkey 0011223344556677 QyaP+dgB+FqBnZbX1t5OquW645r92NW+0oeW9BJzXTY=\n' >trust.txt
run 'nomos-vm verify -i bundle.nbc --trust trust.txt'
msg=$(sed -n 's/.*refused (invalid): //p' "$OUT/o")
if [ "$rc" -eq 1 ] && [ -n "$msg" ] && tr '\n' ' ' <"$SIGNING" | grep -qF "\`$msg\`"; then pass
else fail "signing.md: trust file error: exit $rc: $msg"; fi
# "Key life" runs as written in an empty directory with $REPO, and the exit
# statuses it states in comments (`...; echo $?  # N: ...`) are the ones printed.
mkdir -p "$OUT/keylife" && cd "$OUT/keylife" || exit 1
sed -n '/^## Key life/,$p' "$SIGNING" | awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' >keylife.sh
(unset NOMOS_ALLOW_UNSIGNED; REPO=$ROOT sh keylife.sh >keylife.out 2>keylife.err)
want=$(sed -n 's/.*echo \$?.*# \([0-9][0-9]*\):.*/\1/p' keylife.sh | tr '\n' ' ')
got=$(grep -xE '[0-9]{1,3}' keylife.out | tr '\n' ' ')
if [ -n "$want" ] && [ "$want" = "$got" ]; then pass
else fail "signing.md: key life: exit statuses $got, the comments say $want"; cat keylife.err; fi
k26=$(cut -d' ' -f2 keys/ci-2026.pub 2>/dev/null) k27=$(cut -d' ' -f2 keys/ci-2027.pub 2>/dev/null)
for line in "bundle.nbc: key $k26" "etc/bundle.nbc.new: key $k27" "etc/bundle.nbc: key $k27" \
	"bundle-2026.nbc: refused (revoked_key): image is signed by key $k26, which the trust store revokes"; do
	if grep -qxF "$line" keylife.out; then pass; else fail "signing.md: key life: no '$line'"; fi
done
if grep -q '"decision":"ALLOW"' keylife.out && grep -q '"reason_code":"image_error"' keylife.out &&
	grep -qxF 'nomosc: verified the RSA signature of 1 source file' keylife.err &&
	[ "$(grep -c '^old.nbc: refused (rollback): ' keylife.out)" -eq 1 ]; then pass
else fail "signing.md: key life: eval, rollback or RSA build output missing"; cat keylife.out keylife.err; fi

# ---- docs/language.md --------------------------------------------------------
workdir language
: >"$OUT/subst.sed"
printf '# keys\n\ndeny fs.read re"^file://workspace/.*\\.(pem|key)$" as no-key-material\n' >policy.nomos
nomosc check policy.nomos 2>&1 | head -n 1 >shown.txt
output "$LANGUAGE" "the -Wnonportable warning" shown.txt
printf 'version: v1\nrules:\n  - id: r\n    action_type: fs.read\n    resource: "file://w/**"\n    decision: ALLOW\n    obligations: {big: 12345678901234567890}\n' >big.yaml
nomosc convert --to json big.yaml 2>&1 | head -n 1 >shown.txt
output "$LANGUAGE" "convert of a big integer to JSON" shown.txt
printf 'alow fs.read "file://workspace/**" as r\n' >a.nomos
printf 'allow fs.read "file://workspace/**" as r\n  for agent ["codex" "claude"]\n' >b.nomos
nomosc check a.nomos b.nomos >/dev/null 2>shown.txt
output "$LANGUAGE" "syntax errors" shown.txt

# ---- docs/packs.md -----------------------------------------------------------
# "From a clone to a decision", line by line (not make): each succeeds, and
# prints the "decision" its comment shows.
workdir packs
export NOMOS_ALLOW_UNSIGNED=1
sed -n '/^## From a clone to a decision/,/^## /p' "$PACKS" |
	awk '/^```/ { n++; next } n == 1 && $0 != "make"' >clone.txt
[ -s clone.txt ] || fail "packs.md: no commands in \"From a clone to a decision\""
while IFS= read -r line; do
	want=$(printf '%s\n' "$line" | sed -n 's/.*# \("decision":"[A-Z_]*"\).*/\1/p')
	run "$line"
	case $line in export\ *) continue ;; esac
	if [ "$rc" -eq 0 ] && { [ -z "$want" ] || grep -qF "$want" "$OUT/o"; }; then pass
	else fail "packs.md: $line: exit $rc, want ${want:-success}"; cat "$OUT/e"; fi
done <clone.txt
# every stack of the layering table builds (no duplicate rule ids)
n=0
sed -n '/^Typical stacks/,/^Layering is a union/p' "$PACKS" | grep '^| .*`' >stacks.txt
while IFS= read -r row; do
	n=$((n + 1))
	set -- $(printf '%s\n' "$row" | cut -d'|' -f3 | grep -o '`[a-z-]*`' | tr -d '`' | sed 's|.*|stdlib-policies/&.yaml|')
	if nomosc build "$@" -o stack.nbc >/dev/null 2>"$OUT/e"; then pass
	else fail "packs.md: stack $row does not build"; head -5 "$OUT/e"; fi
done <stacks.txt
[ "$n" -ge 4 ] || fail "packs.md: $n stacks in the layering table, want 4"
packs=$(ls stdlib-policies/*.yaml | wc -l)
if [ "$packs" -eq 8 ] && grep -q 'holds eight ready-to-use' "$PACKS"; then pass
else fail "packs.md: 'eight' packs, stdlib-policies/ has $packs"; fi

# ---- man pages: EXAMPLES -----------------------------------------------------
workdir man
: >"$OUT/subst.sed"
unset NOMOS_ALLOW_UNSIGNED
run 'nomosc keygen ci'
as_shown ci 2c54c43d4098d607 NTjAA2rF/kcdXBZFcHh8Mm7penJD4Z+J7Xj/fp6QfKk=
shown "$MAN_NOMOSC" 'nomosc keygen ci'
runs "$MAN_NOMOSC" 'cat ci.pub >> trust.txt'
runs "$MAN_NOMOSC" 'nomosc build stdlib-policies/safe-coding-agent.yaml --revision 42 --sign ci.key -o bundle.nbc'
ex "$MAN_NOMOSC" 'nomosc build corpus/conformance/upstream/policies/safe.yaml -o bundle.nbc'
ex "$MAN_NOMOSC" 'nomosc hash corpus/conformance/upstream/policies/safe.yaml'
ex "$MAN_NOMOSC" 'P=corpus/conformance/upstream/policies'
runs "$MAN_NOMOSC" 'nomosc build --role baseline $P/base.yaml --role repo $P/repo.yaml \
      --role env $P/dev.yaml --role local_override $P/local-override.yaml \
      --revision 7 --expires 2027-01-31T00:00:00Z -o layered.nbc'
cp "$OUT/cli/bad.yaml" .
ex "$MAN_NOMOSC" 'nomosc check bad.yaml'
runs "$MAN_NOMOSC" 'nomosc convert -o repo.nomos corpus/conformance/upstream/policies/repo.yaml'
runs "$MAN_VM" 'nomosc build corpus/conformance/upstream/policies/safe.yaml -o bundle.nbc'
ex "$MAN_VM" 'nomos-vm eval --allow-unsigned corpus/quickstart/deny-env.json'
ex "$MAN_VM" 'nomos-vm eval --allow-unsigned --exit-code corpus/quickstart/deny-env.json >/dev/null; echo $?'
runs "$MAN_VM" 'nomos-vm explain --allow-unsigned corpus/quickstart/deny-env.json'
runs "$MAN_VM" 'nomosc build -o coding.nbc stdlib-policies/safe-coding-agent.yaml'
ex "$MAN_VM" 'nomos-vm test --allow-unsigned -i coding.nbc corpus/packs/safe-coding-agent.tests.jsonl'
ex "$MAN_VM" "nomos-vm normalize 'url://Example.COM:443/x' 'file://workspace/%2eenv'"

# ---- every command, flag and exit status of --help is documented ------------
cd "$ROOT" || exit 1
# section FILE HEADING: the lines from HEADING to the next heading
section() { awk -v h="$2" '$0 == h { on = 1; print; next } on && /^#/ { exit } on' "$1"; }
# exit_para: the "Exit status..." paragraph of a section (and a table after it)
exit_para() {
	awk '/^Exit status/ { on = 1 } on == 2 && /^\|/ { on = 1 } on == 2 && !/^$/ { exit }
		on == 1 && /^$/ { on = 2 } on == 1' "$1"
}
# man_section FILE NAME: the lines of .SH NAME
man_section() { awk -v h=".SH $2" '$0 == h { on = 1; next } on && /^\.SH / { exit } on' "$1"; }
flags() { "$@" --help | grep -oE '(^|[][ (,|])--?[a-z][a-z-]*' | sed 's/^[][ (,|]//' | sort -u; }
codes() {
	"$@" --help | awk 'tolower($0) ~ /exit status/ { on = 1 } on || /exit [0-9]/' |
		grep -oE '(^|[^0-9^.])[0-9]+' | grep -oE '[0-9]+' | sort -un
}
has_flag() { grep -qE -e "(^|[^a-zA-Z0-9-])$2([^a-z-]|\$)" "$1"; }
documented() { # tool man-text command
	tool=$1 man=$2 cmd=$3
	if [ -n "$cmd" ]; then
		section "$CLI" "### $tool $cmd" >"$OUT/sec"
		[ -s "$OUT/sec" ] || { fail "cli.md: no section '### $tool $cmd'"; return; }
		grep -qE "^\\.B $tool $cmd\$" "$man" && pass || fail "$(basename "$man"): $cmd is not in SYNOPSIS"
		[ "$tool" = nomos-vm ] && section "$CLI" "### Image options" >>"$OUT/sec"
		exit_para "$OUT/sec" >"$OUT/exits"
	else
		section "$CLI" "## $tool" >"$OUT/sec"
		exit_para "$OUT/sec" >"$OUT/exits"
		section "$CLI" "## Exit status summary" >>"$OUT/exits"
	fi
	for f in $(flags "$tool" $cmd); do
		has_flag "$OUT/sec" "$f" && pass || fail "cli.md: $tool $cmd: flag $f is not documented"
		has_flag "$man" "$f" && pass || fail "$(basename "$man"): $tool $cmd: flag $f is not documented"
	done
	man_section "$man" "EXIT STATUS" >"$OUT/man-exits"
	for n in $(codes "$tool" $cmd); do
		grep -qw "$n" "$OUT/exits" && pass || fail "cli.md: $tool $cmd: exit status $n is not documented"
		grep -qw "$n" "$OUT/man-exits" && pass || fail "$(basename "$man"): $tool $cmd: exit status $n is not documented"
	done
}
for pair in "nomosc $MAN_NOMOSC" "nomos-vm $MAN_VM"; do
	set -- $pair
	documented "$1" "$2" ""
	for cmd in $("$1" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
		documented "$1" "$2" "$cmd"
	done
done

echo "docs: $checks checks passed, $failed failed"
[ "$failed" -eq 0 ]
